//! # memkv
//!
//! A key-value store for WebAssembly components, with one engine per artifact. Built for
//! `wasm32-unknown-unknown` and wrapped by `wit-component`, `memkv.wasm` imports nothing; built
//! for `wasm32-wasip2` with the `redis` feature, `memkv-redis.wasm` imports WASI 0.2 sockets.
//! Both export the world `memkv:store/memkv` (`wit/world.wit`):
//!
//! - `golem:examples/api` — `get`/`set` by bucket name and key;
//! - `wasi:keyvalue/store@0.2.0-draft`, `atomics@0.2.0-draft` and `batch@0.2.0-draft`
//!   (wasmtime's and wasmCloud's);
//! - the same three at `@0.2.0-draft2` (Spin's): string cursors, signed counters, compare-and-swap;
//! - `memkv:store/limits` — the [`store::Limits`] every write is checked against;
//! - `memkv:store/collections` — lists and sets beside bytes in the draft's buckets, with Redis's
//!   semantics ([`store::Entry`]);
//! - `wasmcloud:keyvalue/key-value` — waSCC's contract as wasmCloud's WIT, on the bucket `""`;
//! - `fermyon:spin/key-value@2.0.0` — Spin 2 to 5's store, whose labels are bucket identifiers;
//! - `golem:api/save-snapshot@1.1.7` and `load-snapshot@1.1.7` — the whole store as bytes
//!   ([`store::Store::save`], [`store::Store::restore`]; the format is in `SNAPSHOT.md`).
//!
//! All of them are adapters over one engine: a value set through one interface is seen through
//! every other, and every handle to a bucket sees the same data.
//!
//! Errors: `open` accepts any identifier and creates the bucket on first use, so
//! `error::no-such-store` and `error::access-denied` are never produced. Everything memkv refuses
//! (an unknown `list-keys` cursor, an increment of a value that is not a decimal u64, an overflow,
//! a write over a limit) is `error::other` with a message that says what went wrong, and changes
//! nothing; nothing traps. What a function with no error result answers when the engine cannot
//! (out of memory, the server unreachable) is stated once, in `engine/mod.rs`.
//!
//! With the `golem` feature the crate builds the second artifact, world
//! `memkv:store/memkv-golem`: all of the above plus the unversioned `wasi:keyvalue` dialect of
//! Golem's docs (`readwrite`, `batch`, `atomic`), which imports the `wasi:io` stream types.
//!
//! ## Two engines, one contract
//!
//! The adapters in `exports/` (one file per interface) call the engine through the traits of
//! `engine/` (`Engine`, `Bucket`); which engine an artifact carries is a cargo feature:
//!
//! - by default, `engine/memory.rs`: the instance's one [`store::Store`];
//! - with `redis`, `engine/redis/`: the buckets in a Redis server or Redis Cluster named by
//!   `MEMKV_REDIS_URL` or `MEMKV_REDIS_CLUSTER`, reached over `wasi:sockets`, every multi-key
//!   operation one call of a Lua function on the server. It answers exactly as the in-memory
//!   engine does — the same limits, counters, cursors, compare-and-swap and snapshot format, the
//!   same error messages (it builds the core's [`store::Error`]s) — and the test rig runs the same
//!   suites against both. Its one error of its own is [`store::Error::Unavailable`]: the server
//!   could not be reached. The core still serves it as the snapshot codec.
//!
//! A feature, not a trait object, because each artifact carries exactly one engine: the
//! in-memory build stays free of any Redis code, and every call is static.
//!
//! With the `p3` feature (and `redis` or not) the crate builds the async artifacts, world
//! `memkv:store/memkv-p3`: all of the main world plus the dialects whose functions are `async`
//! (Spin 6–7's `spin:key-value/key-value@3.0.0`), still importing nothing of its own.
//!
//! Build: any build of `memkv-artifacts` (so `cargo test --workspace`, or building the `memkv`
//! command) builds this crate for `wasm32-unknown-unknown` with the `component` profile — plain,
//! with `golem` and with `p3` — and encodes each as a component; and for `wasm32-wasip2` with
//! `redis` and with `redis,p3`. Natively this crate is only the [`store`] core, which is what its
//! unit tests exercise.

pub mod store;

/// The bytes that mark, in `memkv.wasm`'s data, the slot where a composer puts the address and
/// length of a preset snapshot (two little-endian `u32`s right after them), which the in-memory
/// engine loads as its store on first use (`memkv_host::preset`). Unique in memkv's data.
pub const PRESET_MAGIC: [u8; 8] = *b"mkv\xffpre1";

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod allocator;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg(target_arch = "wasm32")]
mod exports;
