//! The `bucket` resource of memkv-redis: the same methods as the in-memory engine's, each one
//! command or one call of memkv.lua's function on the server.

use redis::Value;

use super::{
    Op, STAMP, bucket_key, bytes, flag, kind_named, now_ms, number, strings, text, unstamped,
    value_field, with_connection,
};
use crate::engine::Bucket;
use crate::store::{End, Error, Found, KeyName, KeyPage, Kind, u64_counter};

/// The exported `bucket` resource: the name of a bucket of the store on the server. Handles
/// share the bucket's data (and every other instance's handles to it do too); dropping one
/// changes nothing.
#[derive(Clone)]
pub struct BucketHandle {
    name: Box<str>,
}

/// What a compare-and-swap observed of one key: the store's generation (bumped by every
/// snapshot load), the value's write stamp (empty if the key was absent) and the bucket's
/// deletion count. Compared by the server when the swap runs.
#[derive(Debug, Clone)]
pub struct Version {
    generation: Vec<u8>,
    stamp: Vec<u8>,
    removals: Vec<u8>,
}

/// The value of `key` in bucket `bucket`, if it exists. One `HGET`.
pub(super) fn get(bucket: &str, key: &str) -> Result<Option<Vec<u8>>, Error> {
    let stored = with_connection(|server, session| {
        redis::cmd("HGET")
            .arg(&session.store)
            .arg(value_field(bucket, key))
            .query::<Option<Vec<u8>>>(server.connection())
    })?;
    Ok(stored
        .map(|stored| unstamped(stored, key))
        .transpose()?
        .flatten())
}

/// Store `value` under `key` in bucket `bucket`, creating the bucket for it (not, if a limit
/// refuses the write). One call.
pub(super) fn set(bucket: &str, key: &str, value: &[u8]) -> Result<(), Error> {
    Op::new("set", bucket)
        .arg(key.as_bytes())
        .arg(value)
        .run(key)?;
    Ok(())
}

impl BucketHandle {
    /// Call `op` on `key` with `args`: the first value of its answer.
    fn call(&self, op: &'static str, key: &str, args: &[&[u8]]) -> Result<Value, Error> {
        let answer = Op::new(op, &self.name)
            .arg(key.as_bytes())
            .args(args.iter().copied())
            .run(key)?;
        Ok(answer.into_iter().next().unwrap_or(Value::Nil))
    }

    fn combine(&self, op: &'static str, keys: &[String]) -> Result<Vec<Vec<u8>>, Error> {
        let answer = Op::new(op, &self.name)
            .args(keys.iter().map(String::as_bytes))
            .run("")?;
        Ok(sorted(items(
            answer.into_iter().next().unwrap_or(Value::Nil),
        )))
    }

    fn increment_as<T: std::str::FromStr>(
        &self,
        key: &str,
        delta: &str,
        ty: &str,
    ) -> Result<T, Error> {
        let answer = Op::new("increment", &self.name)
            .arg(key.as_bytes())
            .arg(delta.as_bytes())
            .arg(ty.as_bytes())
            .run(key)?;
        number(answer.first().unwrap_or(&Value::Nil))
    }
}

impl Bucket for BucketHandle {
    type Version = Version;

    fn open(identifier: String) -> Result<Self, Error> {
        Op::new("open", &identifier).run("")?;
        Ok(Self {
            name: identifier.into(),
        })
    }

    fn unopened(identifier: &str) -> Self {
        Self {
            name: identifier.into(),
        }
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        get(&self.name, key)
    }

    fn set(&self, key: &str, value: Vec<u8>) -> Result<(), Error> {
        set(&self.name, key, &value)
    }

    /// Remove `key`; returns whether it existed.
    fn remove(&self, key: &str) -> Result<bool, Error> {
        flag(&self.call("delete", key, &[])?)
    }

    fn kind(&self, key: &str) -> Result<Option<Kind>, Error> {
        let kind = text(&self.call("kind", key, &[])?);
        Ok((!kind.is_empty()).then(|| kind_named(&kind)))
    }

    fn push(&self, key: &str, items: Vec<Vec<u8>>, end: End) -> Result<u64, Error> {
        let front: &[u8] = if end == End::Front { b"1" } else { b"0" };
        let args: Vec<&[u8]> = std::iter::once(front)
            .chain(items.iter().map(Vec::as_slice))
            .collect();
        number(&self.call("push", key, &args)?)
    }

    fn range(&self, key: &str, start: i64, stop: i64) -> Result<Vec<Vec<u8>>, Error> {
        let (start, stop) = (start.to_string(), stop.to_string());
        let answer = self.call("range", key, &[start.as_bytes(), stop.as_bytes()])?;
        Ok(items(answer))
    }

    fn list_len(&self, key: &str) -> Result<u64, Error> {
        number(&self.call("llen", key, &[])?)
    }

