#!/usr/bin/env bash
# Bugsink, a self-hosted Sentry-compatible error tracker, headless on 127.0.0.1 with SQLite,
# for the end-to-end test (tests/sentry_bugsink.rs).
#
#   eval "$(scripts/bugsink.sh start)"   # install once, configure once, start; prints exports
#   cargo test --all-features --test sentry_bugsink
#   scripts/bugsink.sh stop
#
# `start` prints `export BUGSINK_DSN=… BUGSINK_URL=… BUGSINK_TOKEN=…` on stdout and nothing
# else; progress goes to $BUGSINK_STATE/bugsink.log. It is idempotent: installed, configured
# or running, it skips that step. State lives in $BUGSINK_STATE (default: target/bugsink).
# Needs python3 >= 3.11 and curl; pip downloads Bugsink from PyPI on the first run (~25 s).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${BUGSINK_STATE:-$ROOT/target/bugsink}
VENV=$STATE/venv
CONF=$STATE/instance
LOG=$STATE/bugsink.log
PIDFILE=$STATE/gunicorn.pid
VERSION="2.6.*"

mkdir -p "$STATE"

say() { printf '%s\n' "bugsink.sh: $*" >>"$LOG"; }
die() { printf '%s\n' "bugsink.sh: $*" >&2; exit 1; }

running() {
    [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

install() {
    [[ -x $VENV/bin/bugsink-manage && -x $VENV/bin/gunicorn ]] && return
    command -v python3 >/dev/null || die "python3 not found"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "python3 >= 3.11 needed, found $(python3 --version 2>&1)"
    say "installing bugsink $VERSION into $VENV"
    python3 -m venv "$VENV" >>"$LOG" 2>&1
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "bugsink==$VERSION" >>"$LOG" 2>&1 \
        || die "pip install bugsink failed, see $LOG"
}

manage() {
    (cd "$CONF" && "$VENV/bin/bugsink-manage" "$@")
}

configure() {
    [[ -f $CONF/dsn && -f $CONF/token ]] && return
    rm -rf "$CONF"
    mkdir -p "$CONF"
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    say "configuring an instance on 127.0.0.1:$port in $CONF"
    (cd "$CONF" && "$VENV/bin/bugsink-create-conf" --template=local --host=127.0.0.1 \
        --port="$port" --output-file=bugsink_conf.py >>"$LOG" 2>&1)
    cat >>"$CONF/bugsink_conf.py" <<'PY'

# Added by scripts/bugsink.sh: everything inside this folder, no phoning home, and a quota
# that a test run never reaches.
import os as _os
_HERE = _os.path.dirname(_os.path.abspath(__file__))
DATABASES["default"]["NAME"] = _os.path.join(_HERE, "db.sqlite3")
DATABASES["snappea"]["NAME"] = _os.path.join(_HERE, "snappea.sqlite3")
BUGSINK["INGEST_STORE_BASE_DIR"] = _os.path.join(_HERE, "ingestion")
BUGSINK["PHONEHOME"] = False
BUGSINK["MAX_EVENTS_PER_PROJECT_PER_5_MINUTES"] = 1_000_000
BUGSINK["MAX_EVENTS_PER_PROJECT_PER_HOUR"] = 1_000_000
SNAPPEA["WAKEUP_CALLS_DIR"] = _os.path.join(_HERE, "snappea.wakeup")
PY
    echo "$port" >"$CONF/port"
    {
        manage migrate --verbosity 0
        manage migrate snappea --database=snappea --verbosity 0
        DJANGO_SUPERUSER_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))') \
            manage createsuperuser --noinput --username admin --email admin@example.invalid
    } >>"$LOG" 2>&1 || die "database setup failed, see $LOG"
    manage shell -c '
from teams.models import Team
from projects.models import Project
team, _ = Team.objects.get_or_create(name="ci")
project, _ = Project.objects.get_or_create(name="http-observability", defaults={"team": team})
print(project.dsn)' 2>>"$LOG" | tail -n 1 >"$CONF/dsn.tmp"
    manage create_auth_token 2>>"$LOG" | tail -n 1 >"$CONF/token.tmp"
    [[ -s $CONF/dsn.tmp && -s $CONF/token.tmp ]] || die "project or token creation failed, see $LOG"
    mv "$CONF/dsn.tmp" "$CONF/dsn"
    mv "$CONF/token.tmp" "$CONF/token"
}

url() { echo "http://127.0.0.1:$(cat "$CONF/port")"; }

start() {
    install
    configure
    if ! running; then
        say "starting gunicorn on $(url)"
        (cd "$CONF" && DJANGO_SETTINGS_MODULE=bugsink_conf "$VENV/bin/gunicorn" bugsink.wsgi \
            --bind "127.0.0.1:$(cat "$CONF/port")" --workers 1 --no-control-socket \
            --pid "$PIDFILE" --daemon --log-file "$STATE/gunicorn.log" >>"$LOG" 2>&1) \
            || die "gunicorn did not start, see $LOG and $STATE/gunicorn.log"
    fi
    local i
    for i in $(seq 1 150); do
        if curl -s -o /dev/null "$(url)/"; then
            printf 'export BUGSINK_DSN=%q BUGSINK_URL=%q BUGSINK_TOKEN=%q\n' \
                "$(cat "$CONF/dsn")" "$(url)" "$(cat "$CONF/token")"
            return
        fi
        sleep 0.2
    done
    die "Bugsink did not answer on $(url) within 30 s, see $STATE/gunicorn.log"
}

stop() {
    running || { rm -f "$PIDFILE"; return 0; }
    local pid i
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; return 0; }
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) running || die "not running"; printf 'export BUGSINK_DSN=%q BUGSINK_URL=%q BUGSINK_TOKEN=%q\n' \
        "$(cat "$CONF/dsn")" "$(url)" "$(cat "$CONF/token")" ;;
    *) die "usage: $0 start|stop|env" ;;
esac
