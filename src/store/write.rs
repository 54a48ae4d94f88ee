//! The one write path: checked against the limits as it is applied, undone if refused.

use super::entry::Entry;
use super::limits::{Limit, check, entry_bytes};
use super::{BucketId, Error, Store};

/// How to take back one write: its bucket, its key and the value it replaced with that value's
/// stamp (`None` for a key it added).
pub(super) type Undo = (BucketId, String, Option<Replaced>);

/// A value a write replaced, and its stamp.
pub(super) type Replaced = (Entry, u64);

/// One or more writes that either all happen or none does: each is checked against the limits
/// as it is applied, and if one is refused (or the `Write` is dropped uncommitted), the ones
/// before it are undone, newest first. Undoing never allocates, so it cannot fail.
pub(super) struct Write<'a> {
    store: &'a mut Store,
    /// What each applied write replaced, as its caller records it: the bucket, the key and its
    /// old value (`None` for a key the write added). A single write records nothing.
    pub(super) undo: Vec<Undo>,
    total_bytes: u64,
    new_entries: u64,
}

impl<'a> Write<'a> {
    pub(super) fn start(store: &'a mut Store) -> Self {
        let total_bytes = store.usage.total_bytes;
        Self {
            store,
            undo: Vec::new(),
            total_bytes,
            new_entries: 0,
        }
    }

    /// Apply one write whose key and value sizes were already checked; returns the value it
    /// replaced and its stamp (`None` for a new key). A list or a set under the key is replaced
    /// like any value, as Redis's `SET` replaces one. O(1) expected, plus O(log n) for a new
    /// key.
    pub(super) fn set(
        &mut self,
        bucket: BucketId,
        key: &str,
        value: Box<[u8]>,
    ) -> Result<Option<Replaced>, Error> {
        let store = &mut *self.store;
        let replaced = match store.bucket(bucket).find(key) {
            Some(slot) => {
                let old = store.bucket(bucket).value(slot).charge();
                let total = self.total_bytes - old + value.len() as u64;
                store.check_total(total)?;
                self.total_bytes = total;
                Some(store.bucket_mut(bucket).replace(slot, Entry::Bytes(value)))
            }
            None => {
                let total = self.total_bytes + entry_bytes(key.len(), value.len());
                store.check_new_entry(bucket, total)?;
                store.bucket_mut(bucket).insert(key, Entry::Bytes(value))?;
                self.total_bytes = total;
                self.new_entries += 1;
                None
            }
        };
        Ok(replaced)
    }

    /// Keep every write and count them in the store's usage.
    pub(super) fn commit(mut self) {
        self.store.usage.total_bytes = self.total_bytes;
        self.store.usage.entries += self.new_entries;
        self.undo.clear();
    }
}

impl Store {
    /// Refuse a new entry in `bucket` that would bring the store's total to `total` bytes, if
    /// that or the bucket's entry count would pass a limit.
    pub(super) fn check_new_entry(&self, bucket: BucketId, total: u64) -> Result<(), Error> {
        self.check_total(total)?;
        check(
            Limit::EntriesPerBucket,
            self.len(bucket) as u64 + 1,
            self.limits.max_entries_per_bucket,
        )
    }

    /// Add an entry read from a snapshot to `bucket`, with the checks of a write: its key must
    /// sort after every key already there, and the bucket's hash index and order are built once
    /// it is full ([`Store::finish_appends`]). O(1), plus the items of a list or set.
    pub(super) fn append(
        &mut self,
        bucket: BucketId,
        key: &str,
        value: Entry,
    ) -> Result<(), Error> {
        self.check_key(key)?;
        match &value {
            Entry::Bytes(bytes) => self.check_value(bytes)?,
            collection => {
                for item in collection.items() {
                    self.check_value(item)?;
                }
            }
        }
        let total = self.usage.total_bytes + entry_bytes(key.len(), value.charge());
        self.check_new_entry(bucket, total)?;
        self.bucket_mut(bucket).append(key, value)?;
        self.usage.total_bytes = total;
        self.usage.entries += 1;
        Ok(())
    }

    /// Build the hash index and the order of a bucket filled by [`Store::append`]. O(n).
    pub(super) fn finish_appends(&mut self, bucket: BucketId) -> Result<(), Error> {
        self.bucket_mut(bucket).finish_appends()
    }
}

impl Drop for Write<'_> {
    fn drop(&mut self) {
        for (bucket, key, old) in self.undo.drain(..).rev() {
            let bucket = self.store.bucket_mut(bucket);
            match old {
                Some((old, stamp)) => {
                    if let Some(slot) = bucket.find(&key) {
                        bucket.put_back(slot, old, stamp);
                    }
                }
                None => bucket.take_back(&key),
            }
        }
    }
}
