//! `memkv`: the command-line face of the memkv component.
//!
//! - `memkv demo` loads the component that the build produced and walks through every interface it
//!   exports, printing each call and what comes back.
//! - `memkv compose <guest.wasm> -o <out.wasm>` plugs memkv into a guest that imports
//!   `wasi:keyvalue` (or `golem:examples/api`), like `wac plug` does.
//! - `memkv --data <file> set|get|rm|keys|incr …` keeps a store in a snapshot file: each run
//!   loads it into a fresh instance, runs one command through the component, and (for the
//!   commands that write) saves it atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use host_test::{
    COMPONENT_COPY_PATH, COMPONENT_PATH, DataFile, Entry, Harness, Instance, Side, component_names,
    describe,
};

/// The memkv component, driven from the command line.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The snapshot file that `set`, `get`, `rm`, `keys` and `incr` work on; created by the first
    /// write.
    #[arg(long, global = true, value_name = "FILE")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the component, show what it is, and walk through each interface it exports.
    Demo,
    /// Plug memkv into a guest component that imports what memkv exports.
    Compose {
        /// The guest component.
        guest: PathBuf,
        /// Where to write the composed component.
        #[arg(short, long)]
        output: PathBuf,
        /// The memkv component to plug in (default: the one this build produced).
        #[arg(long)]
        memkv: Option<PathBuf>,
        /// Write the composition even if the guest has imports memkv cannot satisfy; the runtime
        /// must then provide them.
        #[arg(long)]
        allow_imports: bool,
    },
    /// Store VALUE under KEY in BUCKET.
    Set {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// The value, stored as its UTF-8 bytes.
        value: String,
    },
    /// Print the value of KEY in BUCKET; fails with "key not found" if there is none.
    Get {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
    },
    /// Remove KEY from BUCKET; fails with "key not found" if there is none.
    Rm {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
    },
    /// Print every key of BUCKET, one per line, in byte order.
    Keys {
        /// The bucket identifier.
        bucket: String,
    },
    /// Add DELTA (default 1) to the counter under KEY in BUCKET and print the new value.
    Incr {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// What to add.
        #[arg(default_value_t = 1)]
        delta: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let done = match cli.command {
        Command::Demo => demo(),
        Command::Compose {
            guest,
            output,
            memkv,
            allow_imports,
        } => compose(&guest, &output, memkv, allow_imports),
        command => data_command(cli.data.as_deref(), command),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("memkv: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Run one of the commands that work on a `--data` file.
fn data_command(data: Option<&Path>, command: Command) -> Result<()> {
    let path = data.ok_or_else(|| anyhow!("this command needs --data <FILE>"))?;
    let writes = matches!(
        command,
        Command::Set { .. } | Command::Rm { .. } | Command::Incr { .. }
    );
    let file = DataFile::lock(path, writes)?;
    let mut memkv = file.load(Harness::shared())?;
    // What to print, held back until the change (if any) is saved.
    let mut out = Vec::new();
    match command {
        Command::Set { bucket, key, value } => {
            with_bucket(&mut memkv, &bucket, |memkv, handle| {
                memkv.set(handle, &key, value.as_bytes())
            })?;
        }
        Command::Get { bucket, key } => {
            let value = with_bucket(&mut memkv, &bucket, |memkv, handle| memkv.get(handle, &key))?;
            let value = value.ok_or_else(|| anyhow!("key not found"))?;
            out.extend_from_slice(&value);
            out.push(b'\n');
        }
        Command::Rm { bucket, key } => {
            let existed = with_bucket(&mut memkv, &bucket, |memkv, handle| {
                let existed = memkv.exists(handle, &key)?;
                if existed != Ok(true) {
                    return Ok(existed);
                }
                memkv
                    .delete(handle, &key)
                    .map(|deleted| deleted.map(|()| true))
            })?;
            if !existed {
                bail!("key not found");
            }
        }
        Command::Keys { bucket } => {
            let listing = with_bucket(&mut memkv, &bucket, |memkv, handle| {
                memkv.list_all_keys(handle)
            })?;
            for key in listing.keys {
                writeln!(out, "{key}")?;
            }
        }
        Command::Incr { bucket, key, delta } => {
            let value = with_bucket(&mut memkv, &bucket, |memkv, handle| {
                memkv.increment(handle, &key, delta)
            })?;
            writeln!(out, "{value}")?;
        }
        Command::Demo | Command::Compose { .. } => unreachable!("not a data command"),
    }
    if writes {
        file.save(&mut memkv)?;
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(())
}

/// Open `bucket`, run `f` on it, and turn a refusal into an error with memkv's message.
fn with_bucket<T>(
    memkv: &mut Instance,
    bucket: &str,
    f: impl FnOnce(
        &mut Instance,
        wasmtime::component::ResourceAny,
    ) -> wasmtime::Result<Result<T, Error>>,
) -> Result<T> {
    let handle = memkv
        .open(bucket)?
        .map_err(|error| anyhow!(describe(&error)))?;
    let result = f(memkv, handle)?;
    memkv.drop_bucket(handle)?;
    result.map_err(|error| match error {
        Error::Other(message) => anyhow!(message),
        error => anyhow!(describe(&error)),
    })
}

fn compose(
    guest: &PathBuf,
    output: &PathBuf,
    memkv: Option<PathBuf>,
    allow_imports: bool,
) -> Result<()> {
    let memkv = memkv.unwrap_or_else(|| PathBuf::from(COMPONENT_PATH));
    let guest_bytes =
        std::fs::read(guest).with_context(|| format!("reading {}", guest.display()))?;
    let memkv_bytes =
        std::fs::read(&memkv).with_context(|| format!("reading {}", memkv.display()))?;
    let composition = host_test::compose(&guest_bytes, &memkv_bytes)?;
    if !composition.unsatisfied.is_empty() && !allow_imports {
        bail!(
            "memkv cannot satisfy these imports of {}: {}\n\
             (pass --allow-imports to write the composition anyway; the runtime must then provide them)",
            guest.display(),
            composition.unsatisfied.join(", ")
        );
    }
    std::fs::write(output, &composition.bytes)
        .with_context(|| format!("writing {}", output.display()))?;
    let plugged: Vec<String> = component_names(&guest_bytes, Side::Imports)?
        .into_iter()
        .filter(|name| !composition.unsatisfied.contains(name))
        .collect();
    println!(
        "wrote {} ({} bytes)",
        output.display(),
        composition.bytes.len()
    );
    println!("  served by memkv  {}", plugged.join(", "));
    println!(
        "  imports left     {}",
        if composition.unsatisfied.is_empty() {
            "none".into()
        } else {
            composition.unsatisfied.join(", ")
        }
    );
    Ok(())
}

/// A value as a person reads it: quoted text when it is UTF-8, bytes otherwise.
fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("{bytes:?}"),
    }
}

fn show_option(value: Option<&[u8]>) -> String {
    value.map_or_else(|| "none".into(), |bytes| format!("some({})", show(bytes)))
}

fn show_result<T>(result: &Result<T, Error>, ok: impl FnOnce(&T) -> String) -> String {
    match result {
        Ok(value) => format!("ok({})", ok(value)),
        Err(error) => format!("error {}", describe(error)),
    }
}

/// One line of the walk-through: the call on the left, what came back on the right.
fn step(call: &str, outcome: &str) {
    println!("    {call:<46} -> {outcome}");
}

fn demo() -> Result<()> {
    let harness = Harness::load()?;
    let path = harness.path();
    let size = std::fs::metadata(path)?.len();
    println!("memkv component");
    println!("  file     {} ({size} bytes)", path.display());
    if let Some(copy) = COMPONENT_COPY_PATH {
        println!("  copy     {copy}");
    }
    let imports = harness.import_names();
    println!(
        "  imports  {}",
        if imports.is_empty() {
            "none".into()
        } else {
            imports.join(", ")
        }
    );
    for (i, export) in harness.export_names().iter().enumerate() {
        println!("  {:<8} {export}", if i == 0 { "exports" } else { "" });
    }

    let mut memkv = harness.instantiate()?;

    println!("\n1. golem:examples/api: get and set by bucket name");
    memkv.api_set("demo", "greeting", b"hello")?;
    step(r#"api.set("demo", "greeting", "hello")"#, "()");
    let value = memkv.api_get("demo", "greeting")?;
    step(
        r#"api.get("demo", "greeting")"#,
        &show_option(value.as_deref()),
    );
    let value = memkv.api_get("demo", "missing")?;
    step(
        r#"api.get("demo", "missing")"#,
        &show_option(value.as_deref()),
    );

    println!("\n2. wasi:keyvalue/store@0.2.0-draft: the same bucket as a resource");
    let bucket = memkv.open("demo")?;
    step(
        r#"store.open("demo")"#,
        &show_result(&bucket, |_| "bucket".into()),
    );
    let bucket = bucket.map_err(|error| anyhow::anyhow!("open failed: {}", describe(&error)))?;
    let value = memkv.get(bucket, "greeting")?;
    step(
        r#"bucket.get("greeting")   (set via api)"#,
        &show_result(&value, |value| show_option(value.as_deref())),
    );
    let done = memkv.set(bucket, "greeting", b"hi")?;
    step(
        r#"bucket.set("greeting", "hi")"#,
        &show_result(&done, |_| "()".into()),
    );
    let value = memkv.api_get("demo", "greeting")?;
    step(
        r#"api.get("demo", "greeting")"#,
        &show_option(value.as_deref()),
    );
    let exists = memkv.exists(bucket, "greeting")?;
    step(
        r#"bucket.exists("greeting")"#,
        &show_result(&exists, bool::to_string),
    );

    println!("\n3. wasi:keyvalue/atomics@0.2.0-draft: counters stored as decimal text");
    for delta in [1, 41] {
        let count = memkv.increment(bucket, "visits", delta)?;
        step(
            &format!(r#"increment(bucket, "visits", {delta})"#),
            &show_result(&count, u64::to_string),
        );
    }
    let value = memkv.get(bucket, "visits")?;
    step(
        r#"bucket.get("visits")"#,
        &show_result(&value, |value| show_option(value.as_deref())),
    );
    let refused = memkv.increment(bucket, "greeting", 1)?;
    step(
        r#"increment(bucket, "greeting", 1)"#,
        &show_result(&refused, u64::to_string),
    );

    println!("\n4. wasi:keyvalue/batch@0.2.0-draft: many keys per call");
    let entries: Vec<Entry> = [("a", "1"), ("b", "2"), ("c", "3")]
        .iter()
        .map(|&(key, value)| (key.to_owned(), value.as_bytes().to_vec()))
        .collect();
    let done = memkv.set_many(bucket, &entries)?;
    step(
        r#"set-many(bucket, [a=1, b=2, c=3])"#,
        &show_result(&done, |_| "()".into()),
    );
    let keys = ["a", "zz", "c"].map(String::from);
    let got = memkv.get_many(bucket, &keys)?;
    step(
        r#"get-many(bucket, ["a", "zz", "c"])"#,
        &show_result(&got, |got| {
            let shown: Vec<String> = got
                .iter()
                .map(|pair| match pair {
                    Some((key, value)) => format!("some(({key:?}, {}))", show(value)),
                    None => "none".into(),
                })
                .collect();
            format!("[{}]", shown.join(", "))
        }),
    );
    let done = memkv.delete_many(bucket, &["a", "zz"].map(String::from))?;
    step(
        r#"delete-many(bucket, ["a", "zz"])"#,
        &show_result(&done, |_| "()".into()),
    );

    println!(
        "\n5. list-keys: ascending byte order, in pages of at most {}",
        memkv::store::PAGE_SIZE
    );
    let items: Vec<Entry> = (0..2500)
        .map(|i| (format!("item-{i:04}"), Vec::new()))
        .collect();
    memkv
        .set_many(bucket, &items)?
        .map_err(|error| anyhow::anyhow!(describe(&error)))?;
    step("set-many(bucket, item-0000 .. item-2499)", "ok(())");
    let mut cursor = None;
    loop {
        let page = memkv.list_keys(bucket, cursor)?;
        let call = format!(
            "list-keys({})",
            cursor.map_or("none".into(), |c| format!("some({c})"))
        );
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                step(&call, &format!("error {}", describe(&error)));
                break;
            }
        };
        let range = match (page.keys.first(), page.keys.last()) {
            (Some(first), Some(last)) => format!("{first:?} .. {last:?}"),
            _ => "no keys".into(),
        };
        let next = page.cursor.map_or("none".into(), |c| format!("some({c})"));
        step(
            &call,
            &format!("{} keys, {range}, cursor {next}", page.keys.len()),
        );
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let stale = memkv.list_keys(bucket, Some(424_242))?;
    step(
        "list-keys(some(424242))",
        &show_result(&stale, |_| "page".into()),
    );

    println!("\n6. memkv:store/limits: quotas instead of crashes");
    let mut limits = memkv.get_limits()?;
    step(
        "get-limits()",
        &format!(
            "max-key-bytes {}, max-value-bytes {}, max-total-bytes {}, page-size {}",
            limits.max_key_bytes, limits.max_value_bytes, limits.max_total_bytes, limits.page_size
        ),
    );
    limits.max_value_bytes = 8;
    memkv.set_limits(limits)?.map_err(anyhow::Error::msg)?;
    step("set-limits(max-value-bytes: 8)", "ok(())");
    let refused = memkv.set(bucket, "greeting", b"far too long")?;
    step(
        r#"bucket.set("greeting", "far too long")"#,
        &show_result(&refused, |_| "()".into()),
    );
    let value = memkv.get(bucket, "greeting")?;
    step(
        r#"bucket.get("greeting")"#,
        &show_result(&value, |value| show_option(value.as_deref())),
    );
    let usage = memkv.get_usage()?;
    step(
        "get-usage()",
        &format!(
            "{} bytes in {} entries, {} bucket(s)",
            usage.total_bytes, usage.entries, usage.buckets
        ),
    );

    memkv.drop_bucket(bucket)?;

    println!("\n7. wasi:keyvalue@0.2.0-draft2: string cursors and compare-and-swap");
    let mut draft2 = memkv.draft2();
    let bucket = draft2.open("demo")?.map_err(|error| anyhow!("{error:?}"))?;
    let page = draft2
        .list_keys(bucket, Some("item-2497"))?
        .map_err(|error| anyhow!("{error:?}"))?;
    step(
        r#"list-keys(some("item-2497"))"#,
        &format!("keys {:?}, cursor {:?}", page.keys, page.cursor),
    );
    let cas = draft2
        .cas(bucket, "greeting")?
        .map_err(|error| anyhow!("{error:?}"))?;
    let current = draft2.current(cas)?.map_err(|error| anyhow!("{error:?}"))?;
    step(
        r#"cas.new(bucket, "greeting").current()"#,
        &show_option(current.as_deref()),
    );
    draft2
        .set(bucket, "greeting", b"changed")?
        .map_err(|error| anyhow!("{error:?}"))?;
    step(r#"bucket.set("greeting", "changed")"#, "ok(())");
    let swapped = draft2.swap(cas, b"swapped")?;
    let swapped = match swapped {
        Ok(()) => "ok(())".to_owned(),
        Err(CasError::CasFailed(fresh)) => {
            let current = draft2
                .current(fresh)?
                .map_err(|error| anyhow!("{error:?}"))?;
            let retried = draft2.swap(fresh, b"swapped")?;
            format!(
                "cas-failed(fresh, which sees {}); swap(fresh, \"swapped\") -> {retried:?}",
                show_option(current.as_deref())
            )
        }
        Err(error) => format!("{error:?}"),
    };
    step(r#"swap(cas, "swapped")"#, &swapped);
    draft2.drop_bucket(bucket)?;

    println!("\n8. golem:api snapshots: the whole store as bytes");
    let snapshot = memkv.save()?;
    step("save()", &format!("{} bytes", snapshot.len()));
    let mut upgraded = harness.instantiate()?;
    let loaded = upgraded.load(&snapshot)?;
    step("load(bytes) into a fresh instance", &format!("{loaded:?}"));
    let greeting = upgraded.api_get("demo", "greeting")?;
    step(
        r#"api.get("demo", "greeting") there"#,
        &show_option(greeting.as_deref()),
    );
    let refused = upgraded.load(&snapshot[..snapshot.len() / 2])?;
    step("load(first half of the bytes)", &format!("{refused:?}"));

    println!("\nEvery interface above read and wrote the same bucket map inside one instance.");
    Ok(())
}
