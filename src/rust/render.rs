// SPDX-License-Identifier: Apache-2.0
//! Render thread: shows preview frames centred on the display with the kiosk's overlays.
//!
//! With a framebuffer (`CONFIG_FACEGATE_FRAMEBUFFER_BYTES`, in PSRAM on the N6) each frame is
//! copied into a canvas, `facegate_kiosk::render` draws boxes, names, HUD and enrolment panel
//! on it, and the canvas goes to the display in one write. Without one, frames go straight
//! to the display and plain coloured boxes are drawn over them.

use core::sync::atomic::Ordering::Relaxed;

use embedded_graphics::prelude::{Dimensions, OriginDimensions, Point, Size};
use embedded_graphics::primitives::Rectangle;
use facegate_kiosk::render::{render as draw_report, RenderContext};
use facegate_overlay::{FrameMapping, Layout};
use facegate_zephyr_abi::{Canvas, Display, DisplayFormat, Frame};
use zephyr::sync::channel::Receiver;

use crate::assets;
use crate::pipeline::{FaceBox, Label, Results};
use crate::stats;

/// What the render thread receives.
pub enum RenderMsg {
    /// A preview frame (boxes from the last results).
    Preview(Frame),
    /// New results from the detector stream.
    Results(Results),
    /// A preview frame the detector ran on, with its results.
    Annotated(Frame, Results),
}

const STACK: usize = zephyr::kconfig::CONFIG_FACEGATE_RENDER_STACK_SIZE as usize;

/// Widest row the byte-swapping path handles (N6-DK LTDC: 800).
const MAX_ROW_PX: usize = 800;

/// Box colours, RGB565.
const GREEN: u16 = 0x07e0;
const AMBER: u16 = 0xfd20;
const RED: u16 = 0xf800;
/// Box line width in pixels.
const LINE: u16 = 2;

#[zephyr::thread(stack_size = STACK)]
pub fn render(mut display: Display, msgs: Receiver<RenderMsg>) {
    let mut last = Results::default();
    let mut row = [0u8; MAX_ROW_PX * 2];
    let mut memory = assets::FRAMEBUFFER.take().filter(|m| !m.is_empty());
    let mut canvas: Option<Canvas<'static>> = None;
    let mut timing = Timing::default();
    // Never returns: its receiver must not be dropped (threads.rs).
    loop {
        let Ok(msg) = msgs.recv() else {
            continue;
        };
        let frame = match msg {
            RenderMsg::Results(r) => {
                last = r;
                continue;
            }
            RenderMsg::Preview(f) => f,
            RenderMsg::Annotated(f, r) => {
                last = r;
                f
            }
        };
        if canvas.is_none() {
            if let Some(mem) = memory.take() {
                canvas = open_canvas(&display, &frame, mem);
            }
        }
        let shown = match canvas.as_mut() {
            Some(c) => compose(&mut display, c, frame, &last, &mut timing),
            None => show(&mut display, &frame, &last, &mut row),
        };
        match shown {
            Ok(()) => {
                stats::RENDERED.fetch_add(1, Relaxed);
            }
            Err(e) => {
                stats::ERRORS.fetch_add(1, Relaxed);
                log::warn!("render: {e}");
            }
        }
    }
}

/// Frame-to-frame and drawing times for the HUD.
#[derive(Default)]
struct Timing {
    last_frame_ms: Option<i64>,
    period_us: u32,
    draw_us: u32,
}

