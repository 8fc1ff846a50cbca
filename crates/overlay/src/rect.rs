// SPDX-License-Identifier: Apache-2.0
//! Rectangle arithmetic the overlays share: union, area, emptiness and range-safe construction.

use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::primitives::Rectangle;

/// Number of pixels covered by `r`.
pub fn area(r: &Rectangle) -> u64 {
    u64::from(r.size.width) * u64::from(r.size.height)
}

/// True when `r` covers no pixel.
pub fn is_empty(r: &Rectangle) -> bool {
    r.size.width == 0 || r.size.height == 0
}

/// The smallest rectangle covering both `a` and `b`; an empty operand is ignored.
pub fn union(a: &Rectangle, b: &Rectangle) -> Rectangle {
    if is_empty(a) {
        return *b;
    }
    if is_empty(b) {
        return *a;
    }
    let x0 = a.top_left.x.min(b.top_left.x);
    let y0 = a.top_left.y.min(b.top_left.y);
    let x1 = end_x(a).max(end_x(b));
    let y1 = end_y(a).max(end_y(b));
    from_edges(i64::from(x0), i64::from(y0), x1, y1)
}

/// The intersection of `a` and `b`, normalised to `Rectangle::zero()` when they do not
/// overlap. Unlike `Rectangle::intersection` it cannot overflow on rectangles reaching past
/// `i32::MAX`.
pub fn intersect(a: &Rectangle, b: &Rectangle) -> Rectangle {
    let x0 = a.top_left.x.max(b.top_left.x);
    let y0 = a.top_left.y.max(b.top_left.y);
    let x1 = end_x(a).min(end_x(b));
    let y1 = end_y(a).min(end_y(b));
    if x1 <= i64::from(x0) || y1 <= i64::from(y0) {
        Rectangle::zero()
    } else {
        from_edges(i64::from(x0), i64::from(y0), x1, y1)
    }
}

/// Exclusive right edge (`x + width`) computed without overflow.
pub fn end_x(r: &Rectangle) -> i64 {
    i64::from(r.top_left.x) + i64::from(r.size.width)
}

/// Exclusive bottom edge (`y + height`) computed without overflow.
pub fn end_y(r: &Rectangle) -> i64 {
    i64::from(r.top_left.y) + i64::from(r.size.height)
}

/// A rectangle from its inclusive top-left and exclusive bottom-right edges, saturating to the
/// `i32`/`u32` ranges; inverted edges give an empty rectangle at the top-left.
pub fn from_edges(x0: i64, y0: i64, x1: i64, y1: i64) -> Rectangle {
    let cx0 = clamp_i32(x0);
    let cy0 = clamp_i32(y0);
    let w = x1
        .saturating_sub(i64::from(cx0))
        .clamp(0, i64::from(u32::MAX));
    let h = y1
        .saturating_sub(i64::from(cy0))
        .clamp(0, i64::from(u32::MAX));
    Rectangle::new(
        Point::new(cx0, cy0),
        Size::new(w as u32, h as u32), // clamped to u32's range above
    )
}

/// Saturates an `i64` to `i32`.
pub fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32 // clamped above
}

/// The `x` that places a span of `len` at `want` but keeps it within `[lo, hi)` where it fits;
/// a span longer than the range starts at `lo`.
pub fn fit_start(want: i32, len: u32, lo: i32, hi: i64) -> i32 {
    let max_start = hi - i64::from(len);
    let v = i64::from(want).min(max_start).max(i64::from(lo));
    clamp_i32(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: i32, y: i32, w: u32, h: u32) -> Rectangle {
        Rectangle::new(Point::new(x, y), Size::new(w, h))
    }

    #[test]
    fn union_covers_both_and_ignores_empty() {
        assert_eq!(union(&r(0, 0, 2, 2), &r(5, 6, 1, 1)), r(0, 0, 6, 7));
        assert_eq!(union(&r(-3, 4, 2, 2), &r(0, 0, 1, 1)), r(-3, 0, 4, 6));
        assert_eq!(union(&Rectangle::zero(), &r(5, 6, 1, 1)), r(5, 6, 1, 1));
        assert_eq!(union(&r(5, 6, 1, 1), &r(9, 9, 0, 4)), r(5, 6, 1, 1));
    }

    #[test]
    fn intersect_normalises_disjoint() {
        assert_eq!(intersect(&r(0, 0, 4, 4), &r(2, 2, 4, 4)), r(2, 2, 2, 2));
        assert_eq!(
            intersect(&r(0, 0, 4, 4), &r(10, 10, 4, 4)),
            Rectangle::zero()
        );
    }

    #[test]
    fn from_edges_saturates() {
        let big = from_edges(i64::MIN, 0, i64::MAX, 1);
        assert_eq!(big.top_left.x, i32::MIN);
        assert_eq!(big.size.width, u32::MAX);
        assert!(is_empty(&from_edges(5, 5, 3, 9)));
    }

    #[test]
    fn fit_start_keeps_span_inside() {
        assert_eq!(fit_start(10, 20, 0, 100), 10);
        assert_eq!(fit_start(90, 20, 0, 100), 80);
        assert_eq!(fit_start(-5, 20, 0, 100), 0);
        assert_eq!(fit_start(50, 200, 0, 100), 0);
    }
}
