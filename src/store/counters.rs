//! Counters: decimal ASCII values that `increment` and Golem's `compare-and-swap` treat as
//! numbers.

use super::{BucketId, Error, Store};

impl Store {
    /// Add `delta` to the counter under `key` and return the new value. A missing key counts as 0;
    /// counters are stored as decimal ASCII (`b"42"`), so `get` reads them as text. A value that
    /// is not a decimal u64 (digits only), a sum that overflows, or a write a limit refuses is an
    /// error and leaves the value unchanged. O(1) expected.
    pub fn increment(&mut self, bucket: BucketId, key: &str, delta: u64) -> Result<u64, Error> {
        self.increment_as(bucket, key, delta)
    }

    /// [`Store::increment`] for signed counters (draft2's `s64`): the same decimal ASCII with an
    /// optional leading `-`, so a counter is visible to both while it is non-negative, and the
    /// unsigned increment refuses a negative one. Overflow either way is an error.
    pub fn increment_signed(
        &mut self,
        bucket: BucketId,
        key: &str,
        delta: i64,
    ) -> Result<i64, Error> {
        self.increment_as(bucket, key, delta)
    }

    /// Add `delta` to the s32 counter under `key` (wasmCloud's `increment`): like
    /// [`Store::increment_signed`], within s32. O(1) expected.
    pub fn increment_s32(&mut self, bucket: BucketId, key: &str, delta: i32) -> Result<i32, Error> {
        self.increment_as(bucket, key, delta)
    }

    fn increment_as<C: Counter>(
        &mut self,
        bucket: BucketId,
        key: &str,
        delta: C,
    ) -> Result<C, Error> {
        let current = match self.get(bucket, key)? {
            Some(value) => C::parse(value).ok_or_else(|| Error::NotACounter {
                key: key.into(),
                ty: C::NAME,
            })?,
            None => C::default(),
        };
        let new = current
            .checked_add(delta)
            .ok_or_else(|| Error::CounterOverflow {
                key: key.into(),
                current: current.into(),
                delta: delta.into(),
                ty: C::NAME,
            })?;
        self.set(bucket, key, new.to_string().into_bytes())?;
        Ok(new)
    }
}

impl Store {
    /// Golem's `compare-and-swap` of a u64 counter: if the counter under `key` is `old`, store
    /// `new` and return `Some(true)`; if it is another number, `Some(false)`. `None` if the key
    /// does not exist. A value that is not a decimal u64, or a write a limit refuses, is an
    /// error and changes nothing. O(1) expected.
    pub fn compare_and_swap_counter(
        &mut self,
        bucket: BucketId,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Option<bool>, Error> {
        let Some(value) = self.get(bucket, key)? else {
            return Ok(None);
        };
        let current = u64::parse(value).ok_or_else(|| Error::NotACounter {
            key: key.into(),
            ty: u64::NAME,
        })?;
        if current != old {
            return Ok(Some(false));
        }
        self.set(bucket, key, new.to_string().into_bytes())?;
        Ok(Some(true))
    }
}

/// The u64 counter `value` holds, if it holds one (decimal ASCII digits, leading zeros allowed),
/// as [`Store::compare_and_swap_counter`] reads it; for an engine that compares counters itself.
pub fn u64_counter(value: &[u8]) -> Option<u64> {
    u64::parse(value)
}

/// An integer type counters can be read as.
trait Counter: Copy + Default + ToString + Into<i128> {
    /// The type's WIT name, for messages.
    const NAME: &'static str;
    /// The counter in `value`, if it is one: decimal ASCII digits (leading zeros allowed), with a
    /// leading `-` for signed types, that fit the type.
    fn parse(value: &[u8]) -> Option<Self>;
    fn checked_add(self, delta: Self) -> Option<Self>;
}

impl Counter for u64 {
    const NAME: &'static str = "u64";

    fn parse(value: &[u8]) -> Option<Self> {
        parse_digits(value)?.parse().ok()
    }

    fn checked_add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

impl Counter for i32 {
    const NAME: &'static str = "s32";

    fn parse(value: &[u8]) -> Option<Self> {
        parse_signed(value)
    }

    fn checked_add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

impl Counter for i64 {
    const NAME: &'static str = "s64";

    fn parse(value: &[u8]) -> Option<Self> {
        parse_signed(value)
    }

    fn checked_add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

/// `value` as text, if it is one or more ASCII digits.
/// A signed decimal counter: digits with an optional `-`, nothing else.
fn parse_signed<T: std::str::FromStr>(value: &[u8]) -> Option<T> {
    let digits = value.strip_prefix(b"-").unwrap_or(value);
    parse_digits(digits)?;
    std::str::from_utf8(value).ok()?.parse().ok()
}

fn parse_digits(value: &[u8]) -> Option<&str> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()
}
