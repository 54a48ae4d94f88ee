//! Sequences of store operations — bytes, counters, compare-and-swap (with wasmCloud 0.2's
//! version tokens), listings (with wasmCloud 0.2's prefixes), batches, lists
//! and sets, limits, lifetimes (by a clock only `Advance` moves), snapshots — against
//! `memkv-model`, the contract in plain Rust (the same
//! model the component's differential test uses): every answer and every refusal — its kind
//! and the limit it names — agrees with the model's, and at the end the store saves a snapshot
//! that loads back to the same bytes and the same usage.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use memkv::store::{BucketId, End, Error, Kind, Lifetimes, Limits, Store, Version};
use memkv_model::{Kind as ModelKind, Model, Observed, Refused};

const BUCKETS: [&str; 3] = ["", "b", "a longer bucket identifier"];

#[derive(Debug, Arbitrary)]
enum Op {
    Set(u8, String, Vec<u8>),
    Delete(u8, String),
    Get(u8, String),
    Increment(u8, String, u64),
    IncrementSigned(u8, String, i64),
    /// Observe a key for a compare-and-swap; the next `Swap` on the same bucket uses it.
    Observe(u8, String),
    Swap(u8, Vec<u8>),
    ListAfter(u8, Option<String>),
    /// wasmCloud 0.2's listing: keys with a prefix, after a cursor.
    ListPrefixed(u8, String, Option<String>),
    SetMany(u8, Vec<(String, Vec<u8>)>),
    DeleteMany(u8, Vec<String>),
    ListAll(u8),
    Kind(u8, String),
    /// Push at the back, or (`true`) each item at the front.
    Push(u8, String, Vec<Vec<u8>>, bool),
    Range(u8, String, i64, i64),
    ListLen(u8, String),
    /// Remove the first equal item, or (`true`) every one.
    ListRemove(u8, String, Vec<u8>, bool),
    /// Clear the list (`true`) or the set.
    Clear(u8, String, bool),
    SetAdd(u8, String, Vec<Vec<u8>>),
    SetRemove(u8, String, Vec<Vec<u8>>),
    Members(u8, String),
    SetContains(u8, String, Vec<u8>),
    Cardinality(u8, String),
    Union(u8, Vec<String>),
    Intersection(u8, Vec<String>),
    SetLimits {
        max_key_bytes: u8,
        max_value_bytes: u8,
        max_total_bytes: u16,
        max_entries_per_bucket: u8,
        page_size: u8,
    },
    SaveLoad,
    /// A write with a lifetime of this many milliseconds.
    SetExpiring(u8, String, Vec<u8>, u16),
    /// Move the clock on; the keys whose deadline has come are deleted.
    Advance(u16),
}

/// The refusal a store error reports; every error the store gives here is one the model knows.
fn refusal(error: &Error) -> Refused {
    Refused::classify(&error.to_string()).unwrap_or_else(|| panic!("unknown refusal: {error}"))
}

/// The store's answer and the model's agree.
fn same<T: PartialEq + std::fmt::Debug>(store: Result<T, Error>, model: Result<T, Refused>) {
    assert_eq!(store.map_err(|error| refusal(&error)), model);
}

/// The model's name for a kind.
fn model_kind(kind: Kind) -> ModelKind {
    match kind {
        Kind::Bytes => ModelKind::Bytes,
        Kind::List => ModelKind::List,
        Kind::Set => ModelKind::Set,
    }
}

/// Open bucket `b` in both; `None` if both refused it.
fn bucket(store: &mut Store, model: &mut Model, b: u8) -> Option<(BucketId, &'static str)> {
    let name = BUCKETS[usize::from(b) % BUCKETS.len()];
    let opened = store.open(name);
    let expected = model.open(name);
    same(opened.as_ref().map(|_| ()).map_err(Clone::clone), expected);
    opened.ok().map(|id| (id, name))
}