/// A canvas of the preview's size (clipped to the screen) over the framebuffer memory.
fn open_canvas(d: &Display, f: &Frame, mem: &'static mut [u8]) -> Option<Canvas<'static>> {
    let caps = d.caps();
    let format = caps.current?;
    let w = f.width().min(u32::from(caps.width)) as u16;
    let h = f.height().min(u32::from(caps.height)) as u16;
    match Canvas::new(mem, w, h, format) {
        Ok(c) => Some(c),
        Err(e) => {
            log::warn!("render: no canvas ({e}), drawing straight to the display");
            None
        }
    }
}

/// Frame into the canvas, overlays on it, canvas to the display (centred).
fn compose(
    d: &mut Display,
    c: &mut Canvas<'static>,
    f: Frame,
    r: &Results,
    t: &mut Timing,
) -> facegate_zephyr_abi::Result<()> {
    let t0 = zephyr::sys::uptime_get();
    if let Some(prev) = t.last_frame_ms.replace(t0) {
        t.period_us = ((t0 - prev).max(0) as u32).saturating_mul(1000);
    }
    c.blit_frame(&f, 0, 0)?;
    // The camera buffer is no longer needed: give it back before drawing.
    drop(f);
    if let Some(report) = &r.report {
        // The report's coordinates are those of the frame the detector saw: the preview
        // itself, or the detector stream (same field of view, smaller) on the N6.
        let seen = Size::new(r.frame_width, r.frame_height);
        let area = Rectangle::new(Point::zero(), c.size());
        if let Ok(mapping) = FrameMapping::stretch(seen, &area) {
            let ctx = RenderContext {
                mapping,
                frame_period_us: t.period_us,
                draw_us: t.draw_us,
            };
            // Drawing on the canvas cannot fail (its error type is Infallible).
            let _ = draw_report(report, &ctx, &Layout::for_size(c.size()), c);
        }
    }
    let caps = d.caps();
    let x0 = (caps.width - c.size().width as u16) / 2;
    let y0 = (caps.height - c.size().height as u16) / 2;
    let result = c.flush(d, x0, y0, &c.bounding_box());
    t.draw_us = ((zephyr::sys::uptime_get() - t0).max(0) as u32).saturating_mul(1000);
    result
}

fn show(
    d: &mut Display,
    f: &Frame,
    r: &Results,
    row: &mut [u8; MAX_ROW_PX * 2],
) -> facegate_zephyr_abi::Result<()> {
    let caps = d.caps();
    let w = f.width().min(u32::from(caps.width)) as u16;
    let h = f.height().min(u32::from(caps.height)) as u16;
    let x0 = (caps.width - w) / 2;
    let y0 = (caps.height - h) / 2;
    if caps.current == Some(DisplayFormat::Rgb565) && w as u32 == f.width() {
        d.write_frame(x0, y0, f)?;
    } else {
        // Byte-swapped panels (or a frame wider than the screen): row by row.
        let swap = caps.current == Some(DisplayFormat::Rgb565X);
        let n = usize::from(w.min(MAX_ROW_PX as u16)) * 2;
        for y in 0..h {
            let src = f
                .row(u32::from(y))
                .ok_or(facegate_zephyr_abi::AbiError::BadGeometry)?;
            let out = &mut row[..n];
            out.copy_from_slice(&src[..n]);
            if swap {
                out.chunks_exact_mut(2).for_each(|p| p.swap(0, 1));
            }
            d.write(x0, y0 + y, n as u16 / 2, 1, n as u16 / 2, out)?;
        }
    }
    for face in &r.faces {
        draw_box(d, face, r, f, x0, y0, row)?;
    }
    Ok(())
}

/// Draws the outline of `face` (frame coordinates of `r`) scaled onto the preview `f` shown at
/// (`x0`, `y0`).
fn draw_box(
    d: &mut Display,
    face: &FaceBox,
    r: &Results,
    f: &Frame,
    x0: u16,
    y0: u16,
    row: &mut [u8; MAX_ROW_PX * 2],
) -> facegate_zephyr_abi::Result<()> {
    if r.frame_width == 0 || r.frame_height == 0 {
        return Ok(());
    }
    let caps = d.caps();
    let sx = |v: i32| (i64::from(v) * i64::from(f.width()) / i64::from(r.frame_width)) as i32;
    let sy = |v: i32| (i64::from(v) * i64::from(f.height()) / i64::from(r.frame_height)) as i32;
    let clamp_x = |v: i32| v.clamp(0, i32::from(caps.width) - 1) as u16;
    let clamp_y = |v: i32| v.clamp(0, i32::from(caps.height) - 1) as u16;
    let (l, t) = (
        clamp_x(i32::from(x0) + sx(face.x)),
        clamp_y(i32::from(y0) + sy(face.y)),
    );
    let (rr, b) = (
        clamp_x(i32::from(x0) + sx(face.x + face.w)),
        clamp_y(i32::from(y0) + sy(face.y + face.h)),
    );
    if rr <= l + LINE || b <= t + LINE {
        return Ok(());
    }
    let colour = match face.label {
        Label::Known { .. } => GREEN,
        Label::Unknown | Label::Checking => AMBER,
        Label::Spoof => RED,
    };
    let bytes = match caps.current {
        Some(DisplayFormat::Rgb565X) => colour.to_be_bytes(),
        _ => colour.to_le_bytes(),
    };
    let span = usize::from(rr - l).min(MAX_ROW_PX);
    for p in row[..span * 2].chunks_exact_mut(2) {
        p.copy_from_slice(&bytes);
    }
    let fill = &row[..span * 2];
    let px = usize::from(LINE) * 2;
    for k in 0..LINE {
        d.write(l, t + k, span as u16, 1, span as u16, fill)?;
        d.write(l, b - 1 - k, span as u16, 1, span as u16, fill)?;
    }
    for y in t..b {
        d.write(l, y, LINE, 1, LINE, &fill[..px])?;
        d.write(rr - LINE, y, LINE, 1, LINE, &fill[..px])?;
    }
    Ok(())
}
