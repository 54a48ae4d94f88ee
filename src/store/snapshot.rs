//! Snapshots: the whole store — limits, buckets, entries — as bytes, and back.
//!
//! The format (versions 2 and 3) is documented in `SNAPSHOT.md` at the repository root. In
//! short, all integers little-endian:
//!
//! ```text
//! magic          8   89 6d 65 6d 6b 76 0d 0a  ("\x89memkv\r\n")
//! version        u32 2, or 3 if some key has a lifetime
//! length         u64 bytes in the whole snapshot, checksum included
//! limits         u32 max-key-bytes, u32 max-value-bytes, u64 max-total-bytes,
//!                u64 max-entries-per-bucket, u32 max-buckets, u32 page-size
//! bucket count   u32
//! per bucket, names in ascending byte order:
//!   name         u32 length, UTF-8 bytes
//!   entry count  u64
//!   per entry, keys in ascending byte order:
//!     key        u32 length, UTF-8 bytes
//!     kind       u8  0 bytes, 1 list, 2 set, 3 bytes with a lifetime (version 3 only)
//!     bytes:     u32 length, bytes
//!     bytes with a lifetime: u64 deadline (milliseconds since the Unix epoch), u32 length, bytes
//!     list, set: u32 count (at least 1), then per item u32 length, bytes (set members unique,
//!                in ascending byte order)
//! checksum       u32 CRC-32 (IEEE) of every byte before it
//! ```
//!
//! Version 1, written before lists and sets, has no kind byte: every value is bytes. It still
//! loads. Version 3 is version 2 with kind 3, written only when some key has a lifetime
//! (wasmCloud's `ttl-ms`, waSCC's `expires`), so a store without one saves the same bytes as
//! before, which older memkv reads; a version 3 snapshot without a kind 3 entry is malformed.
//!
//! The same store (and lifetimes) always saves to the same bytes, and every byte string
//! [`Store::load_with`] accepts is exactly what [`Store::save_with`] of what it loaded returns.

use std::collections::{BTreeSet, VecDeque};

use super::{Entry, Error, Kind, Lifetimes, Limits, Store};

/// The first bytes of every snapshot. The high first byte and the CR LF catch transfers that
/// mangle binary files, as in PNG.
pub const MAGIC: [u8; 8] = *b"\x89memkv\r\n";

/// The format version this code writes for a store whose keys have no lifetime. It reads this
/// one, [`VERSION_3`] and [`VERSION_1`].
pub const VERSION: u32 = 2;

/// The format version with lifetimes: this code writes it when some key has one.
pub const VERSION_3: u32 = 3;

/// The first version, with bytes values only.
pub const VERSION_1: u32 = 1;

/// The kind byte of each kind of entry, in version 2 (and 3: [`TIMED`]).
const BYTES: u8 = 0;
const LIST: u8 = 1;
const SET: u8 = 2;
const TIMED: u8 = 3;

/// A key's lifetime, as a snapshot carries it: the key, its bucket, and its deadline in
/// milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The bucket's identifier.
    pub bucket: Box<str>,
    /// The key.
    pub key: Box<str>,
    /// When the key expires, in milliseconds since the Unix epoch.
    pub at: u64,
}

/// Where the limits start: after magic, version and length.
const LIMITS_AT: usize = 8 + 4 + 8;

/// Bytes before the first bucket: magic, version, length, limits, bucket count.
const HEADER: usize = LIMITS_AT + 32 + 4;

/// Bytes of the trailing checksum.
const CHECKSUM: usize = 4;

/// Why a snapshot could not be loaded. Loading builds a new store and replaces the old one only
/// when everything succeeded, so on any of these the current state is untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a memkv snapshot: the bytes do not start with the memkv magic number")]
    NotASnapshot,
    /// A version this code does not read.
    #[error(
        "snapshot format version {0} is not supported: this memkv reads versions {VERSION_1} \
         to {VERSION_3}"
    )]
    UnsupportedVersion(u32),
    /// Fewer bytes than the snapshot's header says it has.
    #[error("snapshot is truncated: {len} bytes of {expected}")]
    Truncated {
        /// Bytes given.
        len: usize,
        /// Bytes the header announces (or the smallest snapshot, if even the header is cut).
        expected: u64,
    },
    /// More bytes than the snapshot's header says it has.
    #[error("snapshot has {extra} bytes after its end ({expected} bytes)")]
    TrailingBytes {
        /// Bytes past the end.
        extra: u64,
        /// Bytes the header announces.
        expected: u64,
    },
    /// The checksum does not match the bytes.
    #[error(
        "snapshot is corrupted: its checksum is {stored:#010x} but its bytes sum to {computed:#010x}"
    )]
    Corrupted {
        /// The checksum the snapshot carries.
        stored: u32,
        /// The checksum of its bytes.
        computed: u32,
    },
    /// Well-checksummed bytes that break the format: only a writer other than memkv makes these.
    #[error("snapshot is malformed at byte {at}: {why}")]
    Malformed {
        /// Offset of the offending field.
        at: usize,
        /// What is wrong with it.
        why: String,
    },
    /// The contents do not fit the limits the snapshot carries, or memory ran out.
    #[error("snapshot cannot be loaded: {0}")]
    Refused(Error),
    /// Keys with a lifetime, for a store that cannot end one (it has no clock).
    #[error(
        "snapshot cannot be loaded: it has keys with a lifetime ({keys}), and this store has no \
         clock to end them (memkv.wasm imports nothing): load it into one that has, the async \
         artifacts or memkv-redis"
    )]
    Lifetimes {
        /// How many keys have a lifetime.
        keys: usize,
    },
}

