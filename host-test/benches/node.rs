//! memkv in Node.js beside wasmtime: the `kv-bench` guest composed with memkv, transpiled by
//! the pinned jco twice (its default output, and `--multi-memory`), timed by
//! `host-test/js/bench.mjs` in the Node.js that `NODE` names (by default the Node 22 the JavaScript
//! tests' `npm ci` installs on linux-x64, else `node`; `--multi-memory` output needs Node 22). `MEMKV_WASM` swaps in another build of
//! `memkv.wasm` (to measure an older one); `MEMKV_LARGE` sets how many 10 KiB values the
//! insert-versus-overwrite rows write (default 10^5; jco's default output copies a value one JS
//! call per byte, so 10^4 is kinder to it); `MEMKV_JS_OUT` keeps the transpiled code in that
//! directory (to read or profile it). Numbers in BENCHMARKS.md.
//!
//! `cargo bench -p host-test --bench node`

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, ensure};
use host_test::{compose, js};

fn main() -> Result<()> {
    let memkv = match std::env::var_os("MEMKV_WASM") {
        Some(path) => std::fs::read(&path).with_context(|| format!("reading {path:?}"))?,
        None => memkv_artifacts::MEMKV.to_vec(),
    };
    let composition = compose(memkv_artifacts::KV_BENCH, &memkv)?;
    ensure!(
        composition.unsatisfied.is_empty(),
        "memkv left imports unsatisfied: {:?}",
        composition.unsatisfied
    );
    let temporary = tempfile::tempdir()?;
    // MEMKV_JS_OUT keeps the transpiled code there instead, to look at or profile it.
    let dir =
        std::env::var_os("MEMKV_JS_OUT").map_or_else(|| temporary.path().to_owned(), PathBuf::from);
    let variants: [(&str, &[&str]); 2] = [("default", &[]), ("multi-memory", &["--multi-memory"])];
    for (variant, flags) in variants {
        let variant_dir = dir.join(variant);
        std::fs::create_dir_all(&variant_dir)?;
        js::transpile(&variant_dir, "kv-bench", &composition.bytes, flags)?;
    }
    let node = match std::env::var_os("NODE") {
        Some(node) => PathBuf::from(node),
        None => js::node22().unwrap_or_else(|_| PathBuf::from("node")),
    };
    let status = Command::new(node)
        .arg(js::package_dir().join("bench.mjs"))
        .env("MEMKV_JS", &dir)
        .status()
        .context("starting node")?;
    ensure!(status.success(), "bench.mjs failed ({status})");
    Ok(())
}
