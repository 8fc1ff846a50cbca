// SPDX-License-Identifier: Apache-2.0
//! Shared helpers of the kiosk's real-image tests: the repository's models and photos.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use facegate_kiosk::Clock;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn model(name: &str) -> Vec<u8> {
    let p = repo().join("models").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// A photo as packed RGB888.
pub struct Photo {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

pub fn photo(name: &str) -> Photo {
    let p = repo().join("tests/data/images").join(name);
    let img = image::open(&p)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", p.display()))
        .to_rgb8();
    Photo {
        width: img.width() as usize,
        height: img.height() as usize,
        rgb: img.into_raw(),
    }
}

/// A clock that advances 1 µs per reading (timings are not under test).
#[derive(Default)]
pub struct TickClock(std::cell::Cell<u64>);

impl Clock for TickClock {
    fn now_us(&self) -> u64 {
        let t = self.0.get() + 1;
        self.0.set(t);
        t
    }
}
