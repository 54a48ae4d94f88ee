//! The pure core: one map of named buckets, each an ordered map of keys to values.
//!
//! Nothing here knows about WIT or the component model. Every exported interface is a thin adapter
//! over one [`Store`], which is why a value set through one interface is visible through all.
//! Costs are stated per method: `n` is the number of entries in the bucket, `b` the number of
//! buckets, `p` the page size. "Expected" costs come from the bucket's hash index.

mod bucket;
mod collections;
mod counters;
mod cursor;
mod entry;
mod error;
mod key;
mod lifetimes;
mod limits;
mod listing;
mod order;
mod snapshot;
mod versions;
mod write;

use std::collections::BTreeMap;

pub use collections::End;
pub use counters::u64_counter;
pub use cursor::CAPACITY as CURSOR_CAPACITY;
pub use entry::{Collection, Entry, ITEM_OVERHEAD, Kind};
pub use error::{Error, KeyName, LimitsError};
pub use lifetimes::Lifetimes;
pub use limits::{BUCKET_OVERHEAD, ENTRY_OVERHEAD, Limit, Limits, Usage};
pub use listing::KeyPage;
pub use snapshot::{
    Deadline, MAGIC as SNAPSHOT_MAGIC, SnapshotError, VERSION as SNAPSHOT_VERSION,
    VERSION_3 as SNAPSHOT_VERSION_3,
};
pub use versions::Version;

use bucket::Bucket;
use cursor::CursorTable;
use limits::{check, entry_bytes};
use write::Write;

/// How many keys one `list-keys` page holds at most, by default ([`Limits::page_size`]).
pub const PAGE_SIZE: usize = Limits::DEFAULT.page_size as usize;

/// Names one bucket of a [`Store`]; valid for the life of that store (buckets are never removed,
/// but for one [`Store::write_to`] created for a write that was refused, before it returned).
/// Reads take an `Option<BucketId>` (or a `BucketId`): `None`, a bucket that does not exist,
/// reads as empty and creates nothing; writes take a `BucketId`, so there is no id of nothing to
/// write to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BucketId(usize);

/// A requested key and a copy of its value, if it exists.
pub type Found = (String, Option<Vec<u8>>);

/// The store: every bucket, the cursors of listings in progress, the limits and the usage they
/// are checked against.
#[derive(Debug)]
pub struct Store {
    names: BTreeMap<Box<str>, BucketId>,
    buckets: Vec<Bucket>,
    cursors: CursorTable,
    limits: Limits,
    usage: Usage,
    /// How many snapshots this store has restored: a [`BucketId`] is valid only within one.
    generation: u64,
    /// What a bucket that does not exist reads as: always empty.
    empty: Bucket,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store, with no buckets and the default [`Limits`].
    pub const fn new() -> Self {
        Self {
            names: BTreeMap::new(),
            buckets: Vec::new(),
            cursors: CursorTable::new(),
            limits: Limits::DEFAULT,
            usage: Usage {
                total_bytes: 0,
                entries: 0,
                buckets: 0,
            },
            generation: 0,
            empty: Bucket::new(),
        }
    }

    /// Which state the store is in: starts at 0 and changes each time [`Store::restore`]
    /// replaces everything. A [`BucketId`] from another generation names nothing; open the
    /// bucket again by name.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Replace everything — limits, buckets, entries — with the snapshot's, or, if [`Store::load`]
    /// refuses it, change nothing. Listings in progress end: their cursors are forgotten (a
    /// resumed one is reported expired), and cursor numbers are never reused. Bumps
    /// [`Store::generation`].
    pub fn restore(&mut self, snapshot: &[u8]) -> Result<(), SnapshotError> {
        let loaded = Store::load(snapshot)?;
        self.replace_with(loaded);
        Ok(())
    }

    /// [`Store::restore`], taking the lifetimes the snapshot carries: what it returns is the
    /// lifetimes to keep from now on (those of before end with the bump of generation).
    pub fn restore_with(&mut self, snapshot: &[u8]) -> Result<Lifetimes, SnapshotError> {
        let (loaded, deadlines) = Store::load_with(snapshot)?;
        self.replace_with(loaded);
        Ok(Lifetimes::loaded(self, &deadlines))
    }

