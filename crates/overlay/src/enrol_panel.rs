// SPDX-License-Identifier: Apache-2.0
//! The enrolment guidance panel: title with capture count, a progress bar and the current
//! guidance message, above the status strip.

use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};

use crate::enrolment::{Enrolment, TITLE_CAPACITY};
use crate::layout::Layout;
use crate::plate;
use crate::rect;

/// Draws an [`Enrolment`] in the layout's enrolment panel.
#[derive(Debug, Clone, Copy)]
pub struct EnrolPanel<'a> {
    enrolment: Enrolment<'a>,
    layout: &'a Layout,
}

/// The placed parts of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelParts {
    /// The whole panel.
    pub panel: Rectangle,
    /// The progress bar's track.
    pub track: Rectangle,
    /// The filled part of the track.
    pub fill: Rectangle,
    /// The guidance line's area.
    pub guidance: Rectangle,
}

impl<'a> EnrolPanel<'a> {
    /// A panel for `enrolment`.
    pub fn new(enrolment: Enrolment<'a>, layout: &'a Layout) -> Self {
        EnrolPanel { enrolment, layout }
    }

    /// Places the panel's parts.
    pub fn parts(&self) -> PanelParts {
        let t = &self.layout.theme;
        let panel = self.layout.enrol_panel();
        let pad = i64::from(t.pad);
        let line = i64::from(t.line_height());
        let x0 = i64::from(panel.top_left.x) + pad;
        let x1 = rect::end_x(&panel) - pad;
        let bar_y = i64::from(panel.top_left.y) + pad + line + pad;
        let track = rect::intersect(
            &rect::from_edges(x0, bar_y, x1, bar_y + i64::from(t.bar_height)),
            &panel,
        );
        let fill = Rectangle::new(
            track.top_left,
            Size::new(
                self.enrolment.filled_width(track.size.width),
                track.size.height,
            ),
        );
        let g_y = bar_y + i64::from(t.bar_height);
        let guidance = rect::intersect(
            &rect::from_edges(x0 - pad, g_y, x1 + pad, g_y + line + 2 * pad),
            &panel,
        );
        PanelParts {
            panel,
            track,
            fill,
            guidance,
        }
    }

    /// The title line ("Enrolling NAME k/N") cut to the panel's width.
    pub fn title(&self) -> heapless::String<TITLE_CAPACITY> {
        let t = &self.layout.theme;
        let w = self
            .layout
            .enrol_panel()
            .size
            .width
            .saturating_sub(2 * t.pad);
        self.enrolment.title(t.chars_fitting(w))
    }
}

impl Drawable for EnrolPanel<'_> {
    type Color = Rgb565;
    type Output = Rectangle;

    fn draw<D>(&self, target: &mut D) -> Result<Rectangle, D::Error>
    where
        D: DrawTarget<Color = Rgb565>,
    {
        let clip = self.layout.clip_for(&target.bounding_box());
        let t = &self.layout.theme;
        let p = &t.palette;
        let parts = self.parts();
        let title = self.title();
        let drawn = plate::draw_plate(
            target,
            &clip,
            &parts.panel,
            &[&title],
            p.panel,
            p.ink_light,
            t,
        )?;
        {
            let mut c = target.clipped(&clip);
            let track = rect::intersect(&parts.track, &clip);
            let fill = rect::intersect(&parts.fill, &clip);
            if !rect::is_empty(&track) {
                c.fill_solid(&track, p.bar_track)?;
            }
            if !rect::is_empty(&fill) {
                c.fill_solid(&fill, p.recognized)?;
            }
        }
        let g = self.enrolment.guidance;
        let ink = if g.is_correction() {
            p.unknown
        } else {
            p.ink_light
        };
        // The guidance line lies on the panel's background: only its text is drawn.
        let mut c = target.clipped(&rect::intersect(&parts.guidance, &clip));
        let pad = i32::try_from(t.pad).unwrap_or(0);
        let at = parts.guidance.top_left + Point::new(pad, pad);
        Text::with_baseline(
            g.message(),
            at,
            MonoTextStyle::new(t.font, ink),
            Baseline::Top,
        )
        .draw(&mut c)?;
        Ok(drawn)
    }
}
