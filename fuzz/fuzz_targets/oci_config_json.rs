//! docker `config.json`: the bounded parse, and credential lookups (base64 `auth` entries,
//! identity and registry tokens) without running any helper.
#![no_main]
use libfuzzer_sys::fuzz_target;
use supply_oci::auth::config::NoHelpers;
use supply_oci::auth::DockerConfig;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = DockerConfig::parse(data) {
        for registry in ["docker.io", "https://index.docker.io/v1/", "ghcr.io", "127.0.0.1:5000", ""] {
            let _ = c.helper_for(registry);
            let _ = c.credential(registry, &NoHelpers);
        }
    }
});
