//! The command line: what each command takes, and [`run`], which the binary calls and tests call
//! in-process.

use std::borrow::Borrow;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use wasmtime::component::ResourceAny;

use memkv_host::bindings::exports::memkv::store::limits::Usage;
use memkv_host::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;
use memkv_host::{
    Clock, Collections, Compiled, Draft, MemkvInstance, Options, Preset, Side, component_names,
    describe,
};

use crate::DataFile;

/// memkv, an in-memory wasi:keyvalue store inside a WebAssembly component, driven from the
/// command line.
#[derive(Debug, Parser)]
#[command(name = "memkv", version, about)]
pub struct Cli {
    /// The snapshot file that `set`, `get`, `rm`, `keys`, `incr`, `rpush`, `lpush`, `lrange`,
    /// `sadd` and `smembers` work on; created by the first write.
    #[arg(long, global = true, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the component, show what it is, and walk through each interface it exports.
    Demo,
    /// Plug memkv into a guest component that imports what memkv exports. The artifact inside
    /// this binary that serves every key-value interface the guest imports is chosen for it.
    Compose {
        /// The guest component.
        #[arg(required_unless_present = "list")]
        guest: Option<PathBuf>,
        /// Where to write the composed component.
        #[arg(short, long, required_unless_present = "list")]
        output: Option<PathBuf>,
        /// List the artifacts inside this binary, what each exports and imports, and stop.
        #[arg(long, exclusive = true)]
        list: bool,
        /// The memkv component to plug in, instead of one of this binary's.
        #[arg(long, value_name = "FILE")]
        memkv: Option<PathBuf>,
        /// Plug in `memkv-golem.wasm` whatever the guest imports (chosen anyway for a guest of
        /// Golem's `wasi:keyvalue/readwrite`).
        #[arg(long, conflicts_with = "memkv")]
        golem: bool,
        /// Choose the Redis-backed artifact: the buckets live in the Redis server
        /// MEMKV_REDIS_URL names at run time (the composition imports WASI 0.2 sockets and
        /// environment, which the runtime provides).
        #[arg(long, conflicts_with_all = ["memkv", "golem"])]
        redis: bool,
        /// Write the composition even if the guest has imports that are neither memkv's nor
        /// WASI's (WASI imports are left to the runtime without it).
        #[arg(long)]
        allow_imports: bool,
        /// Start the guest's store with this snapshot's data (a `--data` file, or a
        /// `save-snapshot` result); the in-memory memkv only.
        #[arg(long, value_name = "FILE", conflicts_with = "redis")]
        preset: Option<PathBuf>,
        /// Start the guest's store with KEY set to VALUE, in the bucket --bucket names (as
        /// `wasmtime run -S keyvalue-in-memory-data=KEY=VALUE` does); repeatable, after --preset.
        #[arg(long = "set", value_name = "KEY=VALUE", conflicts_with = "redis")]
        sets: Vec<String>,
        /// The bucket --set writes to.
        #[arg(long, value_name = "NAME", default_value = "", requires = "sets")]
        bucket: String,
        /// Also export memkv's snapshot, limits and usage interfaces from the composition, so
        /// that a host can read (or replace) the guest's store after a run.
        #[arg(long)]
        expose: bool,
    },
    /// Store a value under KEY in BUCKET: VALUE's bytes, or the contents of --file.
    Set {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// The value, stored as given (any bytes the shell passes); or use --file.
        value: Option<OsString>,
        /// Read the value from FILE instead (`-` for standard input): any bytes.
        #[arg(long, value_name = "FILE", conflicts_with = "value")]
        file: Option<PathBuf>,
        /// Let the key expire after DURATION (`1500ms`, `90s`, `15m`, `2h`, `7d`; a bare number
        /// is seconds): from then on it is absent, as if deleted. The deadline is kept in the
        /// file, by the wall clock; a later `set` without --ttl ends the lifetime.
        #[arg(long, value_name = "DURATION", value_parser = milliseconds)]
        ttl: Option<u64>,
    },
    /// Print the value of KEY in BUCKET and a newline; fails with "key not found" if there is none.
    Get {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// Print the value's bytes exactly, with no newline after them.
        #[arg(long)]
        raw: bool,
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
        /// Only the keys that start with PREFIX (as wasmCloud 0.2's `list-keys` lists them).
        #[arg(long)]
        prefix: Option<String>,
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
    /// Append ITEMs, in order, to the list under KEY in BUCKET (creating it) and print its new
    /// length, as Redis's RPUSH.
    Rpush {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// The items, stored as given.
        #[arg(required = true)]
        items: Vec<OsString>,
    },
    /// Put each ITEM in turn at the front of the list under KEY in BUCKET (so they end up
    /// reversed) and print its new length, as Redis's LPUSH.
    Lpush {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// The items, stored as given.
        #[arg(required = true)]
        items: Vec<OsString>,
    },
    /// Print the items of the list under KEY in BUCKET from START to STOP, both included, one
    /// per line, as Redis's LRANGE (negative indexes count from the end).
    Lrange {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// The first index.
        #[arg(default_value_t = 0, allow_negative_numbers = true)]
        start: i64,
        /// The last index (-1: the last item).
        #[arg(default_value_t = -1, allow_negative_numbers = true)]
        stop: i64,
    },
    /// Add MEMBERs to the set under KEY in BUCKET (creating it) and print how many were new,
    /// as Redis's SADD.
    Sadd {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
        /// The members, stored as given.
        #[arg(required = true)]
        members: Vec<OsString>,
    },
    /// Print the members of the set under KEY in BUCKET, one per line, in byte order.
    Smembers {
        /// The bucket identifier.
        bucket: String,
        /// The key.
        key: String,
    },
    /// Copy the --data store into Redis through memkv-redis: every bucket of the store under
    /// --prefix at URL is replaced by the file's.
    Push {
        /// Where the store is.
        #[command(flatten)]
        redis: RedisStore,
    },
    /// Copy the store under --prefix at URL into the --data file, replacing it.
    Pull {
        /// Where the store is.
        #[command(flatten)]
        redis: RedisStore,
    },
}

impl Command {
    /// Whether the command changes the `--data` file's store (which is then saved). Every
    /// command is named here, so that a new one cannot be added without saying.
    pub fn writes(&self) -> bool {
        match self {
            Command::Set { .. }
            | Command::Rm { .. }
            | Command::Incr { .. }
            | Command::Rpush { .. }
            | Command::Lpush { .. }
            | Command::Sadd { .. } => true,
            Command::Get { .. }
            | Command::Keys { .. }
            | Command::Lrange { .. }
            | Command::Smembers { .. } => false,
            // Not data commands: they save what they change themselves, or change nothing.
            Command::Demo
            | Command::Compose { .. }
            | Command::Push { .. }
            | Command::Pull { .. } => false,
        }
    }
}

/// Which memkv-redis store `push` and `pull` move data to or from.
#[derive(Debug, clap::Args)]
pub struct RedisStore {
    /// The server's `redis://` URL; with --cluster, the cluster's seed nodes' URLs, separated
    /// by commas.
    pub url: String,
    /// The key prefix of the store (memkv-redis's MEMKV_REDIS_PREFIX).
    #[arg(long, default_value = "memkv")]
    pub prefix: String,
    /// URL names a Redis Cluster.
    #[arg(long)]
    pub cluster: bool,
    /// For a `rediss://` URL: the CA (PEM file) the server's certificate must chain to, instead
    /// of the webpki roots.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// For a `rediss://` URL: a client certificate (PEM file), for a server that requires one.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's key (PEM file).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
}

impl RedisStore {
    /// The environment memkv-redis reads this from. The component sees no files, so the
    /// certificates go in as PEM text, read here.
    fn env(&self) -> Result<Vec<(&'static str, String)>> {
        let server = if self.cluster {
            "MEMKV_REDIS_CLUSTER"
        } else {
            "MEMKV_REDIS_URL"
        };
        let mut env = vec![
            (server, self.url.clone()),
            ("MEMKV_REDIS_PREFIX", self.prefix.clone()),
        ];
        for (variable, file) in [
            ("MEMKV_REDIS_CA_PEM", &self.ca),
            ("MEMKV_REDIS_CLIENT_CERT_PEM", &self.client_cert),
            ("MEMKV_REDIS_CLIENT_KEY_PEM", &self.client_key),
        ] {
            if let Some(file) = file {
                let pem = std::fs::read_to_string(file)
                    .with_context(|| format!("reading {}", file.display()))?;
                env.push((variable, pem));
            }
        }
        Ok(env)
    }

