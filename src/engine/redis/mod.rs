//! The Redis engine (`memkv-redis.wasm`, the `redis` feature): the same exports as `memkv.wasm`,
//! with the buckets in a Redis server, reached over `wasi:sockets`.
//!
//! It implements the contract of [`crate::engine`], as the in-memory engine does. The pure core
//! in `store` still defines the contract's errors and limits, and serves this engine as the
//! snapshot codec.
//!
//! Where the server is: `MEMKV_REDIS_URL` (default [`DEFAULT_URL`]; `redis://user:password@host`
//! for an ACL user, whose password no message shows), or, for a Redis Cluster,
//! `MEMKV_REDIS_CLUSTER`, a comma-separated list of seed nodes' URLs (which wins when set);
//! whose keys these are: `MEMKV_REDIS_PREFIX` (default [`DEFAULT_PREFIX`]); how long a
//! connection and each reply may take: `MEMKV_REDIS_TIMEOUT_MS` (default [`DEFAULT_TIMEOUT`]).
//! A `rediss://` URL is TLS (rustls on `ring`, inside the component): the server's certificate
//! is verified for the URL's host name against the webpki roots, or the CA in
//! `MEMKV_REDIS_CA_PEM` (PEM text) or `MEMKV_REDIS_CA_FILE` (a path in a directory the runtime
//! preopens); `MEMKV_REDIS_CLIENT_CERT_*` and `MEMKV_REDIS_CLIENT_KEY_*` give a client
//! certificate. With any of those set, a `redis://` URL is refused: never plain text instead.
//! `MEMKV_REDIS_WAIT=<n>`: no write answers before `n` replicas have it. All are read from the
//! component's environment when it first needs the server. A bad URL, or a server that
//! cannot be reached, is `error::other` naming the address and the cause, on every operation
//! until it can be reached; a connection lost between calls is made again and the call retried
//! once. A retried write is applied once: every call carries a request id, and memkv.lua answers
//! a write it has already run with the answer it recorded then (in a ring of 4,096 slots per
//! store, so unless another write took the slot in between).
//!
//! Layout: every key of a store starts with `P:{P}:`, the prefix and the prefix as hash tag —
//! `g` (limits, usage, generation, next cursor), `n` (the bucket names, a sorted set), `c` (the
//! draft's cursor table), and for each bucket `b<hex of its name>:v` (key to stamp and value),
//! `…:i` (its keys, a sorted set paged with `ZRANGE … BYLEX`) and `…:m` (its write stamp and
//! deletion count); for lists and sets, `…:k` (each one's kind and charge) and `…:e<hex of the
//! key>` (its items, a native Redis list or set); for values with a lifetime (wasmCloud's `set`
//! with `expires`), `…:x` (their deadlines, a sorted set). Every operation that touches more than one key is one call of a Lua
//! function (`memkv.lua`, the files of `lua/` joined, loaded as a Redis Function library, so
//! Redis 7 or later), so it is
//! atomic however many instances share the store.
//!
//! One hash tag for the whole store, not one per bucket, because the contract is store-wide:
//! `max-total-bytes` and `max-buckets` are checked against the whole store before every write,
//! `get-usage` is exact, and a snapshot is one moment of the store. With one slot, each of those
//! is one call on one node; with a slot per bucket, every write would take a second round trip
//! to the store's node, and a load or a save could not be atomic. On a Redis Cluster, stores
//! (prefixes: applications, tenants) spread across the nodes; the buckets of one store share
//! its node.

mod bucket;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use redis::cluster::{ClusterClientBuilder, ClusterConnection};
use redis::cluster_routing::{
    MultipleNodeRoutingInfo, ResponsePolicy, Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr,
};
use redis::{
    ClientTlsConfig, Connection, ConnectionAddr, ConnectionInfo, ConnectionLike,
    IntoConnectionInfo, RedisResult, Script, TlsCertificates, Value,
};

pub use bucket::BucketHandle;

use super::{Engine, unanswered};

use crate::store::{
    self, End, Entry, Error, KeyName, Kind, Lifetimes, Limit, Limits, LimitsError, SnapshotError,
    Usage,
};

/// The server memkv-redis uses when `MEMKV_REDIS_URL` is not set.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// How long a connection (with its TLS handshake) and each reply may take when
/// `MEMKV_REDIS_TIMEOUT_MS` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The key prefix memkv-redis uses when `MEMKV_REDIS_PREFIX` is not set.
pub const DEFAULT_PREFIX: &str = "memkv";

/// Bytes of write stamp in front of every stored value (16 hex digits).
const STAMP: usize = 16;

/// Digits of deadline after the stamp of a value with a lifetime (`E` and 15 hex digits):
/// milliseconds since the epoch.
const DEADLINE: usize = 13;

/// memkv.lua's operations that change nothing: sent again after a lost reply they run again
/// (no answer is recorded), and `MEMKV_REDIS_WAIT` does not wait for replicas after them.
/// (The draft's `list` writes only its cursor table: run again, it issues another cursor.)
const READS: [&str; 12] = [
    "observe",
    "page_range",
    "list",
    "dump",
    "kind",
    "range",
    "llen",
    "smembers",
    "sismember",
    "scard",
    "sunion",
    "sinter",
];

