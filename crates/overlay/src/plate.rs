// SPDX-License-Identifier: Apache-2.0
//! Text plates: a filled rectangle with one line of text, and where to put one next to a box
//! so that it stays on screen (outside the box where there is room, inside where there is not).

use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};

use crate::rect;
use crate::theme::Theme;

/// Which edge of a box a plate hangs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Above the box (inside its top edge when there is no room above).
    Top,
    /// Below the box (inside its bottom edge when there is no room below).
    Bottom,
}

/// Whether a plate ended up outside its box (the preferred place) or inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Outside the box, touching it.
    Outside,
    /// Inside the box (or pushed inside the screen) because the screen edge left no room.
    Inside,
}

/// Places a plate of `size` against `edge` of `anchor`, keeping it within `bounds`
/// horizontally and vertically whenever it fits there.
pub fn place(
    anchor: &Rectangle,
    size: Size,
    edge: Edge,
    bounds: &Rectangle,
) -> (Rectangle, Placement) {
    let h = i64::from(size.height);
    let (y, placement) = match edge {
        Edge::Top => {
            let above = i64::from(anchor.top_left.y) - h;
            if above >= i64::from(bounds.top_left.y) {
                (above, Placement::Outside)
            } else {
                (i64::from(anchor.top_left.y), Placement::Inside)
            }
        }
        Edge::Bottom => {
            let below = rect::end_y(anchor);
            if below + h <= rect::end_y(bounds) {
                (below, Placement::Outside)
            } else {
                (rect::end_y(anchor) - h, Placement::Inside)
            }
        }
    };
    let y = rect::fit_start(
        rect::clamp_i32(y),
        size.height,
        bounds.top_left.y,
        rect::end_y(bounds),
    );
    let x = rect::fit_start(
        anchor.top_left.x,
        size.width,
        bounds.top_left.x,
        rect::end_x(bounds),
    );
    (Rectangle::new(Point::new(x, y), size), placement)
}

/// Fills `area` with `fill` and writes `lines` of text in `ink` from the theme's padding on,
/// one font line each, all clipped to `clip`. Returns the drawn area (the plate within `clip`).
pub fn draw_plate<D>(
    target: &mut D,
    clip: &Rectangle,
    area: &Rectangle,
    lines: &[&str],
    fill: Rgb565,
    ink: Rgb565,
    theme: &Theme,
) -> Result<Rectangle, D::Error>
where
    D: DrawTarget<Color = Rgb565>,
{
    let visible = rect::intersect(area, clip);
    if rect::is_empty(&visible) {
        return Ok(Rectangle::zero());
    }
    let mut t = target.clipped(&visible);
    t.fill_solid(&visible, fill)?;
    let pad = i32::try_from(theme.pad).unwrap_or(0);
    let style = MonoTextStyle::new(theme.font, ink);
    let line_h = i32::try_from(theme.line_height()).unwrap_or(0);
    let mut at = area.top_left + Point::new(pad, pad);
    for line in lines {
        Text::with_baseline(line, at, style, Baseline::Top).draw(&mut t)?;
        at.y = at.y.saturating_add(line_h);
    }
    Ok(visible)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: i32, y: i32, w: u32, h: u32) -> Rectangle {
        Rectangle::new(Point::new(x, y), Size::new(w, h))
    }

    const SCREEN: Rectangle = Rectangle::new(Point::new(0, 0), Size::new(100, 80));

    #[test]
    fn top_plate_goes_above_when_there_is_room() {
        let (p, at) = place(&r(20, 30, 40, 30), Size::new(30, 14), Edge::Top, &SCREEN);
        assert_eq!(at, Placement::Outside);
        assert_eq!(p, r(20, 16, 30, 14));
    }

    #[test]
    fn top_plate_flips_inside_at_top_edge() {
        let (p, at) = place(&r(20, 5, 40, 30), Size::new(30, 14), Edge::Top, &SCREEN);
        assert_eq!(at, Placement::Inside);
        assert_eq!(p, r(20, 5, 30, 14));
        // A box hanging off the top: the plate stays on screen.
        let (p, at) = place(&r(20, -10, 40, 30), Size::new(30, 14), Edge::Top, &SCREEN);
        assert_eq!(at, Placement::Inside);
        assert_eq!(p, r(20, 0, 30, 14));
    }

    #[test]
    fn bottom_plate_flips_inside_at_bottom_edge() {
        let (p, at) = place(&r(20, 10, 40, 30), Size::new(30, 14), Edge::Bottom, &SCREEN);
        assert_eq!((p, at), (r(20, 40, 30, 14), Placement::Outside));
        let (p, at) = place(&r(20, 40, 40, 35), Size::new(30, 14), Edge::Bottom, &SCREEN);
        assert_eq!((p, at), (r(20, 61, 30, 14), Placement::Inside));
    }

    #[test]
    fn plate_is_pushed_back_horizontally() {
        let (p, _) = place(&r(90, 30, 40, 30), Size::new(30, 14), Edge::Top, &SCREEN);
        assert_eq!(p.top_left.x, 70);
        let (p, _) = place(&r(-20, 30, 40, 30), Size::new(30, 14), Edge::Top, &SCREEN);
        assert_eq!(p.top_left.x, 0);
    }
}
