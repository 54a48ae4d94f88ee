//! The `memkv` binary as a user runs it: copied out of the build, run from elsewhere. The
//! command's logic is tested in-process by the test rig (`host-test/tests/all/cli.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The binary cargo built for these tests, and the target directory it was built in.
fn built() -> (PathBuf, PathBuf) {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_memkv"));
    let target = binary
        .ancestors()
        .nth(2)
        .expect("the binary is in <target>/<profile>/")
        .to_owned();
    (binary, target)
}

/// A copy of the binary in a directory of its own, as `cargo install` leaves one.
fn installed(dir: &Path) -> PathBuf {
    let copy = dir.join("memkv");
    std::fs::copy(built().0, &copy).expect("copying the binary");
    copy
}

/// Run `binary args` from `/` with nothing of the build in its environment, `home` as its home
/// (where wasmtime's compilation cache lives) and, where the machine lets a test make a mount
/// namespace, the build's target directory hidden under an empty tmpfs.
fn run(binary: &Path, home: &Path, args: &[&str]) -> Output {
    let (_, target) = built();
    let hidden = Command::new("unshare")
        .args([
            "--mount",
            "sh",
            "-c",
            "mount -t tmpfs memkv-hidden \"$0\" && shift && exec \"$@\"",
        ])
        .arg(&target)
        .arg("--")
        .arg(binary)
        .args(args)
        .current_dir("/")
        .env_clear()
        .env("HOME", home)
        .output();
    match hidden {
        Ok(output) if !namespace_refused(&output) => output,
        _ => {
            eprintln!(
                "no mount namespace here: running without hiding {}",
                target.display()
            );
            Command::new(binary)
                .args(args)
                .current_dir("/")
                .env_clear()
                .env("HOME", home)
                .output()
                .expect("the binary runs")
        }
    }
}

#[test]
fn an_installed_binary_works_from_anywhere_without_the_build() {
    let install = TempDir::new().unwrap();
    let home = TempDir::new().unwrap();
    let data = TempDir::new().unwrap();
    let file = data.path().join("kv.snap");
    let file = file.to_str().unwrap();
    let memkv = installed(install.path());

    let set = run(&memkv, home.path(), &["--data", file, "set", "b", "k", "v"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let get = run(&memkv, home.path(), &["--data", file, "get", "b", "k"]);
    assert!(
        get.status.success(),
        "{}",
        String::from_utf8_lossy(&get.stderr)
    );
    assert_eq!(get.stdout, b"v\n");
    // The first run compiled the component into wasmtime's cache under $HOME; later runs load it.
    let cache = home.path().join(".cache/wasmtime");
    let cached = walk(&cache);
    assert!(
        !cached.is_empty(),
        "nothing cached under {}",
        cache.display()
    );
}

#[test]
fn failures_exit_1_with_a_message_and_print_nothing_else() {
    let install = TempDir::new().unwrap();
    let home = TempDir::new().unwrap();
    let data = TempDir::new().unwrap();
    let file = data.path().join("kv.snap");
    let memkv = installed(install.path());
    let output = run(
        &memkv,
        home.path(),
        &["--data", file.to_str().unwrap(), "get", "b", "k"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert_eq!(output.stderr, b"memkv: key not found\n");
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// Whether `unshare` or `mount` refused (no privilege for a mount namespace here).
fn namespace_refused(output: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.starts_with("unshare:") || stderr.starts_with("mount:")
}
