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
            watchdog: None,
        };
        server.spawn(extra)?;
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

    fn spawn(&mut self, extra: &[&str]) -> Result<()> {
        let binary = find_redis_server()?;
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
            .args(extra)
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
        self.spawn(&[])
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `redis-server` on the `PATH`, or an error naming the command that installs it.
fn find_redis_server() -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
        .with_context(|| {
            format!(
                "redis-server is not installed, and memkv-redis's tests need it: run `{INSTALL}`"
            )
        })
}

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
