//! What a key holds: bytes, a list of items, or a set of members.

use std::collections::{BTreeSet, VecDeque};
use std::fmt;

/// Bytes charged for each list item and set member on top of its own bytes: about what the
/// list's slot or the set's B-tree and the allocator spend on it, so that `max_total_bytes`
/// bounds memory even for a flood of empty items.
pub const ITEM_OVERHEAD: u64 = 48;

/// The value under one key. Lists and sets are never empty: removing the last item removes
/// the key, as in Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A value of `wasi:keyvalue`: any bytes.
    Bytes(Box<[u8]>),
    /// An ordered list of items, duplicates allowed.
    List(Box<VecDeque<Box<[u8]>>>),
    /// A set of distinct members, in ascending byte order.
    Set(Box<BTreeSet<Box<[u8]>>>),
}

/// The kind of value a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// [`Entry::Bytes`].
    Bytes,
    /// [`Entry::List`].
    List,
    /// [`Entry::Set`].
    Set,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Bytes => "a bytes value",
            Kind::List => "a list",
            Kind::Set => "a set",
        })
    }
}

impl Entry {
    /// Which kind of value this is.
    pub fn kind(&self) -> Kind {
        match self {
            Entry::Bytes(_) => Kind::Bytes,
            Entry::List(_) => Kind::List,
            Entry::Set(_) => Kind::Set,
        }
    }

    /// The bytes the limits charge for the value, on top of its key and the entry's overhead:
    /// a value's length, or every item's length plus [`ITEM_OVERHEAD`]. O(items).
    pub fn charge(&self) -> u64 {
        match self {
            Entry::Bytes(value) => value.len() as u64,
            Entry::List(items) => items_charge(items.iter()),
            Entry::Set(members) => items_charge(members.iter()),
        }
    }

    /// The longest value, item or member, in bytes (0 for none). O(items).
    pub fn longest(&self) -> usize {
        match self {
            Entry::Bytes(value) => value.len(),
            Entry::List(items) => items.iter().map(|item| item.len()).max().unwrap_or(0),
            Entry::Set(members) => members.iter().map(|member| member.len()).max().unwrap_or(0),
        }
    }

    /// The items of a list or the members of a set, in order (none for bytes).
    pub fn items(&self) -> Box<dyn Iterator<Item = &[u8]> + '_> {
        match self {
            Entry::Bytes(_) => Box::new(std::iter::empty()),
            Entry::List(items) => Box::new(items.iter().map(|item| &**item)),
            Entry::Set(members) => Box::new(members.iter().map(|member| &**member)),
        }
    }
}

/// What [`Entry::charge`] charges for `items`.
pub(super) fn items_charge<'a, T: AsRef<[u8]> + 'a>(items: impl Iterator<Item = &'a T>) -> u64 {
    items
        .map(|item| item.as_ref().len() as u64 + ITEM_OVERHEAD)
        .sum()
}
