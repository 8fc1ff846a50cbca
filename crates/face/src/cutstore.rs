// SPDX-License-Identifier: Apache-2.0
//! A [`GalleryStore`] wrapper that simulates a power cut after a given number of writes,
//! optionally tearing the write that was under way.

use crate::store::GalleryStore;

/// Errors of a [`CutStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutError<E> {
    /// Power is off: nothing more is written.
    PowerCut,
    /// The wrapped store failed.
    Inner(E),
}

/// Lets `budget` mutations (writes and deletes) through, then fails every mutation. With
/// `torn`, the first refused write leaves the first half of its data behind, as a flash
/// write interrupted mid-way would.
#[derive(Debug)]
pub struct CutStore<S> {
    inner: S,
    budget: usize,
    torn: bool,
    done: usize,
}

impl<S: GalleryStore> CutStore<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, budget: usize, torn: bool) -> Self {
        Self {
            inner,
            budget,
            torn,
            done: 0,
        }
    }

    /// Mutations that went through.
    pub fn mutations(&self) -> usize {
        self.done
    }

    /// True once a mutation was refused.
    pub fn is_cut(&self) -> bool {
        self.done >= self.budget
    }

    /// The wrapped store, as the next boot would find it.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn spend(&mut self) -> bool {
        if self.done < self.budget {
            self.done += 1;
            true
        } else {
            false
        }
    }
}

impl<S: GalleryStore> GalleryStore for CutStore<S> {
    type Error = CutError<S::Error>;

    fn read(&mut self, key: u16, buf: &mut [u8]) -> Result<Option<usize>, Self::Error> {
        self.inner.read(key, buf).map_err(CutError::Inner)
    }

    fn write(&mut self, key: u16, data: &[u8]) -> Result<(), Self::Error> {
        if self.spend() {
            return self.inner.write(key, data).map_err(CutError::Inner);
        }
        if self.torn {
            self.torn = false;
            self.inner
                .write(key, &data[..data.len() / 2])
                .map_err(CutError::Inner)?;
        }
        Err(CutError::PowerCut)
    }

    fn delete(&mut self, key: u16) -> Result<(), Self::Error> {
        if self.spend() {
            self.inner.delete(key).map_err(CutError::Inner)
        } else {
            Err(CutError::PowerCut)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memstore::MemStore;

    #[test]
    fn cuts_after_budget_and_tears_once() {
        let mut s = CutStore::new(MemStore::<4, 8>::new(), 1, true);
        s.write(1, b"abcd").unwrap();
        assert_eq!(s.write(2, b"efgh"), Err(CutError::PowerCut));
        assert_eq!(s.delete(1), Err(CutError::PowerCut));
        assert_eq!(s.write(3, b"ijkl"), Err(CutError::PowerCut));
        assert!(s.is_cut());
        let mut inner = s.into_inner();
        let mut buf = [0u8; 8];
        assert_eq!(inner.read(1, &mut buf), Ok(Some(4)));
        assert_eq!(inner.read(2, &mut buf), Ok(Some(2)), "torn: half written");
        assert_eq!(inner.read(3, &mut buf), Ok(None));
    }
}
