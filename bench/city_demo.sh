#!/usr/bin/env bash
# City demo benchmark (prints figures; not a test): `fupin demo --city` into a fresh SQLite file and a
# fresh PostgreSQL database (release build), wall time and peak RSS, with the load average at the time.
# Usage: bench/city_demo.sh   (env: BENCH_DIR, PG_BASE, SKIP_PG, FUPIN_BIN: a fupin binary to use
#        instead of building the release one)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/fupin-bench-city}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=fupin_bench_city
export RUST_LOG=${RUST_LOG:-info}
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }
echo "== $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
if [[ -n "${FUPIN_BIN:-}" ]]; then
    F=$(realpath "$FUPIN_BIN")
else
    cargo build --release -q -p fupin --bin fupin
    F=$PWD/target/release/fupin
fi
mkdir -p "$W"
export FUPIN_DATA_DIR="$W/data"
timed() {
    local label=$1
    shift
    /usr/bin/time -v "$@" >"$W/last.out" 2>"$W/last.err" || { tail -n 20 "$W/last.out" "$W/last.err" >&2; exit 1; }
    printf '%-40s wall %10s   peak RSS %6d MiB   (load %s)\n' "$label" \
        "$(grep 'Elapsed (wall clock)' "$W/last.err" | awk '{print $NF}')" \
        "$(($(grep 'Maximum resident set size' "$W/last.err" | awk '{print $NF}') / 1024))" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
    grep '南昌市' "$W/last.out" || true
    sed 's/\x1b\[[0-9;]*m//g' "$W/last.err" | grep -o 'seconds=[0-9.]* city demo: [a-z ]*' || true
}
rm -f "$W"/city.db*
timed "fupin demo --city (SQLite)" "$F" --database-url "sqlite://$W/city.db" demo --city
if [[ -z "${SKIP_PG:-}" ]]; then
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
    timed "fupin demo --city (PostgreSQL)" "$F" --database-url "$PG_BASE/$PG_DB" demo --city
    psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
fi
