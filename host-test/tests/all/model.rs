//! Differential test: random sequences of every exported operation, run on the real component and
//! on a plain Rust model of the contract; every result must agree.
//!
//! CI runs a few cases of 10,000 operations each. A long run:
//! `MEMKV_MODEL_CASES=100 MEMKV_MODEL_OPS=10000 cargo test --release -p host-test --test model`
//! (10^6 operations).

use std::collections::BTreeMap;

use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;
use host_test::{Harness, HostState, MemkvInstance};
use proptest::prelude::*;
use wasmtime::component::ResourceAny;

const BUCKETS: [&str; 3] = ["", "b", "another bucket"];
const KEYS: [&str; 8] = [
    "",
    "a",
    "b",
    "é",
    "key-exactly-16-b",
    "key-longer-than-sixteen-bytes",
    "key-longer-than-sixteen-bytes\0",
    "n",
];

#[derive(Debug, Clone)]
enum Op {
    ApiGet(usize, usize),
    ApiSet(usize, usize, Vec<u8>),
    Get(usize, usize),
    Set(usize, usize, Vec<u8>),
    Delete(usize, usize),
    Exists(usize, usize),
    ListAll(usize),
    Increment(usize, usize, u64),
    GetMany(usize, Vec<usize>),
    SetMany(usize, Vec<(usize, Vec<u8>)>),
    DeleteMany(usize, Vec<usize>),
    SetLimits {
        max_value_bytes: u32,
        max_entries_per_bucket: u64,
        page_size: u32,
    },
    /// Save a snapshot and load it back: into a fresh instance, or into the same one (whose
    /// open bucket handles must then reach the loaded buckets).
    SaveLoad {
        fresh: bool,
    },
    /// Save a snapshot, flip one bit of it, and load that: refused, nothing changes.
    LoadCorrupted {
        at: usize,
        bit: u8,
    },
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..12),
        (0u64..30).prop_map(|n| n.to_string().into_bytes()),
        Just(u64::MAX.to_string().into_bytes()),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let bucket = 0..BUCKETS.len();
    let key = 0..KEYS.len();
    prop_oneof![
        3 => (bucket.clone(), key.clone()).prop_map(|(b, k)| Op::ApiGet(b, k)),
        3 => (bucket.clone(), key.clone(), value()).prop_map(|(b, k, v)| Op::ApiSet(b, k, v)),
        4 => (bucket.clone(), key.clone()).prop_map(|(b, k)| Op::Get(b, k)),
        4 => (bucket.clone(), key.clone(), value()).prop_map(|(b, k, v)| Op::Set(b, k, v)),
        2 => (bucket.clone(), key.clone()).prop_map(|(b, k)| Op::Delete(b, k)),
        2 => (bucket.clone(), key.clone()).prop_map(|(b, k)| Op::Exists(b, k)),
        1 => bucket.clone().prop_map(Op::ListAll),
        3 => (bucket.clone(), key.clone(), prop_oneof![0u64..5, Just(u64::MAX)])
            .prop_map(|(b, k, d)| Op::Increment(b, k, d)),
        1 => (bucket.clone(), prop::collection::vec(key.clone(), 0..5))
            .prop_map(|(b, ks)| Op::GetMany(b, ks)),
        1 => (bucket.clone(), prop::collection::vec((key.clone(), value()), 0..5))
            .prop_map(|(b, kvs)| Op::SetMany(b, kvs)),
        1 => (bucket, prop::collection::vec(key, 0..5)).prop_map(|(b, ks)| Op::DeleteMany(b, ks)),
        1 => (
            prop_oneof![Just(4u32), Just(8), Just(16 << 20)],
            prop_oneof![Just(3u64), Just(6), Just(u64::MAX)],
            1u32..4,
        )
            .prop_map(|(max_value_bytes, max_entries_per_bucket, page_size)| Op::SetLimits {
                max_value_bytes,
                max_entries_per_bucket,
                page_size,
            }),
        1 => any::<bool>().prop_map(|fresh| Op::SaveLoad { fresh }),
        1 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Op::LoadCorrupted { at, bit }),
    ]
}

/// The contract in plain Rust: buckets of ordered keys, counters as decimal text, value-size and
/// entries-per-bucket limits, batches all or nothing.
#[derive(Debug)]
struct Model {
    buckets: BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>,
    max_value_bytes: usize,
    max_entries_per_bucket: u64,
    page_size: usize,
}

/// What an operation answered, comparable between the model and the component. Errors compare
/// by kind, the first words of their message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Unit,
    Value(Option<Vec<u8>>),
    Bool(bool),
    Count(u64),
    Keys(Vec<String>),
    Many(Vec<Option<(String, Vec<u8>)>>),
    Refused(&'static str),
}

fn kind_of(message: &str) -> &'static str {
    if message.starts_with("quota exceeded") {
        "quota"
    } else if message.contains("not a decimal u64") {
        "not a counter"
    } else if message.contains("overflows u64") {
        "overflow"
    } else if message.starts_with("what is stored does not fit") {
        "does not fit"
    } else {
        "other"
    }
}

