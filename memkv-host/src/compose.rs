//! Plugging memkv into a guest, with the `wac-graph` library: the same as
//! `wac plug <guest> --plug memkv.wasm`, without the external tool.

use anyhow::{Context, Result, bail};
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, PlugError};
use wasmparser::{Parser, Payload};

/// A guest with memkv plugged in.
#[derive(Debug, Clone)]
pub struct Composition {
    /// The composed component.
    pub bytes: Vec<u8>,
    /// The guest's imports that memkv could not satisfy, still imports of the composition; empty
    /// when the composition is self-contained.
    pub unsatisfied: Vec<String>,
}

/// Plug `memkv` (the component's bytes) into every import of `guest` that it exports.
///
/// Fails if either is not a component, or if the guest imports none of memkv's exports. Imports
/// memkv does not export are left as imports of the composition and listed in
/// [`Composition::unsatisfied`]; whether that is acceptable is the caller's decision.
pub fn compose(guest: &[u8], memkv: &[u8]) -> Result<Composition> {
    let mut graph = CompositionGraph::new();
    let socket = Package::from_bytes("guest:guest", None, guest, graph.types_mut())
        .context("reading the guest component")?;
    let socket = graph.register_package(socket)?;
    let plug = Package::from_bytes("memkv:store", None, memkv, graph.types_mut())
        .context("reading the memkv component")?;
    let plug = graph.register_package(plug)?;

    match wac_graph::plug(&mut graph, vec![plug], socket) {
        Ok(()) => {}
        Err(PlugError::NoPlugHappened) => bail!(
            "the guest imports none of the interfaces memkv exports ({}); its imports are: {}",
            component_names(memkv, Side::Exports)?.join(", "),
            list_or_none(&component_names(guest, Side::Imports)?),
        ),
        Err(error) => return Err(error).context("plugging memkv into the guest"),
    }
    let bytes = graph
        .encode(EncodeOptions::default())
        .context("encoding the composition")?;
    let unsatisfied = component_names(&bytes, Side::Imports)?;
    Ok(Composition { bytes, unsatisfied })
}

/// Which names [`component_names`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The component's top-level imports.
    Imports,
    /// The component's top-level exports.
    Exports,
}

/// The names of a component's top-level imports or exports, in order (nested components and
/// modules are not looked into).
pub fn component_names(component: &[u8], side: Side) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        match payload.context("reading the component")? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(imports) if depth == 1 && side == Side::Imports => {
                for import in imports {
                    names.push(import?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(exports) if depth == 1 && side == Side::Exports => {
                for export in exports {
                    names.push(export?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
