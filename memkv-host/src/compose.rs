//! Plugging memkv into a guest, with the `wac-graph` library: the same as
//! `wac plug <guest> --plug memkv.wasm`, without the external tool.

use anyhow::{Context, Result, bail};
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, NodeKind, PackageId, PlugError};
use wasmparser::{Parser, Payload};

use crate::Preset;

/// A guest with memkv plugged in.
#[derive(Debug, Clone)]
pub struct Composition {
    /// The composed component.
    pub bytes: Vec<u8>,
    /// The guest's imports that memkv could not satisfy, still imports of the composition; empty
    /// when the composition is self-contained.
    pub unsatisfied: Vec<String>,
}

/// What [`compose_with`] does besides plugging memkv in.
#[derive(Debug, Default)]
pub struct Options {
    /// Bake this store into memkv first ([`crate::preset()`]): the composition starts with it.
    pub preset: Option<Preset>,
    /// Also export memkv's own interfaces from the composition — those of [`EXPOSED`] it has:
    /// snapshots (at the one version the artifact exports), limits    /// and usage — so that the host can read and set the guest's store, before a run or after.
    pub expose: bool,
}

/// The interfaces of memkv that [`Options::expose`] exports from a composition, those the
/// artifact has: every artifact exports `limits` and Golem's snapshot interfaces at one version,
/// 1.1.7 or (the Golem artifacts of today) 1.5.0.
pub const EXPOSED: [&str; 5] = [
    "golem:api/save-snapshot@1.1.7",
    "golem:api/load-snapshot@1.1.7",
    "golem:api/save-snapshot@1.5.0",
    "golem:api/load-snapshot@1.5.0",
    "memkv:store/limits",
];

/// Plug `memkv` (the component's bytes) into every import of `guest` that it exports.
///
/// Fails if either is not a component, or if the guest imports none of memkv's exports. Imports
/// memkv does not export are left as imports of the composition and listed in
/// [`Composition::unsatisfied`]; whether that is acceptable is the caller's decision.
pub fn compose(guest: &[u8], memkv: &[u8]) -> Result<Composition> {
    compose_with(guest, memkv, &Options::default())
}

/// [`compose()`], with a preset store and memkv's own interfaces exported, as `options` asks.
pub fn compose_with(guest: &[u8], memkv: &[u8], options: &Options) -> Result<Composition> {
    let preset_memkv;
    let memkv = match &options.preset {
        Some(preset) => {
            preset_memkv = crate::preset(memkv, preset)?;
            &preset_memkv[..]
        }
        None => memkv,
    };
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
    if options.expose {
        let exports = component_names(memkv, Side::Exports)?;
        expose(&mut graph, plug, &exports)?;
    }
    let bytes = graph
        .encode(EncodeOptions::default())
        .context("encoding the composition")?;
    let unsatisfied = component_names(&bytes, Side::Imports)?;
    Ok(Composition { bytes, unsatisfied })
}

/// Export those of [`EXPOSED`] that memkv `exports` from the instance of it that plugging made.
fn expose(graph: &mut CompositionGraph, memkv: PackageId, exports: &[String]) -> Result<()> {
    let instance = graph
        .node_ids()
        .find(|&id| {
            matches!(graph[id].kind(), NodeKind::Instantiation(_))
                && graph[id].package() == Some(memkv)
        })
        .context("memkv was not instantiated")?;
    for &name in EXPOSED
        .iter()
        .filter(|name| exports.iter().any(|e| e == *name))
    {
        let export = graph
            .alias_instance_export(instance, name)
            .with_context(|| format!("this memkv component does not export {name}"))?;
        graph
            .export(export, name)
            .with_context(|| format!("exporting memkv's {name} (does the guest export it too?)"))?;
    }
    Ok(())
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

/// `names` joined by commas, or `none`.
pub(crate) fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
