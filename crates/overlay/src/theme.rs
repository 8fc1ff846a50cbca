// SPDX-License-Identifier: Apache-2.0
//! Size-dependent drawing parameters: font, stroke width, dot size and spacing per display class.

use core::fmt;
use embedded_graphics::geometry::Size;
use embedded_graphics::mono_font::iso_8859_1::{FONT_10X20, FONT_6X10, FONT_8X13};
use embedded_graphics::mono_font::MonoFont;

use crate::palette::Palette;

/// Display classes, by the shorter side of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayClass {
    /// Shorter side below 300 px (240x240 ST7789, 320x240 panels).
    Small,
    /// Shorter side 300..460 px (480x320 panels).
    Medium,
    /// Shorter side 460 px or more (the STM32N6570-DK's 800x480 LTDC panel).
    Large,
}

impl DisplayClass {
    /// Classifies a display by its size.
    pub fn of(size: Size) -> DisplayClass {
        let short = size.width.min(size.height);
        if short < 300 {
            DisplayClass::Small
        } else if short < 460 {
            DisplayClass::Medium
        } else {
            DisplayClass::Large
        }
    }
}

/// Fonts, line widths and spacing used by every overlay.
#[derive(Clone, Copy)]
pub struct Theme {
    /// The one monospace font of all overlay text (ISO 8859-1 by default, so Latin-1 names
    /// such as "Zoë" or "Muñoz" render; other characters show as '?').
    pub font: &'static MonoFont<'static>,
    /// Box outline width in pixels (drawn inside the box).
    pub stroke: u32,
    /// Diameter of a landmark dot in pixels.
    pub dot: u32,
    /// Space between a plate's edge and its text.
    pub pad: u32,
    /// Space between screen edges and the HUD, status strip and panel.
    pub margin: u32,
    /// Height of the enrolment progress bar.
    pub bar_height: u32,
    /// Colours.
    pub palette: Palette,
}

impl Theme {
    /// 240x240-class screens: 6x10 font, 1 px lines.
    pub const SMALL: Theme = Theme {
        font: &FONT_6X10,
        stroke: 1,
        dot: 3,
        pad: 2,
        margin: 2,
        bar_height: 6,
        palette: Palette::DEFAULT,
    };
    /// 480x320-class screens: 8x13 font, 2 px lines.
    pub const MEDIUM: Theme = Theme {
        font: &FONT_8X13,
        stroke: 2,
        dot: 4,
        pad: 3,
        margin: 4,
        bar_height: 10,
        palette: Palette::DEFAULT,
    };
    /// 800x480-class screens: 10x20 font, 3 px lines.
    pub const LARGE: Theme = Theme {
        font: &FONT_10X20,
        stroke: 3,
        dot: 6,
        pad: 4,
        margin: 8,
        bar_height: 16,
        palette: Palette::DEFAULT,
    };

    /// The theme for a display class.
    pub fn for_class(class: DisplayClass) -> Theme {
        match class {
            DisplayClass::Small => Theme::SMALL,
            DisplayClass::Medium => Theme::MEDIUM,
            DisplayClass::Large => Theme::LARGE,
        }
    }

    /// The theme for a display of `size`.
    pub fn for_display(size: Size) -> Theme {
        Theme::for_class(DisplayClass::of(size))
    }

    /// Width of one character cell including spacing.
    pub fn char_advance(&self) -> u32 {
        self.font.character_size.width + self.font.character_spacing
    }

    /// Height of a text line.
    pub fn line_height(&self) -> u32 {
        self.font.character_size.height
    }

    /// Width in pixels of `chars` characters of text.
    pub fn text_width(&self, chars: usize) -> u32 {
        let n = u32::try_from(chars).unwrap_or(u32::MAX);
        if n == 0 {
            return 0;
        }
        n.saturating_mul(self.char_advance())
            .saturating_sub(self.font.character_spacing)
    }

    /// How many characters fit in `width` pixels.
    pub fn chars_fitting(&self, width: u32) -> usize {
        let adv = self.char_advance().max(1);
        let n = width.saturating_add(self.font.character_spacing) / adv;
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    /// Size of a plate holding `lines` lines of at most `chars` characters.
    pub fn plate_size(&self, chars: usize, lines: u32) -> Size {
        Size::new(
            self.text_width(chars) + 2 * self.pad,
            self.line_height() * lines + 2 * self.pad,
        )
    }
}

impl fmt::Debug for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Theme")
            .field("font", &self.font.character_size)
            .field("stroke", &self.stroke)
            .field("dot", &self.dot)
            .field("pad", &self.pad)
            .field("margin", &self.margin)
            .field("bar_height", &self.bar_height)
            .field("palette", &self.palette)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_target_displays() {
        assert_eq!(DisplayClass::of(Size::new(240, 240)), DisplayClass::Small);
        assert_eq!(DisplayClass::of(Size::new(320, 240)), DisplayClass::Small);
        assert_eq!(DisplayClass::of(Size::new(480, 320)), DisplayClass::Medium);
        assert_eq!(DisplayClass::of(Size::new(800, 480)), DisplayClass::Large);
        assert_eq!(DisplayClass::of(Size::new(480, 800)), DisplayClass::Large);
    }

    #[test]
    fn small_and_large_fonts_and_strokes() {
        let s = Theme::for_display(Size::new(240, 240));
        assert_eq!(s.font.character_size, Size::new(6, 10));
        assert_eq!(s.stroke, 1);
        let l = Theme::for_display(Size::new(800, 480));
        assert_eq!(l.font.character_size, Size::new(10, 20));
        assert_eq!(l.stroke, 3);
    }

    #[test]
    fn text_metrics() {
        let t = Theme::SMALL;
        assert_eq!(t.text_width(0), 0);
        assert_eq!(t.text_width(10), 60);
        assert_eq!(t.chars_fitting(60), 10);
        assert_eq!(t.chars_fitting(59), 9);
        assert_eq!(t.plate_size(10, 1), Size::new(64, 14));
    }
}
