//! What Golem's two dialects (`golem.rs`, December 2023; `golem_p3.rs`, today's) share, though
//! their bindings are generated from different interfaces: the error resource's state, and the
//! batch of bodies a `set-many` copies out of its value resources.

use crate::store;

/// The state of an exported `error` resource: the message its `trace` returns.
pub struct Trace(pub String);

/// Each key of a `set-many` with a copy of its value's body (`body`), or the first failure.
pub fn bodies<V>(
    key_values: Vec<(String, V)>,
    body: impl Fn(&V) -> Result<Vec<u8>, store::Error>,
) -> Result<Vec<(String, Vec<u8>)>, store::Error> {
    let mut entries = Vec::new();
    entries
        .try_reserve_exact(key_values.len())
        .map_err(|_| store::Error::OutOfMemory("a set-many batch"))?;
    for (key, value) in key_values {
        let body = body(&value)?;
        entries.push((key, body));
    }
    Ok(entries)
}
