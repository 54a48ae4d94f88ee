//! `spin:key-value/key-value@3.0.0`: the store of Spin 6 and 7 (`spin_sdk::key_value` in
//! spin-sdk 6.0–7.0), every function `async`, on the same buckets as every other dialect of the
//! artifact: a label is a bucket identifier, as in `fermyon:spin/key-value@2.0.0` (`spin.rs`).
//!
//! The engine answers at once, so each function completes in the call that started it; only
//! `get-keys` outlives its call: it returns a stream and a future at once, then a task of the
//! component writes every key to the stream, in byte order, and completes the future with `ok`
//! (or, if the keys could not be listed, with the error and no keys).

use wit_bindgen::{FutureReader, StreamReader};

use crate::engine::{self, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::spin::key_value::key_value::{
    Error, Guest, GuestStore, Store,
};
use crate::exports::bindings::{wit_future, wit_stream};
use crate::store;

/// The one conversion from the core's error to this interface's `error`.
impl From<store::Error> for Error {
    fn from(error: store::Error) -> Self {
        Error::Other(error.to_string())
    }
}

impl Guest for Component {
    type Store = BucketHandle;
}

impl GuestStore for BucketHandle {
    /// Any label; the bucket is created on first use.
    async fn open(label: String) -> Result<Store, Error> {
        Ok(Store::new(<BucketHandle as engine::Bucket>::open(label)?))
    }

    async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        Ok(engine::Bucket::get(self, &key)?)
    }

    async fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        Ok(engine::Bucket::set(self, &key, value)?)
    }

    async fn delete(&self, key: String) -> Result<(), Error> {
        Ok(engine::Bucket::delete(self, &key)?)
    }

    async fn exists(&self, key: String) -> Result<bool, Error> {
        Ok(engine::Bucket::exists(self, &key)?)
    }

    /// Every key, in byte order, each once: the keys of the bucket as it is when the call is
    /// made (the `page-size` limit does not apply: a stream has no pages).
    async fn get_keys(&self) -> (StreamReader<String>, FutureReader<Result<(), Error>>) {
        let (keys, outcome) = match engine::Bucket::all_keys(self) {
            Ok(keys) => (keys, Ok(())),
            Err(error) => (Vec::new(), Err(Error::from(error))),
        };
        let (mut keys_writer, keys_reader) = wit_stream::new::<String>();
        // What the reader gets if the task below is dropped before it answers.
        let (outcome_writer, outcome_reader) = wit_future::new::<Result<(), Error>>(|| {
            Err(Error::Other(
                "get-keys ended before it listed every key".into(),
            ))
        });
        // After this call returns: the caller holds the readers by then.
        wit_bindgen::spawn_local(async move {
            let unsent = keys_writer.write_all(keys).await;
            drop(keys_writer);
            let outcome = if unsent.is_empty() {
                outcome
            } else {
                Err(Error::Other(format!(
                    "get-keys: the reader went away with {} keys unread",
                    unsent.len()
                )))
            };
            // A reader that went away wants no answer.
            let _ = outcome_writer.write(outcome).await;
        });
        (keys_reader, outcome_reader)
    }
}
