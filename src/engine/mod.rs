//! The engines: where the buckets are. The adapters in `exports/` call one engine through the
//! [`Engine`] and [`Bucket`] traits; which engine an artifact carries is a cargo feature, so each
//! artifact holds exactly one (the in-memory build has no Redis code in it) and every call is
//! static. Every engine implements every method: the compiler checks that both answer one
//! contract, and the test rig runs the same suites against both.
//!
//! - [`memory`] (the default; `memkv.wasm`, `memkv-golem.wasm`): the instance's one
//!   [`crate::store::Store`].
//! - `redis` (the `redis` feature; `memkv-redis.wasm`): the buckets in a Redis server or Redis
//!   Cluster, reached over `wasi:sockets`.
//!
//! Both answer with the core's [`Error`], which each adapter converts to its interface's error
//! type in one place.
//!
//! ## When an engine cannot answer
//!
//! One rule, for both engines: **nothing traps.** A function whose WIT result has an error case
//! returns the error ([`Error::OutOfMemory`] when memory for the answer cannot be reserved,
//! [`Error::Unavailable`] when the server cannot be reached). A function with no error case —
//! `golem:examples/api.get` and `set`, `get-limits`, `get-usage`, `save-snapshot.save`, Golem's
//! `get-keys` — answers with its empty value instead (`none`, no write, the default limits, zero
//! usage, an empty snapshot, no keys): [`unanswered`] is that choice, made in one place. An empty
//! snapshot is never a valid one, so no `load` takes it for the store (a Golem update then fails
//! and the worker keeps its state).

use crate::store::{End, Error, Found, KeyPage, Kind, Limits, Usage};

#[cfg(not(feature = "redis"))]
pub mod memory;
#[cfg(not(feature = "redis"))]
mod preset;
#[cfg(feature = "redis")]
pub mod redis;

/// The engine this artifact carries.
#[cfg(not(feature = "redis"))]
pub type Active = memory::Memory;
/// The engine this artifact carries.
#[cfg(feature = "redis")]
pub type Active = redis::Redis;

/// The exported `bucket` resource of the engine this artifact carries.
pub type BucketHandle = <Active as Engine>::Bucket;

/// What a compare-and-swap observed of a key, in the engine this artifact carries.
pub type Version = <BucketHandle as Bucket>::Version;

/// What acts on the whole store, or names buckets by string.
pub trait Engine {
    /// The engine's `bucket` resource.
    type Bucket: Bucket;

    /// `golem:examples/api.get`: reading a bucket that was never written does not create it; a
    /// key holding a list or a set is `none` (it holds no value).
    fn api_get(bucket: &str, key: &str) -> Option<Vec<u8>>;

    /// `golem:examples/api.set`: a write that is refused is not applied, and no bucket is
    /// created for it.
    fn api_set(bucket: &str, key: &str, value: Vec<u8>);

    /// The limits in force.
    fn limits() -> Limits;

    /// Replace the limits, unless what is stored passes one of them.
    fn set_limits(limits: Limits) -> Result<(), String>;

    /// What the store holds, as its limits count it.
    fn usage() -> Usage;

    /// The whole store as a snapshot (`SNAPSHOT.md`), one moment of it.
    fn save() -> Vec<u8>;

    /// Replace the whole store with a snapshot's, or change nothing.
    fn load(bytes: &[u8]) -> Result<(), String>;
}

/// The `bucket` resource: one bucket of the store, by name. Handles share the bucket's data;
/// dropping one changes nothing.
pub trait Bucket: Sized {
    /// What [`Bucket::observe`] saw of a key, for a later [`Bucket::swap`].
    type Version;

    /// Open (creating if need be) the bucket called `identifier`.
    fn open(identifier: String) -> Result<Self, Error>;

    /// A handle on the bucket called `identifier` that does not open it: reads see it empty
    /// until the first write creates it (for interfaces with one fixed bucket).
    fn unopened(identifier: &str) -> Self;

    /// A copy of the value of `key`, if it exists.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error>;

    /// Store `value` under `key`.
    fn set(&self, key: &str, value: Vec<u8>) -> Result<(), Error>;

    /// Store `value` under `key` for `seconds` (wasmCloud's `set` with `expires`), if the
    /// engine has a clock; otherwise as [`Bucket::set`].
    fn set_expiring(&self, key: &str, value: Vec<u8>, seconds: u32) -> Result<(), Error>;

