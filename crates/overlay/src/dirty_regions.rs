// SPDX-License-Identifier: Apache-2.0
//! Dirty rectangles for panels that are updated by region (SPI): the areas drawn last frame
//! and this frame, merged into at most `N` rectangles to resend.
//!
//! Policy: two rectangles are merged whenever their union costs no more pixels than sending
//! both (`area(a ∪ b) <= area(a) + area(b)`), which also absorbs contained and heavily
//! overlapping rectangles. When all `N` slots are taken, the pair whose union adds the fewest
//! pixels is merged. Everything is clipped to the screen.

use embedded_graphics::primitives::Rectangle;
use heapless::Vec;

use crate::rect;

/// At most `N` screen rectangles that must be resent.
#[derive(Debug, Clone)]
pub struct DirtyRegions<const N: usize> {
    screen: Rectangle,
    regions: Vec<Rectangle, N>,
}

impl<const N: usize> DirtyRegions<N> {
    /// No dirty region on a screen whose bounding box is `screen`.
    pub const fn new(screen: Rectangle) -> Self {
        DirtyRegions {
            screen,
            regions: Vec::new(),
        }
    }

    /// The union of two frames' drawn areas: what must be resent so that last frame's
    /// overlays disappear and this frame's appear.
    pub fn from_frames(screen: Rectangle, previous: &[Rectangle], current: &[Rectangle]) -> Self {
        let mut d = DirtyRegions::new(screen);
        for r in previous.iter().chain(current.iter()) {
            d.add(r);
        }
        d
    }

    /// Marks `r` (clipped to the screen) dirty.
    pub fn add(&mut self, r: &Rectangle) {
        let mut r = rect::intersect(r, &self.screen);
        if rect::is_empty(&r) || N == 0 {
            return;
        }
        // Absorb every region that is cheaper merged, repeatedly: a merge can grow `r` enough
        // to make earlier-rejected regions cheap too.
        loop {
            let hit = self.regions.iter().position(|q| cheap_to_merge(q, &r));
            match hit {
                Some(i) => {
                    let q = self.regions.swap_remove(i);
                    r = rect::union(&q, &r);
                }
                None => break,
            }
        }
        if let Err(r) = self.regions.push(r) {
            self.merge_when_full(r);
        }
    }

    /// Marks the whole screen dirty.
    pub fn add_all(&mut self) {
        let s = self.screen;
        self.add(&s);
    }

    /// The regions to resend.
    pub fn regions(&self) -> &[Rectangle] {
        &self.regions
    }

    /// Total pixels to resend.
    pub fn pixel_count(&self) -> u64 {
        self.regions.iter().map(rect::area).sum()
    }

    /// True when nothing needs resending.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Forgets every region.
    pub fn clear(&mut self) {
        self.regions.clear();
    }

    /// All slots are full and `r` overlaps none cheaply: merge the cheapest pair among the
    /// stored regions and `r`.
    fn merge_when_full(&mut self, r: Rectangle) {
        // Best pair (i, j) over the stored regions, where j == N stands for `r`.
        let n = self.regions.len();
        let get = |k: usize| if k == n { r } else { self.regions[k] };
        let mut best = (0, n, u64::MAX);
        for i in 0..n {
            for j in (i + 1)..=n {
                let cost = growth(&get(i), &get(j));
                if cost < best.2 {
                    best = (i, j, cost);
                }
            }
        }
        let (i, j, _) = best;
        let merged = rect::union(&get(i), &get(j));
        if j == n {
            self.regions.swap_remove(i);
        } else {
            // j > i: remove j first so i keeps its index.
            self.regions.swap_remove(j);
            self.regions.swap_remove(i);
            // One slot is free for `r` now.
            let _ = self.regions.push(r);
        }
        // The merged rectangle may now overlap others cheaply; re-adding resolves that.
        self.add(&merged);
    }
}

/// Extra pixels the union of `a` and `b` sends compared with sending both.
fn growth(a: &Rectangle, b: &Rectangle) -> u64 {
    rect::area(&rect::union(a, b)).saturating_sub(rect::area(a) + rect::area(b))
}

