// SPDX-License-Identifier: Apache-2.0
//! Camera-frame to display coordinates: a per-axis rational scale plus an offset, built for a
//! stretched, letterboxed or cropped (cover) preview, integer maths only.

use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::primitives::Rectangle;

use crate::error::Error;
use crate::rect;

/// Maps camera-frame coordinates to display coordinates: `d = f * num / den + offset` per
/// axis, rounded to nearest (ties toward +infinity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameMapping {
    num: (u32, u32),
    den: (u32, u32),
    offset: Point,
}

impl FrameMapping {
    /// The mapping that changes nothing (preview drawn 1:1 at the display's origin).
    pub const IDENTITY: FrameMapping = FrameMapping {
        num: (1, 1),
        den: (1, 1),
        offset: Point::zero(),
    };

    /// A mapping with explicit scales `num_x/den_x`, `num_y/den_y` and `offset`.
    pub fn new(
        num_x: u32,
        den_x: u32,
        num_y: u32,
        den_y: u32,
        offset: Point,
    ) -> Result<Self, Error> {
        if den_x == 0 || den_y == 0 {
            return Err(Error::EmptyGeometry);
        }
        Ok(FrameMapping {
            num: (num_x, num_y),
            den: (den_x, den_y),
            offset,
        })
    }

    /// Stretches the frame over the whole display (aspect ratio not kept).
    pub fn stretch(frame: Size, display: &Rectangle) -> Result<Self, Error> {
        check(frame, display)?;
        FrameMapping::new(
            display.size.width,
            frame.width,
            display.size.height,
            frame.height,
            display.top_left,
        )
    }

    /// Scales the frame to fit inside the display, keeping its aspect ratio, centred (bars on
    /// two sides).
    pub fn letterbox(frame: Size, display: &Rectangle) -> Result<Self, Error> {
        check(frame, display)?;
        // width-limited when dw/fw <= dh/fh.
        let by_width = u64::from(display.size.width) * u64::from(frame.height)
            <= u64::from(display.size.height) * u64::from(frame.width);
        Self::uniform(frame, display, by_width)
    }

    /// Scales the frame to cover the whole display, keeping its aspect ratio, centred (the
    /// frame's overhang falls off screen and is clipped).
    pub fn cover(frame: Size, display: &Rectangle) -> Result<Self, Error> {
        check(frame, display)?;
        let by_width = u64::from(display.size.width) * u64::from(frame.height)
            >= u64::from(display.size.height) * u64::from(frame.width);
        Self::uniform(frame, display, by_width)
    }

    fn uniform(frame: Size, display: &Rectangle, by_width: bool) -> Result<Self, Error> {
        let (num, den) = if by_width {
            (display.size.width, frame.width)
        } else {
            (display.size.height, frame.height)
        };
        let scaled = |v: u32| (u64::from(v) * u64::from(num) / u64::from(den)) as i64;
        let ox = (i64::from(display.size.width) - scaled(frame.width)) / 2;
        let oy = (i64::from(display.size.height) - scaled(frame.height)) / 2;
        let offset = Point::new(
            rect::clamp_i32(i64::from(display.top_left.x) + ox),
            rect::clamp_i32(i64::from(display.top_left.y) + oy),
        );
        FrameMapping::new(num, den, num, den, offset)
    }

    /// Maps one coordinate pair.
    pub fn map_point(&self, p: Point) -> Point {
        Point::new(
            rect::clamp_i32(self.map_x(i64::from(p.x))),
            rect::clamp_i32(self.map_y(i64::from(p.y))),
        )
    }

    /// Maps a rectangle by its corners (top-left inclusive, bottom-right exclusive), so
    /// adjacent frame rectangles stay adjacent on screen.
    pub fn map_rect(&self, r: &Rectangle) -> Rectangle {
        rect::from_edges(
            self.map_x(i64::from(r.top_left.x)),
            self.map_y(i64::from(r.top_left.y)),
            self.map_x(rect::end_x(r)),
            self.map_y(rect::end_y(r)),
        )
    }

    /// Maps five landmarks.
    pub fn map_landmarks(&self, points: [Point; 5]) -> [Point; 5] {
        points.map(|p| self.map_point(p))
    }

    /// Where a whole frame of `frame` size lands on the display.
    pub fn frame_area(&self, frame: Size) -> Rectangle {
        self.map_rect(&Rectangle::new(Point::zero(), frame))
    }