    /// A memkv-redis instance on this store.
    fn instantiate(&self, compiled: &Compiled) -> Result<MemkvInstance<memkv_host::Network>> {
        let env = self.env()?;
        let env: Vec<(&str, &str)> = env
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        Ok(compiled.instantiate_redis(&env)?)
    }
}

/// Run `cli`: `compiled` gives the compiled component (asked for only by the commands that run
/// it), `input` is read by `set --file -`, and everything the command prints goes to `out`.
/// Errors carry the message the binary prints after `memkv: `.
pub fn run<C: Borrow<Compiled>>(
    cli: Cli,
    compiled: impl FnOnce() -> wasmtime::Result<C>,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<()> {
    match cli.command {
        Command::Demo => crate::demo::run(compiled()?.borrow(), out),
        Command::Compose { list: true, .. } => list_artifacts(out),
        Command::Compose {
            guest,
            output,
            list: false,
            memkv,
            golem,
            redis,
            allow_imports,
            preset,
            sets,
            bucket,
            expose,
        } => {
            let (Some(guest), Some(output)) = (guest, output) else {
                bail!("compose needs a guest and -o <OUTPUT>");
            };
            let options = Options {
                preset: preset_of(preset.as_deref(), &bucket, &sets)?,
                expose,
            };
            let guest_bytes =
                std::fs::read(&guest).with_context(|| format!("reading {}", guest.display()))?;
            let (name, memkv) = match (memkv, golem) {
                (Some(path), _) => {
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    (path.display().to_string(), bytes)
                }
                (None, true) => ("memkv-golem.wasm".into(), memkv_host::MEMKV_GOLEM.to_vec()),
                (None, false) => {
                    let artifact = memkv_host::choose(&guest_bytes, redis)
                        .with_context(|| format!("composing {}", guest.display()))?;
                    (artifact.name.into(), artifact.bytes.to_vec())
                }
            };
            let plug = Plug {
                guest: &guest,
                guest_bytes: &guest_bytes,
                name: &name,
                memkv: &memkv,
            };
            compose(&plug, &output, &options, allow_imports, out)
        }
        Command::Push { redis } => push(cli.data.as_deref(), &redis, compiled, out),
        Command::Pull { redis } => pull(cli.data.as_deref(), &redis, compiled, out),
        command => data_command(cli.data.as_deref(), command, compiled, input, out),
    }
}

/// `push`: load the file's snapshot into memkv-redis, which replaces the store under the prefix.
fn push<C: Borrow<Compiled>>(
    data: Option<&Path>,
    redis: &RedisStore,
    compiled: impl FnOnce() -> wasmtime::Result<C>,
    out: &mut dyn Write,
) -> Result<()> {
    let path = data.ok_or_else(|| anyhow!("push needs --data <FILE>"))?;
    let _file = DataFile::lock(path, false)?;
    // A missing file is not an empty store here: pushing one would empty the Redis store.
    let snapshot = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut memkv = redis.instantiate(compiled()?.borrow())?;
    memkv
        .snapshot()
        .load(&snapshot)?
        .map_err(|message| anyhow!("cannot push {}: {message}", path.display()))?;
    let usage = memkv.limits().usage()?;
    writeln!(
        out,
        "pushed {} to {} (prefix {}): {}",
        path.display(),
        redis.url,
        redis.prefix,
        sizes(&usage)
    )?;
    Ok(())
}

/// `pull`: save memkv-redis's store and write it to the file, atomically.
fn pull<C: Borrow<Compiled>>(
    data: Option<&Path>,
    redis: &RedisStore,
    compiled: impl FnOnce() -> wasmtime::Result<C>,
    out: &mut dyn Write,
) -> Result<()> {
    let path = data.ok_or_else(|| anyhow!("pull needs --data <FILE>"))?;
    let _file = DataFile::lock(path, true)?;
    let mut memkv = redis.instantiate(compiled()?.borrow())?;
    // `save` has no error result: memkv-redis answers with no bytes when it cannot read the
    // store, most often because the server cannot be reached; say whether it can.
    let snapshot = memkv.snapshot().save()?;
    if snapshot.is_empty() {
        bail!(
            "cannot pull from {} (prefix {}): memkv-redis could not read the store ({})",
            redis.url,
            redis.prefix,
            reachability(&redis.url)
        );
    }
    let usage = memkv.limits().usage()?;
    crate::write_atomically(path, &snapshot)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(
        out,
        "pulled {} (prefix {}) into {}: {}",
        redis.url,
        redis.prefix,
        path.display(),
        sizes(&usage)
    )?;
    Ok(())
}

/// Run one of the commands that work on a `--data` file.
fn data_command<C: Borrow<Compiled>>(
    data: Option<&Path>,
    command: Command,
    compiled: impl FnOnce() -> wasmtime::Result<C>,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<()> {
    let path = data.ok_or_else(|| anyhow!("this command needs --data <FILE>"))?;
    let writes = command.writes();
    // Read the value before taking the lock: standard input may take its time.
    let value = match &command {
        Command::Set { value, file, .. } => {
            Some(value_bytes(value.as_ref(), file.as_deref(), input)?)
        }
        _ => None,
    };
    let file = DataFile::lock(path, writes)?;
    let mut memkv = file.load(compiled()?.borrow())?;
    // What to print, held back until the change (if any) is saved.
    let mut printed = Vec::new();
    match command {
        Command::Set {
            bucket, key, ttl, ..
        } => {
            let value = value.unwrap_or_default();
            match ttl {
                Some(_) if key.is_empty() => {
                    bail!("a key with a lifetime cannot be empty (wasmCloud 0.2's set refuses it)")
                }
                Some(ttl_ms) => memkv
                    .set_with_lifetime(&bucket, &key, &value, ttl_ms)?
                    .map_err(|refused| anyhow!("refused: {refused}"))?,
                None => with_bucket(&mut memkv, &bucket, |draft, handle| {
                    draft.set(handle, &key, &value)
                })?,
            }
        }
        Command::Get { bucket, key, raw } => {
            let value = with_bucket(&mut memkv, &bucket, |draft, handle| draft.get(handle, &key))?;
            printed = value.ok_or_else(|| anyhow!("key not found"))?;
            if !raw {
                printed.push(b'\n');
            }
        }
        Command::Rm { bucket, key } => {
            let existed = with_bucket(&mut memkv, &bucket, |draft, handle| {
                let existed = draft.exists(handle, &key)?;
                if existed != Ok(true) {
                    return Ok(existed);
                }
                draft
                    .delete(handle, &key)
                    .map(|deleted| deleted.map(|()| true))
            })?;
            if !existed {
                bail!("key not found");
            }
        }
        Command::Keys { bucket, prefix } => {
            let listing = with_bucket(&mut memkv, &bucket, |draft, handle| {
                draft.list_all_keys(handle)
            })?;
            let prefix = prefix.unwrap_or_default();
            for key in listing.keys.iter().filter(|key| key.starts_with(&prefix)) {
                writeln!(printed, "{key}")?;
            }
        }
        Command::Incr { bucket, key, delta } => {
            let value = with_bucket(&mut memkv, &bucket, |draft, handle| {
                draft.increment(handle, &key, delta)
            })?;
            writeln!(printed, "{value}")?;
        }
        Command::Rpush { bucket, key, items } => {
            let len = list_push(&mut memkv, &bucket, &key, &items, false)?;
            writeln!(printed, "{len}")?;
        }
        Command::Lpush { bucket, key, items } => {
            let len = list_push(&mut memkv, &bucket, &key, &items, true)?;
            writeln!(printed, "{len}")?;
        }
        Command::Lrange {
            bucket,
            key,
            start,
            stop,
        } => {
            let items = with_collections(&mut memkv, &bucket, |lists, handle| {
                lists.list_range(handle, &key, start, stop)
            })?;
            print_lines(&mut printed, items);
        }
        Command::Sadd {
            bucket,
            key,
            members,
        } => {
            let members = all_bytes(&members)?;
            let added = with_collections(&mut memkv, &bucket, |sets, handle| {
                sets.set_add(handle, &key, &members)
            })?;
            writeln!(printed, "{added}")?;
        }
        Command::Smembers { bucket, key } => {
            let members = with_collections(&mut memkv, &bucket, |sets, handle| {
                sets.set_members(handle, &key)
            })?;
            print_lines(&mut printed, members);
        }
        Command::Demo | Command::Compose { .. } | Command::Push { .. } | Command::Pull { .. } => {
            unreachable!("not a data command")
        }
    }
    if writes {
        file.save(&mut memkv)?;
    }
    out.write_all(&printed)?;
    out.flush()?;
    Ok(())
}

/// `--ttl`'s duration in milliseconds: a whole number, then `ms`, `s` (or nothing), `m`, `h`
/// or `d`; at least 1 ms.
fn milliseconds(duration: &str) -> Result<u64, String> {
    let digits = duration.len()
        - duration
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    let (number, unit) = duration.split_at(digits);
    let scale: u64 = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!(
                "{duration:?} is not a duration: use ms, s, m, h or d"
            ));
        }
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{duration:?} is not a duration: it starts with no number"))?;
    match number.checked_mul(scale) {
        Some(0) => Err("a lifetime must be at least 1ms".into()),
        Some(ms) => Ok(ms),
        None => Err(format!("{duration:?} is too long")),
    }
}

/// What a store holds, in words: `3 buckets, 3 entries, 1107 bytes`.
fn sizes(usage: &Usage) -> String {
    format!(
        "{} buckets, {} entries, {} bytes",
        usage.buckets, usage.entries, usage.total_bytes
    )
}

/// Whether the (first) server `url` names accepts a TCP connection, in words.
fn reachability(url: &str) -> String {
    let first = url.split(',').next().unwrap_or_default().trim();
    let authority = first.split("://").nth(1).unwrap_or(first);
    let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let address = if host_port.rsplit_once(':').is_some() {
        host_port.to_owned()
    } else {
        format!("{host_port}:6379")
    };
    match std::net::TcpStream::connect(&address) {
        Ok(_) => format!("{address} accepts connections"),
        Err(error) => format!("{address}: {error}"),
    }
}

/// The bytes `set` stores: the VALUE argument as the shell passed it, or a file's contents.
fn value_bytes(
    value: Option<&OsString>,
    file: Option<&Path>,
    input: &mut dyn Read,
) -> Result<Vec<u8>> {
    match (value, file) {
        (Some(value), _) => os_bytes(value),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .context("reading the value from standard input")?;
            Ok(bytes)
        }
        (None, Some(path)) => std::fs::read(path)
            .with_context(|| format!("reading the value from {}", path.display())),
        (None, None) => bail!("set needs a VALUE or --file <FILE>"),
    }
}

