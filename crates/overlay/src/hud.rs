// SPDX-License-Identifier: Apache-2.0
//! The HUD: frame rate and per-stage milliseconds in the top-left corner, wrapped to the
//! screen width.

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use heapless::{String, Vec};

use crate::layout::Layout;
use crate::plate;
use crate::rect;
use crate::text_format;

/// Most HUD text lines.
pub const HUD_MAX_LINES: usize = 4;
/// Capacity of one HUD line, in bytes.
pub const HUD_LINE_CAPACITY: usize = 96;

/// Time spent in each pipeline stage for the last frame, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StageTimes {
    /// Face detection.
    pub detect_us: u32,
    /// Alignment to 112x112.
    pub align_us: u32,
    /// Anti-spoofing.
    pub spoof_us: u32,
    /// Embedding.
    pub embed_us: u32,
    /// Gallery matching.
    pub match_us: u32,
    /// Drawing the last frame.
    pub draw_us: u32,
}

/// What the HUD shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HudStats {
    /// Time between the last two frames, in microseconds (0: unknown).
    pub frame_period_us: u32,
    /// Per-stage times.
    pub stages: StageTimes,
}

/// Draws [`HudStats`] in the layout's top-left corner on a dark plate.
#[derive(Debug, Clone, Copy)]
pub struct Hud<'a> {
    stats: HudStats,
    layout: &'a Layout,
}

/// One HUD text line.
pub type HudLine = String<HUD_LINE_CAPACITY>;

impl<'a> Hud<'a> {
    /// A HUD for `stats`.
    pub fn new(stats: HudStats, layout: &'a Layout) -> Self {
        Hud { stats, layout }
    }

    /// The HUD text: "12.5 fps  det 3.2  aln 0.4 ..." wrapped greedily into lines that fit.
    pub fn lines(&self) -> Vec<HudLine, HUD_MAX_LINES> {
        let t = &self.layout.theme;
        let inner = self
            .layout
            .area
            .size
            .width
            .saturating_sub(2 * t.margin + 2 * t.pad);
        let max_chars = t.chars_fitting(inner).min(HUD_LINE_CAPACITY);
        let s = &self.stats.stages;
        let stages = [
            ("det", s.detect_us),
            ("aln", s.align_us),
            ("spf", s.spoof_us),
            ("emb", s.embed_us),
            ("mat", s.match_us),
            ("drw", s.draw_us),
        ];
        let mut items: Vec<String<24>, 7> = Vec::new();
        let mut fps: String<24> = String::new();
        // 24 bytes hold "4294967 ms"-sized items with their label.
        let _ = text_format::push_fps(&mut fps, self.stats.frame_period_us);
        let _ = fps.push_str(" fps");
        let _ = items.push(fps);
        for (label, us) in stages {
            let mut item: String<24> = String::new();
            let _ = item.push_str(label);
            let _ = item.push(' ');
            let _ = text_format::push_ms(&mut item, us);
            let _ = items.push(item);
        }
        wrap(&items, max_chars)
    }

    /// The HUD plate's area (clipped to the layout's area).
    pub fn area(&self) -> Rectangle {
        self.plate(&self.lines())
    }

    fn plate(&self, lines: &[HudLine]) -> Rectangle {
        let t = &self.layout.theme;
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let lines_n = u32::try_from(lines.len()).unwrap_or(0);
        let r = Rectangle::new(self.layout.hud_origin(), t.plate_size(widest, lines_n));
        rect::intersect(&r, &self.layout.area)
    }
}

/// Joins `items` with two spaces into lines of at most `max_chars` characters; an item longer
/// than a line is cut; items beyond the last line are dropped.
fn wrap<const N: usize>(items: &[String<N>], max_chars: usize) -> Vec<HudLine, HUD_MAX_LINES> {
    const SEP: &str = "  ";
    let mut lines: Vec<HudLine, HUD_MAX_LINES> = Vec::new();
    let mut line = HudLine::new();
    for item in items {
        let len = item.chars().count();
        let used = line.chars().count();
        if !line.is_empty()
            && used + SEP.len() + len > max_chars
            && lines.push(core::mem::take(&mut line)).is_err()
        {
            return lines;
        }
        if !line.is_empty() {
            text_format::push_truncated(&mut line, SEP, max_chars);
        }
        text_format::push_truncated(&mut line, item, max_chars);
    }
    if !line.is_empty() {
        let _ = lines.push(line);
    }
    lines
}

impl Drawable for Hud<'_> {
    type Color = Rgb565;
    type Output = Rectangle;

    fn draw<D>(&self, target: &mut D) -> Result<Rectangle, D::Error>
    where
        D: DrawTarget<Color = Rgb565>,
    {
        let clip = self.layout.clip_for(&target.bounding_box());
        let lines = self.lines();
        let area = self.plate(&lines);
        let mut strs: Vec<&str, HUD_MAX_LINES> = Vec::new();
        for l in &lines {
            // Same capacity as `lines`.
            let _ = strs.push(l.as_str());
        }
        let p = &self.layout.theme.palette;
        plate::draw_plate(
            target,
            &clip,
            &area,
            &strs,
            p.panel,
            p.ink_light,
            &self.layout.theme,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String<24> {
        String::try_from(v).unwrap()
    }

    #[test]
    fn wrap_is_greedy() {
        let items = [s("aaaa"), s("bb"), s("cccc"), s("d")];
        let lines = wrap(&items, 10);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], "aaaa  bb");
        assert_eq!(lines[1], "cccc  d");
    }

    #[test]
    fn wrap_cuts_overlong_items_and_drops_overflow() {
        let items = [
            s("abcdefgh"),
            s("xyz"),
            s("a"),
            s("bcd"),
            s("efg"),
            s("hij"),
        ];
        let lines = wrap(&items, 4);
        assert_eq!(lines.len(), HUD_MAX_LINES);
        assert_eq!(lines[0], "abcd");
        assert_eq!(lines[1], "xyz");
        assert_eq!(lines[3], "bcd");
    }
}
