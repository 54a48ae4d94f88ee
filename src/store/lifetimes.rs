//! Lifetimes of keys: wasmCloud 0.2's `set` with `ttl-ms` and waSCC's `set` with `expires`, for
//! an engine with a clock (the in-memory engine of the async artifacts, which import a wall
//! clock). The store knows nothing of time; this table keeps, for each key written with a
//! lifetime, its deadline (milliseconds, by the engine's clock) and the write stamp that write
//! gave it, and [`Lifetimes::expire`] deletes the keys whose deadline has passed, as a delete
//! would — unless something wrote the key since (its stamp changed: any later write ends the
//! lifetime, as Redis's `SET` does) or a snapshot was loaded (the store generation changed). An
//! engine that expires before every call makes an expired key absent to every reader, listing,
//! usage figure and snapshot from its deadline on. Pure: the time is always passed in.

use std::collections::{BTreeMap, BTreeSet};

use super::{BucketId, Store};

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
