//! The `list-keys` cursor table.
//!
//! A draft `list-keys` cursor is a bare `u64`, so the store remembers what it stands for: the bucket
//! being listed and the last key returned. Cursors are numbered in the order they are issued and
//! kept in a ring of [`CAPACITY`] slots (slot = number mod capacity), so both issuing and resuming
//! are O(1) and the table's size is bounded whatever the guest does. A cursor stays valid, and can
//! be resumed more than once, until [`CAPACITY`] newer cursors have been issued.

use super::key::Key;
use super::{BucketId, Error};

/// How many cursors the table remembers; older ones expire.
pub const CAPACITY: usize = 256;

/// Where a listing stopped.
#[derive(Debug)]
struct Cursor {
    id: u64,
    bucket: BucketId,
    last_key: Key,
}

/// A bounded table of issued cursors; see the module docs.
#[derive(Debug)]
pub(super) struct CursorTable {
    slots: Vec<Option<Cursor>>,
    /// The number the next cursor gets. Starts at 1, so `some(0)` is never a valid cursor.
    next: u64,
}

impl CursorTable {
    pub(super) const fn new() -> Self {
        Self {
            slots: Vec::new(),
            next: 1,
        }
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "the remainder is below CAPACITY, a usize"
    )]
    fn slot(id: u64) -> usize {
        (id % CAPACITY as u64) as usize
    }

    /// Remember that a listing of `bucket` stopped after `last_key`, and name that place. O(1).
    pub(super) fn issue(&mut self, bucket: BucketId, last_key: Key) -> u64 {
        if self.slots.is_empty() {
            self.slots.resize_with(CAPACITY, || None);
        }
        let id = self.next;
        // 2^64 cursors cannot be issued in the life of an instance; wrapping keeps this total.
        self.next = self.next.wrapping_add(1).max(1);
        self.slots[Self::slot(id)] = Some(Cursor {
            id,
            bucket,
            last_key,
        });
        id
    }

    /// Forget every cursor issued so far; they read as expired from now on. Numbering goes on,
    /// so no later cursor has the number of a forgotten one. O(CAPACITY).
    pub(super) fn forget_all(&mut self) {
        self.slots.fill_with(|| None);
    }

    /// The last key returned before cursor `id`, which must have been issued for `bucket`. O(1).
    /// A bucket that does not exist (`None`) issued no cursor.
    pub(super) fn resume(&self, id: u64, bucket: Option<BucketId>) -> Result<&Key, Error> {
        match self.slots.get(Self::slot(id)) {
            Some(Some(cursor)) if cursor.id == id => {
                if Some(cursor.bucket) == bucket {
                    Ok(&cursor.last_key)
                } else {
                    Err(Error::CursorOfAnotherBucket(id))
                }
            }
            _ if id == 0 || id >= self.next => Err(Error::UnknownCursor(id)),
            _ => Err(Error::ExpiredCursor(id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: BucketId = BucketId(0);
    const B: BucketId = BucketId(1);

    fn issue(table: &mut CursorTable, bucket: BucketId, key: &str) -> u64 {
        table.issue(bucket, Key::from(key))
    }

    fn resume(table: &CursorTable, id: u64, bucket: BucketId) -> Result<&str, Error> {
        table.resume(id, Some(bucket)).map(Key::as_str)
    }

    #[test]
    fn issued_cursor_resumes_after_its_key_more_than_once() {
        let mut table = CursorTable::new();
        let id = issue(&mut table, A, "k");
        assert_eq!(resume(&table, id, A), Ok("k"));
        assert_eq!(resume(&table, id, A), Ok("k"));
    }

    #[test]
    fn cursor_never_issued_is_unknown() {
        let mut table = CursorTable::new();
        assert_eq!(resume(&table, 0, A), Err(Error::UnknownCursor(0)));
        assert_eq!(resume(&table, 1, A), Err(Error::UnknownCursor(1)));
        let id = issue(&mut table, A, "k");
        assert_eq!(resume(&table, id + 1, A), Err(Error::UnknownCursor(id + 1)));
        assert_eq!(
            resume(&table, u64::MAX, A),
            Err(Error::UnknownCursor(u64::MAX))
        );
    }

    #[test]
    fn cursor_older_than_capacity_expires() {
        let mut table = CursorTable::new();
        let first = issue(&mut table, A, "first");
        for _ in 0..CAPACITY - 1 {
            issue(&mut table, A, "k");
        }
        assert_eq!(resume(&table, first, A), Ok("first"));
        issue(&mut table, A, "k");
        assert_eq!(resume(&table, first, A), Err(Error::ExpiredCursor(first)));
    }

    #[test]
    fn cursor_of_another_bucket_is_refused() {
        let mut table = CursorTable::new();
        let id = issue(&mut table, A, "k");
        assert_eq!(resume(&table, id, B), Err(Error::CursorOfAnotherBucket(id)));
    }
}
