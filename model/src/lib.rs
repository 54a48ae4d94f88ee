//! # memkv-model
//!
//! memkv's contract in plain Rust, written from the README rather than from the implementation:
//! named buckets of ordered keys, counters as decimal text, limits checked before every write,
//! batches all or nothing, compare-and-swap that fails after any write to its key, lifetimes
//! (by a clock of the model's own, which only [`Model::advance`] moves), and the Golem
//! dialect's answers. It is slow and obvious on purpose (`BTreeMap`s and clones).
//!
//! Two differential checks share it: `host-test`'s model test drives the real component in
//! wasmtime with random operations of every dialect, and the `store_ops` fuzz target drives the
//! store core; both compare every answer with this model's. Refusals compare by [`Refused`]:
//! the kind of refusal and, for quotas, the limit named.

use std::collections::{BTreeMap, BTreeSet};

/// Bytes charged for each entry on top of its key and value.
pub const ENTRY_OVERHEAD: u64 = 96;
/// Bytes charged for each bucket on top of its identifier.
pub const BUCKET_OVERHEAD: u64 = 256;
/// Bytes charged per list item or set member on top of its own.
pub const ITEM_OVERHEAD: u64 = 48;

/// The limits of `memkv:store/limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest key, and longest bucket identifier, in bytes.
    pub max_key_bytes: u32,
    /// Longest value, in bytes.
    pub max_value_bytes: u32,
    /// Most bytes in all: keys, values, identifiers and the overheads.
    pub max_total_bytes: u64,
    /// Most entries in one bucket.
    pub max_entries_per_bucket: u64,
    /// Most buckets.
    pub max_buckets: u32,
    /// Most keys in one listing page.
    pub page_size: u32,
}

impl Limits {
    /// The documented defaults.
    pub const DEFAULT: Limits = Limits {
        max_key_bytes: 64 * 1024,
        max_value_bytes: 16 * 1024 * 1024,
        max_total_bytes: 1024 * 1024 * 1024,
        max_entries_per_bucket: u64::MAX,
        max_buckets: u32::MAX,
        page_size: 1000,
    };
}

/// What the limits count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Bytes charged against `max-total-bytes`.
    pub total_bytes: u64,
    /// Entries in all buckets.
    pub entries: u64,
    /// Buckets.
    pub buckets: u32,
}

/// Why an operation was refused. Nothing changes when one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A write would pass the limit named (as the WIT names it: `"max-value-bytes"`).
    Quota(&'static str),
    /// An increment (or Golem compare-and-swap) of a value that is not a counter of its type.
    NotACounter,
    /// An increment whose result does not fit the counter's type.
    Overflow,
    /// `set-limits` below what is stored: the first limit what is stored passes.
    DoesNotFit(&'static str),
    /// `set-limits` with a `page-size` of 0.
    PageSizeZero,
    /// The Golem dialect's `Key not found`.
    KeyNotFound,
    /// An operation for one kind of value on a key holding another (Redis's WRONGTYPE).
    WrongKind,
}

const LIMIT_NAMES: [&str; 5] = [
    "max-key-bytes",
    "max-value-bytes",
    "max-total-bytes",
    "max-entries-per-bucket",
    "max-buckets",
];

impl Refused {
    /// The refusal an implementation's error message reports, if it is one of these.
    pub fn classify(message: &str) -> Option<Refused> {
        let limit = || {
            LIMIT_NAMES
                .into_iter()
                .find(|name| message.contains(&format!("over {name} (")))
        };
        if message.starts_with("quota exceeded") {
            limit().map(Refused::Quota)
        } else if message.starts_with("what is stored does not fit") {
            limit().map(Refused::DoesNotFit)
        } else if message.contains("is not a decimal") {
            Some(Refused::NotACounter)
        } else if message.contains(" overflows ") {
            Some(Refused::Overflow)
        } else if message == "page-size must be at least 1" {
            Some(Refused::PageSizeZero)
        } else if message.starts_with("Key not found") {
            Some(Refused::KeyNotFound)
        } else if message.starts_with("key ") && message.contains(" holds a") {
            Some(Refused::WrongKind)
        } else {
            None
        }
    }
}

/// What a compare-and-swap observed: the key's value then, and what it takes to tell whether
/// anything wrote the key since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The value observed (`cas.current`).
    pub value: Option<Vec<u8>>,
    generation: u64,
    written: Option<u64>,
    removals: u64,
}

