//! One bucket: a hash index for point operations and an ordered index for listings.

use std::hash::BuildHasher;
use std::ops::Bound;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

use super::Error;
use super::entry::Entry;
use super::key::Key;
use super::order::Order;

/// Seed of the bucket hash. Fixed, so a store behaves the same on every run; a guest that
/// crafted colliding keys would slow down only its own instance.
const HASH_SEED: u64 = 0x6d65_6d6b_7620_6b76;

/// One entry: its key, its value, and which write of the bucket put the value there.
#[derive(Debug)]
struct Slot {
    key: Key,
    value: Entry,
    stamp: Stamp,
}

// The layout the memory figures in BENCHMARKS.md rest on: 28 bytes of key, 8 of value, 8 of
// stamp.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(size_of::<Slot>() == 44);

/// A write stamp, kept as two `u32`s so that a slot needs only 4-byte alignment: 44 bytes on
/// wasm32 instead of 48 with a `u64` (4 MB a million entries).
#[derive(Debug, Clone, Copy)]
struct Stamp([u32; 2]);

impl From<u64> for Stamp {
    fn from(stamp: u64) -> Self {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the two halves, taken apart"
        )]
        Stamp([(stamp >> 32) as u32, stamp as u32])
    }
}

impl From<Stamp> for u64 {
    fn from(Stamp([high, low]): Stamp) -> Self {
        (u64::from(high) << 32) | u64::from(low)
    }
}

/// A bucket's entries, reachable two ways:
///
/// - `slots`, dense and unordered, found through `index`, a hash table of slot numbers: `get`,
///   `set`, `delete` and `exists` cost O(1) expected and touch a few cache lines, whatever the
///   bucket's size;
/// - `order`, the slot numbers in key order ([`Order`]: 4 bytes an entry), for listings in
///   byte order: O(log n) to find where a page starts, then O(1) per key.
///
/// Only inserting a new key and deleting one touch `order`.
#[derive(Debug)]
pub(super) struct Bucket {
    slots: Vec<Slot>,
    index: HashTable<usize>,
    order: Order,
    hasher: FixedState,
    /// Stamps the next write: every value written gets a stamp no earlier write had.
    next_stamp: u64,
    /// How many keys have been deleted: lets a compare-and-swap that saw a key absent tell
    /// whether it was written and deleted since.
    removals: u64,
}

impl Bucket {
    /// An empty bucket.
    pub(super) const fn new() -> Self {
        Self {
            slots: Vec::new(),
            index: HashTable::new(),
            order: Order::new(),
            hasher: FixedState::with_seed(HASH_SEED),
            next_stamp: 0,
            removals: 0,
        }
    }
}

/// How many runs [`Bucket::finish_appends`] splits the hash index's inserts into, at most: at
/// 10^6 entries (2^21 buckets) a run spans 1,024 buckets, 5 KB of the table on wasm32; a table of
/// fewer buckets has a run for each.
const INDEX_RUNS: usize = 2048;

/// A slot's number as the order keeps it: [`Bucket::new_slot`] refuses a slot past `u32::MAX`.
fn number(slot: usize) -> u32 {
    u32::try_from(slot).expect("a bucket holds fewer than 2^32 entries")
}

/// The key in the slot numbered `slot`, as the order asks for it.
fn key_of<'a>(slots: &'a [Slot]) -> impl Fn(u32) -> &'a Key + Copy + 'a {
    move |slot| &slots[slot as usize].key
}

/// The hash of the key in `slot`, as the index needs it when it grows.
fn slot_hash<'a>(slots: &'a [Slot], hasher: &'a FixedState) -> impl Fn(&usize) -> u64 + 'a {
    move |&slot| hasher.hash_one(slots[slot].key.as_str())
}

impl Bucket {
    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The slot holding `key`. O(1) expected.
    pub(super) fn find(&self, key: &str) -> Option<usize> {
        let slots = &self.slots;
        self.index
            .find(self.hash(key), |&slot| slots[slot].key.as_str() == key)
            .copied()
    }

    /// How many entries the bucket holds.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The value in `slot`, found with [`Bucket::find`].
    pub(super) fn value(&self, slot: usize) -> &Entry {
        &self.slots[slot].value
    }

    /// The value in `slot`, to change in place; the change gets a new stamp, as any write does.
    /// O(1).
    pub(super) fn value_mut(&mut self, slot: usize) -> &mut Entry {
        let stamp = self.stamp();
        let slot = &mut self.slots[slot];
        slot.stamp = stamp.into();
        &mut slot.value
    }

    /// The value of `key`.
    pub(super) fn get(&self, key: &str) -> Option<&Entry> {
        self.find(key).map(|slot| self.value(slot))
    }

