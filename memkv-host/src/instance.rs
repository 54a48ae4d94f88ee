//! One memkv instance, called from Rust: a typed view per exported interface.
//!
//! Every call returns two levels of result: the outer [`wasmtime::Result`] is `Err` only if the
//! component trapped, the inner one is the interface's own result. Bucket and `cas` handles are
//! [`ResourceAny`]s owned by the instance: give each back with the view's `drop_*` method.

use wasmtime::component::{Instance, ResourceAny, Val};
use wasmtime::{Result, Store};

use crate::bindings::exports::fermyon::spin::key_value::Error as SpinError;
use crate::bindings::exports::memkv::store::collections::Kind;
use crate::bindings::exports::memkv::store::limits::{Limits as LimitsRecord, Usage};
use crate::bindings::exports::wasi::keyvalue0_2_0_draft::store::{Error, KeyResponse};
use crate::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use crate::bindings::exports::wasi::keyvalue0_2_0_draft2::store::{
    Error as Error2, KeyResponse as KeyResponse2,
};
use crate::bindings::exports::wasmcloud::keyvalue::key_value::{
    GetResponse, IncrementRequest, ListAddRequest, ListDelRequest, ListRangeRequest, SetAddRequest,
    SetDelRequest, SetRequest,
};
use crate::bindings::{Memkv, MemkvPre};

/// A key and its value, as `batch` passes them.
pub type Entry = (String, Vec<u8>);

/// A key and what draft2's `get-many` found for it.
pub type Found = (String, Option<Vec<u8>>);

/// A whole `list-keys` listing, followed cursor by cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Every key, in the order the pages gave them.
    pub keys: Vec<String>,
    /// How many keys each page held.
    pub page_sizes: Vec<usize>,
}

/// One instance of memkv and its wasmtime store (whose data is `T`).
pub struct MemkvInstance<T: 'static> {
    store: Store<T>,
    memkv: Memkv,
    instance: Instance,
}

impl<T: 'static> MemkvInstance<T> {
    /// Instantiate `pre` in `store`: a fresh, empty memkv.
    pub fn new(pre: &MemkvPre<T>, mut store: Store<T>) -> Result<Self> {
        let instance = pre.instance_pre().instantiate(&mut store)?;
        let memkv = Memkv::new(&mut store, &instance)?;
        Ok(Self {
            store,
            memkv,
            instance,
        })
    }

    /// Call `function` of the exported `interface` through the component model's async ABI,
    /// as the async dialects (wasmCloud 0.2, Spin 3) are called, on a runtime of its own; the
    /// function's one result. The engine must have concurrency support on
    /// ([`crate::async_engine`]).
    pub fn call_async(&mut self, interface: &str, function: &str, params: &[Val]) -> Result<Val>
    where
        T: Send,
    {
        let store = &mut self.store;
        let instance = self.instance;
        let within = instance.get_export_index(&mut *store, None, interface);
        let func = instance
            .get_export_index(&mut *store, within.as_ref(), function)
            .and_then(|index| instance.get_func(&mut *store, index))
            .ok_or_else(|| {
                wasmtime::format_err!("the instance exports no {interface}#{function}")
            })?;
        let mut results = [Val::Bool(false)];
        wasmtime_wasi::runtime::in_tokio(store.run_concurrent(async |accessor| {
            func.call_concurrent(accessor, params, &mut results).await
        }))??;
        let [result] = results;
        Ok(result)
    }

    /// The wasmtime store and the component instance, for calls no view has a method for.
    pub fn parts(&mut self) -> (&mut Store<T>, Instance) {
        (&mut self.store, self.instance)
    }

    /// The store's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// `golem:examples/api`.
    pub fn api(&mut self) -> Api<'_, T> {
        Api(View::new(self))
    }

    /// `wasi:keyvalue/{store,atomics,batch}@0.2.0-draft`.
    pub fn draft(&mut self) -> Draft<'_, T> {
        Draft(View::new(self))
    }

    /// `wasi:keyvalue/{store,atomics,batch}@0.2.0-draft2`.
    pub fn draft2(&mut self) -> Draft2<'_, T> {
        Draft2(View::new(self))
    }

    /// `memkv:store/limits`.
    pub fn limits(&mut self) -> Limits<'_, T> {
        Limits(View::new(self))
    }

    /// `golem:api/save-snapshot@1.1.7` and `golem:api/load-snapshot@1.1.7`.
    pub fn snapshot(&mut self) -> Snapshot<'_, T> {
        Snapshot(View::new(self))
    }

    /// `memkv:store/collections`, on the draft's buckets.
    pub fn collections(&mut self) -> Collections<'_, T> {
        Collections(View::new(self))
    }

    /// `wasmcloud:keyvalue/key-value`.
    pub fn wasmcloud(&mut self) -> Wasmcloud<'_, T> {
        Wasmcloud(View::new(self))
    }

    /// `fermyon:spin/key-value@2.0.0`.
    pub fn spin(&mut self) -> Spin<'_, T> {
        Spin(View::new(self))
    }
}

