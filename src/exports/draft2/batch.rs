//! `wasi:keyvalue/batch@0.2.0-draft2`: the draft's batches; `get-many` answers every key.

use crate::engine::{Bucket as _, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::batch::Guest;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{BucketBorrow, Error};

impl Guest for Component {
    /// One `(key, value)` per requested key, in request order, `none` for a missing key.
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<(String, Option<Vec<u8>>)>, Error> {
        Ok(bucket.get::<BucketHandle>().get_many(keys)?)
    }

    /// All of them or, if a limit refuses one, none of them.
    fn set_many(bucket: BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        Ok(bucket.get::<BucketHandle>().set_many(key_values)?)
    }

    /// Missing keys are skipped.
    fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        Ok(bucket.get::<BucketHandle>().delete_many(keys)?)
    }
}
