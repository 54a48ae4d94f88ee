//! Builds the memkv component and the test guests, so that one `cargo test` or `cargo run` does
//! everything.
//!
//! 1. `cargo build -p memkv -p kv-client -p kv-bench -p golem-example --target
//!    wasm32-unknown-unknown --profile component`, in a target directory of its own under `OUT_DIR`
//!    (sharing the outer one would deadlock on its lock); then memkv once more with its `golem`
//!    feature, for the second artifact, `memkv-golem` (cargo keeps both builds' fingerprints, so
//!    neither rebuilds the other);
//! 2. `wit-component` turns each core module (which carries its WIT in a custom section written by
//!    `wit_bindgen::generate!`) into a component;
//! 3. each component is written to `OUT_DIR/<name>.wasm` and its path handed to the harness as
//!    `<NAME>_COMPONENT` (`MEMKV_COMPONENT`, `MEMKV_GOLEM_COMPONENT`, `KV_CLIENT_COMPONENT`,
//!    `KV_BENCH_COMPONENT`, `GOLEM_EXAMPLE_COMPONENT`); the two memkv artifacts are also copied
//!    to `target/memkv.wasm` and `target/memkv-golem.wasm` for users (`MEMKV_COMPONENT_COPY`,
//!    `MEMKV_GOLEM_COMPONENT_COPY`).
//!
//! The wasm target is installed with rustup if the toolchain lacks it.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "component";
/// The crates built as components: memkv itself, then the guests the tests and benches plug it into.
const CRATES: [&str; 4] = ["memkv", "kv-client", "kv-bench", "golem-example"];

fn main() -> Result<()> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir
        .parent()
        .context("host-test lives inside the workspace")?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);

    for input in [
        "src",
        "wit",
        "host-test/guests",
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }

    ensure_wasm_target()?;
    let guest_target = out_dir.join("guest-target");
    build_core_modules(root, &guest_target, &CRATES, None)?;
    for name in CRATES {
        encode(root, &out_dir, &guest_target, name, name)?;
    }
    build_core_modules(root, &guest_target, &["memkv"], Some("memkv/golem"))?;
    encode(root, &out_dir, &guest_target, "memkv", "memkv-golem")?;
    Ok(())
}

/// Encode the core module that `crate_name` built as a component, write it as
/// `OUT_DIR/<name>.wasm` and hand its path to the harness; memkv's artifacts are also copied to
/// the target directory for users.
fn encode(
    root: &Path,
    out_dir: &Path,
    guest_target: &Path,
    crate_name: &str,
    name: &str,
) -> Result<()> {
    let file = format!("{}.wasm", crate_name.replace('-', "_"));
    let module = guest_target.join(TARGET).join(PROFILE).join(&file);
    let module = fs::read(&module).with_context(|| format!("reading {}", module.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .with_context(|| format!("reading the component type embedded in {file}"))?
        .validate(true)
        .encode()
        .with_context(|| format!("encoding {file} as {name}"))?;
    let path = out_dir.join(format!("{name}.wasm"));
    fs::write(&path, &component).with_context(|| format!("writing {}", path.display()))?;
    let var = name.replace('-', "_").to_uppercase();
    println!("cargo:rustc-env={var}_COMPONENT={}", path.display());
    if crate_name == "memkv" {
        // A stable, easy-to-find copy for users and other tools; the harness uses `path`.
        let target_dir =
            env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let copy = target_dir.join(format!("{name}.wasm"));
        if fs::create_dir_all(&target_dir).is_ok() && fs::write(&copy, &component).is_ok() {
            println!("cargo:rustc-env={var}_COMPONENT_COPY={}", copy.display());
        }
    }
    Ok(())
}

/// Install the wasm target with rustup when the active toolchain does not have it yet.
fn ensure_wasm_target() -> Result<()> {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .context("running rustc --print sysroot")?;
    let sysroot = PathBuf::from(String::from_utf8(sysroot.stdout)?.trim());
    if sysroot.join("lib/rustlib").join(TARGET).exists() {
        return Ok(());
    }
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", TARGET]);
    if let Ok(toolchain) = env::var("RUSTUP_TOOLCHAIN") {
        rustup.args(["--toolchain", &toolchain]);
    }
    let status = rustup
        .status()
        .with_context(|| format!("the {TARGET} target is missing and rustup could not be run"))?;
    if !status.success() {
        bail!("`rustup target add {TARGET}` failed ({status})");
    }
    Ok(())
}

/// Build `crates` as core wasm modules, in one cargo run, with `features` if given.
fn build_core_modules(
    root: &Path,
    target_dir: &Path,
    crates: &[&str],
    features: Option<&str>,
) -> Result<()> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(root)
        .args(["build", "--lib", "--target", TARGET, "--profile", PROFILE])
        .args(crates.iter().flat_map(|name| ["--package", name]))
        .args(
            features
                .iter()
                .flat_map(|features| ["--features", features]),
        )
        .env("CARGO_TARGET_DIR", target_dir);
    // Settings of the outer build that must not leak into the guest's: flags and wrappers meant
    // for native code (clippy-driver, coverage, sanitizers).
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
    ] {
        build.env_remove(var);
    }
    let status = build
        .status()
        .context("running cargo to build the wasm crates")?;
    if !status.success() {
        bail!("building the wasm crates failed ({status})");
    }
    Ok(())
}