impl Observed {
    /// Whether the key has the same version in both: the same write put its value there, in
    /// the same store (wasmCloud 0.2's version tokens).
    pub fn same_version(&self, other: &Observed) -> bool {
        self.generation == other.generation && self.written == other.written
    }
}

/// A requested key and its value, if it exists.
pub type Found = (String, Option<Vec<u8>>);

/// What a key holds: bytes, a list (in order) or a set (ascending). Lists and sets are never
/// empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Any bytes.
    Bytes(Vec<u8>),
    /// Items in order.
    List(Vec<Vec<u8>>),
    /// Distinct members.
    Set(BTreeSet<Vec<u8>>),
}

impl Value {
    /// What the limits charge for the value.
    fn charge(&self) -> u64 {
        let items = |items: &mut dyn Iterator<Item = &Vec<u8>>| {
            items.map(|item| item.len() as u64 + ITEM_OVERHEAD).sum()
        };
        match self {
            Value::Bytes(value) => value.len() as u64,
            Value::List(list) => items(&mut list.iter()),
            Value::Set(set) => items(&mut set.iter()),
        }
    }

    /// The longest value, item or member.
    fn longest(&self) -> usize {
        match self {
            Value::Bytes(value) => value.len(),
            Value::List(list) => list.iter().map(Vec::len).max().unwrap_or(0),
            Value::Set(set) => set.iter().map(Vec::len).max().unwrap_or(0),
        }
    }
}

/// Which kind of collection an operation works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`Value::Bytes`].
    Bytes,
    /// [`Value::List`].
    List,
    /// [`Value::Set`].
    Set,
}

fn kind_of(value: &Value) -> Kind {
    match value {
        Value::Bytes(_) => Kind::Bytes,
        Value::List(_) => Kind::List,
        Value::Set(_) => Kind::Set,
    }
}

#[derive(Debug, Clone, Default)]
struct Bucket {
    /// Each key's value, and which write of the bucket put it there.
    entries: BTreeMap<String, (Value, u64)>,
    writes: u64,
    /// Deletions of existing keys: a key observed absent must see none before its swap.
    removals: u64,
}

/// The whole store, as the contract describes it.
#[derive(Debug, Clone)]
pub struct Model {
    buckets: BTreeMap<String, Bucket>,
    limits: Limits,
    /// Snapshot loads so far: one makes every observation stale.
    generation: u64,
    /// The keys with a lifetime, by bucket and key: the deadline, and the write it ends (any
    /// later write of the key ends the lifetime instead).
    lifetimes: BTreeMap<(String, String), (u64, u64)>,
    /// The model's clock, in milliseconds.
    now: u64,
}

impl Bucket {
    /// Write `value` under `key`, with the bucket's next write stamp.
    fn put(&mut self, key: String, value: Value) {
        self.writes += 1;
        self.entries.insert(key, (value, self.writes));
    }
}

impl Default for Model {
    fn default() -> Self {
        Self::new()
    }
}

/// The counter types: `u64` (the draft, Golem) and `s64` (draft2).
pub trait Counter: Copy + Default + ToString + std::str::FromStr {
    /// Whether `value` may be read as this type: ASCII digits, with a leading `-` if signed.
    fn well_formed(value: &[u8]) -> bool;
    /// `self + delta`, if it fits.
    fn add(self, delta: Self) -> Option<Self>;
}

fn digits(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(u8::is_ascii_digit)
}

impl Counter for u64 {
    fn well_formed(value: &[u8]) -> bool {
        digits(value)
    }

    fn add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

impl Counter for i64 {
    fn well_formed(value: &[u8]) -> bool {
        digits(value.strip_prefix(b"-").unwrap_or(value))
    }

