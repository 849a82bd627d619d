//! `aps jwks URL|FILE`: each key of a JWKS, and whether aps-jwt's validator would use it.

use aps_jwt::{Algorithm, Jwk, VerifyingKey};
use serde_json::Value;

use crate::failure::{Failure, Outcome, Result, read_input};
use crate::progress::Progress;

/// Arguments of `aps jwks`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  aps jwks https://loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/certs
  aps jwks jwks.json

One line per key: kid, kty, alg, use, size or curve, RFC 7638 thumbprint, and `use` or
`skip: <reason>` (weak RSA, `use: enc`, an unsupported algorithm, a malformed key).
Exit status: 0 when at least one key is usable, 1 when none is, 2 when the set cannot be read.")]
pub(crate) struct Args {
    /// A JWKS URL, or a JWKS file (`-` for standard input).
    #[arg(value_name = "URL|FILE")]
    source: String,
    /// Allows a plain http:// URL to a loopback host.
    #[arg(long)]
    allow_http_loopback: bool,
}

/// One key as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    kid: String,
    kty: String,
    alg: String,
    use_: String,
    size: String,
    thumbprint: String,
    verdict: std::result::Result<String, String>,
}

/// Every entry of the `keys` array, usable or not, in order.
fn rows(document: &Value) -> std::result::Result<Vec<Row>, String> {
    let keys = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("not a JWKS (no `keys` array)")?;
    Ok(keys.iter().map(row).collect())
}

fn text(value: &Value, name: &str) -> String {
    match value.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "-".to_owned(),
    }
}

fn row(value: &Value) -> Row {
    let mut row = Row {
        kid: text(value, "kid"),
        kty: text(value, "kty"),
        alg: text(value, "alg"),
        use_: text(value, "use"),
        size: "-".to_owned(),
        thumbprint: "-".to_owned(),
        verdict: Err(String::new()),
    };
    let jwk: Jwk = match serde_json::from_value(value.clone()) {
        Ok(jwk) => jwk,
        Err(_) => {
            row.verdict = Err("malformed JWK".into());
            return row;
        }
    };
    row.size = size(&jwk);
    row.thumbprint = jwk.thumbprint().unwrap_or_else(|_| "-".to_owned());
    row.verdict = match VerifyingKey::from_jwk(&jwk) {
        Ok(key) if key.supports(Algorithm::RS256) => Ok("use".to_owned()),
        Ok(key) => {
            let algs = key.algorithm().map_or_else(
                || key.key_type().kty().to_owned(),
                |a| a.as_str().to_owned(),
            );
            Ok(format!("use with --alg {algs} (not RS256, the default)"))
        }
        Err(error) => Err(error.to_string()),
    };
    row
}

/// `2048 bits` for RSA (from `n`), the curve for EC.
fn size(jwk: &Jwk) -> String {
    use base64::Engine as _;
    match jwk.kty.as_str() {
        "RSA" => jwk
            .n
            .as_deref()
            .and_then(|n| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(n)
                    .ok()
            })
            .map(|n| {
                let n = &n[n.iter().position(|&b| b != 0).unwrap_or(n.len())..];
                let bits = n
                    .first()
                    .map_or(0, |b| n.len() * 8 - b.leading_zeros() as usize);
                format!("{bits} bits")
            })
            .unwrap_or_else(|| "-".to_owned()),
        _ => jwk.crv.clone().unwrap_or_else(|| "-".to_owned()),
    }
}

/// A table with a header line; columns padded to their widest cell, the verdict last.
fn table(rows: &[Row]) -> String {
    let header = [
        "KID",
        "KTY",
        "ALG",
        "USE",
        "SIZE",
        "THUMBPRINT",
        "VALIDATOR",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.kid.clone(),
                r.kty.clone(),
                r.alg.clone(),
                r.use_.clone(),
                r.size.clone(),
                r.thumbprint.clone(),
                match &r.verdict {
                    Ok(text) => text.clone(),
                    Err(reason) => format!("skip: {reason}"),
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let format_line = |line: &[String]| {
        let mut out = String::new();
        for (i, cell) in line.iter().enumerate() {
            if i + 1 == line.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out + "\n"
    };
    let mut out = format_line(&header.map(str::to_owned));
    for line in &cells {
        out.push_str(&format_line(line));
    }
    out
}

pub(crate) async fn run(args: &Args) -> Result {
    let source = args.source.as_str();
    let body = if source.starts_with("https://") || source.starts_with("http://") {
        let url = crate::net::checked_url(source, args.allow_http_loopback)?;
        let _progress = Progress::start("fetching the JWKS");
        crate::net::get(&url).await?
    } else {
        read_input(std::path::Path::new(source))?.into_bytes()
    };
    let document: Value = serde_json::from_slice(&body).map_err(|e| {
        Failure::usage(format!(
            "{source}: not JSON: line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    let rows = rows(&document).map_err(|e| Failure::usage(format!("{source}: {e}")))?;
    print!("{}", table(&rows));
    Ok(if rows.iter().any(|r| r.verdict.is_ok()) {
        Outcome::Clean
    } else {
        eprintln!("aps: no usable key in {source}");
        Outcome::Problems
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_key_gets_a_verdict() {
        let key = aps_jwt::SigningKey::generate_p256()
            .unwrap()
            .with_kid("ec-1");
        let mut ec = serde_json::to_value(key.public_jwk()).unwrap();
        let document = json!({"keys": [
            ec.clone(),
            {"kty": "RSA", "kid": "bad", "n": 5},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
        ]});
        ec["use"] = json!("enc");
        let rows = rows(&document).unwrap();
        assert_eq!(rows[0].size, "P-256");
        assert_eq!(
            rows[0].verdict,
            Ok("use with --alg ES256 (not RS256, the default)".to_owned())
        );
        assert_eq!(rows[0].thumbprint, key.public_jwk().thumbprint().unwrap());
        assert_eq!(rows[1].verdict, Err("malformed JWK".to_owned()));
        assert_eq!(
            rows[2].verdict,
            Err("invalid key: unsupported key type or curve".to_owned())
        );
        let enc = row(&ec);
        assert!(
            enc.verdict
                .unwrap_err()
                .contains("not meant for signatures")
        );
        let shown = table(&rows);
        assert!(
            shown.starts_with("KID   KTY  ALG    USE  SIZE   THUMBPRINT"),
            "{shown}"
        );
        assert!(super::rows(&json!([])).is_err());
    }
}
