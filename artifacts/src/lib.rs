//! # memkv-artifacts
//!
//! The wasm components of the workspace, built by this crate's build script and embedded here as
//! bytes, so that whoever depends on this crate (the `memkv` CLI, the test rig) carries them and
//! reads nothing from the build directory at run time.
//!
//! - [`MEMKV`], [`MEMKV_GOLEM`], [`MEMKV_REDIS`], [`MEMKV_P3`], [`MEMKV_REDIS_P3`],
//!   [`MEMKV_GOLEM_P3`] and [`MEMKV_REDIS_GOLEM_P3`]: the memkv artifacts, always;
//! - with the `guests` feature, one constant per test guest (every workspace member under
//!   `host-test/guests/` and `examples/`, named in upper snake case: `KV_CLIENT`, `COUNTER`,
//!   `KEYVALUE_MAIN`, …), each documented with what it is.
//!
//! The build also leaves each memkv artifact in `target/` (`target/memkv.wasm`, …) for users.

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
