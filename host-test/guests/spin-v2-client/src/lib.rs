//! # spin-v2-client
//!
//! A Spin guest as Spin 2 to 5 apps are written: `spin_sdk::key_value::Store` from the published
//! spin-sdk 5.2.0, which imports `fermyon:spin/key-value@2.0.0`. Its one export, `check`, walks
//! through every function of the store opened with `label` (expected empty) and compares each
//! answer with Spin's contract; it leaves `written-by` = `spin-sdk 5.2.0` in the store, for the
//! host to read through another dialect.

#[cfg(target_arch = "wasm32")]
mod guest {
    mod bindings {
        wit_bindgen::generate!({
            path: ["../../../wit", "../../wit"],
            world: "memkv:fixtures/spin-v2-client",
        });
    }

    use spin_sdk::key_value::Store;

    /// `Err` naming the call if `got` is not `want`.
    fn expect<T: PartialEq + std::fmt::Debug>(call: &str, got: T, want: T) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{call}: got {got:?}, expected {want:?}"))
        }
    }

    /// What a call that failed reports: the call, and Spin's error.
    fn failed(call: &'static str) -> impl Fn(spin_sdk::key_value::Error) -> String {
        move |error| format!("{call}: {error:?}")
    }

    /// Every function once, in the order a Spin app uses them.
    fn check(label: &str) -> Result<(), String> {
        let store = Store::open(label).map_err(failed("open"))?;
        expect(
            "get of a missing key",
            store.get("k").map_err(failed("get"))?,
            None,
        )?;
        expect(
            "exists of a missing key",
            store.exists("k").map_err(failed("exists"))?,
            false,
        )?;
        expect(
            "get-keys of an empty store",
            store.get_keys().map_err(failed("get-keys"))?,
            vec![],
        )?;
        store.set("k", b"v").map_err(failed("set"))?;
        expect(
            "get",
            store.get("k").map_err(failed("get"))?,
            Some(b"v".to_vec()),
        )?;
        expect("exists", store.exists("k").map_err(failed("exists"))?, true)?;
        store.set("k", b"w").map_err(failed("set over"))?;
        expect(
            "get after set over",
            store.get("k").map_err(failed("get"))?,
            Some(b"w".to_vec()),
        )?;
        store.set("a", b"").map_err(failed("set empty"))?;
        expect(
            "get of an empty value",
            store.get("a").map_err(failed("get"))?,
            Some(vec![]),
        )?;
        // A second handle on the same label sees the same data.
        let again = Store::open(label).map_err(failed("open again"))?;
        expect(
            "get-keys, in byte order",
            again.get_keys().map_err(failed("get-keys"))?,
            vec!["a".to_string(), "k".to_string()],
        )?;
        store.delete("k").map_err(failed("delete"))?;
        store
            .delete("k")
            .map_err(failed("delete of a missing key"))?;
        expect(
            "exists after delete",
            store.exists("k").map_err(failed("exists"))?,
            false,
        )?;
        store.delete("a").map_err(failed("delete"))?;
        store
            .set("written-by", b"spin-sdk 5.2.0")
            .map_err(failed("set"))?;
        Ok(())
    }

    struct Component;

    impl bindings::Guest for Component {
        fn check(label: String) -> Result<(), String> {
            check(&label)
        }
    }

    bindings::export!(Component with_types_in bindings);
}
