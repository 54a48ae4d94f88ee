//! `wasi:keyvalue/batch@0.2.0-draft`: many keys per call, applied in order.

use crate::engine::{Bucket as _, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::batch::Guest;
use crate::exports::bindings::exports::wasi::keyvalue0_2_0_draft::store::{BucketBorrow, Error};

impl Guest for Component {
    /// One answer per requested key, in request order: `none` for a missing key.
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let found = bucket.get::<BucketHandle>().get_many(keys)?;
        Ok(found
            .into_iter()
            .map(|(key, value)| value.map(|value| (key, value)))
            .collect())
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
