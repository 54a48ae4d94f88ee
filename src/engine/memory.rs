//! The in-memory engine (`memkv.wasm`, `memkv-golem.wasm`): the instance's one [`Store`].

use std::cell::{Cell, RefCell};

use super::{Bucket, Engine, unanswered};
use crate::store::{BucketId, End, Error, Found, KeyPage, Kind, Limits, Store, Usage, Version};

/// The in-memory engine.
pub struct Memory;

thread_local! {
    /// The instance's one store: empty, or the snapshot a composer preset (`super::preset`),
    /// loaded on first use. The component imports nothing, so no call can re-enter while the
    /// store is borrowed.
    static STORE: RefCell<Store> = RefCell::new(initial_store());
}

/// The store an instance starts with. A preset the composer checked always loads; should one
/// not, the instance starts empty rather than trap.
fn initial_store() -> Store {
    super::preset::snapshot()
        .and_then(|snapshot| Store::load(snapshot).ok())
        .unwrap_or_default()
}

/// The lifetimes of keys (wasmCloud's `ttl-ms`, waSCC's `expires`), in the async artifacts,
/// which have a clock: `crate::exports::clock`.
#[cfg(feature = "p3")]
mod lifetimes {
    use std::cell::RefCell;

    use crate::exports::clock;
    use crate::store::{BucketId, Error, Lifetimes, SnapshotError, Store};

    thread_local! {
        static LIFETIMES: RefCell<Lifetimes> = RefCell::default();
    }

    /// Delete the keys whose lifetime has ended; reads the clock only if some key has one.
    pub fn expire(store: &mut Store) {
        LIFETIMES.with_borrow_mut(|lifetimes| {
            if let Some(first) = lifetimes.next_deadline() {
                let now = clock::now_ms();
                if first <= now {
                    lifetimes.expire(store, now);
                }
            }
        });
    }

    /// Give `key` of `bucket` (called `name`), just written, a lifetime of `ttl_ms` from now.
    pub fn start(store: &Store, name: &str, bucket: BucketId, key: &str, ttl_ms: u64) {
        let deadline = clock::now_ms().saturating_add(ttl_ms);
        LIFETIMES.with_borrow_mut(|lifetimes| lifetimes.start(store, name, bucket, key, deadline));
    }

    /// The store as a snapshot, with the deadlines of the keys whose lifetime is running.
    pub fn save(store: &Store) -> Result<Vec<u8>, Error> {
        LIFETIMES.with_borrow(|lifetimes| store.save_with(lifetimes))
    }

    /// Replace the store with a snapshot's, lifetimes included: a key whose deadline passed
    /// since the save is gone at the next call, as if it had expired here.
    pub fn restore(store: &mut Store, snapshot: &[u8]) -> Result<(), SnapshotError> {
        let loaded = store.restore_with(snapshot)?;
        LIFETIMES.set(loaded);
        Ok(())
    }
}

/// Without a clock: no key has a lifetime, and a snapshot with lifetimes is refused.
#[cfg(not(feature = "p3"))]
mod lifetimes {
    use crate::store::{Error, SnapshotError, Store};

    pub fn save(store: &Store) -> Result<Vec<u8>, Error> {
        store.save()
    }

    pub fn restore(store: &mut Store, snapshot: &[u8]) -> Result<(), SnapshotError> {
        store.restore(snapshot)
    }
}

/// Run `f` on the instance's store; in the async artifacts, once the keys whose lifetime has
/// ended are gone.
fn with_store<R>(f: impl FnOnce(&mut Store) -> R) -> R {
    STORE.with_borrow_mut(|store| {
        #[cfg(feature = "p3")]
        lifetimes::expire(store);
        f(store)
    })
}

/// The exported `bucket` resource, for draft, draft2 and the Golem dialect alike: which bucket
/// of the store it names. Handles share the bucket's data; dropping one changes nothing in the
/// store.
///
/// A handle names its bucket by identifier. After a snapshot load the bucket may not exist in
/// the loaded store: reads then see it empty and create nothing (usage and the next snapshot stay
/// as loaded); the first write creates it, as `open` would.
#[derive(Clone)]
pub struct BucketHandle {
    identifier: Box<str>,
    /// The bucket, once it exists, and the store generation in which that id is valid.
    id: Cell<Option<(BucketId, u64)>>,
}

impl BucketHandle {
    /// The bucket in the store as it is now, if it exists; found again by identifier if a
    /// snapshot was loaded since the handle last looked. Never creates it.
    fn find(&self, store: &Store) -> Option<BucketId> {
        if let Some((id, generation)) = self.id.get()
            && generation == store.generation()
        {
            return Some(id);
        }
        let id = store.find(&self.identifier)?;
        self.id.set(Some((id, store.generation())));
        Some(id)
    }

