// SPDX-License-Identifier: Apache-2.0
//! Pixel-level checks of the face overlay on embedded-graphics' 64x64 `MockDisplay` and on
//! the crate's `Framebuffer`: box edges and colours per state, landmark dots, clipping at the
//! screen edges and the label flipping inside the box at the top edge.

use embedded_graphics::mock_display::MockDisplay;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use facegate_overlay::plate::Placement;
use facegate_overlay::{
    BoxStyle, Face, FaceOverlay, FaceState, Framebuffer, Layout, Liveness, Palette,
};

fn r(x: i32, y: i32, w: u32, h: u32) -> Rectangle {
    Rectangle::new(Point::new(x, y), Size::new(w, h))
}

fn mock() -> MockDisplay<Rgb565> {
    let mut d = MockDisplay::new();
    // Plates are filled, then their text drawn over the fill.
    d.set_allow_overdraw(true);
    d.set_allow_out_of_bounds_drawing(false);
    d
}

fn px(d: &MockDisplay<Rgb565>, x: i32, y: i32) -> Option<Rgb565> {
    d.get_pixel(Point::new(x, y))
}

const STATES: [(FaceState, Rgb565); 4] = [
    (FaceState::Recognized, Palette::DEFAULT.recognized),
    (FaceState::Unknown, Palette::DEFAULT.unknown),
    (FaceState::Spoof, Palette::DEFAULT.spoof),
    (FaceState::Checking, Palette::DEFAULT.checking),
];

#[test]
fn box_edges_at_the_right_place_in_the_state_colour() {
    let layout = Layout::for_size(Size::new(64, 64));
    for (state, color) in STATES {
        let mut d = mock();
        let face = Face::new(r(10, 20, 40, 30), state);
        let drawn = FaceOverlay::new(face, &layout).draw(&mut d).unwrap();
        // The four corners and a point on each edge (1 px stroke on the small theme).
        for (x, y) in [
            (10, 20),
            (49, 20),
            (10, 49),
            (49, 49),
            (30, 20),
            (30, 49),
            (10, 35),
            (49, 35),
        ] {
            assert_eq!(px(&d, x, y), Some(color), "{state:?} edge pixel ({x},{y})");
        }
        // Just inside and just outside the outline stay untouched.
        for (x, y) in [(11, 21), (48, 48), (30, 35), (9, 35), (50, 35)] {
            assert_eq!(px(&d, x, y), None, "{state:?} pixel ({x},{y})");
        }
        // The drawn area is what the overlay reports, and what it said it would touch.
        assert_eq!(d.affected_area(), drawn);
        assert_eq!(FaceOverlay::new(face, &layout).area(), drawn);
    }
}

#[test]
fn corner_brackets_leave_the_edge_middles_open() {
    let layout = Layout::for_size(Size::new(64, 64));
    let mut d = mock();
    let face = Face::new(r(10, 20, 40, 30), FaceState::Recognized);
    FaceOverlay::new(face, &layout)
        .with_style(BoxStyle::Corners)
        .draw(&mut d)
        .unwrap();
    let g = Some(Palette::DEFAULT.recognized);
    // Bracket length is a quarter of the shorter side: 30 / 4 = 7 px.
    assert_eq!(px(&d, 10, 20), g);
    assert_eq!(px(&d, 16, 20), g);
    assert_eq!(px(&d, 17, 20), None);
    assert_eq!(px(&d, 10, 26), g);
    assert_eq!(px(&d, 10, 27), None);
    assert_eq!(px(&d, 43, 49), g);
    assert_eq!(px(&d, 42, 49), None);
    assert_eq!(px(&d, 49, 43), g);
    assert_eq!(px(&d, 30, 20), None);
    assert_eq!(px(&d, 49, 35), None);
}

#[test]
fn landmarks_are_dots_where_expected() {
    let layout = Layout::for_size(Size::new(64, 64));
    let mut d = mock();
    let marks = [
        Point::new(20, 30),
        Point::new(38, 30),
        Point::new(29, 37),
        Point::new(22, 43),
        Point::new(36, 43),
    ];
    let face = Face::new(r(10, 20, 40, 30), FaceState::Unknown).with_landmarks(marks);
    FaceOverlay::new(face, &layout).draw(&mut d).unwrap();
    let amber = Some(Palette::DEFAULT.unknown);
    for m in marks {
        assert_eq!(d.get_pixel(m), amber, "centre of dot {m:?}");
        // A 3 px dot: two pixels away is outside it.
        for off in [
            Point::new(2, 0),
            Point::new(-2, 0),
            Point::new(0, 2),
            Point::new(0, -2),
        ] {
            assert_eq!(d.get_pixel(m + off), None, "around dot {m:?} at {off:?}");
        }
    }
    // Nothing else inside the box but the dots.
    let inside = r(11, 21, 38, 28);
    let lit = inside
        .points()
        .filter(|p| d.get_pixel(*p).is_some())
        .count();
    assert!(
        (5..=5 * 9).contains(&lit),
        "{lit} pixels lit inside the box"
    );
}