    fn list_remove(&self, key: &str, item: &[u8], all: bool) -> Result<u64, Error> {
        let all: &[u8] = if all { b"1" } else { b"0" };
        number(&self.call("lrem", key, &[item, all])?)
    }

    fn clear(&self, key: &str, kind: Kind) -> Result<bool, Error> {
        let kind: &[u8] = if kind == Kind::List { b"list" } else { b"set" };
        flag(&self.call("clear", key, &[kind])?)
    }

    fn set_add(&self, key: &str, members: Vec<Vec<u8>>) -> Result<u64, Error> {
        let members: Vec<&[u8]> = members.iter().map(Vec::as_slice).collect();
        number(&self.call("sadd", key, &members)?)
    }

    fn set_remove(&self, key: &str, members: Vec<Vec<u8>>) -> Result<u64, Error> {
        let members: Vec<&[u8]> = members.iter().map(Vec::as_slice).collect();
        number(&self.call("srem", key, &members)?)
    }

    fn members(&self, key: &str) -> Result<Vec<Vec<u8>>, Error> {
        Ok(sorted(items(self.call("smembers", key, &[])?)))
    }

    fn set_contains(&self, key: &str, member: &[u8]) -> Result<bool, Error> {
        flag(&self.call("sismember", key, &[member])?)
    }

    fn cardinality(&self, key: &str) -> Result<u64, Error> {
        number(&self.call("scard", key, &[])?)
    }

    fn union(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, Error> {
        self.combine("sunion", keys)
    }

    fn intersection(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, Error> {
        self.combine("sinter", keys)
    }

    /// Whether `key` exists (and its lifetime, if it has one, has not passed). One `HEXISTS`
    /// and one `ZSCORE` of its deadline, pipelined.
    fn exists(&self, key: &str) -> Result<bool, Error> {
        let (exists, deadline) = with_connection(|server, session| {
            let deadlines = bucket_key(&session.prefix, &self.name, "x");
            let field = value_field(&self.name, key);
            server.exists_and_deadline(&session.store, &field, &deadlines, key)
        })?;
        // Deadlines are whole milliseconds, well within f64's exact integers.
        #[expect(
            clippy::cast_precision_loss,
            reason = "milliseconds since 1970 fit 2^53"
        )]
        let now = now_ms() as f64;
        Ok(exists && deadline.is_none_or(|deadline| deadline > now))
    }

    /// One call: the server checks `if_absent` and writes, and keeps the lifetime by its clock.
    fn set_with(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl_ms: Option<u64>,
        if_absent: bool,
    ) -> Result<bool, Error> {
        let ttl_ms = ttl_ms.map(|ttl| ttl.to_string()).unwrap_or_default();
        let if_absent: &[u8] = if if_absent { b"1" } else { b"0" };
        let answer = self.call("set_opts", key, &[&value, ttl_ms.as_bytes(), if_absent])?;
        flag(&answer)
    }

    /// Store `value` under `key` for `seconds` (wasmCloud's `set` with `expires`): by the
    /// server's clock, the key then goes as a delete would take it.
    fn set_expiring(&self, key: &str, value: Vec<u8>, seconds: u32) -> Result<(), Error> {
        let seconds = seconds.to_string();
        self.call("set_ex", key, &[&value, seconds.as_bytes()])
            .map(drop)
    }

    /// One page of keys after the draft's numbered `cursor` (kept in the store's cursor table,
    /// shared by every instance).
    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyPage, Error> {
        let cursor = cursor.map(|cursor| cursor.to_string()).unwrap_or_default();
        let mut answer = Op::new("list", &self.name)
            .arg(cursor.as_bytes())
            .run("")?
            .into_iter();
        let keys = strings(answer.next().unwrap_or_default());
        let next = answer.next().map(|next| text(&next)).unwrap_or_default();
        Ok(KeyPage {
            keys,
            cursor: next.parse().ok(),
        })
    }

    /// [`Bucket::list_prefixed`] with no prefix.
    fn list_keys_after(&self, after: Option<&str>) -> Result<(Vec<String>, Option<String>), Error> {
        self.list_prefixed("", after)
    }

