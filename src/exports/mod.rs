//! The component's exports: one module per interface, each a thin adapter over the engine
//! ([`crate::engine`]) this artifact carries.

mod api;
mod collections;
mod limits;
mod snapshot;
mod spin;
mod wasmcloud;

/// `wasi:keyvalue@0.2.0-draft`: wasmtime's and wasmCloud's.
mod draft {
    mod atomics;
    mod batch;
    mod store;
}

/// `wasi:keyvalue@0.2.0-draft2`: Spin's.
mod draft2 {
    mod atomics;
    mod batch;
    mod store;
}

/// The unversioned `wasi:keyvalue` of Golem's docs (December 2023), in the `golem` build only.
#[cfg(feature = "golem")]
mod golem;

/// `spin:key-value/key-value@3.0.0`: Spin 6–7's, async; in the `p3` builds only.
#[cfg(feature = "p3")]
mod spin3;

/// `wasmcloud:keyvalue@0.2.0`: wasmCloud 2.7's, async; in the `p3` builds only.
#[cfg(feature = "p3")]
mod wasmcloud2;

#[cfg(any(feature = "golem", feature = "golem-p3"))]
mod golem_common;

/// Golem's current `wasi:keyvalue@0.1.0`, in the `golem-p3` build only.
#[cfg(feature = "golem-p3")]
mod golem_p3;

#[cfg(all(feature = "golem", feature = "redis"))]
compile_error!("memkv-redis does not export the Golem dialect: build `golem` or `redis`, not both");
#[cfg(all(feature = "golem", feature = "p3"))]
compile_error!("the Golem build has no async artifact: build `golem` or `p3`, not both");

mod bindings {
    #[cfg(not(any(feature = "golem", feature = "p3")))]
    wit_bindgen::generate!({
        path: "wit",
        world: "memkv:store/memkv",
    });
    #[cfg(all(feature = "p3", not(feature = "golem-p3")))]
    wit_bindgen::generate!({
        path: "wit",
        world: "memkv:store/memkv-p3",
        generate_all,
    });
    #[cfg(feature = "golem-p3")]
    wit_bindgen::generate!({
        path: "wit",
        world: "memkv:store/memkv-golem-p3",
        generate_all,
    });
    #[cfg(feature = "golem")]
    wit_bindgen::generate!({
        path: "wit",
        world: "memkv:store/memkv-golem",
        generate_all,
    });
}

/// The wall clock the in-memory async artifacts import (`wasi:clocks/wall-clock`), for
/// lifetimes (memkv-redis keeps them by the server's clock).
#[cfg(all(feature = "p3", not(feature = "redis")))]
pub(crate) mod clock {
    use super::bindings::wasi::clocks::wall_clock;

    /// Milliseconds since the epoch, now.
    pub fn now_ms() -> u64 {
        let now = wall_clock::now();
        now.seconds
            .saturating_mul(1000)
            .saturating_add(u64::from(now.nanoseconds / 1_000_000))
    }
}

/// The component: every exported interface is implemented on this type.
struct Component;

bindings::export!(Component with_types_in bindings);
