// SPDX-License-Identifier: Apache-2.0
//! `facegate-kiosk`: the kiosk state machine (recognizing / enrolling), generic over the
//! ports a board or the host provides: camera frames, screen, gallery store and clock.
//!
//! [`Kiosk::process`] takes one camera frame through detection, tracking and — only for new
//! or changed faces — alignment, anti-spoof, embedding and matching, and returns a
//! [`FrameReport`]; [`render`] draws that report on any `DrawTarget<Color = Rgb565>`.
#![no_std]
#![deny(unsafe_code)]

pub mod antispoof;
pub mod config;
pub mod conformance;
pub mod detector;
pub mod error;
pub mod event;
pub mod kiosk;
pub mod ports;
pub mod recognizer;
pub mod render;
mod stage_model;

pub use config::KioskConfig;
pub use error::Error;
pub use event::Event;
pub use kiosk::{
    FaceState, FaceStatus, FrameReport, Kiosk, Mode, StageTimes, Stages, DEFAULT_GALLERY_CAPACITY,
};
pub use ports::{Clock, FrameSource};
pub use render::{render, RenderContext};
