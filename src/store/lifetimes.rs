//! Lifetimes of keys: wasmCloud 0.2's `set` with `ttl-ms` and waSCC's `set` with `expires`, for
//! an engine with a clock (the in-memory engine of the async artifacts, which import a wall
//! clock). The store knows nothing of time; this table keeps, for each key written with a
//! lifetime, its deadline (milliseconds, by the engine's clock) and the write stamp that write
//! gave it, and [`Lifetimes::expire`] deletes the keys whose deadline has passed, as a delete
//! would — unless something wrote the key since (its stamp changed: any later write ends the
//! lifetime, as Redis's `SET` does) or a snapshot was loaded (the store generation changed). An
//! engine that expires before every call makes an expired key absent to every reader, listing,
//! usage figure and snapshot from its deadline on. Pure: the time is always passed in.
//!
//! Snapshots carry the deadlines of the keys whose lifetime is running ([`Store::save_with`],
//! [`Store::restore_with`]), so a key keeps its lifetime across a save and a load, and one whose
//! deadline passed in between is gone at the first call after the load.

use std::collections::{BTreeMap, BTreeSet};

use super::{BucketId, Deadline, Store};

/// Where a key with a lifetime is: its bucket's name and the key.
type Place = (Box<str>, Box<str>);

/// What a lifetime ends: the write of `stamp`, in the store of `generation`.
#[derive(Debug, Clone, Copy)]
struct Lifetime {
    deadline: u64,
    stamp: u64,
    generation: u64,
}

/// The lifetimes of the keys of one store.
#[derive(Debug, Default)]
pub struct Lifetimes {
    /// The lifetime of each key that has one, by place.
    by_place: BTreeMap<Place, Lifetime>,
    /// The same, in deadline order.
    by_deadline: BTreeSet<(u64, Place)>,
}

impl Lifetimes {
    /// Whether no key has a lifetime.
    pub fn is_empty(&self) -> bool {
        self.by_place.is_empty()
    }

    /// The earliest deadline, if any key has a lifetime: no key expires before it.
    pub fn next_deadline(&self) -> Option<u64> {
        self.by_deadline.first().map(|(deadline, _)| *deadline)
    }

    /// Delete from `store` every key whose deadline is `now` or earlier. O(log n) per key.
    pub fn expire(&mut self, store: &mut Store, now: u64) {
        while self.next_deadline().is_some_and(|deadline| deadline <= now) {
            let Some((_, place)) = self.by_deadline.pop_first() else {
                break;
            };
            let Some(lifetime) = self.by_place.remove(&place) else {
                continue;
            };
            if lifetime.generation != store.generation() {
                continue;
            }
            if let Some(id) = store.find(&place.0)
                && store.version(id, &place.1).stamp() == Some(lifetime.stamp)
            {
                store.delete(id, &place.1);
            }
        }
    }

    /// The deadline of `key` in the bucket called `name`, if its lifetime is running: it was
    /// given one and nothing wrote the key, or loaded a snapshot, since. O(log n).
    pub fn deadline(&self, store: &Store, name: &str, key: &str) -> Option<u64> {
        let lifetime = self.by_place.get(&(Box::from(name), Box::from(key)))?;
        let id = store.find(name)?;
        let current = lifetime.generation == store.generation()
            && store.version(id, key).stamp() == Some(lifetime.stamp);
        current.then_some(lifetime.deadline)
    }

    /// The lifetimes a snapshot carries, for the store it was just loaded into: each key of
    /// `deadlines` ends at its deadline, even one already passed (the first expiry deletes it).
    pub fn loaded(store: &Store, deadlines: &[Deadline]) -> Self {
        let mut lifetimes = Self::default();
        for deadline in deadlines {
            if let Some(id) = store.find(&deadline.bucket) {
                lifetimes.start(store, &deadline.bucket, id, &deadline.key, deadline.at);
            }
        }
        lifetimes
    }

    /// Give `key` of `bucket` (called `name`), just written, a lifetime that ends at `deadline`;
    /// a lifetime it had before is replaced.
    pub fn start(&mut self, store: &Store, name: &str, bucket: BucketId, key: &str, deadline: u64) {
        let Some(stamp) = store.version(bucket, key).stamp() else {
            return;
        };
        let lifetime = Lifetime {
            deadline,
            stamp,
            generation: store.generation(),
        };
        let place: Place = (name.into(), key.into());
        if let Some(old) = self.by_place.insert(place.clone(), lifetime) {
            self.by_deadline.remove(&(old.deadline, place.clone()));
        }
        self.by_deadline.insert((deadline, place));
    }
}
