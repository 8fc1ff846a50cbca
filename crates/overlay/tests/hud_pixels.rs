// SPDX-License-Identifier: Apache-2.0
//! Pixel-level checks of the HUD, status line and enrolment panel: the right text at the
//! right place (compared glyph for glyph with text drawn independently), plates in the panel
//! colour, the progress bar filled in proportion, and nothing outside the screen.

use embedded_graphics::mock_display::MockDisplay;
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};
use facegate_overlay::{
    EnrolPanel, Enrolment, Framebuffer, Guidance, Hud, HudStats, Layout, Mode, Palette, StageTimes,
    StatusLine,
};

const P: Palette = Palette::DEFAULT;

fn stats() -> HudStats {
    HudStats {
        frame_period_us: 80_000,
        stages: StageTimes {
            detect_us: 3_240,
            align_us: 400,
            spoof_us: 1_100,
            embed_us: 27_400,
            match_us: 60,
            draw_us: 2_000,
        },
    }
}

/// The points of `area` whose colour is `c`.
fn count<const W: usize, const H: usize>(
    fb: &Framebuffer<W, H>,
    area: Rectangle,
    c: Rgb565,
) -> usize {
    area.points().filter(|p| fb.pixel(*p) == Some(c)).count()
}

/// Bounding box of the pixels of colour `c`.
fn extent<const W: usize, const H: usize>(fb: &Framebuffer<W, H>, c: Rgb565) -> Option<Rectangle> {
    let mut pts = fb
        .bounding_box()
        .points()
        .filter(|p| fb.pixel(*p) == Some(c));
    let first = pts.next()?;
    let (mut lo, mut hi) = (first, first);
    for p in pts {
        lo = lo.component_min(p);
        hi = hi.component_max(p);
    }
    Some(Rectangle::with_corners(lo, hi))
}

/// Draws `lines` with the layout's font from `at`, the way a plate would, on a black screen.
fn reference_text(
    layout: &Layout,
    lines: &[&str],
    at: Point,
    ink: Rgb565,
) -> Box<Framebuffer<240, 240>> {
    let mut fb = Box::new(Framebuffer::<240, 240>::new());
    let style = MonoTextStyle::new(layout.theme.font, ink);
    let mut p = at;
    for l in lines {
        Text::with_baseline(l, p, style, Baseline::Top)
            .draw(fb.as_mut())
            .unwrap();
        p.y += layout.theme.line_height() as i32;
    }
    fb
}

#[test]
fn hud_shows_fps_and_stage_times_top_left() {
    let layout = Layout::for_size(Size::new(240, 240));
    let mut fb = Box::new(Framebuffer::<240, 240>::new());
    let hud = Hud::new(stats(), &layout);
    let drawn = hud.draw(fb.as_mut()).unwrap();
    // Two lines of 6x10 text with 2 px padding, 2 px from the corner.
    let widest = "12.5 fps  det 3.2  aln 0.4  spf 1.1".len() as u32;
    assert_eq!(
        drawn,
        Rectangle::new(Point::new(2, 2), Size::new(widest * 6 + 4, 24))
    );
    // The plate is the panel colour wherever there is no text.
    assert_eq!(fb.pixel(Point::new(2, 2)), Some(P.panel));
    assert_eq!(
        fb.pixel(Point::new(2 + widest as i32 * 6 + 3, 25)),
        Some(P.panel)
    );
    assert_eq!(
        fb.pixel(Point::new(2 + widest as i32 * 6 + 4, 2)),
        Some(Rgb565::BLACK)
    );
    // Glyph for glyph, the text is what the same font draws at the padded origin.
    let want = reference_text(
        &layout,
        &[
            "12.5 fps  det 3.2  aln 0.4  spf 1.1",
            "emb 27  mat 0.1  drw 2.0",
        ],
        Point::new(4, 4),
        P.ink_light,
    );
    for p in drawn.points() {
        let is_ink = fb.pixel(p) == Some(P.ink_light);
        let want_ink = want.pixel(p) == Some(P.ink_light);
        assert_eq!(is_ink, want_ink, "HUD text pixel {p:?}");
    }
    assert!(count(&fb, drawn, P.ink_light) > 200);
}

#[test]
fn hud_wraps_to_one_line_on_800x480() {
    let layout = Layout::for_size(Size::new(800, 480));
    let lines = Hud::new(stats(), &layout).lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        lines[0],
        "12.5 fps  det 3.2  aln 0.4  spf 1.1  emb 27  mat 0.1  drw 2.0"
    );
    // 10x20 font, 4 px padding, 8 px margin.
    let area = Hud::new(stats(), &layout).area();
    assert_eq!(
        area,
        Rectangle::new(Point::new(8, 8), Size::new(61 * 10 + 8, 28))
    );
}

