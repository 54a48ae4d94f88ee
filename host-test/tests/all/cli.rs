//! The `memkv` command's logic, run in-process through `memkv_cli::run` with the arguments a
//! user types: one snapshot file between commands. (`cli/tests/smoke.rs` runs the installed-style
//! binary itself.)

use std::ffi::OsStr;
use std::path::Path;
use std::sync::OnceLock;

use clap::Parser;
use memkv_cli::Cli;
use memkv_host::Compiled;
use tempfile::TempDir;

/// The components the commands run, compiled once for the whole suite, on the engine the
/// binary uses (concurrency support on: the data commands run `memkv-p3.wasm`).
fn compiled() -> wasmtime::Result<&'static Compiled> {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    Ok(COMPILED.get_or_init(|| {
        let engine = memkv_host::async_engine(memkv_host::CacheUse::Off).expect("an engine");
        Compiled::new(&engine).expect("memkv.wasm compiles")
    }))
}

/// Run `memkv <args>` with `input` as standard input: what it printed, or the message the
/// binary would print after `memkv: `.
pub(crate) fn memkv_with_input(args: &[&OsStr], input: &[u8]) -> Result<Vec<u8>, String> {
    let cli = Cli::try_parse_from(std::iter::once(OsStr::new("memkv")).chain(args.iter().copied()))
        .map_err(|error| error.to_string())?;
    let mut out = Vec::new();
    match memkv_cli::run(cli, compiled, &mut &input[..], &mut out) {
        Ok(()) => Ok(out),
        Err(error) => {
            assert!(out.is_empty(), "a failed command prints nothing on stdout");
            Err(format!("{error:#}"))
        }
    }
}

/// Run `memkv <args>`.
pub(crate) fn memkv_command(args: &[&OsStr]) -> Result<Vec<u8>, String> {
    memkv_with_input(args, b"")
}

/// `--data <data>` followed by `args`.
fn data_args<'a>(data: &'a Path, args: &[&'a str]) -> Vec<&'a OsStr> {
    let mut all: Vec<&OsStr> = vec!["--data".as_ref(), data.as_os_str()];
    all.extend(args.iter().map(|arg| OsStr::new(*arg)));
    all
}

/// Run `memkv --data <data> <args>` and expect success; returns stdout.
fn ok(data: &Path, args: &[&str]) -> String {
    let printed =
        memkv_command(&data_args(data, args)).unwrap_or_else(|error| panic!("{args:?}: {error}"));
    String::from_utf8(printed).unwrap()
}

/// Run it and expect failure; returns what the binary prints on stderr.
fn fails(data: &Path, args: &[&str]) -> String {
    match memkv_command(&data_args(data, args)) {
        Ok(printed) => panic!("{args:?} succeeded: {printed:?}"),
        Err(message) => format!("memkv: {message}\n"),
    }
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

/// `set --ttl`: the key is there until its deadline and gone after it, for every command; the
/// file keeps the deadline (snapshot version 3) until no key has one.
#[test]
fn set_with_a_ttl_expires_the_key_and_the_file_keeps_its_deadline() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    let before = host_test::now_ms();
    assert_eq!(ok(&data, &["set", "b", "brief", "v", "--ttl", "400ms"]), "");
    assert_eq!(ok(&data, &["set", "b", "long", "v", "--ttl", "1h"]), "");
    ok(&data, &["set", "b", "ended", "v", "--ttl", "2"]);
    ok(&data, &["set", "b", "ended", "w"]);
    ok(&data, &["set", "b", "plain", "v"]);
    let after = host_test::now_ms();
    let file = std::fs::read(&data).unwrap();
    assert_eq!(file[8], 3, "a snapshot with lifetimes is version 3");
    let deadline = |key| host_test::snapshot_deadline(&file, "b", key).unwrap();
    let long = deadline("long").expect("a deadline");
    assert!((before + 3_600_000..=after + 3_600_000).contains(&long));
    assert_eq!(deadline("ended"), None, "a later set ends the lifetime");
    assert_eq!(deadline("plain"), None);
    assert_eq!(ok(&data, &["get", "b", "brief"]), "v\n");

    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(
        fails(&data, &["get", "b", "brief"]),
        "memkv: key not found\n"
    );
    assert_eq!(ok(&data, &["keys", "b"]), "ended\nlong\nplain\n");
    assert_eq!(ok(&data, &["get", "b", "ended"]), "w\n");
    // A write saves the file without the expired key; once no key has a lifetime, the file is
    // version 2 again.
    ok(&data, &["set", "b", "long", "forever"]);
    let file = std::fs::read(&data).unwrap();
    assert_eq!(file[8], 2);
    assert_eq!(
        host_test::snapshot_value(&file, "b", "brief").unwrap(),
        None
    );

    assert_eq!(
        fails(&data, &["set", "b", "", "v", "--ttl", "1s"]),
        "memkv: a key with a lifetime cannot be empty (wasmCloud 0.2's set refuses it)\n"
    );
    for (ttl, why) in [
        ("0", "a lifetime must be at least 1ms"),
        ("5w", "\"5w\" is not a duration: use ms, s, m, h or d"),
        ("ms", "\"ms\" is not a duration: it starts with no number"),
        ("99999999999999999d", "\"99999999999999999d\" is too long"),
    ] {
        let message = fails(&data, &["set", "b", "k", "v", "--ttl", ttl]);
        assert!(message.contains(why), "{ttl}: {message}");
    }
}

/// A file with lifetimes cannot preset `memkv.wasm`, which has no clock to end them.
#[test]
fn a_file_with_lifetimes_is_refused_as_a_preset() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    ok(&data, &["set", "b", "k", "v", "--ttl", "1h"]);
    let error = memkv_host::Preset::from_snapshot(&std::fs::read(&data).unwrap()).unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "reading the preset snapshot: snapshot cannot be loaded: it has keys with a lifetime \
         (1), and this store has no clock to end them (memkv.wasm imports nothing): load it \
         into one that has, the async artifacts or memkv-redis"
    );
}