impl Model {
    fn new() -> Self {
        Self {
            buckets: BUCKETS
                .iter()
                .map(|&name| (name, BTreeMap::new()))
                .collect(),
            max_value_bytes: 16 << 20,
            max_entries_per_bucket: u64::MAX,
            page_size: 1000,
        }
    }

    /// Apply one write to `bucket` if the limits allow it.
    fn write(
        &self,
        bucket: &mut BTreeMap<String, Vec<u8>>,
        key: &str,
        value: &[u8],
    ) -> Result<(), &'static str> {
        if value.len() > self.max_value_bytes {
            return Err("quota");
        }
        if !bucket.contains_key(key) && bucket.len() as u64 + 1 > self.max_entries_per_bucket {
            return Err("quota");
        }
        bucket.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Answer {
        let answer = |result: Result<Answer, &'static str>| result.unwrap_or_else(Answer::Refused);
        match op {
            Op::ApiGet(b, k) | Op::Get(b, k) => {
                Answer::Value(self.buckets[BUCKETS[*b]].get(KEYS[*k]).cloned())
            }
            Op::ApiSet(b, k, v) | Op::Set(b, k, v) => {
                let mut bucket = self.buckets[BUCKETS[*b]].clone();
                let result = self.write(&mut bucket, KEYS[*k], v);
                if result.is_ok() {
                    self.buckets.insert(BUCKETS[*b], bucket);
                }
                match op {
                    Op::ApiSet(..) => Answer::Unit,
                    _ => answer(result.map(|()| Answer::Unit)),
                }
            }
            Op::Delete(b, k) => {
                self.buckets.get_mut(BUCKETS[*b]).unwrap().remove(KEYS[*k]);
                Answer::Unit
            }
            Op::Exists(b, k) => Answer::Bool(self.buckets[BUCKETS[*b]].contains_key(KEYS[*k])),
            Op::ListAll(b) => Answer::Keys(self.buckets[BUCKETS[*b]].keys().cloned().collect()),
            Op::Increment(b, k, delta) => {
                let mut bucket = self.buckets[BUCKETS[*b]].clone();
                let current = match bucket.get(KEYS[*k]) {
                    None => Some(0),
                    Some(v) if !v.is_empty() && v.iter().all(u8::is_ascii_digit) => {
                        std::str::from_utf8(v).unwrap().parse::<u64>().ok()
                    }
                    Some(_) => None,
                };
                let Some(current) = current else {
                    return Answer::Refused("not a counter");
                };
                let Some(new) = current.checked_add(*delta) else {
                    return Answer::Refused("overflow");
                };
                let result = self.write(&mut bucket, KEYS[*k], new.to_string().as_bytes());
                if result.is_ok() {
                    self.buckets.insert(BUCKETS[*b], bucket);
                }
                answer(result.map(|()| Answer::Count(new)))
            }
            Op::GetMany(b, keys) => Answer::Many(
                keys.iter()
                    .map(|&k| {
                        let value = self.buckets[BUCKETS[*b]].get(KEYS[k])?.clone();
                        Some((KEYS[k].to_owned(), value))
                    })
                    .collect(),
            ),
            Op::SetMany(b, entries) => {
                let mut bucket = self.buckets[BUCKETS[*b]].clone();
                if entries.iter().any(|(_, v)| v.len() > self.max_value_bytes) {
                    return Answer::Refused("quota");
                }
                for (k, v) in entries {
                    if let Err(kind) = self.write(&mut bucket, KEYS[*k], v) {
                        return Answer::Refused(kind);
                    }
                }
                self.buckets.insert(BUCKETS[*b], bucket);
                Answer::Unit
            }
            Op::DeleteMany(b, keys) => {
                for &k in keys {
                    self.buckets.get_mut(BUCKETS[*b]).unwrap().remove(KEYS[k]);
                }
                Answer::Unit
            }
            Op::SetLimits {
                max_value_bytes,
                max_entries_per_bucket,
                page_size,
            } => {
                let fits = self.buckets.values().all(|bucket| {
                    bucket.len() as u64 <= *max_entries_per_bucket
                        && bucket
                            .values()
                            .all(|v| v.len() <= *max_value_bytes as usize)
                });
                if !fits {
                    return Answer::Refused("does not fit");
                }
                self.max_value_bytes = *max_value_bytes as usize;
                self.max_entries_per_bucket = *max_entries_per_bucket;
                self.page_size = *page_size as usize;
                Answer::Unit
            }
            Op::SaveLoad { .. } => Answer::Unit,
            Op::LoadCorrupted { .. } => Answer::Refused("snapshot"),
        }
    }
}

/// The component, with one open handle per bucket.
struct Subject {
    memkv: MemkvInstance<HostState>,
    handles: Vec<ResourceAny>,
}

impl Subject {
    fn new() -> wasmtime::Result<Self> {
        Self::with(Harness::shared().instantiate()?)
    }

    fn with(mut memkv: MemkvInstance<HostState>) -> wasmtime::Result<Self> {
        let handles = BUCKETS
            .iter()
            .map(|name| Ok(memkv.draft().open(name)?.expect("open never fails here")))
            .collect::<wasmtime::Result<_>>()?;
        Ok(Self { memkv, handles })
    }

