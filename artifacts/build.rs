//! Builds every wasm artifact of the workspace, once, for every crate that needs one.
//!
//! 1. `cargo build --target wasm32-unknown-unknown --profile component` of `memkv` (and, with
//!    this crate's `guests` feature, of the test guests), then of `memkv` once more with its
//!    `golem` feature; for `wasm32-wasip2`, of `memkv` with its `redis` feature; `memkv` with
//!    `p3` (and with `redis,p3` for `wasm32-wasip2`) for the async artifacts, and likewise with
//!    `golem-p3` (and `redis,golem-p3`) for the Golem artifacts of today; then, with
//!    `guests`, the guests for `wasm32-wasip2`. The guests are found with `cargo metadata`:
//!    every workspace member under `host-test/guests/` or `examples/` says in its manifest's
//!    `[package.metadata.memkv-artifact]` which target it is built for (`target`), what it is
//!    (`doc`) and, for a command, which binary (`bin`); a member there without it fails the
//!    build. The guest build has a target directory of its own, `<target>/wasm-guests`,
//!    shared by debug and release builds of the host (sharing the outer one would deadlock on its
//!    lock); cargo keeps every build's fingerprints there, so nothing is rebuilt that did not
//!    change.
//! 2. `wit-component` turns each core module (which carries its WIT in a custom section written
//!    by `wit_bindgen::generate!`) into a component, written atomically to `OUT_DIR`; for
//!    `wasm32-wasip2`, rustc's linker has already done so, adding the WASI imports.
//! 3. `OUT_DIR/artifacts.rs`, the crate's one module of constants, embeds each component's bytes
//!    with `include_bytes!`, so nothing is read from the build directory at run time.
//! 4. The memkv artifacts are also copied (atomically) to `<target>/memkv.wasm`,
//!    `<target>/memkv-golem.wasm`, `<target>/memkv-redis.wasm`, `<target>/memkv-p3.wasm`,
//!    `<target>/memkv-redis-p3.wasm`, `<target>/memkv-golem-p3.wasm` and
//!    `<target>/memkv-redis-golem-p3.wasm`, for users and other tools.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The target of every artifact with no imports (or only the ones its WIT names).
const TARGET: &str = "wasm32-unknown-unknown";
/// The target of memkv-redis, which reaches its server over `wasi:sockets`: rustc's linker
/// writes the component itself, with the WASI 0.2 imports the standard library uses.
const TARGET_WASI: &str = "wasm32-wasip2";
const PROFILE: &str = "component";

/// One artifact: the crate whose core module it is, the features that crate is built with, the
/// target it is built for, and the artifact's name (its constant is the name in upper snake
/// case).
struct Artifact {
    krate: String,
    features: Option<&'static str>,
    target: &'static str,
    name: String,
    doc: String,
    /// The binary to build, for a command; `None` for a library (`cdylib`).
    bin: Option<String>,
}

/// The memkv artifacts: one crate, seven builds.
fn memkv_artifacts() -> [Artifact; 7] {
    let memkv = |features, target, name: &str, doc: &str| Artifact {
        krate: "memkv".into(),
        features,
        target,
        name: name.into(),
        doc: doc.into(),
        bin: None,
    };
    [
        memkv(
            None,
            TARGET,
            "memkv",
            "`memkv.wasm`: world `memkv:store/memkv`; imports nothing.",
        ),
        memkv(
            Some("memkv/golem"),
            TARGET,
            "memkv-golem",
            "`memkv-golem.wasm`: world `memkv:store/memkv-golem`, the main world plus Golem's \
             December 2023 `wasi:keyvalue`; imports the `wasi:io` stream types.",
        ),
        memkv(
            Some("memkv/redis"),
            TARGET_WASI,
            "memkv-redis",
            "`memkv-redis.wasm`: the exports of `memkv.wasm` with the buckets in Redis; \
             imports WASI 0.2 (sockets, environment).",
        ),
        memkv(
            Some("memkv/p3"),
            TARGET,
            "memkv-p3",
            "`memkv-p3.wasm`: world `memkv:store/memkv-p3`, the main world plus the async \
             dialects (Spin 6-7's `spin:key-value@3.0.0`, wasmCloud 2.7's \
             `wasmcloud:keyvalue@0.2.0`); imports only `wasi:clocks/wall-clock`, for lifetimes.",
        ),
        memkv(
            Some("memkv/redis,memkv/p3"),
            TARGET_WASI,
            "memkv-redis-p3",
            "`memkv-redis-p3.wasm`: the exports of `memkv-p3.wasm` with the buckets in Redis; \
             imports WASI 0.2 (sockets, environment).",
        ),
        memkv(
            Some("memkv/golem-p3"),
            TARGET,
            "memkv-golem-p3",
            "`memkv-golem-p3.wasm`: world `memkv:store/memkv-golem-p3`, the async dialects plus \
             Golem's current `wasi:keyvalue@0.1.0`, with Golem's snapshots at 1.5.0; imports the \
             `snapshot` type of `golem:api/host@1.5.0`.",
        ),
        memkv(
            Some("memkv/redis,memkv/golem-p3"),
            TARGET_WASI,
            "memkv-redis-golem-p3",
            "`memkv-redis-golem-p3.wasm`: the exports of `memkv-golem-p3.wasm` with the buckets \
             in Redis; imports WASI 0.2 (sockets, environment) and the `snapshot` type of \
             `golem:api/host@1.5.0`.",
        ),
    ]
}