    /// Run a read on the bucket: `None` if it does not exist (which reads as empty).
    fn read<R>(&self, f: impl FnOnce(&Store, Option<BucketId>) -> R) -> R {
        with_store(|store| f(store, self.find(store)))
    }

    /// Run a write on the bucket, creating it first if a snapshot load removed it (and not, if
    /// the write is refused). The handle finds the new bucket by identifier on its next call.
    fn write<R>(
        &self,
        f: impl FnOnce(&mut Store, BucketId) -> Result<R, Error>,
    ) -> Result<R, Error> {
        with_store(|store| match self.find(store) {
            Some(id) => f(store, id),
            None => store.write_to(&self.identifier, f),
        })
    }

    /// Run a change that never creates anything on the bucket, if it exists (`None` if not).
    fn change<R>(
        &self,
        f: impl FnOnce(&mut Store, BucketId) -> Result<R, Error>,
    ) -> Result<Option<R>, Error> {
        with_store(|store| self.find(store).map(|id| f(store, id)).transpose())
    }
}

impl Bucket for BucketHandle {
    type Version = Version;

    fn open(identifier: String) -> Result<Self, Error> {
        let id =
            with_store(|store| Ok::<_, Error>((store.open(&identifier)?, store.generation())))?;
        Ok(Self {
            identifier: identifier.into(),
            id: Cell::new(Some(id)),
        })
    }

    fn unopened(identifier: &str) -> Self {
        Self {
            identifier: identifier.into(),
            id: Cell::new(None),
        }
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        self.read(|store, id| store.get_copy(id, key))
    }

    fn set(&self, key: &str, value: Vec<u8>) -> Result<(), Error> {
        self.write(|store, id| store.set(id, key, value))
    }

    /// Store `value` under `key` for `seconds`, in the async artifacts (which have a clock);
    /// in the others (`memkv.wasm` imports nothing, so it has none), the lifetime is ignored.
    fn set_expiring(&self, key: &str, value: Vec<u8>, seconds: u32) -> Result<(), Error> {
        if cfg!(feature = "p3") {
            let ttl_ms = u64::from(seconds) * 1000;
            return self.set_with(key, value, Some(ttl_ms), false).map(drop);
        }
        self.set(key, value)
    }

    fn set_with(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl_ms: Option<u64>,
        if_absent: bool,
    ) -> Result<bool, Error> {
        if ttl_ms.is_some() && !cfg!(feature = "p3") {
            return Err(Error::NoClock);
        }
        self.write(|store, id| {
            if if_absent && store.exists(id, key) {
                return Ok(false);
            }
            store.set(id, key, value)?;
            #[cfg(feature = "p3")]
            if let Some(ttl_ms) = ttl_ms {
                lifetimes::start(store, &self.identifier, id, key, ttl_ms);
            }
            Ok(true)
        })
    }

    /// Remove `key`; returns whether it existed.
    fn remove(&self, key: &str) -> Result<bool, Error> {
        Ok(self
            .change(|store, id| Ok(store.delete(id, key)))?
            .unwrap_or(false))
    }

    fn kind(&self, key: &str) -> Result<Option<Kind>, Error> {
        Ok(self.read(|store, id| store.kind(id, key)))
    }

    fn push(&self, key: &str, items: Vec<Vec<u8>>, end: End) -> Result<u64, Error> {
        self.write(|store, id| store.push(id, key, items, end))
    }

    fn range(&self, key: &str, start: i64, stop: i64) -> Result<Vec<Vec<u8>>, Error> {
        self.read(|store, id| store.range(id, key, start, stop))
    }

    fn list_len(&self, key: &str) -> Result<u64, Error> {
        self.read(|store, id| store.list_len(id, key))
    }

    fn list_remove(&self, key: &str, item: &[u8], all: bool) -> Result<u64, Error> {
        Ok(self
            .change(|store, id| store.list_remove(id, key, item, all))?
            .unwrap_or(0))
    }

    fn clear(&self, key: &str, kind: Kind) -> Result<bool, Error> {
        Ok(self
            .change(|store, id| store.clear(id, key, kind))?
            .unwrap_or(false))
    }

    fn set_add(&self, key: &str, members: Vec<Vec<u8>>) -> Result<u64, Error> {
        self.write(|store, id| store.set_add(id, key, members))
    }

    fn set_remove(&self, key: &str, members: Vec<Vec<u8>>) -> Result<u64, Error> {
        Ok(self
            .change(|store, id| store.set_remove(id, key, members))?
            .unwrap_or(0))
    }

