//! `wasi:keyvalue/batch@0.2.0-draft`: many keys per call, applied in order.

use super::bindings::exports::wasi::keyvalue::batch::Guest;
use super::bindings::exports::wasi::keyvalue::store::{BucketBorrow, Error};
use super::store::BucketHandle;
use super::{Component, with_store};

impl Guest for Component {
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let id = bucket.get::<BucketHandle>().id;
        Ok(with_store(|store| store.get_many(id, keys)))
    }

    fn set_many(bucket: BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        let id = bucket.get::<BucketHandle>().id;
        Ok(with_store(|store| store.set_many(id, key_values))?)
    }

    fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        let id = bucket.get::<BucketHandle>().id;
        with_store(|store| store.delete_many(id, keys));
        Ok(())
    }
}