    fn map_x(&self, v: i64) -> i64 {
        scale(v, self.num.0, self.den.0) + i64::from(self.offset.x)
    }

    fn map_y(&self, v: i64) -> i64 {
        scale(v, self.num.1, self.den.1) + i64::from(self.offset.y)
    }
}

/// `v * num / den` rounded to nearest, ties up; products beyond `i64` saturate.
fn scale(v: i64, num: u32, den: u32) -> i64 {
    let den = i64::from(den.max(1));
    let prod = v.saturating_mul(i64::from(num));
    prod.saturating_add(den / 2).div_euclid(den)
}

fn check(frame: Size, display: &Rectangle) -> Result<(), Error> {
    if frame.width == 0 || frame.height == 0 || rect::is_empty(display) {
        Err(Error::EmptyGeometry)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: i32, y: i32, w: u32, h: u32) -> Rectangle {
        Rectangle::new(Point::new(x, y), Size::new(w, h))
    }

    #[test]
    fn identity_changes_nothing() {
        let m = FrameMapping::IDENTITY;
        assert_eq!(m.map_point(Point::new(-7, 13)), Point::new(-7, 13));
        assert_eq!(m.map_rect(&r(1, 2, 3, 4)), r(1, 2, 3, 4));
    }

    #[test]
    fn letterbox_640x480_on_800x480() {
        // Height-limited: scale 1, 80 px bars left and right.
        let m = FrameMapping::letterbox(Size::new(640, 480), &r(0, 0, 800, 480)).unwrap();
        assert_eq!(m.frame_area(Size::new(640, 480)), r(80, 0, 640, 480));
        assert_eq!(m.map_point(Point::new(10, 20)), Point::new(90, 20));
    }

    #[test]
    fn letterbox_320x240_on_240x240() {
        // Width-limited: scale 3/4, 30 px bars top and bottom.
        let m = FrameMapping::letterbox(Size::new(320, 240), &r(0, 0, 240, 240)).unwrap();
        assert_eq!(m.frame_area(Size::new(320, 240)), r(0, 30, 240, 180));
        assert_eq!(m.map_rect(&r(100, 40, 80, 120)), r(75, 60, 60, 90));
        // Rounding to nearest: 3 * 3/4 = 2.25 -> 2, 2 * 3/4 = 1.5 -> 2.
        assert_eq!(m.map_point(Point::new(3, 2)), Point::new(2, 32));
    }

    #[test]
    fn cover_crops_and_stretch_fills() {
        let m = FrameMapping::cover(Size::new(320, 240), &r(0, 0, 240, 240)).unwrap();
        assert_eq!(m.frame_area(Size::new(320, 240)), r(-40, 0, 320, 240));
        let m = FrameMapping::stretch(Size::new(320, 240), &r(0, 0, 800, 480)).unwrap();
        assert_eq!(m.frame_area(Size::new(320, 240)), r(0, 0, 800, 480));
        assert_eq!(m.map_point(Point::new(160, 120)), Point::new(400, 240));
    }

    #[test]
    fn adjacent_rects_stay_adjacent() {
        let m = FrameMapping::new(2, 3, 2, 3, Point::new(5, 5)).unwrap();
        let a = m.map_rect(&r(0, 0, 7, 7));
        let b = m.map_rect(&r(7, 0, 7, 7));
        assert_eq!(rect::end_x(&a), i64::from(b.top_left.x));
    }

    #[test]
    fn bad_geometry_is_an_error() {
        assert_eq!(
            FrameMapping::letterbox(Size::new(0, 240), &r(0, 0, 240, 240)),
            Err(Error::EmptyGeometry)
        );
        assert_eq!(
            FrameMapping::stretch(Size::new(320, 240), &r(0, 0, 0, 240)),
            Err(Error::EmptyGeometry)
        );
        assert!(FrameMapping::new(1, 0, 1, 1, Point::zero()).is_err());
    }

    #[test]
    fn extreme_points_saturate() {
        let m = FrameMapping::new(u32::MAX, 1, u32::MAX, 1, Point::zero()).unwrap();
        assert_eq!(
            m.map_point(Point::new(i32::MAX, i32::MIN)),
            Point::new(i32::MAX, i32::MIN)
        );
    }
}
