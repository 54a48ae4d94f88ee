//! Real Redis servers for memkv-redis's tests and benchmarks: `redis-server` from the system,
//! started on a free loopback port in a directory of its own, and stopped by PID.
//!
//! A server is watched by a small shell that holds the read end of a pipe from this process: when
//! the test process ends, however it ends, the pipe closes and the shell kills the server. A
//! [`RedisServer`] that is dropped kills it at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How to get `redis-server` where it is missing.
const INSTALL: &str = "apt-get install -y redis-server";

/// How to get `openssl` (which makes the test CA) where it is missing.
const INSTALL_OPENSSL: &str = "apt-get install -y openssl";

/// One `redis-server` on 127.0.0.1, with append-only persistence in its own directory.
pub struct RedisServer {
    port: u16,
    dir: tempfile::TempDir,
    /// Arguments beyond the ones every server gets, kept for restarts.
    extra: Vec<String>,
    watchdog: Option<Watchdog>,
}

/// The shell that kills the server when this process ends, and the pipe it waits on.
struct Watchdog {
    shell: Child,
    _pipe: ChildStdin,
    pid: u32,
}

impl RedisServer {
    /// Start a server on a free port; fails, naming the install command, if `redis-server` is
    /// not installed.
    pub fn start() -> Result<Self> {
        Self::start_with(&[])
    }

    /// Start a server on a free port with extra `redis-server` arguments (`--cluster-enabled
    /// yes`, …).
    pub fn start_with(extra: &[&str]) -> Result<Self> {
        let port = free_port()?;
        let dir = tempfile::tempdir().context("a directory for redis-server")?;
        let mut server = Self {
            port,
            dir,
            extra: extra.iter().map(|arg| (*arg).to_owned()).collect(),
            watchdog: None,
        };
        server.spawn()?;
        Ok(server)
    }

    /// Start a server that also listens for TLS, on [`RedisServer::tls_port`], with the
    /// certificate `ca` issued for `names` (`DNS:localhost`, `IP:127.0.0.1`); with
    /// `client_certificates`, it accepts only clients with a certificate `ca` issued.
    pub fn start_tls(ca: &TestCa, names: &str, client_certificates: bool) -> Result<Self> {
        Self::start_tls_with(ca, names, client_certificates, &[])
    }

    fn start_tls_with(
        ca: &TestCa,
        names: &str,
        client_certificates: bool,
        extra: &[&str],
    ) -> Result<Self> {
        let (cert, key) = ca.issue(names)?;
        let tls_port = free_port()?.to_string();
        let [cert, key, ca_file] =
            [&cert, &key, &ca.ca_file()].map(|path| path.display().to_string());
        let auth = if client_certificates { "yes" } else { "no" };
        let mut args = vec![
            "--tls-port",
            &tls_port,
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca_file,
            "--tls-auth-clients",
            auth,
        ];
        args.extend(extra);
        Self::start_with(&args)
    }

    /// The server's TLS port (a server from [`RedisServer::start_tls`]).
    pub fn tls_port(&self) -> Option<u16> {
        let at = self.extra.iter().position(|arg| arg == "--tls-port")?;
        self.extra.get(at + 1)?.parse().ok()
    }

    /// The `redis://` URL of the server.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    fn spawn(&mut self) -> Result<()> {
        let binary = find_program("redis-server")?;
        let port = self.port.to_string();
        let mut shell = Command::new("sh")
            .args([
                "-c",
                r#"server="$1"; shift; "$server" "$@" & pid=$!; echo $pid; read _; kill $pid"#,
                "sh",
            ])
            .arg(&binary)
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--logfile", "redis.log", "--protected-mode", "no"])
            .args(&self.extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pipe = shell.stdin.take().context("the watchdog's pipe")?;
        let mut pid = String::new();
        BufReader::new(shell.stdout.take().context("the watchdog's output")?)
            .read_line(&mut pid)
            .context("the server's process id")?;
        let pid = pid.trim().parse().context("the server's process id")?;
        self.watchdog = Some(Watchdog {
            shell,
            _pipe: pipe,
            pid,
        });
        self.wait_ready()
    }

