//! Lists and sets: the collections of waSCC's key-value contract, with Redis's semantics.
//!
//! A key of a bucket holds bytes, a list or a set, in one key space: `exists`, `delete` and the
//! listings see every kind. An operation for one kind on a key holding another is
//! [`Error::WrongKind`] and changes nothing; writing bytes over a list or set replaces it. Lists
//! and sets are never empty: the first push or add creates one, removing the last item removes
//! the key. Every change to a collection is a write of its key (a compare-and-swap that
//! observed it fails).

use std::collections::{BTreeSet, VecDeque};

use super::entry::items_charge;
use super::limits::entry_bytes;
use super::{BucketId, Entry, Error, Kind, Store, copy, wrong_kind};

/// Which end of a list a push adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Before the first item (Redis's `LPUSH`).
    Front,
    /// After the last item (Redis's `RPUSH`).
    Back,
}

/// Items for an answer: each copied into memory reserved first, so running out of memory is an
/// error, not an abort.
fn copies<'a>(items: impl ExactSizeIterator<Item = &'a [u8]>) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    out.try_reserve_exact(items.len())
        .map_err(|_| Error::OutOfMemory("a list of items"))?;
    for item in items {
        out.push(copy(item)?);
    }
    Ok(out)
}

/// `items` as a collection stores them.
fn boxed(items: Vec<Vec<u8>>) -> impl Iterator<Item = Box<[u8]>> {
    items.into_iter().map(Vec::into_boxed_slice)
}

impl Store {
    /// What `key` holds, if it exists. O(1) expected.
    pub fn kind(&self, bucket: impl Into<Option<BucketId>>, key: &str) -> Option<Kind> {
        self.entry(bucket, key).map(Entry::kind)
    }

    /// The list under `key` (`None` if the key is absent), or the error for a key of another kind.
    fn list(
        &self,
        bucket: Option<BucketId>,
        key: &str,
    ) -> Result<Option<&VecDeque<Box<[u8]>>>, Error> {
        match self.entry(bucket, key) {
            None => Ok(None),
            Some(entry) => entry
                .as_list()
                .map(Some)
                .ok_or_else(|| wrong_kind(key, entry.kind(), Kind::List)),
        }
    }

    /// The set under `key` (`None` if the key is absent), or the error for a key of another kind.
    fn set_of(
        &self,
        bucket: Option<BucketId>,
        key: &str,
    ) -> Result<Option<&BTreeSet<Box<[u8]>>>, Error> {
        match self.entry(bucket, key) {
            None => Ok(None),
            Some(entry) => entry
                .as_set()
                .map(Some)
                .ok_or_else(|| wrong_kind(key, entry.kind(), Kind::Set)),
        }
    }

    /// Check `key` and each of `items` against the key and value limits.
    fn check_items(&self, key: &str, items: &[Vec<u8>]) -> Result<(), Error> {
        self.check_key(key)?;
        items.iter().try_for_each(|item| self.check_value(item))
    }

    /// Add `added` bytes of new items to the collection under `key` (which is absent or of the
    /// right kind) with `fill`, if the limits allow; an absent key is created holding `empty`
    /// filled. Returns what `fill` returns. Nothing changes if refused.
    fn grow<R>(
        &mut self,
        bucket: BucketId,
        key: &str,
        added: u64,
        empty: Entry,
        fill: impl FnOnce(&mut Entry) -> Result<R, Error>,
    ) -> Result<R, Error> {
        match self.bucket(bucket).find(key) {
            Some(slot) => {
                let total = self.usage.total_bytes + added;
                self.check_total(total)?;
                let answer = fill(self.bucket_mut(bucket).value_mut(slot))?;
                self.usage.total_bytes = total;
                Ok(answer)
            }
            None => {
                let total = self.usage.total_bytes + entry_bytes(key.len(), added);
                self.check_new_entry(bucket, total)?;
                let mut entry = empty;
                let answer = fill(&mut entry)?;
                self.bucket_mut(bucket).insert(key, entry)?;
                self.usage.total_bytes = total;
                self.usage.entries += 1;
                Ok(answer)
            }
        }
    }

    /// Take `freed` bytes of removed items off the collection under `key`; remove the key if
    /// `emptied` (its last item went), as a delete does.
    fn shrink(&mut self, bucket: BucketId, key: &str, freed: u64, emptied: bool) {
        if emptied {
            self.delete(bucket, key);
        } else {
            self.usage.total_bytes -= freed;
        }
    }

