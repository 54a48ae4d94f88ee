//! `memkv:store/collections`: lists and sets in the draft's buckets.

use crate::engine::{Bucket as _, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::memkv::store::collections::{
    BucketBorrow, Error, Guest, Kind,
};
use crate::store::{self, End};

impl From<store::Kind> for Kind {
    fn from(kind: store::Kind) -> Self {
        match kind {
            store::Kind::Bytes => Kind::Bytes,
            store::Kind::List => Kind::List,
            store::Kind::Set => Kind::Set,
        }
    }
}

/// The engine's handle behind a borrowed draft bucket.
fn handle<'a>(bucket: &'a BucketBorrow<'_>) -> &'a BucketHandle {
    bucket.get::<BucketHandle>()
}

impl Guest for Component {
    fn kind_of(bucket: BucketBorrow<'_>, key: String) -> Result<Option<Kind>, Error> {
        Ok(handle(&bucket).kind(&key)?.map(Kind::from))
    }

    fn list_push(bucket: BucketBorrow<'_>, key: String, items: Vec<Vec<u8>>) -> Result<u64, Error> {
        Ok(handle(&bucket).push(&key, items, End::Back)?)
    }

    fn list_push_front(
        bucket: BucketBorrow<'_>,
        key: String,
        items: Vec<Vec<u8>>,
    ) -> Result<u64, Error> {
        Ok(handle(&bucket).push(&key, items, End::Front)?)
    }

    fn list_range(
        bucket: BucketBorrow<'_>,
        key: String,
        start: i64,
        stop: i64,
    ) -> Result<Vec<Vec<u8>>, Error> {
        Ok(handle(&bucket).range(&key, start, stop)?)
    }

    fn list_length(bucket: BucketBorrow<'_>, key: String) -> Result<u64, Error> {
        Ok(handle(&bucket).list_len(&key)?)
    }

    fn list_remove_first(
        bucket: BucketBorrow<'_>,
        key: String,
        item: Vec<u8>,
    ) -> Result<bool, Error> {
        Ok(handle(&bucket).list_remove(&key, &item, false)? == 1)
    }

    fn list_remove_all(bucket: BucketBorrow<'_>, key: String, item: Vec<u8>) -> Result<u64, Error> {
        Ok(handle(&bucket).list_remove(&key, &item, true)?)
    }

    fn list_clear(bucket: BucketBorrow<'_>, key: String) -> Result<bool, Error> {
        Ok(handle(&bucket).clear(&key, store::Kind::List)?)
    }

    fn set_add(bucket: BucketBorrow<'_>, key: String, members: Vec<Vec<u8>>) -> Result<u64, Error> {
        Ok(handle(&bucket).set_add(&key, members)?)
    }

    fn set_remove(
        bucket: BucketBorrow<'_>,
        key: String,
        members: Vec<Vec<u8>>,
    ) -> Result<u64, Error> {
        Ok(handle(&bucket).set_remove(&key, members)?)
    }

    fn set_members(bucket: BucketBorrow<'_>, key: String) -> Result<Vec<Vec<u8>>, Error> {
        Ok(handle(&bucket).members(&key)?)
    }

    fn set_contains(bucket: BucketBorrow<'_>, key: String, member: Vec<u8>) -> Result<bool, Error> {
        Ok(handle(&bucket).set_contains(&key, &member)?)
    }

    fn set_cardinality(bucket: BucketBorrow<'_>, key: String) -> Result<u64, Error> {
        Ok(handle(&bucket).cardinality(&key)?)
    }

    fn set_union(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<Vec<Vec<u8>>, Error> {
        Ok(handle(&bucket).union(&keys)?)
    }

    fn set_intersection(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Vec<u8>>, Error> {
        Ok(handle(&bucket).intersection(&keys)?)
    }

    fn set_clear(bucket: BucketBorrow<'_>, key: String) -> Result<bool, Error> {
        Ok(handle(&bucket).clear(&key, store::Kind::Set)?)
    }
}