/// Methods of a view that call one function of its interface each, as they are: the interface
/// is reached through the bindings' accessors in brackets (`[wasi_keyvalue0_2_0_draft_store.
/// bucket]`), and each method names the bindings' function it calls. One method at a time, so
/// that the accessors and each method's arguments repeat apart.
macro_rules! calls {
    ($view:ident, [$($accessor:ident).+],
        $(#[$doc:meta])* fn $name:ident => $call:ident($($arg:ident: $ty:ty),*) -> $answer:ty;
        $($rest:tt)*
    ) => {
        impl<T: 'static> $view<'_, T> {
            $(#[$doc])*
            pub fn $name(&mut self, $($arg: $ty),*) -> Result<$answer> {
                let View { memkv, store } = &mut self.0;
                memkv$(.$accessor())+.$call(store, $($arg),*)
            }
        }
        calls!($view, [$($accessor).+], $($rest)*);
    };
    ($view:ident, [$($accessor:ident).+],) => {};
}

/// `memkv:store/collections` of one instance: lists and sets in the draft's buckets (open one
/// with [`Draft::open`]).
pub struct Collections<'a, T: 'static>(View<'a, T>);

calls!(Collections, [memkv_store_collections],
    /// `kind-of`.
    fn kind_of => call_kind_of(bucket: ResourceAny, key: &str) -> Result<Option<Kind>, Error>;
    /// `list-push`.
    fn list_push => call_list_push(bucket: ResourceAny, key: &str, items: &[Vec<u8>])
        -> Result<u64, Error>;
    /// `list-push-front`.
    fn list_push_front => call_list_push_front(bucket: ResourceAny, key: &str, items: &[Vec<u8>])
        -> Result<u64, Error>;
    /// `list-range`.
    fn list_range => call_list_range(bucket: ResourceAny, key: &str, start: i64, stop: i64)
        -> Result<Vec<Vec<u8>>, Error>;
    /// `list-length`.
    fn list_length => call_list_length(bucket: ResourceAny, key: &str) -> Result<u64, Error>;
    /// `list-remove-first`.
    fn list_remove_first => call_list_remove_first(bucket: ResourceAny, key: &str, item: &[u8])
        -> Result<bool, Error>;
    /// `list-remove-all`.
    fn list_remove_all => call_list_remove_all(bucket: ResourceAny, key: &str, item: &[u8])
        -> Result<u64, Error>;
    /// `list-clear`.
    fn list_clear => call_list_clear(bucket: ResourceAny, key: &str) -> Result<bool, Error>;
    /// `set-add`.
    fn set_add => call_set_add(bucket: ResourceAny, key: &str, members: &[Vec<u8>])
        -> Result<u64, Error>;
    /// `set-remove`.
    fn set_remove => call_set_remove(bucket: ResourceAny, key: &str, members: &[Vec<u8>])
        -> Result<u64, Error>;
    /// `set-members`.
    fn set_members => call_set_members(bucket: ResourceAny, key: &str)
        -> Result<Vec<Vec<u8>>, Error>;
    /// `set-contains`.
    fn set_contains => call_set_contains(bucket: ResourceAny, key: &str, member: &[u8])
        -> Result<bool, Error>;
    /// `set-cardinality`.
    fn set_cardinality => call_set_cardinality(bucket: ResourceAny, key: &str)
        -> Result<u64, Error>;
    /// `set-union`.
    fn set_union => call_set_union(bucket: ResourceAny, keys: &[String])
        -> Result<Vec<Vec<u8>>, Error>;
    /// `set-intersection`.
    fn set_intersection => call_set_intersection(bucket: ResourceAny, keys: &[String])
        -> Result<Vec<Vec<u8>>, Error>;
    /// `set-clear`.
    fn set_clear => call_set_clear(bucket: ResourceAny, key: &str) -> Result<bool, Error>;
);

/// `wasmcloud:keyvalue/key-value` of one instance: waSCC's contract, on the bucket `""`.
pub struct Wasmcloud<'a, T: 'static>(View<'a, T>);

calls!(Wasmcloud, [wasmcloud_keyvalue_key_value],
    /// `contains`.
    fn contains => call_contains(key: &str) -> bool;
    /// `del`.
    fn del => call_del(key: &str) -> bool;
    /// `get`.
    fn get => call_get(key: &str) -> GetResponse;
    /// `increment`.
    fn increment => call_increment(request: &IncrementRequest) -> i32;
    /// `list-add`.
    fn list_add => call_list_add(request: &ListAddRequest) -> u32;
    /// `list-clear`.
    fn list_clear => call_list_clear(key: &str) -> bool;
    /// `list-del`.
    fn list_del => call_list_del(request: &ListDelRequest) -> bool;
    /// `list-range`.
    fn list_range => call_list_range(request: &ListRangeRequest) -> Vec<String>;
    /// `set-add`.
    fn set_add => call_set_add(request: &SetAddRequest) -> u32;
    /// `set-clear`.
    fn set_clear => call_set_clear(key: &str) -> bool;
    /// `set-del`.
    fn set_del => call_set_del(request: &SetDelRequest) -> u32;
    /// `set-intersection`.
    fn set_intersection => call_set_intersection(keys: &[String]) -> Vec<String>;
    /// `set-query`.
    fn set_query => call_set_query(key: &str) -> Vec<String>;
    /// `set-union`.
    fn set_union => call_set_union(keys: &[String]) -> Vec<String>;
    /// `set`.
    fn set => call_set(request: &SetRequest) -> ();
);

/// `fermyon:spin/key-value@2.0.0` of one instance: Spin 2 to 5's stores, by label.
pub struct Spin<'a, T: 'static>(View<'a, T>);

impl<T: 'static> Spin<'_, T> {
    /// Give a store handle back to the component.
    pub fn drop_store(&mut self, store: ResourceAny) -> Result<()> {
        store.resource_drop(&mut *self.0.store)
    }
}

calls!(Spin, [fermyon_spin_key_value.store],
    /// `store.open`.
    fn open => call_open(label: &str) -> Result<ResourceAny, SpinError>;
    /// `store.get`.
    fn get => call_get(store: ResourceAny, key: &str) -> Result<Option<Vec<u8>>, SpinError>;
    /// `store.set`.
    fn set => call_set(store: ResourceAny, key: &str, value: &[u8]) -> Result<(), SpinError>;
    /// `store.delete`.
    fn delete => call_delete(store: ResourceAny, key: &str) -> Result<(), SpinError>;
    /// `store.exists`.
    fn exists => call_exists(store: ResourceAny, key: &str) -> Result<bool, SpinError>;
    /// `store.get-keys`.
    fn get_keys => call_get_keys(store: ResourceAny) -> Result<Vec<String>, SpinError>;
);

/// What every view holds: the generated bindings and the store to call them in.
struct View<'a, T: 'static> {
    memkv: &'a Memkv,
    store: &'a mut Store<T>,
}

impl<'a, T: 'static> View<'a, T> {
    fn new(instance: &'a mut MemkvInstance<T>) -> Self {
        Self {
            memkv: &instance.memkv,
            store: &mut instance.store,
        }
    }
}

/// `golem:examples/api` of one instance.
pub struct Api<'a, T: 'static>(View<'a, T>);

calls!(Api, [golem_examples_api],
    /// `get(bucket, key)`.
    fn get => call_get(bucket: &str, key: &str) -> Option<Vec<u8>>;
    /// `set(bucket, key, value)`.
    fn set => call_set(bucket: &str, key: &str, value: &[u8]) -> ();
);

/// `wasi:keyvalue/{store,atomics,batch}@0.2.0-draft` of one instance.
pub struct Draft<'a, T: 'static>(View<'a, T>);

impl<T: 'static> Draft<'_, T> {
    /// Give a bucket handle back to the component.
    pub fn drop_bucket(&mut self, bucket: ResourceAny) -> Result<()> {
        bucket.resource_drop(&mut *self.0.store)
    }

    /// Every key of `bucket`, following `list-keys` cursors to the end. The inner error is that
    /// of the first page that failed.
    pub fn list_all_keys(&mut self, bucket: ResourceAny) -> Result<Result<Listing, Error>> {
        let mut listing = Listing {
            keys: Vec::new(),
            page_sizes: Vec::new(),
        };
        let mut cursor = None;
        loop {
            let page = match self.list_keys(bucket, cursor)? {
                Ok(page) => page,
                Err(error) => return Ok(Err(error)),
            };
            listing.page_sizes.push(page.keys.len());
            listing.keys.extend(page.keys);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(Ok(listing)),
            }
        }
    }
}

calls!(Draft, [wasi_keyvalue0_2_0_draft_store],
    /// `store.open`.
    fn open => call_open(identifier: &str) -> Result<ResourceAny, Error>;
);

calls!(Draft, [wasi_keyvalue0_2_0_draft_store.bucket],
    /// `bucket.get`.
    fn get => call_get(bucket: ResourceAny, key: &str) -> Result<Option<Vec<u8>>, Error>;
    /// `bucket.set`.
    fn set => call_set(bucket: ResourceAny, key: &str, value: &[u8]) -> Result<(), Error>;
    /// `bucket.delete`.
    fn delete => call_delete(bucket: ResourceAny, key: &str) -> Result<(), Error>;
    /// `bucket.exists`.
    fn exists => call_exists(bucket: ResourceAny, key: &str) -> Result<bool, Error>;
    /// `bucket.list-keys`.
    fn list_keys => call_list_keys(bucket: ResourceAny, cursor: Option<u64>) -> Result<KeyResponse, Error>;
);

calls!(Draft, [wasi_keyvalue0_2_0_draft_atomics],
    /// `atomics.increment`.
    fn increment => call_increment(bucket: ResourceAny, key: &str, delta: u64) -> Result<u64, Error>;
);

calls!(Draft, [wasi_keyvalue0_2_0_draft_batch],
    /// `batch.get-many`.
    fn get_many => call_get_many(bucket: ResourceAny, keys: &[String]) -> Result<Vec<Option<Entry>>, Error>;
    /// `batch.set-many`.
    fn set_many => call_set_many(bucket: ResourceAny, key_values: &[Entry]) -> Result<(), Error>;
    /// `batch.delete-many`.
    fn delete_many => call_delete_many(bucket: ResourceAny, keys: &[String]) -> Result<(), Error>;
);

/// `wasi:keyvalue/{store,atomics,batch}@0.2.0-draft2` of one instance. `swap` consumes a `cas`
/// handle; [`Draft2::drop_cas`] gives back one that is not swapped.
pub struct Draft2<'a, T: 'static>(View<'a, T>);

impl<T: 'static> Draft2<'_, T> {
    /// Give a bucket handle back.
    pub fn drop_bucket(&mut self, bucket: ResourceAny) -> Result<()> {
        bucket.resource_drop(&mut *self.0.store)
    }

    /// Give a `cas` handle back without swapping.
    pub fn drop_cas(&mut self, cas: ResourceAny) -> Result<()> {
        cas.resource_drop(&mut *self.0.store)
    }
}

calls!(Draft2, [wasi_keyvalue0_2_0_draft2_store],
    /// `store.open`.
    fn open => call_open(identifier: &str) -> Result<ResourceAny, Error2>;
);

calls!(Draft2, [wasi_keyvalue0_2_0_draft2_store.bucket],
    /// `bucket.get`.
    fn get => call_get(bucket: ResourceAny, key: &str) -> Result<Option<Vec<u8>>, Error2>;
    /// `bucket.set`.
    fn set => call_set(bucket: ResourceAny, key: &str, value: &[u8]) -> Result<(), Error2>;
    /// `bucket.delete`.
    fn delete => call_delete(bucket: ResourceAny, key: &str) -> Result<(), Error2>;
    /// `bucket.exists`.
    fn exists => call_exists(bucket: ResourceAny, key: &str) -> Result<bool, Error2>;
    /// `bucket.list-keys`.
    fn list_keys => call_list_keys(bucket: ResourceAny, cursor: Option<&str>) -> Result<KeyResponse2, Error2>;
);

calls!(Draft2, [wasi_keyvalue0_2_0_draft2_atomics],
    /// `atomics.increment`.
    fn increment => call_increment(bucket: ResourceAny, key: &str, delta: i64) -> Result<i64, Error2>;
    /// `atomics.swap`: consumes `cas`.
    fn swap => call_swap(cas: ResourceAny, value: &[u8]) -> Result<(), CasError>;
);

calls!(Draft2, [wasi_keyvalue0_2_0_draft2_atomics.cas],
    /// `cas.new`.
    fn cas => call_new(bucket: ResourceAny, key: &str) -> Result<ResourceAny, Error2>;
    /// `cas.current`.
    fn current => call_current(cas: ResourceAny) -> Result<Option<Vec<u8>>, Error2>;
);

calls!(Draft2, [wasi_keyvalue0_2_0_draft2_batch],
    /// `batch.get-many`.
    fn get_many => call_get_many(bucket: ResourceAny, keys: &[String]) -> Result<Vec<Found>, Error2>;
    /// `batch.set-many`.
    fn set_many => call_set_many(bucket: ResourceAny, key_values: &[Entry]) -> Result<(), Error2>;
    /// `batch.delete-many`.
    fn delete_many => call_delete_many(bucket: ResourceAny, keys: &[String]) -> Result<(), Error2>;
);

/// `memkv:store/limits` of one instance.
pub struct Limits<'a, T: 'static>(View<'a, T>);

calls!(Limits, [memkv_store_limits],
    /// `get-limits`.
    fn get => call_get_limits() -> LimitsRecord;
    /// `set-limits`.
    fn set => call_set_limits(limits: LimitsRecord) -> Result<(), String>;
    /// `get-usage`.
    fn usage => call_get_usage() -> Usage;
);

/// Golem's snapshot interfaces of one instance.
pub struct Snapshot<'a, T: 'static>(View<'a, T>);

calls!(Snapshot, [golem_api1_1_7_save_snapshot],
    /// `save-snapshot.save`: the whole store as bytes.
    fn save => call_save() -> Vec<u8>;
);

calls!(Snapshot, [golem_api1_1_7_load_snapshot],
    /// `load-snapshot.load`: replace the whole store with a snapshot's.
    fn load => call_load(snapshot: &[u8]) -> Result<(), String>;
);
