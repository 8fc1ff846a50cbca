// SPDX-License-Identifier: Apache-2.0
//! The on-flash record of one identity: versioned header, postcard payload, CRC-32 trailer.
//!
//! ```text
//! offset  size  field
//! 0       4     magic b"FGID"
//! 4       2     format version (1), little-endian
//! 6       2     payload length n, little-endian
//! 8       4     sequence number, little-endian (higher wins between two records of one id)
//! 12      n     postcard payload: id u32, name (<= 32 bytes), embedding [i16; D] as a seq
//! 12 + n  4     CRC-32 (IEEE) of bytes 0 .. 12 + n, little-endian
//! ```

use crate::crc32::crc32;
use crate::embedding::Embedding;
use crate::gallery::{Identity, Name};
use crate::Error;

/// Record magic.
pub const MAGIC: [u8; 4] = *b"FGID";
/// Current format version.
pub const VERSION: u16 = 1;
/// Header bytes before the payload.
pub const HEADER_LEN: usize = 12;
/// Largest record this crate writes or reads (enough for D = 600).
pub const MAX_RECORD_LEN: usize = 2048;

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload<const D: usize> {
    id: u32,
    name: Name,
    embedding: heapless::Vec<i16, D>,
}

/// Why a stored blob is not a valid record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordError {
    /// Too short, or its length field disagrees with the blob.
    Length,
    /// Not a FaceGate identity record.
    Magic,
    /// Written by an unknown format version.
    Version(u16),
    /// Checksum mismatch (torn write or bit rot).
    Crc,
    /// Payload does not decode (or has a different embedding size).
    Payload,
}

/// Writes the record of `identity` with sequence number `seq` into `buf`; returns its length.
pub fn encode<const D: usize>(
    seq: u32,
    identity: &Identity<D>,
    buf: &mut [u8],
) -> Result<usize, Error> {
    let payload = Payload::<D> {
        id: identity.id,
        name: identity.name.clone(),
        embedding: heapless::Vec::from_slice(identity.embedding.as_q15())
            .map_err(|_| Error::InvalidParameter("embedding size"))?,
    };
    let too_short = Error::BufferTooShort {
        needed: HEADER_LEN + 4 + 3 * D + 40,
        got: buf.len(),
    };
    if buf.len() < HEADER_LEN + 4 {
        return Err(too_short);
    }
    let room = buf.len() - HEADER_LEN - 4;
    let n = postcard::to_slice(&payload, &mut buf[HEADER_LEN..HEADER_LEN + room])
        .map_err(|_| too_short)?
        .len();
    let len = u16::try_from(n).map_err(|_| too_short)?;
    buf[0..4].copy_from_slice(&MAGIC);
    buf[4..6].copy_from_slice(&VERSION.to_le_bytes());
    buf[6..8].copy_from_slice(&len.to_le_bytes());
    buf[8..12].copy_from_slice(&seq.to_le_bytes());
    let end = HEADER_LEN + n;
    let crc = crc32(&buf[..end]);
    buf[end..end + 4].copy_from_slice(&crc.to_le_bytes());
    Ok(end + 4)
}

/// Parses and checks a record; returns its sequence number and identity.
pub fn decode<const D: usize>(blob: &[u8]) -> Result<(u32, Identity<D>), RecordError> {
    if blob.len() < HEADER_LEN + 4 {
        return Err(RecordError::Length);
    }
    if blob[0..4] != MAGIC {
        return Err(RecordError::Magic);
    }
    let version = u16::from_le_bytes([blob[4], blob[5]]);
    let n = usize::from(u16::from_le_bytes([blob[6], blob[7]]));
    if blob.len() != HEADER_LEN + n + 4 {
        return Err(RecordError::Length);
    }
    let end = HEADER_LEN + n;
    let stored = u32::from_le_bytes([blob[end], blob[end + 1], blob[end + 2], blob[end + 3]]);
    if crc32(&blob[..end]) != stored {
        return Err(RecordError::Crc);
    }
    if version != VERSION {
        return Err(RecordError::Version(version));
    }
    let seq = u32::from_le_bytes([blob[8], blob[9], blob[10], blob[11]]);
    let (p, rest) = postcard::take_from_bytes::<Payload<D>>(&blob[HEADER_LEN..end])
        .map_err(|_| RecordError::Payload)?;
    if !rest.is_empty() || p.id == 0 || p.name.is_empty() {
        return Err(RecordError::Payload);
    }
    let embedding = Embedding::from_q15(&p.embedding).map_err(|_| RecordError::Payload)?;
    Ok((
        seq,
        Identity {
            id: p.id,
            name: p.name,
            embedding,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::make_name;

    fn ident() -> Identity<8> {
        Identity {
            id: 42,
            name: make_name("Zoë").unwrap(),
            embedding: Embedding::from_f32(&[1.0, -2.0, 3.0, 0.0, 0.5, 0.25, -1.0, 7.0]).unwrap(),
        }
    }

    #[test]
    fn round_trip() {
        let mut buf = [0u8; 256];
        let n = encode(7, &ident(), &mut buf).unwrap();
        let (seq, back) = decode::<8>(&buf[..n]).unwrap();
        assert_eq!(seq, 7);
        assert_eq!(back, ident());
        assert!(encode(7, &ident(), &mut buf[..20]).is_err());
    }

    #[test]
    fn every_flipped_byte_and_truncation_is_detected() {
        let mut buf = [0u8; 256];
        let n = encode(1, &ident(), &mut buf).unwrap();
        for i in 0..n {
            for bit in [0x01u8, 0x80] {
                let mut bad = buf;
                bad[i] ^= bit;
                assert!(decode::<8>(&bad[..n]).is_err(), "byte {i} bit {bit:#x}");
            }
        }
        for cut in 0..n {
            assert!(decode::<8>(&buf[..cut]).is_err(), "truncated at {cut}");
        }
        // A record written for another dimension is rejected, not misread.
        assert_eq!(decode::<4>(&buf[..n]).unwrap_err(), RecordError::Payload);
    }
}
