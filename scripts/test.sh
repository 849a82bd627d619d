#!/usr/bin/env bash
# Every check of the project, in the order a reviewer would run them:
# format, lints, docs, then every test of the workspace against a real Keycloak.
#
# With KEYCLOAK_URL set, the tests use that server (provisioned with testkit/realms, see
# testkit/realms/README.md); otherwise this script installs Keycloak from Maven Central,
# starts it on 127.0.0.1, and stops it when it ends, whether the tests pass or not.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo clippy with default features (what a plain cargo add gets)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p aps-core --no-default-features --lib --locked -- -D warnings

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked
# and without features, as `cargo doc -p <crate>` builds them (no link to a feature-gated item)
for crate in aps-core aps-jwt aps-client aps-idp; do
  RUSTDOCFLAGS="-D warnings" cargo doc -q -p "$crate" --no-deps --locked
done

step "cargo package (every crate packages as it would be published)"
cargo package --workspace --no-verify --locked --allow-dirty -q

step "build the tests"
cargo test --workspace --all-features --locked --no-run

if [ -z "${KEYCLOAK_URL:-}" ]; then
  if scripts/keycloak.sh status 2>/dev/null; then
    step "use the Keycloak that is already running (it is left running)"
  else
    step "start Keycloak"
    trap 'scripts/keycloak.sh stop' EXIT
    scripts/keycloak.sh start
  fi
  eval "$(scripts/keycloak.sh env)"
  export KEYCLOAK_URL
fi

step "provision the test realms in $KEYCLOAK_URL"
cargo run -q --locked -p aps-testkit --bin provision-keycloak

step "cargo test (every crate, unit, integration and doc tests)"
# Keycloak is there now: a Keycloak test that cannot reach it must fail, not skip.
APS_REQUIRE_KEYCLOAK=1 cargo test --workspace --all-features --locked

step "the quickstart: offline on the embedded development IdP, then against Keycloak"
cargo run -q --locked -p aps-examples --bin quickstart
cargo run -q --locked -p aps-examples --bin quickstart -- --keycloak "$KEYCLOAK_URL"

step "the examples of each kind of user, offline and against Keycloak"
for example in consumer-secret consumer-private-key-jwt upstream-service portal-operator; do
  echo "--- $example"
  cargo run -q --locked -p aps-examples --bin "$example"
  cargo run -q --locked -p aps-examples --bin "$example" -- --keycloak "$KEYCLOAK_URL"
done
echo "--- provider-profile"
cargo run -q --locked -p aps-examples --bin provider-profile >/dev/null  # exits non-zero if the bundled profiles have errors

step "independent clients (Python authlib) against the embedded development IdP"
scripts/interop.sh

step "aps-client examples (smoke tests: the management client gets a token and calls the Admin REST API with it)"
realm="${APS_KEYCLOAK_REALM:-apigw}"
token_endpoint="${KEYCLOAK_URL%/}/realms/$realm/protocol/openid-connect/token"
api="${KEYCLOAK_URL%/}/admin/realms/$realm/users/count"
management_id="${APS_KEYCLOAK_MANAGEMENT_CLIENT_ID:-aps-management}"
management_secret="${APS_KEYCLOAK_MANAGEMENT_CLIENT_SECRET:-aps-management-secret}"
# Only these settings: others left in the caller's shell (a credentials file, a key) would change the run.
env -u APS_CREDENTIALS -u APS_CREDENTIALS_FILE -u APS_CLIENT_PRIVATE_KEY -u APS_CLIENT_PRIVATE_KEY_FILE \
  -u APS_CLIENT_AUTH_METHOD -u APS_SCOPE -u APS_ISSUER -u APS_CLIENT_KEY_ID \
  APS_ALLOW_HTTP_LOOPBACK=1 APS_CLIENT_ID="$management_id" APS_CLIENT_SECRET="$management_secret" \
  APS_TOKEN_ENDPOINT="$token_endpoint" cargo run -q --locked -p aps-client --example call_api -- "$api"
APS_ALLOW_HTTP_LOOPBACK=1 CID="$management_id" CSC="$management_secret" URL="$token_endpoint" \
  cargo run -q --locked -p aps-client --example curl_flow -- "$api"