    /// Run `op`; a trap is an `Err`, which fails the test.
    fn apply(&mut self, op: &Op, page_size: usize) -> wasmtime::Result<Answer> {
        fn answer<T>(result: Result<T, Error>, ok: impl FnOnce(T) -> Answer) -> Answer {
            match result {
                Ok(value) => ok(value),
                Err(Error::Other(message)) => Answer::Refused(kind_of(&message)),
                Err(_) => Answer::Refused("unexpected error variant"),
            }
        }
        let memkv = &mut self.memkv;
        let handle = |b: &usize| self.handles[*b];
        Ok(match op {
            Op::ApiGet(b, k) => Answer::Value(memkv.api().get(BUCKETS[*b], KEYS[*k])?),
            Op::ApiSet(b, k, v) => {
                memkv.api().set(BUCKETS[*b], KEYS[*k], v)?;
                Answer::Unit
            }
            Op::Get(b, k) => answer(memkv.draft().get(handle(b), KEYS[*k])?, Answer::Value),
            Op::Set(b, k, v) => answer(memkv.draft().set(handle(b), KEYS[*k], v)?, |()| {
                Answer::Unit
            }),
            Op::Delete(b, k) => answer(memkv.draft().delete(handle(b), KEYS[*k])?, |()| {
                Answer::Unit
            }),
            Op::Exists(b, k) => answer(memkv.draft().exists(handle(b), KEYS[*k])?, Answer::Bool),
            Op::ListAll(b) => answer(memkv.draft().list_all_keys(handle(b))?, |listing| {
                assert!(
                    listing.page_sizes.iter().all(|&size| size <= page_size),
                    "{listing:?}"
                );
                Answer::Keys(listing.keys)
            }),
            Op::Increment(b, k, d) => answer(
                memkv.draft().increment(handle(b), KEYS[*k], *d)?,
                Answer::Count,
            ),
            Op::GetMany(b, keys) => {
                let keys: Vec<String> = keys.iter().map(|&k| KEYS[k].to_owned()).collect();
                answer(memkv.draft().get_many(handle(b), &keys)?, Answer::Many)
            }
            Op::SetMany(b, entries) => {
                let entries: Vec<(String, Vec<u8>)> = entries
                    .iter()
                    .map(|(k, v)| (KEYS[*k].to_owned(), v.clone()))
                    .collect();
                answer(memkv.draft().set_many(handle(b), &entries)?, |()| {
                    Answer::Unit
                })
            }
            Op::DeleteMany(b, keys) => {
                let keys: Vec<String> = keys.iter().map(|&k| KEYS[k].to_owned()).collect();
                answer(memkv.draft().delete_many(handle(b), &keys)?, |()| {
                    Answer::Unit
                })
            }
            Op::SetLimits {
                max_value_bytes,
                max_entries_per_bucket,
                page_size,
            } => {
                let limits = Limits {
                    max_value_bytes: *max_value_bytes,
                    max_entries_per_bucket: *max_entries_per_bucket,
                    page_size: *page_size,
                    ..memkv.limits().get()?
                };
                match memkv.limits().set(limits)? {
                    Ok(()) => Answer::Unit,
                    Err(message) => Answer::Refused(kind_of(&message)),
                }
            }
            Op::SaveLoad { fresh: true } => {
                let snapshot = memkv.snapshot().save()?;
                let mut loaded = Harness::shared().instantiate()?;
                loaded
                    .snapshot()
                    .load(&snapshot)?
                    .expect("a saved snapshot loads");
                assert_eq!(
                    loaded.snapshot().save()?,
                    snapshot,
                    "save of the loaded store"
                );
                *self = Self::with(loaded)?;
                Answer::Unit
            }
            Op::SaveLoad { fresh: false } => {
                let snapshot = memkv.snapshot().save()?;
                memkv
                    .snapshot()
                    .load(&snapshot)?
                    .expect("a saved snapshot loads");
                Answer::Unit
            }
            Op::LoadCorrupted { at, bit } => {
                let mut snapshot = memkv.snapshot().save()?;
                let at = at % snapshot.len();
                snapshot[at] ^= 1 << bit;
                let message = memkv
                    .snapshot()
                    .load(&snapshot)?
                    .expect_err("a corrupted snapshot is refused");
                assert!(message.contains("snapshot"), "{message}");
                Answer::Refused("snapshot")
            }
        })
    }
}

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: env_or("MEMKV_MODEL_CASES", 4),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn component_agrees_with_the_model(
        ops in prop::collection::vec(op(), env_or("MEMKV_MODEL_OPS", 10_000) as usize)
    ) {
        let mut model = Model::new();
        let mut subject = Subject::new().unwrap();
        for (i, op) in ops.iter().enumerate() {
            let page_size = model.page_size;
            let expected = model.apply(op);
            let actual = subject.apply(op, page_size).unwrap_or_else(|trap| panic!("op {i} {op:?} trapped: {trap:?}"));
            prop_assert_eq!(actual, expected, "op {} {:?}", i, op);
        }
    }
}
