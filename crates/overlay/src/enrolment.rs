// SPDX-License-Identifier: Apache-2.0
//! The overlay's view of an enrolment in progress: who, how many captures of how many, and
//! the current guidance, with the title text and progress fraction both overlays show.

use core::fmt::Write;
use heapless::String;

use crate::guidance::Guidance;
use crate::text_format;

/// Capacity of an enrolment title, in bytes.
pub const TITLE_CAPACITY: usize = 96;

/// An enrolment in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enrolment<'a> {
    /// Name being enrolled.
    pub name: &'a str,
    /// Captures accepted so far.
    pub captured: u8,
    /// Captures needed.
    pub needed: u8,
    /// What the person should do now.
    pub guidance: Guidance,
}

impl Enrolment<'_> {
    /// Captures clamped to `needed`, so a miscounting caller cannot overfill the bar.
    pub fn progress(&self) -> (u8, u8) {
        (self.captured.min(self.needed), self.needed)
    }

    /// The part of `width` pixels the progress bar fills (0 when nothing is needed).
    pub fn filled_width(&self, width: u32) -> u32 {
        let (k, n) = self.progress();
        if n == 0 {
            return 0;
        }
        let w = u64::from(width) * u64::from(k) / u64::from(n);
        u32::try_from(w).unwrap_or(width)
    }

    /// "Enrolling NAME k/N" within `max_chars` characters, the name cut to make room.
    pub fn title(&self, max_chars: usize) -> String<TITLE_CAPACITY> {
        let (k, n) = self.progress();
        let mut count: String<8> = String::new();
        // " 255/255" is 8 bytes.
        let _ = write!(count, " {k}/{n}");
        const VERB: &str = "Enrolling ";
        let mut out = String::new();
        let room = max_chars.saturating_sub(count.len());
        if text_format::push_truncated(&mut out, VERB, room) {
            text_format::push_truncated(&mut out, self.name, room);
        }
        if out.len() + count.len() <= TITLE_CAPACITY && count.len() <= max_chars {
            let _ = out.push_str(&count);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(captured: u8, needed: u8) -> Enrolment<'static> {
        Enrolment {
            name: "Obama",
            captured,
            needed,
            guidance: Guidance::HoldStill,
        }
    }

    #[test]
    fn title_fits_and_keeps_count() {
        assert_eq!(e(2, 5).title(40), "Enrolling Obama 2/5");
        assert_eq!(e(2, 5).title(16), "Enrolling Ob 2/5");
        assert_eq!(e(9, 5).title(40), "Enrolling Obama 5/5");
    }

    #[test]
    fn progress_fill() {
        assert_eq!(e(0, 5).filled_width(100), 0);
        assert_eq!(e(2, 5).filled_width(100), 40);
        assert_eq!(e(5, 5).filled_width(100), 100);
        assert_eq!(e(7, 5).filled_width(100), 100);
        assert_eq!(e(3, 0).filled_width(100), 0);
    }
}
