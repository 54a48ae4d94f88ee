//! Differential test: random sequences of every exported operation — the Golem example API, both
//! drafts of `wasi:keyvalue` (cursors, signed counters, compare-and-swap), Spin 2's store, lists
//! and sets
//! (`memkv:store/collections`), the Golem dialect, limits and snapshots, and on memkv-p3 waSCC's
//! `set` with `expires`, wasmCloud 0.2 (`set` with `ttl-ms` and `if-not-exists`, prefix
//! listings, `get`, version `cas`, through the async ABI) and a wall clock that moves only when
//! the test says — run on the real
//! component and on `memkv-model`, the contract in plain Rust; every answer must agree,
//! refusals by kind and limit. (memkv-golem and memkv-p3 are in-memory artifacts: the Redis
//! suites run them as the top level does.)
//!
//! CI runs a few cases of 10,000 operations on each artifact. A long run (10^6 operations each):
//! `MEMKV_MODEL_CASES=100 MEMKV_MODEL_OPS=10000 cargo test --release -p host-test --test all model::`

use host_test::bindings::exports::fermyon::spin::key_value::Error as SpinError;
use host_test::bindings::exports::memkv::store::collections::Kind as WitKind;
use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::store::Error as Error2;
use host_test::bindings::exports::wasmcloud::keyvalue::key_value::SetRequest;
use host_test::golem::Golem;
use host_test::{GolemHarness, GolemInstance, Harness, HostState, MemkvInstance, ModelClock};
use memkv_host::{WASMCLOUD_CAS, WASMCLOUD_TYPES, bytes_val};
use memkv_model::{Kind, Model, Observed, Refused, Usage};
use proptest::prelude::*;
use wasmtime::component::{ResourceAny, Val};

use super::harness;

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
    /// draft2: a page after a key (or a string that is no key), or from the start.
    Page2(usize, Option<&'static str>),
    Get2(usize, usize),
    Set2(usize, usize, Vec<u8>),
    Increment2(usize, usize, i64),
    GetMany2(usize, Vec<usize>),
    /// draft2 `cas.new`: kept per bucket until the next `Swap` there.
    Observe(usize, usize),
    Swap(usize, Vec<u8>),
    /// `fermyon:spin/key-value@2.0.0`, on the store of the bucket's label.
    SpinGet(usize, usize),
    SpinSet(usize, usize, Vec<u8>),
    SpinDelete(usize, usize),
    SpinExists(usize, usize),
    SpinGetKeys(usize),
    /// The Golem dialect (memkv-golem only).
    GolemGet(usize, usize),
    GolemGetMany(usize, Vec<usize>),
    GolemGetKeys(usize),
    GolemIncrement(usize, usize, u64),
    GolemCompareAndSwap(usize, usize, u64, u64),
    /// Lists and sets, on the draft's handles.
    KindOf(usize, usize),
    /// Push items at the back, or (`true`) each at the front.
    ListPush(usize, usize, Vec<Vec<u8>>, bool),
    ListRange(usize, usize, i64, i64),
    ListLength(usize, usize),
    /// Remove the first equal item, or (`true`) every one.
    ListRemove(usize, usize, Vec<u8>, bool),
    /// Clear the list (`true`) or the set under a key.
    Clear(usize, usize, bool),
    SetAdd(usize, usize, Vec<Vec<u8>>),
    SetRemove(usize, usize, Vec<Vec<u8>>),
    Members(usize, usize),
    SetContains(usize, usize, Vec<u8>),
    Cardinality(usize, usize),
    Union(usize, Vec<usize>),
    Intersection(usize, Vec<usize>),
    SetLimits(memkv_model::Limits),
    Usage,
    /// Save a snapshot and load it back: into a fresh instance, or into the same one (whose
    /// open handles must then reach the loaded buckets).
    SaveLoad {
        fresh: bool,
    },
    /// Save a snapshot, flip one bit of it, and load that: refused, nothing changes.
    LoadCorrupted {
        at: usize,
        bit: u8,
    },
    /// waSCC's `set` with `expires` (seconds), on its bucket `""` (memkv-p3 only).
    SetExpiring(usize, String, u32),
    /// Move the wall clock on by this many milliseconds (memkv-p3 only).
    Advance(u64),
    /// wasmCloud 0.2 (async, memkv-p3 only): `set` with `ttl-ms` and `if-not-exists`.
    WcSet(usize, usize, Vec<u8>, Option<u64>, bool),
    /// wasmCloud 0.2's `list-keys` with a prefix (`""`: none given) after a cursor.
    WcList(usize, &'static str, Option<&'static str>),
    WcGet(usize, usize),
    /// wasmCloud 0.2's `cas.current`: kept per bucket until the next `WcSwap` there.
    WcCurrent(usize, usize),
    /// `cas.swap` of the key last `WcCurrent` there: requiring its version (if it had one and
    /// `true`) and this value (if given).
    WcSwap(usize, Vec<u8>, bool, Option<Vec<u8>>),
}

impl Op {
    fn is_golem(&self) -> bool {
        matches!(
            self,
            Op::GolemGet(..)
                | Op::GolemGetMany(..)
                | Op::GolemGetKeys(..)
                | Op::GolemIncrement(..)
                | Op::GolemCompareAndSwap(..)
        )
    }

    fn is_clocked(&self) -> bool {
        matches!(
            self,
            Op::SetExpiring(..)
                | Op::Advance(..)
                | Op::WcSet(..)
                | Op::WcList(..)
                | Op::WcGet(..)
                | Op::WcCurrent(..)
                | Op::WcSwap(..)
        )
    }
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..12),
        (0u64..30).prop_map(|n| n.to_string().into_bytes()),
        Just(b"-7".to_vec()),
        Just(u64::MAX.to_string().into_bytes()),
    ]
}

