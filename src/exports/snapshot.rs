//! `golem:api/save-snapshot@1.1.7` and `golem:api/load-snapshot@1.1.7`: the whole store as bytes,
//! for Golem's snapshot-based worker updates and for the `memkv --data` command line.

use super::Component;
use super::bindings::exports::golem::api::{load_snapshot, save_snapshot};
use crate::engine::{Active, Engine as _};

impl save_snapshot::Guest for Component {
    /// `save` has no error result; each engine documents what it does when it cannot save.
    fn save() -> Vec<u8> {
        Active::save()
    }
}

impl load_snapshot::Guest for Component {
    fn load(bytes: Vec<u8>) -> Result<(), String> {
        Active::load(&bytes)
    }
}
