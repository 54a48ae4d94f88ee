//! # kv-client
//!
//! The Golem "key-value-example" service re-expressed against the standard store: it exports
//! `golem:examples/api` and imports `wasi:keyvalue/{store,atomics,batch}@0.2.0-draft`, keeping no
//! data of its own. Plug memkv into it (`memkv compose`) and it runs anywhere; run it unmodified on
//! a host with `wasmtime-wasi-keyvalue` and it behaves the same.
//!
//! A bucket is opened once per name and its handle kept for the life of the instance: memkv does
//! not need this, but wasmtime's host store gives every `open` a private copy of the data, so a
//! client that reopened per call would lose its writes there.
//!
//! The api has no error channel: a provider that refuses `open` or `set` makes the call trap
//! with the provider's message.

#[cfg(target_arch = "wasm32")]
mod guest {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    mod bindings {
        wit_bindgen::generate!({
            path: ["../../../wit", "../../wit"],
            world: "memkv:fixtures/kv-client",
            generate_all,
        });
    }

    use bindings::exports::golem::examples::api::Guest;
    use bindings::wasi::keyvalue0_2_0_draft::store::{self, Bucket, Error};

    struct Client;

    bindings::export!(Client with_types_in bindings);

    thread_local! {
        /// Open bucket handles by name.
        static BUCKETS: RefCell<BTreeMap<String, Bucket>> = const { RefCell::new(BTreeMap::new()) };
    }

    fn describe(error: &Error) -> String {
        match error {
            Error::NoSuchStore => "no-such-store".into(),
            Error::AccessDenied => "access-denied".into(),
            Error::Other(message) => message.clone(),
        }
    }

    /// Run `f` on the handle of bucket `name`, opening it on first use.
    fn with_bucket<R>(name: &str, f: impl FnOnce(&Bucket) -> R) -> R {
        BUCKETS.with_borrow_mut(|buckets| {
            if !buckets.contains_key(name) {
                let bucket = store::open(name)
                    .unwrap_or_else(|error| panic!("open({name:?}) failed: {}", describe(&error)));
                buckets.insert(name.to_owned(), bucket);
            }
            f(&buckets[name])
        })
    }

    impl Guest for Client {
        fn get(bucket: String, key: String) -> Option<Vec<u8>> {
            with_bucket(&bucket, |handle| handle.get(&key))
                .unwrap_or_else(|error| panic!("get({key:?}) failed: {}", describe(&error)))
        }

        fn set(bucket: String, key: String, value: Vec<u8>) {
            with_bucket(&bucket, |handle| handle.set(&key, &value))
                .unwrap_or_else(|error| panic!("set({key:?}) failed: {}", describe(&error)));
        }
    }
}
