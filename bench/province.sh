#!/usr/bin/env bash
# Province benchmark (prints figures; not a test). Generates the province with everything `fupin gen`
# makes (N households, default 1,500,000, over the villages of Jiangxi: incomes, profiles, status
# changes, units and cadres, pairings, visits, wishes, verification, risk events, cases), loads it
# with `fupin import` (release build) into SQLite and PostgreSQL, serves it, and times each request
# of the list below: the median of RUNS calls (5) of the server's own latency (`latency_ms` of the
# request's log line, found by the x-request-id the script sends), with the answer's size.
#
# ONLY="pattern" times only the requests whose label matches the (grep -E) pattern, e.g.
# ONLY='summary|table' for the work summary and the standard tables.
#
# To time another request, add a line to `requests()`: `req LABEL PATH [WHO]` (WHO: officer, the
# default, an officer of the province; or cadre, a cadre paired with households). Values picked from
# the loaded data are in the variables set by `pick` (a county, a village, a household, a head's
# name, a full ID number, list cursors).
#
# Usage: bench/province.sh [N]
#   env: REGIONS (region list), BENCH_DIR (/tmp/fupin-province), PG_BASE, BACKENDS ("sqlite postgres"),
#        RUNS (5), RELOAD=1 to load again a database already loaded, YEAR (2018, the activity year),
#        FUPIN_BIN (a fupin binary to use instead of building the release one), GEN_DIR (generated files
#        to reuse, e.g. another BENCH_DIR's gen), PORT (18950).
# Each figure is printed with the load average at the time (the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-province}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=fupin_province
BACKENDS=${BACKENDS:-sqlite postgres}
RUNS=${RUNS:-5}
YEAR=${YEAR:-2018}
PROVINCE=360000000000
PORT=${PORT:-18950}
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
    printf '%-56s wall %10s   peak RSS %6d MiB   (load %s)\n' "$label" \
        "$(grep 'Elapsed (wall clock)' "$W/last.err" | awk '{print $NF}')" \
        "$(($(grep 'Maximum resident set size' "$W/last.err" | awk '{print $NF}') / 1024))" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
}

G=${GEN_DIR:-$W/gen}
echo "== generate $N households (seed 1, activity year $YEAR) in $G"
if [[ ! -f "$G/order" || "$(cat "$G/n" 2>/dev/null)" != "$N-$YEAR" ]]; then
    rm -rf "$G"
    timed "fupin gen --households $N" "$F" gen --households "$N" --seed 1 --regions "$REGIONS" --out "$G" --activity-years "$YEAR"
    # the files in the order to import them, as the generator lists them
    grep -o "^  [^（]*" "$W/last.out" | sed 's/^  //' >"$G/order"
    echo "$N-$YEAR" >"$G/n"
fi
while read -r f; do printf '   %-40s %10s lines\n' "$(basename "$f")" "$(wc -l <"$f")"; done <"$G/order"

# the database of a backend, created empty when absent (or with RELOAD=1)
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
    "$F" --database-url "$db" region import "$REGIONS" | tail -1
    local t0 t1
    t0=$(date +%s)
    while read -r f; do
        timed "fupin import $(basename "$f") ($backend)" "$F" --database-url "$db" import "$f"
    done <"$G/order"
    t1=$(date +%s)
    echo "loaded in $((t1 - t0)) s" | tee "$W/loaded-$backend"
}

# one value from the database
sql() {
    case $BACKEND in
    sqlite) sqlite3 -cmd ".timeout 30000" "$W/fupin.db" "$1" ;;
    postgres) psql "$(db_url postgres)" -X -A -t -c "$1" ;;
    esac
}

