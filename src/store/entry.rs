//! What a key holds: bytes, a list of items, or a set of members.

use std::collections::{BTreeSet, VecDeque};
use std::fmt;

/// Bytes charged for each list item and set member on top of its own bytes: about what the
/// list's slot or the set's B-tree and the allocator spend on it, so that `max_total_bytes`
/// bounds memory even for a flood of empty items.
pub const ITEM_OVERHEAD: u64 = 48;

/// The value under one key. Lists and sets are never empty: removing the last item removes
/// the key, as in Redis.
///
/// Two variants, so that an entry is the size of the boxed bytes it mostly is (8 bytes on
/// wasm32: the collection's box fits the bytes' pointer niche); a collection costs one more
/// allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A value of `wasi:keyvalue`: any bytes.
    Bytes(Box<[u8]>),
    /// A list or a set.
    Collection(Box<Collection>),
}

/// A list or a set of byte strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collection {
    /// An ordered list of items, duplicates allowed.
    List(VecDeque<Box<[u8]>>),
    /// A set of distinct members, in ascending byte order.
    Set(BTreeSet<Box<[u8]>>),
}

/// The kind of value a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// [`Entry::Bytes`].
    Bytes,
    /// [`Collection::List`].
    List,
    /// [`Collection::Set`].
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
    /// A list of `items`.
    pub fn list(items: VecDeque<Box<[u8]>>) -> Self {
        Entry::Collection(Box::new(Collection::List(items)))
    }

    /// A set of `members`.
    pub fn set(members: BTreeSet<Box<[u8]>>) -> Self {
        Entry::Collection(Box::new(Collection::Set(members)))
    }

    /// Which kind of value this is.
    pub fn kind(&self) -> Kind {
        match self {
            Entry::Bytes(_) => Kind::Bytes,
            Entry::Collection(collection) => match **collection {
                Collection::List(_) => Kind::List,
                Collection::Set(_) => Kind::Set,
            },
        }
    }

    /// The list's items, if this is a list.
    pub fn as_list(&self) -> Option<&VecDeque<Box<[u8]>>> {
        match self {
            Entry::Collection(collection) => match &**collection {
                Collection::List(items) => Some(items),
                Collection::Set(_) => None,
            },
            Entry::Bytes(_) => None,
        }
    }

    /// The set's members, if this is a set.
    pub fn as_set(&self) -> Option<&BTreeSet<Box<[u8]>>> {
        match self {
            Entry::Collection(collection) => match &**collection {
                Collection::Set(members) => Some(members),
                Collection::List(_) => None,
            },
            Entry::Bytes(_) => None,
        }
    }

    /// The list's items, to change, if this is a list.
    pub(super) fn as_list_mut(&mut self) -> Option<&mut VecDeque<Box<[u8]>>> {
        match self {
            Entry::Collection(collection) => match &mut **collection {
                Collection::List(items) => Some(items),
                Collection::Set(_) => None,
            },
            Entry::Bytes(_) => None,
        }
    }

    /// The set's members, to change, if this is a set.
    pub(super) fn as_set_mut(&mut self) -> Option<&mut BTreeSet<Box<[u8]>>> {
        match self {
            Entry::Collection(collection) => match &mut **collection {
                Collection::Set(members) => Some(members),
                Collection::List(_) => None,
            },
            Entry::Bytes(_) => None,
        }
    }

    /// The bytes the limits charge for the value, on top of its key and the entry's overhead:
    /// a value's length, or every item's length plus [`ITEM_OVERHEAD`]. O(items).
    pub fn charge(&self) -> u64 {
        match self {
            Entry::Bytes(value) => value.len() as u64,
            Entry::Collection(_) => items_charge(self.items()),
        }
    }

    /// The longest value, item or member, in bytes (0 for none). O(items).
    pub fn longest(&self) -> usize {
        match self {
            Entry::Bytes(value) => value.len(),
            Entry::Collection(_) => self.items().map(<[u8]>::len).max().unwrap_or(0),
        }
    }

    /// How many items a list or members a set holds (0 for bytes).
    pub fn count(&self) -> usize {
        self.as_list()
            .map(VecDeque::len)
            .or_else(|| self.as_set().map(BTreeSet::len))
            .unwrap_or(0)
    }

    /// The items of a list or the members of a set, in order (none for bytes).
    pub fn items(&self) -> Box<dyn Iterator<Item = &[u8]> + '_> {
        if let Some(items) = self.as_list() {
            return Box::new(items.iter().map(|item| &**item));
        }
        if let Some(members) = self.as_set() {
            return Box::new(members.iter().map(|member| &**member));
        }
        Box::new(std::iter::empty())
    }
}

/// What [`Entry::charge`] charges for `items`.
pub(super) fn items_charge<T: AsRef<[u8]>>(items: impl Iterator<Item = T>) -> u64 {
    items
        .map(|item| item.as_ref().len() as u64 + ITEM_OVERHEAD)
        .sum()
}
