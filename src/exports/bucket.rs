//! The `bucket` resource behind every dialect's store: one method per bucket operation, each
//! returning the core's [`Error`], which each dialect converts to its own error type.

use std::cell::Cell;

use super::with_store;
use crate::store::{BucketId, Error, Found, KeyPage, Store, Version};

/// The exported `bucket` resource, for draft, draft2 and the Golem dialect alike: which bucket
/// of the store it names. Handles share the bucket's data; dropping one changes nothing in the
/// store.
///
/// A handle names its bucket by identifier. After a snapshot load the bucket may not exist in
/// the loaded store: reads then see it empty and create nothing (usage and the next snapshot stay
/// as loaded); the first write creates it, as `open` would.
#[derive(Clone)]
pub struct BucketHandle {
    identifier: Box<str>,
    /// The bucket, and the store generation in which that id is valid.
    id: Cell<(BucketId, u64)>,
}

impl BucketHandle {
    /// Open (creating if need be) the bucket called `identifier`.
    pub fn open(identifier: String) -> Result<Self, Error> {
        let id =
            with_store(|store| Ok::<_, Error>((store.open(&identifier)?, store.generation())))?;
        Ok(Self {
            identifier: identifier.into(),
            id: Cell::new(id),
        })
    }

    /// The bucket in the store as it is now, if it exists; found again by identifier if a
    /// snapshot was loaded since the handle last looked. Never creates it.
    fn find(&self, store: &Store) -> Option<BucketId> {
        let (id, generation) = self.id.get();
        if generation == store.generation() {
            return Some(id);
        }
        let id = store.find(&self.identifier)?;
        self.id.set((id, store.generation()));
        Some(id)
    }

    /// Run a read on the bucket: [`BucketId::ABSENT`] if it does not exist.
    fn read<R>(&self, f: impl FnOnce(&Store, BucketId) -> R) -> R {
        with_store(|store| f(store, self.find(store).unwrap_or(BucketId::ABSENT)))
    }

    /// Run a write on the bucket, creating it first if a snapshot load removed it (and not, if
    /// the write is refused). The handle finds the new bucket by identifier on its next call.
    fn write<R>(
        &self,
        f: impl FnOnce(&mut Store, BucketId) -> Result<R, Error>,
    ) -> Result<R, Error> {
        with_store(|store| {
            if self.find(store).is_none() {
                return store.write_to(&self.identifier, f);
            }
            let (id, _) = self.id.get();
            f(store, id)
        })
    }

    /// A copy of the value of `key`, if it exists.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        self.read(|store, id| store.get_copy(id, key))
    }

    /// Store `value` under `key`.
    pub fn set(&self, key: &str, value: Vec<u8>) -> Result<(), Error> {
        self.write(|store, id| store.set(id, key, value))
    }

    /// Remove `key`; a missing key (or bucket) is not an error.
    pub fn delete(&self, key: &str) {
        with_store(|store| {
            if let Some(id) = self.find(store) {
                store.delete(id, key);
            }
        });
    }

    /// Whether `key` exists.
    pub fn exists(&self, key: &str) -> bool {
        self.read(|store, id| store.exists(id, key))
    }

    /// One page of keys after the draft's numbered `cursor`.
    pub fn list_keys(&self, cursor: Option<u64>) -> Result<KeyPage, Error> {
        // Issuing a cursor changes the store's cursor table, never the bucket.
        with_store(|store| {
            let id = self.find(store).unwrap_or(BucketId::ABSENT);
            store.list_keys(id, cursor)
        })
    }

    /// One page of keys after the key `after` (draft2's string cursor), and the next cursor.
    pub fn list_keys_after(
        &self,
        after: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Error> {
        self.read(|store, id| store.list_keys_after(id, after))
    }

    /// Every key, in one list (Golem's `get-keys`).
    #[cfg(feature = "golem")]
    pub fn all_keys(&self) -> Result<Vec<String>, Error> {
        self.read(|store, id| store.all_keys(id))
    }

    /// Each requested key with a copy of its value, if it exists.
    pub fn get_many(&self, keys: Vec<String>) -> Result<Vec<Found>, Error> {
        self.read(|store, id| store.get_many(id, keys))
    }

    /// Every pair, or none of them.
    pub fn set_many(&self, entries: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        self.write(|store, id| store.set_many(id, entries))
    }

    /// Remove each key; missing keys are skipped.
    pub fn delete_many(&self, keys: Vec<String>) {
        with_store(|store| {
            if let Some(id) = self.find(store) {
                store.delete_many(id, keys);
            }
        });
    }

    /// Add `delta` to the u64 counter under `key`.
    pub fn increment(&self, key: &str, delta: u64) -> Result<u64, Error> {
        self.write(|store, id| store.increment(id, key, delta))
    }

    /// Add `delta` to the s64 counter under `key`.
    pub fn increment_signed(&self, key: &str, delta: i64) -> Result<i64, Error> {
        self.write(|store, id| store.increment_signed(id, key, delta))
    }

    /// Golem's compare-and-swap of a u64 counter: `None` if the key does not exist.
    #[cfg(feature = "golem")]
    pub fn compare_and_swap_counter(
        &self,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Option<bool>, Error> {
        if !self.exists(key) {
            return Ok(None);
        }
        self.write(|store, id| store.compare_and_swap_counter(id, key, old, new))
    }

    /// Where `key` stands now, and a copy of its value, for a later [`BucketHandle::swap`].
    pub fn observe(&self, key: &str) -> Result<(Version, Option<Vec<u8>>), Error> {
        self.read(|store, id| Ok((store.version(id, key), store.get_copy(id, key)?)))
    }

    /// Store `value` under `key` if nothing has written it since `expected`; returns whether
    /// it did.
    pub fn swap(&self, key: &str, expected: &Version, value: Vec<u8>) -> Result<bool, Error> {
        // Checked before `write` too, so that a swap that fails creates no bucket.
        if !expected.unchanged_at(&self.read(|store, id| store.version(id, key))) {
            return Ok(false);
        }
        self.write(|store, id| store.swap(id, key, expected, value))
    }
}
