//! The pure core: one map of named buckets, each an ordered map of keys to values.
//!
//! Nothing here knows about WIT or the component model. Every exported interface is a thin adapter
//! over one [`Store`], which is why a value set through one interface is visible through all.
//! Costs are stated per method: `n` is the number of entries in the bucket, `b` the number of
//! buckets, `p` the page size. "Expected" costs come from the bucket's hash index.

mod bucket;
mod cursor;
mod error;
mod key;

use std::collections::BTreeMap;
use std::ops::Bound;

pub use cursor::CAPACITY as CURSOR_CAPACITY;
pub use error::{Error, KeyName};

use bucket::Bucket;
use cursor::CursorTable;

/// How many keys one `list-keys` page holds at most.
pub const PAGE_SIZE: usize = 1000;

/// Names one bucket of a [`Store`]; valid for the life of that store (buckets are never removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BucketId(usize);

/// One page of a key listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPage {
    /// Keys in ascending byte order, at most [`PAGE_SIZE`] of them.
    pub keys: Vec<String>,
    /// Where the next page starts; `None` when the listing is complete.
    pub cursor: Option<u64>,
}

/// The store: every bucket, and the cursors of listings in progress.
#[derive(Debug)]
pub struct Store {
    names: BTreeMap<Box<str>, BucketId>,
    buckets: Vec<Bucket>,
    cursors: CursorTable,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store, with no buckets.
    pub const fn new() -> Self {
        Self {
            names: BTreeMap::new(),
            buckets: Vec::new(),
            cursors: CursorTable::new(),
        }
    }

    /// The bucket called `name` (any string, `""` included), created empty on first use.
    /// O(log b).
    pub fn open(&mut self, name: &str) -> BucketId {
        if let Some(&id) = self.names.get(name) {
            return id;
        }
        let id = BucketId(self.buckets.len());
        self.buckets.push(Bucket::default());
        self.names.insert(name.into(), id);
        id
    }

    /// The bucket called `name`, if it has been opened; never creates one. O(log b).
    pub fn find(&self, name: &str) -> Option<BucketId> {
        self.names.get(name).copied()
    }

    fn bucket(&self, bucket: BucketId) -> &Bucket {
        &self.buckets[bucket.0]
    }

    fn bucket_mut(&mut self, bucket: BucketId) -> &mut Bucket {
        &mut self.buckets[bucket.0]
    }

    /// How many entries `bucket` holds. O(1).
    pub fn len(&self, bucket: BucketId) -> usize {
        self.bucket(bucket).len()
    }

    /// The value of `key`, if it exists. O(1) expected.
    pub fn get(&self, bucket: BucketId, key: &str) -> Option<&[u8]> {
        self.bucket(bucket).get(key)
    }

    /// Whether `key` exists. O(1) expected.
    pub fn exists(&self, bucket: BucketId, key: &str) -> bool {
        self.bucket(bucket).get(key).is_some()
    }

    /// Store `value` under `key`, replacing any previous value. Takes the value's buffer as it
    /// is, so a buffer received from the guest is kept without a copy. O(1) expected to replace
    /// a value, plus O(log n) to add a new key.
    pub fn set(&mut self, bucket: BucketId, key: &str, value: Vec<u8>) {
        self.bucket_mut(bucket).set(key, value.into_boxed_slice());
    }

    /// Remove `key`; returns whether it existed. Removing a missing key is not an error.
    /// O(1) expected plus O(log n).
    pub fn delete(&mut self, bucket: BucketId, key: &str) -> bool {
        self.bucket_mut(bucket).delete(key)
    }

    /// Each requested key in request order, duplicates included: `Some((key, value))` if it
    /// exists, `None` if not. O(k) expected for k keys.
    pub fn get_many(&self, bucket: BucketId, keys: Vec<String>) -> Vec<Option<(String, Vec<u8>)>> {
        keys.into_iter()
            .map(|key| {
                let value = self.get(bucket, &key)?.to_vec();
                Some((key, value))
            })
            .collect()
    }

    /// [`Store::set`] each pair, in order (a later duplicate wins).
    pub fn set_many(&mut self, bucket: BucketId, entries: Vec<(String, Vec<u8>)>) {
        for (key, value) in entries {
            self.set(bucket, &key, value);
        }
    }

    /// [`Store::delete`] each key, in order; missing keys are skipped.
    pub fn delete_many(&mut self, bucket: BucketId, keys: Vec<String>) {
        for key in keys {
            self.delete(bucket, &key);
        }
    }

    /// One page of the bucket's keys in ascending byte order: from the start with no cursor, or
    /// after the last key of the page that issued `cursor`. Keys set or deleted between pages are
    /// seen or not depending on where they fall; every key present for the whole listing is
    /// returned exactly once. O(p + log n), whatever the bucket's size.
    pub fn list_keys(&mut self, bucket: BucketId, cursor: Option<u64>) -> Result<KeyPage, Error> {
        let start = match cursor {
            Some(id) => Bound::Excluded(self.cursors.resume(id, bucket)?),
            None => Bound::Unbounded,
        };
        let bucket_entries = &self.buckets[bucket.0];
        let mut rest = bucket_entries.keys_after(start);
        let mut keys = Vec::with_capacity(PAGE_SIZE.min(bucket_entries.len()));
        let mut last = None;
        for key in rest.by_ref().take(PAGE_SIZE) {
            keys.push(key.as_str().to_owned());
            last = Some(key);
        }
        let cursor = match last {
            Some(last) if rest.next().is_some() => Some(self.cursors.issue(bucket, last)),
            _ => None,
        };
        Ok(KeyPage { keys, cursor })
    }

    /// Add `delta` to the counter under `key` and return the new value. A missing key counts as 0;
    /// counters are stored as decimal ASCII (`b"42"`), so `get` reads them as text. A value that
    /// is not a decimal u64, or a sum that overflows, is an error and leaves the value unchanged.
    /// O(1) expected.
    pub fn increment(&mut self, bucket: BucketId, key: &str, delta: u64) -> Result<u64, Error> {
        let entries = self.bucket_mut(bucket);
        let current = match entries.get(key) {
            Some(value) => {
                parse_counter(value).ok_or_else(|| Error::NotACounter { key: key.into() })?
            }
            None => 0,
        };
        let new = current
            .checked_add(delta)
            .ok_or_else(|| Error::CounterOverflow {
                key: key.into(),
                current,
                delta,
            })?;
        let digits = new.to_string().into_bytes().into_boxed_slice();
        entries.set(key, digits);
        Ok(new)
    }
}

/// A counter's value: one or more ASCII digits (leading zeros allowed) that fit in a u64.
fn parse_counter(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

#[cfg(test)]
mod tests;
