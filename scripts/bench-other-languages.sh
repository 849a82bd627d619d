#!/usr/bin/env bash
# Other languages' JWT validators measured as aps-jwt's steady bench measures aps-jwt, on the
# same RS256 token and key (see aps-jwt/benches/other-languages/README.md): dumps the token,
# installs each harness's pinned dependencies (again only when missing), then runs the Rust
# steady bench, Go, Node.js, Python and the Rust bench again, ROUNDS rounds each (default 41).
# A benchmark: not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target-bench}
export STEADY_ROUNDS=${ROUNDS:-41}
here=aps-jwt/benches/other-languages
venv=$HOME/.cache/aps/bench-venv
dump=$(mktemp -d)
trap 'rm -rf "$dump"' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "dump the token, JWKS and settings (and build the steady bench)"
STEADY_DUMP="$dump" cargo bench -q -p aps-jwt --bench steady

step "install: Go modules (go.sum), jose (package-lock.json), PyJWT (requirements.txt)"
(cd "$here" && go build -o "$dump/go-bench" .)
# npm ci again only when the lock file differs from the one last installed (a stamp).
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.aps-installed-lock" 2>/dev/null; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
  cp "$here/package-lock.json" "$here/node_modules/.aps-installed-lock"
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"

step "date and load"
date -u
uptime

step "Rust: aps-jwt and jsonwebtoken (steady.rs)"
cargo bench -q -p aps-jwt --bench steady
step "Go: golang-jwt v5, jwx v3"
"$dump/go-bench" "$dump"
step "Node.js $(node --version): jose"
node "$here/bench.mjs" "$dump"
step "Python $("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])'): PyJWT"
"$venv/bin/python" "$here/bench.py" "$dump"
step "Rust again (drift over the session)"
cargo bench -q -p aps-jwt --bench steady
uptime