    fn members(&self, key: &str) -> Result<Vec<Vec<u8>>, Error> {
        self.read(|store, id| store.members(id, key))
    }

    fn set_contains(&self, key: &str, member: &[u8]) -> Result<bool, Error> {
        self.read(|store, id| store.set_contains(id, key, member))
    }

    fn cardinality(&self, key: &str) -> Result<u64, Error> {
        self.read(|store, id| store.cardinality(id, key))
    }

    fn union(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, Error> {
        self.read(|store, id| store.union(id, keys))
    }

    fn intersection(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, Error> {
        self.read(|store, id| store.intersection(id, keys))
    }

    fn exists(&self, key: &str) -> Result<bool, Error> {
        Ok(self.read(|store, id| store.exists(id, key)))
    }

    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyPage, Error> {
        // Issuing a cursor changes the store's cursor table, never the bucket.
        with_store(|store| {
            let id = self.find(store);
            store.list_keys(id, cursor)
        })
    }

    fn list_keys_after(&self, after: Option<&str>) -> Result<(Vec<String>, Option<String>), Error> {
        self.read(|store, id| store.list_keys_after(id, after))
    }

    fn list_prefixed(
        &self,
        prefix: &str,
        after: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Error> {
        self.read(|store, id| store.list_keys_prefixed(id, prefix, after))
    }

    fn all_keys(&self) -> Result<Vec<String>, Error> {
        self.read(|store, id| store.all_keys(id))
    }

    fn get_many(&self, keys: Vec<String>) -> Result<Vec<Found>, Error> {
        self.read(|store, id| store.get_many(id, keys))
    }

    fn set_many(&self, entries: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        self.write(|store, id| store.set_many(id, entries))
    }

    fn delete_many(&self, keys: Vec<String>) -> Result<(), Error> {
        with_store(|store| {
            if let Some(id) = self.find(store) {
                store.delete_many(id, keys);
            }
        });
        Ok(())
    }

    fn increment(&self, key: &str, delta: u64) -> Result<u64, Error> {
        self.write(|store, id| store.increment(id, key, delta))
    }

    fn increment_signed(&self, key: &str, delta: i64) -> Result<i64, Error> {
        self.write(|store, id| store.increment_signed(id, key, delta))
    }

    fn increment_s32(&self, key: &str, delta: i32) -> Result<i32, Error> {
        self.write(|store, id| store.increment_s32(id, key, delta))
    }

    /// Golem's compare-and-swap of a u64 counter: `None` if the key does not exist.
    fn compare_and_swap_counter(
        &self,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Option<bool>, Error> {
        if !self.exists(key)? {
            return Ok(None);
        }
        self.write(|store, id| store.compare_and_swap_counter(id, key, old, new))
    }

    fn observe(&self, key: &str) -> Result<(Version, Option<Vec<u8>>), Error> {
        self.read(|store, id| Ok((store.version(id, key), store.get_copy(id, key)?)))
    }

    fn swap(&self, key: &str, expected: &Version, value: Vec<u8>) -> Result<bool, Error> {
        // Checked before `write` too, so that a swap that fails creates no bucket.
        if !expected.unchanged_at(&self.read(|store, id| store.version(id, key))) {
            return Ok(false);
        }
        self.write(|store, id| store.swap(id, key, expected, value))
    }

    fn version_token(version: &Version) -> Option<String> {
        version.token()
    }
}

impl Engine for Memory {
    type Bucket = BucketHandle;

    fn api_get(bucket: &str, key: &str) -> Option<Vec<u8>> {
        with_store(|store| {
            let id = store.find(bucket)?;
            match store.get_copy(id, key) {
                Ok(value) => value,
                Err(Error::WrongKind { .. }) => None,
                Err(error) => unanswered(error),
            }
        })
    }

    fn api_set(bucket: &str, key: &str, value: Vec<u8>) {
        with_store(|store| {
            let _refused = store.write_to(bucket, |store, id| store.set(id, key, value));
        });
    }

    fn limits() -> Limits {
        with_store(|store| store.limits())
    }

    fn set_limits(limits: Limits) -> Result<(), String> {
        with_store(|store| store.set_limits(limits)).map_err(|error| error.to_string())
    }

    fn usage() -> Usage {
        with_store(|store| store.usage())
    }

    fn save() -> Vec<u8> {
        with_store(|store| lifetimes::save(store)).unwrap_or_else(unanswered)
    }

    fn load(bytes: &[u8]) -> Result<(), String> {
        with_store(|store| lifetimes::restore(store, bytes)).map_err(|error| error.to_string())
    }
}
