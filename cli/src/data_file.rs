//! A memkv store kept in a file between runs, as `memkv --data <file>` uses it: each run loads
//! the snapshot into a fresh instance, works through the component, and saves atomically.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

use memkv_host::{Clock, Compiled, MemkvInstance};

/// A snapshot file, locked for the life of this value: shared for reading, exclusive for
/// writing, through a `<file>.lock` beside it (the snapshot itself is replaced by each save, so
/// it cannot carry the lock). Runs that overlap therefore apply one after the other.
pub struct DataFile {
    path: PathBuf,
    _lock: File,
}

impl DataFile {
    /// Lock the snapshot at `path`, exclusively if this run will `write`; waits for other runs.
    pub fn lock(path: &Path, write: bool) -> Result<Self> {
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| {
                format!("opening the lock file {}", Path::new(&lock_path).display())
            })?;
        if write {
            lock.lock()
        } else {
            lock.lock_shared()
        }
        .with_context(|| format!("locking {}", path.display()))?;
        Ok(Self {
            path: path.to_owned(),
            _lock: lock,
        })
    }

    /// A fresh instance holding the file's snapshot, or an empty one if there is no file yet.
    pub fn load(&self, compiled: &Compiled) -> Result<MemkvInstance<Clock>> {
        let mut memkv = compiled.instantiate_clocked()?;
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(memkv),
            Err(error) => {
                return Err(error).with_context(|| format!("reading {}", self.path.display()));
            }
        };
        memkv
            .snapshot()
            .load(&bytes)?
            .map_err(|message| anyhow!("cannot load {}: {message}", self.path.display()))?;
        Ok(memkv)
    }

    /// Save `memkv`'s snapshot to the file with [`write_atomically`].
    pub fn save(&self, memkv: &mut MemkvInstance<Clock>) -> Result<()> {
        let snapshot = memkv.snapshot().save()?;
        write_atomically(&self.path, &snapshot)
            .with_context(|| format!("saving {}", self.path.display()))
    }
}

/// Replace the file at `path` with `bytes` so that a crash at any moment leaves either the old
/// file or the new one, whole: write a temporary file in the same directory, flush it to disk,
/// rename it over `path`, then flush the directory so the rename itself is durable.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = dir.join(temporary_name);
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
        return written;
    }
    File::open(dir)?.sync_all()
}