# values for the requests, from the loaded data
pick() {
    COUNTY=$(sql "SELECT substr(village_code, 1, 6) || '000000' FROM households GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
    VILLAGE=$(sql "SELECT village_code FROM households WHERE village_code LIKE '${COUNTY:0:6}%' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
    TOTAL=$(sql "SELECT COUNT(*) FROM households")
    HOUSEHOLD=$(sql "SELECT id FROM households WHERE id = (SELECT MAX(id) / 2 FROM households)")
    HEAD_NAME=$(sql "SELECT name FROM persons WHERE household_id = $HOUSEHOLD AND relation = '01' AND active LIMIT 1")
    ID_NUMBER=$(sql "SELECT id_number FROM persons WHERE household_id = $HOUSEHOLD AND active LIMIT 1")
    MIDDLE_PAGE=$((TOTAL / 50 / 2))
    LAST_PAGE=$(((TOTAL + 49) / 50))
    # the keyset cursors of a middle and of the last page (the household before them, in list order)
    AFTER_MIDDLE=$(sql "SELECT village_code || '-' || household_number FROM households ORDER BY village_code, household_number LIMIT 1 OFFSET $((TOTAL / 2))")
    AFTER_LAST=$(sql "SELECT village_code || '-' || household_number FROM households ORDER BY village_code, household_number LIMIT 1 OFFSET $((TOTAL > 50 ? TOTAL - 50 : 0))")
    CADRE_MIDDLE=$(sql "SELECT id FROM cadres ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM cadres)")
    AUDIT_MIDDLE=$(sql "SELECT MAX(seq) / 2 FROM audit_log")
    echo "   county $COUNTY, village $VILLAGE, household $HOUSEHOLD ($HEAD_NAME), $TOTAL households"
}

# sign in as `who`, creating the account once: an officer of the province; a cadre linked to the
# cadre of the household picked
token() {
    local who=$1 db
    db=$(db_url "$BACKEND")
    if [[ ! -f "$W/user-$BACKEND-$who" ]]; then
        FUPIN_PASSWORD=bench-$who-pass "$F" --database-url "$db" user add "bench-$who" --display-name "基准$who" >/dev/null 2>&1 || true
        case $who in
        officer) "$F" --database-url "$db" user grant "bench-$who" officer $PROVINCE >/dev/null ;;
        auditor) "$F" --database-url "$db" user grant "bench-$who" auditor $PROVINCE >/dev/null ;;
        cadre)
            "$F" --database-url "$db" user grant "bench-$who" cadre "${COUNTY}" >/dev/null
            sql "UPDATE cadres SET user_id = (SELECT id FROM users WHERE username = 'bench-cadre') \
                 WHERE id = (SELECT cadre_id FROM pairings WHERE household_id = $HOUSEHOLD AND end_date IS NULL LIMIT 1)" >/dev/null
            ;;
        esac
        touch "$W/user-$BACKEND-$who"
    fi
    curl -s -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'content-type: application/json' \
        -d "{\"username\":\"bench-$who\",\"password\":\"bench-$who-pass\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'
}

