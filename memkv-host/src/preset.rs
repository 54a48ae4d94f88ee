//! Data baked into `memkv.wasm`: a store the component starts with, before any guest runs.
//!
//! [`preset`] copies the component with one change to its core module: the snapshot goes into new
//! pages past the module's initial memory, and a data segment writes its address and length into
//! the slot memkv keeps for them ([`memkv::PRESET_MAGIC`]). Instantiating the copy applies both
//! segments, and the in-memory engine loads the snapshot as its store on first use, so the result
//! is an ordinary component: it composes, runs and inspects like `memkv.wasm`, on any runtime. No
//! code runs at composition time (unlike pre-initialisation), and the store is exactly the one
//! that [`Preset`] built and checked. The snapshot's bytes stay in the instance's memory beside
//! the store loaded from them.

use anyhow::{Context, Result, bail, ensure};
use memkv::store::Store;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ComponentSectionId, ConstExpr, DataSection, MemorySection, RawSection};
use wasmparser::{DataKind, Operator, Parser, Payload};

/// The size of a WebAssembly page.
const PAGE: u64 = 64 * 1024;

/// A store to bake into memkv: what it will hold before any guest runs.
#[derive(Debug, Default)]
pub struct Preset {
    store: Store,
}

impl Preset {
    /// An empty store, with the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// The store a snapshot holds (`memkv --data <file>` writes one; so does `save-snapshot`).
    pub fn from_snapshot(snapshot: &[u8]) -> Result<Self> {
        let store = Store::load(snapshot).context("reading the preset snapshot")?;
        Ok(Self { store })
    }

    /// Store `value` under `key` in the bucket called `bucket` (created if need be); refused as
    /// the component would refuse it (a limit, a key holding a list).
    pub fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        let id = self
            .store
            .open(bucket)
            .with_context(|| format!("opening bucket {bucket:?}"))?;
        self.store
            .set(id, key, value.to_vec())
            .with_context(|| format!("setting {key:?} in bucket {bucket:?}"))
    }

    /// The store as a snapshot, as the component will load it.
    pub fn snapshot(&self) -> Result<Vec<u8>> {
        Ok(self.store.save()?)
    }
}

/// `memkv` (the in-memory component's bytes, `memkv.wasm` or `memkv-golem.wasm`) with `preset`
/// baked in: its instances start with that store.
///
/// Fails for a component that has no preset slot (memkv-redis, whose store is the server's, or
/// a component that is not memkv), and for a snapshot that does not fit a wasm32 memory.
pub fn preset(memkv: &[u8], preset: &Preset) -> Result<Vec<u8>> {
    let snapshot = preset.snapshot()?;
    let mut component = wasm_encoder::Component::new();
    let mut baked = false;
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(memkv) {
        let payload = payload.context("reading the memkv component")?;
        match &payload {
            Payload::Version { encoding, .. } => {
                ensure!(
                    depth > 0 || *encoding == wasmparser::Encoding::Component,
                    "memkv is a component, not a core module"
                );
                depth += 1;
                continue;
            }
            Payload::End(_) => {
                depth -= 1;
                continue;
            }
            _ if depth != 1 => continue,
            Payload::ModuleSection {
                unchecked_range, ..
            } if !baked => {
                let module = slice(memkv, unchecked_range)?;
                if let Some(module) = bake(module, &snapshot)? {
                    component.section(&RawSection {
                        id: ComponentSectionId::CoreModule as u8,
                        data: &module,
                    });
                    baked = true;
                    continue;
                }
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            component.section(&RawSection {
                id,
                data: slice(memkv, &range)?,
            });
        }
    }
    ensure!(
        baked,
        "this component has no preset slot: only the in-memory memkv (memkv.wasm, \
         memkv-golem.wasm) can be preset; memkv-redis's store is its server's"
    );
    Ok(component.finish())
}

/// `module` with `snapshot` in new pages and its address and length in the preset slot, or
/// `None` if the module has no slot.
fn bake(module: &[u8], snapshot: &[u8]) -> Result<Option<Vec<u8>>> {
    let Some(slot) = find_slot(module)? else {
        return Ok(None);
    };
    let len = u32::try_from(snapshot.len()).context("the preset is larger than 4 GiB")?;
    let pages = u64::from(len).div_ceil(PAGE);
    let mut address = None;
    let mut out = wasm_encoder::Module::new();
    let mut reencoder = RoundtripReencoder;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        match payload {
            Payload::MemorySection(reader) => {
                let mut memories = MemorySection::new();
                for (index, memory) in reader.into_iter().enumerate() {
                    let mut memory = reencoder.memory_type(memory?)?;
                    if index == 0 {
                        address = Some(memory.minimum * PAGE);
                        memory.minimum += pages;
                        let fits = memory.maximum.unwrap_or(1 << 16).min(1 << 16);
                        if memory.minimum > fits {
                            bail!(
                                "a preset of {len} bytes does not fit memkv's memory \
                                 ({fits} pages of 64 KiB at most)"
                            );
                        }
                    }
                    memories.memory(memory);
                }
                out.section(&memories);
            }
            Payload::DataCountSection { count, .. } => {
                out.section(&wasm_encoder::DataCountSection { count: count + 2 });
            }
            Payload::DataSection(reader) => {
                let address = address.context("memkv's module defines no memory")?;
                let address = u32::try_from(address).context("memkv's memory is full")?;
                let mut data = DataSection::new();
                reencoder.parse_data_section(&mut data, reader)?;
                data.active(
                    0,
                    &ConstExpr::i32_const(address.cast_signed()),
                    snapshot.iter().copied(),
                );
                let place = [address.to_le_bytes(), len.to_le_bytes()].concat();
                data.active(0, &ConstExpr::i32_const(slot.cast_signed()), place);
                out.section(&data);
            }
            Payload::Version { .. } | Payload::End(_) => {}
            payload => {
                if let Some((id, range)) = payload.as_section() {
                    out.section(&RawSection {
                        id,
                        data: slice(module, &range)?,
                    });
                }
            }
        }
    }
    Ok(Some(out.finish()))
}

/// The address right after [`memkv::PRESET_MAGIC`] in `module`'s active data, if it is there.
fn find_slot(module: &[u8]) -> Result<Option<u32>> {
    let magic = &memkv::PRESET_MAGIC;
    for payload in Parser::new(0).parse_all(module) {
        let Payload::DataSection(reader) = payload? else {
            continue;
        };
        for segment in reader {
            let segment = segment?;
            let DataKind::Active {
                memory_index: 0,
                offset_expr,
            } = segment.kind
            else {
                continue;
            };
            let Some(at) = segment.data.windows(magic.len()).position(|w| w == magic) else {
                continue;
            };
            let Operator::I32Const { value: offset } = offset_expr.get_operators_reader().read()?
            else {
                bail!("memkv's data segment has an offset that is not a constant");
            };
            let slot = u32::try_from(at + magic.len())
                .ok()
                .and_then(|at| offset.cast_unsigned().checked_add(at))
                .context("memkv's preset slot is out of range")?;
            return Ok(Some(slot));
        }
    }
    Ok(None)
}

/// The bytes of `wasm` in `range` (wasmparser's offsets are `u64`s).
fn slice<'a>(wasm: &'a [u8], range: &std::ops::Range<u64>) -> Result<&'a [u8]> {
    let start = usize::try_from(range.start)?;
    let end = usize::try_from(range.end)?;
    wasm.get(start..end)
        .context("a section past the end of the component")
}