    /// Wait until the server answers `PING`.
    fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self
                .command(b"PING\r\n")
                // A server whose default user is off answers, but not PONG.
                .is_ok_and(|reply| reply.starts_with("+PONG") || reply.starts_with("-NOAUTH"))
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "redis-server on port {} did not answer within 10 s; see {}",
                    self.port,
                    self.dir.path().join("redis.log").display()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Send one inline command and read its first reply chunk.
    pub fn command(&self, command: &[u8]) -> Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(command)?;
        let mut reply = [0; 4096];
        let n = stream.read(&mut reply)?;
        Ok(String::from_utf8_lossy(&reply[..n]).into_owned())
    }

    /// Run one command with `redis-cli` against this server; its output, or an error with it.
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        let cli = find_program("redis-cli")?;
        let output = Command::new(&cli)
            .args(["-p", &self.port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", cli.display()))?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() || text.starts_with("ERR") {
            bail!("redis-cli {} failed: {text}", args.join(" "));
        }
        Ok(text)
    }

    /// Kill the server (by PID) and wait until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = Command::new("kill")
                .args(["-9", &watchdog.pid.to_string()])
                .status();
            drop(watchdog._pipe);
            let _ = watchdog.shell.wait();
        }
    }

    /// Kill the server and start it again on the same port and directory: what it acknowledged
    /// is still there (append-only, fsync always).
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A local Redis Cluster: `redis-server`s in cluster mode, their slots assigned by
/// `redis-cli --cluster create`, with or without a replica for each primary.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

/// The arguments of a cluster node with `cluster-node-timeout` `node_timeout` (ms).
fn cluster_args(node_timeout: &str) -> Vec<&str> {
    vec![
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        node_timeout,
    ]
}

/// Whether `node` is a primary, or a replica whose link to its primary is up.
fn in_sync(node: &RedisServer) -> bool {
    node.command(b"INFO replication\r\n")
        .is_ok_and(|info| info.contains("role:master") || info.contains("master_link_status:up"))
}

/// A node as `CLUSTER NODES` describes it.
struct NodeLine {
    id: String,
    port: u16,
    primary: bool,
    /// The id of its primary, for a replica.
    primary_id: Option<String>,
    /// The slot ranges it serves, for a primary.
    slots: Vec<(u16, u16)>,
}

impl RedisCluster {
    /// Start `nodes` servers and join them into one cluster (no replicas); returns once every
    /// node says the cluster is ok.
    pub fn start(nodes: usize) -> Result<Self> {
        Self::start_with(nodes, 0, 5000)
    }

    /// Start `primaries` × (1 + `replicas`) servers and join them into one cluster, each primary
    /// with `replicas` replicas and a `cluster-node-timeout` of `node_timeout_ms` (after which a
    /// primary that does not answer is failed over to a replica); returns once every node says
    /// the cluster is ok and every replica is in sync.
    pub fn start_with(primaries: usize, replicas: usize, node_timeout_ms: u32) -> Result<Self> {
        let node_timeout = node_timeout_ms.to_string();
        let nodes = (0..primaries * (1 + replicas))
            .map(|_| RedisServer::start_with(&cluster_args(&node_timeout)))
            .collect::<Result<Vec<_>>>()?;
        Self::create(nodes, replicas)
    }

    /// Start `primaries` servers that listen for TLS too, with certificates from `ca` for
    /// 127.0.0.1 (the address the nodes announce), their cluster bus over TLS, and join them
    /// into one cluster: a TLS client is told the nodes' TLS ports.
    pub fn start_tls(ca: &TestCa, primaries: usize) -> Result<Self> {
        let mut args = cluster_args("5000");
        args.extend(["--tls-cluster", "yes", "--tls-replication", "yes"]);
        let nodes = (0..primaries)
            .map(|_| RedisServer::start_tls_with(ca, "IP:127.0.0.1", false, &args))
            .collect::<Result<Vec<_>>>()?;
        Self::create(nodes, 0)
    }

    /// The seed URLs of a cluster from [`RedisCluster::start_tls`]: `rediss://127.0.0.1:<TLS
    /// port>`, comma-separated.
    pub fn tls_seeds(&self) -> String {
        let urls: Vec<String> = self
            .nodes
            .iter()
            .filter_map(|node| Some(format!("rediss://127.0.0.1:{}", node.tls_port()?)))
            .collect();
        urls.join(",")
    }

    /// Join `nodes` into one cluster with `replicas` replicas per primary.
    fn create(nodes: Vec<RedisServer>, replicas: usize) -> Result<Self> {
        let cli = find_program("redis-cli")?;
        let created = Command::new(&cli)
            .args(["--cluster", "create"])
            .args(
                nodes
                    .iter()
                    .map(|node| format!("127.0.0.1:{}", node.port())),
            )
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", cli.display()))?;
        if !created.status.success() {
            bail!(
                "redis-cli --cluster create failed: {}",
                String::from_utf8_lossy(&created.stdout)
            );
        }
        let cluster = Self { nodes };
        cluster.wait_ok(in_sync)?;
        Ok(cluster)
    }

