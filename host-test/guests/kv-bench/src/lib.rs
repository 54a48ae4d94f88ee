//! # kv-bench
//!
//! Benchmark loops that run inside wasm against an imported `wasi:keyvalue@0.2.0-draft` store
//! (world `memkv:fixtures/kv-bench`). The host times one export call and divides by the number of
//! operations; `empty-loop` measures the loop's own cost so it can be subtracted. The same
//! unmodified guest is served by memkv (composed) or by wasmtime's host store.

#[cfg(target_arch = "wasm32")]
mod guest {
    use std::cell::RefCell;

    mod bindings {
        wit_bindgen::generate!({
            path: ["../../../wit", "../../wit"],
            world: "memkv:fixtures/kv-bench",
            generate_all,
        });
    }

    use bindings::exports::memkv::fixtures::bench::Guest;
    use bindings::wasi::keyvalue0_2_0_draft::store::{self, Bucket, Error};
    use bindings::wasi::keyvalue0_2_0_draft::{atomics, batch};

    /// Visits every key of a bucket of 10^5 keys before repeating, in an order that is not the
    /// key order (the stride is prime and does not divide the count).
    const STRIDE: usize = 48_271;
    /// `set-many` writes windows of this many leading keys, prepared in `setup`.
    const SET_MANY_POOL: usize = 1_000;

    struct Bench {
        bucket: Bucket,
        keys: Vec<String>,
        counters: Vec<String>,
        value: Vec<u8>,
        pairs: Vec<(String, Vec<u8>)>,
        next: usize,
    }

    impl Bench {
        /// The index of the next key to visit.
        fn advance(&mut self) -> usize {
            let index = self.next;
            self.next = (self.next + STRIDE) % self.keys.len();
            index
        }
    }

    thread_local! {
        static BENCH: RefCell<Option<Bench>> = const { RefCell::new(None) };
    }

    fn describe(error: &Error) -> String {
        match error {
            Error::NoSuchStore => "no-such-store".into(),
            Error::AccessDenied => "access-denied".into(),
            Error::Other(message) => message.clone(),
        }
    }

    /// Run `f` on the state made by `setup`; before `setup`, the loops do nothing.
    fn with_bench(f: impl FnOnce(&mut Bench) -> u32) -> u32 {
        BENCH.with_borrow_mut(|bench| bench.as_mut().map_or(0, f))
    }

    struct Component;

    bindings::export!(Component with_types_in bindings);

    impl Guest for Component {
        fn setup(bucket: String, count: u32, value_size: u32) -> Result<(), String> {
            let bucket = store::open(&bucket).map_err(|e| describe(&e))?;
            let keys: Vec<String> = (0..count).map(|i| format!("key{i:013}")).collect();
            let counters: Vec<String> = (0..count).map(|i| format!("ctr{i:013}")).collect();
            let value: Vec<u8> = (0..value_size).map(|i| (i % 251) as u8).collect();
            for key in &keys {
                bucket.set(key, &value).map_err(|e| describe(&e))?;
            }
            let pairs = keys
                .iter()
                .take(SET_MANY_POOL)
                .map(|key| (key.clone(), value.clone()))
                .collect();
            let bench = Bench {
                bucket,
                keys,
                counters,
                value,
                pairs,
                next: 0,
            };
            BENCH.with_borrow_mut(|state| *state = Some(bench));
            Ok(())
        }

        fn set_loop(count: u32) -> u32 {
            with_bench(|bench| {
                let mut done = 0;
                for _ in 0..count {
                    let index = bench.advance();
                    done += u32::from(bench.bucket.set(&bench.keys[index], &bench.value).is_ok());
                }
                done
            })
        }

        fn get_loop(count: u32) -> u32 {
            with_bench(|bench| {
                let mut found = 0;
                for _ in 0..count {
                    let index = bench.advance();
                    found += u32::from(matches!(bench.bucket.get(&bench.keys[index]), Ok(Some(_))));
                }
                found
            })
        }

        fn exists_loop(count: u32) -> u32 {
            with_bench(|bench| {
                let mut found = 0;
                for _ in 0..count {
                    let index = bench.advance();
                    found += u32::from(matches!(bench.bucket.exists(&bench.keys[index]), Ok(true)));
                }
                found
            })
        }

        fn empty_loop(count: u32) -> u32 {
            with_bench(|bench| {
                let mut sum = 0;
                for _ in 0..count {
                    let index = bench.advance();
                    sum += u32::from(std::hint::black_box(&bench.keys[index]).len() == 16);
                }
                sum
            })
        }

        fn exists_empty_loop(count: u32) -> u32 {
            // The bucket `""` is empty for both providers the benchmark uses: memkv is set up on
            // another bucket, and wasmtime's host store gives each `open` a fresh copy.
            let Ok(empty) = store::open("") else {
                return 0;
            };
            let mut missing = 0;
            for _ in 0..count {
                missing += u32::from(matches!(empty.exists(""), Ok(false)));
            }
            missing
        }

        fn increment_loop(count: u32) -> u64 {
            BENCH.with_borrow_mut(|bench| {
                let Some(bench) = bench.as_mut() else {
                    return 0;
                };
                let mut last = 0;
                for _ in 0..count {
                    let index = bench.advance();
                    let counter = &bench.counters[index];
                    last = atomics::increment(&bench.bucket, counter, 1).unwrap_or(0);
                }
                last
            })
        }

        fn get_many_loop(calls: u32, batch: u32) -> u32 {
            with_bench(|bench| {
                let batch = (batch as usize).min(bench.keys.len());
                let mut found = 0;
                for call in 0..calls as usize {
                    let start = (call * batch) % (bench.keys.len() - batch + 1);
                    let keys = &bench.keys[start..start + batch];
                    if let Ok(values) = batch::get_many(&bench.bucket, keys) {
                        for value in values {
                            found += u32::from(value.is_some());
                        }
                    }
                }
                found
            })
        }

        fn set_many_loop(calls: u32, batch: u32) -> u32 {
            with_bench(|bench| {
                let batch = (batch as usize).min(bench.pairs.len());
                let mut done = 0;
                for call in 0..calls as usize {
                    let start = (call * batch) % (bench.pairs.len() - batch + 1);
                    let pairs = &bench.pairs[start..start + batch];
                    done += u32::from(batch::set_many(&bench.bucket, pairs).is_ok());
                }
                done
            })
        }

        fn list_all() -> Result<u64, String> {
            BENCH.with_borrow(|bench| {
                let bench = bench.as_ref().ok_or("call setup first")?;
                let mut keys = 0;
                let mut cursor = None;
                loop {
                    let page = bench.bucket.list_keys(cursor).map_err(|e| describe(&e))?;
                    keys += page.keys.len() as u64;
                    match page.cursor {
                        Some(next) => cursor = Some(next),
                        None => return Ok(keys),
                    }
                }
            })
        }
    }
}
