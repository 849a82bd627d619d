//! `aps keygen`: a client key pair for `private_key_jwt`, its JWKS with the `kid` aps-client
//! signs with, and optionally a self-signed certificate for the portal's certificate option.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use aps_jwt::SigningKey;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::failure::{Failure, Outcome, Result};

/// Arguments of `aps keygen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  aps keygen --alg RS256 --out-dir keys
  aps keygen --alg ES256 --cert --subject my-app --out-dir keys
  aps keygen --alg RS256 --bits 3072          # everything on standard output

With --out-dir, writes private-key.pem (mode 0600), jwks.json and, with --cert, certificate.pem,
and refuses to overwrite any of them.")]
pub(crate) struct Args {
    /// The signature algorithm: RS256 (RSA) or ES256 (P-256).
    #[arg(long, value_enum, ignore_case = true, default_value_t = Alg::Rs256)]
    alg: Alg,
    /// RSA modulus size (RS256 only).
    #[arg(long, value_parser = ["2048", "3072", "4096"])]
    bits: Option<String>,
    /// Write the files into DIR (created if missing) instead of printing them.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Also make a self-signed X.509 certificate for the key.
    #[arg(long)]
    cert: bool,
    /// The certificate's common name (CN).
    #[arg(
        long,
        value_name = "CN",
        requires = "cert",
        default_value = "aps-client"
    )]
    subject: String,
    /// How many days the certificate is valid, from today.
    #[arg(long, value_name = "DAYS", requires = "cert", default_value_t = 365)]
    days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Alg {
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "ES256")]
    Es256,
}

/// Everything `keygen` makes.
pub(crate) struct Generated {
    private_pem: Zeroizing<String>,
    jwks: String,
    certificate: Option<String>,
    kid: String,
    thumbprint: String,
}

pub(crate) const PRIVATE_KEY_FILE: &str = "private-key.pem";
pub(crate) const JWKS_FILE: &str = "jwks.json";
pub(crate) const CERTIFICATE_FILE: &str = "certificate.pem";

/// Makes the key, its JWKS and certificate; the `kid` is Keycloak's id for the uploaded key,
/// which aps-client puts in assertions signed with a PEM key.
fn generate(args: &Args, today: i64) -> Result<Generated> {
    let key = match (args.alg, args.bits.as_deref()) {
        (Alg::Es256, Some(_)) => return Err(Failure::usage("--bits is for RS256 keys only")),
        (Alg::Es256, None) => SigningKey::generate_p256(),
        (Alg::Rs256, bits) => {
            SigningKey::generate_rsa(bits.and_then(|b| b.parse().ok()).unwrap_or(2048))
        }
    }
    .map_err(|e| Failure::usage(format!("key generation: {e}")))?;
    let kid = aps_client::keycloak_key_id(&key).map_err(|e| Failure::usage(e.to_string()))?;
    let key = key.with_kid(kid.clone());
    let thumbprint = key
        .public_jwk()
        .thumbprint()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let private_pem = key
        .to_pkcs8_pem()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let jwks: Value = serde_json::from_str(&key.public_jwks().to_json())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let jwks = serde_json::to_string_pretty(&jwks).unwrap_or_default() + "\n";
    let certificate = if args.cert {
        Some(certificate(&private_pem, &args.subject, today, args.days)?)
    } else {
        None
    };
    Ok(Generated {
        private_pem,
        jwks,
        certificate,
        kid,
        thumbprint,
    })
}

/// A self-signed certificate for `pem`, valid from `today` (days since 1970) for `days` days.
fn certificate(pem: &str, subject: &str, today: i64, days: u32) -> Result<String> {
    let fail = |e: rcgen::Error| Failure::usage(format!("certificate: {e}"));
    let pair = rcgen::KeyPair::from_pem(pem).map_err(fail)?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, subject);
    let date = |days: i64| {
        let (y, m, d) = crate::time::civil_from_days(days);
        rcgen::date_time_ymd(i32::try_from(y).unwrap_or(9999), m, d)
    };
    params.not_before = date(today);
    params.not_after = date(today + i64::from(days));
    Ok(params.self_signed(&pair).map_err(fail)?.pem())
}

