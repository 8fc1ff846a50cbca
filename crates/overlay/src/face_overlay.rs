// SPDX-License-Identifier: Apache-2.0
//! The face overlay drawable: state-coloured box (full or corner brackets), five landmark
//! dots, a name/score plate above the box and a liveness tag below it, clipped to the screen.

use embedded_graphics::geometry::Point;
use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, PrimitiveStyle, Rectangle};
use heapless::{String, Vec};

use crate::face::{BoxStyle, Face};
use crate::layout::Layout;
use crate::plate::{self, Edge, Placement};
use crate::rect;
use crate::text_format;

/// Capacity of the label text, in bytes.
pub const LABEL_CAPACITY: usize = 64;

/// Draws one [`Face`] with a [`Layout`].
///
/// Drawing returns the screen area it touched (clipped), ready for
/// [`DirtyRegions`](crate::DirtyRegions).
#[derive(Debug, Clone, Copy)]
pub struct FaceOverlay<'a> {
    face: Face<'a>,
    layout: &'a Layout,
    style: BoxStyle,
}

/// The placed parts of a face overlay, computed before drawing.
#[derive(Debug, Clone)]
pub struct FaceParts {
    /// The box colour.
    pub color: Rgb565,
    /// The outline as disjoint filled rectangles (unclipped).
    pub outline: Vec<Rectangle, 8>,
    /// Landmark dot bounding boxes.
    pub dots: Vec<Rectangle, 5>,
    /// Name/score plate area.
    pub label: Rectangle,
    /// Whether the label went above the box or inside it.
    pub label_placement: Placement,
    /// The label text.
    pub label_text: String<LABEL_CAPACITY>,
    /// Liveness tag area.
    pub tag: Rectangle,
    /// Whether the tag went below the box or inside it.
    pub tag_placement: Placement,
}

impl<'a> FaceOverlay<'a> {
    /// An overlay for `face` placed with `layout`, full-rectangle style.
    pub fn new(face: Face<'a>, layout: &'a Layout) -> Self {
        FaceOverlay {
            face,
            layout,
            style: BoxStyle::Rectangle,
        }
    }

    /// Chooses the outline style.
    pub fn with_style(mut self, style: BoxStyle) -> Self {
        self.style = style;
        self
    }

    /// Places every part on the layout's screen without drawing.
    pub fn parts(&self) -> FaceParts {
        let theme = &self.layout.theme;
        let screen = &self.layout.area;
        let face = &self.face;
        let color = face.state.color(&theme.palette);
        let outline = outline(&face.bbox, theme.stroke, self.style);
        let mut dots = Vec::new();
        if let Some(points) = face.landmarks {
            for p in points {
                // Five points, capacity five: the push cannot fail.
                let _ = dots.push(dot_box(p, theme.dot));
            }
        }
        let max_chars = theme.chars_fitting(screen.size.width.saturating_sub(2 * theme.pad));
        let label_text = label_text(face, max_chars);
        let label_size = theme.plate_size(label_text.chars().count(), 1);
        let (label, label_placement) = plate::place(&face.bbox, label_size, Edge::Top, screen);
        let tag_size = theme.plate_size(face.liveness.text().len(), 1);
        let (tag, tag_placement) = plate::place(&face.bbox, tag_size, Edge::Bottom, screen);
        FaceParts {
            color,
            outline,
            dots,
            label,
            label_placement,
            label_text,
            tag,
            tag_placement,
        }
    }

    /// The screen area drawing would touch (clipped to the layout's area).
    pub fn area(&self) -> Rectangle {
        parts_area(&self.parts(), &self.layout.area)
    }
}

impl Drawable for FaceOverlay<'_> {
    type Color = Rgb565;
    type Output = Rectangle;

    fn draw<D>(&self, target: &mut D) -> Result<Rectangle, D::Error>
    where
        D: DrawTarget<Color = Rgb565>,
    {
        let clip = self.layout.clip_for(&target.bounding_box());
        if rect::is_empty(&clip) {
            return Ok(Rectangle::zero());
        }
        let theme = &self.layout.theme;
        let parts = self.parts();
        {
            let mut t = target.clipped(&clip);
            for r in &parts.outline {
                let v = rect::intersect(r, &clip);
                if !rect::is_empty(&v) {
                    t.fill_solid(&v, parts.color)?;
                }
            }
            let dot_style = PrimitiveStyle::with_fill(parts.color);
            for d in &parts.dots {
                if !rect::is_empty(&rect::intersect(d, &clip)) {
                    Circle::new(d.top_left, d.size.width)
                        .into_styled(dot_style)
                        .draw(&mut t)?;
                }
            }
        }
        let p = &theme.palette;
        plate::draw_plate(
            target,
            &clip,
            &parts.label,
            &[&parts.label_text],
            parts.color,
            p.ink_on(parts.color),
            theme,
        )?;
        let tag_fill = self.face.liveness.color(p);
        plate::draw_plate(
            target,
            &clip,
            &parts.tag,
            &[self.face.liveness.text()],
            tag_fill,
            p.ink_on(tag_fill),
            theme,
        )?;
        Ok(parts_area(&parts, &clip))
    }
}