    fn stamp(&mut self) -> u64 {
        self.next_stamp += 1;
        self.next_stamp
    }

    /// Where `key` stands for a compare-and-swap: the stamp of its value (`None` if absent)
    /// and the bucket's count of deletions. Any write to the key changes it. O(1) expected.
    pub(super) fn version(&self, key: &str) -> (Option<u64>, u64) {
        let stamp = self.find(key).map(|slot| self.slots[slot].stamp.into());
        (stamp, self.removals)
    }

    /// Put `value` in `slot`, found with [`Bucket::find`]; returns the value it held and that
    /// value's stamp. O(1).
    pub(super) fn replace(&mut self, slot: usize, value: Entry) -> (Entry, u64) {
        let stamp = self.stamp();
        self.put_back(slot, value, stamp)
    }

    /// Undo a [`Bucket::replace`]: put `value` back in `slot` with the stamp it had, so a
    /// compare-and-swap that observed it still succeeds. O(1).
    pub(super) fn put_back(&mut self, slot: usize, value: Entry, stamp: u64) -> (Entry, u64) {
        let slot = &mut self.slots[slot];
        let old = std::mem::replace(&mut slot.value, value);
        (old, std::mem::replace(&mut slot.stamp, stamp.into()).into())
    }

    /// Add `key`, which must not be in the bucket yet, with `value`. The memory the slab and the
    /// hash index need is reserved first, so running out changes nothing. O(1) expected plus
    /// O(log n) to enter the key in the order.
    pub(super) fn insert(&mut self, key: &str, value: Entry) -> Result<(), Error> {
        let slot = self.push(key, value)?;
        let key_of = key_of(&self.slots);
        self.order.insert(slot, key_of(slot), key_of);
        Ok(())
    }

    /// Add `key`, which must sort after every key already in the bucket, with `value`, leaving
    /// the hash index and the order to [`Bucket::finish_appends`]: for a snapshot load, whose
    /// entries come sorted (so none repeats). Until then the bucket cannot find the key. O(1).
    pub(super) fn append(&mut self, key: &str, value: Entry) -> Result<(), Error> {
        self.new_slot(key, value).map(drop)
    }

    /// Put `key` and `value` in a new slot, reserving its memory first; returns its number. A
    /// bucket holds fewer than 2^32 entries (a wasm32 memory could not hold more).
    fn new_slot(&mut self, key: &str, value: Entry) -> Result<u32, Error> {
        let refused = Error::OutOfMemory("a new entry");
        let new = u32::try_from(self.slots.len()).map_err(|_| refused.clone())?;
        self.slots.try_reserve(1).map_err(|_| refused)?;
        let stamp = self.stamp().into();
        self.slots.push(Slot {
            key: Key::from(key),
            value,
            stamp,
        });
        Ok(new)
    }

    /// Make room in the slab for `additional` more entries at once, so that a bulk load grows it
    /// once instead of doubling its way up (each doubling a copy).
    pub(super) fn reserve(&mut self, additional: usize) -> Result<(), Error> {
        self.slots
            .try_reserve(additional)
            .map_err(|_| Error::OutOfMemory("the entries of a snapshot"))
    }

