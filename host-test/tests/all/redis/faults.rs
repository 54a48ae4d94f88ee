//! memkv-redis when its server goes away, refuses, or answers oddly: errors through the WIT
//! error type, never a trap; no acknowledged write lost, and no write applied twice.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use host_test::expect_other;
use host_test::redis::RedisServer;

use super::harness;

#[test]
fn a_server_restarted_between_calls_loses_no_acknowledged_write() -> Result<()> {
    let mut server = RedisServer::start()?;
    let mut memkv = harness().instantiate_at(&server.url(), "faults")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    for i in 0..100 {
        memkv.draft().set(bucket, &format!("k{i}"), b"v")?.unwrap();
    }
    memkv.draft().increment(bucket, "n", 41)?.unwrap();

    server.restart()?;
    // The instance's connection is gone; the next call makes a new one and is retried.
    assert_eq!(memkv.draft().increment(bucket, "n", 1)?.unwrap(), 42);
    let listing = memkv.draft().list_all_keys(bucket)?.unwrap();
    assert_eq!(listing.keys.len(), 101);
    for i in 0..100 {
        let value = memkv.draft().get(bucket, &format!("k{i}"))?.unwrap();
        assert_eq!(value, Some(b"v".to_vec()), "k{i}");
    }
    assert_eq!(memkv.limits().usage()?.entries, 101);
    Ok(memkv.draft().drop_bucket(bucket)?)
}

#[test]
fn a_server_that_is_down_is_an_error_on_every_interface_and_then_recovers() -> Result<()> {
    let mut server = RedisServer::start()?;
    let mut memkv = harness().instantiate_at(&server.url(), "faults")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"before")?.unwrap();

    server.kill();
    let address = format!("redis at {}", server.url());
    let message = expect_other(memkv.draft().get(bucket, "k")?);
    assert!(message.starts_with(&address), "{message}");
    let message = expect_other(memkv.draft().set(bucket, "k", b"lost")?);
    assert!(message.starts_with(&address), "{message}");
    expect_other(memkv.draft().increment(bucket, "n", 1)?);
    expect_other(memkv.draft().list_keys(bucket, None)?);
    let d2 = memkv.draft2().open("b")?;
    assert!(d2.is_err(), "open reaches the server: {d2:?}");
    // The interfaces without an error result answer, and do not trap.
    assert_eq!(memkv.api().get("b", "k")?, None);
    memkv.api().set("b", "k", b"lost")?;
    assert_eq!(memkv.snapshot().save()?, Vec::<u8>::new());
    let refused = memkv.snapshot().load(&[])?;
    assert!(refused.is_err());

    server.restart()?;
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"before".to_vec()),
        "only acknowledged writes were kept"
    );
    Ok(memkv.draft().drop_bucket(bucket)?)
}

#[test]
fn an_unreachable_server_is_a_clear_error_on_the_first_operation() -> Result<()> {
    // The killed server's port is free for any other test's server to take before memkv
    // connects (tests run in parallel): then the error is another one. A few tries make sure a
    // refused connection is seen and named as such: "Connection refused", or "Socket not
    // connected (os error 53)", which wasmtime's sockets give for some connections to a closed
    // port (seen in one run of this test alone out of three).
    let mut messages = Vec::new();
    for _ in 0..3 {
        let mut server = RedisServer::start()?;
        let url = server.url();
        server.kill();
        let mut memkv = harness().instantiate_at(&url, "faults")?;
        let message = match memkv.draft().open("b")? {
            Err(Error::Other(message)) => message,
            other => panic!("expected error::other, got {other:?}"),
        };
        assert!(
            message.starts_with(&format!("redis at {url}: ")),
            "{message}"
        );
        if message.contains("refused") || message.contains("Socket not connected") {
            return Ok(());
        }
        messages.push(message);
    }
    panic!("no try was refused: {messages:?}")
}

#[test]
fn a_url_that_is_not_one_is_a_clear_error() -> Result<()> {
    let mut memkv = harness().instantiate_at("http://127.0.0.1:6379", "faults")?;
    let message = match memkv.draft().open("b")? {
        Err(Error::Other(message)) => message,
        other => panic!("expected error::other, got {other:?}"),
    };
    assert!(
        message.starts_with("redis at http://127.0.0.1:6379: "),
        "{message}"
    );
    Ok(())
}

#[test]
fn a_prefix_with_a_brace_is_refused() -> Result<()> {
    let mut memkv = harness().instantiate_on("a{b")?;
    let message = match memkv.draft().open("b")? {
        Err(Error::Other(message)) => message,
        other => panic!("expected error::other, got {other:?}"),
    };
    assert!(message.contains("MEMKV_REDIS_PREFIX \"a{b\""), "{message}");
    Ok(())
}

