//! memkv's own interfaces, called on an instance of a composition that exports them
//! ([`crate::Options::expose`]): how a host reads, or replaces, a composed guest's store.

use wasmtime::component::Instance;
use wasmtime::{AsContextMut, Result};

use crate::bindings::exports::golem::api1_1_7::{load_snapshot, save_snapshot};
use crate::bindings::exports::memkv::store::limits;

/// The exposed interfaces of one instance of a composition with a sync artifact (snapshots at
/// 1.1.7), as the typed functions of memkv's bindings: for
/// example `exposed.limits.call_get_usage(&mut store)`, `exposed.save.call_save(&mut store)`.
pub struct Exposed {
    /// `golem:api/save-snapshot@1.1.7`: the whole store as bytes.
    pub save: save_snapshot::Guest,
    /// `golem:api/load-snapshot@1.1.7`: replace the whole store with a snapshot's.
    pub load: load_snapshot::Guest,
    /// `memkv:store/limits`: limits and usage.
    pub limits: limits::Guest,
}

impl Exposed {
    /// The exposed interfaces of `instance`; an error if its component does not export them.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        instance: &Instance,
    ) -> Result<Self> {
        let pre = instance.instance_pre(&store);
        Ok(Self {
            save: save_snapshot::GuestIndices::new(&pre)?.load(&mut store, instance)?,
            load: load_snapshot::GuestIndices::new(&pre)?.load(&mut store, instance)?,
            limits: limits::GuestIndices::new(&pre)?.load(&mut store, instance)?,
        })
    }
}