    /// Build the hash index and the order of a bucket filled by [`Bucket::append`], in passes
    /// over its slots, which are in key order: O(n), where inserting the keys one by one costs
    /// O(n log n) for the order.
    ///
    /// The index is filled in the order of the table's own buckets rather than the keys': the
    /// keys' hashes, counted into [`INDEX_RUNS`] runs by where they land in the table, then
    /// inserted run by run, so each run's inserts touch a few pages of the table that stay in
    /// cache. Inserted in key order, every key would be a random write to a table of 10 MB at
    /// 10^6 entries: a cache miss or two each.
    pub(super) fn finish_appends(&mut self) -> Result<(), Error> {
        debug_assert!(self.slots.is_sorted_by(|a, b| a.key < b.key));
        debug_assert!(self.index.is_empty());
        let refused = Error::OutOfMemory("the hash index of a snapshot's bucket");
        let n = self.slots.len();
        self.index
            .try_reserve(n, slot_hash(&self.slots, &self.hasher))
            .map_err(|_| refused.clone())?;
        // Where hashbrown puts a hash: its low bits, masked by the table's size in buckets (a
        // power of two, 8/7 of the capacity). Only the speed of what follows depends on this.
        let buckets = (self.index.capacity() / 7 * 8).next_power_of_two();
        let shift = buckets
            .trailing_zeros()
            .saturating_sub(INDEX_RUNS.trailing_zeros());
        let run = |hash: usize| (hash & (buckets - 1)) >> shift;
        let mut starts = vec![0; (buckets >> shift) + 1];
        let mut hashes = Vec::new();
        hashes.try_reserve_exact(n).map_err(|_| refused.clone())?;
        for slot in &self.slots {
            // On 32-bit targets hashbrown uses only a hash's low 32 bits: keeping those is
            // keeping all it reads.
            #[expect(clippy::cast_possible_truncation, reason = "see above")]
            let hash = self.hash(slot.key.as_str()) as usize;
            starts[run(hash) + 1] += 1;
            hashes.push(hash);
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut runs = Vec::new();
        runs.try_reserve_exact(n).map_err(|_| refused)?;
        runs.resize(n, (0, 0));
        for (slot, hash) in hashes.into_iter().enumerate() {
            let at = &mut starts[run(hash)];
            runs[*at] = (hash, slot);
            *at += 1;
        }
        let slots = &self.slots;
        let hasher = &self.hasher;
        for (hash, slot) in runs {
            self.index
                .insert_unique(hash as u64, slot, slot_hash(slots, hasher));
        }
        self.order = Order::ascending(number(n));
        Ok(())
    }

    /// Put `key` and `value` in a new slot and the hash index, reserving the memory both need
    /// first; returns the slot's number for the order.
    fn push(&mut self, key: &str, value: Entry) -> Result<u32, Error> {
        self.index
            .try_reserve(1, slot_hash(&self.slots, &self.hasher))
            .map_err(|_| Error::OutOfMemory("a new entry"))?;
        let new = self.new_slot(key, value)?;
        self.index.insert_unique(
            self.hash(key),
            new as usize,
            slot_hash(&self.slots, &self.hasher),
        );
        Ok(new)
    }

    /// Remove `key`; returns its value if it existed. O(1) expected plus O(log n) for the order.
    pub(super) fn delete(&mut self, key: &str) -> Option<Entry> {
        let removed = self.take_out(key)?;
        self.removals += 1;
        Some(removed)
    }

    /// Undo an [`Bucket::insert`]: remove `key` without counting a deletion, so a
    /// compare-and-swap that observed the key absent still succeeds.
    pub(super) fn take_back(&mut self, key: &str) {
        self.take_out(key);
    }

    fn take_out(&mut self, key: &str) -> Option<Entry> {
        let hash = self.hash(key);
        let slots = &self.slots;
        let Ok(found) = self
            .index
            .find_entry(hash, |&slot| slots[slot].key.as_str() == key)
        else {
            return None;
        };
        let (slot, _) = found.remove();
        let slots = &self.slots;
        let key_of = key_of(slots);
        self.order.remove(&slots[slot].key, key_of);
        // The last slot moves into the hole: the order learns its new number while its old
        // one still names it.
        let last = slots.len() - 1;
        if slot < last {
            self.order.moved(&slots[last].key, number(slot), key_of);
        }
        let removed = self.slots.swap_remove(slot);
        // The last slot moved into the hole: point its index entry at its new place.
        if slot < self.slots.len() {
            let old = self.slots.len();
            let hash = slot_hash(&self.slots, &self.hasher)(&slot);
            if let Some(entry) = self.index.find_mut(hash, |&other| other == old) {
                *entry = slot;
            }
        }
        Some(removed.value)
    }

    /// Every entry, in key order. O(n).
    pub(super) fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.order.iter().map(|slot| {
            let slot = &self.slots[slot as usize];
            (slot.key.as_str(), &slot.value)
        })
    }

    /// Every key, in byte order, without touching the values. O(n).
    pub(super) fn keys(&self) -> impl Iterator<Item = &str> {
        let key_of = key_of(&self.slots);
        self.order.iter().map(move |slot| key_of(slot).as_str())
    }

    /// Every entry, in no particular order, read in slot order (neither the hash index nor
    /// the order is touched). O(n).
    pub(super) fn unordered(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.slots
            .iter()
            .map(|slot| (slot.key.as_str(), &slot.value))
    }

    /// The length of the longest key and of the longest value, list item or set member. O(n)
    /// plus the items.
    pub(super) fn longest(&self) -> (usize, usize) {
        self.slots.iter().fold((0, 0), |(key, value), slot| {
            (
                key.max(slot.key.as_str().len()),
                value.max(slot.value.longest()),
            )
        })
    }

    /// The keys after `start`, in byte order. O(log n) to start.
    pub(super) fn keys_after(&self, start: Bound<&Key>) -> impl Iterator<Item = &Key> {
        let key_of = key_of(&self.slots);
        self.order.after(start, key_of).map(key_of)
    }
}
