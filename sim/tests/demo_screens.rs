// SPDX-License-Identifier: Apache-2.0
//! The screenshots in docs/images/ are what `facegate demo --reproducible` draws today: the
//! same pixels, on both simulated screens. Regenerate them with
//! `facegate demo --reproducible [--display st7789] --out DIR` and copy the files over.

mod common;

use common::*;

fn pixels(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    (img.width(), img.height(), img.into_raw())
}

fn check(display: &str, shots: &[(&str, &str)]) {
    let dir = temp_dir(&format!("screens-{display}"));
    facegate()
        .args(["demo", "--reproducible", "--display", display])
        .args(["--out", dir.to_str().unwrap()])
        .assert()
        .success();
    for (produced, documented) in shots {
        let got = pixels(&dir.join(produced));
        let want = pixels(&repo().join("docs/images").join(documented));
        assert_eq!((got.0, got.1), (want.0, want.1), "{documented}: size");
        let differing = got.2.iter().zip(&want.2).filter(|(a, b)| a != b).count();
        assert_eq!(
            differing, 0,
            "{documented}: {differing} bytes differ from {produced}"
        );
    }
}

#[test]
fn docs_screenshots_match_the_n6_demo() {
    check(
        "n6",
        &[
            ("obama2.png", "demo-n6-obama2.png"),
            ("t1.png", "demo-n6-t1.png"),
        ],
    );
}

#[test]
fn docs_screenshot_matches_the_st7789_demo() {
    check("st7789", &[("obama2.png", "demo-st7789-obama2.png")]);
}