#[test]
fn a_library_flushed_while_connected_is_loaded_again_by_the_next_call() -> Result<()> {
    let server = RedisServer::start()?;
    let mut memkv = harness().instantiate_at(&server.url(), "flushed")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"v")?.unwrap();
    assert!(server.cli(&["FUNCTION", "LIST"])?.contains("memkv_"));

    // The same connection: the call's error reply sends memkv to FUNCTION LIST, which finds
    // nothing, so it loads the library and calls again.
    server.cli(&["FUNCTION", "FLUSH"])?;
    assert!(!server.cli(&["FUNCTION", "LIST"])?.contains("memkv_"));
    memkv.draft().set(bucket, "k2", b"w")?.unwrap();
    assert!(server.cli(&["FUNCTION", "LIST"])?.contains("memkv_"));
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"v".to_vec())
    );
    Ok(memkv.draft().drop_bucket(bucket)?)
}

/// A reply memkv.lua never gives (here from a library put in its place) is an error naming the
/// reply, never an answer made up: an increment does not answer 0, `set-contains` not `false`.
#[test]
fn an_unexpected_reply_is_an_error_not_a_made_up_answer() -> Result<()> {
    let server = RedisServer::start()?;
    let mut memkv = harness().instantiate_at(&server.url(), "strict")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(memkv.draft().increment(bucket, "n", 1)?, Ok(1));
    let listed = server.cli(&["FUNCTION", "LIST"])?;
    let library = listed
        .split_whitespace()
        .find(|word| word.starts_with("memkv_"))
        .expect("memkv's library is loaded");
    let impostor = format!(
        "#!lua name={library}\nredis.register_function('{library}', function(keys, args) \
         return {{'ok', 'not a number'}} end)"
    );
    server.cli(&["FUNCTION", "LOAD", "REPLACE", &impostor])?;
    let answered = expect_other(memkv.draft().increment(bucket, "n", 1)?);
    assert!(
        answered.contains("where memkv.lua answers a number"),
        "{answered}"
    );
    let answered = expect_other(memkv.collections().set_contains(bucket, "s", b"m")?);
    assert!(answered.contains("where memkv.lua answers"), "{answered}");
    Ok(())
}

/// A server whose default user is off, as managed services are: an ACL user's URL reaches it; a
/// wrong password, or none, is a clear error that does not show the password.
#[test]
fn an_acl_user_connects_and_a_wrong_password_is_a_clear_error() -> Result<()> {
    let server = RedisServer::start_with(&[
        "--user", "default", "off", "--user", "memkv", "on", ">s3cret", "~*", "&*", "+@all",
    ])?;
    let url = |userinfo: &str| format!("redis://{userinfo}@127.0.0.1:{}", server.port());
    let mut memkv = harness().instantiate_at(&url("memkv:s3cret"), "acl")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"v")?.unwrap();
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"v".to_vec())
    );

    let mut wrong = harness().instantiate_at(&url("memkv:wrong"), "acl")?;
    let message = expect_other(wrong.draft().open("b")?);
    assert!(
        message.starts_with(&format!("redis at {}: ", url("memkv:***"))),
        "{message}"
    );
    assert!(message.contains("authentication failed"), "{message}");
    assert!(
        !message.contains("wrong"),
        "the password is not shown: {message}"
    );

    let mut anonymous = harness().instantiate_at(&server.url(), "acl")?;
    let message = expect_other(anonymous.draft().open("b")?);
    assert!(
        message.contains("NOAUTH") || message.contains("uthentication"),
        "{message}"
    );
    Ok(())
}

/// A TCP proxy to a server that can lose one reply: with [`LossyProxy::lose_next_call`] set, it
/// passes the next command holding `FCALL` to the server, lets the server run it, and then closes
/// the client's connection without passing the reply on — a connection lost after the write.
struct LossyProxy {
    port: u16,
    lose: Arc<AtomicBool>,
}

impl LossyProxy {
    fn start(server_port: u16) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let lose = Arc::new(AtomicBool::new(false));
        let lose_in = Arc::clone(&lose);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) else {
                    return;
                };
                let lose = Arc::clone(&lose_in);
                std::thread::spawn(move || relay(client, server, &lose));
            }
        });
        Ok(Self { port, lose })
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn lose_next_call(&self) {
        self.lose.store(true, Ordering::SeqCst);
    }
}

