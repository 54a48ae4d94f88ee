//! Listing keys: pages in byte order, resumed by the draft's numbered cursors or draft2's
//! string cursors, of every key or of those with a prefix (wasmCloud 0.2).

use std::ops::Bound;

use super::key::Key;
use super::{BucketId, Error, Store};

/// One page of a key listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPage {
    /// Keys in ascending byte order, at most [`Limits::page_size`](super::Limits::page_size) of them.
    pub keys: Vec<String>,
    /// Where the next page starts; `None` when the listing is complete.
    pub cursor: Option<u64>,
}

impl Store {
    /// One page of the bucket's keys in ascending byte order: from the start with no cursor, or
    /// after the last key of the page that issued `cursor`. Keys set or deleted between pages are
    /// seen or not depending on where they fall; every key present for the whole listing is
    /// returned exactly once. O(p + log n), whatever the bucket's size.
    pub fn list_keys(
        &mut self,
        bucket: impl Into<Option<BucketId>>,
        cursor: Option<u64>,
    ) -> Result<KeyPage, Error> {
        let bucket = bucket.into();
        let start = match cursor {
            Some(id) => Bound::Excluded(self.cursors.resume(id, bucket)?),
            None => Bound::Unbounded,
        };
        let (keys, last) = self.page(bucket, start)?;
        // Only a bucket that exists has a next page.
        let cursor = bucket
            .zip(last)
            .map(|(bucket, last)| self.cursors.issue(bucket, last));
        Ok(KeyPage { keys, cursor })
    }

    /// Every key of the bucket in ascending byte order, in one list (Golem's `get-keys`, which
    /// has no paging). O(n).
    pub fn all_keys(&self, bucket: impl Into<Option<BucketId>>) -> Result<Vec<String>, Error> {
        let bucket = self.bucket(bucket);
        let mut keys = Vec::new();
        keys.try_reserve_exact(bucket.len())
            .map_err(|_| Error::OutOfMemory("a list of every key"))?;
        keys.extend(bucket.keys().map(str::to_owned));
        Ok(keys)
    }

    /// One page of the bucket's keys in ascending byte order, starting right after the key
    /// `after` (draft2's string cursor: the last key of the previous page) or at the start.
    /// `after` need not be a key of the bucket, so a listing survives any writes between pages,
    /// and no cursor table is involved. Returns the keys and, if more follow, the cursor for the
    /// next page (its last key). O(p + log n).
    pub fn list_keys_after(
        &self,
        bucket: impl Into<Option<BucketId>>,
        after: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Error> {
        let after = after.map(Key::from);
        let start = after.as_ref().map_or(Bound::Unbounded, Bound::Excluded);
        let (keys, last) = self.page(bucket, start)?;
        Ok((keys, last.map(|last| last.as_str().to_owned())))
    }

    /// One page of the bucket's keys that start with `prefix`, in ascending byte order, after
    /// the key `after` (wasmCloud 0.2's `list-keys`): [`Store::list_keys_after`] on those keys
    /// alone. A cursor before the prefix's keys starts at the first of them. O(p + log n).
    pub fn list_keys_prefixed(
        &self,
        bucket: impl Into<Option<BucketId>>,
        prefix: &str,
        after: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Error> {
        let first = Key::from(prefix);
        let after = after.filter(|after| *after >= prefix).map(Key::from);
        let start = after
            .as_ref()
            .map_or(Bound::Included(&first), Bound::Excluded);
        let (keys, last) = self.page_within(bucket, start, prefix)?;
        Ok((keys, last.map(|last| last.as_str().to_owned())))
    }

    /// The page of at most [`Limits::page_size`](super::Limits::page_size) keys after `start`, and its last key if more
    /// keys follow it.
    fn page(
        &self,
        bucket: impl Into<Option<BucketId>>,
        start: Bound<&Key>,
    ) -> Result<(Vec<String>, Option<Key>), Error> {
        self.page_within(bucket, start, "")
    }

    /// [`Store::page`] of the keys that start with `prefix` (from `start`, which must not be
    /// before the first of them).
    fn page_within(
        &self,
        bucket: impl Into<Option<BucketId>>,
        start: Bound<&Key>,
        prefix: &str,
    ) -> Result<(Vec<String>, Option<Key>), Error> {
        let page_size = usize::try_from(self.limits.page_size).unwrap_or(usize::MAX);
        let bucket_entries = self.bucket(bucket);
        let mut rest = bucket_entries
            .keys_after(start)
            .take_while(|key| key.as_str().starts_with(prefix));
        let mut keys = Vec::new();
        keys.try_reserve(page_size.min(bucket_entries.len()))
            .map_err(|_| Error::OutOfMemory("a list-keys page"))?;
        let mut last = None;
        for key in rest.by_ref().take(page_size) {
            keys.push(key.as_str().to_owned());
            last = Some(key);
        }
        let more = rest.next().is_some();
        Ok((keys, last.filter(|_| more).cloned()))
    }
}