    fn replace_with(&mut self, loaded: Store) {
        self.names = loaded.names;
        self.buckets = loaded.buckets;
        self.limits = loaded.limits;
        self.usage = loaded.usage;
        self.cursors.forget_all();
        self.generation += 1;
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Replace the limits, unless what is stored already passes one of them or the page size is
    /// 0; then nothing changes. So a store always fits its limits, and so does its snapshot.
    /// O(b), plus O(n) over all entries when the key or value limit is lowered.
    pub fn set_limits(&mut self, limits: Limits) -> Result<(), LimitsError> {
        if limits.page_size == 0 {
            return Err(LimitsError::PageSizeZero);
        }
        self.check_stored(&limits)
            .map_err(|(limit, needed, max)| LimitsError::StoredDoesNotFit { limit, needed, max })?;
        self.limits = limits;
        Ok(())
    }

    /// The first of `limits` that what is stored passes: the limit, the stored figure, the max.
    fn check_stored(&self, limits: &Limits) -> Result<(), (Limit, u64, u64)> {
        let over = |limit, needed: u64, max: u64| {
            if needed > max {
                Err((limit, needed, max))
            } else {
                Ok(())
            }
        };
        over(
            Limit::TotalBytes,
            self.usage.total_bytes,
            limits.max_total_bytes,
        )?;
        over(
            Limit::Buckets,
            self.usage.buckets.into(),
            limits.max_buckets.into(),
        )?;
        let max_key = u64::from(limits.max_key_bytes);
        let max_value = u64::from(limits.max_value_bytes);
        let lowered = max_key < self.limits.max_key_bytes.into()
            || max_value < self.limits.max_value_bytes.into();
        for (name, &id) in &self.names {
            over(Limit::BucketNameBytes, name.len() as u64, max_key)?;
            let bucket = self.bucket(id);
            over(
                Limit::EntriesPerBucket,
                bucket.len() as u64,
                limits.max_entries_per_bucket,
            )?;
            if lowered {
                let (key, value) = bucket.longest();
                over(Limit::KeyBytes, key as u64, max_key)?;
                over(Limit::ValueBytes, value as u64, max_value)?;
            }
        }
        Ok(())
    }

    /// What the store holds, as its limits count it.
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Refuse growing the store's total to `needed` bytes if that is over the limit.
    fn check_total(&self, needed: u64) -> Result<(), Error> {
        if needed <= self.usage.total_bytes {
            return Ok(());
        }
        check(Limit::TotalBytes, needed, self.limits.max_total_bytes)
    }

    fn check_key(&self, key: &str) -> Result<(), Error> {
        check(
            Limit::KeyBytes,
            key.len() as u64,
            self.limits.max_key_bytes.into(),
        )
    }

    fn check_value(&self, value: &[u8]) -> Result<(), Error> {
        check(
            Limit::ValueBytes,
            value.len() as u64,
            self.limits.max_value_bytes.into(),
        )
    }

    /// The bucket called `name` (any string, `""` included), created empty on first use, if the
    /// limits allow another bucket. O(log b).
    pub fn open(&mut self, name: &str) -> Result<BucketId, Error> {
        if let Some(&id) = self.names.get(name) {
            return Ok(id);
        }
        check(
            Limit::BucketNameBytes,
            name.len() as u64,
            self.limits.max_key_bytes.into(),
        )?;
        let buckets = self.usage.buckets.saturating_add(1);
        check(
            Limit::Buckets,
            buckets.into(),
            self.limits.max_buckets.into(),
        )?;
        let total = self.usage.total_bytes + name.len() as u64 + BUCKET_OVERHEAD;
        self.check_total(total)?;
        self.buckets
            .try_reserve(1)
            .map_err(|_| Error::OutOfMemory("a new bucket"))?;
        let id = BucketId(self.buckets.len());
        self.buckets.push(Bucket::new());
        self.names.insert(name.into(), id);
        self.usage.buckets = buckets;
        self.usage.total_bytes = total;
        Ok(id)
    }

    /// The bucket called `name`, if it has been opened; never creates one. O(log b).
    pub fn find(&self, name: &str) -> Option<BucketId> {
        self.names.get(name).copied()
    }

    /// Run `write` on the bucket called `name`, creating the bucket for it if need be (as
    /// [`Store::open`] does). If `write` is refused, a bucket created for it is removed again, so
    /// a refused write changes nothing at all. O(log b) plus the write.
    pub fn write_to<R>(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut Store, BucketId) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let created = self.find(name).is_none();
        let id = self.open(name)?;
        let written = write(self, id);
        if created && written.is_err() {
            self.take_back_bucket(name);
        }
        written
    }

    /// Remove the bucket [`Store::write_to`] created for a write that was refused: it was
    /// pushed last, and a refused write left it empty.
    fn take_back_bucket(&mut self, name: &str) {
        self.buckets.pop();
        self.names.remove(name);
        self.usage.buckets -= 1;
        self.usage.total_bytes -= name.len() as u64 + BUCKET_OVERHEAD;
    }

    /// The bucket to read: none, or one of another generation, reads as empty.
    fn bucket(&self, bucket: impl Into<Option<BucketId>>) -> &Bucket {
        bucket
            .into()
            .and_then(|bucket| self.buckets.get(bucket.0))
            .unwrap_or(&self.empty)
    }

    /// The bucket to write to: a [`BucketId`] names an existing bucket (writers open it first).
    fn bucket_mut(&mut self, bucket: BucketId) -> &mut Bucket {
        &mut self.buckets[bucket.0]
    }

    /// Every bucket's name and id, in name order. O(b).
    pub fn buckets(&self) -> impl Iterator<Item = (&str, BucketId)> {
        self.names.iter().map(|(name, &id)| (&**name, id))
    }

    /// Every entry of `bucket`, in key order. O(n).
    pub fn entries(
        &self,
        bucket: impl Into<Option<BucketId>>,
    ) -> impl Iterator<Item = (&str, &Entry)> {
        self.bucket(bucket).entries()
    }

