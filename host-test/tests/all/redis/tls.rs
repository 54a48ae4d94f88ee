//! memkv-redis over TLS (`rediss://`), against `redis-server --tls-port` with a CA the test
//! makes: the server's certificate verified against the CA the environment names, by the host
//! name; every failure a clear error, never a trap and never plain text instead.

use anyhow::Result;
use host_test::expect_other;
use host_test::redis::{RedisCluster, RedisServer, TestCa};
use wasmtime_wasi::{FsPerms, WasiCtx};

use super::harness;

/// A server whose certificate is for `localhost` only, and its CA.
fn server_for_localhost(client_certificates: bool) -> Result<(TestCa, RedisServer)> {
    let ca = TestCa::new("memkv test CA")?;
    let server = RedisServer::start_tls(&ca, "DNS:localhost", client_certificates)?;
    Ok((ca, server))
}

fn tls_url(host: &str, server: &RedisServer) -> String {
    format!(
        "rediss://{host}:{}",
        server.tls_port().expect("a TLS server")
    )
}

/// A bucket's round trip through `url` with `env` besides.
fn round_trip(url: &str, env: &[(&str, &str)]) -> Result<()> {
    let mut env = env.to_vec();
    env.extend([("MEMKV_REDIS_URL", url), ("MEMKV_REDIS_PREFIX", "tls")]);
    let mut memkv = harness().instantiate_with_env(&env)?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"over TLS")?.unwrap();
    assert_eq!(memkv.draft().increment(bucket, "n", 2)?.unwrap(), 2);
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"over TLS".to_vec())
    );
    Ok(())
}

/// The error an instance with `env` answers to its first call.
fn first_error(env: &[(&str, &str)]) -> Result<String> {
    let mut memkv = harness().instantiate_with_env(env)?;
    Ok(expect_other(memkv.draft().open("b")?))
}

#[test]
fn a_rediss_url_verifies_the_server_by_the_ca_given_as_text() -> Result<()> {
    let (ca, server) = server_for_localhost(false)?;
    round_trip(
        &tls_url("localhost", &server),
        &[("MEMKV_REDIS_CA_PEM", &ca.ca_pem()?)],
    )?;
    assert_ne!(server.cli(&["DBSIZE"])?.trim(), "0");
    Ok(())
}

#[test]
fn a_rediss_url_verifies_the_server_by_a_ca_file_in_a_preopened_directory() -> Result<()> {
    let (ca, server) = server_for_localhost(false)?;
    let certs = ca.ca_file();
    let mut wasi = WasiCtx::builder();
    wasi.inherit_network()
        .allow_tcp(true)
        .allow_ip_name_lookup(true)
        .preopened_dir(
            certs.parent().expect("a directory"),
            "/certs",
            FsPerms::ReadOnly,
        )?
        .env("MEMKV_REDIS_URL", tls_url("localhost", &server))
        .env("MEMKV_REDIS_PREFIX", "tls")
        .env("MEMKV_REDIS_CA_FILE", "/certs/ca.crt");
    let mut memkv = harness().instantiate_with_wasi(wasi.build())?;
    let bucket = memkv.draft().open("b")?.unwrap();
    memkv.draft().set(bucket, "k", b"v")?.unwrap();
    assert_eq!(
        memkv.draft().get(bucket, "k")?.unwrap(),
        Some(b"v".to_vec())
    );

    let mut unopened = WasiCtx::builder();
    unopened
        .inherit_network()
        .allow_tcp(true)
        .allow_ip_name_lookup(true)
        .env("MEMKV_REDIS_URL", tls_url("localhost", &server))
        .env("MEMKV_REDIS_CA_FILE", "/certs/ca.crt");
    let mut memkv = harness().instantiate_with_wasi(unopened.build())?;
    let message = expect_other(memkv.draft().open("b")?);
    assert!(
        message.contains("MEMKV_REDIS_CA_FILE: cannot read \"/certs/ca.crt\"")
            && message.contains("preopened"),
        "{message}"
    );
    Ok(())
}

