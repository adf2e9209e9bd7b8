#!/usr/bin/env bash
# Comparison benchmark (数据比对; prints figures, not a test). Generates N households (default
# 1,500,000, about 4.95 million persons) over the villages of Jiangxi with `fupin gen`, and a
# department's list of ROWS rows (default 5,000,000; deaths, or vehicles with KIND=vehicles) of
# which MATCHES per thousand (default 20) name registered persons, loads the registry, then on
# SQLite and on PostgreSQL, each figure with the load average:
#   1. the raw route: the list loaded as it is (sqlite3 `.import` / psql `\copy` into a temporary
#      table) and joined on the ID number with the active members of registered households, the
#      matches kept in a table, and the same rows written as ours writes: per matched person not
#      already recorded, a problem from its first row (description, masked evidence), its first
#      step and its pending audit record; then rolled back. Run twice before ours (both from the
#      state ours starts from), the faster counted;
#   2. ours: `fupin import --kind compare_deaths FILE` (every row's ID number checked; on
#      PostgreSQL the list copied into the session's scratch table and joined once, on SQLite each
#      batch of 50,000 rows looked up in one statement and only its matches kept; a problem per
#      matched person recorded with its first step and audit record), wall time and peak RSS;
#   3. ours again: the same list records nothing twice.
# Targets: ours ≤ 1.5 × raw and under 60 s, peak RSS under 1 GiB.
# Usage: bench/compare.sh [N]   (env: REGIONS, BENCH_DIR, PG_BASE, PG_DB, ROWS, MATCHES, KIND,
#        SKIP_SQLITE, SKIP_PG; a generated world and loaded databases of the same N are reused)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1500000}
ROWS=${ROWS:-5000000}
MATCHES=${MATCHES:-20}
KIND=${KIND:-deaths}
REGIONS=${REGIONS:-../shared/data/regions/division_jiangxi_2023.csv}
W=${BENCH_DIR:-/tmp/fupin-bench-compare}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-fupin_bench_compare}
LIST=$W/gen/compare-$KIND.csv
export RUST_LOG=warn

command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install -y sqlite3" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }

echo "== build (release)"
if [[ -z "${FUPIN_BIN:-}" ]]; then
    cargo build --release -q -p fupin --bin fupin
fi
F=${FUPIN_BIN:-$PWD/target/release/fupin}
export FUPIN_DATA_DIR="$W/data"
mkdir -p "$W"

load() { cut -d' ' -f1-3 /proc/loadavg; }

# run a command under /usr/bin/time; sets WALL (seconds) and RSS (MiB)
timed() {
    local label=$1
    shift
    /usr/bin/time -v "$@" >"$W/last.out" 2>"$W/last.err" || { cat "$W/last.out" "$W/last.err" >&2; exit 1; }
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$W/last.err" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$W/last.err" | awk '{print $NF}')
    WALL=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    RSS=$((rss / 1024))
    printf '%-58s wall %7.1f s   peak RSS %6d MiB   load %s\n' "$label" "$WALL" "$RSS" "$(load)"
}

ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }

echo "== generate $N households and a $ROWS-row $KIND list ($MATCHES per mille registered)"
if [[ ! -f "$W/gen/households.csv" || "$(cat "$W/gen/n" 2>/dev/null)" != "$N" ]]; then
    rm -rf "$W/gen" "$W"/fupin.db* "$W/loaded-sqlite" "$W/loaded-pg"
    "$F" gen --households "$N" --seed 1 --regions "$REGIONS" --out "$W/gen" --income-years 2019 | sed -n 1p
    echo "$N" >"$W/gen/n"
fi
if [[ ! -f "$LIST" || "$(cat "$W/gen/list" 2>/dev/null)" != "$KIND $ROWS $MATCHES" ]]; then
    "$F" gen --households "$N" --regions "$REGIONS" --out "$W/gen" --compare-list "$ROWS" \
        --compare-kind "$KIND" --compare-matches "$MATCHES" --compare-only
    echo "$KIND $ROWS $MATCHES" >"$W/gen/list"
fi
printf '   %-24s %10s rows, %s bytes\n' "$(basename "$LIST")" "$(($(wc -l <"$LIST") - 1))" "$(stat -c %s "$LIST")"

# the raw route's join, the same rows as ours: active members of households not removed
# (`line` is the list's row: SQLite's rowid, PostgreSQL's identity column)
JOIN="SELECT c.line, c.id_number, c.name, c.date, NULLIF(c.detail, '') AS detail, p.id AS person_id, \
p.name AS person_name, h.id AS household_id, h.village_code, h.household_number, r.name AS village_name \
FROM raw_list c \
JOIN persons p ON p.id_number = c.id_number AND p.active \
JOIN households h ON h.id = p.household_id AND h.status <> 'removed' \
JOIN regions r ON r.code = h.village_code"

