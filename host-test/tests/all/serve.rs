//! The demo, served as `wasmtime serve` serves it, driven through `wasmtime-wasi-http`:
//!
//! - the `counter` guest (`wasi:http/proxy`, WASI 0.2) composed with memkv and with memkv-redis,
//!   a fresh instance for every request. With memkv every answer is `request 1`; with memkv-redis
//!   the count grows, and two servers (two engines, as two `wasmtime serve` processes would have)
//!   share it;
//! - the `counter-spin` guest (spin-sdk 7.0.0, `wasi:http/handler@0.3.0`) composed with
//!   memkv-p3 and memkv-redis-p3 on the async engine. wasmtime 50's `serve` reuses one instance
//!   of a WASI P3 service for up to 128 requests (`--max-instance-reuse-count`), so with memkv
//!   the count grows while an instance lives and starts again with the next one.

use std::future::Future;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use host_test::{Harness, compose, engine};
use http_body_util::{BodyExt, Empty};
use wasmtime::Store;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::{
    Error, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView,
};

/// What one request's instance runs with.
struct Request {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: NoOutgoingRequests,
}

/// The counter makes no outgoing requests; any would be denied.
struct NoOutgoingRequests;

/// What `send_request` gives back: the response and a future of its body's end.
type Sent = wasmtime_wasi_http::Result<(
    hyper::Response<WasiBody>,
    Box<dyn Future<Output = Result<(), Error>> + Send>,
)>;

