// SPDX-License-Identifier: Apache-2.0
//! A gallery mirrored to a [`GalleryStore`], one record per identity, safe against power cuts.
//!
//! Slots `0..=CAP` hold records. Every change writes a complete new record into a free slot
//! BEFORE removing the old one; the record's sequence number decides between two records of
//! one identity, so a cut at any point leaves either the old or the new state. Loading scans
//! all slots, skips (and reports) records that fail their CRC, and removes stale duplicates.

use crate::embedding::Embedding;
use crate::gallery::{make_name, Gallery, Identity};
use crate::record::{self, RecordError, MAX_RECORD_LEN};
use crate::store::GalleryStore;
use crate::Error;
use heapless::Vec;

/// Where an identity's current record lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    id: u32,
    key: u16,
    seq: u32,
}

/// One problem met while loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadIssue {
    /// Slot of the offending record.
    pub key: u16,
    /// What was wrong with it.
    pub error: RecordError,
}

/// What [`PersistentGallery::load`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Identities loaded.
    pub loaded: usize,
    /// Unreadable records (skipped; the first 8 are listed in `issues`).
    pub corrupt: usize,
    /// The first unreadable records.
    pub issues: Vec<LoadIssue, 8>,
    /// Superseded records removed (left by a cut during a change).
    pub stale_removed: usize,
}

/// A [`Gallery`] whose every change is written through to a store.
#[derive(Debug)]
pub struct PersistentGallery<S: GalleryStore, const CAP: usize, const D: usize> {
    store: S,
    gallery: Gallery<CAP, D>,
    slots: Vec<Slot, CAP>,
    /// Superseded records whose removal failed; removed before any later change.
    stale: Vec<u16, 4>,
    next_seq: u32,
    buf: [u8; MAX_RECORD_LEN],
}

impl<S: GalleryStore, const CAP: usize, const D: usize> PersistentGallery<S, CAP, D> {
    const SLOTS: usize = CAP + 1;

    /// An empty gallery over `store`, not yet loaded: `const`, so that it can live in a
    /// `static` (a gallery of 100 x 192-d is ~45 KB: too big to move through an MCU stack);
    /// call [`reload`](Self::reload) in place.
    pub const fn new(store: S) -> Self {
        Self {
            store,
            gallery: Gallery::new(),
            slots: Vec::new(),
            stale: Vec::new(),
            next_seq: 1,
            buf: [0; MAX_RECORD_LEN],
        }
    }

    /// Loads the gallery from `store` (an empty store gives an empty gallery). Convenience
    /// for hosts; on a device prefer [`new`](Self::new) + [`reload`](Self::reload).
    pub fn load(store: S) -> Result<(Self, LoadReport), Error> {
        let mut me = Self::new(store);
        let report = me.reload()?;
        Ok((me, report))
    }

    /// Replaces the in-memory gallery with what the store holds, in place.
    pub fn reload(&mut self) -> Result<LoadReport, Error> {
        if CAP + 1 > usize::from(u16::MAX) || 3 * D + 64 > MAX_RECORD_LEN {
            return Err(Error::InvalidParameter("gallery capacity or dimension"));
        }
        self.gallery.clear();
        self.slots.clear();
        self.stale.clear();
        self.next_seq = 1;
        let mut report = LoadReport::default();
        for key in 0..Self::SLOTS as u16 {
            let Some(n) = self
                .store
                .read(key, &mut self.buf)
                .map_err(|_| Error::Store)?
            else {
                continue;
            };
            let decoded = if n > MAX_RECORD_LEN {
                Err(RecordError::Length)
            } else {
                // The counters must be able to move past a record: a sequence number or id
                // at the top of the range (never written by this code) would pin them, so
                // a later change could not supersede it. Such a record is refused.
                record::decode::<D>(&self.buf[..n]).and_then(|(seq, identity)| {
                    if seq == u32::MAX || identity.id == u32::MAX {
                        Err(RecordError::Payload)
                    } else {
                        Ok((seq, identity))
                    }
                })
            };
            match decoded {
                Ok((seq, identity)) => self.adopt(key, seq, identity, &mut report)?,
                Err(error) => {
                    report.corrupt += 1;
                    let _ = report.issues.push(LoadIssue { key, error });
                }
            }
        }
        report.loaded = self.gallery.len();
        Ok(report)
    }