# what ours writes for each person flagged (core's rectification::comparison::flag), as SQL over
# raw_hits x: the description, category and severity of the list's kind
LIST_NAME=$(basename "$LIST")
RULE="comparison:$KIND"
case $KIND in
deaths)
    LABEL="死亡人员（公安）"
    DESC="x.person_name || '在公安死亡人员名单中' || COALESCE('（' || x.date || '）', '') || '，仍为在册成员：建议办理自然减少'"
    CATEGORY=data_quality SEVERITY=high
    ;;
vehicles)
    LABEL="车辆登记（车管）"
    DESC="x.person_name || '名下登记有车辆' || COALESCE('：' || x.detail, '') || '：核查识别准确性'"
    CATEGORY=identification SEVERITY=medium
    ;;
*)
    echo "KIND: deaths or vehicles" >&2
    exit 1
    ;;
esac
NOTE="与“$LIST_NAME”（$LABEL）比对发现"
# the problem's columns, and its values from the first row of each person (SQLite's json_object
# and PostgreSQL's json_build_object are given as JSON_OBJECT; NOW and TODAY as each writes them)
PROBLEM_COLS="region_code, household_id, person_id, source, source_ref, rule_code, subject_key, description, \
category, severity, responsible_unit, found_on, deadline, status, evidence, version, created_by, created_at, \
updated_by, updated_at"
problem_values() { # JSON_OBJECT NOW TODAY DEADLINE
    echo "x.village_code, x.household_id, x.person_id, 'comparison', '$LIST_NAME', '$RULE', \
'person:' || x.person_id, $DESC, '$CATEGORY', '$SEVERITY', x.village_name, $3, $4, 'open', \
$1('list', '$LIST_NAME', 'kind', '$KIND', 'line', x.line, \
'id_number', substr(x.id_number, 1, 4) || '**********' || substr(x.id_number, 15, 4), 'name', x.name, \
'date', x.date, 'amount_fen', NULL, 'detail', x.detail, 'household_number', x.household_number), \
1, 'system:cli', $2, 'system:cli', $2"
}
# the pending audit record of a new problem p
audit_after() { # JSON_OBJECT
    echo "$1('source', 'comparison', 'rule', '$RULE', 'subject', p.subject_key, 'category', p.category, \
'severity', p.severity, 'deadline', p.deadline, 'responsible_unit', p.responsible_unit)"
}

run_sqlite() {
    echo
    echo "== SQLite"
    local DB="sqlite://$W/fupin.db"
    if [[ ! -f "$W/loaded-sqlite" ]]; then
        rm -f "$W"/fupin.db*
        "$F" --database-url "$DB" region import "$REGIONS" | tail -1
        timed "registry import (households.csv, for the set-up)" "$F" --database-url "$DB" import "$W/gen/households.csv"
        touch "$W/loaded-sqlite"
    fi
    # a comparison of an earlier run is taken out, so that each run starts from the same state
    sqlite3 "$W/fupin.db" "PRAGMA foreign_keys = ON; DELETE FROM problem_events WHERE problem_id IN (SELECT id FROM problems WHERE rule_code LIKE 'comparison:%'); DELETE FROM problems WHERE rule_code LIKE 'comparison:%';"
    local NOW="strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    cat >"$W/raw-sqlite.sql" <<EOF
PRAGMA busy_timeout = 10000;
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE raw_list (id_number TEXT, name TEXT, date TEXT, detail TEXT);
.import --csv --skip 1 $LIST raw_list
CREATE TEMP TABLE raw_hits AS $(echo "$JOIN" | sed 's/c\.line/c.rowid AS line/');
CREATE TEMP TABLE raw_mark AS SELECT COALESCE(MAX(id), 0) AS id FROM problems;
INSERT INTO problems ($PROBLEM_COLS)
SELECT $(problem_values json_object "$NOW" "date('now')" "date('now', '+30 days')")
FROM raw_hits x
JOIN (SELECT person_id, MIN(line) AS line FROM raw_hits GROUP BY person_id) f
  ON f.person_id = x.person_id AND f.line = x.line
WHERE NOT EXISTS (SELECT 1 FROM problems pb WHERE pb.rule_code = '$RULE' AND pb.subject_key = 'person:' || x.person_id);
INSERT INTO problem_events (problem_id, seq, action, from_status, to_status, note, actor, at)
SELECT id, 1, 'create', NULL, 'open', '$NOTE', 'system:cli', $NOW FROM problems WHERE id > (SELECT id FROM raw_mark);
INSERT INTO audit_pending (region_code, at, actor, client, action, entity, entity_id, before_json, after_json)
SELECT p.region_code, $NOW, 'system:cli', NULL, 'problem.create', 'problem', CAST(p.id AS TEXT), NULL,
  $(audit_after json_object)
FROM problems p WHERE p.id > (SELECT id FROM raw_mark);
SELECT COUNT(*) FROM raw_hits;
ROLLBACK;
EOF
    timed "raw route: .import + join + problems (SQLite)" sqlite3 "$W/fupin.db" ".read $W/raw-sqlite.sql"
    local raw1=$WALL matched
    matched=$(tail -1 "$W/last.out")
    timed "raw route again (SQLite)" sqlite3 "$W/fupin.db" ".read $W/raw-sqlite.sql"
    local raw=$raw1
    if awk "BEGIN { exit !($WALL < $raw1) }"; then raw=$WALL; fi
    timed "fupin import --kind compare_$KIND (SQLite)" "$F" --database-url "$DB" import --kind "compare_$KIND" "$LIST"
    local ours=$WALL rss=$RSS
    grep "比对" "$W/last.out" || true
    timed "fupin import --kind compare_$KIND again (SQLite)" "$F" --database-url "$DB" import --kind "compare_$KIND" "$LIST"
    grep "比对" "$W/last.out" || true
    echo "SQLite: raw route $raw s ($matched matched rows), ours $ours s: $(ratio "$ours" "$raw") × raw (target ≤ 1.5, < 60 s), peak RSS $rss MiB (target < 1024)"
}