impl WasiHttpHooks for NoOutgoingRequests {
    fn send_request(
        &mut self,
        _request: hyper::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _done: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<dyn Future<Output = Sent> + Send> {
        Box::new(async { Err(Error::HttpRequestDenied) })
    }
}

impl WasiView for Request {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Request {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// The environment every instance of a server gets.
struct Env(Vec<(&'static str, String)>);

impl Env {
    fn new(env: &[(&'static str, &str)]) -> Self {
        Self(
            env.iter()
                .map(|&(name, value)| (name, value.to_owned()))
                .collect(),
        )
    }

    /// A store for one instance: this environment, the network, no outgoing requests.
    fn store(&self, engine: &wasmtime::Engine) -> Store<Request> {
        let env: Vec<(&str, &str)> = self
            .0
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        Store::new(
            engine,
            Request {
                table: ResourceTable::new(),
                wasi: memkv_host::network_ctx(&env),
                http: WasiHttpCtx::new(),
                hooks: NoOutgoingRequests,
            },
        )
    }
}

type Response = Result<hyper::Response<HyperOutgoingBody>, ErrorCode>;

/// A `wasmtime serve` of the counter composed with `memkv`: an engine of its own, and an
/// environment for every instance.
struct Server {
    pre: ProxyPre<Request>,
    env: Env,
}

impl Server {
    fn new(memkv: &[u8], env: &[(&'static str, &str)]) -> anyhow::Result<Self> {
        let composition = compose(memkv_artifacts::COUNTER, memkv)?;
        let engine = engine()?;
        let component = Component::new(&engine, &composition.bytes)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        Ok(Self {
            pre: ProxyPre::new(linker.instantiate_pre(&component)?)?,
            env: Env::new(env),
        })
    }

    /// One GET, in a fresh instance; the answer's body.
    fn get(&self) -> anyhow::Result<String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let mut store = self.env.store(self.pre.engine());
            let request = hyper::Request::get("http://localhost/").body(Empty::<Bytes>::new())?;
            let request = store
                .data_mut()
                .http()
                .new_incoming_request(Scheme::Http, request)?;
            let answer: Arc<Mutex<Option<Response>>> = Arc::default();
            let slot = Arc::clone(&answer);
            let out = store
                .data_mut()
                .http()
                .new_response_outparam_from_callback(move |response| {
                    *slot.lock().unwrap() = Some(response);
                })?;
            let proxy = self.pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, request, out)
                .await?;
            let response = answer.lock().unwrap().take();
            let response = response.expect("the guest set a response")?;
            let body = response.into_body().collect().await?.to_bytes();
            Ok(String::from_utf8(body.to_vec())?)
        })
    }
}

/// A `wasmtime serve` of the Spin SDK 7 counter composed with an async artifact: an engine with
/// concurrency support, WASI 0.2 and 0.3 and `wasi:http@0.3.0` in the linker, as the CLI has them.
struct P3Server {
    pre: ServicePre<Request>,
    env: Env,
}

impl P3Server {
    fn new(memkv: &[u8], env: &[(&'static str, &str)]) -> anyhow::Result<Self> {
        let composition = compose(memkv_artifacts::COUNTER_SPIN, memkv)?;
        let engine = memkv_host::async_engine(memkv_host::CacheUse::Off)?;
        let component = Component::new(&engine, &composition.bytes)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
        Ok(Self {
            pre: ServicePre::new(linker.instantiate_pre(&component)?)?,
            env: Env::new(env),
        })
    }

    /// `requests` GETs, one after the other, all served by one instance; each answer's body.
    fn serve(&self, requests: usize) -> anyhow::Result<Vec<String>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let mut store = self.env.store(self.pre.engine());
            let service = self.pre.instantiate_async(&mut store).await?;
            let mut answers = Vec::new();
            for _ in 0..requests {
                let request =
                    hyper::Request::get("http://localhost/").body(Empty::<Bytes>::new())?;
                let (request, request_body) = wasmtime_wasi_http::p3::Request::from_http(
                    &mut store.data_mut().hooks,
                    request,
                );
                let body = store
                    .run_concurrent(async |store| {
                        let response = service.handle(store, request).await??;
                        let response =
                            store.with(|store| response.into_http(store, async { Ok(()) }))?;
                        let body = response.into_body().collect().await?.to_bytes();
                        request_body.await?;
                        anyhow::Ok(body)
                    })
                    .await??;
                answers.push(String::from_utf8(body.to_vec())?);
            }
            Ok(answers)
        })
    }
}

#[test]
fn the_spin_sdk_7_counter_served_with_memkv_p3_counts_while_its_instance_lives()
-> anyhow::Result<()> {
    let server = P3Server::new(memkv_artifacts::MEMKV_P3, &[])?;
    assert_eq!(
        server.serve(3)?,
        ["request 1\n", "request 2\n", "request 3\n"]
    );
    // The next instance has a store of its own.
    assert_eq!(server.serve(1)?, ["request 1\n"]);
    Ok(())
}

#[test]
fn the_spin_sdk_7_counter_served_with_memkv_redis_p3_shares_the_count() -> anyhow::Result<()> {
    let prefix = format!("serve-p3-{}", std::process::id());
    let env = [
        ("MEMKV_REDIS_URL", Harness::redis_url()),
        ("MEMKV_REDIS_PREFIX", prefix.as_str()),
    ];
    let first = P3Server::new(memkv_artifacts::MEMKV_REDIS_P3, &env)?;
    let second = P3Server::new(memkv_artifacts::MEMKV_REDIS_P3, &env)?;
    assert_eq!(first.serve(2)?, ["request 1\n", "request 2\n"]);
    assert_eq!(second.serve(1)?, ["request 3\n"]);
    assert_eq!(first.serve(1)?, ["request 4\n"]);
    Ok(())
}

#[test]
fn served_with_memkv_every_request_counts_alone() -> anyhow::Result<()> {
    let server = Server::new(memkv_artifacts::MEMKV, &[])?;
    for _ in 0..3 {
        assert_eq!(server.get()?, "request 1\n");
    }
    Ok(())
}

#[test]
fn served_with_memkv_redis_requests_and_servers_share_the_count() -> anyhow::Result<()> {
    let prefix = format!("serve-{}", std::process::id());
    let env = [
        ("MEMKV_REDIS_URL", Harness::redis_url()),
        ("MEMKV_REDIS_PREFIX", prefix.as_str()),
    ];
    let first = Server::new(memkv_artifacts::MEMKV_REDIS, &env)?;
    let second = Server::new(memkv_artifacts::MEMKV_REDIS, &env)?;
    assert_eq!(first.get()?, "request 1\n");
    assert_eq!(first.get()?, "request 2\n");
    assert_eq!(second.get()?, "request 3\n");
    assert_eq!(first.get()?, "request 4\n");
    Ok(())
}
