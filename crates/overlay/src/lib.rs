// SPDX-License-Identifier: Apache-2.0
//! `facegate-overlay`: embedded-graphics drawables for FaceGate's identity overlays (boxes,
//! landmarks, labels, HUD), drawn on any `DrawTarget<Color = Rgb565>`.
//!
//! Every drawable is placed from a [`Layout`] (the display area plus a [`Theme`] chosen from
//! its size), clips itself to the screen and returns the area it touched, which feeds
//! [`DirtyRegions`] on panels updated by region. The input types ([`Face`], [`HudStats`],
//! [`Mode`], [`Enrolment`]) are this crate's own; the kiosk maps pipeline results onto them,
//! with [`FrameMapping`] taking camera-frame coordinates to the display.
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
