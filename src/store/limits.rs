//! What a store may hold, and what it holds.

/// Bytes charged for each entry on top of its key and value: about what the bucket's indexes and
/// the allocator spend on it (measured: ~54 bytes for 16-byte keys at 10^6 entries), so that
/// `max_total_bytes` bounds memory even for a flood of empty entries.
pub const ENTRY_OVERHEAD: u64 = 96;

/// Bytes charged for each bucket on top of its identifier.
pub const BUCKET_OVERHEAD: u64 = 256;

/// The limits a store enforces on writes. A write that would pass one is refused with
/// [`Error::QuotaExceeded`](super::Error::QuotaExceeded) and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest key, and longest bucket identifier, in bytes.
    pub max_key_bytes: u32,
    /// Longest value, list item or set member, in bytes.
    pub max_value_bytes: u32,
    /// Most bytes stored in all buckets together: keys, values (list items and set members
    /// included) and bucket identifiers, plus [`ENTRY_OVERHEAD`] per entry,
    /// [`ITEM_OVERHEAD`](super::ITEM_OVERHEAD) per list item or set member and
    /// [`BUCKET_OVERHEAD`] per bucket.
    pub max_total_bytes: u64,
    /// Most entries in one bucket.
    pub max_entries_per_bucket: u64,
    /// Most buckets.
    pub max_buckets: u32,
    /// Most keys in one `list-keys` page; at least 1.
    pub page_size: u32,
}

impl Limits {
    /// The defaults: generous for real use, far below the 4 GiB a wasm32 memory can hold.
    /// Entries and buckets have no cap of their own: `max_total_bytes` bounds them.
    pub const DEFAULT: Limits = Limits {
        max_key_bytes: 64 * 1024,
        max_value_bytes: 16 * 1024 * 1024,
        max_total_bytes: 1024 * 1024 * 1024,
        max_entries_per_bucket: u64::MAX,
        max_buckets: u32::MAX,
        page_size: 1000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What a store holds, as its limits count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Bytes charged against [`Limits::max_total_bytes`].
    pub total_bytes: u64,
    /// Entries in all buckets.
    pub entries: u64,
    /// Buckets.
    pub buckets: u32,
}

/// Which limit a write would pass, for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_key_bytes`], for a key.
    KeyBytes,
    /// [`Limits::max_key_bytes`], for a bucket identifier.
    BucketNameBytes,
    /// [`Limits::max_value_bytes`].
    ValueBytes,
    /// [`Limits::max_total_bytes`].
    TotalBytes,
    /// [`Limits::max_entries_per_bucket`].
    EntriesPerBucket,
    /// [`Limits::max_buckets`].
    Buckets,
}

impl Limit {
    /// Why a write was refused, in words.
    pub fn explain(self, needed: u64, max: u64) -> String {
        match self {
            Limit::KeyBytes => format!("a key of {needed} bytes is over max-key-bytes ({max})"),
            Limit::BucketNameBytes => {
                format!("a bucket identifier of {needed} bytes is over max-key-bytes ({max})")
            }
            Limit::ValueBytes => {
                format!("a value of {needed} bytes is over max-value-bytes ({max})")
            }
            Limit::TotalBytes => {
                format!("the store would hold {needed} bytes, over max-total-bytes ({max})")
            }
            Limit::EntriesPerBucket => format!(
                "the bucket would hold {needed} entries, over max-entries-per-bucket ({max})"
            ),
            Limit::Buckets => {
                format!("the store would hold {needed} buckets, over max-buckets ({max})")
            }
        }
    }
}

/// Refuse `needed` if it is over `max`.
pub(super) fn check(limit: Limit, needed: u64, max: u64) -> Result<(), super::Error> {
    if needed > max {
        Err(super::Error::QuotaExceeded { limit, needed, max })
    } else {
        Ok(())
    }
}

/// What one entry costs against [`Limits::max_total_bytes`], for its key and its value's charge
/// ([`Entry::charge`](super::Entry::charge)).
pub(super) fn entry_bytes(key: usize, value: impl TryInto<u64>) -> u64 {
    key as u64 + value.try_into().unwrap_or(u64::MAX) + ENTRY_OVERHEAD
}