/// The limits' fields in the store's hash, in the order of [`Limits`]'s fields.
const LIMIT_FIELDS: [&str; 6] = ["lk", "lv", "lt", "le", "lb", "lp"];

/// The function library every multi-key operation runs in (`memkv.lua`): its files, joined in
/// order. Its constants come first, from Rust ([`library`]).
const LIBRARY: &str = concat!(
    include_str!("lua/0-state.lua"),
    "\n",
    include_str!("lua/1-store.lua"),
    "\n",
    include_str!("lua/2-write.lua"),
    "\n",
    include_str!("lua/3-counters.lua"),
    "\n",
    include_str!("lua/4-values.lua"),
    "\n",
    include_str!("lua/5-store-ops.lua"),
    "\n",
    include_str!("lua/6-collections.lua"),
    "\n",
    include_str!("lua/7-run.lua"),
);

/// `memkv.lua` as `FUNCTION LOAD` takes it, and its function's name (`memkv_<hash>`): the name
/// line, the function's name, the constants it shares with the core (so that both engines charge
/// and default alike), then [`LIBRARY`]. The hash covers the constants too: a change of either
/// is a new version, which never mixes with the old one on a server.
fn library() -> (String, String) {
    let defaults = limit_args(&Limits::DEFAULT);
    let fields = LIMIT_FIELDS
        .iter()
        .zip(&defaults)
        .map(|(field, default)| format!("{field} = '{default}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let reads = READS.map(|op| format!("{op} = true")).join(", ");
    let source = format!(
        "local ENTRY_OVERHEAD, BUCKET_OVERHEAD, ITEM_OVERHEAD, STAMP = {}, {}, {}, {STAMP}\n\
         local DEADLINE = {DEADLINE}\n\
         local CURSORS = {}\n\
         local DEFAULTS = {{ {fields} }}\n\
         local READS = {{ {reads} }}\n\
         {LIBRARY}",
        store::ENTRY_OVERHEAD,
        store::BUCKET_OVERHEAD,
        store::ITEM_OVERHEAD,
        store::CURSOR_CAPACITY,
    );
    let hash = Script::new(&source).get_hash().to_owned();
    let function = format!("memkv_{}", &hash[..16]);
    let library = format!("#!lua name={function}\nlocal FUNCTION = '{function}'\n{source}");
    (function, library)
}

/// Where the server is, and the keys of the store in it.
struct Session {
    /// The server's URL, or the cluster's seed URLs joined by commas.
    url: String,
    cluster: bool,
    prefix: String,
    /// The store's hash `g`, the one key every call names (memkv.lua finds the others from it).
    store: String,
    connection: Option<Server>,
    /// The CA and client certificate for `rediss://`, when the environment names either.
    certificates: Option<TlsCertificates>,
    /// How long a connection (with its TLS handshake) and each reply may take.
    timeout: Duration,
    /// How many replicas must have each write before a call answers (`MEMKV_REDIS_WAIT`).
    replicas: Option<u32>,
    /// The library's function, `memkv_<hash of memkv.lua and its constants>`.
    function: String,
    /// `memkv.lua` as `FUNCTION LOAD` takes it ([`library`]).
    library: String,
}

/// A connection to one server, or to a Redis Cluster (which follows `MOVED` redirects).
enum Server {
    Single(Connection),
    Cluster(Box<ClusterConnection>),
}

impl Server {
    fn connection(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Server::Single(connection) => connection,
            Server::Cluster(connection) => &mut **connection,
        }
    }

    /// `HEXISTS` of `field` in the hash `values` and `ZSCORE` of `key` in the sorted set
    /// `deadlines`, pipelined: one round trip (both keys carry the store's hash tag, so on a
    /// cluster both go to one node).
    fn exists_and_deadline(
        &mut self,
        values: &str,
        field: &str,
        deadlines: &str,
        key: &str,
    ) -> RedisResult<(bool, Option<f64>)> {
        let mut exists = redis::cmd("HEXISTS");
        exists.arg(values).arg(field);
        let mut deadline = redis::cmd("ZSCORE");
        deadline.arg(deadlines).arg(key);
        match self {
            Server::Single(connection) => redis::pipe()
                .add_command(exists)
                .add_command(deadline)
                .query(connection),
            Server::Cluster(connection) => redis::cluster::cluster_pipe()
                .add_command(exists)
                .add_command(deadline)
                .query(connection),
        }
    }

    /// `WAIT replicas timeout` on the server, or on the primary of `key`'s slot: how many
    /// replicas have every write this connection made there.
    fn wait(&mut self, replicas: u32, timeout: Duration, key: &str) -> RedisResult<u32> {
        let mut wait = redis::cmd("WAIT");
        wait.arg(replicas).arg(timeout.as_millis().max(1));
        match self {
            Server::Single(connection) => wait.query(connection),
            Server::Cluster(connection) => {
                let primary = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(
                    Route::with_key(key, SlotAddr::Master),
                ));
                Ok(redis::from_redis_value(
                    connection.route_command(&wait, primary)?,
                )?)
            }
        }
    }

    /// Whether the server, or every primary of the cluster, has the library of `function` (its
    /// library has the function's name). One `FUNCTION LIST LIBRARYNAME`, on every primary.
    fn has_library(&mut self, function: &str) -> RedisResult<bool> {
        let mut list = redis::cmd("FUNCTION");
        list.arg("LIST").arg("LIBRARYNAME").arg(function);
        match self {
            Server::Single(connection) => Ok(!list.query::<Vec<Value>>(connection)?.is_empty()),
            Server::Cluster(connection) => {
                let everywhere =
                    RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None));
                let Value::Map(answers) = connection.route_command(&list, everywhere)? else {
                    return Ok(false);
                };
                Ok(answers.iter().all(
                    |(_, libraries)| matches!(libraries, Value::Array(found) if !found.is_empty()),
                ))
            }
        }
    }

    /// Load `library` into the server, or into every primary of the cluster (functions are
    /// not shared between a cluster's shards).
    fn load_library(&mut self, library: &str) -> RedisResult<()> {
        let mut load = redis::cmd("FUNCTION");
        load.arg("LOAD").arg("REPLACE").arg(library);
        match self {
            Server::Single(connection) => load.query(connection),
            Server::Cluster(connection) => {
                let everywhere = RoutingInfo::MultiNode((
                    MultipleNodeRoutingInfo::AllMasters,
                    Some(ResponsePolicy::AllSucceeded),
                ));
                connection.route_command(&load, everywhere).map(drop)
            }
        }
    }
}