#[test]
fn nothing_is_drawn_outside_the_screen() {
    let layout = Layout::for_size(Size::new(64, 64));
    let marks = [
        Point::new(-5, 2),
        Point::new(63, 0),
        Point::new(64, 64),
        Point::new(i32::MIN, i32::MAX),
        Point::new(20, 20),
    ];
    let boxes = [
        r(-20, -10, 50, 100),
        r(40, 40, 60, 60),
        r(-1000, -1000, 3000, 3000),
        r(i32::MIN, i32::MIN, u32::MAX, u32::MAX),
        r(i32::MAX - 5, 10, u32::MAX, 10),
        r(70, 10, 10, 10),
    ];
    for b in boxes {
        for (state, _) in STATES {
            for style in [BoxStyle::Rectangle, BoxStyle::Corners] {
                // set_allow_out_of_bounds_drawing(false): any pixel off the 64x64 panics.
                let mut d = mock();
                let face = Face::new(b, state)
                    .with_landmarks(marks)
                    .with_identity("A very long name that cannot fit", 0.5)
                    .with_liveness(Liveness::Spoof);
                let drawn = FaceOverlay::new(face, &layout)
                    .with_style(style)
                    .draw(&mut d)
                    .unwrap();
                assert_eq!(
                    d.affected_area().intersection(&layout.area),
                    d.affected_area()
                );
                assert_eq!(drawn.intersection(&layout.area), drawn);
            }
        }
    }
}

#[test]
fn box_hanging_off_screen_keeps_its_visible_edges() {
    let layout = Layout::for_size(Size::new(64, 64));
    let mut d = mock();
    let face = Face::new(r(-20, 10, 50, 40), FaceState::Spoof);
    FaceOverlay::new(face, &layout).draw(&mut d).unwrap();
    let red = Some(Palette::DEFAULT.spoof);
    // Right edge at x = 29, top at y = 10, bottom at y = 49; the left edge is off screen.
    assert_eq!(px(&d, 29, 30), red);
    assert_eq!(px(&d, 0, 10), red);
    assert_eq!(px(&d, 0, 49), red);
    assert_eq!(px(&d, 0, 30), None);
}

#[test]
fn label_goes_above_or_flips_inside_at_the_top_edge() {
    let layout = Layout::for_size(Size::new(64, 64));
    let green = Some(Palette::DEFAULT.recognized);
    let black = Some(Palette::DEFAULT.ink_dark);

    // Room above: the plate (14 px tall on the small theme) sits on top of the box.
    let face = Face::new(r(10, 30, 40, 20), FaceState::Recognized).with_identity("Obama", 0.83);
    let overlay = FaceOverlay::new(face, &layout);
    let parts = overlay.parts();
    assert_eq!(parts.label_text, "Obama 0.83");
    assert_eq!(parts.label_placement, Placement::Outside);
    assert_eq!(parts.label, r(0, 16, 64, 14));
    let mut d = mock();
    overlay.draw(&mut d).unwrap();
    // Plate fill at its corners, black text inside it, the box interior untouched.
    assert_eq!(px(&d, 0, 16), green);
    assert_eq!(px(&d, 63, 29), green);
    let ink = r(0, 16, 64, 14)
        .points()
        .filter(|p| d.get_pixel(*p) == black)
        .count();
    assert!(ink > 40, "label text pixels: {ink}");
    assert_eq!(px(&d, 20, 32), None);

    // Touching the top: the plate moves inside the box, below its top edge.
    let face = Face::new(r(10, 0, 40, 40), FaceState::Recognized).with_identity("Obama", 0.83);
    let overlay = FaceOverlay::new(face, &layout);
    let parts = overlay.parts();
    assert_eq!(parts.label_placement, Placement::Inside);
    assert_eq!(parts.label.top_left.y, 0);
    let mut d = mock();
    overlay.draw(&mut d).unwrap();
    let ink = r(0, 0, 64, 14)
        .points()
        .filter(|p| d.get_pixel(*p) == black)
        .count();
    assert!(ink > 40, "label text pixels inside the box: {ink}");
    // Below the inside plate the box interior stays empty.
    assert_eq!(px(&d, 20, 20), None);
}

#[test]
fn liveness_tag_under_the_box() {
    let layout = Layout::for_size(Size::new(64, 64));
    let mut d = mock();
    let face = Face::new(r(10, 10, 40, 30), FaceState::Spoof).with_liveness(Liveness::Spoof);
    let parts = FaceOverlay::new(face, &layout).parts();
    // "spoof": 5 characters of 6 px plus 2 px padding each side, 14 px tall, under the box.
    assert_eq!(parts.tag, r(10, 40, 34, 14));
    assert_eq!(parts.tag_placement, Placement::Outside);
    FaceOverlay::new(face, &layout).draw(&mut d).unwrap();
    let white = Some(Palette::DEFAULT.ink_light);
    let ink = parts
        .tag
        .points()
        .filter(|p| d.get_pixel(*p) == white)
        .count();
    assert!(ink > 20, "white text on the red tag: {ink}");
    assert_eq!(px(&d, 10, 40), Some(Palette::DEFAULT.spoof));
}

