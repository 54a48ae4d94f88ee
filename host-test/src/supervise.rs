//! Surviving traps: a memkv instance that is replaced by a fresh one whenever it traps.
//!
//! A trap leaves a component instance unusable, and memkv's state lives inside it, so the state
//! is lost with it; what must not be lost is the host. [`Supervised`] reports the trap, drops
//! the instance and carries on with a fresh one, so one bad call costs one instance, never the
//! process.

use std::fmt;

use wasmtime::Result;

use crate::{Harness, HostState, MemkvInstance};

/// A call that trapped. The instance it ran on was dropped and replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trapped {
    /// What wasmtime reported, with the wasm backtrace when there is one.
    pub message: String,
}

impl fmt::Display for Trapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "memkv trapped and was replaced by a fresh instance: {}",
            self.message
        )
    }
}

impl std::error::Error for Trapped {}

/// One memkv instance at a time, replaced after every trap.
pub struct Supervised<'h> {
    harness: &'h Harness,
    max_memory_bytes: Option<usize>,
    instance: MemkvInstance<HostState>,
    traps: Vec<Trapped>,
}

impl<'h> Supervised<'h> {
    /// Supervise instances of `harness`'s component, each with at most `max_memory_bytes` of
    /// linear memory if given (see [`Harness::instantiate_capped`]).
    pub fn new(harness: &'h Harness, max_memory_bytes: Option<usize>) -> Result<Self> {
        Ok(Self {
            harness,
            max_memory_bytes,
            instance: harness.instantiate_capped(max_memory_bytes)?,
            traps: Vec::new(),
        })
    }

    /// Run `f` on the current instance. If it traps, the trap is reported on stderr and
    /// recorded, the instance is dropped (with every bucket handle `f` held) and a fresh one
    /// takes its place; the inner result is then [`Trapped`]. The outer result is `Err` only if
    /// no fresh instance could be made.
    pub fn call<R>(
        &mut self,
        f: impl FnOnce(&mut MemkvInstance<HostState>) -> Result<R>,
    ) -> Result<std::result::Result<R, Trapped>> {
        let error = match f(&mut self.instance) {
            Ok(value) => return Ok(Ok(value)),
            Err(error) => error,
        };
        let trapped = Trapped {
            message: format!("{error:?}"),
        };
        eprintln!("{trapped}");
        self.instance = self.harness.instantiate_capped(self.max_memory_bytes)?;
        self.traps.push(trapped.clone());
        Ok(Err(trapped))
    }

    /// Every trap so far, oldest first.
    pub fn traps(&self) -> &[Trapped] {
        &self.traps
    }
}
