//! `wasi:keyvalue/batch@0.2.0-draft`: many keys per call, applied in order.

use super::Component;
use super::bindings::exports::wasi::keyvalue::batch::Guest;
use super::bindings::exports::wasi::keyvalue::store::{BucketBorrow, Error};
use super::store::BucketHandle;

impl Guest for Component {
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let bucket = bucket.get::<BucketHandle>();
        bucket.with(|store, id| store.get_many(id, keys))
    }

    fn set_many(bucket: BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        let bucket = bucket.get::<BucketHandle>();
        Ok(bucket.with(|store, id| store.set_many(id, key_values))??)
    }

    fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        let bucket = bucket.get::<BucketHandle>();
        bucket.with(|store, id| store.delete_many(id, keys))
    }
}