#[test]
fn lists_and_sets_from_the_command_line() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    assert_eq!(ok(&data, &["rpush", "b", "queue", "a", "b"]), "2\n");
    assert_eq!(ok(&data, &["lpush", "b", "queue", "y", "z"]), "4\n");
    assert_eq!(ok(&data, &["lrange", "b", "queue"]), "z\ny\na\nb\n");
    assert_eq!(ok(&data, &["lrange", "b", "queue", "-2", "-1"]), "a\nb\n");
    assert_eq!(
        ok(&data, &["sadd", "b", "tags", "red", "blue", "red"]),
        "2\n"
    );
    assert_eq!(ok(&data, &["sadd", "b", "tags", "green", "blue"]), "1\n");
    assert_eq!(ok(&data, &["smembers", "b", "tags"]), "blue\ngreen\nred\n");
    assert_eq!(ok(&data, &["keys", "b"]), "queue\ntags\n");
    assert_eq!(ok(&data, &["keys", "b", "--prefix", "t"]), "tags\n");
    assert_eq!(ok(&data, &["keys", "b", "--prefix", "x"]), "");
    assert_eq!(
        fails(&data, &["get", "b", "tags"]),
        "memkv: key \"tags\" holds a set, not a bytes value\n"
    );
    assert_eq!(
        fails(&data, &["rpush", "b", "tags", "x"]),
        "memkv: key \"tags\" holds a set, not a list\n"
    );
    assert_eq!(ok(&data, &["smembers", "b", "none"]), "");
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
    assert_eq!(
        memkv_command(&["get".as_ref(), "b".as_ref(), "k".as_ref()]),
        Err("this command needs --data <FILE>".into())
    );
}