    fn add(self, delta: Self) -> Option<Self> {
        self.checked_add(delta)
    }
}

/// Refuse a new entry in `bucket` that brings the store to `total` bytes, if that or the
/// bucket's entry count would pass a limit.
fn check_new_entry(limits: &Limits, total: u64, bucket: &Bucket) -> Result<(), Refused> {
    check("max-total-bytes", total, limits.max_total_bytes)?;
    check(
        "max-entries-per-bucket",
        bucket.entries.len() as u64 + 1,
        limits.max_entries_per_bucket,
    )
}

fn check(limit: &'static str, needed: u64, max: u64) -> Result<(), Refused> {
    if needed > max {
        Err(Refused::Quota(limit))
    } else {
        Ok(())
    }
}

impl Model {
    /// An empty store with the default limits.
    pub fn new() -> Self {
        Self {
            buckets: BTreeMap::new(),
            limits: Limits::DEFAULT,
            generation: 0,
            lifetimes: BTreeMap::new(),
            now: 0,
        }
    }

    /// The model's clock: milliseconds, starting where [`Model::start_clock_at`] put it.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Set the clock (before any key has a lifetime: a test's start).
    pub fn start_clock_at(&mut self, now: u64) {
        self.now = now;
    }

    /// waSCC's `set` with `expires`, wasmCloud 0.2's with `ttl-ms`: `set`, then the key lives
    /// until `ttl_ms` from now, unless written again before.
    pub fn set_expiring(
        &mut self,
        bucket: &str,
        key: &str,
        value: &[u8],
        ttl_ms: u64,
    ) -> Result<(), Refused> {
        self.set(bucket, key, value)?;
        let stamp = self.buckets[bucket].entries[key].1;
        let deadline = self.now.saturating_add(ttl_ms);
        self.lifetimes
            .insert((bucket.to_owned(), key.to_owned()), (deadline, stamp));
        Ok(())
    }

    /// Move the clock on by `ms`: each key whose deadline is now or earlier, and that nothing
    /// wrote since it was given its lifetime, is deleted, as a delete would.
    pub fn advance(&mut self, ms: u64) {
        self.now = self.now.saturating_add(ms);
        let now = self.now;
        let ended: Vec<(String, String)> = self
            .lifetimes
            .iter()
            .filter(|(_, (deadline, _))| *deadline <= now)
            .map(|(place, _)| place.clone())
            .collect();
        for (bucket, key) in ended {
            let (_, stamp) = self
                .lifetimes
                .remove(&(bucket.clone(), key.clone()))
                .unwrap();
            if self.stamp(&bucket, &key) == Some(stamp) {
                self.delete(&bucket, &key);
            }
        }
    }

    /// The write that put the key's value there, if the key exists.
    fn stamp(&self, bucket: &str, key: &str) -> Option<u64> {
        let bucket = self.buckets.get(bucket)?;
        bucket.entries.get(key).map(|&(_, stamp)| stamp)
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// What the limits count.
    pub fn usage(&self) -> Usage {
        let mut usage = Usage::default();
        for (name, bucket) in &self.buckets {
            usage.buckets += 1;
            usage.total_bytes += name.len() as u64 + BUCKET_OVERHEAD;
            for (key, (value, _)) in &bucket.entries {
                usage.entries += 1;
                usage.total_bytes += key.len() as u64 + value.charge() + ENTRY_OVERHEAD;
            }
        }
        usage
    }

    /// Whether the bucket exists.
    pub fn has_bucket(&self, bucket: &str) -> bool {
        self.buckets.contains_key(bucket)
    }

    /// `open`: the bucket exists afterwards, unless a limit refuses a new one.
    pub fn open(&mut self, bucket: &str) -> Result<(), Refused> {
        if self.has_bucket(bucket) {
            return Ok(());
        }
        let limits = self.limits;
        let usage = self.usage();
        check(
            "max-key-bytes",
            bucket.len() as u64,
            limits.max_key_bytes.into(),
        )?;
        check(
            "max-buckets",
            u64::from(usage.buckets) + 1,
            limits.max_buckets.into(),
        )?;
        check(
            "max-total-bytes",
            usage.total_bytes + bucket.len() as u64 + BUCKET_OVERHEAD,
            limits.max_total_bytes,
        )?;
        self.buckets.insert(bucket.to_owned(), Bucket::default());
        Ok(())
    }

    /// The bytes under `key`; refused if it holds a list or a set. Reading never creates the
    /// bucket.
    pub fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, Refused> {
        match self.value(bucket, key) {
            None => Ok(None),
            Some(Value::Bytes(value)) => Ok(Some(value.clone())),
            Some(_) => Err(Refused::WrongKind),
        }
    }

    /// `golem:examples/api.get`, which has no error result: a list or a set reads as `none`.
    pub fn api_get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.get(bucket, key).unwrap_or(None)
    }