    /// wasmCloud 0.2's `set` with options: store `value` under `key` — only if the key does not
    /// exist, if `if_absent` — for `ttl_ms` milliseconds from now (`None`: no lifetime), by the
    /// engine's clock ([`Error::NoClock`] if it has none). Returns whether it wrote.
    #[cfg_attr(
        not(feature = "p3"),
        allow(
            dead_code,
            reason = "only wasmCloud 0.2's dialect, in the async builds, calls it"
        )
    )]
    fn set_with(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl_ms: Option<u64>,
        if_absent: bool,
    ) -> Result<bool, Error>;

    /// Remove `key`; returns whether it existed. A missing bucket is not an error.
    fn remove(&self, key: &str) -> Result<bool, Error>;

    /// Remove `key`; a missing key (or bucket) is not an error.
    fn delete(&self, key: &str) -> Result<(), Error> {
        self.remove(key).map(drop)
    }

    /// Whether `key` exists.
    fn exists(&self, key: &str) -> Result<bool, Error>;

    /// What `key` holds, if it exists.
    fn kind(&self, key: &str) -> Result<Option<Kind>, Error>;

    /// Push `items` onto the list under `key`; returns its new length.
    fn push(&self, key: &str, items: Vec<Vec<u8>>, end: End) -> Result<u64, Error>;

    /// The items of the list under `key` from `start` to `stop`, both included.
    fn range(&self, key: &str, start: i64, stop: i64) -> Result<Vec<Vec<u8>>, Error>;

    /// How many items the list under `key` holds.
    fn list_len(&self, key: &str) -> Result<u64, Error>;

    /// Remove the first item equal to `item` (every one, if `all`); returns how many went.
    fn list_remove(&self, key: &str, item: &[u8], all: bool) -> Result<u64, Error>;

    /// Remove the list or set (`kind`) under `key`; returns whether there was one.
    fn clear(&self, key: &str, kind: Kind) -> Result<bool, Error>;

    /// Add `members` to the set under `key`; returns how many were new.
    fn set_add(&self, key: &str, members: Vec<Vec<u8>>) -> Result<u64, Error>;

    /// Remove `members` from the set under `key`; returns how many were in it.
    fn set_remove(&self, key: &str, members: Vec<Vec<u8>>) -> Result<u64, Error>;

    /// The members of the set under `key`, ascending.
    fn members(&self, key: &str) -> Result<Vec<Vec<u8>>, Error>;

    /// Whether `member` is in the set under `key`.
    fn set_contains(&self, key: &str, member: &[u8]) -> Result<bool, Error>;

    /// How many members the set under `key` has.
    fn cardinality(&self, key: &str) -> Result<u64, Error>;

    /// The union of the sets under `keys`, ascending.
    fn union(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, Error>;

    /// The intersection of the sets under `keys`, ascending.
    fn intersection(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, Error>;

    /// One page of keys after the draft's numbered `cursor`.
    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyPage, Error>;

    /// One page of keys after the key `after` (draft2's string cursor), and the next cursor.
    fn list_keys_after(&self, after: Option<&str>) -> Result<(Vec<String>, Option<String>), Error>;

    /// One page of the keys that start with `prefix`, after the key `after` (wasmCloud 0.2's
    /// `list-keys`), and the cursor for the next page: as [`Bucket::list_keys_after`] on the
    /// keys with the prefix. O(page + log n).
    #[cfg_attr(
        not(feature = "p3"),
        allow(
            dead_code,
            reason = "only wasmCloud 0.2's dialect, in the async builds, calls it"
        )
    )]
    fn list_prefixed(
        &self,
        prefix: &str,
        after: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Error>;

    /// Every key, in byte order, in one list (Spin's and Golem's `get-keys`, which have no
    /// paging).
    fn all_keys(&self) -> Result<Vec<String>, Error>;

    /// Each requested key with a copy of its value, if it exists.
    fn get_many(&self, keys: Vec<String>) -> Result<Vec<Found>, Error>;

    /// Every pair, or none of them.
    fn set_many(&self, entries: Vec<(String, Vec<u8>)>) -> Result<(), Error>;

    /// Remove each key; missing keys are skipped.
    fn delete_many(&self, keys: Vec<String>) -> Result<(), Error>;

    /// Add `delta` to the u64 counter under `key`.
    fn increment(&self, key: &str, delta: u64) -> Result<u64, Error>;

    /// Add `delta` to the s64 counter under `key`.
    fn increment_signed(&self, key: &str, delta: i64) -> Result<i64, Error>;

    /// Add `delta` to the s32 counter under `key` (wasmCloud's `increment`).
    fn increment_s32(&self, key: &str, delta: i32) -> Result<i32, Error>;

    /// Golem's compare-and-swap of a u64 counter: `None` if the key does not exist, else
    /// whether it held `old` (and now holds `new`).
    #[cfg_attr(
        not(feature = "golem"),
        allow(
            dead_code,
            reason = "only Golem's dialect calls it; every engine has it"
        )
    )]
    fn compare_and_swap_counter(
        &self,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Option<bool>, Error>;

    /// Where `key` stands now, and a copy of its value, for a later [`Bucket::swap`].
    fn observe(&self, key: &str) -> Result<(Self::Version, Option<Vec<u8>>), Error>;

    /// Store `value` under `key` if nothing has written it since `expected`; returns whether
    /// it did.
    fn swap(&self, key: &str, expected: &Self::Version, value: Vec<u8>) -> Result<bool, Error>;

    /// What [`Bucket::observe`] saw of a key that exists, as an opaque text (wasmCloud 0.2's
    /// version token): two observations give the same token exactly when nothing wrote the key
    /// between them. `None` for a key observed absent.
    #[cfg_attr(
        not(feature = "p3"),
        allow(
            dead_code,
            reason = "only wasmCloud 0.2's dialect, in the async builds, calls it"
        )
    )]
    fn version_token(version: &Self::Version) -> Option<String>;
}

/// What a function with no error case answers when its engine cannot (see the module's page):
/// its empty value. The one place that choice is made.
pub fn unanswered<T: Default>(_why: Error) -> T {
    T::default()
}