#[test]
fn values_need_not_be_text() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    let binary = [0u8, 0xff, 0xfe, b'\n', 0x80];
    let mut args = data_args(&data, &["set", "b", "arg"]);
    args.push(OsStr::from_bytes(&binary));
    memkv_command(&args).unwrap();
    let raw = |key| memkv_command(&data_args(&data, &["get", "b", key, "--raw"])).unwrap();
    assert_eq!(raw("arg"), binary);

    let file = dir.path().join("value.bin");
    std::fs::write(&file, binary).unwrap();
    let args = data_args(
        &data,
        &["set", "b", "file", "--file", file.to_str().unwrap()],
    );
    memkv_command(&args).unwrap();
    assert_eq!(raw("file"), binary);

    let args = data_args(&data, &["set", "b", "stdin", "--file", "-"]);
    memkv_with_input(&args, &binary).unwrap();
    assert_eq!(raw("stdin"), binary);
    // Without --raw, a newline follows the value.
    let mut line = binary.to_vec();
    line.push(b'\n');
    assert_eq!(
        memkv_command(&data_args(&data, &["get", "b", "stdin"])).unwrap(),
        line
    );
}

#[test]
fn set_needs_a_value_or_a_file_but_not_both() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    let missing = memkv_command(&data_args(&data, &["set", "b", "k"])).unwrap_err();
    assert!(missing.contains("--file"), "{missing}");
    let both =
        memkv_command(&data_args(&data, &["set", "b", "k", "v", "--file", "-"])).unwrap_err();
    assert!(both.contains("cannot be used with"), "{both}");
    assert!(!data.exists());
}

#[test]
fn demo_walks_through_every_interface() {
    let printed = String::from_utf8(memkv_command(&["demo".as_ref()]).unwrap()).unwrap();
    for expected in [
        "imports  none",
        "wasi:keyvalue/store@0.2.0-draft2",
        r#"api.get("demo", "greeting")"#,
        "cas-failed(fresh",
        r#"ok(["blue", "red"])"#,
        r#"error other("key \"tags\" holds a set, not a list")"#,
        r#"["ada"]"#,
        "snapshot is truncated",
    ] {
        assert!(printed.contains(expected), "{expected:?} in {printed}");
    }
}

#[test]
fn atomic_writes_replace_the_whole_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("file");
    memkv_cli::write_atomically(&path, b"a long first version").unwrap();
    memkv_cli::write_atomically(&path, b"short").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"short");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn push_and_pull_move_a_store_into_redis_and_back_unchanged() {
    let server = host_test::redis::RedisServer::start().unwrap();
    let url = server.url();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    ok(&data, &["set", "users", "alice", "{\"age\": 30}"]);
    ok(&data, &["incr", "stats", "visits", "41"]);
    ok(&data, &["set", "", "empty bucket name", ""]);
    let original = std::fs::read(&data).unwrap();

    let pushed = ok(&data, &["push", &url, "--prefix", "app"]);
    assert_eq!(
        pushed,
        format!(
            "pushed {} to {url} (prefix app): 3 buckets, 3 entries, 1107 bytes\n",
            data.display()
        )
    );
    // memkv-redis serves what was pushed, to any instance of the application.
    let mut app = host_test::Harness::redis()
        .instantiate_at(&url, "app")
        .unwrap();
    assert_eq!(
        app.api().get("users", "alice").unwrap(),
        Some(b"{\"age\": 30}".to_vec())
    );
    let bucket = app.draft().open("stats").unwrap().unwrap();
    assert_eq!(
        app.draft().increment(bucket, "visits", 1).unwrap().unwrap(),
        42
    );
    app.draft().drop_bucket(bucket).unwrap();

    let pulled_file = dir.path().join("pulled.snap");
    let pulled = ok(&pulled_file, &["pull", &url, "--prefix", "app"]);
    assert!(
        pulled.starts_with(&format!("pulled {url} (prefix app) into ")),
        "{pulled}"
    );
    assert_eq!(ok(&pulled_file, &["get", "stats", "visits"]), "42\n");
    // Pushed back and pulled again, the store is byte for byte the file it started as.
    ok(&data, &["push", &url, "--prefix", "app"]);
    ok(&pulled_file, &["pull", &url, "--prefix", "app"]);
    assert_eq!(std::fs::read(&pulled_file).unwrap(), original);
}