    /// Wait until every live node says the cluster is ok, and `ready` holds for each.
    fn wait_ok(&self, ready: impl Fn(&RedisServer) -> bool) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        for node in self.nodes.iter().filter(|node| node.watchdog.is_some()) {
            while !node
                .command(b"CLUSTER INFO\r\n")
                .is_ok_and(|info| info.contains("cluster_state:ok"))
                || !ready(node)
            {
                if Instant::now() > deadline {
                    bail!(
                        "the cluster on port {} did not become ok within 30 s",
                        node.port()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    /// The nodes' URLs, comma-separated: what `MEMKV_REDIS_CLUSTER` takes.
    pub fn seeds(&self) -> String {
        let urls: Vec<String> = self.nodes.iter().map(RedisServer::url).collect();
        urls.join(",")
    }

    /// The node on `port`.
    pub fn node(&self, port: u16) -> Result<&RedisServer> {
        self.nodes
            .iter()
            .find(|node| node.port() == port)
            .context("a node of this cluster")
    }

    /// A node that is running.
    fn live(&self) -> Result<&RedisServer> {
        self.nodes
            .iter()
            .find(|node| node.watchdog.is_some())
            .context("a live node")
    }

    /// The nodes as a live node's `CLUSTER NODES` describes them.
    fn describe(&self) -> Result<Vec<NodeLine>> {
        let text = self.live()?.cli(&["CLUSTER", "NODES"])?;
        let mut nodes = Vec::new();
        for line in text.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(id), Some(address), Some(flags), Some(primary_id)) =
                (fields.first(), fields.get(1), fields.get(2), fields.get(3))
            else {
                continue;
            };
            let port: u16 = address
                .split(['@', ':'])
                .nth(1)
                .and_then(|port| port.parse().ok())
                .context("CLUSTER NODES names each node's port")?;
            let slots = fields
                .iter()
                .skip(8)
                .filter_map(|range| {
                    let mut ends = range.split('-').map(|end| end.parse::<u16>());
                    match (ends.next(), ends.next()) {
                        (Some(Ok(start)), Some(Ok(end))) => Some((start, end)),
                        (Some(Ok(only)), None) => Some((only, only)),
                        _ => None,
                    }
                })
                .collect();
            nodes.push(NodeLine {
                id: (*id).to_owned(),
                port,
                primary: flags.split(',').any(|flag| flag == "master") && !flags.contains("fail"),
                primary_id: (*primary_id != "-").then(|| (*primary_id).to_owned()),
                slots,
            });
        }
        Ok(nodes)
    }

    /// The hash slot of `key`.
    fn slot_of(&self, key: &str) -> Result<u16> {
        self.live()?
            .cli(&["CLUSTER", "KEYSLOT", key])?
            .trim()
            .parse()
            .context("CLUSTER KEYSLOT answers a number")
    }

    /// The port of the primary that serves `key`, and of a replica of it (if it has one).
    pub fn primary_of(&self, key: &str) -> Result<(u16, Option<u16>)> {
        let slot = self.slot_of(key)?;
        let nodes = self.describe()?;
        let primary = nodes
            .iter()
            .find(|node| {
                node.primary
                    && node
                        .slots
                        .iter()
                        .any(|(start, end)| (*start..=*end).contains(&slot))
            })
            .context("some primary serves the slot")?;
        let replica = nodes
            .iter()
            .find(|node| node.primary_id.as_deref() == Some(&primary.id))
            .map(|node| node.port);
        Ok((primary.port, replica))
    }

    /// The node on `port`, to stop or start.
    fn node_mut(&mut self, port: u16) -> Result<&mut RedisServer> {
        self.nodes
            .iter_mut()
            .find(|node| node.port() == port)
            .context("a node of this cluster")
    }

    /// Kill the node on `port` (by PID), as a crash would.
    pub fn kill(&mut self, port: u16) {
        if let Ok(node) = self.node_mut(port) {
            node.kill();
        }
    }

    /// Start the node on `port` again, on its port and directory: it rejoins the cluster (as a
    /// replica, if its slots were failed over meanwhile).
    pub fn restart(&mut self, port: u16) -> Result<()> {
        self.node_mut(port)?.restart()?;
        self.wait_ok(in_sync)
    }

    /// Move the hash slot of `key` to another node, keys and all, as a resharding does: the
    /// slot is marked importing and migrating, its keys are moved with `MIGRATE`, and every
    /// node is told the new owner. Clients that still send to the old node get `MOVED`.
    /// Returns the slot's old and new owner's ports.
    pub fn move_slot_of(&self, key: &str) -> Result<(u16, u16)> {
        let slot_number = self.slot_of(key)?;
        let slot = slot_number.to_string();
        let nodes = self.describe()?;
        let from = nodes
            .iter()
            .find(|node| {
                node.slots
                    .iter()
                    .any(|(start, end)| (*start..=*end).contains(&slot_number))
            })
            .context("some node owns the slot")?;
        let to = nodes
            .iter()
            .find(|node| node.primary && node.id != from.id)
            .context("the cluster has another primary")?;
        let (from_id, from_port, to_id, to_port) = (&from.id, from.port, &to.id, to.port);
        let (from, to) = (self.node(from_port)?, self.node(to_port)?);
        to.cli(&["CLUSTER", "SETSLOT", &slot, "IMPORTING", from_id])?;
        from.cli(&["CLUSTER", "SETSLOT", &slot, "MIGRATING", to_id])?;
        loop {
            let keys = from.cli(&["CLUSTER", "GETKEYSINSLOT", &slot, "100"])?;
            let keys: Vec<&str> = keys.lines().filter(|key| !key.is_empty()).collect();
            if keys.is_empty() {
                break;
            }
            let port = to_port.to_string();
            let mut migrate = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
            migrate.extend(keys);
            from.cli(&migrate)?;
        }
        for node in &self.nodes {
            node.cli(&["CLUSTER", "SETSLOT", &slot, "NODE", to_id])?;
        }
        Ok((from_port, to_port))
    }
}

/// `openssl req`'s arguments for a new ECDSA P-256 key, unencrypted.
const NEW_KEY: &[&str] = &[
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
];

/// A certificate authority of the test's own, made with `openssl` in a directory of its own: it
/// issues servers' and clients' certificates (ECDSA P-256, valid for two days).
pub struct TestCa {
    dir: tempfile::TempDir,
    issued: std::cell::Cell<u32>,
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Result<Self> {
        let ca = Self {
            dir: tempfile::tempdir().context("a directory for the test CA")?,
            issued: std::cell::Cell::new(0),
        };
        let subject = format!("/CN={name}");
        let out = ["-keyout", "ca.key", "-out", "ca.crt", "-subj", &subject];
        ca.openssl(&[&["req", "-x509", "-days", "2"], NEW_KEY, &out])?;
        Ok(ca)
    }

    /// The CA's certificate (PEM file).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// The CA's certificate as PEM text.
    pub fn ca_pem(&self) -> Result<String> {
        std::fs::read_to_string(self.ca_file()).context("reading the test CA's certificate")
    }

    /// A new certificate and its key (PEM files) for `names`, a `subjectAltName` list
    /// (`DNS:localhost,IP:127.0.0.1`).
    pub fn issue(&self, names: &str) -> Result<(PathBuf, PathBuf)> {
        let n = self.issued.get();
        self.issued.set(n + 1);
        let [key, request, cert, extensions] =
            ["key", "csr", "crt", "ext"].map(|suffix| format!("issued-{n}.{suffix}"));
        std::fs::write(
            self.dir.path().join(&extensions),
            format!("subjectAltName={names}\n"),
        )?;
        let subject = format!("/CN=memkv test {n}");
        let out = ["-keyout", &key, "-out", &request, "-subj", &subject];
        self.openssl(&[&["req"], NEW_KEY, &out])?;
        let ca = [
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
        ];
        let out = ["-in", &request, "-out", &cert, "-extfile", &extensions];
        self.openssl(&[&["x509", "-req"], &ca, &out])?;
        Ok((self.dir.path().join(cert), self.dir.path().join(key)))
    }

    /// Run `openssl` in the CA's directory with the concatenation of `parts` as arguments.
    fn openssl(&self, parts: &[&[&str]]) -> Result<()> {
        let args = parts.concat();
        let openssl = find_program("openssl").map_err(|_| {
            anyhow::anyhow!(
                "openssl is not installed, and the TLS tests need it: run `{INSTALL_OPENSSL}`"
            )
        })?;
        let output = Command::new(openssl)
            .args(&args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .context("running openssl")?;
        if !output.status.success() {
            bail!(
                "openssl {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

/// `program` (`redis-server`, `redis-cli`) on the `PATH`, or an error naming the command that
/// installs it.
fn find_program(program: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .with_context(|| {
            format!("{program} is not installed, and memkv-redis's tests need it: run `{INSTALL}`")
        })
}

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
