// SPDX-License-Identifier: Apache-2.0
//! Face tracking across frames: IoU association, stable track ids, temporal voting on
//! identity and liveness, and the per-frame budget deciding which faces get the expensive
//! align / anti-spoof / embed stages.

use crate::detection::Detection;
use crate::geometry::BBox;
use crate::liveness::Liveness;
use heapless::{Deque, Vec};

/// Tracker settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackerConfig {
    /// Minimum IoU between a track and a detection to be the same face.
    pub match_iou: f32,
    /// Frames a track survives without a detection.
    pub max_missed: u32,
    /// Re-recognise a face after this many frames.
    pub refresh_frames: u32,
    /// Re-recognise when the IoU between the box now and at the last recognition falls
    /// below this (the face moved or changed size a lot).
    pub change_iou: f32,
    /// At most this many faces get work per frame (oldest recognition first).
    pub max_work_per_frame: usize,
    /// Weight of a vote one recognition older than another (0..=1).
    pub vote_decay: f32,
    /// Share of the weighted votes an identity needs to be reported.
    pub min_vote_share: f32,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            match_iou: 0.3,
            max_missed: 5,
            refresh_frames: 30,
            change_iou: 0.5,
            max_work_per_frame: 2,
            vote_decay: 0.8,
            min_vote_share: 0.6,
        }
    }
}

/// One recognition result recorded on a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// Matched identity, `None` for Unknown.
    pub identity: Option<u32>,
    /// Anti-spoof result.
    pub liveness: Liveness,
}

/// A track's identity after voting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityVote {
    /// No recognition yet.
    None,
    /// The votes disagree too much to say.
    Undecided,
    /// Most weight says nobody enrolled.
    Unknown,
    /// Most weight says this identity.
    Known(u32),
}

/// A face followed over frames; `R` recent observations are kept for voting.
#[derive(Debug, Clone)]
pub struct Track<const R: usize> {
    id: u32,
    detection: Detection,
    hits: u32,
    missed: u32,
    recognised_at: Option<u32>,
    recognised_box: BBox,
    votes: Deque<Observation, R>,
}

impl<const R: usize> Track<R> {
    /// Stable track id (never 0).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Latest detection (the last seen one if missed this frame).
    pub fn detection(&self) -> &Detection {
        &self.detection
    }

    /// Frames this face was detected in.
    pub fn hits(&self) -> u32 {
        self.hits
    }

    /// True when detected in the latest frame.
    pub fn is_visible(&self) -> bool {
        self.missed == 0
    }

    /// Recent observations, oldest first.
    pub fn observations(&self) -> impl Iterator<Item = &Observation> {
        self.votes.iter()
    }

    /// Weight of each observation, newest = 1, then `decay`, `decay^2`...
    fn weighted(&self, decay: f32) -> impl Iterator<Item = (f32, &Observation)> {
        let n = self.votes.len();
        self.votes.iter().enumerate().map(move |(i, o)| {
            let age = (n - 1 - i) as i32;
            (libm::powf(decay, age as f32), o)
        })
    }

    /// Decayed-weight vote on identity.
    pub fn identity(&self, cfg: &TrackerConfig) -> IdentityVote {
        if self.votes.is_empty() {
            return IdentityVote::None;
        }
        let total: f32 = self.weighted(cfg.vote_decay).map(|(w, _)| w).sum();
        let mut best = (0.0f32, None);
        for (_, cand) in self.weighted(cfg.vote_decay) {
            let support: f32 = self
                .weighted(cfg.vote_decay)
                .filter(|(_, o)| o.identity == cand.identity)
                .map(|(w, _)| w)
                .sum();
            if support > best.0 {
                best = (support, cand.identity);
            }
        }
        if best.0 < cfg.min_vote_share * total {
            IdentityVote::Undecided
        } else {
            best.1.map_or(IdentityVote::Unknown, IdentityVote::Known)
        }
    }

