//! Which memkv artifact serves a guest: chosen from the guest's imports and what each artifact
//! exports (read from the artifacts themselves, so a new dialect needs no table here).

use anyhow::{Result, bail};

use crate::compose::list_or_none;
use crate::{Side, component_names};

/// One of memkv's components.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Artifact {
    /// Its file name, as the build leaves it in `target/`.
    pub name: &'static str,
    /// The component.
    pub bytes: &'static [u8],
    /// Whether its store is a Redis server's (else the instance's memory).
    pub redis: bool,
    /// Whether it exports async (WASI P3) dialects: it then needs a runtime with the component
    /// model's async support ([`crate::async_engine`]), which costs every call.
    pub p3: bool,
}

/// memkv's artifacts, in the order [`choose`] prefers them: sync before async (a sync guest
/// must not pay for async support), and the one that imports least first.
pub const ARTIFACTS: [Artifact; 7] = [
    Artifact {
        name: "memkv.wasm",
        bytes: crate::MEMKV,
        redis: false,
        p3: false,
    },
    Artifact {
        name: "memkv-golem.wasm",
        bytes: crate::MEMKV_GOLEM,
        redis: false,
        p3: false,
    },
    Artifact {
        name: "memkv-redis.wasm",
        bytes: crate::MEMKV_REDIS,
        redis: true,
        p3: false,
    },
    Artifact {
        name: "memkv-p3.wasm",
        bytes: crate::MEMKV_P3,
        redis: false,
        p3: true,
    },
    Artifact {
        name: "memkv-redis-p3.wasm",
        bytes: crate::MEMKV_REDIS_P3,
        redis: true,
        p3: true,
    },
    Artifact {
        name: "memkv-golem-p3.wasm",
        bytes: crate::MEMKV_GOLEM_P3,
        redis: false,
        p3: true,
    },
    Artifact {
        name: "memkv-redis-golem-p3.wasm",
        bytes: crate::MEMKV_REDIS_GOLEM_P3,
        redis: true,
        p3: true,
    },
];

impl std::fmt::Debug for Artifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Artifact")
            .field("name", &self.name)
            .field("bytes", &self.bytes.len())
            .field("redis", &self.redis)
            .field("p3", &self.p3)
            .finish()
    }
}

impl Artifact {
    /// The names of the interfaces it exports.
    pub fn exports(&self) -> Result<Vec<String>> {
        component_names(self.bytes, Side::Exports)
    }

    /// The names of what it imports.
    pub fn imports(&self) -> Result<Vec<String>> {
        component_names(self.bytes, Side::Imports)
    }
}

/// Whether an import that no artifact serves is one a WASI runtime provides: `wasi:` packages
/// other than the key-value ones.
pub fn is_wasi(import: &str) -> bool {
    import.starts_with("wasi:") && !import.starts_with("wasi:keyvalue")
}

/// The artifact that serves every key-value interface `guest` imports: the first of
/// [`ARTIFACTS`] (only the Redis-backed ones if `redis`) whose exports cover them. An interface a
/// guest imports is a dialect if any artifact exports it, or if it is a key-value interface
/// (`…keyvalue…`, `…key-value…`) that none does; other imports (WASI, the guest's own) are not
/// memkv's to serve. Refuses, naming the dialects and who serves them, when no artifact covers
/// them all.
pub fn choose(guest: &[u8], redis: bool) -> Result<Artifact> {
    let imports = component_names(guest, Side::Imports)?;
    let mut exports = Vec::new();
    for artifact in ARTIFACTS {
        exports.push((artifact, artifact.exports()?));
    }
    let served = |import: &String| exports.iter().any(|(_, names)| names.contains(import));
    let dialects: Vec<&String> = imports
        .iter()
        .filter(|import| {
            served(import) || import.contains("keyvalue") || import.contains("key-value")
        })
        .collect();
    if dialects.is_empty() {
        bail!(
            "the guest imports no key-value interface memkv serves; its imports are: {}",
            list_or_none(&imports)
        );
    }
    let covers = |names: &[String]| dialects.iter().all(|dialect| names.contains(dialect));
    if let Some((artifact, _)) = exports
        .iter()
        .find(|(artifact, names)| artifact.redis == redis && covers(names))
    {
        return Ok(*artifact);
    }
    let who = dialects
        .iter()
        .map(|dialect| {
            let by: Vec<&str> = exports
                .iter()
                .filter(|(_, names)| names.contains(dialect))
                .map(|(artifact, _)| artifact.name)
                .collect();
            if by.is_empty() {
                format!("{dialect} (no artifact)")
            } else {
                format!("{dialect} ({})", by.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let which = if redis { "Redis-backed " } else { "" };
    bail!("no {which}memkv artifact serves every key-value interface the guest imports: {who}")
}
