//! The component's exports: one module per interface, each a thin adapter over the one store.

mod api;
mod bucket;
mod limits;
mod snapshot;

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

use std::cell::RefCell;

use crate::store::Store;

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

thread_local! {
    /// The instance's one store. The component imports nothing, so no call can re-enter while
    /// the store is borrowed.
    static STORE: RefCell<Store> = const { RefCell::new(Store::new()) };
}

/// Run `f` on the instance's store.
fn with_store<R>(f: impl FnOnce(&mut Store) -> R) -> R {
    STORE.with_borrow_mut(f)
}
