//! `golem:api/save-snapshot@1.1.7` and `golem:api/load-snapshot@1.1.7`: the whole store as bytes,
//! for Golem's snapshot-based worker updates and for the `memkv --data` command line.

use super::bindings::exports::golem::api::{load_snapshot, save_snapshot};
use super::{Component, with_store};

impl save_snapshot::Guest for Component {
    /// `save` has no error result. The one way it can fail is that memory for the snapshot
    /// cannot be allocated; then the component traps rather than return something that is not
    /// the store, so an update fails and the running worker keeps its state.
    fn save() -> Vec<u8> {
        with_store(|store| store.save()).unwrap_or_else(|error| panic!("{error}"))
    }
}

impl load_snapshot::Guest for Component {
    fn load(bytes: Vec<u8>) -> Result<(), String> {
        with_store(|store| store.restore(&bytes)).map_err(|error| error.to_string())
    }
}