fn cheap_to_merge(a: &Rectangle, b: &Rectangle) -> bool {
    growth(a, b) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::prelude::*;

    fn r(x: i32, y: i32, w: u32, h: u32) -> Rectangle {
        Rectangle::new(Point::new(x, y), Size::new(w, h))
    }

    const SCREEN: Rectangle = Rectangle::new(Point::new(0, 0), Size::new(240, 240));

    #[test]
    fn disjoint_regions_stay_apart() {
        let mut d = DirtyRegions::<4>::new(SCREEN);
        d.add(&r(0, 0, 10, 10));
        d.add(&r(100, 100, 10, 10));
        assert_eq!(d.regions(), &[r(0, 0, 10, 10), r(100, 100, 10, 10)]);
        assert_eq!(d.pixel_count(), 200);
    }

    #[test]
    fn contained_and_overlapping_regions_merge() {
        let mut d = DirtyRegions::<4>::new(SCREEN);
        d.add(&r(10, 10, 50, 50));
        d.add(&r(20, 20, 5, 5));
        assert_eq!(d.regions(), &[r(10, 10, 50, 50)]);
        // Shifted by 5: the union (55x50 = 2750) is cheaper than both (5000).
        d.add(&r(15, 10, 50, 50));
        assert_eq!(d.regions(), &[r(10, 10, 55, 50)]);
    }

    #[test]
    fn diagonal_overlap_is_not_merged() {
        let mut d = DirtyRegions::<4>::new(SCREEN);
        d.add(&r(0, 0, 20, 20));
        d.add(&r(15, 15, 20, 20));
        // The union would be 35x35 = 1225 > 800: both are kept.
        assert_eq!(d.regions().len(), 2);
    }

    #[test]
    fn chain_merge_after_growth() {
        let mut d = DirtyRegions::<4>::new(SCREEN);
        d.add(&r(0, 0, 10, 10));
        d.add(&r(20, 0, 10, 10));
        assert_eq!(d.regions().len(), 2);
        // Bridges both: all three become one row.
        d.add(&r(5, 0, 20, 10));
        assert_eq!(d.regions(), &[r(0, 0, 30, 10)]);
    }

    #[test]
    fn over_capacity_merges_cheapest_pair() {
        let mut d = DirtyRegions::<2>::new(SCREEN);
        d.add(&r(0, 0, 10, 10));
        d.add(&r(200, 200, 10, 10));
        // Close to the first: merging with it adds the fewest pixels.
        d.add(&r(12, 0, 10, 10));
        let regions = d.regions();
        assert_eq!(regions.len(), 2);
        assert!(regions.contains(&r(0, 0, 22, 10)));
        assert!(regions.contains(&r(200, 200, 10, 10)));
    }

    #[test]
    fn over_capacity_may_merge_two_stored_regions() {
        let mut d = DirtyRegions::<2>::new(SCREEN);
        d.add(&r(0, 0, 10, 10));
        d.add(&r(11, 0, 10, 10));
        d.add(&r(200, 200, 10, 10));
        let regions = d.regions();
        assert_eq!(regions.len(), 2);
        assert!(regions.contains(&r(0, 0, 21, 10)));
        assert!(regions.contains(&r(200, 200, 10, 10)));
    }

    #[test]
    fn every_pixel_stays_covered() {
        // Whatever merges happen, every added pixel stays covered.
        let added = [
            r(3, 4, 30, 20),
            r(100, 7, 12, 60),
            r(50, 150, 40, 40),
            r(200, 200, 60, 60),
            r(-20, 100, 30, 5),
            r(120, 120, 3, 3),
            r(60, 10, 50, 8),
        ];
        let d = DirtyRegions::<3>::from_frames(SCREEN, &added[..3], &added[3..]);
        assert!(d.regions().len() <= 3);
        for a in &added {
            let a = rect::intersect(a, &SCREEN);
            for p in a.points() {
                assert!(d.regions().iter().any(|q| q.contains(p)), "{p:?} lost");
            }
        }
        for q in d.regions() {
            assert_eq!(rect::intersect(q, &SCREEN), *q);
        }
    }

    #[test]
    fn offscreen_and_empty_are_ignored() {
        let mut d = DirtyRegions::<2>::new(SCREEN);
        d.add(&r(-50, -50, 10, 10));
        d.add(&r(10, 10, 0, 5));
        assert!(d.is_empty());
        d.add(&r(230, 230, 50, 50));
        assert_eq!(d.regions(), &[r(230, 230, 10, 10)]);
        d.add_all();
        assert_eq!(d.regions(), &[SCREEN]);
    }
}
