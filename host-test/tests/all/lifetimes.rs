//! The store core's lifetimes and prefix listings (wasmCloud 0.2's `ttl-ms` and `list-keys`)
//! against a model with a clock of its own: random writes with and without lifetimes, deletes,
//! the clock moving on, reads, listings with a prefix, and version tokens. The engine of the
//! async artifacts runs exactly this code, reading the wall clock where the test moves its own.

use std::collections::BTreeMap;

use memkv::store::{Lifetimes, Limits, Store};
use proptest::prelude::*;

const KEYS: [&str; 6] = ["a", "a/1", "a/2", "ab", "b/1", "b/2"];
const PREFIXES: [&str; 4] = ["", "a", "a/", "b/"];

#[derive(Debug, Clone)]
enum Op {
    /// A write, with a lifetime of so many milliseconds or none.
    Set(usize, u8, Option<u64>),
    Delete(usize),
    /// The clock moves on.
    Advance(u64),
    Get(usize),
    /// One page (of 2) of the keys with a prefix, after a key or from the start.
    List(usize, Option<usize>),
    /// A key's version token, read twice with a write of another key between: equal.
    Token(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    let k = || 0..KEYS.len();
    prop_oneof![
        4 => (k(), any::<u8>(), prop_oneof![Just(None), (0u64..30).prop_map(Some)])
            .prop_map(|(k, v, ttl)| Op::Set(k, v, ttl)),
        1 => k().prop_map(Op::Delete),
        2 => (0u64..20).prop_map(Op::Advance),
        3 => k().prop_map(Op::Get),
        2 => (0..PREFIXES.len(), prop_oneof![Just(None), k().prop_map(Some)])
            .prop_map(|(p, after)| Op::List(p, after)),
        1 => (k(), k()).prop_map(|(k, other)| Op::Token(k, other)),
    ]
}

/// The model: each key's value and deadline, and the time.
#[derive(Default)]
struct Model {
    entries: BTreeMap<&'static str, (u8, Option<u64>)>,
    now: u64,
}

impl Model {
    /// Drop what has expired by now.
    fn expire(&mut self) {
        let now = self.now;
        self.entries
            .retain(|_, (_, deadline)| deadline.is_none_or(|deadline| deadline > now));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn lifetimes_and_prefix_listings_agree_with_the_model(ops in prop::collection::vec(op(), 1..60)) {
        let mut store = Store::new();
        store.set_limits(Limits { page_size: 2, ..Limits::DEFAULT }).unwrap();
        let bucket = store.open("b").unwrap();
        let mut lifetimes = Lifetimes::default();
        let mut model = Model::default();
        for op in &ops {
            // What the engine does before every call.
            lifetimes.expire(&mut store, model.now);
            model.expire();
            match *op {
                Op::Set(k, value, ttl) => {
                    store.set(bucket, KEYS[k], vec![value]).unwrap();
                    if let Some(ttl) = ttl {
                        lifetimes.start(&store, "b", bucket, KEYS[k], model.now + ttl);
                    }
                    model.entries.insert(KEYS[k], (value, ttl.map(|ttl| model.now + ttl)));
                }
                Op::Delete(k) => {
                    store.delete(bucket, KEYS[k]);
                    model.entries.remove(KEYS[k]);
                }
                Op::Advance(ms) => model.now += ms,
                Op::Get(k) => {
                    let got = store.get(bucket, KEYS[k]).unwrap().map(<[u8]>::to_vec);
                    let want = model.entries.get(KEYS[k]).map(|(value, _)| vec![*value]);
                    prop_assert_eq!(got, want, "{} at {}", KEYS[k], model.now);
                }
                Op::List(p, after) => {
                    let after = after.map(|k| KEYS[k]);
                    let page = store.list_keys_prefixed(bucket, PREFIXES[p], after).unwrap();
                    let rest: Vec<String> = model
                        .entries
                        .keys()
                        .filter(|key| key.starts_with(PREFIXES[p]))
                        .filter(|key| after.is_none_or(|after| **key > after))
                        .map(|key| key.to_string())
                        .collect();
                    let more = rest.len() > 2;
                    let keys: Vec<String> = rest.into_iter().take(2).collect();
                    let cursor = if more { keys.last().cloned() } else { None };
                    prop_assert_eq!(page, (keys, cursor));
                }
                Op::Token(k, other) => {
                    let before = store.version(bucket, KEYS[k]).token();
                    prop_assert_eq!(before.is_some(), model.entries.contains_key(KEYS[k]));
                    if k != other {
                        store.set(bucket, KEYS[other], vec![0]).unwrap();
                        model.entries.insert(KEYS[other], (0, None));
                    }
                    let after = store.version(bucket, KEYS[k]).token();
                    prop_assert_eq!(before.clone(), after, "{}", KEYS[k]);
                    // A write of the key itself gives it a new token.
                    if let Some(before) = before {
                        let (value, _) = model.entries[KEYS[k]];
                        store.set(bucket, KEYS[k], vec![value]).unwrap();
                        model.entries.insert(KEYS[k], (value, None));
                        let now = store.version(bucket, KEYS[k]).token();
                        prop_assert_ne!(Some(before), now);
                    }
                }
            }
        }
    }
}