thread_local! {
    /// The instance's session, made on first use.
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// This instance's request ids: a random 64-bit start (from the runtime's randomness,
    /// through `RandomState`), counted up.
    static REQUESTS: std::cell::Cell<u64> = std::cell::Cell::new({
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new().build_hasher().finish()
    });
}

/// A request id no other call of this instance has (and, by its random start, no other
/// instance's, but with a chance of 2^-64 per pair of calls).
fn next_request() -> String {
    let n = REQUESTS.with(|requests| {
        let n = requests.get();
        requests.set(n.wrapping_add(1));
        n
    });
    format!("{n:016x}")
}

impl Session {
    /// The session the component's environment describes.
    fn from_env() -> Result<Self, Error> {
        let cluster = std::env::var("MEMKV_REDIS_CLUSTER").ok();
        let url = match &cluster {
            Some(seeds) => seeds.clone(),
            None => std::env::var("MEMKV_REDIS_URL").unwrap_or_else(|_| DEFAULT_URL.into()),
        };
        let prefix = std::env::var("MEMKV_REDIS_PREFIX").unwrap_or_else(|_| DEFAULT_PREFIX.into());
        if prefix.contains(['{', '}']) {
            return Err(Error::Unavailable(format!(
                "MEMKV_REDIS_PREFIX {prefix:?} contains a brace; it must not, since braces mark \
                 Redis hash tags"
            )));
        }
        let certificates = certificates_from_env()?;
        let replicas = match std::env::var("MEMKV_REDIS_WAIT") {
            Err(_) => None,
            Ok(text) => match text.parse::<u32>() {
                Ok(0) => None,
                Ok(replicas) => Some(replicas),
                Err(_) => {
                    return Err(Error::Unavailable(format!(
                        "MEMKV_REDIS_WAIT {text:?} is not a number of replicas"
                    )));
                }
            },
        };
        let timeout = match std::env::var("MEMKV_REDIS_TIMEOUT_MS") {
            Err(_) => DEFAULT_TIMEOUT,
            Ok(text) => match text.parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => {
                    return Err(Error::Unavailable(format!(
                        "MEMKV_REDIS_TIMEOUT_MS {text:?} is not a positive number of milliseconds"
                    )));
                }
            },
        };
        let (function, library) = library();
        let store = format!("{prefix}:{{{prefix}}}:g");
        Ok(Self {
            url,
            cluster: cluster.is_some(),
            prefix,
            store,
            connection: None,
            certificates,
            timeout,
            replicas,
            function,
            library,
        })
    }

    /// A new connection to the server or the cluster.
    fn connect(&self) -> Result<Server, Error> {
        let seeds = self
            .url
            .split(',')
            .map(|seed| quiet(seed.trim()))
            .collect::<RedisResult<Vec<_>>>()
            .map_err(|error| self.unavailable(&error))?;
        if self.certificates.is_some()
            && let Some(plain) = seeds.iter().find(|seed| !is_tls(seed))
        {
            return Err(Error::Unavailable(format!(
                "redis at {}: MEMKV_REDIS_CA_* or MEMKV_REDIS_CLIENT_* is set, but {} is not a \
                 `rediss://` (TLS) address; memkv-redis sends nothing to it in plain text",
                redacted(&self.url),
                plain.addr(),
            )));
        }
        let mut seeds = seeds;
        let connected = match seeds.pop() {
            Some(seed) if !self.cluster => match &self.certificates {
                Some(certificates) => redis::Client::build_with_tls(seed, certificates.clone()),
                None => redis::Client::open(seed),
            }
            .and_then(|client| client.get_connection_with_timeout(self.timeout))
            .and_then(|connection| {
                connection.set_read_timeout(Some(self.timeout))?;
                connection.set_write_timeout(Some(self.timeout))?;
                Ok(Server::Single(connection))
            }),
            last => {
                let mut builder = ClusterClientBuilder::new(seeds.into_iter().chain(last))
                    .connection_timeout(self.timeout)
                    .response_timeout(self.timeout);
                if let Some(certificates) = &self.certificates {
                    builder = builder.certs(certificates.clone());
                }
                builder
                    .build()
                    .and_then(|client| client.get_connection())
                    .map(|connection| Server::Cluster(Box::new(connection)))
            }
        };
        connected.map_err(|error| self.unavailable(&error))
    }

    /// Why the server closed a connection twice, if a `PING` on a new one says: a server that
    /// requires authentication closes the connection of a client that has not authenticated
    /// on its first long command, and answers `NOAUTH` only to a short one. Asked only after
    /// the retry failed, so a call that succeeds costs nothing.
    fn why_closed(&self) -> Option<redis::RedisError> {
        let mut server = self.connect().ok()?;
        redis::cmd("PING")
            .query::<String>(server.connection())
            .err()
            .filter(|error| error.code().is_some())
    }

    fn unavailable(&self, error: &redis::RedisError) -> Error {
        let url = redacted(&self.url);
        if error.is_timeout() {
            return Error::Unavailable(format!(
                "redis at {url}: no answer within {} ms (MEMKV_REDIS_TIMEOUT_MS): {error}",
                self.timeout.as_millis()
            ));
        }
        Error::Unavailable(format!("redis at {url}: {error}"))
    }
}

