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

use host_test::Harness;
use host_test::serve::{P3Server, Server};

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
