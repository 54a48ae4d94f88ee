//! Lifetimes of keys in the in-memory engine of the async artifacts, which import a wall clock
//! (`wasi:clocks/wall-clock`): wasmCloud 0.2's `set` with `ttl-ms` and waSCC's `set` with
//! `expires`. The store core knows nothing of time; this table keeps, for each key written with
//! a lifetime, its deadline (milliseconds since the epoch) and the write stamp that write gave
//! it. Before every call reaches the store ([`expire`], from `memory::with_store`), the keys
//! whose deadline has passed are deleted, as a delete would — unless something wrote the key
//! since (its stamp changed: any later write ends the lifetime, as Redis's `SET` does) or a
//! snapshot was loaded (the store generation changed). So an expired key is absent to every
//! reader, listing, usage figure and snapshot from its deadline on.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::exports::clock;
use crate::store::{BucketId, Store};

/// Where a key with a lifetime is: its bucket's name and the key.
type Place = (Box<str>, Box<str>);

/// What a lifetime ends: the write of `stamp`, in the store of `generation`.
#[derive(Clone, Copy)]
struct Lifetime {
    deadline: u64,
    stamp: u64,
    generation: u64,
}

#[derive(Default)]
struct Table {
    /// The lifetime of each key that has one, by place.
    by_place: BTreeMap<Place, Lifetime>,
    /// The same, in deadline order.
    by_deadline: BTreeSet<(u64, Place)>,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::default();
}

/// Delete from `store` every key whose lifetime has ended. Reads the clock only if some key has
/// a lifetime; O(log n) per key expired.
pub fn expire(store: &mut Store) {
    TABLE.with_borrow_mut(|table| {
        let Some(&(first, _)) = table.by_deadline.first() else {
            return;
        };
        let now = clock::now_ms();
        if first > now {
            return;
        }
        while let Some((deadline, _)) = table.by_deadline.first()
            && *deadline <= now
        {
            let Some((_, place)) = table.by_deadline.pop_first() else {
                break;
            };
            let Some(lifetime) = table.by_place.remove(&place) else {
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
    });
}

/// Give `key` of `bucket` (called `name`), just written, a lifetime of `ttl_ms` from now.
pub fn start(store: &Store, name: &str, bucket: BucketId, key: &str, ttl_ms: u64) {
    let Some(stamp) = store.version(bucket, key).stamp() else {
        return;
    };
    let lifetime = Lifetime {
        deadline: clock::now_ms().saturating_add(ttl_ms),
        stamp,
        generation: store.generation(),
    };
    let place: Place = (name.into(), key.into());
    TABLE.with_borrow_mut(|table| {
        if let Some(old) = table.by_place.insert(place.clone(), lifetime) {
            table.by_deadline.remove(&(old.deadline, place.clone()));
        }
        table.by_deadline.insert((lifetime.deadline, place));
    });
}