impl Store {
    /// The whole store as a snapshot: limits, every bucket (empty ones too) and every entry.
    /// Listings in progress are not saved: their cursors are unknown to the loaded store. Fails
    /// only if the snapshot's buffer cannot be allocated. O(total bytes).
    pub fn save(&self) -> Result<Vec<u8>, Error> {
        self.save_with(&Lifetimes::default())
    }

    /// [`Store::save`], with the deadline of each key whose lifetime is running (in version 3
    /// if there is one). O(total bytes + k log k) for k keys with a lifetime.
    pub fn save_with(&self, lifetimes: &Lifetimes) -> Result<Vec<u8>, Error> {
        // Only bytes can have a lifetime: a write that made the key a list or a set ended it.
        let deadline = |name: &str, key: &str, value: &Entry| match value {
            Entry::Bytes(_) if !lifetimes.is_empty() => lifetimes.deadline(self, name, key),
            _ => None,
        };
        let mut len = HEADER + CHECKSUM;
        let mut timed = false;
        for (name, &id) in &self.names {
            let bucket = self.bucket(id);
            len += 4 + name.len() + 8;
            for (key, value) in bucket.unordered() {
                len += 4 + key.len() + encoded_len(value);
                if deadline(name, key, value).is_some() {
                    len += 8;
                    timed = true;
                }
            }
        }
        let mut out = Vec::new();
        out.try_reserve_exact(len)
            .map_err(|_| Error::OutOfMemory("a snapshot"))?;
        out.extend_from_slice(&MAGIC);
        let version = if timed { VERSION_3 } else { VERSION };
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(len as u64).to_le_bytes());
        let limits = self.limits;
        out.extend_from_slice(&limits.max_key_bytes.to_le_bytes());
        out.extend_from_slice(&limits.max_value_bytes.to_le_bytes());
        out.extend_from_slice(&limits.max_total_bytes.to_le_bytes());
        out.extend_from_slice(&limits.max_entries_per_bucket.to_le_bytes());
        out.extend_from_slice(&limits.max_buckets.to_le_bytes());
        out.extend_from_slice(&limits.page_size.to_le_bytes());
        out.extend_from_slice(&length_u32(self.names.len()).to_le_bytes());
        for (name, &id) in &self.names {
            let bucket = self.bucket(id);
            put_bytes(&mut out, name.as_bytes());
            out.extend_from_slice(&(bucket.len() as u64).to_le_bytes());
            for (key, value) in bucket.entries() {
                put_bytes(&mut out, key.as_bytes());
                match (deadline(name, key, value), value) {
                    (Some(at), Entry::Bytes(value)) => {
                        out.push(TIMED);
                        out.extend_from_slice(&at.to_le_bytes());
                        put_bytes(&mut out, value);
                    }
                    _ => put_entry(&mut out, value),
                }
            }
        }
        out.extend_from_slice(&crc32fast::hash(&out).to_le_bytes());
        debug_assert_eq!(out.len(), len);
        Ok(out)
    }

    /// The store a snapshot describes, checked completely: framing, version, checksum, format,
    /// and every bucket and entry against the limits the snapshot carries, through the same
    /// checks as a write. Entries come in key order, so each bucket's ordered index is built in
    /// one pass. O(total bytes + n). Refuses a snapshot with lifetimes: a store without a clock
    /// could not end them ([`Store::load_with`] takes them).
    pub fn load(bytes: &[u8]) -> Result<Store, SnapshotError> {
        let (store, deadlines) = Store::load_with(bytes)?;
        if !deadlines.is_empty() {
            return Err(SnapshotError::Lifetimes {
                keys: deadlines.len(),
            });
        }
        Ok(store)
    }

    /// [`Store::load`], and the deadlines of the keys with a lifetime, in snapshot order (for
    /// [`Lifetimes::loaded`]); deadlines already passed included.
    pub fn load_with(bytes: &[u8]) -> Result<(Store, Vec<Deadline>), SnapshotError> {
        let (version, body) = check_frame(bytes)?;
        let mut reader = Reader {
            bytes: body,
            at: LIMITS_AT,
        };
        let limits = Limits {
            max_key_bytes: reader.u32()?,
            max_value_bytes: reader.u32()?,
            max_total_bytes: reader.u64()?,
            max_entries_per_bucket: reader.u64()?,
            max_buckets: reader.u32()?,
            page_size: reader.u32()?,
        };
        let mut store = Store::new();
        store
            .set_limits(limits)
            .map_err(|why| SnapshotError::Malformed {
                at: LIMITS_AT,
                why: format!("invalid limits: {why}"),
            })?;
        let buckets = reader.u32()?;
        let mut deadlines = Vec::new();
        let mut previous_name = None;
        for _ in 0..buckets {
            let name = reader.str_after(&mut previous_name, "bucket identifier")?;
            let bucket = store.open(name).map_err(SnapshotError::Refused)?;
            let entries = reader.u64()?;
            // Room for as many entries as the rest of the snapshot can hold (each takes at
            // least 8 bytes) and the limits allow (each is charged at least ENTRY_OVERHEAD),
            // reserved at once: a lying count costs no more than the bytes it came with.
            let possible = ((body.len() - reader.at) / 8) as u64;
            let affordable = store
                .limits
                .max_total_bytes
                .saturating_sub(store.usage.total_bytes)
                / super::ENTRY_OVERHEAD;
            let room = entries
                .min(possible)
                .min(affordable)
                .min(store.limits.max_entries_per_bucket);
            store
                .bucket_mut(bucket)
                .reserve(usize::try_from(room).unwrap_or(usize::MAX))
                .map_err(SnapshotError::Refused)?;
            let mut previous_key = None;
            for _ in 0..entries {
                let key = reader.str_after(&mut previous_key, "key")?;
                let at = reader.at;
                let mut kind = if version == VERSION_1 {
                    BYTES
                } else {
                    reader.u8()?
                };
                if kind == TIMED && version == VERSION_3 {
                    deadlines.push(Deadline {
                        bucket: name.into(),
                        key: key.into(),
                        at: reader.u64()?,
                    });
                    kind = BYTES;
                } else if kind == TIMED {
                    return Err(SnapshotError::Malformed {
                        at,
                        why: format!(
                            "kind 3 (bytes with a lifetime) in a version {version} snapshot"
                        ),
                    });
                }
                let value = reader.entry(kind)?;
                store
                    .append(bucket, key, value)
                    .map_err(SnapshotError::Refused)?;
            }
            store
                .finish_appends(bucket)
                .map_err(SnapshotError::Refused)?;
        }
        if reader.at != body.len() {
            return Err(SnapshotError::Malformed {
                at: reader.at,
                why: format!("{} bytes follow the last bucket", body.len() - reader.at),
            });
        }
        if version == VERSION_3 && deadlines.is_empty() {
            return Err(SnapshotError::Malformed {
                at: 8,
                why: "version 3 is for snapshots with lifetimes, and no key has one".into(),
            });
        }
        Ok((store, deadlines))
    }
}

