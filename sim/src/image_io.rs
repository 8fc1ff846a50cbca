// SPDX-License-Identifier: Apache-2.0
//! Image files on the PC: decode JPEG/PNG photos into packed RGB888 frames, and write the
//! simulated board screen (little-endian RGB565, as Zephyr's `PIXEL_FORMAT_RGB_565`) as PNG.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// A decoded photo: packed RGB888 rows, no padding.
#[derive(Debug, Clone)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Largest photo side accepted; bigger files are almost certainly not camera frames and would
/// only make the demo slow.
const MAX_SIDE: u32 = 8192;

/// Reads and decodes an image file (any format the `image` crate's JPEG/PNG decoders accept).
pub fn load_rgb(path: &Path) -> Result<RgbImage> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let decoded = image::load_from_memory(&bytes)
        .with_context(|| format!("cannot decode image {}", path.display()))?;
    if decoded.width() == 0 || decoded.height() == 0 {
        bail!("image {} is empty", path.display());
    }
    if decoded.width() > MAX_SIDE || decoded.height() > MAX_SIDE {
        bail!(
            "image {} is {}x{}; the largest side accepted is {MAX_SIDE}",
            path.display(),
            decoded.width(),
            decoded.height()
        );
    }
    let rgb = decoded.to_rgb8();
    Ok(RgbImage {
        width: rgb.width(),
        height: rgb.height(),
        pixels: rgb.into_raw(),
    })
}

/// Expands little-endian RGB565 pixels to RGB888 the way a panel shows them (bit replication)
/// and writes a PNG.
pub fn save_rgb565_png(path: &Path, width: u32, height: u32, rgb565_le: &[u8]) -> Result<()> {
    let expected = width as usize * height as usize * 2;
    if rgb565_le.len() != expected {
        bail!(
            "framebuffer holds {} bytes, {width}x{height} RGB565 needs {expected}",
            rgb565_le.len()
        );
    }
    let mut rgb = Vec::with_capacity(expected / 2 * 3);
    for px in rgb565_le.chunks_exact(2) {
        let [r, g, b] = rgb565_to_rgb888(u16::from_le_bytes([px[0], px[1]]));
        rgb.extend_from_slice(&[r, g, b]);
    }
    let img = image::RgbImage::from_raw(width, height, rgb)
        .context("framebuffer size does not match its dimensions")?;
    img.save_with_format(path, image::ImageFormat::Png)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// RGB565 → RGB888 with the top bits replicated into the low bits (0x1f → 0xff).
pub fn rgb565_to_rgb888(p: u16) -> [u8; 3] {
    let r5 = ((p >> 11) & 0x1f) as u8;
    let g6 = ((p >> 5) & 0x3f) as u8;
    let b5 = (p & 0x1f) as u8;
    [
        (r5 << 3) | (r5 >> 2),
        (g6 << 2) | (g6 >> 4),
        (b5 << 3) | (b5 >> 2),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb565_expansion_hits_both_ends() {
        assert_eq!(rgb565_to_rgb888(0xffff), [255, 255, 255]);
        assert_eq!(rgb565_to_rgb888(0x0000), [0, 0, 0]);
        assert_eq!(rgb565_to_rgb888(0xf800), [255, 0, 0]);
        assert_eq!(rgb565_to_rgb888(0x07e0), [0, 255, 0]);
        assert_eq!(rgb565_to_rgb888(0x001f), [0, 0, 255]);
    }

    #[test]
    fn png_round_trip_and_bad_sizes() {
        let dir = std::env::temp_dir().join(format!("facegate-imgio-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fb.png");
        // 2x1: red, blue.
        let fb = [0x00, 0xf8, 0x1f, 0x00];
        save_rgb565_png(&path, 2, 1, &fb).unwrap();
        let back = load_rgb(&path).unwrap();
        assert_eq!((back.width, back.height), (2, 1));
        assert_eq!(back.pixels, vec![255, 0, 0, 0, 0, 255]);
        assert!(save_rgb565_png(&path, 3, 1, &fb).is_err());

        let junk = dir.join("junk.jpg");
        std::fs::write(&junk, b"not an image").unwrap();
        let err = load_rgb(&junk).unwrap_err().to_string();
        assert!(err.contains("cannot decode image"), "{err}");
        let err = load_rgb(&dir.join("missing.png")).unwrap_err().to_string();
        assert!(err.contains("cannot read"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