#[test]
fn hud_never_leaves_a_tiny_screen() {
    let layout = Layout::for_size(Size::new(64, 64));
    let mut d = MockDisplay::<Rgb565>::new();
    d.set_allow_overdraw(true);
    d.set_allow_out_of_bounds_drawing(false);
    let lines = Hud::new(stats(), &layout).lines();
    // 64 px leave 9 characters per line: every line fits, the overflow is dropped.
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l.len() <= 9));
    assert_eq!(lines[0], "12.5 fps");
    let drawn = Hud::new(stats(), &layout).draw(&mut d).unwrap();
    assert_eq!(d.affected_area(), drawn);
}

#[test]
fn status_line_along_the_bottom() {
    let layout = Layout::for_size(Size::new(240, 240));
    let mut fb = Box::new(Framebuffer::<240, 240>::new());
    let e = Enrolment {
        name: "Obama",
        captured: 2,
        needed: 5,
        guidance: Guidance::HoldStill,
    };
    let drawn = StatusLine::new(Mode::Enrolling(e), &layout)
        .draw(fb.as_mut())
        .unwrap();
    assert_eq!(
        drawn,
        Rectangle::new(Point::new(0, 226), Size::new(240, 14))
    );
    assert_eq!(fb.pixel(Point::new(239, 239)), Some(P.panel));
    assert_eq!(fb.pixel(Point::new(0, 225)), Some(Rgb565::BLACK));
    let text = "Enrolling Obama 2/5: Hold still";
    let ink = extent(&fb, P.ink_light).unwrap();
    // Text starts at the padding and spans the string's width (glyph edges may be blank).
    assert!(ink.top_left.x >= 2 && ink.top_left.x <= 3, "{ink:?}");
    let right = ink.top_left.x + ink.size.width as i32;
    assert!((2 + text.len() as i32 * 6 - 6..=2 + text.len() as i32 * 6).contains(&right));
    assert!(ink.top_left.y >= 228 && ink.top_left.y + ink.size.height as i32 <= 238);
    let want = reference_text(&layout, &[text], Point::new(2, 228), P.ink_light);
    for p in drawn.points() {
        assert_eq!(
            fb.pixel(p) == Some(P.ink_light),
            want.pixel(p) == Some(P.ink_light),
            "status pixel {p:?}"
        );
    }
}

#[test]
fn enrolment_panel_fills_the_bar_in_proportion() {
    let layout = Layout::for_size(Size::new(240, 240));
    for captured in 0..=5u8 {
        let mut fb = Box::new(Framebuffer::<240, 240>::new());
        let e = Enrolment {
            name: "Obama",
            captured,
            needed: 5,
            guidance: Guidance::ComeCloser,
        };
        let panel = EnrolPanel::new(e, &layout);
        let parts = panel.parts();
        let drawn = panel.draw(fb.as_mut()).unwrap();
        assert_eq!(drawn, layout.enrol_panel());
        // Track: panel width minus padding, below the title line.
        assert_eq!(parts.track.size.width, 236 - 4);
        assert_eq!(parts.track.size.height, 6);
        let filled = count(&fb, parts.track, P.recognized);
        let track = count(&fb, parts.track, P.bar_track);
        let want = (232 * u32::from(captured) / 5) as usize * 6;
        assert_eq!(filled, want, "captured {captured}");
        assert_eq!(filled + track, 232 * 6);
        // The guidance is drawn in amber (a correction) under the bar.
        let amber = count(&fb, parts.guidance, P.unknown);
        assert!(amber > 30, "guidance pixels: {amber}");
        let title = count(&fb, drawn, P.ink_light);
        assert!(title > 50, "title pixels: {title}");
    }
}

#[test]
fn panel_status_and_hud_do_not_overlap() {
    for size in [
        Size::new(240, 240),
        Size::new(320, 240),
        Size::new(800, 480),
    ] {
        let layout = Layout::for_size(size);
        let hud = Hud::new(stats(), &layout).area();
        let strip = layout.status_strip();
        let panel = layout.enrol_panel();
        for (a, b) in [(hud, strip), (hud, panel), (panel, strip)] {
            let i = a.intersection(&b);
            assert!(
                i.size.width == 0 || i.size.height == 0,
                "{size:?}: {a:?} meets {b:?}"
            );
        }
    }
}
