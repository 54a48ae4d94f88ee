//! # golem-example
//!
//! The key-value example of Golem's documentation (December 2023), written as the docs write it:
//! world `key-value-example { import wasi:keyvalue/readwrite; export golem:examples/api; }`,
//! `get` opening the bucket with `Bucket::open_bucket`, reading with
//! `incoming_value_consume_sync` and mapping the `Key not found` trace to `None`, `set` building
//! an `OutgoingValue` and writing its sync body. On Golem its imports were served by the host;
//! here `memkv-golem` is plugged in.

#[cfg(target_arch = "wasm32")]
mod guest {
    mod bindings {
        wit_bindgen::generate!({
            path: ["../../../wit", "../../wit"],
            world: "memkv:fixtures/key-value-example",
            generate_all,
        });
    }

    use bindings::exports::golem::examples::api::Guest;
    use bindings::wasi::keyvalue::readwrite;
    use bindings::wasi::keyvalue::types::{Bucket, OutgoingValue};

    struct Component;

    bindings::export!(Component with_types_in bindings);

    impl Guest for Component {
        fn get(bucket: String, key: String) -> Option<Vec<u8>> {
            let bucket = Bucket::open_bucket(&bucket).expect("Cannot open bucket");
            match readwrite::get(&bucket, &key) {
                Ok(incoming_value) => Some(
                    incoming_value
                        .incoming_value_consume_sync()
                        .expect("Cannot get value"),
                ),
                Err(err) if err.trace() == "Key not found" => None,
                Err(err) => panic!("{}", err.trace()),
            }
        }

        fn set(bucket: String, key: String, value: Vec<u8>) {
            let bucket = Bucket::open_bucket(&bucket).expect("Cannot open bucket");
            let outgoing_value = OutgoingValue::new_outgoing_value();
            outgoing_value
                .outgoing_value_write_body_sync(&value)
                .expect("Cannot write value");
            readwrite::set(&bucket, &key, &outgoing_value).expect("Cannot set value");
        }
    }
}