#[test]
fn a_server_of_another_ca_or_another_name_is_refused_with_a_clear_error() -> Result<()> {
    let (ca, server) = server_for_localhost(false)?;
    let other = TestCa::new("another CA")?;
    let url = tls_url("localhost", &server);
    let message = first_error(&[
        ("MEMKV_REDIS_URL", &url),
        ("MEMKV_REDIS_CA_PEM", &other.ca_pem()?),
    ])?;
    assert!(
        message.starts_with(&format!("redis at {url}: ")),
        "{message}"
    );
    assert!(message.contains("UnknownIssuer"), "{message}");

    // Without a CA given, the webpki roots are trusted, and they did not issue it either.
    let message = first_error(&[("MEMKV_REDIS_URL", &url)])?;
    assert!(message.contains("UnknownIssuer"), "{message}");

    // The right CA, but the certificate is for `localhost`, not for 127.0.0.1.
    let message = first_error(&[
        ("MEMKV_REDIS_URL", &tls_url("127.0.0.1", &server)),
        ("MEMKV_REDIS_CA_PEM", &ca.ca_pem()?),
    ])?;
    assert!(
        message.contains("certificate not valid for name \"127.0.0.1\""),
        "{message}"
    );

    let message = first_error(&[
        ("MEMKV_REDIS_URL", &url),
        ("MEMKV_REDIS_CA_PEM", "not a certificate"),
    ])?;
    assert!(message.contains("no PEM certificate"), "{message}");
    assert_eq!(server.cli(&["DBSIZE"])?.trim(), "0", "nothing was written");
    Ok(())
}

#[test]
fn tls_never_falls_back_to_plain_text() -> Result<()> {
    let (ca, server) = server_for_localhost(false)?;
    let ca_pem = ca.ca_pem()?;
    // A CA given with a `redis://` URL: refused before anything is sent.
    let message = first_error(&[
        ("MEMKV_REDIS_URL", &server.url()),
        ("MEMKV_REDIS_CA_PEM", &ca_pem),
    ])?;
    assert!(
        message.contains("is not a `rediss://` (TLS) address"),
        "{message}"
    );
    // `rediss://` to the plaintext port: the server waits for the end of a line that the
    // ClientHello never sends, and the handshake times out; no plaintext session instead.
    let message = first_error(&[
        (
            "MEMKV_REDIS_URL",
            &format!("rediss://localhost:{}", server.port()),
        ),
        ("MEMKV_REDIS_CA_PEM", &ca_pem),
        ("MEMKV_REDIS_TIMEOUT_MS", "300"),
    ])?;
    assert!(message.starts_with("redis at rediss://"), "{message}");
    assert!(
        message.contains("no answer within 300 ms (MEMKV_REDIS_TIMEOUT_MS)"),
        "{message}"
    );
    assert_eq!(server.cli(&["DBSIZE"])?.trim(), "0", "nothing was written");
    Ok(())
}

#[test]
fn a_server_that_requires_client_certificates_accepts_the_one_given() -> Result<()> {
    let (ca, server) = server_for_localhost(true)?;
    let ca_pem = ca.ca_pem()?;
    let url = tls_url("localhost", &server);
    let message = first_error(&[("MEMKV_REDIS_URL", &url), ("MEMKV_REDIS_CA_PEM", &ca_pem)])?;
    assert!(
        message.starts_with(&format!("redis at {url}: ")),
        "{message}"
    );

    let (cert, key) = ca.issue("DNS:memkv-client")?;
    let [cert, key] = [cert, key].map(|path| std::fs::read_to_string(path).expect("PEM"));
    round_trip(
        &url,
        &[
            ("MEMKV_REDIS_CA_PEM", &ca_pem),
            ("MEMKV_REDIS_CLIENT_CERT_PEM", &cert),
            ("MEMKV_REDIS_CLIENT_KEY_PEM", &key),
        ],
    )?;
    let message = first_error(&[
        ("MEMKV_REDIS_URL", &url),
        ("MEMKV_REDIS_CLIENT_CERT_PEM", &cert),
    ])?;
    assert!(
        message.contains("one is set without the other"),
        "{message}"
    );
    Ok(())
}

/// A 3-node Redis Cluster over TLS (its bus too): the seeds as `rediss://` URLs, the CA given;
/// the cluster tells a TLS client its nodes' TLS ports, and every node is verified.
#[test]
fn a_cluster_over_tls_verifies_every_node() -> Result<()> {
    let ca = TestCa::new("memkv cluster CA")?;
    let cluster = RedisCluster::start_tls(&ca, 3)?;
    let seeds = cluster.tls_seeds();
    let ca_pem = ca.ca_pem()?;
    for prefix in ["tls-a", "tls-b", "tls-c", "tls-d"] {
        let mut memkv = harness().instantiate_with_env(&[
            ("MEMKV_REDIS_CLUSTER", &seeds),
            ("MEMKV_REDIS_PREFIX", prefix),
            ("MEMKV_REDIS_CA_PEM", &ca_pem),
        ])?;
        let bucket = memkv.draft().open("b")?.unwrap();
        assert_eq!(memkv.draft().increment(bucket, "n", 3)?.unwrap(), 3);
    }
    let other = TestCa::new("another CA")?;
    let message = first_error(&[
        ("MEMKV_REDIS_CLUSTER", &seeds),
        ("MEMKV_REDIS_CA_PEM", &other.ca_pem()?),
    ])?;
    assert!(message.contains("UnknownIssuer"), "{message}");
    Ok(())
}
