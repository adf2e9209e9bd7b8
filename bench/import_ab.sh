#!/usr/bin/env bash
# Households import of two builds, alternating (prints figures; not a test): each LABEL:BINARY in
# turn imports the same generated households file into a fresh database (regions loaded first) under
# /usr/bin/time -v; prints wall, user and system CPU of the fupin process, peak RSS and the import's
# own time. Alternating A/B/A/B on an otherwise quiet machine is what tells a few per cent apart.
# Usage: bench/import_ab.sh pg|sqlite LABEL:BINARY ...
#   e.g. bench/import_ab.sh pg before:/tmp/fupin-old main:target/release/fupin before:/tmp/fupin-old main:target/release/fupin
# env: HOUSEHOLDS (default /tmp/fupin-bench/gen/households.csv, from bench/import.sh), REGIONS,
#      BENCH_DIR (default /tmp/fupin-ab), PG_BASE, PG_DB (default fupin_ab)
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?pg or sqlite}
shift
HOUSEHOLDS=${HOUSEHOLDS:-/tmp/fupin-bench/gen/households.csv}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-ab}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-fupin_ab}
mkdir -p "$W"
export RUST_LOG=warn FUPIN_DATA_DIR="$W/data"
for spec in "$@"; do
    label=${spec%%:*}
    bin=${spec#*:}
    if [[ $db == pg ]]; then
        psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" 2>/dev/null
        url="$PG_BASE/$PG_DB"
    else
        rm -f "$W"/ab.db*
        url="sqlite://$W/ab.db"
    fi
    rm -rf "$W/data"
    "$bin" --database-url "$url" region import "$REGIONS" >/dev/null
    /usr/bin/time -v "$bin" --database-url "$url" import "$HOUSEHOLDS" >"$W/out" 2>"$W/err"
    printf '%s %-6s %-10s wall %s  user %s s  sys %s s  peak RSS %s MiB  load %s | %s\n' "$(date +%T)" "$db" "$label" \
        "$(grep 'Elapsed' "$W/err" | awk '{print $NF}')" "$(grep 'User time' "$W/err" | awk '{print $NF}')" \
        "$(grep 'System time' "$W/err" | awk '{print $NF}')" \
        "$(($(grep 'Maximum resident' "$W/err" | awk '{print $NF}') / 1024))" \
        "$(cut -d' ' -f1 /proc/loadavg)" "$(grep '用时' "$W/out" || true)"
done