    /// How many entries `bucket` holds. O(1).
    pub fn len(&self, bucket: impl Into<Option<BucketId>>) -> usize {
        self.bucket(bucket).len()
    }

    /// The value of `key`, if it exists: an error if the key holds a list or a set. O(1)
    /// expected.
    pub fn get(
        &self,
        bucket: impl Into<Option<BucketId>>,
        key: &str,
    ) -> Result<Option<&[u8]>, Error> {
        match self.bucket(bucket).get(key) {
            None => Ok(None),
            Some(Entry::Bytes(value)) => Ok(Some(value)),
            Some(other) => Err(wrong_kind(key, other.kind(), Kind::Bytes)),
        }
    }

    /// What `key` holds, of any kind, if it exists. O(1) expected.
    pub fn entry(&self, bucket: impl Into<Option<BucketId>>, key: &str) -> Option<&Entry> {
        self.bucket(bucket).get(key)
    }

    /// Whether `key` exists, whatever it holds. O(1) expected.
    pub fn exists(&self, bucket: impl Into<Option<BucketId>>, key: &str) -> bool {
        self.bucket(bucket).find(key).is_some()
    }

    /// Store `value` under `key`, replacing any previous value, unless a limit refuses it (then
    /// nothing changes). Takes the value's buffer as it is, so a buffer received from the guest
    /// is kept without a copy. O(1) expected to replace a value, plus O(log n) to add a new key.
    pub fn set(&mut self, bucket: BucketId, key: &str, value: Vec<u8>) -> Result<(), Error> {
        self.check_key(key)?;
        self.check_value(&value)?;
        let mut write = Write::start(self);
        write.set(bucket, key, value.into_boxed_slice())?;
        write.commit();
        Ok(())
    }

    /// Remove `key`, whatever it holds; returns whether it existed. Removing a missing key is
    /// not an error. O(1) expected plus O(log n) (plus the items of a list or set).
    pub fn delete(&mut self, bucket: BucketId, key: &str) -> bool {
        let Some(value) = self.bucket_mut(bucket).delete(key) else {
            return false;
        };
        self.usage.total_bytes -= entry_bytes(key.len(), value.charge());
        self.usage.entries -= 1;
        true
    }

    /// The value of `key` copied out for a caller, if it exists (an error if the key holds a
    /// list or a set). Memory for the copy is reserved first, so running out is an error, not an
    /// abort. O(1) expected plus the copy.
    pub fn get_copy(
        &self,
        bucket: impl Into<Option<BucketId>>,
        key: &str,
    ) -> Result<Option<Vec<u8>>, Error> {
        self.get(bucket, key)?.map(copy).transpose()
    }

    /// Each requested key in request order, duplicates included, with a copy of its value if
    /// it exists; an error if one of them holds a list or a set. Every copy is reserved first: running out of memory is an error. O(k)
    /// expected for k keys, plus the copies.
    pub fn get_many(
        &self,
        bucket: impl Into<Option<BucketId>>,
        keys: Vec<String>,
    ) -> Result<Vec<Found>, Error> {
        let bucket = bucket.into();
        let mut found = Vec::new();
        found
            .try_reserve_exact(keys.len())
            .map_err(|_| Error::OutOfMemory("a get-many answer"))?;
        for key in keys {
            let value = self.get_copy(bucket, &key)?;
            found.push((key, value));
        }
        Ok(found)
    }

    /// [`Store::set`] each pair, in order (a later duplicate wins) — all of them, or, if any of
    /// the writes would pass a limit, none of them. O(k) expected for k pairs, plus O(log n) per
    /// new key.
    pub fn set_many(
        &mut self,
        bucket: BucketId,
        entries: Vec<(String, Vec<u8>)>,
    ) -> Result<(), Error> {
        for (key, value) in &entries {
            self.check_key(key)?;
            self.check_value(value)?;
        }
        let mut write = Write::start(self);
        write
            .undo
            .try_reserve(entries.len())
            .map_err(|_| Error::OutOfMemory("a set-many batch"))?;
        for (key, value) in entries {
            let old = write.set(bucket, &key, value.into_boxed_slice())?;
            write.undo.push((bucket, key, old));
        }
        write.commit();
        Ok(())
    }

    /// [`Store::delete`] each key, in order; missing keys are skipped.
    pub fn delete_many(&mut self, bucket: BucketId, keys: Vec<String>) {
        for key in keys {
            self.delete(bucket, &key);
        }
    }
}

/// The error for an operation on `wanted` values of a key that `holds` another kind.
fn wrong_kind(key: &str, holds: Kind, wanted: Kind) -> Error {
    Error::WrongKind {
        key: key.into(),
        holds,
        wanted,
    }
}

/// `value`, copied into memory reserved first, for an answer: running out of memory is an error,
/// not an abort.
pub fn copy(value: &[u8]) -> Result<Vec<u8>, Error> {
    let mut copy = Vec::new();
    copy.try_reserve_exact(value.len())
        .map_err(|_| Error::OutOfMemory("a copy of the value"))?;
    copy.extend_from_slice(value);
    Ok(copy)
}

#[cfg(test)]
mod tests;