/// Check magic, version, length and checksum; returns the version and the bytes the checksum
/// covers.
fn check_frame(bytes: &[u8]) -> Result<(u32, &[u8]), SnapshotError> {
    let smallest = (HEADER + CHECKSUM) as u64;
    let magic = bytes.len().min(MAGIC.len());
    if bytes[..magic] != MAGIC[..magic] {
        return Err(SnapshotError::NotASnapshot);
    }
    let truncated = |expected| SnapshotError::Truncated {
        len: bytes.len(),
        expected,
    };
    let (Some(version), Some(length)) = (bytes.get(8..12), bytes.get(12..20)) else {
        return Err(truncated(smallest));
    };
    let version = u32::from_le_bytes(version.try_into().expect("4 bytes"));
    if ![VERSION_1, VERSION, VERSION_3].contains(&version) {
        return Err(SnapshotError::UnsupportedVersion(version));
    }
    let expected = u64::from_le_bytes(length.try_into().expect("8 bytes"));
    let len = bytes.len() as u64;
    if len < expected.max(smallest) {
        return Err(truncated(expected.max(smallest)));
    }
    if len > expected {
        return Err(SnapshotError::TrailingBytes {
            extra: len - expected,
            expected,
        });
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM);
    let stored = u32::from_le_bytes(checksum.try_into().expect("4 bytes"));
    let computed = crc32fast::hash(body);
    if stored != computed {
        return Err(SnapshotError::Corrupted { stored, computed });
    }
    Ok((version, body))
}

