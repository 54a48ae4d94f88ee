//! # wascc-client
//!
//! A waSCC key-value actor moved to components: it imports `wasmcloud:keyvalue/key-value`, the
//! WIT wasmCloud gave waSCC's contract, and keeps no data of its own. Its one export, `check`,
//! walks through every function of the import on an empty store and compares each answer with
//! what the Smithy 0.1.1 contract (Redis's semantics) says, in the order below:
//!
//! - `set` then `get`: the value, `exists: true`; a missing key: `exists: false`; `contains`;
//! - `increment`: from a missing key (0), then on, then negative; on a value that is not a
//!   number: 0, value unchanged;
//! - `list-add` returns the new length; `list-range` is LRANGE (inclusive, negative indexes,
//!   clamped); `list-del` removes the first equal item only; `list-clear`;
//! - `set-add` / `set-del` return 1 or 0; `set-query`, `set-union`, `set-intersection` answer
//!   in ascending order (a missing set is empty); `set-clear`;
//! - a list key read with `get` is not a value (`exists: false`); `set` over a list replaces it;
//! - `del` of each kind, then of a missing key.

#[cfg(target_arch = "wasm32")]
mod guest {
    mod bindings {
        wit_bindgen::generate!({
            path: ["../../../wit", "../../wit"],
            world: "memkv:fixtures/wascc-client",
            generate_all,
        });
    }

    use bindings::wasmcloud::keyvalue::key_value::{
        self as kv, IncrementRequest, ListAddRequest, ListDelRequest, ListRangeRequest,
        SetAddRequest, SetDelRequest, SetRequest,
    };

    /// `Err` naming the call if `got` is not `want`.
    fn expect<T: PartialEq + std::fmt::Debug>(call: &str, got: T, want: T) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{call}: got {got:?}, expected {want:?}"))
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    fn set(key: &str, value: &str) {
        kv::set(&SetRequest {
            key: key.into(),
            value: value.into(),
            expires: 0,
        });
    }

    fn get(key: &str) -> (String, bool) {
        let response = kv::get(key);
        (response.value, response.exists)
    }

    fn increment(key: &str, value: i32) -> i32 {
        kv::increment(&IncrementRequest {
            key: key.into(),
            value,
        })
    }

    fn list_add(list: &str, value: &str) -> u32 {
        kv::list_add(&ListAddRequest {
            list_name: list.into(),
            value: value.into(),
        })
    }

    fn list_range(list: &str, start: i32, stop: i32) -> Vec<String> {
        kv::list_range(&ListRangeRequest {
            list_name: list.into(),
            start,
            stop,
        })
    }

    fn list_del(list: &str, value: &str) -> bool {
        kv::list_del(&ListDelRequest {
            list_name: list.into(),
            value: value.into(),
        })
    }

    fn set_add(set: &str, value: &str) -> u32 {
        kv::set_add(&SetAddRequest {
            set_name: set.into(),
            value: value.into(),
        })
    }

    fn set_del(set: &str, value: &str) -> u32 {
        kv::set_del(&SetDelRequest {
            set_name: set.into(),
            value: value.into(),
        })
    }

    fn scalars() -> Result<(), String> {
        set("greeting", "hello");
        expect("get greeting", get("greeting"), ("hello".into(), true))?;
        expect("get missing", get("missing"), (String::new(), false))?;
        expect("contains greeting", kv::contains("greeting"), true)?;
        expect("contains missing", kv::contains("missing"), false)?;
        expect("increment hits by 5", increment("hits", 5), 5)?;
        expect("increment hits by 2", increment("hits", 2), 7)?;
        expect("increment hits by -10", increment("hits", -10), -3)?;
        expect("get hits", get("hits"), ("-3".into(), true))?;
        expect("increment greeting", increment("greeting", 1), 0)?;
        expect(
            "greeting after increment",
            get("greeting").0,
            "hello".into(),
        )?;
        increment("big", i32::MAX);
        expect("increment past s32", increment("big", 1), 0)?;
        expect("big after overflow", get("big").0, i32::MAX.to_string())
    }

    fn lists() -> Result<(), String> {
        for (n, item) in (1..).zip(["a", "b", "a", "c"]) {
            expect("list-add", list_add("letters", item), n)?;
        }
        expect(
            "range 0..-1",
            list_range("letters", 0, -1),
            strings(&["a", "b", "a", "c"]),
        )?;
        expect(
            "range 1..2",
            list_range("letters", 1, 2),
            strings(&["b", "a"]),
        )?;
        expect(
            "range -2..-1",
            list_range("letters", -2, -1),
            strings(&["a", "c"]),
        )?;
        expect("range -100..100", list_range("letters", -100, 100).len(), 4)?;
        expect("range 3..1", list_range("letters", 3, 1), strings(&[]))?;
        expect(
            "range of a missing list",
            list_range("none", 0, -1),
            strings(&[]),
        )?;
        expect("list-del a", list_del("letters", "a"), true)?;
        expect(
            "after list-del",
            list_range("letters", 0, -1),
            strings(&["b", "a", "c"]),
        )?;
        expect("list-del z", list_del("letters", "z"), false)?;
        expect("get of a list", get("letters"), (String::new(), false))?;
        expect("contains a list", kv::contains("letters"), true)?;
        expect("list-clear", kv::list_clear("letters"), true)?;
        expect("list-clear again", kv::list_clear("letters"), false)?;
        expect("contains a cleared list", kv::contains("letters"), false)?;
        list_add("replaced", "x");
        set("replaced", "now a value");
        expect(
            "set over a list",
            get("replaced"),
            ("now a value".into(), true),
        )
    }

    fn sets() -> Result<(), String> {
        expect("set-add c", set_add("one", "c"), 1)?;
        expect("set-add a", set_add("one", "a"), 1)?;
        expect("set-add a again", set_add("one", "a"), 0)?;
        set_add("one", "b");
        for member in ["b", "c", "d"] {
            set_add("two", member);
        }
        expect("set-query", kv::set_query("one"), strings(&["a", "b", "c"]))?;
        let both = strings(&["one", "two"]);
        expect(
            "set-union",
            kv::set_union(&both),
            strings(&["a", "b", "c", "d"]),
        )?;
        expect(
            "set-intersection",
            kv::set_intersection(&both),
            strings(&["b", "c"]),
        )?;
        let with_missing = strings(&["one", "none"]);
        expect(
            "set-union with a missing set",
            kv::set_union(&with_missing).len(),
            3,
        )?;
        expect(
            "set-intersection with a missing set",
            kv::set_intersection(&with_missing).len(),
            0,
        )?;
        expect("set-del b", set_del("one", "b"), 1)?;
        expect("set-del b again", set_del("one", "b"), 0)?;
        expect(
            "set-query after set-del",
            kv::set_query("one"),
            strings(&["a", "c"]),
        )?;
        expect("list-add to a set", list_add("one", "x"), 0)?;
        expect("set-clear", kv::set_clear("two"), true)?;
        expect(
            "set-query of a cleared set",
            kv::set_query("two"),
            strings(&[]),
        )?;
        expect("set-clear of a list", kv::set_clear("replaced"), false)
    }

    fn deletes() -> Result<(), String> {
        expect("del a value", kv::del("greeting"), true)?;
        expect("del a set", kv::del("one"), true)?;
        expect("del a missing key", kv::del("greeting"), false)?;
        expect("contains after del", kv::contains("one"), false)
    }

    struct Component;

    impl bindings::Guest for Component {
        fn check() -> Result<(), String> {
            scalars()?;
            lists()?;
            sets()?;
            deletes()
        }
    }

    bindings::export!(Component with_types_in bindings);
}
