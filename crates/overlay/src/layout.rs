// SPDX-License-Identifier: Apache-2.0
//! Where overlays go on a given screen: the display area, its theme and the fixed regions
//! (HUD corner, status strip, enrolment panel).

use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::primitives::Rectangle;

use crate::rect;
use crate::theme::Theme;

/// The display area and the theme chosen for it; every drawable places itself from this.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The display's bounding box; nothing is drawn outside it.
    pub area: Rectangle,
    /// Fonts, strokes and colours.
    pub theme: Theme,
}

/// Text lines of the enrolment panel (title, guidance) besides the progress bar.
const PANEL_TEXT_LINES: u32 = 2;

impl Layout {
    /// The layout for a display whose bounding box is `area`, with the theme of its size class.
    pub fn for_display(area: Rectangle) -> Layout {
        Layout {
            area,
            theme: Theme::for_display(area.size),
        }
    }

    /// The layout for a display of `size` at the origin.
    pub fn for_size(size: Size) -> Layout {
        Layout::for_display(Rectangle::new(Point::zero(), size))
    }

    /// A layout with an explicit theme.
    pub fn with_theme(area: Rectangle, theme: Theme) -> Layout {
        Layout { area, theme }
    }

    /// Where the HUD's first text line starts (top-left, inside the margin).
    pub fn hud_origin(&self) -> Point {
        let m = self.margin_i32();
        self.area.top_left + Point::new(m, m)
    }

    /// The full-width strip along the bottom edge holding the status line.
    pub fn status_strip(&self) -> Rectangle {
        let h = self.theme.line_height() + 2 * self.theme.pad;
        let h = h.min(self.area.size.height);
        let y = rect::end_y(&self.area) - i64::from(h);
        rect::from_edges(
            i64::from(self.area.top_left.x),
            y,
            rect::end_x(&self.area),
            rect::end_y(&self.area),
        )
    }

    /// The enrolment panel: full width minus margins, just above the status strip.
    pub fn enrol_panel(&self) -> Rectangle {
        let t = &self.theme;
        let h = PANEL_TEXT_LINES * t.line_height() + t.bar_height + 4 * t.pad;
        let m = i64::from(t.margin);
        let bottom = i64::from(self.status_strip().top_left.y) - m;
        let panel = rect::from_edges(
            i64::from(self.area.top_left.x) + m,
            bottom - i64::from(h),
            rect::end_x(&self.area) - m,
            bottom,
        );
        rect::intersect(&panel, &self.area)
    }

    /// The clip rectangle for a target: the layout's area within the target's bounding box.
    pub fn clip_for(&self, target_box: &Rectangle) -> Rectangle {
        rect::intersect(&self.area, target_box)
    }

    fn margin_i32(&self) -> i32 {
        i32::try_from(self.theme.margin).unwrap_or(i32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_on_240x240() {
        let l = Layout::for_size(Size::new(240, 240));
        assert_eq!(l.hud_origin(), Point::new(2, 2));
        // 10 px line + 2 * 2 px pad, at the bottom.
        assert_eq!(
            l.status_strip(),
            Rectangle::new(Point::new(0, 226), Size::new(240, 14))
        );
        let p = l.enrol_panel();
        assert_eq!(p.top_left.x, 2);
        assert_eq!(p.size.width, 236);
        assert_eq!(rect::end_y(&p), 224);
        assert_eq!(p.size.height, 2 * 10 + 6 + 8);
    }

    #[test]
    fn regions_on_800x480_use_large_theme() {
        let l = Layout::for_size(Size::new(800, 480));
        assert_eq!(l.theme.font.character_size, Size::new(10, 20));
        assert_eq!(l.status_strip().size, Size::new(800, 28));
        assert_eq!(rect::end_y(&l.status_strip()), 480);
        assert!(l.area.contains(l.enrol_panel().top_left));
    }

    #[test]
    fn tiny_display_does_not_underflow() {
        let l = Layout::for_size(Size::new(8, 8));
        assert_eq!(l.status_strip().size.height, 8);
        assert!(rect::is_empty(&l.enrol_panel()));
    }
}