/// A list item or set member: a few that recur, or any short bytes.
fn item() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"x".to_vec()),
        Just(b"y".to_vec()),
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..10),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let b = || 0..BUCKETS.len();
    let k = || 0..KEYS.len();
    let keys = || prop::collection::vec(k(), 0..5);
    let after = prop_oneof![Just(None), k().prop_map(|k| Some(KEYS[k])), Just(Some("c")),];
    prop_oneof![
        3 => (b(), k()).prop_map(|(b, k)| Op::ApiGet(b, k)),
        3 => (b(), k(), value()).prop_map(|(b, k, v)| Op::ApiSet(b, k, v)),
        4 => (b(), k()).prop_map(|(b, k)| Op::Get(b, k)),
        4 => (b(), k(), value()).prop_map(|(b, k, v)| Op::Set(b, k, v)),
        2 => (b(), k()).prop_map(|(b, k)| Op::Delete(b, k)),
        2 => (b(), k()).prop_map(|(b, k)| Op::Exists(b, k)),
        1 => b().prop_map(Op::ListAll),
        3 => (b(), k(), prop_oneof![0u64..5, Just(u64::MAX)])
            .prop_map(|(b, k, d)| Op::Increment(b, k, d)),
        1 => (b(), keys()).prop_map(|(b, ks)| Op::GetMany(b, ks)),
        1 => (b(), prop::collection::vec((k(), value()), 0..5))
            .prop_map(|(b, kvs)| Op::SetMany(b, kvs)),
        1 => (b(), keys()).prop_map(|(b, ks)| Op::DeleteMany(b, ks)),
        2 => (b(), after).prop_map(|(b, a)| Op::Page2(b, a)),
        2 => (b(), k()).prop_map(|(b, k)| Op::Get2(b, k)),
        2 => (b(), k(), value()).prop_map(|(b, k, v)| Op::Set2(b, k, v)),
        2 => (b(), k(), prop_oneof![-3i64..3, Just(i64::MIN), Just(i64::MAX)])
            .prop_map(|(b, k, d)| Op::Increment2(b, k, d)),
        1 => (b(), keys()).prop_map(|(b, ks)| Op::GetMany2(b, ks)),
        2 => (b(), k()).prop_map(|(b, k)| Op::Observe(b, k)),
        2 => (b(), value()).prop_map(|(b, v)| Op::Swap(b, v)),
        2 => (b(), k()).prop_map(|(b, k)| Op::GolemGet(b, k)),
        1 => (b(), keys()).prop_map(|(b, ks)| Op::GolemGetMany(b, ks)),
        1 => b().prop_map(Op::GolemGetKeys),
        2 => (b(), k()).prop_map(|(b, k)| Op::SpinGet(b, k)),
        2 => (b(), k(), value()).prop_map(|(b, k, v)| Op::SpinSet(b, k, v)),
        1 => (b(), k()).prop_map(|(b, k)| Op::SpinDelete(b, k)),
        1 => (b(), k()).prop_map(|(b, k)| Op::SpinExists(b, k)),
        1 => b().prop_map(Op::SpinGetKeys),
        1 => (b(), k(), 0u64..3).prop_map(|(b, k, d)| Op::GolemIncrement(b, k, d)),
        1 => (b(), k(), 0u64..4, 0u64..4)
            .prop_map(|(b, k, old, new)| Op::GolemCompareAndSwap(b, k, old, new)),
        1 => (
            prop_oneof![Just(16u32), Just(64 << 10)],
            prop_oneof![Just(4u32), Just(8), Just(16 << 20)],
            prop_oneof![Just(1_500u64), Just(4_000), Just(1 << 30)],
            prop_oneof![Just(3u64), Just(6), Just(u64::MAX)],
            0u32..4,
        )
            .prop_map(
                |(max_key_bytes, max_value_bytes, max_total_bytes, max_entries_per_bucket, page_size)| {
                    Op::SetLimits(memkv_model::Limits {
                        max_key_bytes,
                        max_value_bytes,
                        max_total_bytes,
                        max_entries_per_bucket,
                        max_buckets: u32::MAX,
                        page_size,
                    })
                }
            ),
        1 => (b(), k()).prop_map(|(b, k)| Op::KindOf(b, k)),
        3 => (b(), k(), prop::collection::vec(item(), 0..4), any::<bool>())
            .prop_map(|(b, k, items, front)| Op::ListPush(b, k, items, front)),
        2 => (b(), k(), -4i64..4, prop_oneof![-4i64..4, Just(i64::MAX)])
            .prop_map(|(b, k, start, stop)| Op::ListRange(b, k, start, stop)),
        1 => (b(), k()).prop_map(|(b, k)| Op::ListLength(b, k)),
        2 => (b(), k(), item(), any::<bool>())
            .prop_map(|(b, k, item, all)| Op::ListRemove(b, k, item, all)),
        1 => (b(), k(), any::<bool>()).prop_map(|(b, k, list)| Op::Clear(b, k, list)),
        3 => (b(), k(), prop::collection::vec(item(), 0..4))
            .prop_map(|(b, k, members)| Op::SetAdd(b, k, members)),
        2 => (b(), k(), prop::collection::vec(item(), 0..4))
            .prop_map(|(b, k, members)| Op::SetRemove(b, k, members)),
        2 => (b(), k()).prop_map(|(b, k)| Op::Members(b, k)),
        1 => (b(), k(), item()).prop_map(|(b, k, member)| Op::SetContains(b, k, member)),
        1 => (b(), k()).prop_map(|(b, k)| Op::Cardinality(b, k)),
        1 => (b(), keys()).prop_map(|(b, ks)| Op::Union(b, ks)),
        1 => (b(), keys()).prop_map(|(b, ks)| Op::Intersection(b, ks)),
        1 => Just(Op::Usage),
        1 => any::<bool>().prop_map(|fresh| Op::SaveLoad { fresh }),
        1 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Op::LoadCorrupted { at, bit }),
        3 => (
            k(),
            prop_oneof![Just(String::new()), (0u64..30).prop_map(|n| n.to_string())],
            1u32..4
        )
            .prop_map(|(k, v, seconds)| Op::SetExpiring(k, v, seconds)),
        2 => prop_oneof![0u64..1_200, Just(1_000), Just(3_000)].prop_map(Op::Advance),
        3 => (b(), k(), value(), prop_oneof![Just(None), (1u64..2_500).prop_map(Some)], any::<bool>())
            .prop_map(|(b, k, v, ttl, if_not_exists)| Op::WcSet(b, k, v, ttl, if_not_exists)),
        2 => (
            b(),
            prop_oneof![Just(""), Just("k"), Just("key-"), Just("a")],
            prop_oneof![Just(None), k().prop_map(|k| Some(KEYS[k])), Just(Some("c"))],
        )
            .prop_map(|(b, prefix, cursor)| Op::WcList(b, prefix, cursor)),
        2 => (b(), k()).prop_map(|(b, k)| Op::WcGet(b, k)),
        2 => (b(), k()).prop_map(|(b, k)| Op::WcCurrent(b, k)),
        2 => (b(), value(), any::<bool>(), prop_oneof![Just(None), value().prop_map(Some)])
            .prop_map(|(b, v, by_version, value)| Op::WcSwap(b, v, by_version, value)),
    ]
}