/// What to connect to for `url`, without the client's `CLIENT SETINFO` on connect: one round trip
/// less for each connection (an instance per request, as `wasmtime serve` runs a WASI 0.2 proxy,
/// connects every time), and nothing memkv needs (the server lists the client as nameless).
fn quiet(url: &str) -> RedisResult<ConnectionInfo> {
    let info = url.into_connection_info()?;
    let settings = info.redis_settings().clone().set_skip_set_lib_name();
    Ok(info.set_redis_settings(settings))
}

/// Whether `info` is a `rediss://` address.
fn is_tls(info: &ConnectionInfo) -> bool {
    matches!(info.addr(), ConnectionAddr::TcpTls { .. })
}

/// The certificates `rediss://` connections use, from the environment: the CA to trust
/// (`MEMKV_REDIS_CA_PEM`, the PEM text, or `MEMKV_REDIS_CA_FILE`, a path the runtime preopens;
/// the webpki roots when neither is set), and the client's certificate and key for mutual TLS
/// (`MEMKV_REDIS_CLIENT_CERT_*` and `MEMKV_REDIS_CLIENT_KEY_*`, both or neither). `None` when
/// none is set.
fn certificates_from_env() -> Result<Option<TlsCertificates>, Error> {
    let root_cert = pem_from_env("CA")?;
    if let Some(pem) = &root_cert {
        use rustls::pki_types::{CertificateDer, pem::PemObject};
        if CertificateDer::pem_slice_iter(pem).next().is_none() {
            return Err(Error::Unavailable(
                "MEMKV_REDIS_CA_*: no PEM certificate (`-----BEGIN CERTIFICATE-----`) in it".into(),
            ));
        }
    }
    let client_tls = match (pem_from_env("CLIENT_CERT")?, pem_from_env("CLIENT_KEY")?) {
        (Some(client_cert), Some(client_key)) => Some(ClientTlsConfig {
            client_cert,
            client_key,
        }),
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            return Err(Error::Unavailable(
                "MEMKV_REDIS_CLIENT_CERT_* and MEMKV_REDIS_CLIENT_KEY_*: a client certificate \
                 needs its key, and a key its certificate; one is set without the other"
                    .into(),
            ));
        }
    };
    Ok(
        (root_cert.is_some() || client_tls.is_some()).then_some(TlsCertificates {
            client_tls,
            root_cert,
        }),
    )
}

/// The PEM text `MEMKV_REDIS_<name>_PEM` holds, or that is in the file `MEMKV_REDIS_<name>_FILE`
/// names; `None` when neither is set, and an error when both are or the file cannot be read.
fn pem_from_env(name: &str) -> Result<Option<Vec<u8>>, Error> {
    let text = std::env::var(format!("MEMKV_REDIS_{name}_PEM")).ok();
    let path = std::env::var(format!("MEMKV_REDIS_{name}_FILE")).ok();
    match (text, path) {
        (Some(_), Some(_)) => Err(Error::Unavailable(format!(
            "MEMKV_REDIS_{name}_PEM and MEMKV_REDIS_{name}_FILE are both set; set one"
        ))),
        (Some(text), None) => Ok(Some(text.into_bytes())),
        (None, Some(path)) => std::fs::read(&path).map(Some).map_err(|error| {
            Error::Unavailable(format!(
                "MEMKV_REDIS_{name}_FILE: cannot read {path:?} ({error}); is its directory \
                 preopened for the component?"
            ))
        }),
        (None, None) => Ok(None),
    }
}

