//! memkv-redis when its server goes away: errors through the WIT error type, never a trap, and
//! no acknowledged write lost.

use anyhow::Result;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;
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
    // refused connection is seen and named as such.
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
        if message.contains("refused") {
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