    /// Decayed-weight vote on liveness, cautious: `Spoof` when spoof weight is at least the
    /// live weight, `Live` only with more than half of all weight, else `Unsure`.
    pub fn liveness(&self, cfg: &TrackerConfig) -> Liveness {
        let (mut live, mut spoof, mut total) = (0.0f32, 0.0f32, 0.0f32);
        for (w, o) in self.weighted(cfg.vote_decay) {
            total += w;
            match o.liveness {
                Liveness::Live => live += w,
                Liveness::Spoof => spoof += w,
                Liveness::Unsure => {}
            }
        }
        if spoof > 0.0 && spoof >= live {
            Liveness::Spoof
        } else if live > 0.5 * total {
            Liveness::Live
        } else {
            Liveness::Unsure
        }
    }
}

/// Up to `T` tracks with `R` votes each.
#[derive(Debug, Clone)]
pub struct Tracker<const T: usize, const R: usize> {
    cfg: TrackerConfig,
    tracks: Vec<Track<R>, T>,
    next_id: u32,
    frame: u32,
}

/// Detections beyond this many per frame are ignored by the tracker.
pub const MAX_DETECTIONS: usize = 128;

impl<const T: usize, const R: usize> Tracker<T, R> {
    /// An empty tracker.
    pub const fn new(cfg: TrackerConfig) -> Self {
        Self {
            cfg,
            tracks: Vec::new(),
            next_id: 1,
            frame: 0,
        }
    }

    /// Settings.
    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    /// Frames processed.
    pub fn frame(&self) -> u32 {
        self.frame
    }

    /// Live tracks (visible or recently missed).
    pub fn tracks(&self) -> impl Iterator<Item = &Track<R>> {
        self.tracks.iter()
    }

    /// The track with `id`.
    pub fn get(&self, id: u32) -> Option<&Track<R>> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// Advances one frame with this frame's detections: greedy highest-IoU association,
    /// new tracks for unmatched detections (while capacity lasts), expiry of tracks missed
    /// for more than `max_missed` frames.
    pub fn update(&mut self, dets: &[Detection]) {
        self.frame = self.frame.wrapping_add(1);
        let dets = &dets[..dets.len().min(MAX_DETECTIONS)];
        let mut det_used: u128 = 0;
        let mut track_used: Vec<bool, T> = Vec::new();
        for _ in 0..self.tracks.len() {
            let _ = track_used.push(false);
        }
        loop {
            let mut best: Option<(f32, usize, usize)> = None;
            for (ti, t) in self.tracks.iter().enumerate() {
                if track_used[ti] {
                    continue;
                }
                for (di, d) in dets.iter().enumerate() {
                    if det_used & (1 << di) != 0 {
                        continue;
                    }
                    let iou = t.detection.bbox.iou(&d.bbox);
                    if iou >= self.cfg.match_iou && best.is_none_or(|b| iou > b.0) {
                        best = Some((iou, ti, di));
                    }
                }
            }
            let Some((_, ti, di)) = best else { break };
            track_used[ti] = true;
            det_used |= 1 << di;
            let t = &mut self.tracks[ti];
            t.detection = dets[di];
            t.hits = t.hits.saturating_add(1);
            t.missed = 0;
        }
        for (t, used) in self.tracks.iter_mut().zip(track_used.iter()) {
            if !used {
                t.missed = t.missed.saturating_add(1);
            }
        }
        let max_missed = self.cfg.max_missed;
        self.tracks.retain(|t| t.missed <= max_missed);
        for (di, d) in dets.iter().enumerate() {
            if det_used & (1 << di) != 0 || self.tracks.is_full() {
                continue;
            }
            let id = self.next_id;
            self.next_id = self.next_id.checked_add(1).unwrap_or(1);
            let _ = self.tracks.push(Track {
                id,
                detection: *d,
                hits: 1,
                missed: 0,
                recognised_at: None,
                recognised_box: d.bbox,
                votes: Deque::new(),
            });
        }
    }