/// `urls` (one, or a cluster's comma-separated seeds) with each password replaced by `***`, for
/// messages a guest reads: `redis://memkv:***@host:6379`.
fn redacted(urls: &str) -> String {
    urls.split(',')
        .map(|url| {
            let Some(scheme_end) = url.find("://").map(|at| at + 3) else {
                return url.to_owned();
            };
            let authority_end = url[scheme_end..]
                .find('/')
                .map_or(url.len(), |at| scheme_end + at);
            let Some(at) = url[scheme_end..authority_end]
                .rfind('@')
                .map(|at| scheme_end + at)
            else {
                return url.to_owned();
            };
            match url[scheme_end..at].find(':') {
                Some(colon) => format!("{}:***{}", &url[..scheme_end + colon], &url[at..]),
                None => url.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The field of the store's hash `g` that holds the value of `key` in bucket `name`, as
/// `field_of` in `memkv.lua` names it: the name's length first, so no two buckets' fields meet.
fn value_field(name: &str, key: &str) -> String {
    format!("v{}:{name}{key}", name.len())
}

/// The key `suffix` of bucket `name` under `prefix`, as `bucket_key` in `memkv.lua` names it.
fn bucket_key(prefix: &str, name: &str, suffix: &str) -> String {
    let mut hex = String::with_capacity(2 * name.len());
    for byte in name.bytes() {
        let _ = write!(hex, "{byte:02x}");
    }
    format!("{prefix}:{{{prefix}}}:b{hex}:{suffix}")
}

/// Whether `error` means the connection is gone (so it is made again).
fn connection_lost(error: &redis::RedisError) -> bool {
    error.is_io_error() || error.is_connection_dropped() || error.is_unrecoverable_error()
}

/// Run `f` with the session and its connection; if the connection turns out to be lost, make
/// it again and run `f` once more. Any other failure is [`Error::Unavailable`].
fn with_connection<T>(
    mut f: impl FnMut(&mut Server, &Session) -> RedisResult<T>,
) -> Result<T, Error> {
    SESSION.with_borrow_mut(|slot| {
        let session = match slot {
            Some(session) => session,
            None => slot.insert(Session::from_env()?),
        };
        let mut retried = false;
        loop {
            let mut connection = match session.connection.take() {
                Some(connection) => connection,
                None => session.connect()?,
            };
            let result = f(&mut connection, session);
            match result {
                Ok(value) => {
                    session.connection = Some(connection);
                    return Ok(value);
                }
                Err(error) if connection_lost(&error) && !retried => retried = true,
                Err(error) if connection_lost(&error) => {
                    return Err(session.unavailable(&session.why_closed().unwrap_or(error)));
                }
                Err(error) => {
                    session.connection = Some(connection);
                    return Err(session.unavailable(&error));
                }
            }
        }
    })
}

/// A refusal of `memkv.lua`: its code and details.
type Refusal = (String, Vec<Value>);

/// An operation of `memkv.lua` on bucket `bucket` (any name for the store-wide ones).
pub(crate) struct Op<'a> {
    name: &'static str,
    bucket: &'a str,
    args: Vec<&'a [u8]>,
}

impl<'a> Op<'a> {
    pub(crate) fn new(name: &'static str, bucket: &'a str) -> Self {
        Self {
            name,
            bucket,
            args: Vec::new(),
        }
    }

    pub(crate) fn arg(mut self, arg: &'a [u8]) -> Self {
        self.args.push(arg);
        self
    }

    pub(crate) fn args(mut self, args: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.args.extend(args);
        self
    }

    /// Call the function: the answer after its `ok`, or the refusal it gave, as the core's error
    /// (`key` names the key in counter errors).
    pub(crate) fn run(&self, key: &str) -> Result<Vec<Value>, Error> {
        self.answer()?
            .map_err(|(code, rest)| refusal(&code, &rest, key))
    }

    /// Call the function: the answer after its `ok`, or the refusal's code and details.
    ///
    /// Every call carries a request id (its last argument), the same when it is sent again
    /// after a lost connection: memkv.lua records the answer of a write under it, and answers a
    /// call it has seen with the recorded answer instead of running it again. So a write whose
    /// reply was lost is applied once, and its retry reports what it did.
    fn answer(&self) -> Result<Result<Vec<Value>, Refusal>, Error> {
        let request = next_request();
        let mut sent = false;
        let answer = with_connection(|server, session| {
            let mut call = redis::cmd("FCALL");
            call.arg(&session.function)
                .arg(1)
                .arg(&session.store)
                .arg(self.name)
                .arg(self.bucket);
            for arg in &self.args {
                call.arg(*arg);
            }
            // Sent again, the id says so (`R` in front): only then can a record of it exist,
            // so only then does memkv.lua look for one.
            if std::mem::replace(&mut sent, true) {
                call.arg(format!("R{request}"));
            } else {
                call.arg(&request);
            }
            let answer = match call.query::<Vec<Value>>(server.connection()) {
                // An error reply (memkv.lua answers refusals as tables, never as errors): if the
                // server lacks this version's library — one seen for the first time, restarted
                // empty, or flushed — load it and call once more. `FUNCTION LIST` decides; and
                // if another instance loaded it since the call, the call, which did not run
                // ("Function not found"), is made once more too.
                Err(error) if error.code().is_some() => {
                    let missing = !server.has_library(&session.function)?;
                    if missing {
                        server.load_library(&session.library)?;
                    } else if !error.to_string().contains("Function not found") {
                        return Err(error);
                    }
                    call.query::<Vec<Value>>(server.connection())?
                }
                answer => answer?,
            };
            // With MEMKV_REDIS_WAIT, no answer to a write before the replicas have it.
            let replicated = match session.replicas {
                Some(replicas) if !READS.contains(&self.name) => {
                    let timeout = session.timeout / 2;
                    let acked = server.wait(replicas, timeout, &session.store)?;
                    (acked < replicas).then_some((acked, replicas, timeout))
                }
                _ => None,
            };
            Ok((answer, replicated))
        })?;
        let (answer, unreplicated) = answer;
        if let Some((acked, replicas, timeout)) = unreplicated {
            return Err(Error::Unavailable(format!(
                "memkv-redis: the primary applied the call, but {acked} of the {replicas} \
                 replicas MEMKV_REDIS_WAIT asks for acknowledged it within {} ms; a failover \
                 now could lose it",
                timeout.as_millis()
            )));
        }
        let mut answer = answer.into_iter();
        let code = answer.next().map(|code| text(&code)).unwrap_or_default();
        if code == "ok" {
            Ok(Ok(answer.collect()))
        } else {
            Ok(Err((code, answer.collect())))
        }
    }
}

/// A reply as text (empty for anything that is not a string or a number).
fn text(value: &Value) -> String {
    match value {
        Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Value::SimpleString(text) => text.clone(),
        Value::Int(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A reply that must be a number: anything else (a server or library that answers otherwise)
/// is an error naming the reply, never a number made up.
fn number<T: std::str::FromStr>(value: &Value) -> Result<T, Error> {
    let parsed = match value {
        Value::Int(_) | Value::BulkString(_) | Value::SimpleString(_) => text(value).parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        Error::Unavailable(format!(
            "memkv-redis: the server answered {value:?} where memkv.lua answers a number"
        ))
    })
}

/// A reply that must be a flag, 0 or 1.
fn flag(value: &Value) -> Result<bool, Error> {
    match number::<u8>(value)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::Unavailable(format!(
            "memkv-redis: the server answered {value:?} where memkv.lua answers 0 or 1"
        ))),
    }
}

/// A reply as bytes, if it is a string (`None` for nil).
fn bytes(value: Value) -> Option<Vec<u8>> {
    match value {
        Value::BulkString(bytes) => Some(bytes),
        Value::SimpleString(text) => Some(text.into_bytes()),
        _ => None,
    }
}

/// A reply as a list of strings.
fn strings(value: Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(text).collect(),
        _ => Vec::new(),
    }
}

/// A stored value without its write stamp: `None` if its lifetime has passed by this
/// instance's clock (the server removes it with the next call on its bucket); the error for
/// `key` if it marks a list or a set.
fn unstamped(mut stored: Vec<u8>, key: &str) -> Result<Option<Vec<u8>>, Error> {
    if let Some(kind) = marked(&stored) {
        return Err(Error::WrongKind {
            key: KeyName::from(key),
            holds: kind,
            wanted: Kind::Bytes,
        });
    }
    let mut header = STAMP;
    if stored.first() == Some(&b'E') {
        let deadline = stored
            .get(STAMP..STAMP + DEADLINE)
            .map(String::from_utf8_lossy);
        let deadline: u128 = deadline.and_then(|digits| digits.parse().ok()).unwrap_or(0);
        if deadline <= now_ms() {
            return Ok(None);
        }
        header += DEADLINE;
    }
    stored.drain(..header.min(stored.len()));
    Ok(Some(stored))
}

/// This instance's clock, in milliseconds since the epoch (0 if it reads before the epoch).
fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis())
}