    fn value(&self, bucket: &str, key: &str) -> Option<&Value> {
        let bucket = self.buckets.get(bucket)?;
        bucket.entries.get(key).map(|(value, _)| value)
    }

    /// Whether `key` exists, whatever it holds.
    pub fn exists(&self, bucket: &str, key: &str) -> bool {
        self.value(bucket, key).is_some()
    }

    /// Every key of the bucket, in byte order.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        self.buckets
            .get(bucket)
            .map(|bucket| bucket.entries.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// One page of keys after `after` (none: from the start), at most `page-size` of them, and
    /// the cursor for the next page (the page's last key) if more keys follow.
    pub fn page_after(&self, bucket: &str, after: Option<&str>) -> (Vec<String>, Option<String>) {
        self.page_prefixed(bucket, "", after)
    }

    /// wasmCloud 0.2's listing: one page of the keys that start with `prefix`, after `after`
    /// (a cursor before them starts at the first), and the next cursor.
    pub fn page_prefixed(
        &self,
        bucket: &str,
        prefix: &str,
        after: Option<&str>,
    ) -> (Vec<String>, Option<String>) {
        let rest: Vec<String> = self
            .keys(bucket)
            .into_iter()
            .filter(|key| key.starts_with(prefix))
            .filter(|key| after.is_none_or(|after| key.as_bytes() > after.as_bytes()))
            .collect();
        let page_size = usize::try_from(self.limits.page_size).unwrap_or(usize::MAX);
        let more = rest.len() > page_size;
        let page: Vec<String> = rest.into_iter().take(page_size).collect();
        let cursor = more.then(|| page.last().cloned()).flatten();
        (page, cursor)
    }

    /// Each requested key, in order, with its value if it exists; refused if one holds a list
    /// or a set.
    pub fn get_many(&self, bucket: &str, keys: &[String]) -> Result<Vec<Found>, Refused> {
        keys.iter()
            .map(|key| Ok((key.clone(), self.get(bucket, key)?)))
            .collect()
    }

    /// `set`: opens the bucket, then checks the key, the value and the totals.
    pub fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<(), Refused> {
        self.set_many(bucket, &[(key.to_owned(), value.to_vec())])
    }

    /// `set-many`: every pair in order (a later duplicate wins), or none of them — nor the bucket,
    /// if it had to be created for them.
    pub fn set_many(&mut self, bucket: &str, entries: &[(String, Vec<u8>)]) -> Result<(), Refused> {
        let before = self.clone();
        let written = self.write_many(bucket, entries);
        if written.is_err() {
            *self = before;
        }
        written
    }

    fn write_many(&mut self, bucket: &str, entries: &[(String, Vec<u8>)]) -> Result<(), Refused> {
        self.open(bucket)?;
        let limits = self.limits;
        for (key, value) in entries {
            check(
                "max-key-bytes",
                key.len() as u64,
                limits.max_key_bytes.into(),
            )?;
            check(
                "max-value-bytes",
                value.len() as u64,
                limits.max_value_bytes.into(),
            )?;
        }
        let mut total = self.usage().total_bytes;
        let mut target = self.buckets[bucket].clone();
        for (key, value) in entries {
            match target.entries.get(key) {
                Some((old, _)) => {
                    total = total - old.charge() + value.len() as u64;
                    check("max-total-bytes", total, limits.max_total_bytes)?;
                }
                None => {
                    total += key.len() as u64 + value.len() as u64 + ENTRY_OVERHEAD;
                    check_new_entry(&limits, total, &target)?;
                }
            }
            target.put(key.clone(), Value::Bytes(value.clone()));
        }
        self.buckets.insert(bucket.to_owned(), target);
        Ok(())
    }

    /// `delete`: a missing key (or bucket) is not an error.
    pub fn delete(&mut self, bucket: &str, key: &str) {
        if let Some(bucket) = self.buckets.get_mut(bucket)
            && bucket.entries.remove(key).is_some()
        {
            bucket.removals += 1;
        }
    }

    /// `delete-many`: each key in order; missing keys are skipped.
    pub fn delete_many(&mut self, bucket: &str, keys: &[String]) {
        for key in keys {
            self.delete(bucket, key);
        }
    }

    /// `increment` of a `u64` (draft, Golem) or `s64` (draft2) counter: a missing key counts as
    /// 0, the new value is stored as decimal text.
    pub fn increment<C: Counter>(
        &mut self,
        bucket: &str,
        key: &str,
        delta: C,
    ) -> Result<C, Refused> {
        let current = match self.get(bucket, key)? {
            None => C::default(),
            Some(value) => parse(&value).ok_or(Refused::NotACounter)?,
        };
        let new = current.add(delta).ok_or(Refused::Overflow)?;
        self.set(bucket, key, new.to_string().as_bytes())?;
        Ok(new)
    }

    /// `cas.new`: the key as it stands now; refused if it holds a list or a set.
    pub fn observe(&self, bucket: &str, key: &str) -> Result<Observed, Refused> {
        let value = self.get(bucket, key)?;
        Ok(self.version(bucket, key, value))
    }

    fn version(&self, bucket: &str, key: &str, value: Option<Vec<u8>>) -> Observed {
        let bucket = self.buckets.get(bucket);
        let entry = bucket.and_then(|bucket| bucket.entries.get(key));
        Observed {
            value,
            generation: self.generation,
            written: entry.map(|&(_, stamp)| stamp),
            removals: bucket.map_or(0, |bucket| bucket.removals),
        }
    }

    /// `swap`: writes `value` only if nothing wrote the key since `observed` (for a key observed
    /// absent: nor was any key of the bucket deleted since), and returns whether it did.
    pub fn swap(
        &mut self,
        bucket: &str,
        key: &str,
        observed: &Observed,
        value: &[u8],
    ) -> Result<bool, Refused> {
        let now = self.version(bucket, key, None);
        let unchanged = now.generation == observed.generation
            && now.written == observed.written
            && (observed.written.is_some() || now.removals == observed.removals);
        if !unchanged {
            return Ok(false);
        }
        self.set(bucket, key, value)?;
        Ok(true)
    }

    /// Golem's `readwrite.get`: a missing key is `Key not found`.
    pub fn golem_get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, Refused> {
        self.get(bucket, key)?.ok_or(Refused::KeyNotFound)
    }

    /// Golem's `batch.get-many`: every value, or `Key not found` if any key is missing; a key
    /// holding a list or a set refuses the whole batch first, wherever it is.
    pub fn golem_get_many(&self, bucket: &str, keys: &[String]) -> Result<Vec<Vec<u8>>, Refused> {
        self.get_many(bucket, keys)?
            .into_iter()
            .map(|(_, value)| value.ok_or(Refused::KeyNotFound))
            .collect()
    }

    /// Golem's `atomic.compare-and-swap` of a `u64` counter.
    pub fn golem_compare_and_swap(
        &mut self,
        bucket: &str,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<bool, Refused> {
        let current: u64 = parse(&self.golem_get(bucket, key)?).ok_or(Refused::NotACounter)?;
        if current != old {
            return Ok(false);
        }
        self.set(bucket, key, new.to_string().as_bytes())?;
        Ok(true)
    }

    /// `set-limits`: refused if `page-size` is 0 or what is stored passes a new limit.
    pub fn set_limits(&mut self, limits: Limits) -> Result<(), Refused> {
        if limits.page_size == 0 {
            return Err(Refused::PageSizeZero);
        }
        let over = |limit, needed: u64, max: u64| {
            if needed > max {
                Err(Refused::DoesNotFit(limit))
            } else {
                Ok(())
            }
        };
        let usage = self.usage();
        over("max-total-bytes", usage.total_bytes, limits.max_total_bytes)?;
        over(
            "max-buckets",
            usage.buckets.into(),
            limits.max_buckets.into(),
        )?;
        for (name, bucket) in &self.buckets {
            over(
                "max-key-bytes",
                name.len() as u64,
                limits.max_key_bytes.into(),
            )?;
            over(
                "max-entries-per-bucket",
                bucket.entries.len() as u64,
                limits.max_entries_per_bucket,
            )?;
            let longest_key = bucket.entries.keys().map(String::len).max().unwrap_or(0);
            let longest_value = bucket.entries.values().map(|(v, _)| v.longest()).max();
            over(
                "max-key-bytes",
                longest_key as u64,
                limits.max_key_bytes.into(),
            )?;
            over(
                "max-value-bytes",
                longest_value.unwrap_or(0) as u64,
                limits.max_value_bytes.into(),
            )?;
        }
        self.limits = limits;
        Ok(())
    }

    /// What `key` holds, if it exists.
    pub fn kind(&self, bucket: &str, key: &str) -> Option<Kind> {
        self.value(bucket, key).map(kind_of)
    }

    /// The list under `key`: `None` if absent, refused if it holds another kind.
    fn list(&self, bucket: &str, key: &str) -> Result<Option<&Vec<Vec<u8>>>, Refused> {
        match self.value(bucket, key) {
            None => Ok(None),
            Some(Value::List(list)) => Ok(Some(list)),
            Some(_) => Err(Refused::WrongKind),
        }
    }

    /// The set under `key`: `None` if absent, refused if it holds another kind.
    fn set_of(&self, bucket: &str, key: &str) -> Result<Option<&BTreeSet<Vec<u8>>>, Refused> {
        match self.value(bucket, key) {
            None => Ok(None),
            Some(Value::Set(set)) => Ok(Some(set)),
            Some(_) => Err(Refused::WrongKind),
        }
    }

    /// A write of a collection: all or nothing, on a bucket opened for it first.
    fn collection_write<R>(
        &mut self,
        bucket: &str,
        write: impl FnOnce(&mut Model) -> Result<R, Refused>,
    ) -> Result<R, Refused> {
        let before = self.clone();
        let written = self.open(bucket).and_then(|()| write(self));
        if written.is_err() {
            *self = before;
        }
        written
    }

    /// Check `key` and `items` against the key and value limits.
    fn check_items(&self, key: &str, items: &[Vec<u8>]) -> Result<(), Refused> {
        let limits = self.limits;
        check(
            "max-key-bytes",
            key.len() as u64,
            limits.max_key_bytes.into(),
        )?;
        for item in items {
            check(
                "max-value-bytes",
                item.len() as u64,
                limits.max_value_bytes.into(),
            )?;
        }
        Ok(())
    }

    /// Grow `key` by `added` charged bytes, as `value` (new or changed), if the limits allow.
    fn grow(&mut self, bucket: &str, key: &str, added: u64, value: Value) -> Result<(), Refused> {
        let limits = self.limits;
        let usage = self.usage();
        let target = self.buckets.get_mut(bucket).expect("opened");
        if target.entries.contains_key(key) {
            check(
                "max-total-bytes",
                usage.total_bytes + added,
                limits.max_total_bytes,
            )?;
        } else {
            let total = usage.total_bytes + key.len() as u64 + added + ENTRY_OVERHEAD;
            check_new_entry(&limits, total, target)?;
        }
        target.put(key.to_owned(), value);
        Ok(())
    }

    /// Put `value` (a shrunk collection) under `key`, or remove the key if it is empty.
    fn shrink(&mut self, bucket: &str, key: &str, value: Value) {
        let target = self.buckets.get_mut(bucket).expect("the key exists");
        let empty = match &value {
            Value::List(list) => list.is_empty(),
            Value::Set(set) => set.is_empty(),
            Value::Bytes(_) => false,
        };
        if empty {
            target.entries.remove(key);
            target.removals += 1;
        } else {
            target.put(key.to_owned(), value);
        }
    }

    /// RPUSH (or, `front`, LPUSH: each item at the front in turn); the new length.
    pub fn push(
        &mut self,
        bucket: &str,
        key: &str,
        items: &[Vec<u8>],
        front: bool,
    ) -> Result<u64, Refused> {
        self.collection_write(bucket, |model| {
            let mut list = model.list(bucket, key)?.cloned().unwrap_or_default();
            if items.is_empty() {
                return Ok(list.len() as u64);
            }
            model.check_items(key, items)?;
            let added = Value::List(items.to_vec()).charge();
            for item in items {
                if front {
                    list.insert(0, item.clone());
                } else {
                    list.push(item.clone());
                }
            }
            let len = list.len() as u64;
            model.grow(bucket, key, added, Value::List(list))?;
            Ok(len)
        })
    }

    /// LRANGE: both ends included, negative from the end, clamped.
    pub fn range(
        &self,
        bucket: &str,
        key: &str,
        start: i64,
        stop: i64,
    ) -> Result<Vec<Vec<u8>>, Refused> {
        let Some(list) = self.list(bucket, key)? else {
            return Ok(Vec::new());
        };
        let len = i64::try_from(list.len()).expect("a short list");
        let at = |index: i64| if index < 0 { index + len } else { index };
        let (start, stop) = (at(start).max(0), at(stop).min(len - 1));
        Ok((start..=stop)
            .filter_map(|index| usize::try_from(index).ok())
            .map(|index| list[index].clone())
            .collect())
    }

    /// LLEN.
    pub fn list_len(&self, bucket: &str, key: &str) -> Result<u64, Refused> {
        Ok(self.list(bucket, key)?.map_or(0, Vec::len) as u64)
    }

    /// LREM of the first equal item, or of every one if `all`; how many went.
    pub fn list_remove(
        &mut self,
        bucket: &str,
        key: &str,
        item: &[u8],
        all: bool,
    ) -> Result<u64, Refused> {
        let Some(list) = self.list(bucket, key)? else {
            return Ok(0);
        };
        let mut list = list.clone();
        let mut removed = 0;
        list.retain(|other| {
            let gone = other == item && (all || removed == 0);
            removed += u64::from(gone);
            !gone
        });
        if removed > 0 {
            self.shrink(bucket, key, Value::List(list));
        }
        Ok(removed)
    }

    /// Remove the list (`Kind::List`) or set under `key`; whether there was one.
    pub fn clear(&mut self, bucket: &str, key: &str, kind: Kind) -> Result<bool, Refused> {
        match self.kind(bucket, key) {
            None => Ok(false),
            Some(holds) if holds == kind => {
                self.delete(bucket, key);
                Ok(true)
            }
            Some(_) => Err(Refused::WrongKind),
        }
    }

    /// SADD: how many members were new.
    pub fn set_add(
        &mut self,
        bucket: &str,
        key: &str,
        members: &[Vec<u8>],
    ) -> Result<u64, Refused> {
        self.collection_write(bucket, |model| {
            let mut set = model.set_of(bucket, key)?.cloned().unwrap_or_default();
            if members.is_empty() {
                return Ok(0);
            }
            model.check_items(key, members)?;
            let new: BTreeSet<Vec<u8>> = members
                .iter()
                .filter(|member| !set.contains(*member))
                .cloned()
                .collect();
            if new.is_empty() {
                return Ok(0);
            }
            let added = Value::Set(new.clone()).charge();
            let count = new.len() as u64;
            set.extend(new);
            model.grow(bucket, key, added, Value::Set(set))?;
            Ok(count)
        })
    }

    /// SREM: how many members were there.
    pub fn set_remove(
        &mut self,
        bucket: &str,
        key: &str,
        members: &[Vec<u8>],
    ) -> Result<u64, Refused> {
        let Some(set) = self.set_of(bucket, key)? else {
            return Ok(0);
        };
        let mut set = set.clone();
        let removed = members.iter().filter(|member| set.remove(*member)).count() as u64;
        if removed > 0 {
            self.shrink(bucket, key, Value::Set(set));
        }
        Ok(removed)
    }

    /// SMEMBERS, ascending.
    pub fn members(&self, bucket: &str, key: &str) -> Result<Vec<Vec<u8>>, Refused> {
        Ok(self
            .set_of(bucket, key)?
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default())
    }

    /// SISMEMBER.
    pub fn set_contains(&self, bucket: &str, key: &str, member: &[u8]) -> Result<bool, Refused> {
        Ok(self
            .set_of(bucket, key)?
            .is_some_and(|set| set.contains(member)))
    }

    /// SCARD.
    pub fn cardinality(&self, bucket: &str, key: &str) -> Result<u64, Refused> {
        Ok(self.set_of(bucket, key)?.map_or(0, BTreeSet::len) as u64)
    }

    /// The sets under `keys` (a missing one empty), refused if one holds another kind.
    fn sets(&self, bucket: &str, keys: &[String]) -> Result<Vec<BTreeSet<Vec<u8>>>, Refused> {
        keys.iter()
            .map(|key| Ok(self.set_of(bucket, key)?.cloned().unwrap_or_default()))
            .collect()
    }

    /// SUNION, ascending.
    pub fn union(&self, bucket: &str, keys: &[String]) -> Result<Vec<Vec<u8>>, Refused> {
        let union: BTreeSet<Vec<u8>> = self.sets(bucket, keys)?.into_iter().flatten().collect();
        Ok(union.into_iter().collect())
    }

    /// SINTER, ascending (of no sets: none).
    pub fn intersection(&self, bucket: &str, keys: &[String]) -> Result<Vec<Vec<u8>>, Refused> {
        let sets = self.sets(bucket, keys)?;
        let Some((first, rest)) = sets.split_first() else {
            return Ok(Vec::new());
        };
        Ok(first
            .iter()
            .filter(|member| rest.iter().all(|set| set.contains(*member)))
            .cloned()
            .collect())
    }

    /// A snapshot of the store loaded back in place of it: the same data and lifetimes, every
    /// observation stale.
    pub fn reload(&mut self) {
        self.generation += 1;
        let lifetimes = std::mem::take(&mut self.lifetimes);
        self.lifetimes = lifetimes
            .into_iter()
            .filter(|((bucket, key), (_, stamp))| self.stamp(bucket, key) == Some(*stamp))
            .collect();
    }
}

/// `value` as a counter of type `C`, if it is one.
fn parse<C: Counter>(value: &[u8]) -> Option<C> {
    if !C::well_formed(value) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_classified_from_memkvs_messages() {
        for (message, refused) in [
            (
                "quota exceeded: a value of 9 bytes is over max-value-bytes (8)",
                Refused::Quota("max-value-bytes"),
            ),
            (
                "quota exceeded: the bucket would hold 4 entries, over max-entries-per-bucket (3)",
                Refused::Quota("max-entries-per-bucket"),
            ),
            (
                "what is stored does not fit: a key of 5 bytes is over max-key-bytes (4)",
                Refused::DoesNotFit("max-key-bytes"),
            ),
            (
                "cannot increment key \"k\": its value is not a decimal u64 counter",
                Refused::NotACounter,
            ),
            (
                "cannot increment key \"k\" by 1: 18446744073709551615 + 1 overflows u64",
                Refused::Overflow,
            ),
            ("page-size must be at least 1", Refused::PageSizeZero),
            ("Key not found: \"k\"", Refused::KeyNotFound),
            ("key \"k\" holds a list, not a set", Refused::WrongKind),
        ] {
            assert_eq!(Refused::classify(message), Some(refused), "{message}");
        }
        assert_eq!(Refused::classify("something else"), None);
    }

    #[test]
    fn a_swap_fails_after_any_write_to_its_key_even_of_the_same_value() {
        let mut model = Model::new();
        model.set("b", "k", b"1").unwrap();
        let observed = model.observe("b", "k").unwrap();
        model.set("b", "k", b"1").unwrap();
        assert_eq!(model.swap("b", "k", &observed, b"2"), Ok(false));
        let observed = model.observe("b", "k").unwrap();
        assert_eq!(model.swap("b", "k", &observed, b"2"), Ok(true));
        assert_eq!(model.get("b", "k"), Ok(Some(b"2".to_vec())));
    }

    #[test]
    fn a_refused_batch_changes_nothing() {
        let mut model = Model::new();
        model
            .set_limits(Limits {
                max_entries_per_bucket: 1,
                ..Limits::DEFAULT
            })
            .unwrap();
        let batch = [("a".to_owned(), vec![]), ("b".to_owned(), vec![])];
        assert_eq!(
            model.set_many("b", &batch),
            Err(Refused::Quota("max-entries-per-bucket"))
        );
        assert!(!model.has_bucket("b"), "nor is a bucket created for it");
    }
}
