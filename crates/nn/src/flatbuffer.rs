// SPDX-License-Identifier: Apache-2.0
//! Bounds-checked, zero-copy access to FlatBuffers tables, vectors and strings.
//!
//! Every read checks its offset against the buffer and reports a [`Error::Corrupt`] naming
//! what it was reading, so a truncated or hostile file can never cause a panic or an
//! out-of-bounds read. Nothing is copied: tables and vectors are views into the model bytes.
//!
//! Format facts used here (FlatBuffers binary format): the root `u32` at offset 0 points to
//! the root table; a table starts with an `i32` soffset to its vtable (`table − soffset`);
//! a vtable is `u16 vtable_len, u16 table_len, u16 field_offset[..]`; offset-typed fields
//! hold a `u32` relative to their own position; vectors and strings start with a `u32`
//! element count.

use crate::Error;

/// Deepest vtable we accept, in fields (TFLite's largest table has well under 64).
const MAX_VTABLE_FIELDS: usize = 256;

/// Reads a little-endian `u32` at `pos`, or `Corrupt(what)`.
pub(crate) fn read_u32(buf: &[u8], pos: usize, what: &'static str) -> Result<u32, Error> {
    let end = pos.checked_add(4).ok_or(Error::Corrupt(what))?;
    let b = buf.get(pos..end).ok_or(Error::Corrupt(what))?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn read_u16(buf: &[u8], pos: usize, what: &'static str) -> Result<u16, Error> {
    let end = pos.checked_add(2).ok_or(Error::Corrupt(what))?;
    let b = buf.get(pos..end).ok_or(Error::Corrupt(what))?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

/// Follows the `u32` offset stored at `pos` (relative to `pos`).
fn follow(buf: &[u8], pos: usize, what: &'static str) -> Result<usize, Error> {
    let rel = read_u32(buf, pos, what)? as usize;
    let target = pos.checked_add(rel).ok_or(Error::Corrupt(what))?;
    if target >= buf.len() {
        return Err(Error::Corrupt(what));
    }
    Ok(target)
}

/// A view of one table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vtable_len: usize,
    what: &'static str,
}

impl<'a> Table<'a> {
    /// The root table of a buffer.
    pub(crate) fn root(buf: &'a [u8], what: &'static str) -> Result<Self, Error> {
        let pos = follow(buf, 0, what)?;
        Self::at(buf, pos, what)
    }

    /// The table whose first byte is at `pos`.
    pub(crate) fn at(buf: &'a [u8], pos: usize, what: &'static str) -> Result<Self, Error> {
        if !pos.is_multiple_of(4) {
            return Err(Error::Corrupt(what));
        }
        let soff = read_u32(buf, pos, what)? as i32;
        let vtable = (pos as i64) - i64::from(soff);
        if vtable < 0 || vtable as usize >= buf.len() || vtable % 2 != 0 {
            return Err(Error::Corrupt(what));
        }
        let vtable = vtable as usize;
        let vtable_len = usize::from(read_u16(buf, vtable, what)?);
        let table_len = usize::from(read_u16(buf, vtable + 2, what)?);
        if vtable_len < 4 || vtable_len % 2 != 0 || vtable_len > 4 + 2 * MAX_VTABLE_FIELDS {
            return Err(Error::Corrupt(what));
        }
        if vtable.checked_add(vtable_len).is_none_or(|e| e > buf.len())
            || table_len < 4
            || pos.checked_add(table_len).is_none_or(|e| e > buf.len())
        {
            return Err(Error::Corrupt(what));
        }
        Ok(Self {
            buf,
            pos,
            vtable,
            vtable_len,
            what,
        })
    }

    /// Absolute position of field `id`, if present.
    fn field(&self, id: usize, size: usize) -> Result<Option<usize>, Error> {
        let slot = 4 + 2 * id;
        if slot + 2 > self.vtable_len {
            return Ok(None);
        }
        let off = usize::from(read_u16(self.buf, self.vtable + slot, self.what)?);
        if off == 0 {
            return Ok(None);
        }
        let p = self.pos + off;
        if p.checked_add(size).is_none_or(|e| e > self.buf.len()) {
            return Err(Error::Corrupt(self.what));
        }
        Ok(Some(p))
    }

    fn scalar<const N: usize>(&self, id: usize) -> Result<Option<[u8; N]>, Error> {
        Ok(match self.field(id, N)? {
            Some(p) => {
                let mut b = [0u8; N];
                b.copy_from_slice(&self.buf[p..p + N]);
                Some(b)
            }
            None => None,
        })
    }

    pub(crate) fn u8(&self, id: usize, default: u8) -> Result<u8, Error> {
        Ok(self.scalar::<1>(id)?.map_or(default, |b| b[0]))
    }

    pub(crate) fn i8(&self, id: usize, default: i8) -> Result<i8, Error> {
        Ok(self.scalar::<1>(id)?.map_or(default, |b| b[0] as i8))
    }

    pub(crate) fn bool(&self, id: usize) -> Result<bool, Error> {
        Ok(self.u8(id, 0)? != 0)
    }

    pub(crate) fn i32(&self, id: usize, default: i32) -> Result<i32, Error> {
        Ok(self.scalar::<4>(id)?.map_or(default, i32::from_le_bytes))
    }

    pub(crate) fn u32(&self, id: usize, default: u32) -> Result<u32, Error> {
        Ok(self.scalar::<4>(id)?.map_or(default, u32::from_le_bytes))
    }

    pub(crate) fn u64(&self, id: usize, default: u64) -> Result<u64, Error> {
        Ok(self.scalar::<8>(id)?.map_or(default, u64::from_le_bytes))
    }

    pub(crate) fn f32(&self, id: usize, default: f32) -> Result<f32, Error> {
        Ok(self.scalar::<4>(id)?.map_or(default, f32::from_le_bytes))
    }

    /// A sub-table field.
    pub(crate) fn table(&self, id: usize, what: &'static str) -> Result<Option<Table<'a>>, Error> {
        match self.field(id, 4)? {
            Some(p) => Ok(Some(Table::at(self.buf, follow(self.buf, p, what)?, what)?)),
            None => Ok(None),
        }
    }

    /// A vector field whose elements are `elem_size` bytes each.
    pub(crate) fn vector(
        &self,
        id: usize,
        elem_size: usize,
        what: &'static str,
    ) -> Result<Option<Vector<'a>>, Error> {
        match self.field(id, 4)? {
            Some(p) => Ok(Some(Vector::at(
                self.buf,
                follow(self.buf, p, what)?,
                elem_size,
                what,
            )?)),
            None => Ok(None),
        }
    }

    /// A string field's bytes (without the terminating NUL), not checked for UTF-8.
    pub(crate) fn bytes(&self, id: usize, what: &'static str) -> Result<Option<&'a [u8]>, Error> {
        Ok(self.vector(id, 1, what)?.map(|v| v.bytes()))
    }
}

/// A view of one vector of fixed-size elements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Vector<'a> {
    buf: &'a [u8],
    /// Position of the first element.
    start: usize,
    len: usize,
    elem_size: usize,
    what: &'static str,
}

impl<'a> Vector<'a> {
    fn at(buf: &'a [u8], pos: usize, elem_size: usize, what: &'static str) -> Result<Self, Error> {
        let len = read_u32(buf, pos, what)? as usize;
        let start = pos + 4;
        let bytes = len.checked_mul(elem_size).ok_or(Error::Corrupt(what))?;
        if start.checked_add(bytes).is_none_or(|e| e > buf.len()) {
            return Err(Error::Corrupt(what));
        }
        Ok(Self {
            buf,
            start,
            len,
            elem_size,
            what,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The raw element bytes.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        &self.buf[self.start..self.start + self.len * self.elem_size]
    }

    fn elem<const N: usize>(&self, i: usize) -> Result<[u8; N], Error> {
        if i >= self.len || self.elem_size != N {
            return Err(Error::Corrupt(self.what));
        }
        let p = self.start + i * N;
        let mut b = [0u8; N];
        b.copy_from_slice(&self.buf[p..p + N]);
        Ok(b)
    }

    pub(crate) fn i32(&self, i: usize) -> Result<i32, Error> {
        self.elem::<4>(i).map(i32::from_le_bytes)
    }

    pub(crate) fn i64(&self, i: usize) -> Result<i64, Error> {
        self.elem::<8>(i).map(i64::from_le_bytes)
    }

    pub(crate) fn f32(&self, i: usize) -> Result<f32, Error> {
        self.elem::<4>(i).map(f32::from_le_bytes)
    }

    /// Element `i` of a vector of tables.
    pub(crate) fn table(&self, i: usize, what: &'static str) -> Result<Table<'a>, Error> {
        if i >= self.len || self.elem_size != 4 {
            return Err(Error::Corrupt(self.what));
        }
        let p = self.start + i * 4;
        Table::at(self.buf, follow(self.buf, p, what)?, what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built buffer: root → table with an i32 field (id 0) = 7 and a vector of
    /// two i32 (id 1) = [3, -4].
    fn sample() -> [u8; 40] {
        let mut b = [0u8; 40];
        // root offset → table at 16
        b[0..4].copy_from_slice(&16u32.to_le_bytes());
        // vtable at 4: len 8, table len 12, field0 at +4, field1 at +8
        b[4..6].copy_from_slice(&8u16.to_le_bytes());
        b[6..8].copy_from_slice(&12u16.to_le_bytes());
        b[8..10].copy_from_slice(&4u16.to_le_bytes());
        b[10..12].copy_from_slice(&8u16.to_le_bytes());
        // table at 16: soffset = 16 - 4 = 12
        b[16..20].copy_from_slice(&12i32.to_le_bytes());
        b[20..24].copy_from_slice(&7i32.to_le_bytes());
        // offset at 24 → vector at 28
        b[24..28].copy_from_slice(&4u32.to_le_bytes());
        b[28..32].copy_from_slice(&2u32.to_le_bytes());
        b[32..36].copy_from_slice(&3i32.to_le_bytes());
        b[36..40].copy_from_slice(&(-4i32).to_le_bytes());
        b
    }

    #[test]
    fn reads_fields_and_vectors() {
        let b = sample();
        let t = Table::root(&b, "t").unwrap();
        assert_eq!(t.i32(0, 0).unwrap(), 7);
        assert_eq!(t.i32(5, 99).unwrap(), 99, "absent field gives default");
        let v = t.vector(1, 4, "v").unwrap().unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v.i32(1).unwrap(), -4);
        assert_eq!(v.i32(2), Err(Error::Corrupt("v")));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let b = sample();
        for n in 0..b.len() {
            let r = Table::root(&b[..n], "t").and_then(|t| {
                t.i32(0, 0)?;
                let v = t.vector(1, 4, "v")?.ok_or(Error::Corrupt("none"))?;
                v.i32(1)
            });
            assert!(r.is_err(), "truncated at {n} must fail");
        }
    }

    #[test]
    fn hostile_vector_length_is_rejected() {
        let mut b = sample();
        b[28..32].copy_from_slice(&u32::MAX.to_le_bytes());
        let t = Table::root(&b, "t").unwrap();
        assert_eq!(t.vector(1, 4, "v").unwrap_err(), Error::Corrupt("v"));
    }
}
