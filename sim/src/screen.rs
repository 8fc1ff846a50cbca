// SPDX-License-Identifier: Apache-2.0
//! The simulated board screen: the same RGB565 framebuffer type and overlay code the board
//! uses, at the board's resolution (800×480 LTDC panel of the STM32N6570-DK, or a 240×240
//! ST7789 SPI panel), with the camera preview letterboxed under the overlays.

use anyhow::{Context, Result};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use facegate_kiosk::{render, FrameReport, RenderContext};
use facegate_overlay::{FrameMapping, Framebuffer, Layout, PixelOrder, Rgb565Be, Rgb565Le};

use crate::image_io::RgbImage;

/// Which board screen to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DisplayKind {
    /// STM32N6570-DK LTDC panel, 800×480, little-endian RGB565.
    N6,
    /// ST7789 SPI panel, 240×240, big-endian RGB565 (RGB_565X) on the wire.
    St7789,
}

/// A rendered screen: little-endian RGB565 pixels (for PNG output) and its size.
#[derive(Debug)]
pub struct Screenshot {
    pub width: u32,
    pub height: u32,
    pub rgb565_le: Vec<u8>,
}

/// Draws `image` as the preview and `report`'s overlays on a fresh screen of `kind`.
pub fn draw(
    kind: DisplayKind,
    image: &RgbImage,
    report: &FrameReport,
    timing: (u32, u32),
) -> Result<Screenshot> {
    match kind {
        DisplayKind::N6 => draw_on(
            Box::new(Framebuffer::<800, 480, Rgb565Le>::new()),
            image,
            report,
            timing,
        ),
        DisplayKind::St7789 => draw_on(
            Box::new(Framebuffer::<240, 240, Rgb565Be>::new()),
            image,
            report,
            timing,
        ),
    }
}

fn draw_on<const W: usize, const H: usize, O: PixelOrder>(
    mut fb: Box<Framebuffer<W, H, O>>,
    image: &RgbImage,
    report: &FrameReport,
    (frame_period_us, draw_us): (u32, u32),
) -> Result<Screenshot> {
    let layout = Layout::for_size(fb.size());
    let frame_size = Size::new(image.width, image.height);
    let mapping = FrameMapping::letterbox(frame_size, &layout.area)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("cannot place the preview on the screen")?;
    let area = mapping.map_rect(&Rectangle::new(Point::zero(), frame_size));
    blit_preview(&mut fb, image, &area)?;
    let ctx = RenderContext {
        mapping,
        frame_period_us,
        draw_us,
    };
    let Ok(_) = render(report, &ctx, &layout, fb.as_mut());
    let full = Rectangle::new(Point::zero(), fb.size());
    let mut out = vec![0u8; W * H * 2];
    fb.copy_region::<Rgb565Le>(&full, &mut out)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Screenshot {
        width: W as u32,
        height: H as u32,
        rgb565_le: out,
    })
}

/// Resizes the photo into `area` (what a camera pipe's downscaler does on the board) and
/// copies it into the framebuffer.
fn blit_preview<const W: usize, const H: usize, O: PixelOrder>(
    fb: &mut Framebuffer<W, H, O>,
    image: &RgbImage,
    area: &Rectangle,
) -> Result<()> {
    let (w, h) = (area.size.width, area.size.height);
    if w == 0 || h == 0 {
        return Ok(());
    }
    let src = image::RgbImage::from_raw(image.width, image.height, image.pixels.clone())
        .context("image buffer does not match its size")?;
    let scaled = image::imageops::resize(&src, w, h, image::imageops::FilterType::Triangle);
    let mut rgb565 = Vec::with_capacity((w * h * 2) as usize);
    for p in scaled.pixels() {
        let [r, g, b] = p.0;
        let v = (u16::from(r >> 3) << 11) | (u16::from(g >> 2) << 5) | u16::from(b >> 3);
        rgb565.extend_from_slice(&v.to_le_bytes());
    }
    fb.blit::<Rgb565Le>(&rgb565, area.size, (w * 2) as usize, area.top_left)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("cannot draw the preview")
}