# time one request: RUNS calls, the median of the server's latency
req() {
    local label=$1 path=$2 who=${3:-officer} tok i ms=() size status
    if [[ -n "${ONLY:-}" ]] && ! grep -qE "$ONLY" <<<"$label"; then
        return
    fi
    case $who in
    officer) tok=$OFFICER ;;
    cadre) tok=$CADRE ;;
    auditor) tok=$AUDITOR ;;
    esac
    for i in $(seq "$RUNS"); do
        read -r status size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' \
            -H "Authorization: Bearer $tok" -H "x-request-id: bench-$SEQ-$i" "http://127.0.0.1:$PORT$path")
        ms+=("$(sed 's/\x1b\[[0-9;]*m//g' "$W/serve.log" | grep "bench-$SEQ-$i\b" | grep -o 'latency_ms=[0-9]*' | tail -1 | cut -d= -f2)")
    done
    SEQ=$((SEQ + 1))
    printf '%-60s %6s ms  (%s; HTTP %s, %s bytes; load %s)\n' "$label" \
        "$(printf '%s\n' "${ms[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" \
        "$(printf '%s ' "${ms[@]}" | sed 's/ $//')" "$status" "$size" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# the requests, in the order of the issue's table; add a line to time another one
requests() {
    req "stats province $YEAR vs 2016" "/api/v1/regions/$PROVINCE/stats?year=$YEAR&compare=2016"
    req "households province page 1 (per_page=50)" "/api/v1/households?region=$PROVINCE&per_page=50"
    req "households province page $MIDDLE_PAGE (offset)" "/api/v1/households?region=$PROVINCE&per_page=50&page=$MIDDLE_PAGE"
    req "households province last page $LAST_PAGE (offset)" "/api/v1/households?region=$PROVINCE&per_page=50&page=$LAST_PAGE"
    req "households province middle (after=)" "/api/v1/households?region=$PROVINCE&per_page=50&after=$AFTER_MIDDLE"
    req "households province last (after=)" "/api/v1/households?region=$PROVINCE&per_page=50&after=$AFTER_LAST"
    req "households province q=<head's name>" "/api/v1/households?region=$PROVINCE&per_page=50&q=$(printf %s "$HEAD_NAME" | jq -sRr @uri)"
    req "households province q=<ID number>" "/api/v1/households?region=$PROVINCE&per_page=50&q=$ID_NUMBER"
    req "measures county $YEAR" "/api/v1/regions/$COUNTY/measures?year=$YEAR"
    req "pairing report province $YEAR (totals)" "/api/v1/regions/$PROVINCE/pairing-report?from=$YEAR-01-01&to=$YEAR-12-31"
    req "pairing report county $YEAR (totals)" "/api/v1/regions/$COUNTY/pairing-report?year=$YEAR"
    req "pairing report village $YEAR (totals + details)" "/api/v1/regions/$VILLAGE/pairing-report?year=$YEAR"
    req "households without a cadre, province, page 1" "/api/v1/regions/$PROVINCE/pairing-report/households-without-cadre?per_page=50"
    req "pairings below the minimum, province, page 1" "/api/v1/regions/$PROVINCE/pairing-report/pairings-below-minimum?year=$YEAR&per_page=50"
    req "board / (province)" "/board?region=$PROVINCE&year=$YEAR"
    req "board county" "/board?region=$COUNTY&year=$YEAR"
    req "board village" "/board?region=$VILLAGE&year=$YEAR"
    req "household page" "/households/$HOUSEHOLD"
    req "households page (list, province)" "/households?region=$PROVINCE"
    req "cadre's phone page /m" "/m" cadre
    req "cadres page 1 (per_page=50)" "/api/v1/cadres?per_page=50"
    req "cadres middle (after=)" "/api/v1/cadres?per_page=50&after=$CADRE_MIDDLE"
    req "helping units page 1" "/api/v1/units?per_page=50"
    req "household's visits" "/api/v1/households/$HOUSEHOLD/visits"
    req "household's pairings" "/api/v1/households/$HOUSEHOLD/pairings"
    req "procedure cases province page 1" "/api/v1/regions/$PROVINCE/cases?per_page=50"
    req "cases page (province)" "/cases?region=$PROVINCE"
    req "warnings page (province)" "/warnings?region=$PROVINCE&year=$YEAR"
    req "audit log page 1 (with its count)" "/api/v1/audit?per_page=50" auditor
    req "audit log middle (after=)" "/api/v1/audit?per_page=50&after=$AUDIT_MIDDLE" auditor
    # the work summary (帮扶工作总结) of the province over the article's period, each format: read from
    # the maintained figures (statistics per year, pairing per year, services, funds), ≤ 2 s
    for f in json md html docx; do
        req "summary province 2015-10-01…2019-08-30 ($f)" "/api/v1/regions/$PROVINCE/summary?from=2015-10-01&to=2019-08-30&format=$f"
    done
    req "summary county 2015-10-01…2019-08-30 (docx)" "/api/v1/regions/$COUNTY/summary?from=2015-10-01&to=2019-08-30&format=docx"
    req "summary province $YEAR (calendar year, docx)" "/api/v1/regions/$PROVINCE/summary?from=$YEAR-01-01&to=$YEAR-12-31&format=docx"
    # the standard tables by child region (XLSX)
    req "registry table province $YEAR" "/api/v1/regions/$PROVINCE/tables/registry?year=$YEAR"
    req "pairing table province $YEAR" "/api/v1/regions/$PROVINCE/tables/pairing?year=$YEAR"
    req "measures table province $YEAR" "/api/v1/regions/$PROVINCE/tables/measures?year=$YEAR"
    req "pairing table county $YEAR" "/api/v1/regions/$COUNTY/tables/pairing?year=$YEAR"
    req "funds table province $YEAR" "/api/v1/regions/$PROVINCE/tables/funds?year=$YEAR"
    req "funds table county $YEAR" "/api/v1/regions/$COUNTY/tables/funds?year=$YEAR"
    if [[ -n "${SLOW:-}" ]]; then
        req "measures province $YEAR" "/api/v1/regions/$PROVINCE/measures?year=$YEAR"
    fi
}

for BACKEND in $BACKENDS; do
    echo
    echo "== $BACKEND"
    load "$BACKEND"
    pick
    RUST_LOG=info "$F" --database-url "$(db_url "$BACKEND")" serve --bind "127.0.0.1:$PORT" >"$W/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 1; done
    OFFICER=$(token officer)
    CADRE=$(token cadre)
    AUDITOR=$(token auditor)
    SEQ=1
    echo "-- server time, median of $RUNS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    requests
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
done
