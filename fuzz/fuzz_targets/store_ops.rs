//! Sequences of store operations against a plain model: every read agrees with the model, every
//! refused write changes nothing, and at the end the store saves a snapshot that loads back to
//! the same bytes and the same usage (so the usage the limits are checked against was counted
//! right, and the store fits its limits).

#![no_main]

use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use std::str::FromStr;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use memkv::store::{BucketId, Error, Limits, Store, Version};

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
    SetMany(u8, Vec<(String, Vec<u8>)>),
    DeleteMany(u8, Vec<String>),
    ListAll(u8),
    SetLimits {
        max_key_bytes: u8,
        max_value_bytes: u8,
        max_total_bytes: u16,
        max_entries_per_bucket: u8,
        page_size: u8,
    },
    SaveLoad,
}

type Model = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

fn bucket(store: &mut Store, model: &mut Model, b: u8) -> Option<(BucketId, &'static str)> {
    let name = BUCKETS[usize::from(b) % BUCKETS.len()];
    let id = store.open(name).ok()?;
    model.entry(name).or_default();
    Some((id, name))
}

/// The integer types counters are incremented as.
trait Counter: Copy + Default + PartialEq + Debug + Display + FromStr<Err: Debug> {
    fn checked_add(self, delta: Self) -> Option<Self>;
}

