//! The configuration file: a `warden.toml` text through the loader `warden serve` uses
//! (unknown keys and wrong types refused, naming them), then the checks start-up makes, and
//! `--print-config`'s output, which must read back as the same configuration.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden::config::Config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(config) = Config::from_toml_str(&text, "warden.toml") else {
        return;
    };
    let _ = config.check();
    let printed = config.to_masked_toml();
    let again = Config::from_toml_str(&printed, "printed")
        .unwrap_or_else(|e| panic!("--print-config output does not load: {e}\n{printed}"));
    let mut expected = config.clone();
    if expected.jwt_secret.is_some() {
        expected.jwt_secret = Some("********".into());
    }
    assert_eq!(
        again, expected,
        "--print-config output reads back differently"
    );
});