/// Every key of the bucket through numbered cursors, and every value, as the model has them.
fn check_bucket(store: &mut Store, model: &Model, id: BucketId, name: &str) {
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_keys(id, cursor)
            .expect("a fresh listing pages to its end");
        keys.extend(page.keys);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(keys, model.keys(name), "listing");
    for key in &keys {
        let kind = store.kind(id, key);
        assert_eq!(kind.map(model_kind), model.kind(name, key), "{key:?}");
        match kind {
            Some(Kind::List) => same(store.range(id, key, 0, -1), model.range(name, key, 0, -1)),
            Some(Kind::Set) => same(store.members(id, key), model.members(name, key)),
            _ => same(
                store.get(id, key).map(|value| value.map(<[u8]>::to_vec)),
                model.get(name, key),
            ),
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut store = Store::new();
    let mut model = Model::new();
    // The engines' clock is the model's: both start at 0.
    let mut lifetimes = Lifetimes::default();
    let mut now = 0u64;
    // The last observation per bucket, in the store and in the model, and its key.
    let mut observed: [Option<(Version, Observed, String)>; 3] = Default::default();
    for op in ops {
        match op {
            Op::Set(b, key, value) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.set(id, &key, value.clone()),
                    model.set(name, &key, &value),
                );
            }
            Op::Delete(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                assert_eq!(store.delete(id, &key), model.exists(name, &key));
                model.delete(name, &key);
            }
            Op::Get(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.get(id, &key).map(|value| value.map(<[u8]>::to_vec)),
                    model.get(name, &key),
                );
            }
            Op::Increment(b, key, delta) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.increment(id, &key, delta),
                    model.increment(name, &key, delta),
                );
            }
            Op::IncrementSigned(b, key, delta) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.increment_signed(id, &key, delta),
                    model.increment(name, &key, delta),
                );
            }
            Op::Observe(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let version = store.version(id, &key);
                let seen = model.observe(name, &key);
                let value = seen.as_ref().map(|seen| seen.value.clone()).map_err(|r| *r);
                same(
                    store.get(id, &key).map(|value| value.map(<[u8]>::to_vec)),
                    value,
                );
                observed[usize::from(b) % BUCKETS.len()] =
                    seen.ok().map(|seen| (version, seen, key));
            }
            Op::Swap(b, value) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let Some((version, seen, key)) = observed[usize::from(b) % BUCKETS.len()].take()
                else {
                    continue;
                };
                // wasmCloud 0.2's version token: the same text exactly when nothing wrote the
                // key in between (for a key that exists, the only one with a token).
                let now = store.version(id, &key);
                if let (Some(then), Some(token)) = (version.token(), now.token()) {
                    assert_eq!(then == token, version.unchanged_at(&now), "{key:?}");
                }
                same(
                    store.swap(id, &key, &version, value.clone()),
                    model.swap(name, &key, &seen, &value),
                );
            }
            Op::ListAfter(b, after) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let page = store.list_keys_after(id, after.as_deref()).unwrap();
                assert_eq!(
                    page,
                    model.page_after(name, after.as_deref()),
                    "after {after:?}"
                );
            }
            Op::ListPrefixed(b, prefix, after) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let page = store
                    .list_keys_prefixed(id, &prefix, after.as_deref())
                    .unwrap();
                assert_eq!(
                    page,
                    model.page_prefixed(name, &prefix, after.as_deref()),
                    "prefix {prefix:?} after {after:?}"
                );
            }
            Op::SetMany(b, entries) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.set_many(id, entries.clone()),
                    model.set_many(name, &entries),
                );
                check_bucket(&mut store, &model, id, name);
            }
            Op::DeleteMany(b, keys) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                store.delete_many(id, keys.clone());
                model.delete_many(name, &keys);
            }
            Op::ListAll(b) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                check_bucket(&mut store, &model, id, name);
            }
            Op::Kind(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                assert_eq!(store.kind(id, &key).map(model_kind), model.kind(name, &key));
            }
            Op::Push(b, key, items, front) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let end = if front { End::Front } else { End::Back };
                same(
                    store.push(id, &key, items.clone(), end),
                    model.push(name, &key, &items, front),
                );
            }
            Op::Range(b, key, start, stop) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.range(id, &key, start, stop),
                    model.range(name, &key, start, stop),
                );
            }
            Op::ListLen(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(store.list_len(id, &key), model.list_len(name, &key));
            }
            Op::ListRemove(b, key, item, all) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.list_remove(id, &key, &item, all),
                    model.list_remove(name, &key, &item, all),
                );
            }
            Op::Clear(b, key, list) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let (kind, expected) = if list {
                    (Kind::List, ModelKind::List)
                } else {
                    (Kind::Set, ModelKind::Set)
                };
                same(
                    store.clear(id, &key, kind),
                    model.clear(name, &key, expected),
                );
            }
            Op::SetAdd(b, key, members) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.set_add(id, &key, members.clone()),
                    model.set_add(name, &key, &members),
                );
            }
            Op::SetRemove(b, key, members) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.set_remove(id, &key, members.clone()),
                    model.set_remove(name, &key, &members),
                );
            }
            Op::Members(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(store.members(id, &key), model.members(name, &key));
            }
            Op::SetContains(b, key, member) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.set_contains(id, &key, &member),
                    model.set_contains(name, &key, &member),
                );
            }
            Op::Cardinality(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(store.cardinality(id, &key), model.cardinality(name, &key));
            }
            Op::Union(b, keys) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(store.union(id, &keys), model.union(name, &keys));
            }
            Op::Intersection(b, keys) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                same(
                    store.intersection(id, &keys),
                    model.intersection(name, &keys),
                );
            }
            Op::SetLimits {
                max_key_bytes,
                max_value_bytes,
                max_total_bytes,
                max_entries_per_bucket,
                page_size,
            } => {
                let limits = Limits {
                    max_key_bytes: max_key_bytes.into(),
                    max_value_bytes: max_value_bytes.into(),
                    max_total_bytes: u64::from(max_total_bytes) * 8,
                    max_entries_per_bucket: max_entries_per_bucket.into(),
                    max_buckets: 3,
                    page_size: page_size.into(),
                };
                let expected = model.set_limits(memkv_model::Limits {
                    max_key_bytes: limits.max_key_bytes,
                    max_value_bytes: limits.max_value_bytes,
                    max_total_bytes: limits.max_total_bytes,
                    max_entries_per_bucket: limits.max_entries_per_bucket,
                    max_buckets: limits.max_buckets,
                    page_size: limits.page_size,
                });
                let actual = store.set_limits(limits);
                assert_eq!(
                    actual.map_err(|error| Refused::classify(&error.to_string())),
                    expected.map_err(Some)
                );
            }
            Op::SaveLoad => {
                let snapshot = store.save_with(&lifetimes).unwrap();
                lifetimes = store
                    .restore_with(&snapshot)
                    .expect("a saved snapshot loads");
                model.reload();
            }
            Op::SetExpiring(b, key, value, ttl_ms) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let ttl_ms = u64::from(ttl_ms);
                let written = store.set(id, &key, value.clone());
                if written.is_ok() {
                    lifetimes.start(&store, name, id, &key, now + ttl_ms);
                }
                same(written, model.set_expiring(name, &key, &value, ttl_ms));
            }
            Op::Advance(ms) => {
                now += u64::from(ms);
                lifetimes.expire(&mut store, now);
                model.advance(u64::from(ms));
            }
        }
        let usage = store.usage();
        let expected = model.usage();
        assert_eq!(
            (usage.total_bytes, usage.entries, usage.buckets),
            (expected.total_bytes, expected.entries, expected.buckets),
            "usage"
        );
    }
    let snapshot = store.save_with(&lifetimes).unwrap();
    let (mut loaded, deadlines) =
        Store::load_with(&snapshot).expect("a saved snapshot fits its own limits");
    assert_eq!(
        loaded.usage(),
        store.usage(),
        "usage as counted == usage recomputed"
    );
    let lifetimes = Lifetimes::loaded(&loaded, &deadlines);
    assert_eq!(loaded.save_with(&lifetimes).unwrap(), snapshot);
    for name in BUCKETS {
        if let Some(id) = loaded.find(name) {
            check_bucket(&mut loaded, &model, id, name);
        } else {
            assert!(!model.has_bucket(name), "every opened bucket is saved");
        }
    }
});