run_pg() {
    echo
    echo "== PostgreSQL"
    local PDB="$PG_BASE/$PG_DB"
    if [[ ! -f "$W/loaded-pg" ]]; then
        psql "$PG_BASE/postgres" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
        "$F" --database-url "$PDB" region import "$REGIONS" | tail -1
        timed "registry import (households.csv, for the set-up)" "$F" --database-url "$PDB" import "$W/gen/households.csv"
        psql "$PDB" -X -q -c "VACUUM ANALYZE"
        touch "$W/loaded-pg"
    fi
    psql "$PDB" -X -q -c "DELETE FROM problem_events WHERE problem_id IN (SELECT id FROM problems WHERE rule_code LIKE 'comparison:%'); DELETE FROM problems WHERE rule_code LIKE 'comparison:%';"
    # ours plans its join without JIT; so does the raw route
    cat >"$W/raw-pg.sql" <<EOF
BEGIN;
SET LOCAL jit = off;
CREATE TEMP TABLE raw_list (line BIGINT GENERATED ALWAYS AS IDENTITY, id_number TEXT, name TEXT, date DATE, detail TEXT);
\\copy raw_list (id_number, name, date, detail) FROM '$LIST' CSV HEADER
ANALYZE raw_list;
CREATE TEMP TABLE raw_hits AS $JOIN;
WITH p AS (
  INSERT INTO problems ($PROBLEM_COLS)
  SELECT DISTINCT ON (x.person_id) $(problem_values json_build_object "now()" "current_date" "current_date + 30")
  FROM raw_hits x
  WHERE NOT EXISTS (SELECT 1 FROM problems pb WHERE pb.rule_code = '$RULE' AND pb.subject_key = 'person:' || x.person_id)
  ORDER BY x.person_id, x.line
  RETURNING id, region_code, subject_key, category, severity, deadline, responsible_unit
), e AS (
  INSERT INTO problem_events (problem_id, seq, action, from_status, to_status, note, actor, at)
  SELECT id, 1, 'create', NULL, 'open', '$NOTE', 'system:cli', now() FROM p
)
INSERT INTO audit_pending (region_code, at, actor, client, action, entity, entity_id, before_json, after_json)
SELECT p.region_code, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'system:cli', NULL,
  'problem.create', 'problem', p.id::text, NULL, $(audit_after json_build_object)::text
FROM p;
SELECT COUNT(*) FROM raw_hits;
ROLLBACK;
EOF
    timed "raw route: \\copy + join + problems (PostgreSQL)" psql "$PDB" -X -q -A -t -v ON_ERROR_STOP=1 -f "$W/raw-pg.sql"
    local raw1=$WALL matched
    matched=$(tail -1 "$W/last.out")
    timed "raw route again (PostgreSQL)" psql "$PDB" -X -q -A -t -v ON_ERROR_STOP=1 -f "$W/raw-pg.sql"
    local raw=$raw1
    if awk "BEGIN { exit !($WALL < $raw1) }"; then raw=$WALL; fi
    timed "fupin import --kind compare_$KIND (PostgreSQL)" "$F" --database-url "$PDB" import --kind "compare_$KIND" "$LIST"
    local ours=$WALL rss=$RSS
    grep "比对" "$W/last.out" || true
    timed "fupin import --kind compare_$KIND again (PostgreSQL)" "$F" --database-url "$PDB" import --kind "compare_$KIND" "$LIST"
    grep "比对" "$W/last.out" || true
    echo "PostgreSQL: raw route $raw s ($matched matched rows), ours $ours s: $(ratio "$ours" "$raw") × raw (target ≤ 1.5, < 60 s), peak RSS $rss MiB (target < 1024)"
}

[[ -n "${SKIP_SQLITE:-}" ]] || run_sqlite
[[ -n "${SKIP_PG:-}" ]] || run_pg