/// An argument's bytes, exactly as the shell passed them.
#[cfg(unix)]
fn os_bytes(value: &OsString) -> Result<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    Ok(value.as_bytes().to_vec())
}

/// An argument's bytes: on this platform arguments are text, so other bytes go through --file.
#[cfg(not(unix))]
fn os_bytes(value: &OsString) -> Result<Vec<u8>> {
    value
        .to_str()
        .map(|text| text.as_bytes().to_vec())
        .ok_or_else(|| anyhow!("VALUE is not valid Unicode here; pass it with --file"))
}

/// Open `bucket`, run `f` on it through the draft store, and turn a refusal into an error with
/// memkv's message.
fn with_bucket<T>(
    memkv: &mut MemkvInstance<Clock>,
    bucket: &str,
    f: impl FnOnce(&mut Draft<'_, Clock>, ResourceAny) -> wasmtime::Result<Result<T, Error>>,
) -> Result<T> {
    with_handle(memkv, bucket, |memkv, handle| f(&mut memkv.draft(), handle))
}

/// [`with_bucket`], with `f` calling `memkv:store/collections`.
fn with_collections<T>(
    memkv: &mut MemkvInstance<Clock>,
    bucket: &str,
    f: impl FnOnce(&mut Collections<'_, Clock>, ResourceAny) -> wasmtime::Result<Result<T, Error>>,
) -> Result<T> {
    with_handle(memkv, bucket, |memkv, handle| {
        f(&mut memkv.collections(), handle)
    })
}

/// Push `items` onto the list under `key` in `bucket`, at the front (each in turn) if `front`,
/// else at the back; the list's new length.
fn list_push(
    memkv: &mut MemkvInstance<Clock>,
    bucket: &str,
    key: &str,
    items: &[OsString],
    front: bool,
) -> Result<u64> {
    let items = all_bytes(items)?;
    with_collections(memkv, bucket, |lists, handle| {
        if front {
            lists.list_push_front(handle, key, &items)
        } else {
            lists.list_push(handle, key, &items)
        }
    })
}

/// Open `bucket` through the draft store, run `f` with its handle, give the handle back, and
/// turn a refusal into an error with memkv's message.
fn with_handle<T>(
    memkv: &mut MemkvInstance<Clock>,
    bucket: &str,
    f: impl FnOnce(&mut MemkvInstance<Clock>, ResourceAny) -> wasmtime::Result<Result<T, Error>>,
) -> Result<T> {
    let handle = memkv.draft().open(bucket)?.map_err(refused)?;
    let result = f(memkv, handle)?;
    memkv.draft().drop_bucket(handle)?;
    result.map_err(refused)
}

/// A refusal, with memkv's message.
fn refused(error: Error) -> anyhow::Error {
    match error {
        Error::Other(message) => anyhow!(message),
        error => anyhow!(describe(&error)),
    }
}

/// Every argument's bytes, as the shell passed them.
fn all_bytes(arguments: &[OsString]) -> Result<Vec<Vec<u8>>> {
    arguments.iter().map(os_bytes).collect()
}

/// Each of `items` and a newline after it.
fn print_lines(printed: &mut Vec<u8>, items: Vec<Vec<u8>>) {
    for item in items {
        printed.extend(item);
        printed.push(b'\n');
    }
}

/// The store `compose --preset FILE --set KEY=VALUE…` asks for: the snapshot at `file`, then
/// each `KEY=VALUE` (split at the first `=`) in `bucket`; `None` if neither is given.
fn preset_of(file: Option<&Path>, bucket: &str, sets: &[String]) -> Result<Option<Preset>> {
    let mut preset = match file {
        Some(file) => {
            let snapshot =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            Preset::from_snapshot(&snapshot).with_context(|| format!("in {}", file.display()))?
        }
        None if sets.is_empty() => return Ok(None),
        None => Preset::new(),
    };
    for set in sets {
        let (key, value) = set
            .split_once('=')
            .ok_or_else(|| anyhow!("--set {set:?}: expected KEY=VALUE"))?;
        preset.set(bucket, key, value.as_bytes())?;
    }
    Ok(Some(preset))
}

/// What `compose` plugs into what: the guest (its path and bytes) and memkv (a name for
/// messages and the component's bytes).
struct Plug<'a> {
    guest: &'a Path,
    guest_bytes: &'a [u8],
    name: &'a str,
    memkv: &'a [u8],
}

/// `memkv compose --list`: each artifact inside this binary, what it exports and imports.
fn list_artifacts(out: &mut dyn Write) -> Result<()> {
    for artifact in memkv_host::ARTIFACTS {
        let store = if artifact.redis {
            "the buckets in Redis"
        } else {
            "the buckets in the instance"
        };
        writeln!(out, "{} ({store})", artifact.name)?;
        writeln!(out, "  exports  {}", artifact.exports()?.join(", "))?;
        let imports = artifact.imports()?;
        let imports = if imports.is_empty() {
            "nothing".into()
        } else {
            imports.join(", ")
        };
        writeln!(out, "  imports  {imports}")?;
    }
    Ok(())
}

/// Plug memkv into the guest and write the result to `output`, refusing unless
/// `allow_imports` if the guest has imports that are neither memkv's nor WASI's.
fn compose(
    plug: &Plug<'_>,
    output: &Path,
    options: &Options,
    allow_imports: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let composition = memkv_host::compose_with(plug.guest_bytes, plug.memkv, options)?;
    // What memkv imports itself (the README's artifact table says what) is its runtime's to give.
    let own = component_names(plug.memkv, Side::Imports)?;
    let foreign: Vec<&String> = composition
        .unsatisfied
        .iter()
        .filter(|name| !memkv_host::is_wasi(name) && !own.contains(name))
        .collect();
    if !foreign.is_empty() && !allow_imports {
        bail!(
            "memkv cannot satisfy these imports of {}, which are not WASI's either: {}\n\
             (pass --allow-imports to write the composition anyway; the runtime must then provide them)",
            plug.guest.display(),
            foreign
                .iter()
                .map(|name| name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    crate::write_atomically(output, &composition.bytes)
        .with_context(|| format!("writing {}", output.display()))?;
    let plugged: Vec<String> = component_names(plug.guest_bytes, Side::Imports)?
        .into_iter()
        .filter(|name| !composition.unsatisfied.contains(name))
        .collect();
    writeln!(
        out,
        "wrote {} ({} bytes)",
        output.display(),
        composition.bytes.len()
    )?;
    writeln!(out, "  memkv artifact   {}", plug.name)?;
    writeln!(out, "  served by memkv  {}", plugged.join(", "))?;
    writeln!(
        out,
        "  imports left     {}",
        if composition.unsatisfied.is_empty() {
            "none".into()
        } else {
            composition.unsatisfied.join(", ")
        }
    )?;
    Ok(())
}
