// SPDX-License-Identifier: Apache-2.0
//! `facegate-overlay`: embedded-graphics drawables for FaceGate's identity overlays (boxes,
//! landmarks, labels, HUD), drawn on any `DrawTarget<Color = Rgb565>`.
#![no_std]
#![deny(unsafe_code)]
