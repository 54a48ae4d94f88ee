//! The `bucket` resource behind both drafts of `wasi:keyvalue/store`.

use std::cell::Cell;

use super::with_store;
use crate::store::{BucketId, Error, Store};

/// The exported `bucket` resource, for draft and draft2 alike: which bucket of the store it
/// names. Handles share the bucket's data; dropping one changes nothing in the store. A handle
/// names its bucket by identifier: after a snapshot is loaded it reaches the bucket of that
/// identifier in the loaded store (created empty if the snapshot has none).
#[derive(Clone)]
pub struct BucketHandle {
    identifier: Box<str>,
    /// The bucket, and the store generation in which that id is valid.
    id: Cell<(BucketId, u64)>,
}

impl BucketHandle {
    /// Open (creating if need be) the bucket called `identifier`.
    pub fn open(identifier: String) -> Result<Self, Error> {
        let id =
            with_store(|store| Ok::<_, Error>((store.open(&identifier)?, store.generation())))?;
        Ok(Self {
            identifier: identifier.into(),
            id: Cell::new(id),
        })
    }

    /// Run `f` on the store and this handle's bucket, finding the bucket again by identifier if
    /// a snapshot was loaded since the handle last looked.
    pub fn with<R>(&self, f: impl FnOnce(&mut Store, BucketId) -> R) -> Result<R, Error> {
        with_store(|store| {
            let (mut id, generation) = self.id.get();
            if generation != store.generation() {
                id = store.open(&self.identifier)?;
                self.id.set((id, store.generation()));
            }
            Ok(f(store, id))
        })
    }
}

/// What both drafts' `store` and `batch` adapters say word for word: the WIT shapes are the same,
/// only the generated types differ, so each adapter expands these where its own `Error`,
/// `Bucket` and `BucketBorrow` are in scope.
macro_rules! shared_by_both_drafts {
    (error conversion and open) => {
        /// The one conversion from the core's error to this draft's `error` (shared by its
        /// `atomics` and `batch`). memkv never produces `no-such-store` or `access-denied`.
        impl From<$crate::store::Error> for Error {
            fn from(error: $crate::store::Error) -> Self {
                Error::Other(error.to_string())
            }
        }

        impl Guest for Component {
            type Bucket = BucketHandle;

            fn open(identifier: String) -> Result<Bucket, Error> {
                Ok(Bucket::new(BucketHandle::open(identifier)?))
            }
        }
    };
    (bucket methods) => {
        fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
            Ok(self.with(|store, id| store.get_copy(id, &key))??)
        }

        fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
            Ok(self.with(|store, id| store.set(id, &key, value))??)
        }

        fn delete(&self, key: String) -> Result<(), Error> {
            self.with(|store, id| {
                store.delete(id, &key);
            })?;
            Ok(())
        }

        fn exists(&self, key: String) -> Result<bool, Error> {
            Ok(self.with(|store, id| store.exists(id, &key))?)
        }
    };
    (batch writes) => {
        fn set_many(
            bucket: BucketBorrow<'_>,
            key_values: Vec<(String, Vec<u8>)>,
        ) -> Result<(), Error> {
            let bucket = bucket.get::<BucketHandle>();
            Ok(bucket.with(|store, id| store.set_many(id, key_values))??)
        }

        fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
            let bucket = bucket.get::<BucketHandle>();
            Ok(bucket.with(|store, id| store.delete_many(id, keys))?)
        }
    };
}

pub(super) use shared_by_both_drafts;