/// The kind of collection a stored value marks (`L` or `S` and 15 hex digits of stamp; a
/// bytes value's stamp is 16 hex digits), or `None` for bytes.
fn marked(stored: &[u8]) -> Option<Kind> {
    match stored {
        [b'L', ..] if stored.len() == STAMP => Some(Kind::List),
        [b'S', ..] if stored.len() == STAMP => Some(Kind::Set),
        _ => None,
    }
}

/// A kind as `memkv.lua` names it.
fn kind_named(name: &str) -> Kind {
    match name {
        "list" => Kind::List,
        "set" => Kind::Set,
        _ => Kind::Bytes,
    }
}

fn limit(code: &str) -> Limit {
    match code {
        "key" => Limit::KeyBytes,
        "name" => Limit::BucketNameBytes,
        "value" => Limit::ValueBytes,
        "total" => Limit::TotalBytes,
        "entries" => Limit::EntriesPerBucket,
        _ => Limit::Buckets,
    }
}

fn counter_type(ty: &str) -> &'static str {
    match ty {
        "u64" => "u64",
        "s32" => "s32",
        _ => "s64",
    }
}

/// The core's error for a refusal of `memkv.lua`: the same error, and so the same message, the
/// in-memory engine gives.
fn refusal(code: &str, rest: &[Value], key: &str) -> Error {
    let at = |n: usize| rest.get(n).map(text).unwrap_or_default();
    match code {
        "quota" => Error::QuotaExceeded {
            limit: limit(&at(0)),
            needed: at(1).parse().unwrap_or_default(),
            max: at(2).parse().unwrap_or_default(),
        },
        "not-a-counter" => Error::NotACounter {
            key: KeyName::from(key),
            ty: counter_type(&at(0)),
        },
        "overflow" => Error::CounterOverflow {
            key: KeyName::from(key),
            current: at(0).parse().unwrap_or_default(),
            delta: at(1).parse().unwrap_or_default(),
            ty: counter_type(&at(2)),
        },
        // A refusal naming the key (of several) names it third.
        "wrong-kind" => Error::WrongKind {
            key: KeyName::from(rest.get(2).map(text).as_deref().unwrap_or(key)),
            holds: kind_named(&at(0)),
            wanted: kind_named(&at(1)),
        },
        "unknown-cursor" => Error::UnknownCursor(at(0).parse().unwrap_or_default()),
        "expired-cursor" => Error::ExpiredCursor(at(0).parse().unwrap_or_default()),
        "cursor-of-another-bucket" => {
            Error::CursorOfAnotherBucket(at(0).parse().unwrap_or_default())
        }
        other => Error::Unavailable(format!("memkv.lua refused with {other:?}")),
    }
}

