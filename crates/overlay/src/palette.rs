// SPDX-License-Identifier: Apache-2.0
//! The overlay colours (RGB565), chosen to stay distinct for colour-blind viewers.
//!
//! | role       | RGB888          | RGB565 (r5,g6,b5) | why                                        |
//! |------------|-----------------|-------------------|--------------------------------------------|
//! | recognized | (0, 200, 120)   | (0, 50, 15)       | bluish green: light, blue-shifted           |
//! | unknown    | (255, 176, 0)   | (31, 44, 0)       | amber: the lightest colour, no blue         |
//! | spoof      | (230, 32, 32)   | (28, 8, 4)        | red: dark, so it differs by lightness too   |
//! | checking   | (120, 144, 160) | (15, 36, 20)      | blue-grey: unsaturated, "not decided yet"   |
//!
//! Red/green confusion is the common case; the chosen green is shifted to blue and the red
//! is much darker than amber, so the three decided states differ in lightness as well as hue.
//! Colour is never the only cue: the label plate names the state ("Unknown", "spoof", "?").
//! Plate text is black on the light colours and white on red and on the HUD's dark background.

use embedded_graphics::pixelcolor::Rgb565;

/// Converts 8-bit-per-channel RGB to RGB565 by truncation.
pub const fn rgb565(r: u8, g: u8, b: u8) -> Rgb565 {
    Rgb565::new(r >> 3, g >> 2, b >> 3)
}

/// Every colour the overlays use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Box and plate of a recognized, live face.
    pub recognized: Rgb565,
    /// Box and plate of a live face that matched no one.
    pub unknown: Rgb565,
    /// Box and plate of a face judged a presentation attack.
    pub spoof: Rgb565,
    /// Box and plate while a face is still being checked.
    pub checking: Rgb565,
    /// Text on light plates.
    pub ink_dark: Rgb565,
    /// Text on dark plates.
    pub ink_light: Rgb565,
    /// Background of the HUD, status strip and enrolment panel.
    pub panel: Rgb565,
    /// Unfilled part of the enrolment progress bar.
    pub bar_track: Rgb565,
}

impl Palette {
    /// The documented default palette (see the module table).
    pub const DEFAULT: Palette = Palette {
        recognized: rgb565(0, 200, 120),
        unknown: rgb565(255, 176, 0),
        spoof: rgb565(230, 32, 32),
        checking: rgb565(120, 144, 160),
        ink_dark: rgb565(0, 0, 0),
        ink_light: rgb565(255, 255, 255),
        panel: rgb565(24, 28, 32),
        bar_track: rgb565(72, 80, 88),
    };

    /// The text colour with the better contrast on `background` (by approximate luma).
    pub fn ink_on(&self, background: Rgb565) -> Rgb565 {
        if luma(background) >= LUMA_THRESHOLD {
            self.ink_dark
        } else {
            self.ink_light
        }
    }
}

impl Default for Palette {
    fn default() -> Self {
        Palette::DEFAULT
    }
}

/// Luma threshold (0..=255 scale) above which dark text reads better than light text.
const LUMA_THRESHOLD: u32 = 110;

/// Approximate Rec.601 luma of an RGB565 colour on a 0..=255 scale, integer only.
fn luma(c: Rgb565) -> u32 {
    use embedded_graphics::pixelcolor::RgbColor;
    let r = u32::from(c.r()) * 255 / 31;
    let g = u32::from(c.g()) * 255 / 63;
    let b = u32::from(c.b()) * 255 / 31;
    (299 * r + 587 * g + 114 * b) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_colours_are_distinct_and_documented_values() {
        let p = Palette::DEFAULT;
        let all = [p.recognized, p.unknown, p.spoof, p.checking];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(p.recognized, Rgb565::new(0, 50, 15));
        assert_eq!(p.unknown, Rgb565::new(31, 44, 0));
        assert_eq!(p.spoof, Rgb565::new(28, 8, 4));
        assert_eq!(p.checking, Rgb565::new(15, 36, 20));
    }

    #[test]
    fn ink_contrasts_with_background() {
        let p = Palette::DEFAULT;
        assert_eq!(p.ink_on(p.unknown), p.ink_dark);
        assert_eq!(p.ink_on(p.recognized), p.ink_dark);
        assert_eq!(p.ink_on(p.spoof), p.ink_light);
        assert_eq!(p.ink_on(p.panel), p.ink_light);
    }

    #[test]
    fn spoof_red_is_darker_than_amber() {
        let p = Palette::DEFAULT;
        assert!(luma(p.spoof) + 60 < luma(p.unknown));
    }
}