/// What an operation answered, comparable between the model and the component.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Unit,
    Value(Option<Vec<u8>>),
    Bool(bool),
    Count(u64),
    Signed(i64),
    Keys(Vec<String>),
    Page(Vec<String>, Option<String>),
    Many(Vec<Option<(String, Vec<u8>)>>),
    Found(Vec<(String, Option<Vec<u8>>)>),
    Values(Vec<Vec<u8>>),
    Kind(Option<Kind>),
    Usage(Usage),
    Refused(Refused),
    /// One of wasmCloud 0.2's error cases, by name (`quota-exceeded` names no limit).
    Case(&'static str),
    /// wasmCloud 0.2's `cas-result.stale`: the key's value now (its version is opaque).
    Stale(Option<Vec<u8>>),
    /// A refusal the model does not know: never expected.
    Unclassified(String),
}

/// wasmCloud 0.2's answer for a refusal: `quota-exceeded`, or the core's message in `other`.
fn wasmcloud_answer<T>(result: Result<T, Refused>, ok: impl FnOnce(T) -> Answer) -> Answer {
    match result {
        Err(Refused::Quota(_)) => Answer::Case("quota-exceeded"),
        result => answer(result, ok),
    }
}

/// wasmCloud 0.2's answer for the component's error text (`wasmcloud_result`'s).
fn wasmcloud_refusal(error: &str) -> Answer {
    match error {
        "quota-exceeded" => Answer::Case("quota-exceeded"),
        "invalid-argument" => Answer::Case("invalid-argument"),
        other => refused(other),
    }
}

fn refused(message: &str) -> Answer {
    Refused::classify(message).map_or_else(|| Answer::Unclassified(message.into()), Answer::Refused)
}

fn answer<T>(result: Result<T, Refused>, ok: impl FnOnce(T) -> Answer) -> Answer {
    result.map_or_else(Answer::Refused, ok)
}

fn keys(indexes: &[usize]) -> Vec<String> {
    indexes.iter().map(|&k| KEYS[k].to_owned()).collect()
}