    /// Push `items` onto the list under `key`, creating it if the key is absent: at the back in
    /// order (Redis's `RPUSH`), or each in turn at the front, so they end up reversed (`LPUSH`).
    /// All or none: refused whole if one item or the total is over a limit. Returns the
    /// list's new length (pushing no items returns the length and changes nothing). O(k).
    pub fn push(
        &mut self,
        bucket: BucketId,
        key: &str,
        items: Vec<Vec<u8>>,
        end: End,
    ) -> Result<u64, Error> {
        let len = self.list(bucket.into(), key)?.map_or(0, VecDeque::len);
        if items.is_empty() {
            return Ok(len as u64);
        }
        self.check_items(key, &items)?;
        let added = items_charge(items.iter());
        let new_len = (len + items.len()) as u64;
        let empty = Entry::list(VecDeque::new());
        self.grow(bucket, key, added, empty, |entry| {
            let list = entry.as_list_mut().expect("checked to be a list");
            list.try_reserve(items.len())
                .map_err(|_| Error::OutOfMemory("list items"))?;
            match end {
                End::Back => list.extend(boxed(items)),
                End::Front => boxed(items).for_each(|item| list.push_front(item)),
            }
            Ok(new_len)
        })
    }

    /// The items of the list under `key` from `start` to `stop`, both included, as Redis's
    /// `LRANGE`: a negative index counts from the end (-1 is the last item), indexes past
    /// either end are clamped, and a range that holds nothing (or a missing key) is empty.
    /// O(range).
    pub fn range(
        &self,
        bucket: impl Into<Option<BucketId>>,
        key: &str,
        start: i64,
        stop: i64,
    ) -> Result<Vec<Vec<u8>>, Error> {
        let Some(list) = self.list(bucket.into(), key)? else {
            return Ok(Vec::new());
        };
        let len = list.len() as i64;
        let from_end = |index: i64| if index < 0 { index + len } else { index };
        let start = from_end(start).max(0);
        let stop = from_end(stop).min(len - 1);
        // Both within 0..len once the range is not empty, so they fit a usize.
        let (Ok(start), Ok(stop)) = (usize::try_from(start), usize::try_from(stop)) else {
            return Ok(Vec::new());
        };
        if start > stop {
            return Ok(Vec::new());
        }
        copies(list.range(start..=stop).map(|item| &**item))
    }

    /// How many items the list under `key` holds (0 for a missing key). O(1) expected.
    pub fn list_len(&self, bucket: impl Into<Option<BucketId>>, key: &str) -> Result<u64, Error> {
        Ok(self.list(bucket.into(), key)?.map_or(0, VecDeque::len) as u64)
    }

    /// Remove the first item equal to `item` from the list under `key`, or every one if `all`;
    /// returns how many went. The key goes with its last item. O(n).
    pub fn list_remove(
        &mut self,
        bucket: BucketId,
        key: &str,
        item: &[u8],
        all: bool,
    ) -> Result<u64, Error> {
        let Some(list) = self.list(bucket.into(), key)? else {
            return Ok(0);
        };
        let matching = list.iter().filter(|other| ***other == *item).count();
        let removed = if all { matching } else { matching.min(1) };
        if removed == 0 {
            return Ok(0);
        }
        let emptied = removed == list.len();
        if !emptied {
            let slot = self.bucket(bucket).find(key).expect("the list exists");
            let entry = self.bucket_mut(bucket).value_mut(slot);
            let list = entry.as_list_mut().expect("checked to be a list");
            let mut left = removed;
            list.retain(|other| {
                let keep = left == 0 || **other != *item;
                if !keep {
                    left -= 1;
                }
                keep
            });
        }
        let freed = removed as u64 * (item.len() as u64 + super::ITEM_OVERHEAD);
        self.shrink(bucket, key, freed, emptied);
        Ok(removed as u64)
    }

    /// Remove the collection of kind `kind` under `key`; returns whether there was one. A key
    /// holding another kind is an error and stays. O(1) expected plus the items.
    pub fn clear(&mut self, bucket: BucketId, key: &str, kind: Kind) -> Result<bool, Error> {
        match self.kind(bucket, key) {
            None => Ok(false),
            Some(holds) if holds == kind => Ok(self.delete(bucket, key)),
            Some(holds) => Err(wrong_kind(key, holds, kind)),
        }
    }

