// SPDX-License-Identifier: Apache-2.0
//! The status line along the bottom edge: the kiosk's mode ("Recognizing", "Enrolling NAME
//! k/N: guidance") on a full-width dark strip.

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use heapless::String;

use crate::enrolment::{Enrolment, TITLE_CAPACITY};
use crate::layout::Layout;
use crate::plate;
use crate::text_format;

/// What the kiosk is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode<'a> {
    /// Watching for faces and recognising them.
    Recognizing,
    /// Enrolling someone.
    Enrolling(Enrolment<'a>),
    /// Any other one-line message (e.g. "Gallery full").
    Message(&'a str),
}

/// Draws a [`Mode`] in the layout's status strip.
#[derive(Debug, Clone, Copy)]
pub struct StatusLine<'a> {
    mode: Mode<'a>,
    layout: &'a Layout,
}

impl<'a> StatusLine<'a> {
    /// A status line for `mode`.
    pub fn new(mode: Mode<'a>, layout: &'a Layout) -> Self {
        StatusLine { mode, layout }
    }

    /// The status text, cut to the strip's width.
    pub fn text(&self) -> String<TITLE_CAPACITY> {
        let t = &self.layout.theme;
        let max = t
            .chars_fitting(self.layout.area.size.width.saturating_sub(2 * t.pad))
            .min(TITLE_CAPACITY);
        match self.mode {
            Mode::Recognizing => {
                let mut s = String::new();
                text_format::push_truncated(&mut s, "Recognizing", max);
                s
            }
            Mode::Message(m) => {
                let mut s = String::new();
                text_format::push_truncated(&mut s, m, max);
                s
            }
            Mode::Enrolling(e) => {
                let msg = e.guidance.message();
                // Keep the title whole when the guidance does not fit beside it.
                let mut s = e.title(max);
                if !msg.is_empty() && s.chars().count() + 2 + msg.chars().count() <= max {
                    text_format::push_truncated(&mut s, ": ", max);
                    text_format::push_truncated(&mut s, msg, max);
                }
                s
            }
        }
    }

    /// The strip's area.
    pub fn area(&self) -> Rectangle {
        self.layout.status_strip()
    }
}

impl Drawable for StatusLine<'_> {
    type Color = Rgb565;
    type Output = Rectangle;

    fn draw<D>(&self, target: &mut D) -> Result<Rectangle, D::Error>
    where
        D: DrawTarget<Color = Rgb565>,
    {
        let clip = self.layout.clip_for(&target.bounding_box());
        let p = &self.layout.theme.palette;
        let text = self.text();
        plate::draw_plate(
            target,
            &clip,
            &self.area(),
            &[&text],
            p.panel,
            p.ink_light,
            &self.layout.theme,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guidance::Guidance;

    #[test]
    fn texts_per_mode() {
        let l = Layout::for_size(Size::new(240, 240));
        assert_eq!(StatusLine::new(Mode::Recognizing, &l).text(), "Recognizing");
        let e = Enrolment {
            name: "Obama",
            captured: 2,
            needed: 5,
            guidance: Guidance::ComeCloser,
        };
        assert_eq!(
            StatusLine::new(Mode::Enrolling(e), &l).text(),
            "Enrolling Obama 2/5: Come closer"
        );
        let long = Enrolment {
            name: "Barack Hussein Obama II",
            ..e
        };
        // 39 characters fit on 240 px: the guidance is dropped rather than cut.
        assert_eq!(
            StatusLine::new(Mode::Enrolling(long), &l).text(),
            "Enrolling Barack Hussein Obama II 2/5"
        );
    }
}