/// Each bucket's latest draft2 observation, and the key it observed, for the next `Swap` there;
/// and its latest wasmCloud `current`, for the next `WcSwap`.
#[derive(Default)]
struct Pending {
    draft2: [Option<(Observed, &'static str)>; 3],
    wasmcloud: [Option<(Observed, &'static str)>; 3],
}

/// The model's answer to `op`.
fn expect(model: &mut Model, pending: &mut Pending, op: &Op) -> Answer {
    let name = |b: &usize| BUCKETS[*b];
    match op {
        Op::ApiGet(b, k) => Answer::Value(model.api_get(name(b), KEYS[*k])),
        Op::Get(b, k) | Op::Get2(b, k) | Op::SpinGet(b, k) => {
            answer(model.get(name(b), KEYS[*k]), Answer::Value)
        }
        Op::ApiSet(b, k, v) => {
            let _refused_silently = model.set(name(b), KEYS[*k], v);
            Answer::Unit
        }
        Op::Set(b, k, v) | Op::Set2(b, k, v) | Op::SpinSet(b, k, v) => {
            answer(model.set(name(b), KEYS[*k], v), |()| Answer::Unit)
        }
        Op::Delete(b, k) | Op::SpinDelete(b, k) => {
            model.delete(name(b), KEYS[*k]);
            Answer::Unit
        }
        Op::Exists(b, k) | Op::SpinExists(b, k) => Answer::Bool(model.exists(name(b), KEYS[*k])),
        Op::ListAll(b) | Op::GolemGetKeys(b) | Op::SpinGetKeys(b) => {
            Answer::Keys(model.keys(name(b)))
        }
        Op::Increment(b, k, d) | Op::GolemIncrement(b, k, d) => {
            answer(model.increment(name(b), KEYS[*k], *d), Answer::Count)
        }
        Op::GetMany(b, ks) => answer(model.get_many(name(b), &keys(ks)), |found| {
            Answer::Many(
                found
                    .into_iter()
                    .map(|(key, value)| value.map(|value| (key, value)))
                    .collect(),
            )
        }),
        Op::SetMany(b, entries) => {
            let entries: Vec<(String, Vec<u8>)> = entries
                .iter()
                .map(|(k, v)| (KEYS[*k].to_owned(), v.clone()))
                .collect();
            answer(model.set_many(name(b), &entries), |()| Answer::Unit)
        }
        Op::DeleteMany(b, ks) => {
            model.delete_many(name(b), &keys(ks));
            Answer::Unit
        }
        Op::Page2(b, after) => {
            let (keys, cursor) = model.page_after(name(b), *after);
            Answer::Page(keys, cursor)
        }
        Op::Increment2(b, k, d) => answer(model.increment(name(b), KEYS[*k], *d), Answer::Signed),
        Op::GetMany2(b, ks) => answer(model.get_many(name(b), &keys(ks)), Answer::Found),
        Op::Observe(b, k) => match model.observe(name(b), KEYS[*k]) {
            Ok(observed) => {
                let value = observed.value.clone();
                pending.draft2[*b] = Some((observed, KEYS[*k]));
                Answer::Value(value)
            }
            Err(refused) => {
                pending.draft2[*b] = None;
                Answer::Refused(refused)
            }
        },
        Op::Swap(b, v) => match pending.draft2[*b].take() {
            None => Answer::Unit,
            Some((observed, key)) => match model.swap(name(b), key, &observed, v) {
                // A failed swap answers with a fresh handle on the key, which a list or a set
                // under it now refuses.
                Ok(false) => answer(model.observe(name(b), key), |_| Answer::Bool(false)),
                swapped => answer(swapped, Answer::Bool),
            },
        },
        Op::GolemGet(b, k) => answer(model.golem_get(name(b), KEYS[*k]), |v| {
            Answer::Value(Some(v))
        }),
        Op::GolemGetMany(b, ks) => answer(model.golem_get_many(name(b), &keys(ks)), Answer::Values),
        Op::GolemCompareAndSwap(b, k, old, new) => answer(
            model.golem_compare_and_swap(name(b), KEYS[*k], *old, *new),
            Answer::Bool,
        ),
        Op::KindOf(b, k) => Answer::Kind(model.kind(name(b), KEYS[*k])),
        Op::ListPush(b, k, items, front) => {
            answer(model.push(name(b), KEYS[*k], items, *front), Answer::Count)
        }
        Op::ListRange(b, k, start, stop) => answer(
            model.range(name(b), KEYS[*k], *start, *stop),
            Answer::Values,
        ),
        Op::ListLength(b, k) => answer(model.list_len(name(b), KEYS[*k]), Answer::Count),
        Op::ListRemove(b, k, item, all) => {
            let removed = model.list_remove(name(b), KEYS[*k], item, *all);
            // The interface answers `remove-first` with whether one went.
            answer(removed, |n| {
                if *all {
                    Answer::Count(n)
                } else {
                    Answer::Bool(n == 1)
                }
            })
        }
        Op::Clear(b, k, list) => {
            let kind = if *list { Kind::List } else { Kind::Set };
            answer(model.clear(name(b), KEYS[*k], kind), Answer::Bool)
        }
        Op::SetAdd(b, k, members) => {
            answer(model.set_add(name(b), KEYS[*k], members), Answer::Count)
        }
        Op::SetRemove(b, k, members) => {
            answer(model.set_remove(name(b), KEYS[*k], members), Answer::Count)
        }
        Op::Members(b, k) => answer(model.members(name(b), KEYS[*k]), Answer::Values),
        Op::SetContains(b, k, member) => {
            answer(model.set_contains(name(b), KEYS[*k], member), Answer::Bool)
        }
        Op::Cardinality(b, k) => answer(model.cardinality(name(b), KEYS[*k]), Answer::Count),
        Op::Union(b, ks) => answer(model.union(name(b), &keys(ks)), Answer::Values),
        Op::Intersection(b, ks) => answer(model.intersection(name(b), &keys(ks)), Answer::Values),
        Op::SetLimits(limits) => answer(model.set_limits(*limits), |()| Answer::Unit),
        Op::Usage => Answer::Usage(model.usage()),
        Op::SaveLoad { .. } => {
            model.reload();
            Answer::Unit
        }
        Op::LoadCorrupted { .. } => Answer::Unit,
        Op::SetExpiring(k, v, seconds) => {
            let ttl_ms = u64::from(*seconds) * 1000;
            let _refused_silently = model.set_expiring("", KEYS[*k], v.as_bytes(), ttl_ms);
            Answer::Unit
        }
        Op::Advance(ms) => {
            model.advance(*ms);
            Answer::Unit
        }
        Op::WcSet(_, k, _, _, _) | Op::WcGet(_, k) if KEYS[*k].is_empty() => {
            Answer::Case("invalid-argument")
        }
        Op::WcCurrent(b, k) if KEYS[*k].is_empty() => {
            pending.wasmcloud[*b] = None;
            Answer::Case("invalid-argument")
        }
        Op::WcCurrent(b, k) => match model.observe(name(b), KEYS[*k]) {
            Ok(observed) => {
                let value = observed.value.clone();
                pending.wasmcloud[*b] = Some((observed, KEYS[*k]));
                Answer::Value(value)
            }
            Err(refused) => {
                pending.wasmcloud[*b] = None;
                wasmcloud_answer(Err(refused), |()| Answer::Unit)
            }
        },
        Op::WcSwap(b, v, by_version, required) => {
            let Some((observed, key)) = pending.wasmcloud[*b].take() else {
                return Answer::Unit;
            };
            // The version is required only if `current` gave one: the key existed.
            let by_version = *by_version && observed.value.is_some();
            if !by_version && required.is_none() {
                return Answer::Case("invalid-argument");
            }
            let now = match model.observe(name(b), key) {
                Ok(now) => now,
                Err(refused) => return wasmcloud_answer(Err(refused), |()| Answer::Unit),
            };
            let holds = now.value.is_some()
                && (!by_version || now.same_version(&observed))
                && required
                    .as_ref()
                    .is_none_or(|required| now.value.as_ref() == Some(required));
            if !holds {
                return Answer::Stale(now.value);
            }
            wasmcloud_answer(model.set(name(b), key, v), |()| Answer::Bool(true))
        }
        Op::WcSet(b, k, v, ttl, if_not_exists) => {
            let (bucket, key) = (name(b), KEYS[*k]);
            if *if_not_exists && model.exists(bucket, key) {
                return Answer::Bool(false);
            }
            let written = match ttl {
                Some(ttl_ms) => model.set_expiring(bucket, key, v, *ttl_ms),
                None => model.set(bucket, key, v),
            };
            wasmcloud_answer(written, |()| Answer::Bool(true))
        }
        Op::WcGet(b, k) => wasmcloud_answer(model.get(name(b), KEYS[*k]), Answer::Value),
        Op::WcList(_, prefix, Some(cursor)) if !cursor.starts_with(prefix) => {
            Answer::Case("invalid-argument")
        }
        Op::WcList(b, prefix, cursor) => {
            let (keys, next) = model.page_prefixed(name(b), prefix, *cursor);
            Answer::Page(keys, next)
        }
    }
}

/// A memkv artifact under test: the main one, memkv-golem with the Golem dialect too, or
/// memkv-p3 with a wall clock.
trait Artifact: Sized {
    fn fresh() -> wasmtime::Result<Self>;
    fn memkv(&mut self) -> &mut MemkvInstance<HostState>;
    fn golem(&mut self) -> Option<Golem<'_>>;
    /// The instance's wall clock, if it has one.
    fn clock(&self) -> Option<&ModelClock> {
        None
    }
}

thread_local! {
    /// The wall clock of this thread's memkv-p3 instances: it moves only on `Op::Advance`.
    static CLOCK: ModelClock = ModelClock::at(1_800_000_000_000);
}

/// memkv-p3, whose keys can have lifetimes, on this thread's [`CLOCK`].
struct Clocked {
    instance: MemkvInstance<HostState>,
    clock: ModelClock,
}

impl Artifact for Clocked {
    fn fresh() -> wasmtime::Result<Self> {
        let clock = CLOCK.with(Clone::clone);
        let instance = Harness::clocked().instantiate_with_wasi(clock.wasi())?;
        Ok(Self { instance, clock })
    }

    fn memkv(&mut self) -> &mut MemkvInstance<HostState> {
        &mut self.instance
    }

    fn golem(&mut self) -> Option<Golem<'_>> {
        None
    }

    fn clock(&self) -> Option<&ModelClock> {
        Some(&self.clock)
    }
}

impl Artifact for MemkvInstance<HostState> {
    fn fresh() -> wasmtime::Result<Self> {
        harness().instantiate()
    }

    fn memkv(&mut self) -> &mut MemkvInstance<HostState> {
        self
    }

    fn golem(&mut self) -> Option<Golem<'_>> {
        None
    }
}

impl Artifact for GolemInstance {
    fn fresh() -> wasmtime::Result<Self> {
        GolemHarness::shared().instantiate()
    }

    fn memkv(&mut self) -> &mut MemkvInstance<HostState> {
        self
    }

    fn golem(&mut self) -> Option<Golem<'_>> {
        Some(GolemInstance::golem(self))
    }
}

/// The component, with one open handle per bucket and dialect, and each bucket's pending `cas`.
struct Subject<A: Artifact> {
    instance: A,
    draft: Vec<ResourceAny>,
    draft2: Vec<ResourceAny>,
    spin: Vec<ResourceAny>,
    golem: Vec<ResourceAny>,
    /// wasmCloud 0.2's buckets (memkv-p3 only).
    wasmcloud: Vec<ResourceAny>,
    /// Each bucket's latest `cas.current`: the key and its version, if it had one.
    wasmcloud_pending: [Option<(usize, Option<String>)>; 3],
    cas: [Option<ResourceAny>; 3],
}

/// `list<u8>`'s bytes.
fn bytes_of(list: &Val) -> Vec<u8> {
    match list {
        Val::List(items) => items
            .iter()
            .map(|item| match item {
                Val::U8(byte) => *byte,
                other => panic!("not a byte: {other:?}"),
            })
            .collect(),
        other => panic!("not a list: {other:?}"),
    }
}

/// The field `name` of a record's `fields`.
fn field<'a>(fields: &'a [(String, Val)], name: &str) -> &'a Val {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("no {name} in {fields:?}"))
}

