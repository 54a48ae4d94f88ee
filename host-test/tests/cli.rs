//! The `memkv` binary's data commands, run as a user runs them: a process per command, one
//! snapshot file between them.

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

/// Run `memkv --data <data> <args>`.
fn memkv(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_memkv"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("the memkv binary runs")
}

/// Run it and expect success; returns stdout.
fn ok(data: &Path, args: &[&str]) -> String {
    let output = memkv(data, args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Run it and expect failure; returns stderr.
fn fails(data: &Path, args: &[&str]) -> String {
    let output = memkv(data, args);
    assert_eq!(output.status.code(), Some(1), "{args:?}");
    assert!(output.stdout.is_empty(), "{args:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn data_survives_between_runs() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    assert_eq!(ok(&data, &["set", "b", "k", "hello"]), "");
    assert_eq!(ok(&data, &["get", "b", "k"]), "hello\n");
    assert_eq!(ok(&data, &["set", "b", "k", "again"]), "");
    assert_eq!(ok(&data, &["incr", "b", "n", "41"]), "41\n");
    assert_eq!(ok(&data, &["incr", "b", "n"]), "42\n");
    assert_eq!(ok(&data, &["set", "other", "x", ""]), "");
    assert_eq!(ok(&data, &["keys", "b"]), "k\nn\n");
    assert_eq!(ok(&data, &["get", "b", "k"]), "again\n");
    assert_eq!(ok(&data, &["rm", "b", "k"]), "");
    assert_eq!(ok(&data, &["keys", "b"]), "n\n");
    assert_eq!(ok(&data, &["get", "other", "x"]), "\n");
    // Nothing but the snapshot and its lock is left in the directory.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["kv.snap", "kv.snap.lock"]);
}

#[test]
fn missing_keys_fail_with_key_not_found() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    assert_eq!(fails(&data, &["get", "b", "k"]), "memkv: key not found\n");
    assert!(!data.exists(), "reads never create the file");
    ok(&data, &["set", "b", "k", "v"]);
    assert_eq!(
        fails(&data, &["get", "b", "other"]),
        "memkv: key not found\n"
    );
    assert_eq!(
        fails(&data, &["rm", "b", "other"]),
        "memkv: key not found\n"
    );
    assert_eq!(ok(&data, &["keys", "empty"]), "");
}

#[test]
fn refused_commands_fail_and_leave_the_file_as_it_was() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    ok(&data, &["set", "b", "text", "not a number"]);
    let before = std::fs::read(&data).unwrap();
    assert_eq!(
        fails(&data, &["incr", "b", "text"]),
        "memkv: cannot increment key \"text\": its value is not a decimal u64 counter\n"
    );
    ok(&data, &["incr", "b", "max", &u64::MAX.to_string()]);
    let before_overflow = std::fs::read(&data).unwrap();
    assert!(fails(&data, &["incr", "b", "max"]).contains("overflows u64"));
    assert_eq!(std::fs::read(&data).unwrap(), before_overflow);
    assert_ne!(before, before_overflow);
}

#[test]
fn a_bad_snapshot_file_is_reported_and_never_overwritten() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    ok(&data, &["set", "b", "k", "v"]);
    let mut bytes = std::fs::read(&data).unwrap();
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&data, &bytes).unwrap();
    let message = fails(&data, &["set", "b", "k", "w"]);
    assert!(message.starts_with("memkv: cannot load "), "{message}");
    assert!(message.contains("snapshot is truncated"), "{message}");
    assert_eq!(std::fs::read(&data).unwrap(), bytes);
}

#[test]
fn data_commands_need_a_data_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_memkv"))
        .args(["get", "b", "k"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "memkv: this command needs --data <FILE>\n"
    );
}

#[test]
fn atomic_writes_replace_the_whole_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("file");
    host_test::write_atomically(&path, b"a long first version").unwrap();
    host_test::write_atomically(&path, b"short").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"short");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
