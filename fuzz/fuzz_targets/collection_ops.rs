//! Sequences of operations on bytes, lists and sets in a few keys of one bucket, against a
//! plain model of Redis's semantics kept here: every answer agrees (an operation on a key of
//! another kind is refused by both), the usage stays what the entries charge, and a snapshot
//! loads back to the same store.

#![no_main]

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use memkv::store::{BUCKET_OVERHEAD, ENTRY_OVERHEAD, End, Entry, Kind, Store};

/// Few keys, so that operations meet on them.
const KEYS: [&str; 4] = ["a", "b", "list", ""];

#[derive(Debug, Arbitrary)]
enum Op {
    Set(u8, Vec<u8>),
    Delete(u8),
    Get(u8),
    Push(u8, Vec<Vec<u8>>, bool),
    Range(u8, i64, i64),
    Remove(u8, Vec<u8>, bool),
    SetAdd(u8, Vec<Vec<u8>>),
    SetRemove(u8, Vec<Vec<u8>>),
    Members(u8),
    Union(Vec<u8>),
    Intersection(Vec<u8>),
    Clear(u8, bool),
    SaveLoad,
}

/// What the model keeps under a key.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bytes(Vec<u8>),
    List(Vec<Vec<u8>>),
    Set(BTreeSet<Vec<u8>>),
}

fn key(k: u8) -> &'static str {
    KEYS[usize::from(k) % KEYS.len()]
}

/// The model's list under `key` (`None` if absent), or `Err` if the key holds another kind.
fn list_of<'a>(
    model: &'a mut BTreeMap<&str, Value>,
    key: &str,
) -> Result<Option<&'a mut Vec<Vec<u8>>>, ()> {
    match model.get_mut(key) {
        None => Ok(None),
        Some(Value::List(items)) => Ok(Some(items)),
        Some(_) => Err(()),
    }
}

fn set_of<'a>(
    model: &'a BTreeMap<&str, Value>,
    key: &str,
) -> Result<Option<&'a BTreeSet<Vec<u8>>>, ()> {
    match model.get(key) {
        None => Ok(None),
        Some(Value::Set(members)) => Ok(Some(members)),
        Some(_) => Err(()),
    }
}

/// LRANGE of `items`.
fn lrange(items: &[Vec<u8>], start: i64, stop: i64) -> Vec<Vec<u8>> {
    let len = items.len() as i64;
    let at = |index: i64| if index < 0 { index + len } else { index };
    let (start, stop) = (at(start).max(0), at(stop).min(len - 1));
    if start > stop {
        return Vec::new();
    }
    items[start as usize..=stop as usize].to_vec()
}

/// Whether two answers agree: equal values, or both refused.
fn agree<T: PartialEq + std::fmt::Debug, E>(store: Result<T, E>, model: Result<T, ()>) {
    match (store, model) {
        (Ok(store), Ok(model)) => assert_eq!(store, model),
        (Err(_), Err(())) => {}
        (store, model) => panic!("store {:?} vs model {model:?}", store.ok()),
    }
}

fn check_usage(store: &Store) {
    let bucket = store.find("b").expect("opened first");
    let mut total = 1 + BUCKET_OVERHEAD;
    for (key, value) in store.entries(bucket) {
        total += key.len() as u64 + value.charge() + ENTRY_OVERHEAD;
        if let Entry::List(items) = value {
            assert!(!items.is_empty());
        }
        if let Entry::Set(members) = value {
            assert!(!members.is_empty());
        }
    }
    assert_eq!(store.usage().total_bytes, total);
    assert_eq!(store.usage().entries, store.len(bucket) as u64);
}