/// A `cas.entry`'s value and version.
fn entry_of(entry: &Val) -> (Vec<u8>, String) {
    let Val::Record(fields) = entry else {
        panic!("not an entry: {entry:?}");
    };
    (
        bytes_of(field(fields, "value")),
        text_of(field(fields, "version")),
    )
}

/// `string`'s text.
fn text_of(text: &Val) -> String {
    match text {
        Val::String(text) => text.clone(),
        other => panic!("not a string: {other:?}"),
    }
}

/// `option<string>` from the test's `Option<&str>`.
fn optional_text(text: Option<&str>) -> Val {
    Val::Option(text.map(|text| Box::new(Val::String(text.into()))))
}

fn spin_answer<T>(result: Result<T, SpinError>, ok: impl FnOnce(T) -> Answer) -> Answer {
    match result {
        Ok(value) => ok(value),
        Err(SpinError::Other(message)) => refused(&message),
        Err(error) => Answer::Unclassified(format!("{error:?}")),
    }
}

fn draft_answer<T>(result: Result<T, Error>, ok: impl FnOnce(T) -> Answer) -> Answer {
    match result {
        Ok(value) => ok(value),
        Err(Error::Other(message)) => refused(&message),
        Err(error) => Answer::Unclassified(format!("{error:?}")),
    }
}

fn draft2_answer<T>(result: Result<T, Error2>, ok: impl FnOnce(T) -> Answer) -> Answer {
    match result {
        Ok(value) => ok(value),
        Err(Error2::Other(message)) => refused(&message),
        Err(error) => Answer::Unclassified(format!("{error:?}")),
    }
}

fn traced_answer<T>(result: Result<T, String>, ok: impl FnOnce(T) -> Answer) -> Answer {
    result.map_or_else(|trace| refused(&trace), ok)
}

impl<A: Artifact> Subject<A> {
    fn new() -> wasmtime::Result<Self> {
        Self::with(A::fresh()?)
    }