/// Where guests live: every workspace member under these folders is one.
const GUEST_DIRS: [&str; 2] = ["host-test/guests", "examples"];

/// What `cargo metadata` says of the workspace: its target directory, and every guest.
fn workspace(root: &Path) -> Result<(PathBuf, Vec<Artifact>)> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let target_dir = metadata["target_directory"]
        .as_str()
        .context("cargo metadata names no target directory")?
        .into();
    let mut guests = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let manifest = Path::new(package["manifest_path"].as_str().unwrap_or_default());
        let Ok(relative) = manifest.strip_prefix(root) else {
            continue;
        };
        if !GUEST_DIRS.iter().any(|dir| relative.starts_with(dir)) {
            continue;
        }
        let name = package["name"].as_str().unwrap_or_default();
        let artifact = &package["metadata"]["memkv-artifact"];
        let target = match artifact["target"].as_str() {
            Some(TARGET) => TARGET,
            Some(TARGET_WASI) => TARGET_WASI,
            _ => bail!(
                "{}: a guest must say how it is built, in [package.metadata.memkv-artifact]: \
                 target = \"{TARGET}\" or \"{TARGET_WASI}\", doc = \"what it is\", and \
                 bin = \"name\" for a command",
                relative.display()
            ),
        };
        let bin = artifact["bin"].as_str().map(str::to_owned);
        guests.push(Artifact {
            krate: name.into(),
            features: None,
            target,
            name: bin.clone().unwrap_or_else(|| name.into()),
            doc: artifact["doc"]
                .as_str()
                .with_context(|| format!("{}: memkv-artifact has no doc", relative.display()))?
                .into(),
            bin,
        });
    }
    guests.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((target_dir, guests))
}

fn main() -> Result<()> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir
        .parent()
        .context("memkv-artifacts lives inside the workspace")?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let (target_dir, guests) = workspace(root)?;

    for input in [
        "src",
        "wit",
        "host-test/guests",
        "host-test/wit",
        "examples",
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }

    ensure_wasm_target(TARGET)?;
    ensure_wasm_target(TARGET_WASI)?;
    ensure_clang()?;
    let with_guests = env::var_os("CARGO_FEATURE_GUESTS").is_some();
    let memkv = memkv_artifacts();
    let mut artifacts: Vec<&Artifact> = memkv.iter().collect();
    if with_guests {
        artifacts.extend(&guests);
    }

    let guest_target = target_dir.join("wasm-guests");
    let mut constants = String::new();
    // One cargo run per feature set and target, in the order the artifacts first name them,
    // each encoded before the next overwrites its module (memkv's builds share a file name).
    let mut batches: Vec<(Option<&str>, &str)> = Vec::new();
    for artifact in &artifacts {
        if !batches.contains(&(artifact.features, artifact.target)) {
            batches.push((artifact.features, artifact.target));
        }
    }
    for (features, target) in batches {
        let batch: Vec<&Artifact> = artifacts
            .iter()
            .copied()
            .filter(|artifact| artifact.features == features && artifact.target == target)
            .collect();
        if batch.is_empty() {
            continue;
        }
        build_core_modules(root, &guest_target, target, &batch, features)?;
        for artifact in batch {
            let component = encode(&guest_target, artifact)?;
            let path = out_dir.join(format!("{}.wasm", artifact.name));
            write_atomically(&path, &component)?;
            if artifact.krate == "memkv" {
                // A stable, easy-to-find copy for users; best effort, the build does not need it.
                let copy = target_dir.join(format!("{}.wasm", artifact.name));
                let _ = write_atomically(&copy, &component);
            }
            let constant = artifact.name.replace('-', "_").to_uppercase();
            writeln!(
                constants,
                "/// {}\npub const {constant}: &[u8] = include_bytes!({:?});",
                artifact.doc,
                path.display().to_string(),
            )?;
        }
    }
    write_atomically(&out_dir.join("artifacts.rs"), constants.as_bytes())?;
    Ok(())
}

