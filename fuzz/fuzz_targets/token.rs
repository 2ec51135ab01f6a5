//! Access-token verification: arbitrary bytes, real tokens mutated, and tokens whose header
//! and claims are arbitrary but correctly signed (the only way past the signature check)
//! against warden's real verifiers (the fixed Ed25519 key and an HS256 secret) and the full
//! resolver (revocation, session, user checks against the store).
//!
//! Input, by its first byte:
//! - `!` or `#`: `HEADER\nCLAIMS`, JSON texts signed with the Ed25519 key (`!`) or the HS256
//!   secret (`#`). In them `$SID` becomes alice's session, `$ROOT_SID` root's, `$HSKID` the
//!   HS256 key's kid, `$NOW` the current time and `$EXP` ten minutes from now.
//! - `~`: pairs (position, byte) overwriting a token minted now for alice.
//! - anything else: the token text itself (the corpus holds real tokens).
//!
//! A token that verifies must satisfy what warden promises of it (pinned algorithm, `typ`,
//! no `crit`, issuer, audience, time claims); one that resolves must belong to an enabled
//! user and a live session and not carry a revoked jti.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use warden::tokens::{AccessClaims, Tokens};
use warden_fuzz::{sign, world, World, REVOKED_JTI};

fuzz_target!(
    init: {
        // `WARDEN_FUZZ_SEED_TOKENS=DIR` writes real tokens (both keys, long-lived) into DIR:
        // how `corpus/token/seed-real-*` were made.
        if let Ok(dir) = std::env::var("WARDEN_FUZZ_SEED_TOKENS") {
            write_real_tokens(std::path::Path::new(&dir));
        }
    },
    |data: &[u8]| one(data)
);

fn one(data: &[u8]) {
    let w = world();
    let token = match data.first() {
        Some(b'!') | Some(b'#') => signed(w, &data[1..], data[0] == b'#'),
        Some(b'~') => mutated(w, &data[1..]),
        _ => String::from_utf8_lossy(data).into_owned(),
    };
    check(&w.state.tokens, "EdDSA", &token);
    check(&w.hs256, "HS256", &token);
    if let Ok(verified) = w.runtime.block_on(w.state.resolver.resolve(&token)) {
        let c = &verified.claims;
        assert_ne!(c.jti, REVOKED_JTI, "a revoked jti resolved");
        assert!(!verified.user.disabled, "a disabled user resolved");
        assert_eq!(
            verified.user.id, c.sub,
            "the token's subject is not its user"
        );
        assert_eq!(
            verified.principal.id, c.sub,
            "the principal is not the subject"
        );
        let expected = match c.sub.as_str() {
            "alice" => &w.alice_session,
            "root" => &w.root_session,
            other => panic!("user {other:?} has no session, yet a token of theirs resolved"),
        };
        assert_eq!(
            &c.sid, expected,
            "a token resolved with another user's session"
        );
    }
}

fn write_real_tokens(dir: &std::path::Path) {
    let w = world();
    let roles = ["USER".to_string(), "ADMIN".to_string()];
    for (name, tokens) in [("eddsa", &*w.state.tokens), ("hs256", &w.hs256)] {
        let (token, _) = tokens
            .mint("alice", "alice@example.com", &roles, &w.alice_session)
            .expect("mint");
        std::fs::write(dir.join(format!("seed-real-{name}")), token).expect("write");
    }
}

fn hs256_kid() -> String {
    let encoded = URL_SAFE_NO_PAD.encode(warden_fuzz::HS256_SECRET);
    format!("hs256-{}", &warden::util::sha256_hex(&encoded)[..12])
}

/// Verify with one verifier, twice (the answer must not change), and check an accepted
/// token against what the verifier promises.
fn check(tokens: &Tokens, alg: &str, token: &str) {
    let plain = tokens.verify(token);
    assert_eq!(plain, tokens.verify(token), "verification is not deterministic");
    let Ok(claims) = plain else { return };
    let header = header_of(token).expect("an accepted token has a JSON object header");
    assert!(!header.contains_key("crit"), "a token with `crit` verified");
    assert_eq!(
        header.get("alg").and_then(Value::as_str),
        Some(alg),
        "a token verified under an algorithm that is not its key's"
    );
    let typ = header.get("typ").and_then(Value::as_str).unwrap_or("");
    assert!(
        typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt"),
        "a token of type {typ:?} verified"
    );
    claims_hold(tokens, &claims);
}

fn claims_hold(tokens: &Tokens, c: &AccessClaims) {
    let s = tokens.settings();
    let now = warden::util::now();
    let leeway = s.leeway as i64;
    assert_eq!(c.iss, s.issuer, "wrong issuer accepted");
    assert_eq!(c.aud, s.audience, "wrong audience accepted");
    assert!(
        c.exp + leeway >= now,
        "expired token accepted: exp {}",
        c.exp
    );
    assert!(c.iat <= now + leeway, "token from the future accepted");
    if let Some(nbf) = c.nbf {
        assert!(nbf <= now + leeway, "token not yet valid accepted");
    }
    assert!(
        !c.jti.is_empty() && !c.sid.is_empty() && !c.sub.is_empty(),
        "token with an empty jti, sid or sub accepted"
    );
}

fn header_of(token: &str) -> Option<serde_json::Map<String, Value>> {
    let raw = URL_SAFE_NO_PAD.decode(token.split('.').next()?).ok()?;
    match serde_json::from_slice(&raw).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn signed(w: &World, rest: &[u8], hs256: bool) -> String {
    let now = warden::util::now();
    let text = String::from_utf8_lossy(rest)
        .replace("$ROOT_SID", &w.root_session)
        .replace("$SID", &w.alice_session)
        .replace("$HSKID", &hs256_kid())
        .replace("$NOW", &now.to_string())
        .replace("$EXP", &(now + 600).to_string());
    let (header, claims) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    sign(header.as_bytes(), claims.as_bytes(), hs256)
}

fn mutated(w: &World, edits: &[u8]) -> String {
    let mut token = w.alice_token.clone().into_bytes();
    for pair in edits.chunks_exact(2) {
        let at = pair[0] as usize * token.len() / 256;
        if let Some(b) = token.get_mut(at) {
            *b = pair[1];
        }
    }
    String::from_utf8_lossy(&token).into_owned()
}
