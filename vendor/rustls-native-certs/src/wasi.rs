use crate::CertificateResult;

/// WASI has no platform certificate store: a component sees only the files its runtime preopens
/// for it, and no well-known path is among them. So no certificates, and no error; a CA file or
/// directory named by `SSL_CERT_FILE` or `SSL_CERT_DIR` is still loaded (by the caller, before
/// it asks the platform).
pub fn load_native_certs() -> CertificateResult {
    CertificateResult::default()
}