    fn needs_work(&self, t: &Track<R>) -> bool {
        if !t.is_visible() {
            return false;
        }
        match t.recognised_at {
            None => true,
            Some(f) => {
                self.frame.wrapping_sub(f) >= self.cfg.refresh_frames
                    || t.detection.bbox.iou(&t.recognised_box) < self.cfg.change_iou
            }
        }
    }

    /// Ids of the visible tracks that need align / anti-spoof / embed this frame: new ones
    /// first, then the longest unrecognised, at most `max_work_per_frame` (and `W`).
    pub fn work<const W: usize>(&self, out: &mut Vec<u32, W>) {
        out.clear();
        let limit = self.cfg.max_work_per_frame.min(W);
        while out.len() < limit {
            // Priority: never recognised (age = MAX), else frames since recognition.
            let next = self
                .tracks
                .iter()
                .filter(|t| self.needs_work(t) && !out.contains(&t.id))
                .max_by_key(|t| {
                    t.recognised_at
                        .map_or(u32::MAX, |f| self.frame.wrapping_sub(f))
                });
            match next {
                Some(t) => {
                    let _ = out.push(t.id);
                }
                None => break,
            }
        }
    }

    /// Records the result of recognising track `id` this frame. Returns false if there is no
    /// such track.
    pub fn record(&mut self, id: u32, observation: Observation) -> bool {
        let frame = self.frame;
        let Some(t) = self.tracks.iter_mut().find(|t| t.id == id) else {
            return false;
        };
        if t.votes.is_full() {
            t.votes.pop_front();
        }
        let _ = t.votes.push_back(observation);
        t.recognised_at = Some(frame);
        t.recognised_box = t.detection.bbox;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, y: f32) -> Detection {
        Detection {
            bbox: BBox::new(x, y, x + 50.0, y + 60.0),
            score: 0.9,
            ..Detection::default()
        }
    }

    fn ids<const W: usize>(t: &Tracker<4, 5>) -> heapless::Vec<u32, W> {
        let mut v = heapless::Vec::new();
        t.work(&mut v);
        v
    }

    #[test]
    fn ids_are_stable_across_motion_and_swaps() {
        let mut t: Tracker<4, 5> = Tracker::new(TrackerConfig::default());
        t.update(&[det(0.0, 0.0), det(200.0, 0.0)]);
        let a = t
            .tracks()
            .find(|k| k.detection().bbox.x0 < 100.0)
            .unwrap()
            .id();
        let b = t
            .tracks()
            .find(|k| k.detection().bbox.x0 > 100.0)
            .unwrap()
            .id();
        assert_ne!(a, b);
        // Both move a little, listed in the other order.
        t.update(&[det(208.0, 4.0), det(6.0, 3.0)]);
        assert_eq!(t.get(a).unwrap().detection().bbox.x0, 6.0);
        assert_eq!(t.get(b).unwrap().detection().bbox.x0, 208.0);
        assert_eq!(t.get(a).unwrap().hits(), 2);
        // b disappears: kept for max_missed frames, then dropped.
        for _ in 0..5 {
            t.update(&[det(6.0, 3.0)]);
            assert!(t.get(b).is_some_and(|k| !k.is_visible()));
        }
        t.update(&[det(6.0, 3.0)]);
        assert!(t.get(b).is_none());
        // A new face far away gets a new id.
        t.update(&[det(6.0, 3.0), det(400.0, 300.0)]);
        assert_eq!(t.tracks().count(), 2);
        assert!(t.tracks().all(|k| k.id() == a || k.id() > b));
    }

    #[test]
    fn capacity_is_respected() {
        let mut t: Tracker<4, 5> = Tracker::new(TrackerConfig::default());
        let many: std::vec::Vec<Detection> = (0..7).map(|i| det(100.0 * i as f32, 0.0)).collect();
        t.update(&many);
        assert_eq!(t.tracks().count(), 4);
    }

