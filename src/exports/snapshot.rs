//! Golem's snapshot interfaces: the whole store as the bytes SNAPSHOT.md describes, for Golem's
//! snapshot-based updates and for the `memkv --data` command line. Every artifact exports one
//! version of them: `golem:api/{save,load}-snapshot@1.1.7` (a `list<u8>`), or, in the `golem-p3`
//! build, `@1.5.0` (async, a `snapshot` record carrying [`MIME_TYPE`]).

use super::Component;
#[cfg(not(feature = "golem-p3"))]
use super::bindings::exports::golem::api1_1_7::{load_snapshot, save_snapshot};
#[cfg(feature = "golem-p3")]
use super::bindings::exports::golem::api1_5_0::{load_snapshot, save_snapshot};
use crate::engine::{Active, Engine as _};

#[cfg(not(feature = "golem-p3"))]
impl save_snapshot::Guest for Component {
    /// `save` has no error result; each engine documents what it does when it cannot save.
    fn save() -> Vec<u8> {
        Active::save()
    }
}

#[cfg(not(feature = "golem-p3"))]
impl load_snapshot::Guest for Component {
    fn load(bytes: Vec<u8>) -> Result<(), String> {
        Active::load(&bytes)
    }
}

/// The mime type of memkv's snapshots in `golem:api@1.5.0`'s `snapshot` record.
#[cfg(feature = "golem-p3")]
pub const MIME_TYPE: &str = "application/x-memkv-snapshot";

#[cfg(feature = "golem-p3")]
use super::bindings::golem::api1_5_0::host::Snapshot;

#[cfg(feature = "golem-p3")]
impl save_snapshot::Guest for Component {
    /// `save` has no error result; each engine documents what it does when it cannot save.
    async fn save() -> Snapshot {
        Snapshot {
            payload: Active::save(),
            mime_type: MIME_TYPE.into(),
        }
    }
}

#[cfg(feature = "golem-p3")]
impl load_snapshot::Guest for Component {
    /// Only memkv's own snapshots: any other mime type is refused, and nothing changes.
    async fn load(snapshot: Snapshot) -> Result<(), String> {
        if snapshot.mime_type != MIME_TYPE {
            return Err(format!(
                "not a memkv snapshot: its mime type is {:?}, memkv's is {MIME_TYPE:?}",
                snapshot.mime_type
            ));
        }
        Active::load(&snapshot.payload)
    }
}