    fn with(mut instance: A) -> wasmtime::Result<Self> {
        let mut draft = Vec::new();
        let mut draft2 = Vec::new();
        let mut spin = Vec::new();
        let mut golem = Vec::new();
        let mut wasmcloud = Vec::new();
        for name in BUCKETS {
            if instance.clock().is_some() {
                wasmcloud.push(instance.memkv().wasmcloud_open(name)?.expect("open"));
            }
            draft.push(instance.memkv().draft().open(name)?.expect("open"));
            draft2.push(instance.memkv().draft2().open(name)?.expect("open"));
            spin.push(instance.memkv().spin().open(name)?.expect("open"));
            if let Some(mut dialect) = instance.golem() {
                golem.push(dialect.open_bucket(name)?.expect("open-bucket"));
            }
        }
        Ok(Self {
            instance,
            draft,
            draft2,
            spin,
            golem,
            wasmcloud,
            wasmcloud_pending: Default::default(),
            cas: Default::default(),
        })
    }

    /// Run `op`; a trap is an `Err`, which fails the test.
    fn apply(&mut self, op: &Op, page_size: u32) -> wasmtime::Result<Answer> {
        if let Op::Advance(ms) = op {
            self.instance.clock().expect("a clock").advance(*ms);
            return Ok(Answer::Unit);
        }
        let (d, d2, sp) = (&self.draft, &self.draft2, &self.spin);
        let memkv = self.instance.memkv();
        Ok(match op {
            Op::SpinGet(b, k) => spin_answer(memkv.spin().get(sp[*b], KEYS[*k])?, Answer::Value),
            Op::SpinSet(b, k, v) => {
                spin_answer(memkv.spin().set(sp[*b], KEYS[*k], v)?, |()| Answer::Unit)
            }
            Op::SpinDelete(b, k) => {
                spin_answer(memkv.spin().delete(sp[*b], KEYS[*k])?, |()| Answer::Unit)
            }
            Op::SpinExists(b, k) => {
                spin_answer(memkv.spin().exists(sp[*b], KEYS[*k])?, Answer::Bool)
            }
            Op::SpinGetKeys(b) => spin_answer(memkv.spin().get_keys(sp[*b])?, Answer::Keys),
            Op::ApiGet(b, k) => Answer::Value(memkv.api().get(BUCKETS[*b], KEYS[*k])?),
            Op::ApiSet(b, k, v) => {
                memkv.api().set(BUCKETS[*b], KEYS[*k], v)?;
                Answer::Unit
            }
            Op::Get(b, k) => draft_answer(memkv.draft().get(d[*b], KEYS[*k])?, Answer::Value),
            Op::Set(b, k, v) => {
                draft_answer(memkv.draft().set(d[*b], KEYS[*k], v)?, |()| Answer::Unit)
            }
            Op::Delete(b, k) => {
                draft_answer(memkv.draft().delete(d[*b], KEYS[*k])?, |()| Answer::Unit)
            }
            Op::Exists(b, k) => draft_answer(memkv.draft().exists(d[*b], KEYS[*k])?, Answer::Bool),
            Op::ListAll(b) => draft_answer(memkv.draft().list_all_keys(d[*b])?, |listing| {
                assert!(
                    listing
                        .page_sizes
                        .iter()
                        .all(|&size| size <= page_size as usize),
                    "{listing:?}"
                );
                Answer::Keys(listing.keys)
            }),
            Op::Increment(b, k, delta) => draft_answer(
                memkv.draft().increment(d[*b], KEYS[*k], *delta)?,
                Answer::Count,
            ),
            Op::GetMany(b, ks) => {
                draft_answer(memkv.draft().get_many(d[*b], &keys(ks))?, Answer::Many)
            }
            Op::SetMany(b, entries) => {
                let entries: Vec<(String, Vec<u8>)> = entries
                    .iter()
                    .map(|(k, v)| (KEYS[*k].to_owned(), v.clone()))
                    .collect();
                draft_answer(memkv.draft().set_many(d[*b], &entries)?, |()| Answer::Unit)
            }
            Op::DeleteMany(b, ks) => {
                draft_answer(memkv.draft().delete_many(d[*b], &keys(ks))?, |()| {
                    Answer::Unit
                })
            }
            Op::Page2(b, after) => {
                draft2_answer(memkv.draft2().list_keys(d2[*b], *after)?, |page| {
                    Answer::Page(page.keys, page.cursor)
                })
            }
            Op::Get2(b, k) => draft2_answer(memkv.draft2().get(d2[*b], KEYS[*k])?, Answer::Value),
            Op::Set2(b, k, v) => {
                draft2_answer(memkv.draft2().set(d2[*b], KEYS[*k], v)?, |()| Answer::Unit)
            }
            Op::Increment2(b, k, delta) => draft2_answer(
                memkv.draft2().increment(d2[*b], KEYS[*k], *delta)?,
                Answer::Signed,
            ),
            Op::GetMany2(b, ks) => {
                draft2_answer(memkv.draft2().get_many(d2[*b], &keys(ks))?, Answer::Found)
            }
            Op::Observe(b, k) => {
                let mut draft2 = memkv.draft2();
                if let Some(old) = self.cas[*b].take() {
                    draft2.drop_cas(old)?;
                }
                match draft2.cas(d2[*b], KEYS[*k])? {
                    Ok(cas) => {
                        let current = draft2.current(cas)?.expect("cas.current");
                        self.cas[*b] = Some(cas);
                        Answer::Value(current)
                    }
                    Err(error) => draft2_answer(Err(error), |()| Answer::Unit),
                }
            }
            Op::Swap(b, v) => match self.cas[*b].take() {
                None => Answer::Unit,
                Some(cas) => {
                    let mut draft2 = memkv.draft2();
                    match draft2.swap(cas, v)? {
                        Ok(()) => Answer::Bool(true),
                        Err(CasError::CasFailed(fresh)) => {
                            draft2.drop_cas(fresh)?;
                            Answer::Bool(false)
                        }
                        Err(CasError::StoreError(error)) => {
                            draft2_answer(Err(error), |()| Answer::Unit)
                        }
                    }
                }
            },
            Op::GolemGet(b, k) => {
                let bucket = self.golem[*b];
                let mut golem = self.instance.golem().expect("a Golem op on memkv-golem");
                traced_answer(golem.get(bucket, KEYS[*k])?, |v| Answer::Value(Some(v)))
            }
            Op::GolemGetMany(b, ks) => {
                let bucket = self.golem[*b];
                let mut golem = self.instance.golem().expect("a Golem op on memkv-golem");
                traced_answer(golem.get_many(bucket, &keys(ks))?, Answer::Values)
            }
            Op::GolemGetKeys(b) => {
                let bucket = self.golem[*b];
                let mut golem = self.instance.golem().expect("a Golem op on memkv-golem");
                Answer::Keys(golem.get_keys(bucket)?)
            }
            Op::GolemIncrement(b, k, delta) => {
                let bucket = self.golem[*b];
                let mut golem = self.instance.golem().expect("a Golem op on memkv-golem");
                traced_answer(golem.increment(bucket, KEYS[*k], *delta)?, Answer::Count)
            }
            Op::GolemCompareAndSwap(b, k, old, new) => {
                let bucket = self.golem[*b];
                let mut golem = self.instance.golem().expect("a Golem op on memkv-golem");
                traced_answer(
                    golem.compare_and_swap(bucket, KEYS[*k], *old, *new)?,
                    Answer::Bool,
                )
            }
            Op::KindOf(b, k) => {
                draft_answer(memkv.collections().kind_of(d[*b], KEYS[*k])?, |kind| {
                    Answer::Kind(kind.map(|kind| match kind {
                        WitKind::Bytes => Kind::Bytes,
                        WitKind::List => Kind::List,
                        WitKind::Set => Kind::Set,
                    }))
                })
            }
            Op::ListPush(b, k, items, front) => {
                let mut lists = memkv.collections();
                let pushed = if *front {
                    lists.list_push_front(d[*b], KEYS[*k], items)?
                } else {
                    lists.list_push(d[*b], KEYS[*k], items)?
                };
                draft_answer(pushed, Answer::Count)
            }
            Op::ListRange(b, k, start, stop) => draft_answer(
                memkv
                    .collections()
                    .list_range(d[*b], KEYS[*k], *start, *stop)?,
                Answer::Values,
            ),
            Op::ListLength(b, k) => draft_answer(
                memkv.collections().list_length(d[*b], KEYS[*k])?,
                Answer::Count,
            ),
            Op::ListRemove(b, k, item, true) => draft_answer(
                memkv.collections().list_remove_all(d[*b], KEYS[*k], item)?,
                Answer::Count,
            ),
            Op::ListRemove(b, k, item, false) => draft_answer(
                memkv
                    .collections()
                    .list_remove_first(d[*b], KEYS[*k], item)?,
                Answer::Bool,
            ),
            Op::Clear(b, k, true) => draft_answer(
                memkv.collections().list_clear(d[*b], KEYS[*k])?,
                Answer::Bool,
            ),
            Op::Clear(b, k, false) => draft_answer(
                memkv.collections().set_clear(d[*b], KEYS[*k])?,
                Answer::Bool,
            ),
            Op::SetAdd(b, k, members) => draft_answer(
                memkv.collections().set_add(d[*b], KEYS[*k], members)?,
                Answer::Count,
            ),
            Op::SetRemove(b, k, members) => draft_answer(
                memkv.collections().set_remove(d[*b], KEYS[*k], members)?,
                Answer::Count,
            ),
            Op::Members(b, k) => draft_answer(
                memkv.collections().set_members(d[*b], KEYS[*k])?,
                Answer::Values,
            ),
            Op::SetContains(b, k, member) => draft_answer(
                memkv.collections().set_contains(d[*b], KEYS[*k], member)?,
                Answer::Bool,
            ),
            Op::Cardinality(b, k) => draft_answer(
                memkv.collections().set_cardinality(d[*b], KEYS[*k])?,
                Answer::Count,
            ),
            Op::Union(b, ks) => draft_answer(
                memkv.collections().set_union(d[*b], &keys(ks))?,
                Answer::Values,
            ),
            Op::Intersection(b, ks) => draft_answer(
                memkv.collections().set_intersection(d[*b], &keys(ks))?,
                Answer::Values,
            ),
            Op::SetLimits(limits) => {
                let limits = Limits {
                    max_key_bytes: limits.max_key_bytes,
                    max_value_bytes: limits.max_value_bytes,
                    max_total_bytes: limits.max_total_bytes,
                    max_entries_per_bucket: limits.max_entries_per_bucket,
                    max_buckets: limits.max_buckets,
                    page_size: limits.page_size,
                };
                match memkv.limits().set(limits)? {
                    Ok(()) => Answer::Unit,
                    Err(message) => refused(&message),
                }
            }
            Op::Usage => {
                let usage = memkv.limits().usage()?;
                Answer::Usage(Usage {
                    total_bytes: usage.total_bytes,
                    entries: usage.entries,
                    buckets: usage.buckets,
                })
            }
            Op::SaveLoad { fresh: true } => {
                let snapshot = memkv.snapshot().save()?;
                let mut loaded = A::fresh()?;
                loaded
                    .memkv()
                    .snapshot()
                    .load(&snapshot)?
                    .expect("a saved snapshot loads");
                assert_eq!(
                    loaded.memkv().snapshot().save()?,
                    snapshot,
                    "save of the loaded store"
                );
                // The old instance and its handles go; pending observations with them.
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
                Answer::Unit
            }
            Op::SetExpiring(k, v, seconds) => {
                memkv.wasmcloud().set(&SetRequest {
                    key: KEYS[*k].into(),
                    value: v.clone(),
                    expires: *seconds,
                })?;
                Answer::Unit
            }
            Op::Advance(_) => unreachable!("answered above"),
            Op::WcSet(b, k, v, ttl, if_not_exists) => {
                let bucket = self.wasmcloud[*b];
                match memkv.wasmcloud_set(bucket, KEYS[*k], v, *ttl, *if_not_exists)? {
                    Ok(()) => Answer::Bool(true),
                    Err(error) if error == "precondition-failed" => Answer::Bool(false),
                    Err(error) => wasmcloud_refusal(&error),
                }
            }
            Op::WcCurrent(b, k) => {
                self.wasmcloud_pending[*b] = None;
                let params = [
                    Val::Resource(self.wasmcloud[*b]),
                    Val::String(KEYS[*k].into()),
                ];
                let current = memkv.call_async(WASMCLOUD_CAS, "current", &params)?;
                match memkv_host::wasmcloud_result(current)? {
                    Ok(Some(Val::Option(None))) => {
                        self.wasmcloud_pending[*b] = Some((*k, None));
                        Answer::Value(None)
                    }
                    Ok(Some(Val::Option(Some(entry)))) => {
                        let (value, version) = entry_of(&entry);
                        self.wasmcloud_pending[*b] = Some((*k, Some(version)));
                        Answer::Value(Some(value))
                    }
                    Ok(other) => panic!("current answered {other:?}"),
                    Err(error) => wasmcloud_refusal(&error),
                }
            }
            Op::WcSwap(b, v, by_version, required) => {
                let Some((k, version)) = self.wasmcloud_pending[*b].take() else {
                    return Ok(Answer::Unit);
                };
                let version = version.filter(|_| *by_version);
                let options = Val::Record(vec![
                    (
                        "require-version".into(),
                        Val::Option(version.map(|version| Box::new(Val::String(version)))),
                    ),
                    (
                        "require-value".into(),
                        Val::Option(required.as_deref().map(|value| Box::new(bytes_val(value)))),
                    ),
                ]);
                let params = [
                    Val::Resource(self.wasmcloud[*b]),
                    Val::String(KEYS[k].into()),
                    bytes_val(v),
                    options,
                ];
                let swapped = memkv.call_async(WASMCLOUD_CAS, "swap", &params)?;
                match memkv_host::wasmcloud_result(swapped)? {
                    Ok(Some(Val::Variant(case, entry))) if case == "swapped" && entry.is_none() => {
                        Answer::Bool(true)
                    }
                    Ok(Some(Val::Variant(case, Some(entry)))) if case == "stale" => match *entry {
                        Val::Option(entry) => Answer::Stale(entry.map(|entry| entry_of(&entry).0)),
                        other => panic!("stale carried {other:?}"),
                    },
                    Ok(other) => panic!("swap answered {other:?}"),
                    Err(error) => wasmcloud_refusal(&error),
                }
            }
            Op::WcGet(b, k) => {
                let params = [
                    Val::Resource(self.wasmcloud[*b]),
                    Val::String(KEYS[*k].into()),
                ];
                let got = memkv.call_async(WASMCLOUD_TYPES, "[method]bucket.get", &params)?;
                match memkv_host::wasmcloud_result(got)? {
                    Ok(Some(Val::Option(value))) => {
                        Answer::Value(value.map(|value| bytes_of(&value)))
                    }
                    Ok(other) => panic!("get answered {other:?}"),
                    Err(error) => wasmcloud_refusal(&error),
                }
            }
            Op::WcList(b, prefix, cursor) => {
                let params = [
                    Val::Resource(self.wasmcloud[*b]),
                    optional_text(Some(*prefix).filter(|prefix| !prefix.is_empty())),
                    optional_text(*cursor),
                ];
                let listed =
                    memkv.call_async(WASMCLOUD_TYPES, "[method]bucket.list-keys", &params)?;
                match memkv_host::wasmcloud_result(listed)? {
                    Ok(Some(Val::Record(fields))) => {
                        let Val::List(keys) = field(&fields, "keys") else {
                            panic!("keys: not a list");
                        };
                        let Val::Option(cursor) = field(&fields, "cursor") else {
                            panic!("cursor: not an option");
                        };
                        Answer::Page(
                            keys.iter().map(text_of).collect(),
                            cursor.as_deref().map(text_of),
                        )
                    }
                    Ok(other) => panic!("list-keys answered {other:?}"),
                    Err(error) => wasmcloud_refusal(&error),
                }
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

/// Run `ops` on a fresh `A` and on the model, comparing every answer.
fn agree<A: Artifact>(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut model = Model::new();
    for name in BUCKETS {
        model
            .open(name)
            .expect("the default limits hold three buckets");
    }
    let mut pending: Pending = Default::default();
    let mut subject = Subject::<A>::new().unwrap();
    let golem = subject.instance.golem().is_some();
    let clocked = subject.instance.clock().map(ModelClock::now_ms);
    if let Some(now) = clocked {
        model.start_clock_at(now);
    }
    for (i, op) in ops.iter().enumerate() {
        if (op.is_golem() && !golem) || (op.is_clocked() && clocked.is_none()) {
            continue;
        }
        if let Op::SaveLoad { fresh: true } = op {
            // A fresh instance has no pending cas handles nor versions: neither has the model.
            pending = Default::default();
        }
        let page_size = model.limits().page_size;
        let actual = subject
            .apply(op, page_size)
            .unwrap_or_else(|trap| panic!("op {i} {op:?} trapped: {trap:?}"));
        let expected = expect(&mut model, &mut pending, op);
        prop_assert_eq!(actual, expected, "op {} {:?}", i, op);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: env_or("MEMKV_MODEL_CASES", 3),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn memkv_agrees_with_the_model(
        ops in prop::collection::vec(op(), env_or("MEMKV_MODEL_OPS", 10_000) as usize)
    ) {
        agree::<MemkvInstance<HostState>>(&ops)?;
    }

    /// With lifetimes: waSCC's `set` with `expires`, and a wall clock that moves only when the
    /// test says.
    #[test]
    fn memkv_p3_agrees_with_the_model(
        ops in prop::collection::vec(op(), env_or("MEMKV_MODEL_OPS", 10_000) as usize)
    ) {
        agree::<Clocked>(&ops)?;
    }

    #[test]
    fn memkv_golem_agrees_with_the_model(
        ops in prop::collection::vec(op(), env_or("MEMKV_MODEL_OPS", 10_000) as usize)
    ) {
        agree::<GolemInstance>(&ops)?;
    }
}
