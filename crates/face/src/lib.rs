// SPDX-License-Identifier: Apache-2.0
//! `facegate-face`: the no_std face pipeline — detection decoding, alignment, anti-spoof,
//! recognition, gallery, enrolment and tracking.
#![no_std]
#![deny(unsafe_code)]

pub mod error;

pub use error::Error;
