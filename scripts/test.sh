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

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked

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
