//! The demo guests served as `wasmtime serve` serves them, through `wasmtime-wasi-http`, for
//! `tests/all/serve.rs` and `benches/serve.rs`:
//!
//! - [`Server`]: the `counter` guest (`wasi:http/proxy`, WASI 0.2) composed with an artifact, a
//!   fresh instance for every request, as `wasmtime serve` runs a WASI 0.2 proxy;
//! - [`P3Server`]: the `counter-spin` guest (spin-sdk 7.0.0, `wasi:http/handler@0.3.0`) composed
//!   with an async artifact, several requests per instance, as `wasmtime serve` runs a WASI P3
//!   service.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::{compose, engine};
use bytes::Bytes;
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
pub struct Server {
    pre: ProxyPre<Request>,
    env: Env,
}

impl Server {
    /// The counter composed with `memkv` (an artifact's bytes), each instance with `env`.
    pub fn new(memkv: &[u8], env: &[(&'static str, &str)]) -> anyhow::Result<Self> {
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
    pub fn get(&self) -> anyhow::Result<String> {
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
pub struct P3Server {
    pre: ServicePre<Request>,
    env: Env,
}

impl P3Server {
    /// The Spin SDK 7 counter composed with `memkv` (an async artifact's bytes), each instance
    /// with `env`.
    pub fn new(memkv: &[u8], env: &[(&'static str, &str)]) -> anyhow::Result<Self> {
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
    pub fn serve(&self, requests: usize) -> anyhow::Result<Vec<String>> {
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