    /// Takes a valid record found at `key` during loading.
    fn adopt(
        &mut self,
        key: u16,
        seq: u32,
        identity: Identity<D>,
        report: &mut LoadReport,
    ) -> Result<(), Error> {
        self.next_seq = self.next_seq.max(seq.saturating_add(1));
        if let Some(pos) = self.slots.iter().position(|s| s.id == identity.id) {
            let old = self.slots[pos];
            let mut loser = key;
            if seq > old.seq {
                // Swap in the newer version; if it cannot coexist (its name is taken by
                // another identity, which this code never writes), keep the older one.
                let previous = self.gallery.delete(identity.id)?;
                if self.gallery.insert(identity).is_ok() {
                    self.slots[pos] = Slot {
                        id: old.id,
                        key,
                        seq,
                    };
                    loser = old.key;
                } else {
                    self.gallery.insert(previous)?;
                }
            }
            self.store.delete(loser).map_err(|_| Error::Store)?;
            report.stale_removed += 1;
            return Ok(());
        }
        let id = identity.id;
        match self.gallery.insert(identity) {
            Ok(()) => self
                .slots
                .push(Slot { id, key, seq })
                .map_err(|_| Error::GalleryFull),
            // Two identities with one name cannot be written by this code; keep the first.
            Err(_) => {
                report.corrupt += 1;
                let _ = report.issues.push(LoadIssue {
                    key,
                    error: RecordError::Payload,
                });
                Ok(())
            }
        }
    }

    /// The in-memory gallery (for matching).
    pub fn gallery(&self) -> &Gallery<CAP, D> {
        &self.gallery
    }

