// SPDX-License-Identifier: Apache-2.0
//! `facegate-overlay`: embedded-graphics drawables for FaceGate's identity overlays (boxes,
//! landmarks, labels, HUD), drawn on any `DrawTarget<Color = Rgb565>`.
//!
//! Every drawable is placed from a [`Layout`] (the display area plus a [`Theme`] chosen from
//! its size), clips itself to the screen and returns the area it touched, which feeds
//! [`DirtyRegions`] on panels updated by region. The input types ([`Face`], [`HudStats`],
//! [`Mode`], [`Enrolment`]) are this crate's own; the kiosk maps pipeline results onto them,
//! with [`FrameMapping`] taking camera-frame coordinates to the display.
//!
//! ```
//! use embedded_graphics::prelude::*;
//! use embedded_graphics::primitives::Rectangle;
//! use facegate_overlay::*;
//!
//! # fn main() -> Result<(), Error> {
//! // A 240x240 RGB_565X (big-endian) framebuffer for an ST7789 over SPI.
//! let mut fb = Framebuffer::<240, 240, Rgb565Be>::new();
//! let layout = Layout::for_size(fb.size()); // small theme: 6x10 font, 1 px lines
//!
//! // The camera delivers 320x240 little-endian RGB565; the preview is letterboxed.
//! let map = FrameMapping::letterbox(Size::new(320, 240), &layout.area)?;
//! let camera_box = Rectangle::new(Point::new(100, 40), Size::new(80, 120));
//! let face = Face::new(map.map_rect(&camera_box), FaceState::Recognized)
//!     .with_identity("Obama", 0.83)
//!     .with_liveness(Liveness::Live);
//!
//! // Drawing on a Framebuffer cannot fail (its error type is Infallible).
//! let drawn = [
//!     FaceOverlay::new(face, &layout).draw(&mut fb).unwrap(),
//!     Hud::new(HudStats { frame_period_us: 80_000, ..Default::default() }, &layout)
//!         .draw(&mut fb)
//!         .unwrap(),
//!     StatusLine::new(Mode::Recognizing, &layout).draw(&mut fb).unwrap(),
//! ];
//!
//! // Resend only what changed since the last frame, through a 16-row line buffer.
//! let last_frame: [Rectangle; 0] = [];
//! let dirty = DirtyRegions::<4>::from_frames(layout.area, &last_frame, &drawn);
//! let mut line = [0u8; 240 * 2 * 16];
//! for region in dirty.regions() {
//!     let mut row = 0;
//!     while row < region.size.height as usize {
//!         let n = fb.copy_region_rows::<Rgb565Be>(region, row, &mut line)?;
//!         // display_write(dev, x, y + row, n rows of region.size.width, &line) on the board
//!         row += n;
//!     }
//! }
//! # Ok(())
//! # }
//! ```
#![no_std]
#![deny(unsafe_code)]

pub mod dirty_regions;
pub mod enrol_panel;
pub mod enrolment;
pub mod error;
pub mod face;
pub mod face_overlay;
pub mod frame_mapping;
pub mod framebuffer;
pub mod guidance;
pub mod hud;
pub mod layout;
pub mod palette;
pub mod plate;
pub mod rect;
pub mod status_line;
pub mod text_format;
pub mod theme;

pub use dirty_regions::DirtyRegions;
pub use enrol_panel::EnrolPanel;
pub use enrolment::Enrolment;
pub use error::Error;
pub use face::{BoxStyle, Face, FaceState, Liveness};
pub use face_overlay::FaceOverlay;
pub use frame_mapping::FrameMapping;
pub use framebuffer::{Framebuffer, PixelOrder, Rgb565Be, Rgb565Le};
pub use guidance::Guidance;
pub use hud::{Hud, HudStats, StageTimes};
pub use layout::Layout;
pub use palette::Palette;
pub use status_line::{Mode, StatusLine};
pub use theme::{DisplayClass, Theme};
