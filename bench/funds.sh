#!/usr/bin/env bash
# Funds benchmark (prints figures; not a test). Generates a registry of N households (default
# 1,500,000) over the villages of REGIONS with its projects, funds, assets and dividends
# (`fupin gen --registry-only --funds`: about 2 projects per 15 households, 6 payments per funded
# project, one dividend per household), loads it with `fupin import` (the registry's files, then
# `fupin import DIR/funds --kind funds`) into SQLite and PostgreSQL, serves it, and times:
#   - the province's funds report (target ≤ 50 ms server time) and a county's;
#   - a household's 资金到户 trace (target ≤ 5 ms), of the household with the most payments;
#   - the household page that shows it.
# Each figure is the median of RUNS calls (5) of the server's own latency (`latency_ms` of the
# request's log line, found by the x-request-id sent), printed with the load average.
#
# Usage: bench/funds.sh [N]
#   env: REGIONS (region list), BENCH_DIR (/tmp/fupin-funds), PG_BASE, BACKENDS ("sqlite postgres"),
#        RUNS (5), RELOAD=1 to load again, FUPIN_BIN (a built binary instead of building the release
#        one), PORT (18960), BASE_SQLITE (an SQLite database of the same registry already loaded —
#        bench/province.sh's of the same N and seed 1, whose households.csv is the same — copied
#        instead of importing the registry again; only the funds are loaded into the copy).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-funds}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=fupin_funds
BACKENDS=${BACKENDS:-sqlite postgres}
RUNS=${RUNS:-5}
PORT=${PORT:-18960}
export RUST_LOG=warn
command -v curl >/dev/null || { echo "curl missing: apt-get install -y curl" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }

echo "== $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
if [[ -n "${FUPIN_BIN:-}" ]]; then
    F=$(realpath "$FUPIN_BIN")
else
    echo "== build (release)"
    cargo build --release -q -p fupin --bin fupin
    F=$PWD/target/release/fupin
fi
export FUPIN_DATA_DIR="$W/data"
mkdir -p "$W"

# run a command under /usr/bin/time -v; print wall time and peak RSS
timed() {
    local label=$1
    shift
    /usr/bin/time -v "$@" >"$W/last.out" 2>"$W/last.err" || { tail -n 20 "$W/last.out" "$W/last.err" >&2; exit 1; }
    printf '%-52s wall %10s   peak RSS %6d MiB   (load %s)\n' "$label" \
        "$(grep 'Elapsed (wall clock)' "$W/last.err" | awk '{print $NF}')" \
        "$(($(grep 'Maximum resident set size' "$W/last.err" | awk '{print $NF}') / 1024))" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
}

G=$W/gen
echo "== generate $N households with their funds (seed 1) in $G"
if [[ ! -f "$G/funds/dividends.csv" || "$(cat "$G/n" 2>/dev/null)" != "$N" ]]; then
    rm -rf "$G"
    timed "fupin gen --households $N --registry-only --funds" "$F" gen --households "$N" --seed 1 \
        --regions "$REGIONS" --out "$G" --registry-only --funds
    echo "$N" >"$G/n"