    #[test]
    fn work_budget_new_changed_and_stale_tracks() {
        let cfg = TrackerConfig {
            refresh_frames: 10,
            max_work_per_frame: 2,
            ..TrackerConfig::default()
        };
        let mut t: Tracker<4, 5> = Tracker::new(cfg);
        t.update(&[det(0.0, 0.0), det(200.0, 0.0), det(400.0, 0.0)]);
        let first: heapless::Vec<u32, 4> = ids(&t);
        assert_eq!(first.len(), 2, "budget caps the work");
        let live = Observation {
            identity: Some(7),
            liveness: Liveness::Live,
        };
        for &id in &first {
            assert!(t.record(id, live));
        }
        t.update(&[det(0.0, 0.0), det(200.0, 0.0), det(400.0, 0.0)]);
        let second: heapless::Vec<u32, 4> = ids(&t);
        assert_eq!(second.len(), 1, "only the face not yet recognised");
        assert!(!first.contains(&second[0]));
        t.record(second[0], live);
        // Nothing to do while faces stay put.
        t.update(&[det(0.0, 0.0), det(200.0, 0.0), det(400.0, 0.0)]);
        assert!(ids::<4>(&t).is_empty());
        // One face moves by half its width: IoU to its recognised box < 0.5 -> work.
        t.update(&[det(30.0, 0.0), det(200.0, 0.0), det(400.0, 0.0)]);
        let moved: heapless::Vec<u32, 4> = ids(&t);
        assert_eq!(moved.len(), 1);
        assert_eq!(t.get(moved[0]).unwrap().detection().bbox.x0, 30.0);
        t.record(moved[0], live);
        // After refresh_frames, everybody is due again, oldest first, capped at 2.
        for _ in 0..10 {
            t.update(&[det(30.0, 0.0), det(200.0, 0.0), det(400.0, 0.0)]);
        }
        let due: heapless::Vec<u32, 4> = ids(&t);
        assert_eq!(due.len(), 2);
        assert!(!due.contains(&moved[0]), "most recently recognised waits");
        assert!(!t.record(999, live));
    }

    #[test]
    fn voting_on_identity_and_liveness() {
        let cfg = TrackerConfig::default();
        let mut t: Tracker<4, 5> = Tracker::new(cfg);
        t.update(&[det(0.0, 0.0)]);
        let id = t.tracks().next().unwrap().id();
        assert_eq!(t.get(id).unwrap().identity(&cfg), IdentityVote::None);
        let obs = |identity, liveness| Observation { identity, liveness };
        for o in [
            obs(Some(1), Liveness::Live),
            obs(Some(1), Liveness::Live),
            obs(Some(2), Liveness::Live),
            obs(Some(1), Liveness::Unsure),
        ] {
            t.record(id, o);
        }
        let tr = t.get(id).unwrap();
        assert_eq!(tr.identity(&cfg), IdentityVote::Known(1));
        assert_eq!(tr.liveness(&cfg), Liveness::Live);
        // Two recent Unknowns and a recent spoof flip the picture.
        t.record(id, obs(None, Liveness::Spoof));
        t.record(id, obs(None, Liveness::Spoof));
        t.record(id, obs(None, Liveness::Live));
        let tr = t.get(id).unwrap();
        assert_eq!(tr.observations().count(), 5, "ring keeps the last R");
        // Weights newest first: None 1, None .8, None .64, Some(1) .512, Some(2) .41.
        assert_eq!(tr.identity(&cfg), IdentityVote::Unknown);
        // Spoof .8 + .64 = 1.44 >= live 1 + .41 = 1.41 -> Spoof.
        assert_eq!(tr.liveness(&cfg), Liveness::Spoof);
        // An even split is undecided.
        let mut u: Tracker<4, 2> = Tracker::new(TrackerConfig {
            vote_decay: 1.0,
            ..cfg
        });
        u.update(&[det(0.0, 0.0)]);
        let uid = u.tracks().next().unwrap().id();
        u.record(uid, obs(Some(1), Liveness::Unsure));
        u.record(uid, obs(Some(2), Liveness::Unsure));
        assert_eq!(u.get(uid).unwrap().identity(&cfg), IdentityVote::Undecided);
        assert_eq!(u.get(uid).unwrap().liveness(&cfg), Liveness::Unsure);
    }
}