    /// The store (for inspection).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    fn free_key(&self) -> Result<u16, Error> {
        (0..Self::SLOTS as u16)
            .find(|k| !self.slots.iter().any(|s| s.key == *k) && !self.stale.contains(k))
            .ok_or(Error::GalleryFull)
    }

    fn flush_stale(&mut self) -> Result<(), Error> {
        while let Some(&k) = self.stale.last() {
            self.store.delete(k).map_err(|_| Error::Store)?;
            self.stale.pop();
        }
        Ok(())
    }

    /// Writes `identity`'s record into a free slot; returns (key, seq).
    fn write_record(&mut self, identity: &Identity<D>) -> Result<(u16, u32), Error> {
        self.flush_stale()?;
        let key = self.free_key()?;
        let seq = self.next_seq;
        let n = record::encode(seq, identity, &mut self.buf)?;
        self.store
            .write(key, &self.buf[..n])
            .map_err(|_| Error::Store)?;
        self.next_seq = seq.wrapping_add(1);
        Ok((key, seq))
    }

    /// Writes a changed identity, then retires its old record.
    fn replace(&mut self, identity: Identity<D>) -> Result<(), Error> {
        let pos = self
            .slots
            .iter()
            .position(|s| s.id == identity.id)
            .ok_or(Error::UnknownIdentity { id: identity.id })?;
        let (key, seq) = self.write_record(&identity)?;
        let old = self.slots[pos].key;
        self.slots[pos] = Slot {
            id: identity.id,
            key,
            seq,
        };
        self.gallery.delete(identity.id)?;
        self.gallery.insert(identity)?;
        if self.store.delete(old).is_err() {
            let _ = self.stale.push(old);
            return Err(Error::Store);
        }
        Ok(())
    }

    /// Enrols a new identity and stores it; returns its id.
    pub fn enroll(&mut self, name: &str, embedding: Embedding<D>) -> Result<u32, Error> {
        let identity = Identity {
            id: self.gallery.next_id(),
            name: make_name(name)?,
            embedding,
        };
        if self.gallery.find_name(name).is_some() {
            return Err(Error::DuplicateName);
        }
        if self.gallery.len() >= CAP {
            return Err(Error::GalleryFull);
        }
        let (key, seq) = self.write_record(&identity)?;
        let id = identity.id;
        self.gallery.insert(identity)?;
        self.slots
            .push(Slot { id, key, seq })
            .map_err(|_| Error::GalleryFull)?;
        Ok(id)
    }

    /// Renames identity `id`.
    pub fn rename(&mut self, id: u32, name: &str) -> Result<(), Error> {
        let mut identity = self
            .gallery
            .get(id)
            .ok_or(Error::UnknownIdentity { id })?
            .clone();
        identity.name = make_name(name)?;
        if self.gallery.find_name(name).is_some_and(|e| e.id != id) {
            return Err(Error::DuplicateName);
        }
        self.replace(identity)
    }

    /// Replaces identity `id`'s template (re-enrolment).
    pub fn set_embedding(&mut self, id: u32, embedding: Embedding<D>) -> Result<(), Error> {
        let mut identity = self
            .gallery
            .get(id)
            .ok_or(Error::UnknownIdentity { id })?
            .clone();
        identity.embedding = embedding;
        self.replace(identity)
    }

    /// Deletes identity `id` from the store and the gallery.
    pub fn delete(&mut self, id: u32) -> Result<(), Error> {
        let pos = self
            .slots
            .iter()
            .position(|s| s.id == id)
            .ok_or(Error::UnknownIdentity { id })?;
        // Older copies first, so a cut cannot resurrect a superseded record.
        self.flush_stale()?;
        self.store
            .delete(self.slots[pos].key)
            .map_err(|_| Error::Store)?;
        self.slots.swap_remove(pos);
        self.gallery.delete(id)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cutstore::CutStore;
    use crate::memstore::MemStore;
    use std::vec::Vec as StdVec;

    const D: usize = 8;
    const CAP: usize = 3;
    type Mem = MemStore<8, 256>;

    fn emb(seed: u32) -> Embedding<D> {
        let mut v = [0.0f32; D];
        for (i, x) in v.iter_mut().enumerate() {
            *x = ((seed as usize * 7 + i * 3) % 11) as f32 - 5.0;
        }
        Embedding::from_f32(&v).unwrap()
    }

    /// The gallery content, sorted by id, as a comparable value.
    fn state<const C: usize>(g: &Gallery<C, D>) -> StdVec<(u32, std::string::String, [i16; D])> {
        let mut v: StdVec<_> = g
            .iter()
            .map(|e| {
                (
                    e.id,
                    std::string::String::from(e.name.as_str()),
                    *e.embedding.as_q15(),
                )
            })
            .collect();
        v.sort();
        v
    }

    #[derive(Clone, Copy, Debug)]
    enum Op {
        Enroll(&'static str, u32),
        Rename(u32, &'static str),
        Reembed(u32, u32),
        Delete(u32),
    }

    const OPS: [Op; 11] = [
        Op::Enroll("ada", 1),
        Op::Enroll("bob", 2),
        Op::Rename(1, "ada lovelace"),
        Op::Enroll("cy", 3),
        Op::Rename(3, "cyrus"), // gallery full: uses the spare slot
        Op::Delete(2),
        Op::Enroll("dee", 4),
        Op::Reembed(1, 5),
        Op::Delete(1),
        Op::Rename(4, "delia"),
        Op::Enroll("eve", 6),
    ];

    fn apply<S: GalleryStore>(g: &mut PersistentGallery<S, CAP, D>, op: Op) -> Result<(), Error> {
        match op {
            Op::Enroll(name, seed) => g.enroll(name, emb(seed)).map(|_| ()),
            Op::Rename(id, name) => g.rename(id, name),
            Op::Reembed(id, seed) => g.set_embedding(id, emb(seed)),
            Op::Delete(id) => g.delete(id),
        }
    }

    #[test]
    fn round_trip_through_store() {
        let (mut g, report) = PersistentGallery::<Mem, CAP, D>::load(Mem::new()).unwrap();
        assert_eq!(report, LoadReport::default());
        for op in OPS {
            apply(&mut g, op).unwrap();
        }
        let want = state(g.gallery());
        assert_eq!(g.store().len(), 3);
        let (g2, report) = PersistentGallery::<Mem, CAP, D>::load(g.into_store()).unwrap();
        assert_eq!(state(g2.gallery()), want);
        assert_eq!(report.loaded, 3);
        let names: StdVec<_> = want.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(names, ["cyrus", "delia", "eve"]);
    }

    #[test]
    fn every_power_cut_leaves_a_completed_state() {
        // Reference run: the state after each completed operation, and the total writes.
        let (mut g, _) =
            PersistentGallery::<_, CAP, D>::load(CutStore::new(Mem::new(), usize::MAX, false))
                .unwrap();
        let mut states = StdVec::from([state(g.gallery())]);
        for op in OPS {
            apply(&mut g, op).unwrap();
            states.push(state(g.gallery()));
        }
        let total = g.store().mutations();
        assert!(total >= OPS.len());
        let mut checked = 0;
        for cut in 0..=total {
            for torn in [false, true] {
                let (mut g, _) =
                    PersistentGallery::<_, CAP, D>::load(CutStore::new(Mem::new(), cut, torn))
                        .unwrap();
                let mut completed = 0;
                for op in OPS {
                    if apply(&mut g, op).is_err() {
                        break;
                    }
                    completed += 1;
                }
                let store = g.into_store().into_inner();
                let (reloaded, report) = PersistentGallery::<_, CAP, D>::load(store).unwrap();
                let got = state(reloaded.gallery());
                let ok = got == states[completed]
                    || (completed < OPS.len() && got == states[completed + 1]);
                assert!(
                    ok,
                    "cut after {cut} writes (torn {torn}), {completed} ops done: {got:?}"
                );
                // A torn write is the only corruption a cut can cause, and it is reported.
                assert!(report.corrupt <= usize::from(torn), "{report:?}");
                // After the reboot the gallery keeps working and stays consistent.
                let mut g = reloaded;
                let before = state(g.gallery());
                if g.gallery().len() < CAP {
                    g.enroll("zed", emb(9)).unwrap();
                    assert_eq!(g.gallery().len(), before.len() + 1);
                }
                let (again, report) = PersistentGallery::<_, CAP, D>::load(g.into_store()).unwrap();
                assert_eq!(report.stale_removed, 0);
                assert_eq!(report.loaded, again.gallery().len());
                checked += 1;
            }
        }
        assert_eq!(checked, 2 * (total + 1));
    }

    #[test]
    fn corrupt_record_is_skipped_and_reported() {
        let (mut g, _) = PersistentGallery::<Mem, CAP, D>::load(Mem::new()).unwrap();
        let a = g.enroll("ada", emb(1)).unwrap();
        let b = g.enroll("bob", emb(2)).unwrap();
        let mut store = g.into_store();
        // Flip one payload byte of slot 1 (bob's record).
        let raw = store.raw_mut(1).unwrap();
        raw[20] ^= 0x10;
        // Slot 2: garbage of the right shape but wrong magic.
        store.write(2, &[0u8; 40]).unwrap();
        let (g, report) = PersistentGallery::<Mem, CAP, D>::load(store).unwrap();
        assert_eq!(report.loaded, 1);
        assert_eq!(report.corrupt, 2);
        assert_eq!(
            report.issues.as_slice(),
            &[
                LoadIssue {
                    key: 1,
                    error: RecordError::Crc
                },
                LoadIssue {
                    key: 2,
                    error: RecordError::Magic
                }
            ]
        );
        assert!(g.gallery().get(a).is_some());
        assert!(g.gallery().get(b).is_none());
        // The corrupt slots are reused.
        let mut g = g;
        g.enroll("cy", emb(3)).unwrap();
        g.enroll("dee", emb(4)).unwrap();
        let (g, report) = PersistentGallery::<Mem, CAP, D>::load(g.into_store()).unwrap();
        assert_eq!((report.loaded, report.corrupt), (3, 0));
        assert_eq!(g.gallery().len(), 3);
    }

    #[test]
    fn records_that_would_pin_the_counters_are_refused() {
        let mut store = Mem::new();
        let mut buf = [0u8; MAX_RECORD_LEN];
        let top_id = Identity::<D> {
            id: u32::MAX,
            name: crate::gallery::make_name("max-id").unwrap(),
            embedding: emb(1),
        };
        let n = record::encode(5, &top_id, &mut buf).unwrap();
        store.write(0, &buf[..n]).unwrap();
        let top_seq = Identity::<D> {
            id: 7,
            name: crate::gallery::make_name("max-seq").unwrap(),
            embedding: emb(2),
        };
        let n = record::encode(u32::MAX, &top_seq, &mut buf).unwrap();
        store.write(1, &buf[..n]).unwrap();
        let (mut g, report) = PersistentGallery::<Mem, CAP, D>::load(store).unwrap();
        assert_eq!((report.loaded, report.corrupt), (0, 2));
        // Enrolment still works: nothing pinned the id or sequence counters.
        let id = g.enroll("ada", emb(3)).unwrap();
        g.rename(id, "ada l").unwrap();
        let (g, report) = PersistentGallery::<Mem, CAP, D>::load(g.into_store()).unwrap();
        assert_eq!(report.loaded, 1);
        assert_eq!(g.gallery().get(id).map(|i| i.name.as_str()), Some("ada l"));
    }

    #[test]
    fn newer_duplicate_wins_and_older_is_removed() {
        let mut store = Mem::new();
        let mut buf = [0u8; 256];
        let ident = |name| Identity {
            id: 4,
            name: make_name(name).unwrap(),
            embedding: emb(1),
        };
        let n = record::encode(9, &ident("new"), &mut buf).unwrap();
        store.write(0, &buf[..n]).unwrap();
        let n = record::encode(3, &ident("old"), &mut buf).unwrap();
        store.write(2, &buf[..n]).unwrap();
        let (mut g, report) = PersistentGallery::<Mem, CAP, D>::load(store).unwrap();
        assert_eq!((report.loaded, report.stale_removed), (1, 1));
        assert_eq!(g.gallery().get(4).unwrap().name.as_str(), "new");
        assert_eq!(g.store().keys().collect::<StdVec<_>>(), [0]);
        // Sequence numbers continue above the highest seen.
        g.rename(4, "newer").unwrap();
        let mut raw = [0u8; 256];
        let key = g.store().keys().next().unwrap();
        let mut store = g.into_store();
        let n = store.read(key, &mut raw).unwrap().unwrap();
        assert_eq!(record::decode::<D>(&raw[..n]).unwrap().0, 10);
    }

    #[test]
    fn reload_in_place_matches_load() {
        new_is_const();
        let (mut g, _) = PersistentGallery::<Mem, CAP, D>::load(Mem::new()).unwrap();
        g.enroll("ada", emb(1)).unwrap();
        g.enroll("bob", emb(2)).unwrap();
        let want = state(g.gallery());
        let mut h = PersistentGallery::<Mem, CAP, D>::new(g.into_store());
        assert!(h.gallery().is_empty());
        assert_eq!(h.reload().unwrap().loaded, 2);
        assert_eq!(state(h.gallery()), want);
        // Reloading again changes nothing (no duplicates, same ids).
        assert_eq!(h.reload().unwrap().loaded, 2);
        assert_eq!(state(h.gallery()), want);
        assert_eq!(h.enroll("cy", emb(3)).unwrap(), 3);
    }

    /// `new` is usable in a const context (a `static` on a device).
    fn new_is_const() {
        const _G: PersistentGallery<Mem, 2, 4> = PersistentGallery::new(Mem::new());
    }

    #[test]
    fn refusals_write_nothing() {
        let (mut g, _) =
            PersistentGallery::<_, 2, D>::load(CutStore::new(Mem::new(), 2, false)).unwrap();
        g.enroll("a", emb(1)).unwrap();
        assert_eq!(g.enroll("a", emb(2)), Err(Error::DuplicateName));
        assert_eq!(
            g.enroll("abcdefghijklmnopqrstuvwxyz0123456", emb(2)),
            Err(Error::NameTooLong)
        );
        g.enroll("b", emb(2)).unwrap();
        assert_eq!(g.enroll("c", emb(3)), Err(Error::GalleryFull));
        assert_eq!(g.rename(1, "b"), Err(Error::DuplicateName));
        assert_eq!(g.delete(7), Err(Error::UnknownIdentity { id: 7 }));
        assert_eq!(g.store().mutations(), 2);
    }
}