/// Pass bytes both ways between `client` and `server`, losing a call's reply as
/// [`LossyProxy`] says.
fn relay(mut client: TcpStream, mut server: TcpStream, lose: &AtomicBool) {
    let muted = Arc::new(AtomicBool::new(false));
    let (mut from_server, mut to_client) =
        (server.try_clone().unwrap(), client.try_clone().unwrap());
    let muted_out = Arc::clone(&muted);
    std::thread::spawn(move || {
        let mut buffer = [0; 64 * 1024];
        while let Ok(n @ 1..) = from_server.read(&mut buffer) {
            if !muted_out.load(Ordering::SeqCst) && to_client.write_all(&buffer[..n]).is_err() {
                return;
            }
        }
    });
    let mut buffer = [0; 64 * 1024];
    while let Ok(n @ 1..) = client.read(&mut buffer) {
        let call = buffer[..n].windows(5).any(|window| window == b"FCALL");
        let losing = call && lose.swap(false, Ordering::SeqCst);
        if losing {
            muted.store(true, Ordering::SeqCst);
        }
        if server.write_all(&buffer[..n]).is_err() {
            return;
        }
        if losing {
            // The server runs the call and answers; the client never hears it.
            std::thread::sleep(Duration::from_millis(300));
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// A write whose reply is lost is sent again on a new connection, and applied once: the retry
/// answers what the first run did (an increment counts once, a push pushes once).
#[test]
fn a_write_whose_reply_is_lost_is_applied_once() -> Result<()> {
    let server = RedisServer::start()?;
    let proxy = LossyProxy::start(server.port())?;
    let mut memkv = harness().instantiate_at(&proxy.url(), "once")?;
    let bucket = memkv.draft().open("b")?.unwrap();
    assert_eq!(memkv.draft().increment(bucket, "n", 1)?, Ok(1));
    proxy.lose_next_call();
    assert_eq!(memkv.draft().increment(bucket, "n", 1)?, Ok(2));
    assert_eq!(
        memkv.draft().get(bucket, "n")?.unwrap(),
        Some(b"2".to_vec())
    );

    proxy.lose_next_call();
    let pushed = memkv
        .collections()
        .list_push(bucket, "l", &[b"x".to_vec()])?;
    assert_eq!(pushed, Ok(1));
    assert_eq!(memkv.collections().list_length(bucket, "l")?, Ok(1));
    Ok(())
}

/// A store written before values and stamps were the store's (each bucket had its values in a
/// hash `v` and counted its stamps in `m`, and the record of answers was a key `q`): its first
/// call moves the values into the store's hash, its keys read as before, a swap from an
/// observation made before five writes of the key fails (the store's stamps start above any
/// bucket's, so the fifth write does not give the key its old stamp again), and its lifetimes
/// still end.
#[test]
fn a_store_from_before_the_store_wide_stamp_keeps_working() -> Result<()> {
    let server = RedisServer::start()?;
    let cli = |args: &[&str]| server.cli(args);
    cli(&[
        "HSET",
        "old:{old}:g",
        "bytes",
        "300",
        "entries",
        "2",
        "buckets",
        "1",
    ])?;
    cli(&["ZADD", "old:{old}:n", "0", "b"])?;
    cli(&["HSET", "old:{old}:b62:v", "k", "0000000000000005before"])?;
    // `e` expired in 2001.
    cli(&[
        "HSET",
        "old:{old}:b62:v",
        "e",
        "E0000000000000041000000000000gone",
    ])?;
    cli(&["ZADD", "old:{old}:b62:i", "0", "k", "0", "e"])?;
    cli(&["ZADD", "old:{old}:b62:x", "1000000000000", "e"])?;
    cli(&["HSET", "old:{old}:b62:m", "st", "5", "rm", "0"])?;

    let mut memkv = harness().instantiate_at(&server.url(), "old")?;
    let bucket = memkv.draft2().open("b")?.unwrap();
    let cas = memkv.draft2().cas(bucket, "k")?.unwrap();
    assert_eq!(
        memkv.draft2().current(cas)?.unwrap(),
        Some(b"before".to_vec())
    );
    for n in 1..=5 {
        memkv
            .draft2()
            .set(bucket, "k", format!("write {n}").as_bytes())?
            .unwrap();
    }
    let swapped = memkv.draft2().swap(cas, b"from the old observation")?;
    assert!(
        matches!(swapped, Err(CasError::CasFailed(_))),
        "{swapped:?}"
    );
    assert_eq!(
        memkv.draft2().get(bucket, "k")?.unwrap(),
        Some(b"write 5".to_vec())
    );
    let draft = memkv.draft().open("b")?.unwrap();
    let listing = memkv.draft().list_all_keys(draft)?.unwrap();
    assert_eq!(listing.keys, ["k"], "the expired key is gone");
    assert_eq!(memkv.limits().usage()?.entries, 1);
    Ok(())
}
