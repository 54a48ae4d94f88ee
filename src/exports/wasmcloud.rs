//! `wasmcloud:keyvalue/key-value`: waSCC's contract as wasmCloud rendered it in WIT, over the
//! bucket `""`, with the Redis semantics of its Smithy contract (0.1.1).
//!
//! Its functions have no error result. Where memkv refuses (a limit, a key of another kind, an
//! overflow, an unreachable server), each returns its documented default, listed in the README:
//! `false`, 0, an empty list or, for `get`, `exists: false`, and changes nothing. Values and
//! items are strings: bytes that are not UTF-8 (written through another interface) read with
//! U+FFFD in place of each invalid sequence.

use crate::engine::{Bucket as _, BucketHandle};
use crate::exports::Component;
use crate::exports::bindings::exports::wasmcloud::keyvalue::key_value::{
    GetResponse, Guest, IncrementRequest, ListAddRequest, ListDelRequest, ListRangeRequest,
    SetAddRequest, SetDelRequest, SetRequest,
};
use crate::store::{End, Kind};

/// The one bucket this interface sees: `""`, opened by the first write.
fn bucket() -> BucketHandle {
    BucketHandle::unopened("")
}

/// Bytes as this interface's strings.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Items as strings; an error is the empty list.
fn texts(items: Result<Vec<Vec<u8>>, crate::store::Error>) -> Vec<String> {
    items.unwrap_or_default().into_iter().map(text).collect()
}

/// A count as `u32`, saturating.
fn count(count: u64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

impl Guest for Component {
    /// Whether the key exists, whatever it holds.
    fn contains(key: String) -> bool {
        bucket().exists(&key).unwrap_or(false)
    }

    /// Remove the key, whatever it holds; whether it existed.
    fn del(key: String) -> bool {
        bucket().remove(&key).unwrap_or(false)
    }

    /// The value, and whether it exists; a missing key (or one holding a list or set) is
    /// `{ value: "", exists: false }`.
    fn get(key: String) -> GetResponse {
        match bucket().get(&key) {
            Ok(Some(value)) => GetResponse {
                value: text(value),
                exists: true,
            },
            _ => GetResponse {
                value: String::new(),
                exists: false,
            },
        }
    }

    /// Add to a decimal s32 counter (a missing key starts at 0); the new value, or 0 if the
    /// value is not an s32 counter or the sum overflows s32 (the value is then unchanged).
    fn increment(input: IncrementRequest) -> i32 {
        bucket().increment_s32(&input.key, input.value).unwrap_or(0)
    }

    /// Append to the list (RPUSH); its new length.
    fn list_add(input: ListAddRequest) -> u32 {
        let items = vec![input.value.into_bytes()];
        count(
            bucket()
                .push(&input.list_name, items, End::Back)
                .unwrap_or(0),
        )
    }

    /// Remove the list; whether there was one.
    fn list_clear(input: String) -> bool {
        bucket().clear(&input, Kind::List).unwrap_or(false)
    }

    /// Remove the first item equal to the value (LREM 1); whether there was one.
    fn list_del(input: ListDelRequest) -> bool {
        let item = input.value.as_bytes();
        bucket()
            .list_remove(&input.list_name, item, false)
            .unwrap_or(0)
            == 1
    }

    /// LRANGE: `start` to `stop` inclusive, negative from the end, clamped.
    fn list_range(input: ListRangeRequest) -> Vec<String> {
        let range = bucket().range(&input.list_name, input.start.into(), input.stop.into());
        texts(range)
    }

    /// Add to the set (SADD); 1 if the value was new, else 0.
    fn set_add(input: SetAddRequest) -> u32 {
        let members = vec![input.value.into_bytes()];
        count(bucket().set_add(&input.set_name, members).unwrap_or(0))
    }

    /// Remove the set; whether there was one.
    fn set_clear(input: String) -> bool {
        bucket().clear(&input, Kind::Set).unwrap_or(false)
    }

    /// Remove from the set (SREM); 1 if the value was in it, else 0.
    fn set_del(input: SetDelRequest) -> u32 {
        let members = vec![input.value.into_bytes()];
        count(bucket().set_remove(&input.set_name, members).unwrap_or(0))
    }

    /// SINTER, ascending.
    fn set_intersection(input: Vec<String>) -> Vec<String> {
        texts(bucket().intersection(&input))
    }

    /// SMEMBERS, ascending.
    fn set_query(input: String) -> Vec<String> {
        texts(bucket().members(&input))
    }

    /// SUNION, ascending.
    fn set_union(input: Vec<String>) -> Vec<String> {
        texts(bucket().union(&input))
    }

    /// SET, replacing whatever the key held; with `expires` (seconds, 0 for never), SET EX in
    /// memkv-redis. The in-memory engine has no clock and ignores it (see the README).
    fn set(input: SetRequest) {
        let value = input.value.into_bytes();
        let _refused = match input.expires {
            0 => bucket().set(&input.key, value),
            seconds => bucket().set_expiring(&input.key, value, seconds),
        };
    }
}