/// Deadlines go into Redis and come back exactly; a key whose deadline passes in Redis is gone
/// from the next pull and from every instance.
#[test]
fn push_and_pull_keep_each_keys_deadline() {
    let server = host_test::redis::RedisServer::start().unwrap();
    let url = server.url();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    let pulled_file = dir.path().join("pulled.snap");
    // memkv-redis is compiled on first use; that takes longer than `brief` lives.
    ok(&pulled_file, &["pull", &url, "--prefix", "warm-up"]);
    ok(&data, &["set", "b", "long", "v", "--ttl", "1h"]);
    ok(&data, &["set", "b", "brief", "v", "--ttl", "3s"]);
    ok(&data, &["set", "b", "plain", "v"]);
    let original = std::fs::read(&data).unwrap();
    ok(&data, &["push", &url, "--prefix", "ttl"]);
    ok(&pulled_file, &["pull", &url, "--prefix", "ttl"]);
    assert_eq!(std::fs::read(&pulled_file).unwrap(), original);

    std::thread::sleep(std::time::Duration::from_millis(3200));
    let mut app = host_test::Harness::redis()
        .instantiate_at(&url, "ttl")
        .unwrap();
    assert_eq!(app.api().get("b", "brief").unwrap(), None);
    assert_eq!(app.api().get("b", "long").unwrap(), Some(b"v".to_vec()));
    ok(&pulled_file, &["pull", &url, "--prefix", "ttl"]);
    let pulled = std::fs::read(&pulled_file).unwrap();
    let deadline = |snapshot: &[u8], key| host_test::snapshot_deadline(snapshot, "b", key).unwrap();
    assert_eq!(deadline(&pulled, "long"), deadline(&original, "long"));
    assert!(deadline(&pulled, "long").is_some());
    assert_eq!(
        host_test::snapshot_value(&pulled, "b", "brief").unwrap(),
        None
    );
    assert_eq!(ok(&pulled_file, &["keys", "b"]), "long\nplain\n");
}

#[test]
fn push_of_a_missing_file_and_pull_from_a_server_that_is_down_are_errors() {
    let mut server = host_test::redis::RedisServer::start().unwrap();
    let url = server.url();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    let message = fails(&data, &["push", &url]);
    assert!(
        message.starts_with(&format!("memkv: reading {}", data.display())),
        "{message}"
    );

    ok(&data, &["set", "b", "k", "v"]);
    let before = std::fs::read(&data).unwrap();
    server.kill();
    let message = fails(&data, &["pull", &url]);
    assert!(
        message.starts_with(&format!(
            "memkv: cannot pull from {url} (prefix memkv): memkv-redis could not read the store"
        )),
        "{message}"
    );
    assert!(message.contains("refused"), "{message}");
    assert_eq!(
        std::fs::read(&data).unwrap(),
        before,
        "the file is untouched"
    );
    let message = fails(&data, &["push", &url]);
    assert!(message.contains(&format!("redis at {url}")), "{message}");
}

#[test]
fn push_and_pull_reach_a_tls_server_with_the_ca_they_are_given() {
    let ca = host_test::redis::TestCa::new("memkv CLI CA").unwrap();
    let server = host_test::redis::RedisServer::start_tls(&ca, "DNS:localhost", false).unwrap();
    let url = format!("rediss://localhost:{}", server.tls_port().unwrap());
    let ca_file = ca.ca_file();
    let ca_file = ca_file.to_str().unwrap();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("kv.snap");
    ok(&data, &["set", "b", "k", "over TLS"]);

    let message = fails(&data, &["push", &url]);
    assert!(message.contains("UnknownIssuer"), "{message}");
    let pushed = ok(&data, &["push", &url, "--ca", ca_file]);
    assert!(pushed.starts_with("pushed "), "{pushed}");
    let pulled = dir.path().join("pulled.snap");
    ok(&pulled, &["pull", &url, "--ca", ca_file]);
    assert_eq!(ok(&pulled, &["get", "b", "k"]), "over TLS\n");
}
