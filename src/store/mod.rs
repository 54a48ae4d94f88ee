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
mod limits;
mod snapshot;

use std::collections::BTreeMap;
use std::ops::Bound;

pub use cursor::CAPACITY as CURSOR_CAPACITY;
pub use error::{Error, KeyName};
pub use limits::{BUCKET_OVERHEAD, ENTRY_OVERHEAD, Limit, Limits, Usage};
pub use snapshot::{MAGIC as SNAPSHOT_MAGIC, SnapshotError, VERSION as SNAPSHOT_VERSION};

use bucket::Bucket;
use cursor::CursorTable;
use key::Key;
use limits::{check, entry_bytes};

/// How many keys one `list-keys` page holds at most, by default ([`Limits::page_size`]).
pub const PAGE_SIZE: usize = Limits::DEFAULT.page_size as usize;

/// Names one bucket of a [`Store`]; valid for the life of that store (buckets are never removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BucketId(usize);

/// What a compare-and-swap observed of one key: which write its value came from (or that it
/// was absent), in which bucket and store generation. Any later write to the key — through any
/// interface — or a snapshot load makes it stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    generation: u64,
    bucket: BucketId,
    stamp: Option<u64>,
    removals: u64,
}

/// A requested key and a copy of its value, if it exists.
pub type Found = (String, Option<Vec<u8>>);

