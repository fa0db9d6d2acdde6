#!/usr/bin/env bash
# Runs the official W3C Trace Context test harness against examples/trace_conformance.rs.
#
# Usage: scripts/trace_conformance.sh HARNESS_DIR
#   HARNESS_DIR: the `test/` folder of a checkout of https://github.com/w3c/trace-context
#   (not part of this repository). Needs Python 3 and installs aiohttp with pip if missing.
# Prints the harness's report; exits with the harness's status (0: every test passed).
set -euo pipefail
harness=${1:?usage: $0 HARNESS_DIR (the test/ folder of w3c/trace-context)}
port=${PORT:-5000}
cd "$(dirname "$0")/.."
python3 -c 'import aiohttp' 2>/dev/null || python3 -m pip install --quiet aiohttp
cargo build --quiet --example trace_conformance
target=${CARGO_TARGET_DIR:-target}
RUST_LOG=${RUST_LOG:-warn} PORT=$port "$target/debug/examples/trace_conformance" &
service=$!
trap 'kill $service 2>/dev/null' EXIT
for _ in $(seq 50); do
  (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.1
done
cd "$harness"
STRICT_LEVEL=${STRICT_LEVEL:-2} python3 test.py "http://127.0.0.1:$port/test"
