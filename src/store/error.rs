//! The one error type of the store core.

use std::fmt;

/// Everything the store core can refuse. Each exported interface maps this to its own WIT error in
/// one place; the message (`Display`) is what a guest reads, so it says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A `list-keys` cursor that this store never issued.
    #[error(
        "list-keys cursor {0} was never issued by this store; start the listing with no cursor"
    )]
    UnknownCursor(u64),
    /// A `list-keys` cursor old enough to have been dropped from the cursor table.
    #[error(
        "list-keys cursor {0} has expired (only the {capacity} most recent cursors are kept); \
         restart the listing with no cursor",
        capacity = super::cursor::CAPACITY
    )]
    ExpiredCursor(u64),
    /// A `list-keys` cursor issued for a listing of another bucket.
    #[error("list-keys cursor {0} belongs to a listing of another bucket")]
    CursorOfAnotherBucket(u64),
    /// `increment` on a value that is not a decimal counter of the increment's type.
    #[error("cannot increment key {key}: its value is not a decimal {ty} counter")]
    NotACounter {
        /// The key, shortened for the message.
        key: KeyName,
        /// The counter type: `u64` (draft), `s64` (draft2) or `s32` (wasmCloud).
        ty: &'static str,
    },
    /// A write that would pass one of the store's [`Limits`](super::Limits); nothing was changed.
    #[error("quota exceeded: {}", limit.explain(*needed, *max))]
    QuotaExceeded {
        /// The limit.
        limit: super::Limit,
        /// What the write would need.
        needed: u64,
        /// What the limit allows.
        max: u64,
    },
    /// Memory for a write could not be reserved; nothing was changed.
    #[error("out of memory: could not reserve room for {0}; the store is unchanged")]
    OutOfMemory(&'static str),
    /// `increment` whose result does not fit the counter type.
    #[error("cannot increment key {key} by {delta}: {current} + {delta} overflows {ty}")]
    CounterOverflow {
        /// The key, shortened for the message.
        key: KeyName,
        /// The counter's value, left unchanged.
        current: i128,
        /// The delta that was refused.
        delta: i128,
        /// The counter type: `u64`, `s64` or `s32`.
        ty: &'static str,
    },
    /// An operation for one kind of value on a key that holds another: reading a list as bytes,
    /// pushing onto a set, incrementing a list (Redis's `WRONGTYPE`). Nothing was changed.
    #[error("key {key} holds {holds}, not {wanted}")]
    WrongKind {
        /// The key, shortened for the message.
        key: KeyName,
        /// What the key holds.
        holds: super::Kind,
        /// What the operation works on.
        wanted: super::Kind,
    },
    /// A lifetime asked of an engine with no clock (the in-memory engine of the sync
    /// artifacts, which import nothing); nothing was changed.
    #[error(
        "this memkv has no clock, so it cannot expire keys: use an async artifact \
         (memkv-p3.wasm, which imports wasi:clocks) or memkv-redis"
    )]
    NoClock,
    /// The engine behind the store could not answer: memkv-redis could not reach its server, or
    /// the server refused the command. The message names the server and the cause.
    #[error("{0}")]
    Unavailable(String),
}

/// Why [`Store::set_limits`](super::Store::set_limits) refused new limits; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitsError {
    /// A `list-keys` page must hold at least one key.
    #[error("page-size must be at least 1")]
    PageSizeZero,
    /// What is already stored passes one of the new limits.
    #[error("what is stored does not fit: {}", limit.explain(*needed, *max))]
    StoredDoesNotFit {
        /// The limit.
        limit: super::Limit,
        /// What is stored, as the limit counts it.
        needed: u64,
        /// The new limit.
        max: u64,
    },
}

/// A key as it appears in an error message: quoted and cut to a readable length, so a huge key
/// cannot make a huge message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName(String);

impl KeyName {
    /// Longest key prefix, in bytes, that a message repeats.
    const MAX_BYTES: usize = 64;
}

impl From<&str> for KeyName {
    fn from(key: &str) -> Self {
        let mut end = key.len().min(Self::MAX_BYTES);
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        let ellipsis = if end < key.len() { "…" } else { "" };
        Self(format!("{:?}{ellipsis}", &key[..end]))
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_name_quotes_short_keys_whole() {
        assert_eq!(KeyName::from("c").to_string(), "\"c\"");
    }

    #[test]
    fn key_name_cuts_long_keys_on_a_char_boundary() {
        let key = "é".repeat(100);
        let shown = KeyName::from(key.as_str()).to_string();
        assert!(shown.ends_with("\"…"), "{shown}");
        assert_eq!(shown.chars().filter(|&c| c == 'é').count(), 32);
    }
}
