//! Real Redis servers for memkv-redis's tests and benchmarks: `redis-server` from the system,
//! started on a free loopback port in a directory of its own, and stopped by PID.
//!
//! A server is watched by a small shell that holds the read end of a pipe from this process: when
//! the test process ends, however it ends, the pipe closes and the shell kills the server. A
//! [`RedisServer`] that is dropped kills it at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How to get `redis-server` where it is missing.
const INSTALL: &str = "apt-get install -y redis-server";

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

    /// The `redis://` URL of the server.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's directory (its append-only file lives there).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's process id.
    pub fn pid(&self) -> Option<u32> {
        self.watchdog.as_ref().map(|watchdog| watchdog.pid)
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
                .is_ok_and(|reply| reply.starts_with("+PONG"))
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
/// `redis-cli --cluster create` (no replicas).
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Start `nodes` servers and join them into one cluster; returns once every node says the
    /// cluster is ok.
    pub fn start(nodes: usize) -> Result<Self> {
        let nodes = (0..nodes)
            .map(|_| {
                RedisServer::start_with(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "5000",
                ])
            })
            .collect::<Result<Vec<_>>>()?;
        let cli = find_program("redis-cli")?;
        let created = Command::new(&cli)
            .args(["--cluster", "create"])
            .args(
                nodes
                    .iter()
                    .map(|node| format!("127.0.0.1:{}", node.port())),
            )
            .args(["--cluster-replicas", "0", "--cluster-yes"])
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
        cluster.wait_ok()?;
        Ok(cluster)
    }

    fn wait_ok(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        for node in &self.nodes {
            while !node
                .command(b"CLUSTER INFO\r\n")
                .is_ok_and(|info| info.contains("cluster_state:ok"))
            {
                if Instant::now() > deadline {
                    bail!(
                        "the cluster on port {} did not become ok within 20 s",
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

    /// The cluster's nodes.
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
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
