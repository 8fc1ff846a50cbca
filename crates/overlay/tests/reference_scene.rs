// SPDX-License-Identifier: Apache-2.0
//! Reference-image test: a fixed kiosk scene (preview, four faces in every state, HUD,
//! enrolment panel, status line) rendered into a 240x240 RGB565 framebuffer must match the
//! committed raw little-endian RGB565 file byte for byte.
//!
//! Regenerate the reference after an intended change with
//! `FACEGATE_BLESS=1 cargo test -p facegate-overlay --test reference_scene`; a PPM copy for
//! viewing is written next to the test binary's temporary files on every run.

use std::path::PathBuf;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use facegate_overlay::{
    BoxStyle, DirtyRegions, EnrolPanel, Enrolment, Face, FaceOverlay, FaceState, Framebuffer,
    Guidance, Hud, HudStats, Layout, Liveness, Mode, Rgb565Le, StageTimes, StatusLine,
};

const W: usize = 240;
const H: usize = 240;

fn reference_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference_scene_240x240.rgb565")
}

/// A deterministic stand-in for a camera preview: a dim diagonal gradient in LE RGB565.
fn preview() -> Vec<u8> {
    let mut out = Vec::with_capacity(W * H * 2);
    for y in 0..H {
        for x in 0..W {
            let r = (x * 12 / W) as u16;
            let g = ((x + y) * 24 / (W + H)) as u16;
            let b = (y * 12 / H) as u16 + 4;
            out.extend_from_slice(&((r << 11) | (g << 5) | b).to_le_bytes());
        }
    }
    out
}

fn r(x: i32, y: i32, w: u32, h: u32) -> Rectangle {
    Rectangle::new(Point::new(x, y), Size::new(w, h))
}

/// Renders the scene; returns the framebuffer and the areas drawn.
fn render() -> (Box<Framebuffer<W, H, Rgb565Le>>, Vec<Rectangle>) {
    let layout = Layout::for_size(Size::new(W as u32, H as u32));
    let mut fb = Box::new(Framebuffer::<W, H>::new());
    fb.blit_preview::<Rgb565Le>(&preview()).unwrap();
    let faces = [
        (
            Face::new(r(60, 70, 80, 96), FaceState::Recognized)
                .with_landmarks([
                    Point::new(82, 105),
                    Point::new(118, 105),
                    Point::new(100, 125),
                    Point::new(86, 145),
                    Point::new(114, 145),
                ])
                .with_identity("Obama", 0.83)
                .with_liveness(Liveness::Live),
            BoxStyle::Rectangle,
        ),
        (
            Face::new(r(150, 0, 60, 70), FaceState::Spoof)
                .with_similarity(0.41)
                .with_liveness(Liveness::Spoof),
            BoxStyle::Corners,
        ),
        (
            Face::new(r(200, 100, 70, 70), FaceState::Unknown)
                .with_similarity(0.27)
                .with_liveness(Liveness::Live),
            BoxStyle::Rectangle,
        ),
        (
            Face::new(r(10, 60, 36, 40), FaceState::Checking),
            BoxStyle::Corners,
        ),
    ];
    let stats = HudStats {
        frame_period_us: 66_667,
        stages: StageTimes {
            detect_us: 21_300,
            align_us: 900,
            spoof_us: 4_200,
            embed_us: 18_700,
            match_us: 150,
            draw_us: 3_100,
        },
    };
    // The HUD first: faces are drawn over it where they meet.
    let mut drawn = vec![Hud::new(stats, &layout).draw(fb.as_mut()).unwrap()];
    for (face, style) in faces {
        drawn.push(
            FaceOverlay::new(face, &layout)
                .with_style(style)
                .draw(fb.as_mut())
                .unwrap(),
        );
    }
    let e = Enrolment {
        name: "Biden",
        captured: 3,
        needed: 5,
        guidance: Guidance::FaceTheCamera,
    };
    drawn.push(EnrolPanel::new(e, &layout).draw(fb.as_mut()).unwrap());
    drawn.push(
        StatusLine::new(Mode::Enrolling(e), &layout)
            .draw(fb.as_mut())
            .unwrap(),
    );
    (fb, drawn)
}

fn write_ppm(fb: &Framebuffer<W, H>, path: &std::path::Path) {
    let mut out = format!("P6 {W} {H} 255\n").into_bytes();
    for y in 0..H as i32 {
        for x in 0..W as i32 {
            use embedded_graphics::pixelcolor::RgbColor;
            let c = fb.pixel(Point::new(x, y)).unwrap();
            out.extend_from_slice(&[c.r() << 3, c.g() << 2, c.b() << 3]);
        }
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn scene_matches_reference() {
    let (fb, _) = render();
    let got = fb.as_bytes();
    assert_eq!(got.len(), W * H * 2);
    let ppm = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reference_scene_240x240.ppm");
    write_ppm(&fb, &ppm);
    let path = reference_path();
    if std::env::var_os("FACEGATE_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        eprintln!("blessed {}", path.display());
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with FACEGATE_BLESS=1 to create it)",
            path.display()
        )
    });
    assert_eq!(want.len(), got.len(), "reference has the wrong size");
    let diffs: Vec<usize> = (0..W * H)
        .filter(|i| got[2 * i..2 * i + 2] != want[2 * i..2 * i + 2])
        .collect();
    if let Some(&i) = diffs.first() {
        let px = |b: &[u8]| u16::from_le_bytes([b[2 * i], b[2 * i + 1]]);
        panic!(
            "{} pixels differ; first at (x {}, y {}): got {:#06x}, want {:#06x}; rendered \
             scene: {} (FACEGATE_BLESS=1 regenerates the reference)",
            diffs.len(),
            i % W,
            i / W,
            px(got),
            px(&want),
            ppm.display()
        );
    }
}

#[test]
fn scene_is_deterministic_and_dirty_regions_cover_it() {
    let (a, drawn) = render();
    let (b, _) = render();
    assert_eq!(a.as_bytes(), b.as_bytes());
    // Everything that differs from the bare preview lies in the reported drawn areas, and
    // the dirty regions built from them (at most 8) cover all of it.
    let mut bare = Box::new(Framebuffer::<W, H>::new());
    bare.blit_preview::<Rgb565Le>(&preview()).unwrap();
    let screen = a.bounding_box();
    let dirty = DirtyRegions::<8>::from_frames(screen, &[], &drawn);
    assert!(dirty.regions().len() <= 8);
    let mut changed = 0;
    for p in screen.points() {
        if a.pixel(p) != bare.pixel(p) {
            changed += 1;
            assert!(
                drawn.iter().any(|d| d.contains(p)),
                "{p:?} drawn but not reported"
            );
            assert!(
                dirty.regions().iter().any(|d| d.contains(p)),
                "{p:?} not dirty"
            );
        }
    }
    assert!(changed > 5_000, "{changed} pixels changed");
    assert!(
        dirty.pixel_count() < (W * H) as u64,
        "the scene must not dirty the whole screen"
    );
}
