//! The test rig's one integration-test binary: the real components in wasmtime, a module per
//! interface or area, so the suite links (and compiles memkv with Cranelift) once.

mod api;
mod atomics;
mod batch;
mod cli;
mod component;
mod compose;
mod draft2;
mod golem;
mod limits;
mod model;
mod snapshot;
mod store;
mod traps;
