//! HTTP clients for tests that talk to a real server. Across the workspace reqwest is
//! built with rustls and no cryptography of its own (the sync crate picks ring), so a
//! bare `reqwest::Client::new()` panics in a test binary that never built a sync
//! client: these install the provider first.

/// rustls's ring provider, installed once per process (an earlier one serves).
fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A client builder, usable in any test binary.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_tls_provider();
    reqwest::Client::builder()
}

/// A default client, usable in any test binary.
pub fn client() -> reqwest::Client {
    install_tls_provider();
    reqwest::Client::new()
}