    /// One page of the keys with `prefix` after `after`: the range of the bucket's index from
    /// the first key with the prefix (or right after `after`, if that is not before it) up to
    /// the last key with the prefix.
    fn list_prefixed(
        &self,
        prefix: &str,
        after: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Error> {
        // Redis's lexical ranges: `[` includes, `(` excludes; no key has a byte 0xFF (keys are
        // UTF-8), so `[prefix\xff` is past every key with the prefix.
        let start = match after.filter(|after| *after >= prefix) {
            Some(after) => [b"(", after.as_bytes()].concat(),
            None => [b"[", prefix.as_bytes()].concat(),
        };
        let stop = [b"[", prefix.as_bytes(), b"\xff"].concat();
        let mut answer = Op::new("page_range", &self.name)
            .arg(&start)
            .arg(&stop)
            .run("")?
            .into_iter();
        let keys = strings(answer.next().unwrap_or_default());
        let more = answer
            .next()
            .map(|more| flag(&more))
            .transpose()?
            .unwrap_or(false);
        let cursor = if more { keys.last().cloned() } else { None };
        Ok((keys, cursor))
    }

    /// Each requested key with a copy of its value, if it exists. One `HMGET`.
    fn get_many(&self, keys: Vec<String>) -> Result<Vec<Found>, Error> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let values = with_connection(|server, session| {
            let fields: Vec<String> = keys
                .iter()
                .map(|key| value_field(&self.name, key))
                .collect();
            redis::cmd("HMGET")
                .arg(&session.store)
                .arg(&fields)
                .query::<Vec<Option<Vec<u8>>>>(server.connection())
        })?;
        keys.into_iter()
            .zip(values)
            .map(|(key, value)| {
                let value = value.map(|value| unstamped(value, &key)).transpose()?;
                Ok((key, value.flatten()))
            })
            .collect()
    }

    fn set_many(&self, entries: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        Op::new("set_many", &self.name)
            .args(
                entries
                    .iter()
                    .flat_map(|(key, value)| [key.as_bytes(), value.as_slice()]),
            )
            .run("")?;
        Ok(())
    }

    fn delete_many(&self, keys: Vec<String>) -> Result<(), Error> {
        Op::new("delete", &self.name)
            .args(keys.iter().map(|key| key.as_bytes()))
            .run("")?;
        Ok(())
    }

    fn increment(&self, key: &str, delta: u64) -> Result<u64, Error> {
        self.increment_as(key, &delta.to_string(), "u64")
    }

    fn increment_signed(&self, key: &str, delta: i64) -> Result<i64, Error> {
        self.increment_as(key, &delta.to_string(), "s64")
    }

    fn increment_s32(&self, key: &str, delta: i32) -> Result<i32, Error> {
        self.increment_as(key, &delta.to_string(), "s32")
    }

    fn observe(&self, key: &str) -> Result<(Version, Option<Vec<u8>>), Error> {
        let mut answer = Op::new("observe", &self.name)
            .arg(key.as_bytes())
            .run(key)?
            .into_iter();
        let mut next = || bytes(answer.next().unwrap_or_default());
        let version = Version {
            generation: next().unwrap_or_default(),
            stamp: next().unwrap_or_default(),
            removals: next().unwrap_or_default(),
        };
        debug_assert!(version.stamp.is_empty() || version.stamp.len() == STAMP);
        Ok((version, next()))
    }

    fn swap(&self, key: &str, expected: &Version, value: Vec<u8>) -> Result<bool, Error> {
        let answer = Op::new("swap", &self.name)
            .arg(key.as_bytes())
            .arg(&expected.generation)
            .arg(&expected.stamp)
            .arg(&expected.removals)
            .arg(&value)
            .run(key)?;
        flag(answer.first().unwrap_or(&Value::Nil))
    }

    /// The store generation and the value's write stamp, each in hex: a write of the key (or a
    /// snapshot load) changes one of them.
    fn version_token(version: &Version) -> Option<String> {
        if version.stamp.is_empty() {
            return None;
        }
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        Some(format!(
            "{}-{}",
            hex(&version.generation),
            hex(&version.stamp)
        ))
    }

    /// Every key, in byte order: the pages of draft2's listing, followed to the end. Not one
    /// moment of the bucket: a key written between pages may or may not be in it.
    fn all_keys(&self) -> Result<Vec<String>, Error> {
        let mut keys = Vec::new();
        let mut after = None;
        loop {
            let (page, next) = self.list_keys_after(after.as_deref())?;
            keys.extend(page);
            match next {
                Some(next) => after = Some(next),
                None => return Ok(keys),
            }
        }
    }

    /// Golem's compare-and-swap of a u64 counter, as an observe and a swap of what was observed,
    /// retried while another write gets in between.
    fn compare_and_swap_counter(
        &self,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Option<bool>, Error> {
        loop {
            let (version, value) = self.observe(key)?;
            let Some(value) = value else {
                return Ok(None);
            };
            let current = u64_counter(&value).ok_or_else(|| Error::NotACounter {
                key: KeyName::from(key),
                ty: "u64",
            })?;
            if current != old {
                return Ok(Some(false));
            }
            if self.swap(key, &version, new.to_string().into_bytes())? {
                return Ok(Some(true));
            }
        }
    }
}

/// A reply's items as bytes.
fn items(value: Value) -> Vec<Vec<u8>> {
    match value {
        Value::Array(items) | Value::Set(items) => items
            .into_iter()
            .map(|item| bytes(item).unwrap_or_default())
            .collect(),
        _ => Vec::new(),
    }
}

/// `members` in ascending byte order, as the in-memory engine answers (Redis answers a set in
/// no order).
fn sorted(mut members: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    members.sort_unstable();
    members
}
