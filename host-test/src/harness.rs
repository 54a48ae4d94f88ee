//! `memkv.wasm` on its own: compiled once, instantiated cheaply, called directly.

use std::sync::OnceLock;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Result};

use crate::bindings::MemkvPre;
use crate::{HostState, MemkvInstance, engine, new_store};

/// A memkv artifact, compiled once and ready to be instantiated cheaply, many times.
pub struct Harness {
    component: Component,
    pre: MemkvPre<HostState>,
}

impl Harness {
    /// Compile `memkv.wasm` with [`engine`].
    pub fn load() -> Result<Self> {
        Self::with_engine(&engine()?)
    }

    /// Compile `memkv.wasm` with `engine`.
    pub fn with_engine(engine: &Engine) -> Result<Self> {
        Self::compile(&Linker::new(engine), memkv_artifacts::MEMKV)
    }

    /// One harness per process, compiled on first use: tests share it.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Harness> = OnceLock::new();
        SHARED.get_or_init(|| Self::load().expect("memkv.wasm compiles"))
    }

    /// Compile the memkv artifact `bytes`, to be linked with `linker`.
    pub(crate) fn compile(linker: &Linker<HostState>, bytes: &[u8]) -> Result<Self> {
        let component = Component::new(linker.engine(), bytes)?;
        let pre = MemkvPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self { component, pre })
    }

    /// The compiled component.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// The engine the component was compiled with.
    pub fn engine(&self) -> &Engine {
        self.pre.engine()
    }

    /// Names of the component's imports, in order.
    pub fn import_names(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.imports(self.engine())
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// Names of the component's exports, in order.
    pub fn export_names(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.exports(self.engine())
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// A fresh instance, with an empty store of its own.
    pub fn instantiate(&self) -> Result<MemkvInstance<HostState>> {
        self.instantiate_capped(None)
    }

    /// A fresh instance whose linear memory may not grow past `max_memory_bytes` (when given):
    /// a growth past it fails inside the component, as running out of memory would.
    pub fn instantiate_capped(
        &self,
        max_memory_bytes: Option<usize>,
    ) -> Result<MemkvInstance<HostState>> {
        MemkvInstance::new(&self.pre, new_store(self.engine(), max_memory_bytes))
    }
}
