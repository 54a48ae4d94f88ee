//! Keys as a bucket stores them.

use std::cmp::Ordering;
use std::fmt;

/// How many leading bytes of a key are kept inline.
const INLINE: usize = 16;

/// A key as a bucket stores it: its first [`INLINE`] bytes inline, so most comparisons decide on
/// them without following a pointer, and a key of up to 16 bytes needs no heap allocation at
/// all. A longer key is kept whole on the heap.
#[derive(Clone)]
pub(super) struct Key {
    /// The first bytes of the key, zero-padded.
    head: [u8; INLINE],
    /// The key's length when it is inline; unused otherwise.
    len: u8,
    /// The whole key, when it is longer than [`INLINE`] bytes.
    full: Option<Box<str>>,
}

impl Key {
    /// The key as text. O(1).
    pub(super) fn as_str(&self) -> &str {
        match &self.full {
            Some(full) => full,
            // The inline bytes are a whole `str` (see `From<&str>`), never a cut through a char.
            None => std::str::from_utf8(&self.head[..usize::from(self.len)])
                .unwrap_or_else(|_| unreachable!("inline key bytes come from a whole str")),
        }
    }
}

impl From<&str> for Key {
    fn from(key: &str) -> Self {
        let bytes = key.as_bytes();
        let mut head = [0; INLINE];
        let inline = bytes.len().min(INLINE);
        head[..inline].copy_from_slice(&bytes[..inline]);
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= INLINE => Self {
                head,
                len,
                full: None,
            },
            _ => Self {
                head,
                len: 0,
                full: Some(key.into()),
            },
        }
    }
}

/// Byte order of the whole key: the zero-padded heads decide unless they are equal, and then
/// (rarely, for keys that share their first 16 bytes or differ only by trailing NULs) the whole
/// keys do.
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.head
            .cmp(&other.head)
            .then_with(|| self.as_str().as_bytes().cmp(other.as_str().as_bytes()))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.head == other.head && self.as_str() == other.as_str()
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        let mut keys: Vec<String> = [
            "",
            "\0",
            "\0\0",
            "a",
            "a\0",
            "a\0\0",
            "ab",
            "b",
            "é",
            "z",
            "Z",
            "0123456789abcde",
            "0123456789abcdef",
            "0123456789abcdef\0",
            "0123456789abcdefg",
            "0123456789abcdeg",
            "0123456789abcdef0123456789",
        ]
        .iter()
        .map(|key| key.to_string())
        .collect();
        keys.push("x".repeat(300));
        keys
    }

    #[test]
    fn key_round_trips_its_text() {
        for key in keys() {
            assert_eq!(Key::from(key.as_str()).as_str(), key);
        }
    }

    #[test]
    fn key_order_is_byte_order_of_the_whole_key() {
        for a in keys() {
            for b in keys() {
                assert_eq!(
                    Key::from(a.as_str()).cmp(&Key::from(b.as_str())),
                    a.as_bytes().cmp(b.as_bytes()),
                    "{a:?} vs {b:?}"
                );
                assert_eq!(Key::from(a.as_str()) == Key::from(b.as_str()), a == b);
            }
        }
    }
}
