#!/usr/bin/env bash
# Installs and runs the Keycloak server that the aps tests talk to.
#
#   scripts/keycloak.sh install   fetch keycloak-quarkus-dist from Maven Central into the cache, once
#   scripts/keycloak.sh start     start it on 127.0.0.1 (dev mode, in-memory database) and wait until ready
#   scripts/keycloak.sh stop      stop the server this script started
#   scripts/keycloak.sh status    say whether it runs, and where
#   scripts/keycloak.sh logs      the tail of its log
#   scripts/keycloak.sh env       print the export lines for the tests
#
# Settings (environment): APS_KEYCLOAK_VERSION (26.7.0), APS_KEYCLOAK_PORT (18080),
# APS_KEYCLOAK_MANAGEMENT_PORT (19000), APS_CACHE_DIR (~/.cache/aps), APS_KEYCLOAK_START_TIMEOUT
# (180 seconds), KEYCLOAK_ADMIN_USER / KEYCLOAK_ADMIN_PASSWORD (admin / admin).
set -euo pipefail

VERSION="${APS_KEYCLOAK_VERSION:-26.7.0}"
PORT="${APS_KEYCLOAK_PORT:-18080}"
MANAGEMENT_PORT="${APS_KEYCLOAK_MANAGEMENT_PORT:-19000}"
CACHE="${APS_CACHE_DIR:-$HOME/.cache/aps}"
HOME_DIR="$CACHE/keycloak-$VERSION"
RUN_DIR="$CACHE/run"
PID_FILE="$RUN_DIR/keycloak-$PORT.pid"
LOG_FILE="$RUN_DIR/keycloak-$PORT.log"
START_TIMEOUT="${APS_KEYCLOAK_START_TIMEOUT:-180}"
ADMIN_USER="${KEYCLOAK_ADMIN_USER:-admin}"
ADMIN_PASSWORD="${KEYCLOAK_ADMIN_PASSWORD:-admin}"
URL="http://127.0.0.1:$PORT"
HEALTH_URL="http://127.0.0.1:$MANAGEMENT_PORT/health/ready"

say() { printf 'keycloak.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

need_packages() {
  local missing=()
  command -v curl >/dev/null || missing+=(curl)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v mvn >/dev/null || missing+=(maven)
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  [ ${#missing[@]} -eq 0 ] && return
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  say "installing ${missing[*]} from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Keycloak runs on OpenJDK 17, 21 and 25: the default java when it is one of those, else the
# newest JDK under /usr/lib/jvm that is.
pick_java() {
  local candidates=() major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  candidates+=("$(command -v java || true)")
  for dir in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${dir}bin/java"); done
  for java in "${candidates[@]}"; do
    [ -x "$java" ] || continue
    java=$(readlink -f "$java")
    major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    case "$major" in
      17|21|25) JAVA_HOME="$(cd "$(dirname "$java")/.." && pwd)"; export JAVA_HOME; return ;;
    esac
  done
  die "no Java 17, 21 or 25 found (tried: ${candidates[*]})"
}

install() {
  if [ -x "$HOME_DIR/bin/kc.sh" ]; then
    say "Keycloak $VERSION already installed in $HOME_DIR"
    return
  fi
  need_packages
  mkdir -p "$CACHE"
  local zip="$CACHE/keycloak-quarkus-dist-$VERSION.zip"
  if [ ! -s "$zip" ]; then
    say "fetching org.keycloak:keycloak-quarkus-dist:$VERSION:zip from Maven Central"
    mvn -q -B dependency:copy \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:$VERSION:zip" \
      "-DoutputDirectory=$CACHE" || die "mvn could not fetch keycloak-quarkus-dist $VERSION"
  fi
  local tmp
  tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
  unzip -q "$zip" -d "$tmp" || { rm -rf "$tmp"; die "could not unpack $zip"; }
  mv "$tmp/keycloak-$VERSION" "$HOME_DIR"
  rm -rf "$tmp"
  say "installed Keycloak $VERSION in $HOME_DIR"
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

ready() { curl -fsS -o /dev/null --max-time 2 "$HEALTH_URL" 2>/dev/null; }

start() {
  install
  if running_pid >/dev/null && ready; then
    say "already running at $URL"
    return
  fi
  if curl -s -o /dev/null --max-time 2 "$URL"; then
    die "port $PORT already answers, but not from a Keycloak this script started; stop it or set APS_KEYCLOAK_PORT"
  fi
  pick_java
  mkdir -p "$RUN_DIR"
  say "starting Keycloak $VERSION at $URL with $JAVA_HOME (log: $LOG_FILE)"
  local started=$SECONDS
  # setsid: the server gets a process group of its own, so that stop ends kc.sh and its JVM together.
  KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    setsid "$HOME_DIR/bin/kc.sh" start-dev \
      --http-host=127.0.0.1 --http-port="$PORT" \
      --http-management-port="$MANAGEMENT_PORT" --health-enabled=true \
      --db=dev-mem --log-level=INFO \
      </dev/null >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  while ! ready; do
    if ! running_pid >/dev/null; then
      say "Keycloak exited while starting; the end of its log:"
      tail -n 40 "$LOG_FILE" >&2
      exit 1
    fi
    if [ $((SECONDS - started)) -ge "$START_TIMEOUT" ]; then
      say "Keycloak was not ready after ${START_TIMEOUT}s; the end of its log:"
      tail -n 40 "$LOG_FILE" >&2
      stop
      exit 1
    fi
    sleep 1
  done
  say "ready at $URL after $((SECONDS - started))s"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    say "not running"
    return
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  if running_pid >/dev/null && ready; then
    say "running at $URL (pid $(cat "$PID_FILE"))"
  else
    say "not running"
    return 1
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  logs) tail -n "${2:-100}" "$LOG_FILE" ;;
  env) printf 'export KEYCLOAK_URL=%s\n' "$URL" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
