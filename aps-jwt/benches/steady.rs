//! A steady comparison of aps-jwt's cold validation with the raw aws-lc-rs verify (the floor)
//! and jsonwebtoken 12, in one process: small alternating batches of each, repeated rounds, a
//! ratio per round, then the median and spread of the rounds. Unlike running each function for
//! seconds one after another, machine drift lands on every implementation alike.
//!
//! Run: `cargo bench -p aps-jwt --bench steady` (`STEADY_ROUNDS`, default 41; `STEADY_BATCH_MS`,
//! default 4). For a profile, `STEADY_ONLY=<case> STEADY_ITERS=<n>` runs one case `n` times and
//! nothing else, e.g. under `valgrind --tool=callgrind`; cases are named as printed.
//! `STEADY_DUMP=<dir>` writes the RS256 token, its public JWKS and the settings (issuer,
//! audience, the pinned `now`) to `<dir>` and exits: the other languages' harnesses
//! (`benches/other-languages`) read them.

use std::hint::black_box;
use std::time::Instant;

use aps_jwt::{Jwks, SigningKey};
use aps_testkit::load::nearest_rank;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

mod common;
use common::{EC_PEM, ISSUER, JwtClaims, NOW, RSA_PEM, ready, token, validator};

type Run = Box<dyn FnMut()>;

fn cases(name: &str, key: &SigningKey) -> Vec<(String, Run)> {
    let token = token(key);
    let (input, sig) = token.rsplit_once('.').expect("jws");
    let input = input.to_owned();
    let sig = URL_SAFE_NO_PAD.decode(sig).expect("sig");
    let floor = common::floor(key);
    let cold = validator(key, false);
    let cached = validator(key, true);
    ready(cached.validate(&token)).expect("valid");
    let (jwt_key, validation) = common::jsonwebtoken_setup(key);
    let (t1, t2, t3) = (token.clone(), token.clone(), token);
    vec![
        (
            format!("{name}/floor"),
            Box::new(move || floor.verify_sig(input.as_bytes(), &sig).expect("verify")),
        ),
        (
            format!("{name}/aps-jwt"),
            Box::new(move || drop(black_box(ready(cold.validate(&t1)).expect("valid")))),
        ),
        (
            format!("{name}/jsonwebtoken"),
            Box::new(move || {
                let claims = jsonwebtoken::decode::<JwtClaims>(&t2, &jwt_key, &validation);
                drop(black_box(claims.expect("valid")));
            }),
        ),
        (
            format!("{name}/aps-jwt-cache-hit"),
            Box::new(move || drop(black_box(ready(cached.validate(&t3)).expect("valid")))),
        ),
    ]
}

/// Writes the RS256 token, its JWKS and the validation settings to `dir`.
fn dump(dir: &str, key: &SigningKey) {
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).expect("dump dir");
    let settings = serde_json::json!({"issuer": ISSUER, "audience": "ap-my-api", "now": NOW});
    let files = [
        ("rs256.token", token(key)),
        (
            "rs256.jwks.json",
            Jwks::new(vec![key.public_jwk()]).to_json(),
        ),
        ("settings.json", settings.to_string()),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("dump");
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The value at quantile `q` of sorted `v` (nearest rank; NaN without rounds).
fn quantile(v: &[f64], q: f64) -> f64 {
    nearest_rank(v, q).unwrap_or(f64::NAN)
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Times `iters` calls of `run`: nanoseconds per call.
fn time(run: &mut Run, iters: u64) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        run();
    }
    #[allow(clippy::cast_precision_loss)]
    let ns = start.elapsed().as_nanos() as f64 / iters as f64;
    ns
}

fn main() {
    let rsa = SigningKey::from_pem(RSA_PEM).expect("rsa");
    if let Ok(dir) = std::env::var("STEADY_DUMP") {
        dump(&dir, &rsa);
        return;
    }
    let ec = SigningKey::from_pem(EC_PEM).expect("ec");
    let mut groups = vec![cases("RS256", &rsa), cases("ES256", &ec)];
    if let Ok(only) = std::env::var("STEADY_ONLY") {
        let iters = env("STEADY_ITERS", 1000);
        let run = groups
            .iter_mut()
            .flatten()
            .find(|(name, _)| *name == only)
            .map(|(_, run)| run)
            .expect("STEADY_ONLY names a case");
        for _ in 0..iters {
            run();
        }
        return;
    }
    let rounds = env("STEADY_ROUNDS", 41);
    let batch_ns = env("STEADY_BATCH_MS", 4) as f64 * 1e6;
    println!(
        "rounds: {rounds}, batches of ~{} ms, alternating; ns per call: median [p10-p90]; ratio to the floor per round",
        batch_ns / 1e6
    );
    for group in &mut groups {
        // Calibrate: iterations per batch from a warm-up of each case.
        let iters: Vec<u64> = group
            .iter_mut()
            .map(|(_, run)| {
                time(run, 200);
                let per = time(run, 200);
                // Positive and bounded: a batch of a few ms.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = (batch_ns / per).max(1.0) as u64;
                n
            })
            .collect();
        let mut samples = vec![Vec::new(); group.len()];
        let mut ratios = vec![Vec::new(); group.len()];
        for round in 0..rounds {
            let mut this = vec![0.0; group.len()];
            // Rotate the order every round so that no case always follows the same one.
            for k in 0..group.len() {
                #[allow(clippy::cast_possible_truncation)]
                let i = (k + round as usize) % group.len();
                this[i] = time(&mut group[i].1, iters[i]);
            }
            for i in 0..group.len() {
                samples[i].push(this[i]);
                ratios[i].push(this[i] / this[0]);
            }
        }
        for (i, (name, _)) in group.iter().enumerate() {
            let s = sorted(samples[i].clone());
            let r = sorted(ratios[i].clone());
            println!(
                "{name:<28} {:>9.0} ns [{:.0}-{:.0}]   x{:.3} [{:.3}-{:.3}]",
                quantile(&s, 0.5),
                quantile(&s, 0.1),
                quantile(&s, 0.9),
                quantile(&r, 0.5),
                quantile(&r, 0.1),
                quantile(&r, 0.9),
            );
        }
    }
}
