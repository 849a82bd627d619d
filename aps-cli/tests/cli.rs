//! The `aps` binary, run as a user runs it: arguments in, stdout, stderr and exit status out.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Runs `aps` in the crate directory (so fixture paths are short and stable), with no `APS_*`
/// variables from the caller's shell.
fn aps(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aps"));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for (name, _) in std::env::vars() {
        if name.starts_with("APS_") {
            command.env_remove(name);
        }
    }
    command
}

fn run(args: &[&str]) -> Output {
    aps(args).output().expect("aps runs")
}

fn run_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = aps(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aps runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("aps ends")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exit code")
}

enum Has {
    Start,
    Contains,
    End,
}

/// Asserts that `text` has `part` where `how` says, showing `text` when not.
fn has(text: &str, how: Has, part: &str) {
    let found = match how {
        Has::Start => text.starts_with(part),
        Has::Contains => text.contains(part),
        Has::End => text.ends_with(part),
    };
    assert!(found, "{part:?} not found in:\n{text}");
}

/// A fresh, empty directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("aps-cli-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

mod lint {
    use super::*;

    #[test]
    fn a_good_profile_passes_silently() {
        let out = run(&["lint", "tests/data/good-profile.yaml"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
    }

    #[test]
    fn a_bad_profile_lists_every_problem_at_its_position() {
        let out = run(&["lint", "tests/data/bad-profile.yaml"]);
        assert_eq!(code(&out), 1);
        let f = "tests/data/bad-profile.yaml";
        assert_eq!(
            stdout(&out),
            format!(
                "{f}:9:18: error: availableScopes: Client Scopes not supported with Shared IdP: \
                 remove availableScopes or inheritFrom\n\
                 {f}:10:1: warning: clientRoel: unknown field `clientRoel` is kept but not \
                 understood; did you mean `clientRoles`?\n\
                 {f}:17:1: warning: clientRegistration: unknown field `clientRegistration` is \
                 kept but not understood\n\
                 {f}:19:5: error: environmentDetails[0].clientRegistration: is required: \
                 `managed` or `iat`\n\
                 {f}:20:16: error: environmentDetails[0].issuerUrl: must use https (http is \
                 allowed only for loopback hosts)\n"
            )
        );
        assert_eq!(stderr(&out), "aps lint: 3 errors, 2 warnings\n");
    }

    #[test]
    fn json_format_is_an_array_of_problems() {
        let out = run(&["lint", "--format", "json", "tests/data/bad-profile.yaml"]);
        assert_eq!(code(&out), 1);
        let problems: Vec<Value> = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert_eq!(problems.len(), 5);
        assert_eq!(
            problems[0],
            json!({
                "file": "tests/data/bad-profile.yaml", "line": 9, "column": 18,
                "severity": "error", "path": "availableScopes", "document": 1,
                "message": "Client Scopes not supported with Shared IdP: remove availableScopes or inheritFrom"
            })
        );
        let good = run(&["lint", "--format", "json", "tests/data/good-profile.yaml"]);
        assert_eq!(code(&good), 0);
        assert_eq!(
            serde_json::from_str::<Value>(&stdout(&good)).unwrap(),
            json!([])
        );
    }

    #[test]
    fn load_errors_count_and_unreadable_files_are_usage_errors() {
        let out = run_with_stdin(&["lint", "-"], "kind: CredentialIssuer\nname: [\n");
        assert_eq!(code(&out), 1);
        has(&stdout(&out), Has::Start, "<stdin>:");
        let out = run(&[
            "lint",
            "tests/data/good-profile.yaml",
            "tests/data/missing.yaml",
        ]);
        assert_eq!(code(&out), 2);
        has(&stderr(&out), Has::Contains, "tests/data/missing.yaml:");
        has(&stderr(&out), Has::End, "1 of 2 files could not be read\n");
        assert_eq!(code(&run(&["lint"])), 2, "no file is a usage error");
    }
}

mod plugin {
    use super::*;

    #[test]
    fn prints_the_plugin_entry() {
        let out = run(&["plugin", "tests/data/good-profile.yaml", "--env", "test"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let yaml = stdout(&out);
        assert!(
            yaml.starts_with("- name: jwt-keycloak\n  tags:\n  - ns.health-records\n"),
            "{yaml}"
        );
        assert!(
            yaml.contains("    allowed_aud: ap-health-records-default-test\n"),
            "{yaml}"
        );
        assert!(yaml.contains(
            "    well_known_template: https://test.loginproxy.gov.bc.ca/auth/realms/apigw/.well-known/openid-configuration\n"
        ));
    }

    #[test]
    fn refuses_bad_profiles_and_environments() {
        let out = run(&[
            "plugin",
            "tests/data/bad-profile.yaml",
            "--env",
            "dev",
            "--profile",
            "Own IdP",
        ]);
        assert_eq!(code(&out), 1);
        assert_eq!(stdout(&out), "");
        assert!(stderr(&out).contains(
            "tests/data/bad-profile.yaml:20:16: error: environmentDetails[0].issuerUrl:"
        ));
        let out = run(&["plugin", "tests/data/bad-profile.yaml", "--env", "dev"]);
        assert_eq!(code(&out), 2, "two profiles, none chosen");
        assert!(stderr(&out).contains("--profile"));
        let out = run(&["plugin", "tests/data/good-profile.yaml", "--env", "staging"]);
        assert_eq!(code(&out), 2);
        assert!(stderr(&out).contains("allowed: dev, test, prod, sandbox, other"));
    }
}

mod keygen {
    use super::*;

    #[test]
    fn writes_the_files_once() {
        let dir = temp_dir("keygen");
        let out_dir = dir.join("keys");
        let dir_arg = out_dir.to_str().unwrap();
        let args = [
            "keygen",
            "--alg",
            "ES256",
            "--cert",
            "--subject",
            "my-app",
            "--out-dir",
            dir_arg,
        ];
        let out = run(&args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let pem = std::fs::read_to_string(out_dir.join("private-key.pem")).unwrap();
        let key = aps_jwt::SigningKey::from_pem(&pem).unwrap();
        let kid = aps_client::keycloak_key_id(&key).unwrap();
        has(&stdout(&out), Has::Contains, &format!("kid: {kid}\n"));
        assert!(
            !stdout(&out).contains("PRIVATE KEY"),
            "the key is not printed"
        );
        let jwks =
            aps_jwt::Jwks::from_json(&std::fs::read_to_string(out_dir.join("jwks.json")).unwrap())
                .unwrap();
        assert_eq!(jwks.keys[0].kid.as_deref(), Some(kid.as_str()));
        let cert = std::fs::read_to_string(out_dir.join("certificate.pem")).unwrap();
        let certified = aps_jwt::VerifyingKey::from_pem(&cert).unwrap();
        assert!(certified.same_key(&key.verifying_key().unwrap()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |name: &str| {
                std::fs::metadata(out_dir.join(name))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode("private-key.pem"), 0o600);
            assert_ne!(
                mode("jwks.json") & 0o044,
                0,
                "the public files are readable"
            );
        }
        // A second run refuses, and leaves the first key in place.
        let again = run(&args);
        assert_eq!(code(&again), 2);
        assert!(stderr(&again).contains("already exists; refusing to overwrite"));
        assert_eq!(
            std::fs::read_to_string(out_dir.join("private-key.pem")).unwrap(),
            pem
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn prints_labelled_sections_without_out_dir() {
        let out = run(&["keygen", "--alg", "RS256"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with(
            "# private key (PKCS#8 PEM): keep it secret\n-----BEGIN PRIVATE KEY-----\n"
        ));
        assert!(text.contains("\n# public JWKS\n{\n"));
        assert!(!text.contains("# certificate"));
        let key = aps_jwt::SigningKey::from_pem(&text).unwrap();
        assert_eq!(key.algorithm(), aps_jwt::Algorithm::RS256);
        let out = run(&["keygen", "--alg", "ES256", "--bits", "4096"]);
        assert_eq!(code(&out), 2);
    }
}

mod jwks {
    use super::*;

    #[test]
    fn lists_each_key_with_the_validators_verdict() {
        let out = run(&["jwks", "tests/data/jwks.json"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "\
KID           KTY  ALG       USE  SIZE       THUMBPRINT                                   VALIDATOR
gateway-2048  RSA  RS256     sig  2048 bits  N4ywJE3A9KrHMrhRFt3SaMX9akLRZGWSDUGfJ9Ssv14  use
encryption    RSA  RSA-OAEP  enc  2048 bits  N4ywJE3A9KrHMrhRFt3SaMX9akLRZGWSDUGfJ9Ssv14  skip: invalid key: the key is not meant for signatures
weak-1024     RSA  RS256     sig  1024 bits  i2wD4L16AC_qLPdwChfa9VHid0WuNmXA2bYNzGUwbdc  skip: invalid key: RSA key size 1024 bits is outside 2048..=8192
"
        );
    }

    #[test]
    fn no_usable_key_is_a_problem_and_http_needs_consent() {
        let out = run_with_stdin(&["jwks", "-"], r#"{"keys":[{"kty":"RSA","use":"enc"}]}"#);
        assert_eq!(code(&out), 1);
        assert!(stderr(&out).contains("no usable key"));
        let out = run(&["jwks", "http://127.0.0.1:9/certs"]);
        assert_eq!(code(&out), 2);
        has(&stderr(&out), Has::Contains, "--allow-http-loopback");
    }
}

mod verify {
    use super::*;

    const ISSUER: &str = "https://idp.example/realms/apigw";

    /// A key, its JWKS file, and tokens signed with it.
    struct Fixture {
        key: aps_jwt::SigningKey,
        jwks: PathBuf,
        _dir: PathBuf,
    }

    impl Fixture {
        fn new() -> Self {
            let dir = temp_dir("verify");
            let key = aps_jwt::SigningKey::generate_rsa(2048)
                .unwrap()
                .with_kid("k1");
            let jwks = dir.join("jwks.json");
            std::fs::write(&jwks, key.public_jwks().to_json()).unwrap();
            Fixture {
                key,
                jwks,
                _dir: dir,
            }
        }

        fn token(&self, changes: Value) -> String {
            let now = now();
            let mut claims = json!({
                "iss": ISSUER, "sub": "6c1b9e1f", "aud": ["ap-health-records"], "typ": "Bearer",
                "azp": "app-1", "exp": now + 300, "iat": now - 5, "jti": "j1",
                "scope": "profile Records/read", "realm_access": {"roles": ["reader"]},
            });
            for (k, v) in changes.as_object().unwrap() {
                claims[k] = v.clone();
            }
            self.key.sign_jwt("JWT", &claims).unwrap().to_string()
        }

        fn verify(&self, token: &str, extra: &[&str]) -> Output {
            let jwks = self.jwks.to_str().unwrap();
            let mut args = vec!["verify", "-", "--issuer", ISSUER, "--jwks", jwks];
            args.extend_from_slice(extra);
            run_with_stdin(&args, token)
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self._dir);
        }
    }

    #[test]
    fn a_valid_token_shows_its_claims() {
        let f = Fixture::new();
        let out = f.verify(
            &f.token(json!({})),
            &["--scope", "Records/read", "--audience", "ap-health-records"],
        );
        assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!(
                "valid\nissuer:      {ISSUER}\nsubject:     6c1b9e1f\n"
            )),
            "{text}"
        );
        assert!(text.contains("\nclient:      app-1\n"), "{text}");
        assert!(
            text.contains("\nscope:       profile Records/read\n"),
            "{text}"
        );
        assert!(text.contains("\nkey:         k1 (RS256)\n"), "{text}");
        // The token as an argument, with a Bearer prefix.
        let token = f.token(json!({}));
        let bearer = format!("Bearer {token}");
        let jwks = f.jwks.to_str().unwrap();
        let out = run(&["verify", &bearer, "--issuer", ISSUER, "--jwks", jwks]);
        assert_eq!(code(&out), 0, "{}", stdout(&out));
    }

    #[test]
    fn invalid_tokens_say_why_and_what_the_gateway_answers() {
        let f = Fixture::new();
        let expired = f.token(json!({"exp": now() - 120, "iat": now() - 420}));
        let out = f.verify(&expired, &[]);
        assert_eq!(code(&out), 1);
        assert_eq!(stdout(&out), "invalid: token expired (HTTP 401)\n");
        let elsewhere = f.token(json!({"iss": "https://evil.example/realms/apigw"}));
        let out = f.verify(&elsewhere, &[]);
        assert_eq!(code(&out), 1);
        assert_eq!(
            stdout(&out),
            "invalid: token issuer not allowed (HTTP 401)\n"
        );
        let out = f.verify(&f.token(json!({})), &["--scope", "Records/write"]);
        assert_eq!(code(&out), 1);
        has(&stdout(&out), Has::Start, "invalid: insufficient scope: ");
        assert!(stdout(&out).ends_with(" (HTTP 403)\n"));
        let forged = aps_jwt::SigningKey::generate_rsa(2048)
            .unwrap()
            .with_kid("k1");
        let token = forged
            .sign_jwt(
                "JWT",
                &json!({"iss": ISSUER, "exp": now() + 60, "iat": now(), "typ": "Bearer"}),
            )
            .unwrap();
        let out = f.verify(&token, &[]);
        assert_eq!(
            stdout(&out),
            "invalid: invalid token signature (HTTP 401)\n"
        );
    }

    #[test]
    fn an_http_issuer_needs_consent() {
        let out = run(&[
            "verify",
            "x.y.z",
            "--issuer",
            "http://127.0.0.1:9/realms/apigw",
        ]);
        assert_eq!(code(&out), 2);
        has(&stderr(&out), Has::Contains, "--allow-http-loopback");
    }
}

mod token {
    use super::*;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    use base64::Engine as _;

    const SECRET: &str = "s3cret-value";

    /// A token endpoint on a loopback port that accepts `app-1` / [`SECRET`] (Basic) and answers
    /// with a JWT-shaped token. Runs on its own thread for the rest of the test process.
    fn token_endpoint() -> String {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().route("/token", post(issue));
                axum::serve(listener, app).await.unwrap();
            });
        });
        format!("http://{}/token", rx.recv().unwrap())
    }

    async fn issue(headers: HeaderMap, body: String) -> (StatusCode, axum::Json<Value>) {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("app-1:{SECRET}"))
        );
        let authorized = headers
            .get("authorization")
            .is_some_and(|v| v.as_bytes() == expected.as_bytes());
        if !authorized || !body.contains("grant_type=client_credentials") {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"error": "invalid_client"})),
            );
        }
        // header {"alg":"RS256","typ":"JWT"}, claims {"azp":"app-1","scope":"Records/read"}
        let token = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhenAiOiJhcHAtMSIsInNjb3BlIjoiUmVjb3Jkcy9yZWFkIn0.c2ln";
        let scope = if body.contains("scope=Records%2Fread") {
            "Records/read"
        } else {
            ""
        };
        (
            StatusCode::OK,
            axum::Json(
                json!({"access_token": token, "token_type": "Bearer", "expires_in": 300, "scope": scope}),
            ),
        )
    }

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhenAiOiJhcHAtMSIsInNjb3BlIjoiUmVjb3Jkcy9yZWFkIn0.c2ln";

    #[test]
    fn flags_get_a_token_in_each_output() {
        let endpoint = token_endpoint();
        let base = [
            "token",
            "--client-id",
            "app-1",
            "--client-secret",
            SECRET,
            "--token-endpoint",
            &endpoint,
            "--allow-http-loopback",
            "--scope",
            "Records/read",
        ];
        let out = run(&base);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), format!("{TOKEN}\n"));
        let mut header = base.to_vec();
        header.extend(["--output", "header"]);
        assert_eq!(
            stdout(&run(&header)),
            format!("Authorization: Bearer {TOKEN}\n")
        );
        let mut decoded = base.to_vec();
        decoded.extend(["--output", "decoded"]);
        let out = run(&decoded);
        let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            shown,
            json!({"header": {"alg": "RS256", "typ": "JWT"}, "claims": {"azp": "app-1", "scope": "Records/read"}})
        );
        assert!(stderr(&out).contains("the signature was not checked"));
    }

    #[test]
    fn environment_and_credential_document_are_sources_too() {
        let endpoint = token_endpoint();
        let out = aps(&["token", "--allow-http-loopback"])
            .env("APS_CLIENT_ID", "app-1")
            .env("APS_CLIENT_SECRET", SECRET)
            .env("APS_TOKEN_ENDPOINT", &endpoint)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), format!("{TOKEN}\n"));
        let dir = temp_dir("token");
        let document = dir.join("credentials.json");
        std::fs::write(
            &document,
            json!({"flow": "client-credentials", "clientId": "app-1", "clientSecret": SECRET, "tokenEndpoint": endpoint}).to_string(),
        )
        .unwrap();
        let out = run(&[
            "token",
            "--credentials",
            document.to_str().unwrap(),
            "--allow-http-loopback",
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refusals_and_usage_errors_never_show_the_secret() {
        let endpoint = token_endpoint();
        let out = run(&[
            "token",
            "--client-id",
            "app-1",
            "--client-secret",
            "wrong-secret",
            "--token-endpoint",
            &endpoint,
            "--allow-http-loopback",
        ]);
        assert_eq!(code(&out), 1, "refused by the IdP");
        has(&stderr(&out), Has::Contains, "invalid_client");
        assert!(!stderr(&out).contains("wrong-secret"));
        assert_eq!(stdout(&out), "");
        let out = run(&[
            "token",
            "--client-id",
            "app-1",
            "--client-secret",
            SECRET,
            "--token-endpoint",
            &endpoint,
        ]);
        assert_eq!(code(&out), 2, "plain http without consent");
        assert!(!stderr(&out).contains(SECRET));
        let out = run(&[
            "token",
            "--client-id",
            "app-1",
            "--token-endpoint",
            "https://idp.example/token",
        ]);
        assert_eq!(code(&out), 2, "no credential");
        let out = run(&["token", "--credentials", "c.json", "--client-secret", "x"]);
        assert_eq!(code(&out), 2, "conflicting sources");
    }
}

mod dev_idp {
    use super::*;

    /// The server process, stopped when the test ends, also when an assertion fails.
    struct Server(std::process::Child);

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// `aps dev-idp` in the background until `--stop-after`, and the demo credentials it wrote.
    fn start(dir: &std::path::Path, extra: &[&str]) -> (Server, Value) {
        let file = dir.join("demo.json");
        let file_arg = file.to_string_lossy().into_owned();
        let mut args = vec!["dev-idp", "--port", "0", "--stop-after", "60"];
        args.extend_from_slice(&["--credentials-out", &file_arg]);
        args.extend_from_slice(extra);
        let mut child = aps(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("aps dev-idp starts");
        // It prints "Serving" once the server listens and the credentials file is written.
        let stdout = child.stdout.take().expect("its stdout");
        let serving = std::io::BufRead::lines(std::io::BufReader::new(stdout))
            .map_while(Result::ok)
            .any(|line| line.starts_with("Serving"));
        let server = Server(child);
        assert!(serving, "aps dev-idp ended before serving");
        let demo = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        (server, demo)
    }

    #[test]
    fn serves_demo_clients_that_aps_token_can_use() {
        for shape in [&[][..], &["--bare-issuer"][..]] {
            let dir = temp_dir("dev-idp");
            let (server, demo) = start(&dir, shape);
            let issuer = demo["issuer"].as_str().unwrap().to_owned();
            assert_eq!(
                shape.is_empty(),
                issuer.ends_with("/realms/apigw"),
                "{issuer}"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = std::fs::metadata(dir.join("demo.json"))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600);
            }

            // `=`: a generated secret may start with `-`.
            let secret = format!(
                "--client-secret={}",
                demo["secretClient"]["clientSecret"].as_str().unwrap()
            );
            let out = run(&[
                "token",
                "--client-id",
                "demo-secret",
                &secret,
                "--issuer",
                &issuer,
                "--allow-http-loopback",
                "--output",
                "decoded",
            ]);
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            let decoded: Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert_eq!(decoded["claims"]["azp"], "demo-secret");
            assert_eq!(decoded["claims"]["iss"], issuer.as_str());

            let key = dir.join("demo-jwt.pem");
            std::fs::write(&key, demo["jwtClient"]["privateKey"].as_str().unwrap()).unwrap();
            let out = run(&[
                "token",
                "--client-id",
                "demo-jwt",
                "--private-key",
                &key.to_string_lossy(),
                "--key-id",
                demo["jwtClient"]["kid"].as_str().unwrap(),
                "--issuer",
                &issuer,
                "--allow-http-loopback",
                "--output",
                "decoded",
            ]);
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            assert!(
                stdout(&out).contains("\"azp\": \"demo-jwt\""),
                "{}",
                stdout(&out)
            );

            let out = run(&[
                "token",
                "--client-id",
                "demo-secret",
                "--client-secret",
                "wrong",
                "--issuer",
                &issuer,
                "--allow-http-loopback",
            ]);
            assert_eq!(code(&out), 1, "a wrong secret is refused");
            drop(server);
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
}