/// One page of a key listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPage {
    /// Keys in ascending byte order, at most [`Limits::page_size`] of them.
    pub keys: Vec<String>,
    /// Where the next page starts; `None` when the listing is complete.
    pub cursor: Option<u64>,
}

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
        self.names = loaded.names;
        self.buckets = loaded.buckets;
        self.limits = loaded.limits;
        self.usage = loaded.usage;
        self.cursors.forget_all();
        self.generation += 1;
        Ok(())
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Replace the limits, unless what is stored already passes one of them or the page size is
    /// 0; then nothing changes. So a store always fits its limits, and so does its snapshot.
    /// O(b), plus O(n) over all entries when the key or value limit is lowered.
    pub fn set_limits(&mut self, limits: Limits) -> Result<(), String> {
        if limits.page_size == 0 {
            return Err("page-size must be at least 1".into());
        }
        self.check_stored(&limits).map_err(|(limit, needed, max)| {
            format!(
                "what is stored does not fit: {}",
                limit.explain(needed, max)
            )
        })?;
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
        self.buckets.push(Bucket::default());
        self.names.insert(name.into(), id);
        self.usage.buckets = buckets;
        self.usage.total_bytes = total;
        Ok(id)
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

    /// Remove `key`; returns whether it existed. Removing a missing key is not an error.
    /// O(1) expected plus O(log n).
    pub fn delete(&mut self, bucket: BucketId, key: &str) -> bool {
        let Some(value) = self.bucket_mut(bucket).delete(key) else {
            return false;
        };
        self.usage.total_bytes -= entry_bytes(key.len(), value.len());
        self.usage.entries -= 1;
        true
    }

    /// The value of `key` copied out for a caller, if it exists. Memory for the copy is reserved
    /// first, so running out is an error, not an abort. O(1) expected plus the copy.
    pub fn get_copy(&self, bucket: BucketId, key: &str) -> Result<Option<Vec<u8>>, Error> {
        self.get(bucket, key).map(copy).transpose()
    }

    /// Each requested key in request order, duplicates included, with a copy of its value if
    /// it exists. Every copy is reserved first: running out of memory is an error. O(k)
    /// expected for k keys, plus the copies.
    pub fn get_many(&self, bucket: BucketId, keys: Vec<String>) -> Result<Vec<Found>, Error> {
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

    /// Where `key` stands now, for a later [`Store::swap`]. O(1) expected.
    pub fn version(&self, bucket: BucketId, key: &str) -> Version {
        let (stamp, removals) = self.bucket(bucket).version(key);
        Version {
            generation: self.generation,
            bucket,
            stamp,
            removals,
        }
    }

    /// Store `value` under `key` if nothing has written the key since `expected` was observed;
    /// returns whether it did. A key observed absent must still be absent and not have been
    /// written and deleted since (any deletion in the bucket counts, so a swap on an absent key
    /// can fail for a deletion of another key: never the other way round). A write a limit
    /// refuses is an error. O(1) expected.
    pub fn swap(
        &mut self,
        bucket: BucketId,
        key: &str,
        expected: &Version,
        value: Vec<u8>,
    ) -> Result<bool, Error> {
        if self.version(bucket, key) != *expected {
            return Ok(false);
        }
        self.set(bucket, key, value)?;
        Ok(true)
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
        let (keys, last) = self.page(bucket, start)?;
        let cursor = last.map(|last| self.cursors.issue(bucket, last));
        Ok(KeyPage { keys, cursor })
    }

    /// Every key of the bucket in ascending byte order, in one list (Golem's `get-keys`, which
    /// has no paging). O(n).
    pub fn all_keys(&self, bucket: BucketId) -> Result<Vec<String>, Error> {
        let bucket = self.bucket(bucket);
        let mut keys = Vec::new();
        keys.try_reserve_exact(bucket.len())
            .map_err(|_| Error::OutOfMemory("a list of every key"))?;
        keys.extend(bucket.keys().map(str::to_owned));
        Ok(keys)
    }

    /// One page of the bucket's keys in ascending byte order, starting right after the key
    /// `after` (draft2's string cursor: the last key of the previous page) or at the start.
    /// `after` need not be a key of the bucket, so a listing survives any writes between pages,
    /// and no cursor table is involved. Returns the keys and, if more follow, the cursor for the
    /// next page (its last key). O(p + log n).
    pub fn list_keys_after(
        &self,
        bucket: BucketId,
        after: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Error> {
        let after = after.map(Key::from);
        let start = after.as_ref().map_or(Bound::Unbounded, Bound::Excluded);
        let (keys, last) = self.page(bucket, start)?;
        Ok((keys, last.map(|last| last.as_str().to_owned())))
    }

    /// The page of at most [`Limits::page_size`] keys after `start`, and its last key if more
    /// keys follow it.
    fn page(
        &self,
        bucket: BucketId,
        start: Bound<&Key>,
    ) -> Result<(Vec<String>, Option<Key>), Error> {
        let page_size = usize::try_from(self.limits.page_size).unwrap_or(usize::MAX);
        let bucket_entries = self.bucket(bucket);
        let mut rest = bucket_entries.keys_after(start);
        let mut keys = Vec::new();
        keys.try_reserve(page_size.min(bucket_entries.len()))
            .map_err(|_| Error::OutOfMemory("a list-keys page"))?;
        let mut last = None;
        for key in rest.by_ref().take(page_size) {
            keys.push(key.as_str().to_owned());
            last = Some(key);
        }
        let more = rest.next().is_some();
        Ok((keys, last.filter(|_| more).cloned()))
    }

    /// Add `delta` to the counter under `key` and return the new value. A missing key counts as 0;
    /// counters are stored as decimal ASCII (`b"42"`), so `get` reads them as text. A value that
    /// is not a decimal u64 (digits only), a sum that overflows, or a write a limit refuses is an
    /// error and leaves the value unchanged. O(1) expected.
    pub fn increment(&mut self, bucket: BucketId, key: &str, delta: u64) -> Result<u64, Error> {
        self.increment_as(bucket, key, delta)
    }

    /// [`Store::increment`] for signed counters (draft2's `s64`): the same decimal ASCII with an
    /// optional leading `-`, so a counter is visible to both while it is non-negative, and the
    /// unsigned increment refuses a negative one. Overflow either way is an error.
    pub fn increment_signed(
        &mut self,
        bucket: BucketId,
        key: &str,
        delta: i64,
    ) -> Result<i64, Error> {
        self.increment_as(bucket, key, delta)
    }

    fn increment_as<C: Counter>(
        &mut self,
        bucket: BucketId,
        key: &str,
        delta: C,
    ) -> Result<C, Error> {
        let current = match self.get(bucket, key) {
            Some(value) => C::parse(value).ok_or_else(|| Error::NotACounter {
                key: key.into(),
                ty: C::NAME,
            })?,
            None => C::default(),
        };
        let new = current
            .checked_add(delta)
            .ok_or_else(|| Error::CounterOverflow {
                key: key.into(),
                current: current.into(),
                delta: delta.into(),
                ty: C::NAME,
            })?;
        self.set(bucket, key, new.to_string().into_bytes())?;
        Ok(new)
    }
}

impl Store {
    /// Golem's `compare-and-swap` of a u64 counter: if the counter under `key` is `old`, store
    /// `new` and return `Some(true)`; if it is another number, `Some(false)`. `None` if the key
    /// does not exist. A value that is not a decimal u64, or a write a limit refuses, is an
    /// error and changes nothing. O(1) expected.
    pub fn compare_and_swap_counter(
        &mut self,
        bucket: BucketId,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Option<bool>, Error> {
        let Some(value) = self.get(bucket, key) else {
            return Ok(None);
        };
        let current = u64::parse(value).ok_or_else(|| Error::NotACounter {
            key: key.into(),
            ty: u64::NAME,
        })?;
        if current != old {
            return Ok(Some(false));
        }
        self.set(bucket, key, new.to_string().into_bytes())?;
        Ok(Some(true))
    }
}

/// `value`, copied into memory reserved first.
fn copy(value: &[u8]) -> Result<Vec<u8>, Error> {
    let mut copy = Vec::new();
    copy.try_reserve_exact(value.len())
        .map_err(|_| Error::OutOfMemory("a copy of the value"))?;
    copy.extend_from_slice(value);
    Ok(copy)
}

/// An integer type counters can be read as.
trait Counter: Copy + Default + ToString + Into<i128> {
    /// The type's WIT name, for messages.
    const NAME: &'static str;
    /// The counter in `value`, if it is one: decimal ASCII digits (leading zeros allowed), with a
    /// leading `-` for signed types, that fit the type.
    fn parse(value: &[u8]) -> Option<Self>;
    fn checked_add(self, delta: Self) -> Option<Self>;
}

impl Counter for u64 {
    const NAME: &'static str = "u64";

    fn parse(value: &[u8]) -> Option<Self> {
        parse_digits(value)?.parse().ok()
    }

    fn checked_add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

impl Counter for i64 {
    const NAME: &'static str = "s64";

    fn parse(value: &[u8]) -> Option<Self> {
        let digits = value.strip_prefix(b"-").unwrap_or(value);
        parse_digits(digits)?;
        std::str::from_utf8(value).ok()?.parse().ok()
    }

    fn checked_add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

/// `value` as text, if it is one or more ASCII digits.
fn parse_digits(value: &[u8]) -> Option<&str> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()
}

/// How to take back one write: its bucket, its key and the value it replaced with that value's
/// stamp (`None` for a key it added).
type Undo = (BucketId, String, Option<Replaced>);

/// A value a write replaced, and its stamp.
type Replaced = (Box<[u8]>, u64);

/// One or more writes that either all happen or none does: each is checked against the limits
/// as it is applied, and if one is refused (or the `Write` is dropped uncommitted), the ones
/// before it are undone, newest first. Undoing never allocates, so it cannot fail.
struct Write<'a> {
    store: &'a mut Store,
    /// What each applied write replaced, as its caller records it: the bucket, the key and its
    /// old value (`None` for a key the write added). A single write records nothing.
    undo: Vec<Undo>,
    total_bytes: u64,
    new_entries: u64,
}

impl<'a> Write<'a> {
    fn start(store: &'a mut Store) -> Self {
        let total_bytes = store.usage.total_bytes;
        Self {
            store,
            undo: Vec::new(),
            total_bytes,
            new_entries: 0,
        }
    }

    /// Apply one write whose key and value sizes were already checked; returns the value it
    /// replaced and its stamp (`None` for a new key). O(1) expected, plus O(log n) for a new key.
    fn set(
        &mut self,
        bucket: BucketId,
        key: &str,
        value: Box<[u8]>,
    ) -> Result<Option<Replaced>, Error> {
        let store = &mut *self.store;
        let replaced = match store.bucket(bucket).find(key) {
            Some(slot) => {
                let old = store.bucket(bucket).value(slot).len() as u64;
                let total = self.total_bytes - old + value.len() as u64;
                store.check_total(total)?;
                self.total_bytes = total;
                Some(store.bucket_mut(bucket).replace(slot, value))
            }
            None => {
                let total = self.total_bytes + entry_bytes(key.len(), value.len());
                store.check_total(total)?;
                let entries = store.len(bucket) as u64 + 1;
                check(
                    Limit::EntriesPerBucket,
                    entries,
                    store.limits.max_entries_per_bucket,
                )?;
                store.bucket_mut(bucket).insert(key, value)?;
                self.total_bytes = total;
                self.new_entries += 1;
                None
            }
        };
        Ok(replaced)
    }

    /// Keep every write and count them in the store's usage.
    fn commit(mut self) {
        self.store.usage.total_bytes = self.total_bytes;
        self.store.usage.entries += self.new_entries;
        self.undo.clear();
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

#[cfg(test)]
mod tests;