fi
for f in "$G"/*.csv "$G"/funds/*.csv; do printf '   %-36s %10s lines\n' "${f#"$G"/}" "$(wc -l <"$f")"; done

db_url() {
    case $1 in
    sqlite) echo "sqlite://$W/fupin.db" ;;
    postgres) echo "$PG_BASE/$PG_DB" ;;
    esac
}

load() {
    local backend=$1 db
    db=$(db_url "$backend")
    if [[ -z "${RELOAD:-}" && -f "$W/loaded-$backend" ]]; then
        echo "-- $backend: loaded before ($(cat "$W/loaded-$backend")); RELOAD=1 to load again"
        return
    fi
    case $backend in
    sqlite) rm -f "$W"/fupin.db* ;;
    postgres) psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" ;;
    esac
    rm -f "$W/user-$backend-"*
    if [[ $backend == sqlite && -n "${BASE_SQLITE:-}" ]]; then
        echo "-- the registry: a copy of $BASE_SQLITE"
        sqlite3 "$BASE_SQLITE" ".backup '$W/fupin.db'"
    else
        "$F" --database-url "$db" region import "$REGIONS" | tail -1
        for f in households incomes profiles; do
            timed "fupin import $f.csv ($backend)" "$F" --database-url "$db" import "$G/$f.csv"
        done
    fi
    timed "fupin import funds --kind funds ($backend)" "$F" --database-url "$db" import "$G/funds" --kind funds
    tail -n 1 "$W/last.out"
    echo "loaded $(date -u '+%F %T')" >"$W/loaded-$backend"
}

sql() {
    case $BACKEND in
    sqlite) sqlite3 -cmd ".timeout 30000" "$W/fupin.db" "$1" ;;
    postgres) psql "$(db_url postgres)" -X -A -t -c "$1" ;;
    esac
}

pick() {
    PROVINCE=$(sql "SELECT substr(MIN(village_code), 1, 2) || '0000000000' FROM projects")
    COUNTY=$(sql "SELECT substr(village_code, 1, 6) || '000000' FROM projects GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
    # the household with the most payments and dividends
    HOUSEHOLD=$(sql "SELECT household_id FROM (SELECT household_id FROM fund_movements WHERE household_id IS NOT NULL \
        UNION ALL SELECT household_id FROM dividends) t GROUP BY household_id ORDER BY COUNT(*) DESC, household_id LIMIT 1")
    ITEMS=$(sql "SELECT (SELECT COUNT(*) FROM fund_movements WHERE household_id = $HOUSEHOLD) + (SELECT COUNT(*) FROM dividends WHERE household_id = $HOUSEHOLD)")
    echo "   province $PROVINCE, county $COUNTY, household $HOUSEHOLD ($ITEMS items in its trace)"
    echo "   rows: $(sql "SELECT COUNT(*) FROM projects") projects, $(sql "SELECT COUNT(*) FROM fund_movements WHERE kind = 'disbursement'") disbursements, $(sql "SELECT COUNT(*) FROM dividends") dividends, $(sql "SELECT COUNT(*) FROM funds_stats") funds_stats rows"
}

token() {
    local db
    db=$(db_url "$BACKEND")
    if [[ ! -f "$W/user-$BACKEND-officer" ]]; then
        FUPIN_PASSWORD=bench-officer-pass "$F" --database-url "$db" user add bench-officer --display-name "基准经办" >/dev/null 2>&1 || true
        "$F" --database-url "$db" user grant bench-officer officer "$PROVINCE" >/dev/null
        touch "$W/user-$BACKEND-officer"
    fi
    curl -s -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'content-type: application/json' \
        -d '{"username":"bench-officer","password":"bench-officer-pass"}' | sed 's/.*"token":"\([^"]*\)".*/\1/'
}

# time one request: RUNS calls, the median of the server's latency
req() {
    local label=$1 path=$2 i ms=() size status
    for i in $(seq "$RUNS"); do
        read -r status size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' \
            -H "Authorization: Bearer $TOKEN" -H "x-request-id: funds-$SEQ-$i" "http://127.0.0.1:$PORT$path")
        ms+=("$(sed 's/\x1b\[[0-9;]*m//g' "$W/serve.log" | grep "funds-$SEQ-$i\b" | grep -o 'latency_ms=[0-9.]*' | tail -1 | cut -d= -f2)")
    done
    SEQ=$((SEQ + 1))
    printf '%-48s %8s ms  (%s; HTTP %s, %s bytes; load %s)\n' "$label" \
        "$(printf '%s\n' "${ms[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" \
        "$(printf '%s ' "${ms[@]}" | sed 's/ $//')" "$status" "$size" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

for BACKEND in $BACKENDS; do
    echo
    echo "== $BACKEND"
    load "$BACKEND"
    pick
    RUST_LOG=info "$F" --database-url "$(db_url "$BACKEND")" serve --bind "127.0.0.1:$PORT" >"$W/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 1; done
    TOKEN=$(token)
    SEQ=1
    echo "-- server time, median of $RUNS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    req "funds report province 2016-2019 (≤ 50 ms)" "/api/v1/regions/$PROVINCE/funds-report?from=2016-01-01&to=2019-12-31"
    req "funds report province 2019" "/api/v1/regions/$PROVINCE/funds-report?from=2019-01-01&to=2019-12-31"
    req "funds report county 2016-2019" "/api/v1/regions/$COUNTY/funds-report?from=2016-01-01&to=2019-12-31"
    req "funds report province (xlsx)" "/api/v1/regions/$PROVINCE/funds-report?from=2016-01-01&to=2019-12-31&format=xlsx"
    req "household's funds trace (≤ 5 ms)" "/api/v1/households/$HOUSEHOLD/funds-trace"
    req "household page (with the trace)" "/households/$HOUSEHOLD"
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
done