/// The union of every part, clipped.
fn parts_area(parts: &FaceParts, clip: &Rectangle) -> Rectangle {
    let mut all = Rectangle::zero();
    for r in parts.outline.iter().chain(parts.dots.iter()) {
        all = rect::union(&all, &rect::intersect(r, clip));
    }
    all = rect::union(&all, &rect::intersect(&parts.label, clip));
    rect::union(&all, &rect::intersect(&parts.tag, clip))
}

/// "Name 0.83": the name (or the state's default label) cut to leave room for the score,
/// within `max_chars` characters.
pub fn label_text(face: &Face<'_>, max_chars: usize) -> String<LABEL_CAPACITY> {
    let mut score: String<8> = String::new();
    if let Some(s) = face.similarity {
        // " -1.00" is the longest score: it fits in 8 bytes.
        let _ = score.push(' ');
        let _ = text_format::push_score(&mut score, s);
    }
    let name = face.name.unwrap_or(face.state.default_label());
    let mut name_part: String<{ LABEL_CAPACITY - 8 }> = String::new();
    text_format::push_truncated(&mut name_part, name, max_chars.saturating_sub(score.len()));
    let mut out = String::new();
    // At most LABEL_CAPACITY - 8 bytes of name plus at most 8 of score: both pushes fit.
    let _ = out.push_str(&name_part);
    if score.len() <= max_chars {
        let _ = out.push_str(&score);
    }
    out
}

/// The bounding box of a dot of diameter `d` centred on `p`, as embedded-graphics centres it.
fn dot_box(p: Point, d: u32) -> Rectangle {
    let off = i64::from(d.saturating_sub(1) / 2);
    let x0 = i64::from(p.x) - off;
    let y0 = i64::from(p.y) - off;
    rect::from_edges(x0, y0, x0 + i64::from(d), y0 + i64::from(d))
}

/// The outline of `b` as disjoint filled rectangles, `stroke` pixels wide, inside the box.
pub fn outline(b: &Rectangle, stroke: u32, style: BoxStyle) -> Vec<Rectangle, 8> {
    let mut out = Vec::new();
    let (w, h) = (i64::from(b.size.width), i64::from(b.size.height));
    if w == 0 || h == 0 || stroke == 0 {
        return out;
    }
    let s = i64::from(stroke);
    let (x, y) = (i64::from(b.top_left.x), i64::from(b.top_left.y));
    // A sub-rectangle of the box at offset (dx, dy) of size (rw, rh).
    let sub = |dx: i64, dy: i64, rw: i64, rh: i64| {
        rect::from_edges(x + dx, y + dy, x + dx + rw, y + dy + rh)
    };
    let short = w.min(h);
    if 2 * s >= short {
        let _ = out.push(*b);
        return out;
    }
    // At most eight pushes into capacity eight below.
    match style {
        BoxStyle::Rectangle => {
            let _ = out.push(sub(0, 0, w, s));
            let _ = out.push(sub(0, h - s, w, s));
            let _ = out.push(sub(0, s, s, h - 2 * s));
            let _ = out.push(sub(w - s, s, s, h - 2 * s));
        }
        BoxStyle::Corners => {
            let len = (short / 4).max(2 * s).min(short / 2);
            let _ = out.push(sub(0, 0, len, s));
            let _ = out.push(sub(0, s, s, len - s));
            let _ = out.push(sub(w - len, 0, len, s));
            let _ = out.push(sub(w - s, s, s, len - s));
            let _ = out.push(sub(0, h - s, len, s));
            let _ = out.push(sub(0, h - len, s, len - s));
            let _ = out.push(sub(w - len, h - s, len, s));
            let _ = out.push(sub(w - s, h - len, s, len - s));
        }
    }
    out.retain(|r| !rect::is_empty(r));
    out
}