    /// Add `members` to the set under `key`, creating it if the key is absent; returns how
    /// many were not in it yet (Redis's `SADD`). All or none: refused whole if one member or
    /// the total is over a limit. O(k log n).
    pub fn set_add(
        &mut self,
        bucket: BucketId,
        key: &str,
        members: Vec<Vec<u8>>,
    ) -> Result<u64, Error> {
        let existing = self.set_of(bucket.into(), key)?;
        if members.is_empty() {
            return Ok(0);
        }
        self.check_items(key, &members)?;
        let mut new: BTreeSet<Box<[u8]>> = BTreeSet::new();
        for member in boxed(members) {
            if !existing.is_some_and(|set| set.contains(&member)) {
                new.insert(member);
            }
        }
        let added = new.len() as u64;
        if added == 0 {
            return Ok(0);
        }
        let charge = items_charge(new.iter());
        let empty = Entry::set(BTreeSet::new());
        self.grow(bucket, key, charge, empty, |entry| {
            let set = entry.as_set_mut().expect("checked to be a set");
            set.append(&mut new);
            Ok(added)
        })
    }

    /// Remove `members` from the set under `key`; returns how many were in it (Redis's
    /// `SREM`). The key goes with its last member. O(k log n).
    pub fn set_remove(
        &mut self,
        bucket: BucketId,
        key: &str,
        members: Vec<Vec<u8>>,
    ) -> Result<u64, Error> {
        let Some(set) = self.set_of(bucket.into(), key)? else {
            return Ok(0);
        };
        let mut gone: BTreeSet<&[u8]> = BTreeSet::new();
        for member in &members {
            if set.contains(member.as_slice()) {
                gone.insert(member);
            }
        }
        let removed = gone.len();
        if removed == 0 {
            return Ok(0);
        }
        let freed = items_charge(gone.iter());
        let emptied = removed == set.len();
        if !emptied {
            let slot = self.bucket(bucket).find(key).expect("the set exists");
            let entry = self.bucket_mut(bucket).value_mut(slot);
            let set = entry.as_set_mut().expect("checked to be a set");
            for member in &members {
                set.remove(member.as_slice());
            }
        }
        self.shrink(bucket, key, freed, emptied);
        Ok(removed as u64)
    }

    /// Every member of the set under `key`, in ascending byte order (none for a missing key).
    /// O(n).
    pub fn members(
        &self,
        bucket: impl Into<Option<BucketId>>,
        key: &str,
    ) -> Result<Vec<Vec<u8>>, Error> {
        match self.set_of(bucket.into(), key)? {
            Some(set) => copies(set.iter().map(|member| &**member)),
            None => Ok(Vec::new()),
        }
    }

    /// Whether `member` is in the set under `key`. O(log n).
    pub fn set_contains(
        &self,
        bucket: impl Into<Option<BucketId>>,
        key: &str,
        member: &[u8],
    ) -> Result<bool, Error> {
        Ok(self
            .set_of(bucket.into(), key)?
            .is_some_and(|set| set.contains(member)))
    }

    /// How many members the set under `key` has (0 for a missing key). O(1) expected.
    pub fn cardinality(
        &self,
        bucket: impl Into<Option<BucketId>>,
        key: &str,
    ) -> Result<u64, Error> {
        Ok(self.set_of(bucket.into(), key)?.map_or(0, BTreeSet::len) as u64)
    }

    /// The sets under `keys`; a missing key is an empty set, a key of another kind an error.
    fn sets(
        &self,
        bucket: Option<BucketId>,
        keys: &[String],
    ) -> Result<Vec<&BTreeSet<Box<[u8]>>>, Error> {
        static EMPTY: BTreeSet<Box<[u8]>> = BTreeSet::new();
        keys.iter()
            .map(|key| Ok(self.set_of(bucket, key)?.unwrap_or(&EMPTY)))
            .collect()
    }

    /// Every member of any of the sets under `keys`, once, in ascending byte order (Redis's
    /// `SUNION`; a missing key is an empty set). O(total members × log).
    pub fn union(
        &self,
        bucket: impl Into<Option<BucketId>>,
        keys: &[String],
    ) -> Result<Vec<Vec<u8>>, Error> {
        let sets = self.sets(bucket.into(), keys)?;
        let union: BTreeSet<&[u8]> = sets
            .iter()
            .flat_map(|set| set.iter().map(|member| &**member))
            .collect();
        copies(union.into_iter())
    }

    /// The members in every one of the sets under `keys`, in ascending byte order (Redis's
    /// `SINTER`; a missing key is an empty set, so the intersection is empty; no keys, none).
    /// O(smallest set × keys × log).
    pub fn intersection(
        &self,
        bucket: impl Into<Option<BucketId>>,
        keys: &[String],
    ) -> Result<Vec<Vec<u8>>, Error> {
        let sets = self.sets(bucket.into(), keys)?;
        let Some(smallest) = sets.iter().min_by_key(|set| set.len()) else {
            return Ok(Vec::new());
        };
        let common: Vec<&[u8]> = smallest
            .iter()
            .map(|member| &**member)
            .filter(|member| sets.iter().all(|set| set.contains(*member)))
            .collect();
        copies(common.into_iter())
    }
}