impl Counter for u64 {
    fn checked_add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

impl Counter for i64 {
    fn checked_add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

/// Run one increment of `key` by `delta` and check it against the bucket's model `entries`:
/// a success adds `delta` to the counter the model holds (recorded as a write of `key`), a
/// refusal leaves the value as it was.
fn check_increment<C: Counter>(
    store: &mut Store,
    id: BucketId,
    entries: &mut BTreeMap<String, Vec<u8>>,
    written: &mut Vec<String>,
    key: String,
    delta: C,
    increment: fn(&mut Store, BucketId, &str, C) -> Result<C, Error>,
) {
    let before = entries.get(&key).cloned();
    match increment(store, id, &key, delta) {
        Ok(new) => {
            let old = before.map_or(C::default(), |v| {
                std::str::from_utf8(&v).unwrap().parse::<C>().unwrap()
            });
            assert_eq!(old.checked_add(delta), Some(new));
            written.push(key.clone());
            entries.insert(key, new.to_string().into_bytes());
        }
        Err(_) => assert_eq!(store.get(id, &key), before.as_deref()),
    }
}

fn check_bucket(store: &mut Store, id: BucketId, entries: &BTreeMap<String, Vec<u8>>) {
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
    assert!(keys.iter().eq(entries.keys()), "listing");
    for (key, value) in entries {
        assert_eq!(store.get(id, key), Some(&value[..]), "value of {key:?}");
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut store = Store::new();
    let mut model = Model::new();
    // The last observation per bucket: the version, the key, and the model's value then.
    let mut observed: BTreeMap<&str, (Version, String, Option<Vec<u8>>)> = BTreeMap::new();
    // Keys written (or deleted) since each observation, per bucket.
    let mut written: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut any_delete: BTreeMap<&str, bool> = BTreeMap::new();
    for op in ops {
        match op {
            Op::Set(b, key, value) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                if store.set(id, &key, value.clone()).is_ok() {
                    written.entry(name).or_default().push(key.clone());
                    model.get_mut(name).unwrap().insert(key, value);
                } else {
                    let expected = model[name].get(&key).map(Vec::as_slice);
                    assert_eq!(
                        store.get(id, &key),
                        expected,
                        "a refused set changes nothing"
                    );
                }
            }
            Op::Delete(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let existed = model.get_mut(name).unwrap().remove(&key).is_some();
                assert_eq!(store.delete(id, &key), existed);
                if existed {
                    any_delete.insert(name, true);
                }
            }
            Op::Get(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                assert_eq!(
                    store.get(id, &key),
                    model[name].get(&key).map(Vec::as_slice)
                );
            }
            Op::Increment(b, key, delta) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let entries = model.get_mut(name).unwrap();
                let written = written.entry(name).or_default();
                check_increment(
                    &mut store,
                    id,
                    entries,
                    written,
                    key,
                    delta,
                    Store::increment,
                );
            }
            Op::IncrementSigned(b, key, delta) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let entries = model.get_mut(name).unwrap();
                let written = written.entry(name).or_default();
                check_increment(
                    &mut store,
                    id,
                    entries,
                    written,
                    key,
                    delta,
                    Store::increment_signed,
                );
            }
            Op::Observe(b, key) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let version = store.version(id, &key);
                let value = model[name].get(&key).cloned();
                observed.insert(name, (version, key, value));
                written.insert(name, Vec::new());
                any_delete.insert(name, false);
            }
            Op::Swap(b, value) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let Some((version, key, seen)) = observed.remove(name) else {
                    continue;
                };
                let touched = written.get(name).is_some_and(|keys| keys.contains(&key));
                // A key seen absent also fails after any deletion in the bucket.
                let deleted = seen.is_none() && any_delete.get(name) == Some(&true);
                match store.swap(id, &key, &version, value.clone()) {
                    Ok(true) => {
                        assert!(!touched && !deleted, "swap after a write");
                        assert_eq!(
                            model[name].get(&key),
                            seen.as_ref(),
                            "swap on a changed key"
                        );
                        model.get_mut(name).unwrap().insert(key, value);
                    }
                    Ok(false) => {
                        let changed = model[name].get(&key) != seen.as_ref();
                        assert!(touched || deleted || changed, "a swap failed for nothing");
                    }
                    Err(_) => {}
                }
                // Every write since the observation invalidates; start over.
                written.remove(name);
                any_delete.remove(name);
            }
            Op::ListAfter(b, after) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                let (keys, cursor) = store.list_keys_after(id, after.as_deref()).unwrap();
                let expected: Vec<&String> = model[name]
                    .keys()
                    .filter(|key| after.as_ref().is_none_or(|after| *key > after))
                    .take(keys.len())
                    .collect();
                assert!(keys.iter().eq(expected), "page after {after:?}");
                assert_eq!(
                    cursor.is_some(),
                    model[name]
                        .keys()
                        .filter(|key| after.as_ref().is_none_or(|after| *key > after))
                        .count()
                        > keys.len()
                );
            }
            Op::SetMany(b, entries) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                if store.set_many(id, entries.clone()).is_ok() {
                    written
                        .entry(name)
                        .or_default()
                        .extend(entries.iter().map(|(k, _)| k.clone()));
                    model.get_mut(name).unwrap().extend(entries);
                }
                check_bucket(&mut store, id, &model[name]);
            }
            Op::DeleteMany(b, keys) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                for key in &keys {
                    if model.get_mut(name).unwrap().remove(key).is_some() {
                        any_delete.insert(name, true);
                        written.entry(name).or_default().push(key.clone());
                    }
                }
                store.delete_many(id, keys);
            }
            Op::ListAll(b) => {
                let Some((id, name)) = bucket(&mut store, &mut model, b) else {
                    continue;
                };
                check_bucket(&mut store, id, &model[name]);
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
                let before = store.limits();
                if store.set_limits(limits).is_ok() {
                    assert_eq!(store.limits(), limits);
                } else {
                    assert_eq!(store.limits(), before);
                }
            }
            Op::SaveLoad => {
                let snapshot = store.save().unwrap();
                store.restore(&snapshot).expect("a saved snapshot loads");
                // A load is a write of every key: pending observations are stale.
                for (name, _) in observed.iter() {
                    any_delete.insert(name, true);
                }
                observed.clear();
            }
        }
    }
    let snapshot = store.save().unwrap();
    let mut loaded = Store::load(&snapshot).expect("a saved snapshot fits its own limits");
    assert_eq!(
        loaded.usage(),
        store.usage(),
        "usage as counted == usage recomputed"
    );
    assert_eq!(loaded.save().unwrap(), snapshot);
    for (name, entries) in &model {
        let id = loaded.find(name).expect("every opened bucket is saved");
        check_bucket(&mut loaded, id, entries);
    }
});
