//! wasmtime's own wasi-keyvalue test program (`keyvalue_main`, unmodified:
//! `host-test/guests/wasmtime-keyvalue`), composed with memkv and run as the `wasi:cli` command
//! it is. wasmtime runs it with `-S keyvalue-in-memory-data=atomics_key=5`; memkv gets the same
//! start from a preset baked into the composition (`memkv compose --set atomics_key=5`), and the
//! host reads the store afterwards through the interfaces `--expose` re-exports.

use anyhow::Result;
use memkv_artifacts::{KEYVALUE_MAIN, MEMKV};
use memkv_host::{CacheUse, Exposed, Options, Preset, compose_with, engine};
use wasmtime::Store;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi::p2::bindings::sync::Command;

use crate::cli::memkv_command;

/// A key of the bucket `""` and its value.
type Pair = (String, Vec<u8>);

/// Compose `keyvalue_main` with memkv and `options`, run it, and return what `run` answered
/// (`Err` if it trapped: a failed assertion in the program panics) and, if it did not trap, the
/// store afterwards as `(key, value)` pairs of the bucket `""` (a trapped instance cannot be
/// entered again).
fn run(options: &Options) -> Result<(Result<()>, Vec<Pair>)> {
    let composition = compose_with(KEYVALUE_MAIN, MEMKV, options)?;
    let plugged = composition
        .unsatisfied
        .iter()
        .all(|import| import.starts_with("wasi:") && !import.starts_with("wasi:keyvalue"));
    assert!(plugged, "left: {:?}", composition.unsatisfied);
    let engine = engine(CacheUse::Off)?;
    let component = Component::new(&engine, &composition.bytes)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let mut store = Store::new(&engine, host_test::HostState::default());
    let instance = linker.instantiate(&mut store, &component)?;
    let command = Command::new(&mut store, &instance)?;
    let ran = match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(())) => Err(anyhow::anyhow!("the program exited with an error")),
        Err(trap) => return Ok((Err(trap.into()), Vec::new())),
    };
    let exposed = Exposed::new(&mut store, &instance)?;
    let snapshot = exposed.save.call_save(&mut store)?;
    let after = memkv::store::Store::load(&snapshot)?;
    let entries = match after.find("") {
        Some(bucket) => after
            .entries(bucket)
            .map(|(key, entry)| match entry {
                memkv::store::Entry::Bytes(value) => (key.to_owned(), value.to_vec()),
                other => panic!("{key} holds a {:?}", other.kind()),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok((ran, entries))
}

#[test]
fn keyvalue_main_passes_composed_with_its_preset() -> Result<()> {
    let mut preset = Preset::new();
    preset.set("", "atomics_key", b"5")?;
    let options = Options {
        preset: Some(preset),
        expose: true,
    };
    let (ran, after) = run(&options)?;
    ran?;
    assert_eq!(
        after,
        [
            ("atomics_key".to_owned(), b"6".to_vec()),
            ("b1".to_owned(), b"v1".to_vec()),
        ]
    );
    Ok(())
}

#[test]
fn keyvalue_main_fails_its_first_assertion_without_the_preset() -> Result<()> {
    let options = Options {
        preset: None,
        expose: true,
    };
    let (ran, _) = run(&options)?;
    // Its first assertion (an increment from the preset 5 answers 6) panics: the guest traps.
    let trap = ran.expect_err("the program expects atomics_key to start at 5");
    assert!(format!("{trap:?}").contains("unreachable"), "{trap:?}");
    Ok(())
}

#[test]
fn the_command_line_presets_and_exposes_as_the_library_does() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let guest = dir.path().join("keyvalue_main.wasm");
    let composed = dir.path().join("t.wasm");
    std::fs::write(&guest, KEYVALUE_MAIN)?;
    let printed = memkv_command(&[
        "compose".as_ref(),
        guest.as_os_str(),
        "--set".as_ref(),
        "atomics_key=5".as_ref(),
        "--expose".as_ref(),
        "-o".as_ref(),
        composed.as_os_str(),
    ])
    .map_err(anyhow::Error::msg)?;
    assert!(String::from_utf8_lossy(&printed).contains("served by memkv"));
    let component = std::fs::read(&composed)?;
    let engine = engine(CacheUse::Off)?;
    let component = Component::new(&engine, &component)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let mut store = Store::new(&engine, host_test::HostState::default());
    let command = Command::instantiate(&mut store, &component, &linker)?;
    assert_eq!(command.wasi_cli_run().call_run(&mut store)?, Ok(()));
    Ok(())
}

#[test]
fn a_preset_that_does_not_parse_is_refused_by_name() {
    let error = memkv_command(&[
        "compose".as_ref(),
        "guest.wasm".as_ref(),
        "--set".as_ref(),
        "no-equals-sign".as_ref(),
        "-o".as_ref(),
        "t.wasm".as_ref(),
    ])
    .unwrap_err();
    assert!(error.contains("expected KEY=VALUE"), "{error}");
}

#[test]
fn memkv_redis_cannot_be_preset() {
    let error = memkv_host::preset(memkv_host::MEMKV_REDIS, &Preset::new()).unwrap_err();
    assert!(format!("{error:#}").contains("no preset slot"), "{error:#}");
}