/// A length as the format stores it. Keys, values and bucket identifiers are bounded by limits
/// that are u32, and there are at most as many buckets as a u32 limit allows.
fn length_u32(len: usize) -> u32 {
    u32::try_from(len).expect("lengths in a store are bounded by u32 limits")
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&length_u32(bytes.len()).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// An entry's kind and value, as version 2 writes them.
fn put_entry(out: &mut Vec<u8>, entry: &Entry) {
    if let Entry::Bytes(value) = entry {
        out.push(BYTES);
        put_bytes(out, value);
        return;
    }
    out.push(if entry.kind() == Kind::List {
        LIST
    } else {
        SET
    });
    out.extend_from_slice(&length_u32(entry.count()).to_le_bytes());
    for item in entry.items() {
        put_bytes(out, item);
    }
}

/// Bytes [`put_entry`] writes for `entry`.
fn encoded_len(entry: &Entry) -> usize {
    match entry {
        Entry::Bytes(value) => 1 + 4 + value.len(),
        collection => 1 + 4 + collection.items().map(|item| 4 + item.len()).sum::<usize>(),
    }
}

/// `bytes`, copied into memory reserved first.
fn owned(bytes: &[u8]) -> Result<Box<[u8]>, SnapshotError> {
    let mut owned = Vec::new();
    owned
        .try_reserve_exact(bytes.len())
        .map_err(|_| SnapshotError::Refused(Error::OutOfMemory("a value")))?;
    owned.extend_from_slice(bytes);
    Ok(owned.into_boxed_slice())
}

/// Reads the fields of a checksummed body; a field that runs past its end is malformed.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(SnapshotError::Malformed {
                at: self.at,
                why: format!(
                    "{what} of {n} bytes runs past the end ({} bytes left)",
                    self.bytes.len() - self.at
                ),
            });
        };
        let field = &self.bytes[self.at..end];
        self.at = end;
        Ok(field)
    }

    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1, "a kind byte")?[0])
    }

    /// An entry's value of kind `kind`: bytes, or a list's or set's count and items.
    fn entry(&mut self, kind: u8) -> Result<Entry, SnapshotError> {
        let at = self.at;
        let malformed = |why: String| SnapshotError::Malformed { at, why };
        if kind == BYTES {
            return Ok(Entry::Bytes(owned(self.bytes("value")?)?));
        }
        if kind != LIST && kind != SET {
            return Err(malformed(format!(
                "kind {kind} is none of 0 (bytes), 1 (list), 2 (set)"
            )));
        }
        let count = self.u32()?;
        if count == 0 {
            return Err(malformed(
                "a list or set must hold at least one item".into(),
            ));
        }
        if kind == LIST {
            let mut items = VecDeque::new();
            for _ in 0..count {
                let item = owned(self.bytes("list item")?)?;
                items
                    .try_reserve(1)
                    .map_err(|_| SnapshotError::Refused(Error::OutOfMemory("list items")))?;
                items.push_back(item);
            }
            return Ok(Entry::list(items));
        }
        let mut members = BTreeSet::new();
        let mut previous: Option<&[u8]> = None;
        for _ in 0..count {
            let at = self.at;
            let member = self.bytes("set member")?;
            if previous.is_some_and(|previous| previous >= member) {
                return Err(SnapshotError::Malformed {
                    at,
                    why: "set members must be unique and in ascending byte order".into(),
                });
            }
            previous = Some(member);
            members.insert(owned(member)?);
        }
        Ok(Entry::set(members))
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        let field = self.take(4, "a u32 field")?;
        Ok(u32::from_le_bytes(field.try_into().expect("4 bytes")))
    }

    fn u64(&mut self) -> Result<u64, SnapshotError> {
        let field = self.take(8, "a u64 field")?;
        Ok(u64::from_le_bytes(field.try_into().expect("8 bytes")))
    }

    /// A length-prefixed byte string.
    fn bytes(&mut self, what: &str) -> Result<&'a [u8], SnapshotError> {
        let len = self.u32()?;
        self.take(usize::try_from(len).unwrap_or(usize::MAX), what)
    }

    /// A length-prefixed UTF-8 string.
    fn str(&mut self, what: &str) -> Result<&'a str, SnapshotError> {
        let at = self.at;
        let bytes = self.bytes(what)?;
        std::str::from_utf8(bytes).map_err(|error| SnapshotError::Malformed {
            at,
            why: format!("{what} is not UTF-8: {error}"),
        })
    }

    /// A length-prefixed UTF-8 string that must sort after `previous`, which it then becomes.
    fn str_after(
        &mut self,
        previous: &mut Option<&'a str>,
        what: &str,
    ) -> Result<&'a str, SnapshotError> {
        let at = self.at;
        let current = self.str(what)?;
        if previous.is_some_and(|previous| previous >= current) {
            return Err(SnapshotError::Malformed {
                at,
                why: format!("{what}s must be unique and in ascending byte order"),
            });
        }
        *previous = Some(current);
        Ok(current)
    }
}
