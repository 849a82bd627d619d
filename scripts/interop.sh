#!/usr/bin/env bash
# Independent OAuth clients against the embedded development IdP: Python's authlib (with
# joserfc) gets tokens with client_secret_basic, client_secret_post and private_key_jwt and
# verifies them against the IdP's JWKS, for a Keycloak-like issuer and a bare-origin one.
#
# Installs its Python packages (pinned) in a virtual environment under the cache, once.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${APS_CACHE_DIR:-$HOME/.cache/aps}"
VENV="$CACHE/interop-venv"
PACKAGES=(authlib==1.9.10 joserfc==1.8.0 requests==2.34.2)

if ! "$VENV/bin/python" -c 'import authlib, joserfc, requests' 2>/dev/null; then
  echo "interop.sh: installing ${PACKAGES[*]} into $VENV" >&2
  python3 -m venv "$VENV" || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  }
  "$VENV/bin/pip" install -q "${PACKAGES[@]}"
fi

cargo build -q --locked -p aps-cli
aps="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/aps"
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

for shape in realm bare; do
  flags=(--port 0 --credentials-out "$work/$shape.json" --stop-after 120)
  [ "$shape" = bare ] && flags+=(--bare-issuer)
  "$aps" dev-idp "${flags[@]}" >"$work/$shape.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$work/$shape.json" ] && break; sleep 0.1; done
  [ -s "$work/$shape.json" ] || { cat "$work/$shape.log" >&2; echo "interop.sh: the dev IdP did not start" >&2; exit 1; }
  echo "interop.sh: authlib against the dev IdP, $shape issuer ($(sed -n 's/^  issuer *//p' "$work/$shape.log"))"
  "$VENV/bin/python" scripts/interop/authlib_client.py "$work/$shape.json"
done
