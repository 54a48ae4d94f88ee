//! # counter-spin
//!
//! memkv's demo written as a Spin 6 or 7 app: an HTTP service of the published spin-sdk 7.0.0
//! (`#[http_service]`, exporting `wasi:http/handler@0.3.0`) that answers every request with how
//! many requests the store has counted, through `spin_sdk::key_value::Store` (the async
//! `spin:key-value/key-value@3.0.0`; label `demo`, key `requests`, a decimal count). It keeps no
//! data of its own. Compose it with `memkv compose` (which picks `memkv-p3.wasm`, or
//! `memkv-redis-p3.wasm` with `--redis`) and run it with `wasmtime serve`.
//!
//! Spin's store has no increment: the count is a `get` and a `set`, so two requests that one
//! instance serves at the same time may count once between them (`wasmtime serve` sends up to 16
//! at once to a WASI P3 instance). The `counter` demo's `atomics.increment` does not have that gap.

#[cfg(target_arch = "wasm32")]
mod guest {
    use spin_sdk::http::{IntoResponse, Request};
    use spin_sdk::http_service;
    use spin_sdk::key_value::{Error, Store};

    /// Count this request in the store; the new count.
    async fn count() -> Result<u64, Error> {
        let store = Store::open("demo").await?;
        let counted = match store.get("requests").await? {
            Some(count) => std::str::from_utf8(&count)
                .ok()
                .and_then(|count| count.parse::<u64>().ok())
                .unwrap_or(0),
            None => 0,
        };
        let count = counted.saturating_add(1);
        store.set("requests", count.to_string()).await?;
        Ok(count)
    }

    /// Every request: `request N`, or what the store said.
    #[http_service]
    async fn handle(_request: Request) -> impl IntoResponse {
        match count().await {
            Ok(count) => format!("request {count}\n"),
            Err(error) => format!("the store refused: {error:?}\n"),
        }
    }
}
