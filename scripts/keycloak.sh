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

# Installs the named Debian packages whose command (given as command:package) is missing.
need() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  say "installing ${missing[*]} from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Keycloak runs on OpenJDK 17, 21 and 25: $JAVA_HOME's java, else the default java, else the
# newest under /usr/lib/jvm, whichever is first of those versions.
find_java() {
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
  say "no Java 17, 21 or 25 found (tried: ${candidates[*]})"
  return 1
}

# A supported Java, installed from Debian's packages when there is none.
pick_java() {
  find_java && return
  local jre
  for jre in openjdk-21-jre-headless openjdk-17-jre-headless openjdk-25-jre-headless; do
    if apt-cache show "$jre" >/dev/null 2>&1; then
      need "java-$jre:$jre"
      find_java && return
    fi
  done
  die "no Java 17, 21 or 25, and none could be installed"
}

install() {
  if [ -x "$HOME_DIR/bin/kc.sh" ]; then
    say "Keycloak $VERSION already installed in $HOME_DIR"
    return
  fi
  need curl:curl unzip:unzip mvn:maven
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
  rm -rf "$HOME_DIR"
  mv "$tmp/keycloak-$VERSION" "$HOME_DIR" || { rm -rf "$tmp"; die "unexpected layout in $zip"; }
  rm -rf "$tmp"
  say "installed Keycloak $VERSION in $HOME_DIR"
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  # The pid must still be this Keycloak: after a reboot it may belong to anything.
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$HOME_DIR"; then
    rm -f "$PID_FILE"
    return 1
  fi
  echo "$pid"
}

answers() { curl -s -o /dev/null --max-time 2 "$1"; }
healthy() { curl -fsS -o /dev/null --max-time 2 "$HEALTH_URL" 2>/dev/null; }
ready() { running_pid >/dev/null && healthy; }

start() {
  install
  mkdir -p "$RUN_DIR"
  # One start at a time per port: a second caller waits, then finds the server running.
  exec 9>"$RUN_DIR/keycloak-$PORT.lock"
  flock 9
  if ready; then
    say "already running at $URL"
    return
  fi
  if running_pid >/dev/null; then
    say "a Keycloak this script started is there but not ready: stopping it first"
    stop
  fi
  local port
  for port in "$PORT" "$MANAGEMENT_PORT"; do
    if answers "http://127.0.0.1:$port/"; then
      die "port $port already answers, but not from a Keycloak this script started; stop it, or set APS_KEYCLOAK_PORT and APS_KEYCLOAK_MANAGEMENT_PORT"
    fi
  done
  need curl:curl
  pick_java
  say "starting Keycloak $VERSION at $URL with $JAVA_HOME (log: $LOG_FILE)"
  local started=$SECONDS
  # setsid: the server gets a process group of its own, so that stop ends kc.sh and its JVM together.
  KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    setsid "$HOME_DIR/bin/kc.sh" start-dev \
      --http-host=127.0.0.1 --http-port="$PORT" \
      --http-management-port="$MANAGEMENT_PORT" --health-enabled=true \
      --db=dev-mem --log-level=INFO \
      </dev/null >"$LOG_FILE" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  # The ports were free before the launch, so the health endpoint that answers is this server's.
  while ! healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "Keycloak exited while starting; the end of its log:"
      tail -n 40 "$LOG_FILE" >&2
      rm -f "$PID_FILE"
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
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