fuzz_target!(|ops: Vec<Op>| {
    let mut store = Store::new();
    let mut bucket = store.open("b").unwrap();
    let mut model: BTreeMap<&str, Value> = BTreeMap::new();
    for op in ops {
        match op {
            Op::Set(k, value) => {
                store.set(bucket, key(k), value.clone()).unwrap();
                model.insert(key(k), Value::Bytes(value));
            }
            Op::Delete(k) => {
                assert_eq!(store.delete(bucket, key(k)), model.remove(key(k)).is_some());
            }
            Op::Get(k) => {
                let expected = match model.get(key(k)) {
                    None => Ok(None),
                    Some(Value::Bytes(value)) => Ok(Some(value.clone())),
                    Some(_) => Err(()),
                };
                agree(
                    store
                        .get(bucket, key(k))
                        .map(|value| value.map(<[u8]>::to_vec)),
                    expected,
                );
            }
            Op::Push(k, items, front) => {
                let end = if front { End::Front } else { End::Back };
                let expected = list_of(&mut model, key(k)).map(|list| {
                    let mut list = list.cloned().unwrap_or_default();
                    for item in &items {
                        if front {
                            list.insert(0, item.clone());
                        } else {
                            list.push(item.clone());
                        }
                    }
                    list
                });
                let len = expected
                    .as_ref()
                    .map(|list| list.len() as u64)
                    .map_err(|_| ());
                agree(store.push(bucket, key(k), items, end), len);
                if let Ok(list) = expected
                    && !list.is_empty()
                {
                    model.insert(key(k), Value::List(list));
                }
            }
            Op::Range(k, start, stop) => {
                let expected = list_of(&mut model, key(k))
                    .map(|list| list.map_or_else(Vec::new, |list| lrange(list, start, stop)));
                agree(store.range(bucket, key(k), start, stop), expected);
            }
            Op::Remove(k, item, all) => {
                let expected = list_of(&mut model, key(k)).map(|list| {
                    let Some(list) = list else { return 0 };
                    let mut removed = 0;
                    list.retain(|other| {
                        let gone = *other == item && (all || removed == 0);
                        removed += u64::from(gone);
                        !gone
                    });
                    removed
                });
                if matches!(model.get(key(k)), Some(Value::List(list)) if list.is_empty()) {
                    model.remove(key(k));
                }
                agree(store.list_remove(bucket, key(k), &item, all), expected);
            }
            Op::SetAdd(k, members) => {
                let expected = set_of(&model, key(k)).map(|set| {
                    let mut set = set.cloned().unwrap_or_default();
                    let added = members
                        .iter()
                        .filter(|member| set.insert((*member).clone()))
                        .count();
                    (set, added as u64)
                });
                agree(
                    store.set_add(bucket, key(k), members),
                    expected.as_ref().map(|(_, added)| *added).map_err(|_| ()),
                );
                if let Ok((set, _)) = expected
                    && !set.is_empty()
                {
                    model.insert(key(k), Value::Set(set));
                }
            }
            Op::SetRemove(k, members) => {
                let expected = set_of(&model, key(k)).map(|set| {
                    let mut set = set.cloned().unwrap_or_default();
                    let removed = members.iter().filter(|member| set.remove(*member)).count();
                    (set, removed as u64)
                });
                agree(
                    store.set_remove(bucket, key(k), members),
                    expected
                        .as_ref()
                        .map(|(_, removed)| *removed)
                        .map_err(|_| ()),
                );
                match expected {
                    Ok((set, removed)) if set.is_empty() && removed > 0 => {
                        model.remove(key(k));
                    }
                    Ok((set, removed)) if removed > 0 => {
                        model.insert(key(k), Value::Set(set));
                    }
                    _ => {}
                }
            }
            Op::Members(k) => {
                let expected = set_of(&model, key(k)).map(|set| {
                    set.map(|set| set.iter().cloned().collect())
                        .unwrap_or_default()
                });
                agree(store.members(bucket, key(k)), expected);
            }
            Op::Union(ks) | Op::Intersection(ks) if ks.is_empty() => {
                let keys: Vec<String> = Vec::new();
                assert_eq!(store.union(bucket, &keys), Ok(Vec::new()));
                assert_eq!(store.intersection(bucket, &keys), Ok(Vec::new()));
            }
            Op::Union(ks) => {
                let keys: Vec<String> = ks.iter().map(|&k| key(k).to_owned()).collect();
                let sets: Result<Vec<_>, ()> = keys.iter().map(|key| set_of(&model, key)).collect();
                let expected = sets.map(|sets| {
                    let union: BTreeSet<Vec<u8>> =
                        sets.into_iter().flatten().flatten().cloned().collect();
                    union.into_iter().collect()
                });
                agree(store.union(bucket, &keys), expected);
            }
            Op::Intersection(ks) => {
                let keys: Vec<String> = ks.iter().map(|&k| key(k).to_owned()).collect();
                let sets: Result<Vec<_>, ()> = keys.iter().map(|key| set_of(&model, key)).collect();
                let expected = sets.map(|sets| {
                    let empty = BTreeSet::new();
                    let sets: Vec<&BTreeSet<Vec<u8>>> =
                        sets.into_iter().map(|set| set.unwrap_or(&empty)).collect();
                    sets[0]
                        .iter()
                        .filter(|member| sets.iter().all(|set| set.contains(*member)))
                        .cloned()
                        .collect()
                });
                agree(store.intersection(bucket, &keys), expected);
            }
            Op::Clear(k, list) => {
                let kind = if list { Kind::List } else { Kind::Set };
                let expected = match model.get(key(k)) {
                    None => Ok(false),
                    Some(Value::List(_)) if list => Ok(true),
                    Some(Value::Set(_)) if !list => Ok(true),
                    Some(_) => Err(()),
                };
                if expected == Ok(true) {
                    model.remove(key(k));
                }
                agree(store.clear(bucket, key(k), kind), expected);
            }
            Op::SaveLoad => {
                let bytes = store.save().unwrap();
                let loaded = Store::load(&bytes).unwrap();
                assert_eq!(loaded.save().unwrap(), bytes);
                assert_eq!(loaded.usage(), store.usage());
                store = loaded;
                bucket = store.find("b").unwrap();
            }
        }
        check_usage(&store);
        let kinds: Vec<(&str, Kind)> = model
            .iter()
            .map(|(key, value)| {
                let kind = match value {
                    Value::Bytes(_) => Kind::Bytes,
                    Value::List(_) => Kind::List,
                    Value::Set(_) => Kind::Set,
                };
                (*key, kind)
            })
            .collect();
        for (key, kind) in kinds {
            assert_eq!(store.kind(bucket, key), Some(kind), "{key:?}");
        }
        assert_eq!(store.len(bucket), model.len());
    }
});
