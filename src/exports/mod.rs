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

#[cfg(all(feature = "golem", feature = "redis"))]
compile_error!("memkv-redis does not export the Golem dialect: build `golem` or `redis`, not both");

mod bindings {
    #[cfg(not(feature = "golem"))]
    wit_bindgen::generate!({
        path: "wit",
        world: "memkv:store/memkv",
    });
    #[cfg(feature = "golem")]
    wit_bindgen::generate!({
        path: "wit",
        world: "memkv:store/memkv-golem",
        generate_all,
    });
}

/// The component: every exported interface is implemented on this type.
struct Component;

bindings::export!(Component with_types_in bindings);