/// Limits from their six fields in the order of [`LIMIT_FIELDS`]; a field that is missing (or
/// not a number) is the default.
fn limits_from(fields: &[Option<String>]) -> Limits {
    fn field<T: std::str::FromStr>(fields: &[Option<String>], n: usize, default: T) -> T {
        let value = fields.get(n).and_then(Option::as_deref);
        value
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    }
    let default = Limits::DEFAULT;
    Limits {
        max_key_bytes: field(fields, 0, default.max_key_bytes),
        max_value_bytes: field(fields, 1, default.max_value_bytes),
        max_total_bytes: field(fields, 2, default.max_total_bytes),
        max_entries_per_bucket: field(fields, 3, default.max_entries_per_bucket),
        max_buckets: field(fields, 4, default.max_buckets),
        page_size: field(fields, 5, default.page_size),
    }
}

/// `limits` as the function's six decimal arguments.
fn limit_args(limits: &Limits) -> [String; 6] {
    [
        limits.max_key_bytes.to_string(),
        limits.max_value_bytes.to_string(),
        limits.max_total_bytes.to_string(),
        limits.max_entries_per_bucket.to_string(),
        limits.max_buckets.to_string(),
        limits.page_size.to_string(),
    ]
}

/// The store as the server holds it, as an in-memory [`store::Store`].
fn dump() -> Result<(store::Store, Lifetimes), Error> {
    let mut answer = Op::new("dump", "").run("")?.into_iter();
    let limits: Vec<Option<String>> = strings(answer.next().unwrap_or_default())
        .into_iter()
        .map(Some)
        .collect();
    let mut store = store::Store::new();
    let mut lifetimes = Lifetimes::default();
    let most = Limits {
        max_key_bytes: u32::MAX,
        max_value_bytes: u32::MAX,
        max_total_bytes: u64::MAX,
        max_entries_per_bucket: u64::MAX,
        max_buckets: u32::MAX,
        page_size: u32::MAX,
    };
    store
        .set_limits(most)
        .map_err(|error| Error::Unavailable(error.to_string()))?;
    for bucket in answer {
        let Value::Array(parts) = bucket else {
            continue;
        };
        let mut parts = parts.into_iter();
        let name = text(&parts.next().unwrap_or_default());
        let id = store.open(&name)?;
        let Some(Value::Array(entries)) = parts.next() else {
            continue;
        };
        let mut entries = entries.into_iter();
        while let (Some(key), Some(value)) = (entries.next(), entries.next()) {
            let key = text(&key);
            let Value::Array(items) = value else {
                store.set(id, &key, bytes(value).unwrap_or_default())?;
                continue;
            };
            // A list or a set: its letter, then its items; or `E`, a deadline and bytes.
            let mut items = items.into_iter();
            let letter = items.next().map(|letter| text(&letter)).unwrap_or_default();
            if letter == "E" {
                let deadline = items.next().map(|at| text(&at)).unwrap_or_default();
                let deadline = deadline.parse().map_err(|_| {
                    Error::Unavailable(format!(
                        "the store's deadline of {key:?} is not a number: {deadline:?}"
                    ))
                })?;
                store.set(id, &key, items.next().and_then(bytes).unwrap_or_default())?;
                lifetimes.start(&store, &name, id, &key, deadline);
                continue;
            }
            let items = items.map(|item| bytes(item).unwrap_or_default()).collect();
            if letter == "L" {
                store.push(id, &key, items, End::Back)?;
            } else {
                store.set_add(id, &key, items)?;
            }
        }
    }
    store
        .set_limits(limits_from(&limits))
        .map_err(|error| Error::Unavailable(error.to_string()))?;
    Ok((store, lifetimes))
}

/// The Redis engine.
pub struct Redis;

impl Engine for Redis {
    type Bucket = BucketHandle;

    /// `golem:examples/api.get`. It has no error result: if the server cannot be reached it
    /// answers `none` (the other interfaces return the error).
    fn api_get(bucket: &str, key: &str) -> Option<Vec<u8>> {
        bucket::get(bucket, key).unwrap_or_else(unanswered)
    }