/// Where to put what, after the `kid`.
fn registration(generated: &Generated, files: bool) -> String {
    let (jwks, cert) = if files {
        (JWKS_FILE, CERTIFICATE_FILE)
    } else {
        ("the JWKS above", "the certificate above")
    };
    let mut text = format!(
        "kid: {kid}\n\
         \x20 aps-client signs its assertions with this kid when given the private key as PEM:\n\
         \x20 it is Keycloak's id for an uploaded public key or certificate (base64url SHA-256\n\
         \x20 of the public key), and {jwks} carries it too.\n\
         thumbprint: {tp}\n\
         \x20 (RFC 7638; to publish the key under it instead, sign with --key-id or\n\
         \x20 APS_CLIENT_KEY_ID set to it)\n\
         Register the public half with the portal (authenticator client-jwt-jwks-url):\n\
         \x20 - as a JWKS URL: publish {jwks} at an https URL and give that URL\n",
        kid = generated.kid,
        tp = generated.thumbprint,
    );
    if generated.certificate.is_some() {
        text.push_str(&format!("  - as a certificate: paste {cert}\n"));
    }
    text.push_str(
        "Give the private key to the client: aps token --private-key FILE,\n\
         \x20 APS_CLIENT_PRIVATE_KEY_FILE, or the credential document's clientPrivateKey.\n",
    );
    text
}

/// Everything on standard output, each part under a `#` label.
fn render_stdout(generated: &Generated) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    out.push_str("# private key (PKCS#8 PEM): keep it secret\n");
    out.push_str(&generated.private_pem);
    out.push_str("\n# public JWKS\n");
    out.push_str(&generated.jwks);
    if let Some(cert) = &generated.certificate {
        out.push_str("\n# certificate (self-signed X.509 PEM)\n");
        out.push_str(cert);
    }
    out.push('\n');
    for line in registration(generated, false).lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Writes the files into `dir`, refusing to overwrite: all are checked before any is written,
/// and each is created with `create_new`, so a file that appears meanwhile is not clobbered.
fn write_files(dir: &Path, generated: &Generated) -> Result<Vec<PathBuf>> {
    let mut files: Vec<(&str, &str, bool)> = vec![
        (PRIVATE_KEY_FILE, generated.private_pem.as_str(), true),
        (JWKS_FILE, &generated.jwks, false),
    ];
    if let Some(cert) = &generated.certificate {
        files.push((CERTIFICATE_FILE, cert, false));
    }
    for (name, _, _) in &files {
        let path = dir.join(name);
        if path.exists() {
            return Err(Failure::usage(format!(
                "{}: already exists; refusing to overwrite (nothing was written)",
                path.display()
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Failure::usage(format!("{}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for (name, content, secret) in files {
        let path = dir.join(name);
        let fail = |e: std::io::Error| Failure::usage(format!("{}: {e}", path.display()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if secret {
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        }
        #[cfg(not(unix))]
        let _ = secret;
        let mut file = options.open(&path).map_err(fail)?;
        file.write_all(content.as_bytes()).map_err(fail)?;
        written.push(path);
    }
    Ok(written)
}

pub(crate) fn run(args: &Args) -> Result {
    let today = crate::time::unix_secs(std::time::SystemTime::now()).div_euclid(86_400);
    let generated = generate(args, today)?;
    match &args.out_dir {
        None => print!("{}", render_stdout(&generated).as_str()),
        Some(dir) => {
            for path in write_files(dir, &generated)? {
                println!("wrote {}", path.display());
            }
            print!("{}", registration(&generated, true));
        }
    }
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::parse;

    fn args(argv: &[&str]) -> Args {
        parse(argv).unwrap()
    }

    #[test]
    fn es256_key_jwks_and_certificate_agree() {
        let generated = generate(&args(&["--alg", "es256", "--cert"]), 20_000).unwrap();
        let key = SigningKey::from_pem(&generated.private_pem).unwrap();
        assert_eq!(aps_client::keycloak_key_id(&key).unwrap(), generated.kid);
        let jwks = aps_jwt::Jwks::from_json(&generated.jwks).unwrap();
        assert_eq!(jwks.keys[0].kid.as_deref(), Some(generated.kid.as_str()));
        assert_eq!(jwks.keys[0].alg.as_deref(), Some("ES256"));
        let cert = generated.certificate.as_deref().unwrap();
        let from_cert = aps_jwt::VerifyingKey::from_pem(cert).unwrap();
        assert!(from_cert.same_key(&key.verifying_key().unwrap()));
        let shown = render_stdout(&generated);
        assert!(shown.starts_with("# private key (PKCS#8 PEM): keep it secret\n-----BEGIN"));
        assert!(shown.contains(&format!("# kid: {}\n", generated.kid)));
        assert!(shown.contains("as a certificate: paste the certificate above"));
    }

    #[test]
    fn bits_only_for_rsa_and_subject_only_with_cert() {
        assert!(generate(&args(&["--alg", "ES256", "--bits", "3072"]), 0).is_err());
        assert!(
            parse::<Args>(&["--subject", "x"]).is_err(),
            "--subject needs --cert"
        );
        assert!(parse::<Args>(&["--bits", "1024"]).is_err());
    }
}
