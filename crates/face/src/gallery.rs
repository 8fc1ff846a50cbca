// SPDX-License-Identifier: Apache-2.0
//! The enrolled identities: a fixed-capacity list of named templates.

use crate::embedding::Embedding;
use crate::Error;
use heapless::Vec;

/// An identity's name: at most 32 bytes of UTF-8.
pub type Name = heapless::String<32>;

/// Checks and copies a name: not empty, at most 32 bytes.
pub fn make_name(s: &str) -> Result<Name, Error> {
    if s.is_empty() {
        return Err(Error::EmptyName);
    }
    let mut n = Name::new();
    n.push_str(s).map_err(|_| Error::NameTooLong)?;
    Ok(n)
}

/// One enrolled person: a stable id, a unique name and one (averaged) template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity<const D: usize> {
    /// Stable id, never 0.
    pub id: u32,
    /// Unique name.
    pub name: Name,
    /// Template.
    pub embedding: Embedding<D>,
}

/// Up to `CAP` identities with `D`-dimensional templates, no heap.
#[derive(Debug, Clone)]
pub struct Gallery<const CAP: usize, const D: usize> {
    entries: Vec<Identity<D>, CAP>,
    next_id: u32,
}

impl<const CAP: usize, const D: usize> Default for Gallery<CAP, D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const CAP: usize, const D: usize> Gallery<CAP, D> {
    /// An empty gallery.
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
            next_id: 1,
        }
    }

    /// Number of identities.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nobody is enrolled.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Maximum number of identities.
    pub const fn capacity(&self) -> usize {
        CAP
    }

    /// All identities, in enrolment order.
    pub fn iter(&self) -> core::slice::Iter<'_, Identity<D>> {
        self.entries.iter()
    }

    /// The identity with `id`.
    pub fn get(&self, id: u32) -> Option<&Identity<D>> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The identity named `name` (exact, case-sensitive).
    pub fn find_name(&self, name: &str) -> Option<&Identity<D>> {
        self.entries.iter().find(|e| e.name.as_str() == name)
    }

    /// The id the next [`enroll`](Self::enroll) will assign.
    pub fn next_id(&self) -> u32 {
        self.next_id
    }

    /// Enrols `name` with `embedding`; returns the new id.
    pub fn enroll(&mut self, name: &str, embedding: Embedding<D>) -> Result<u32, Error> {
        let id = self.next_id;
        self.insert(Identity {
            id,
            name: make_name(name)?,
            embedding,
        })?;
        Ok(id)
    }

    /// Inserts an identity with a given id (loading from storage). Errors on a duplicate
    /// name, a duplicate or zero id, or a full gallery.
    pub fn insert(&mut self, identity: Identity<D>) -> Result<(), Error> {
        if identity.name.is_empty() {
            return Err(Error::EmptyName);
        }
        if self.find_name(&identity.name).is_some() {
            return Err(Error::DuplicateName);
        }
        if identity.id == 0 || self.get(identity.id).is_some() {
            return Err(Error::InvalidParameter("identity id in use"));
        }
        if self.entries.is_full() {
            return Err(Error::GalleryFull);
        }
        self.next_id = self.next_id.max(identity.id.saturating_add(1));
        self.entries.push(identity).map_err(|_| Error::GalleryFull)
    }

    /// Renames identity `id`; the new name must be valid and unused by anybody else.
    pub fn rename(&mut self, id: u32, name: &str) -> Result<(), Error> {
        let name = make_name(name)?;
        if self.find_name(&name).is_some_and(|e| e.id != id) {
            return Err(Error::DuplicateName);
        }
        let e = self
            .entries
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or(Error::UnknownIdentity { id })?;
        e.name = name;
        Ok(())
    }

    /// Replaces identity `id`'s template (re-enrolment).
    pub fn set_embedding(&mut self, id: u32, embedding: Embedding<D>) -> Result<(), Error> {
        let e = self
            .entries
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or(Error::UnknownIdentity { id })?;
        e.embedding = embedding;
        Ok(())
    }

    /// Removes identity `id` and returns it.
    pub fn delete(&mut self, id: u32) -> Result<Identity<D>, Error> {
        let pos = self
            .entries
            .iter()
            .position(|e| e.id == id)
            .ok_or(Error::UnknownIdentity { id })?;
        Ok(self.entries.remove(pos))
    }

    /// Removes everybody (ids keep counting up).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emb(i: usize) -> Embedding<4> {
        let mut v = [0.1f32; 4];
        v[i % 4] = 1.0;
        Embedding::from_f32(&v).unwrap()
    }

    #[test]
    fn enroll_rename_delete() {
        let mut g: Gallery<2, 4> = Gallery::new();
        let a = g.enroll("alice", emb(0)).unwrap();
        let b = g.enroll("bob", emb(1)).unwrap();
        assert_ne!(a, b);
        assert_eq!(g.enroll("carol", emb(2)), Err(Error::GalleryFull));
        assert_eq!(g.rename(b, "alice"), Err(Error::DuplicateName));
        g.rename(b, "robert").unwrap();
        g.rename(b, "robert").unwrap(); // renaming to its own name is fine
        assert_eq!(g.find_name("robert").unwrap().id, b);
        assert_eq!(g.delete(a).unwrap().name.as_str(), "alice");
        assert_eq!(g.delete(a), Err(Error::UnknownIdentity { id: a }));
        let c = g.enroll("alice", emb(2)).unwrap();
        assert!(c > b, "ids are not reused while the gallery lives");
        assert_eq!(g.iter().map(|e| e.id).collect::<std::vec::Vec<_>>(), [b, c]);
        assert_eq!(g.rename(99, "x"), Err(Error::UnknownIdentity { id: 99 }));
    }

    #[test]
    fn names_are_checked() {
        let mut g: Gallery<4, 4> = Gallery::new();
        assert_eq!(g.enroll("", emb(0)), Err(Error::EmptyName));
        let long = "abcdefghijklmnopqrstuvwxyz0123456"; // 33 bytes
        assert_eq!(g.enroll(long, emb(0)), Err(Error::NameTooLong));
        assert!(g.enroll(&long[..32], emb(0)).is_ok());
        // Multi-byte UTF-8: 11 three-byte chars = 33 bytes.
        assert_eq!(g.enroll(&"€".repeat(11), emb(1)), Err(Error::NameTooLong));
        assert_eq!(g.enroll("Zoë", emb(1)).map(|_| ()), Ok(()));
        assert_eq!(g.len(), 2);
    }

    #[test]
    fn insert_keeps_ids_and_advances_next() {
        let mut g: Gallery<4, 4> = Gallery::new();
        let ident = |id, name| Identity {
            id,
            name: make_name(name).unwrap(),
            embedding: emb(0),
        };
        g.insert(ident(7, "x")).unwrap();
        assert_eq!(g.next_id(), 8);
        assert!(g.insert(ident(7, "y")).is_err());
        assert!(g.insert(ident(0, "z")).is_err());
        assert_eq!(g.insert(ident(3, "x")), Err(Error::DuplicateName));
        assert_eq!(g.enroll("w", emb(1)).unwrap(), 8);
    }
}