#[test]
fn large_theme_draws_three_pixel_strokes_on_800x480() {
    let layout = Layout::for_size(Size::new(800, 480));
    let mut fb = Box::new(Framebuffer::<800, 480>::new());
    let face = Face::new(r(300, 150, 200, 240), FaceState::Unknown).with_identity("Unknown", 0.31);
    FaceOverlay::new(face, &layout).draw(fb.as_mut()).unwrap();
    let amber = Some(Palette::DEFAULT.unknown);
    let black = Some(Rgb565::BLACK);
    let at = |x, y| fb.pixel(Point::new(x, y));
    for d in 0..3 {
        assert_eq!(at(400, 150 + d), amber);
        assert_eq!(at(300 + d, 250), amber);
        assert_eq!(at(499 - d, 250), amber);
        assert_eq!(at(400, 389 - d), amber);
    }
    assert_eq!(at(400, 153), black);
    assert_eq!(at(303, 250), black);
    // A 10x20 font plate: 20 px line + 2 * 4 px padding above the box.
    let parts = FaceOverlay::new(face, &layout).parts();
    assert_eq!(parts.label.size.height, 28);
    assert_eq!(parts.label.top_left.y, 150 - 28);
}

#[test]
fn latin1_names_render_their_own_glyphs() {
    let layout = Layout::for_size(Size::new(64, 64));
    let draw = |name| {
        let mut d = mock();
        let face = Face::new(r(10, 30, 40, 20), FaceState::Recognized).with_identity(name, 0.9);
        FaceOverlay::new(face, &layout).draw(&mut d).unwrap();
        d
    };
    let umlaut = draw("Zoë");
    let plain = draw("Zoe");
    let unknown_glyph = draw("Zo?");
    // The "ë" cell (third character: x = 10 + 2 + 12 .. +6) differs from both "e" and "?".
    let cell = r(24, 18, 6, 10);
    let differs = |a: &MockDisplay<Rgb565>, b: &MockDisplay<Rgb565>| {
        cell.points().any(|p| a.get_pixel(p) != b.get_pixel(p))
    };
    assert!(differs(&umlaut, &plain));
    assert!(differs(&umlaut, &unknown_glyph));
}

#[test]
fn camera_boxes_mapped_onto_a_letterboxed_preview() {
    use facegate_overlay::FrameMapping;
    // A 320x240 camera frame letterboxed onto 240x240: scale 3/4, 30 px bars.
    let layout = Layout::for_size(Size::new(240, 240));
    let map = FrameMapping::letterbox(Size::new(320, 240), &layout.area).unwrap();
    let camera_box = r(100, 40, 80, 120);
    let face = Face::new(map.map_rect(&camera_box), FaceState::Recognized).with_landmarks(
        map.map_landmarks([
            Point::new(120, 80),
            Point::new(160, 80),
            Point::new(140, 100),
            Point::new(124, 128),
            Point::new(156, 128),
        ]),
    );
    let mut fb = Box::new(Framebuffer::<240, 240>::new());
    FaceOverlay::new(face, &layout).draw(fb.as_mut()).unwrap();
    let g = Some(Palette::DEFAULT.recognized);
    // Box (75, 60) .. (134, 149) on screen.
    assert_eq!(fb.pixel(Point::new(75, 60)), g);
    assert_eq!(fb.pixel(Point::new(134, 149)), g);
    assert_eq!(fb.pixel(Point::new(135, 100)), Some(Rgb565::BLACK));
    // Left eye at (120, 80) in the frame is (90, 90) on screen.
    assert_eq!(fb.pixel(Point::new(90, 90)), g);
    assert_eq!(fb.pixel(Point::new(90, 92)), Some(Rgb565::BLACK));
}

#[test]
fn a_target_smaller_than_the_layout_still_clips() {
    // A layout made for 240x240 drawn on the 64x64 mock: the target's own bounds win.
    let layout = Layout::for_size(Size::new(240, 240));
    let mut d = mock();
    let face = Face::new(r(40, 40, 100, 100), FaceState::Unknown)
        .with_identity("Obama", 0.5)
        .with_liveness(Liveness::Live);
    let drawn = FaceOverlay::new(face, &layout).draw(&mut d).unwrap();
    assert_eq!(drawn, r(40, 26, 24, 38));
    assert_eq!(d.affected_area(), drawn);
    assert_eq!(px(&d, 40, 40), Some(Palette::DEFAULT.unknown));
}
