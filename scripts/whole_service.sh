#!/usr/bin/env bash
# The whole-service figure: requests/s of the axum example (release build) on `GET /health`
# with `RUST_LOG=off` and with `RUST_LOG=info` (one access line per request), measured with
# wrk, the runs interleaved (off, info, off, info...) so that a change in the machine's load
# hits both alike. stdout goes to a pipe read by `cat`, as a log collector reads it.
#
#   scripts/whole_service.sh            # 5 rounds of 10 s each, 32 connections
#   ROUNDS=3 DURATION=5s scripts/whole_service.sh
#   BINARY=/path/to/axum scripts/whole_service.sh   # another build of the example, not rebuilt
#
# Installs wrk (Debian's package) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-3999}

if ! command -v wrk >/dev/null; then
    echo "installing wrk" >&2
    if [[ $(id -u) -eq 0 ]]; then
        apt-get install -y wrk >&2
    else
        sudo apt-get install -y wrk >&2
    fi
fi

if [[ -n ${BINARY:-} ]]; then
    binary=$BINARY
else
    cargo build --release --example axum >&2
    binary="${CARGO_TARGET_DIR:-target}/release/examples/axum"
fi

# One wrk run against the example started with RUST_LOG=$1: "requests/s cpu_us_per_request",
# the second being the server's CPU time (user + system, from /proc) over the requests it
# served: less moved by other load on the machine than requests/s.
measure() {
    RUST_LOG=$1 PORT=$PORT HOST=127.0.0.1 SERVICE_NAME=bench "$binary" > >(cat >/dev/null) &
    local server=$!
    until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 0.1; done
    local before out after
    before=$(cpu_ticks "$server")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PORT/health")
    after=$(cpu_ticks "$server")
    kill -TERM "$server"
    wait "$server" || true
    local rps requests
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    awk -v r="$rps" -v n="$requests" -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%s %.2f", r, t / hz * 1e6 / n }'
}

# utime + stime of a process, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

echo "round,off_rps,info_rps,ratio,off_cpu_us_per_req,info_cpu_us_per_req"
off_all=() info_all=() off_cpu=() info_cpu=()
for round in $(seq 1 "$ROUNDS"); do
    read -r off offc <<<"$(measure off)"
    read -r info infoc <<<"$(measure info)"
    off_all+=("$off") info_all+=("$info") off_cpu+=("$offc") info_cpu+=("$infoc")
    echo "$round,$off,$info,$(awk -v a="$info" -v b="$off" 'BEGIN { printf "%.3f", a / b }'),$offc,$infoc"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratios=()
for i in "${!off_all[@]}"; do
    ratios+=("$(awk -v a="${info_all[$i]}" -v b="${off_all[$i]}" 'BEGIN { printf "%.3f", a / b }')")
done
echo "median of the rounds' ratios: $(median "${ratios[@]}")"
off_median=$(median "${off_all[@]}")
info_median=$(median "${info_all[@]}")
echo "median,$off_median,$info_median,$(awk -v a="$info_median" -v b="$off_median" 'BEGIN { printf "%.3f", a / b }'),$(median "${off_cpu[@]}"),$(median "${info_cpu[@]}")"