    /// `golem:examples/api.set`: a write a limit refuses, or that cannot reach the server, is not
    /// applied (no bucket is created for it).
    fn api_set(bucket: &str, key: &str, value: Vec<u8>) {
        let _refused = bucket::set(bucket, key, &value);
    }

    /// The limits in force; the defaults if the server cannot be reached (`get-limits` has no
    /// error result).
    fn limits() -> Limits {
        let fields = with_connection(|server, session| {
            redis::cmd("HMGET")
                .arg(&session.store)
                .arg(&LIMIT_FIELDS)
                .query::<Vec<Option<String>>>(server.connection())
        })
        .unwrap_or_else(unanswered);
        limits_from(&fields)
    }

    /// Replace the limits, unless what is stored passes one of them.
    fn set_limits(limits: Limits) -> Result<(), String> {
        let args = limit_args(&limits);
        let op = Op::new("set_limits", "").args(args.iter().map(|arg| arg.as_bytes()));
        let refused = match op.answer().map_err(|error| error.to_string())? {
            Ok(_) => return Ok(()),
            Err((code, _)) if code == "page-size-zero" => LimitsError::PageSizeZero,
            Err((code, rest)) if code == "stored" => {
                let at = |n: usize| rest.get(n).map(text).unwrap_or_default();
                LimitsError::StoredDoesNotFit {
                    limit: limit(&at(0)),
                    needed: at(1).parse().unwrap_or_default(),
                    max: at(2).parse().unwrap_or_default(),
                }
            }
            Err((code, rest)) => return Err(refusal(&code, &rest, "").to_string()),
        };
        Err(refused.to_string())
    }

    /// What the store holds, as its limits count it; zero if the server cannot be reached
    /// (`get-usage` has no error result).
    fn usage() -> Usage {
        let fields = with_connection(|server, session| {
            redis::cmd("HMGET")
                .arg(&session.store)
                .arg(&["bytes", "entries", "buckets"])
                .query::<Vec<Option<String>>>(server.connection())
        })
        .unwrap_or_else(unanswered);
        let field = |n: usize| fields.get(n).cloned().flatten().unwrap_or_default();
        Usage {
            total_bytes: field(0).parse().unwrap_or_default(),
            entries: field(1).parse().unwrap_or_default(),
            buckets: field(2).parse().unwrap_or_default(),
        }
    }

    /// The whole store as a snapshot in memkv's format, read in one call (so it is one moment of
    /// the store). `save` has no error result: if the server cannot be reached, or memory for the
    /// snapshot cannot be had, it returns an empty list, which no `load` accepts (a Golem update
    /// then fails and the worker keeps its state).
    fn save() -> Vec<u8> {
        dump()
            .and_then(|(store, lifetimes)| store.save_with(&lifetimes))
            .unwrap_or_else(unanswered)
    }

    /// Replace every bucket with a snapshot's, in one call, or change nothing. The snapshot is
    /// checked completely first, by the same code as the in-memory engine's.
    fn load(bytes: &[u8]) -> Result<(), String> {
        let (loaded, deadlines) =
            store::Store::load_with(bytes).map_err(|error: SnapshotError| error.to_string())?;
        let usage = loaded.usage();
        let mut numbers: Vec<String> = limit_args(&loaded.limits()).into();
        numbers.extend([
            usage.total_bytes.to_string(),
            usage.entries.to_string(),
            usage.buckets.to_string(),
        ]);
        // Every number the arguments hold, made first so that the arguments can borrow them.
        let counts: Vec<String> = loaded
            .buckets()
            .map(|(_, id)| loaded.len(id).to_string())
            .collect();
        let item_counts: Vec<String> = loaded
            .buckets()
            .flat_map(|(_, id)| loaded.entries(id))
            .filter_map(|(_, value)| match value {
                Entry::Bytes(_) => None,
                collection => Some(collection.count().to_string()),
            })
            .collect();
        let mut item_counts = item_counts.iter();
        // Each key's deadline as text, by bucket and key (only bytes have one).
        let deadlines: BTreeMap<(&str, &str), String> = deadlines
            .iter()
            .map(|deadline| ((&*deadline.bucket, &*deadline.key), deadline.at.to_string()))
            .collect();
        let mut op = Op::new("load", "").args(numbers.iter().map(String::as_bytes));
        for ((name, id), count) in loaded.buckets().zip(&counts) {
            op = op.arg(name.as_bytes()).arg(count.as_bytes());
            for (key, value) in loaded.entries(id) {
                op = op.arg(key.as_bytes());
                op = match value {
                    Entry::Bytes(value) => match deadlines.get(&(name, key)) {
                        Some(at) => op.arg(b"E").arg(at.as_bytes()).arg(value),
                        None => op.arg(b"b").arg(value),
                    },
                    collection => {
                        let letter: &[u8] = if collection.kind() == Kind::List {
                            b"L"
                        } else {
                            b"S"
                        };
                        let count = item_counts
                            .next()
                            .map_or(&b"0"[..], |count| count.as_bytes());
                        op.arg(letter).arg(count).args(collection.items())
                    }
                };
            }
        }
        op.run("")
            .map(drop)
            .map_err(|error| format!("snapshot cannot be loaded: {error}"))
    }
}
