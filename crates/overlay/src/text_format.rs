// SPDX-License-Identifier: Apache-2.0
//! Integer-only number formatting into `heapless::String`s (scores, milliseconds, frame rates)
//! and width-bounded text assembly, so no float formatting code reaches the target.

use core::fmt::Write;
use heapless::String;

/// Appends `s`, stopping at the last whole character that fits in `max_chars` characters of
/// text already in `out` or in `out`'s capacity. Returns false when something was cut.
pub fn push_truncated<const N: usize>(out: &mut String<N>, s: &str, max_chars: usize) -> bool {
    let used = out.chars().count();
    for (n, c) in (used..).zip(s.chars()) {
        if n >= max_chars || out.push(c).is_err() {
            return false;
        }
    }
    true
}

/// Appends a similarity score with two decimals ("0.83", "-0.12", "1.00"); scores are clamped
/// to [-1, 1] and a non-finite score prints as "?". Rounds half away from zero.
pub fn push_score<const N: usize>(out: &mut String<N>, score: f32) -> core::fmt::Result {
    if !score.is_finite() {
        return out.push_str("?").map_err(|_| core::fmt::Error);
    }
    let s = score.clamp(-1.0, 1.0);
    let scaled = s * 100.0;
    // |scaled| <= 100, so the cast cannot overflow; `as` truncates toward zero.
    let centi = if scaled >= 0.0 {
        (scaled + 0.5) as i32
    } else {
        (scaled - 0.5) as i32
    };
    let sign = if centi < 0 { "-" } else { "" };
    let a = centi.unsigned_abs();
    write!(out, "{sign}{}.{:02}", a / 100, a % 100)
}

/// Appends a duration given in microseconds as milliseconds: one decimal below 10 ms
/// ("3.2"), whole milliseconds from 10 ms on ("27"). Rounds half up.
pub fn push_ms<const N: usize>(out: &mut String<N>, micros: u32) -> core::fmt::Result {
    let tenths = (u64::from(micros) + 50) / 100;
    if tenths < 100 {
        write!(out, "{}.{}", tenths / 10, tenths % 10)
    } else {
        write!(out, "{}", (u64::from(micros) + 500) / 1000)
    }
}

/// Appends the frame rate for a frame period in microseconds with one decimal ("12.5");
/// a zero period prints "--".
pub fn push_fps<const N: usize>(out: &mut String<N>, period_us: u32) -> core::fmt::Result {
    if period_us == 0 {
        return out.push_str("--").map_err(|_| core::fmt::Error);
    }
    let p = u64::from(period_us);
    let tenths = (10_000_000 + p / 2) / p;
    write!(out, "{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(v: f32) -> String<16> {
        let mut s = String::new();
        push_score(&mut s, v).unwrap();
        s
    }

    #[test]
    fn scores() {
        assert_eq!(score(0.83), "0.83");
        assert_eq!(score(0.834), "0.83");
        assert_eq!(score(0.835_1), "0.84");
        assert_eq!(score(-0.12), "-0.12");
        assert_eq!(score(-0.004), "0.00");
        assert_eq!(score(1.7), "1.00");
        assert_eq!(score(-3.0), "-1.00");
        assert_eq!(score(0.05), "0.05");
        assert_eq!(score(f32::NAN), "?");
        assert_eq!(score(f32::INFINITY), "?");
    }

    #[test]
    fn milliseconds() {
        let ms = |us| {
            let mut s: String<16> = String::new();
            push_ms(&mut s, us).unwrap();
            s
        };
        assert_eq!(ms(0), "0.0");
        assert_eq!(ms(3_240), "3.2");
        assert_eq!(ms(3_250), "3.3");
        assert_eq!(ms(9_949), "9.9");
        assert_eq!(ms(9_950), "10");
        assert_eq!(ms(27_400), "27");
        assert_eq!(ms(u32::MAX), "4294967");
    }

    #[test]
    fn frame_rates() {
        let fps = |p| {
            let mut s: String<16> = String::new();
            push_fps(&mut s, p).unwrap();
            s
        };
        assert_eq!(fps(0), "--");
        assert_eq!(fps(80_000), "12.5");
        assert_eq!(fps(33_333), "30.0");
        assert_eq!(fps(1), "1000000.0");
        assert_eq!(fps(u32::MAX), "0.0");
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        let mut s: String<32> = String::new();
        assert!(push_truncated(&mut s, "Zoë", 8));
        assert!(!push_truncated(&mut s, " Saldaña", 8));
        assert_eq!(s, "Zoë Sald");
        let mut tiny: String<3> = String::new();
        assert!(!push_truncated(&mut tiny, "abcdef", 10));
        assert_eq!(tiny, "abc");
    }

    #[test]
    fn full_string_reports_error() {
        let mut s: String<2> = String::new();
        assert!(push_score(&mut s, 0.5).is_err());
    }
}