/// The core module `artifact` was built as, encoded as a component (for wasm32-wasip2, the
/// component rustc's linker already wrote).
fn encode(guest_target: &Path, artifact: &Artifact) -> Result<Vec<u8>> {
    let file = match &artifact.bin {
        Some(bin) => format!("{bin}.wasm"),
        None => format!("{}.wasm", artifact.krate.replace('-', "_")),
    };
    let dir = guest_target.join(artifact.target).join(PROFILE);
    let module = dir.join(&file);
    let module = fs::read(&module).with_context(|| format!("reading {}", module.display()))?;
    if artifact.target == TARGET_WASI {
        return Ok(module);
    }
    wit_component::ComponentEncoder::default()
        .module(&module)
        .with_context(|| format!("reading the component type embedded in {file}"))?
        .validate(true)
        .encode()
        .with_context(|| format!("encoding {file} as {}", artifact.name))
}

/// Install the wasm target `target` with rustup when the active toolchain does not have it yet;
/// if that cannot be done, say which command would.
fn ensure_wasm_target(target: &str) -> Result<()> {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .context("running rustc --print sysroot")?;
    let sysroot = PathBuf::from(String::from_utf8(sysroot.stdout)?.trim());
    if sysroot.join("lib/rustlib").join(target).exists() {
        return Ok(());
    }
    let toolchain = env::var("RUSTUP_TOOLCHAIN").ok();
    let command = match &toolchain {
        Some(toolchain) => format!("rustup target add {target} --toolchain {toolchain}"),
        None => format!("rustup target add {target}"),
    };
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", target]);
    if let Some(toolchain) = &toolchain {
        rustup.args(["--toolchain", toolchain]);
    }
    match rustup.status() {
        Ok(status) if status.success() => Ok(()),
        _ => bail!(
            "the {target} target, which memkv's components are built for, is not installed and \
             could not be installed automatically; run `{command}`"
        ),
    }
}

/// Fail with the command that installs it when `clang` is missing: memkv-redis's TLS runs on
/// rustls's `ring` provider, whose C parts only clang compiles for wasm.
fn ensure_clang() -> Result<()> {
    let cc = env::var("CC_wasm32_wasip2").unwrap_or_else(|_| "clang".into());
    match Command::new(&cc).arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        _ => bail!(
            "{cc} is not installed, and memkv-redis's TLS (rustls on ring, whose C is compiled \
             for wasm) needs it: run `apt-get install -y clang`"
        ),
    }
}

/// Build `artifacts` as wasm for `target`, in one cargo run, with `features` if given: each
/// library's core module, or each command's binary.
fn build_core_modules(
    root: &Path,
    target_dir: &Path,
    target: &str,
    artifacts: &[&Artifact],
    features: Option<&str>,
) -> Result<()> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(root)
        .args(["build", "--target", target, "--profile", PROFILE])
        .args(
            artifacts
                .iter()
                .flat_map(|artifact| ["--package", &artifact.krate]),
        );
    if artifacts.iter().any(|artifact| artifact.bin.is_none()) {
        build.arg("--lib");
    }
    for bin in artifacts
        .iter()
        .filter_map(|artifact| artifact.bin.as_deref())
    {
        build.args(["--bin", bin]);
    }
    build
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

/// Write `bytes` to `path` through a temporary file renamed over it, so that a reader (another
/// build, a user) never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let dir = path.parent().context("a file path")?;
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let temporary = path.with_extension(format!("tmp.{}", std::process::id()));
    fs::write(&temporary, bytes).with_context(|| format!("writing {}", temporary.display()))?;
    fs::rename(&temporary, path).with_context(|| format!("writing {}", path.display()))
}
