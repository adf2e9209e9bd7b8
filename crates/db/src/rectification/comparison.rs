//! Comparison of a department's list with the registry, set-based. On PostgreSQL the list is
//! copied into a scratch table of the transaction and joined once with the active members of
//! registered households on the ID number (the unique index `persons (id_number) WHERE active`);
//! on SQLite, whose join is an index probe per row anyway, each batch of the list (50,000 rows) is
//! looked up in one statement over its ID numbers (`Backend::text_elements`) and only its matches
//! are stored: the list's other rows, nearly all of it, are never written, read back or dropped.
//! Either way the matches — a small table — are read back, a page at a time, to record what the
//! list's kind flags: one problem or monitoring warning per
//! person and kind (`comparison:<kind>`, `person:<id>`), with the first flagged row as evidence
//! (its ID number masked). A flag recorded earlier is not repeated; one signed off is reopened.
//! New problems are written in blocks (ids reserved, rows, first steps and audit records copied).
//!
//! Rejected alternative: looking the list's numbers up in chunks of a few thousand with one
//! parameter per number (what this did before), the list held in memory; and on PostgreSQL
//! looking batches up at all, an index probe per row where the join hashes the whole list.

use super::NewProblem;
use crate::assessment::screening::ScreenSet;
use crate::bulk::{map_bulk, SqlBulkSession};
use crate::query::Query;
use crate::rows::Cols;
use crate::sql::{Backend, Tx, Value};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::id_number::IdNumber;
use fupin_core::rectification::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{RectificationBulk, StoreResult};
use fupin_core::{Ctx, DomainError, RegionCode};
use serde_json::json;
use time::{Date, Duration, OffsetDateTime};

/// Days given to look into a comparison's flag.
const DEADLINE_DAYS: i64 = 30;

/// The scratch table the list is loaded into (temporary: the transaction's connection only).
const LIST: &str = "comparison_list";
/// The matches of the list, built by the one join.
const HITS: &str = "comparison_hits";
const LIST_COLUMNS: [&str; 6] = ["line", "id_number", "name", "date", "amount_fen", "detail"];

/// Matches read back per page.
const PAGE: i64 = 5000;

/// The matches' columns: the list's row, then the person, household and village it names.
const HIT_COLUMNS: [&str; 12] = [
    "line",
    "id_number",
    "name",
    "date",
    "amount_fen",
    "detail",
    "person_id",
    "person_name",
    "household_id",
    "village_code",
    "household_number",
    "village_name",
];

/// The person, household and village of each match, joined to the list's ID numbers (`NUMBER`).
const MATCH_JOINS: &str = "JOIN persons p ON p.id_number = NUMBER AND p.active \
     JOIN households h ON h.id = p.household_id AND h.status <> 'removed' \
     JOIN regions r ON r.code = h.village_code";

fn match_joins(number: &str) -> String {
    MATCH_JOINS.replace("NUMBER", number)
}

/// Rows of the list gathered per copy into the scratch table (or per look-up): the import hands
/// them over a batch (2,000) at a time, and a copy per batch was 2,500 statements for a
/// province's list.
const COPY_ROWS: usize = 50_000;

/// Create the scratch tables, the list's and its matches' (dropping ones a failed run may have
/// left on the connection).
pub(crate) async fn create_list_table(tx: &mut dyn Tx) -> StoreResult<()> {
    tx.execute(&format!("DROP TABLE IF EXISTS {HITS}"), &[])
        .await?;
    tx.execute(&format!("DROP TABLE IF EXISTS {LIST}"), &[])
        .await?;
    tx.execute(
        &format!(
            "CREATE TEMP TABLE {LIST} (line BIGINT NOT NULL, id_number TEXT NOT NULL, name TEXT, \
             date DATE, amount_fen BIGINT, detail TEXT)"
        ),
        &[],
    )
    .await?;
    tx.execute(
        &format!(
            "CREATE TEMP TABLE {HITS} (line BIGINT NOT NULL, id_number TEXT NOT NULL, name TEXT, date DATE, \
             amount_fen BIGINT, detail TEXT, person_id BIGINT NOT NULL, person_name TEXT NOT NULL, \
             household_id BIGINT NOT NULL, village_code TEXT NOT NULL, household_number TEXT NOT NULL, \
             village_name TEXT NOT NULL)"
        ),
        &[],
    )
    .await?;
    Ok(())
}

/// Take rows of the list: looked up at once where the backend reads a batch's ID numbers as a
/// table (their matches stored), else appended to the scratch table for the one join.
pub(crate) async fn load_list_rows(
    tx: &mut dyn Tx,
    db: &dyn Backend,
    rows: Vec<(u64, DeptRow)>,
) -> StoreResult<()> {
    match db.text_elements("$1") {
        Some(elements) => look_up_rows(tx, &elements, rows).await,
        None => copy_list_rows(tx, rows).await,
    }
}

/// Look a batch of the list up in one statement over its ID numbers (a JSON array), and store
/// its matches with the rows they come from. Each element names at most one active person (the
/// index is unique), so a row is stored at most once.
async fn look_up_rows(
    tx: &mut dyn Tx,
    elements: &str,
    rows: Vec<(u64, DeptRow)>,
) -> StoreResult<()> {
    let numbers: Vec<&str> = rows.iter().map(|(_, r)| r.id_number.expose()).collect();
    let numbers = crate::rows::to_json(&numbers);
    let found = tx
        .fetch_all(
            &format!(
                "SELECT j.key, p.id, p.name, h.id, h.village_code, h.household_number, r.name \
                 FROM {elements} {}",
                match_joins("j.value")
            ),
            &[Value::from(numbers)],
        )
        .await?;
    if found.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<Option<(u64, DeptRow)>> = rows.into_iter().map(Some).collect();
    let mut values = Vec::with_capacity(found.len());
    for f in &found {
        values.push(Cols::read(f, |c| {
            let at = c.i64()?;
            let (line, r) = usize::try_from(at)
                .ok()
                .and_then(|i| rows.get_mut(i))
                .and_then(Option::take)
                .ok_or_else(DomainError::internal)?;
            Ok(Vec::from(args![
                line as i64,
                r.id_number.expose(),
                r.name,
                r.date,
                r.amount_fen,
                r.detail,
                c.i64()?,
                c.text()?,
                c.i64()?,
                c.text()?,
                c.text()?,
                c.text()?
            ]))
        })?);
    }
    tx.copy_rows(HITS, &HIT_COLUMNS, values)
        .await
        .map_err(map_bulk)?;
    Ok(())
}

/// Append rows of the list to the scratch table.
async fn copy_list_rows(tx: &mut dyn Tx, rows: Vec<(u64, DeptRow)>) -> StoreResult<()> {
    let values: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|(line, r)| {
            Vec::from(args![
                line as i64,
                r.id_number.expose(),
                r.name,
                r.date,
                r.amount_fen,
                r.detail
            ])
        })
        .collect();
    tx.copy_rows(LIST, &LIST_COLUMNS, values)
        .await
        .map_err(map_bulk)?;
    Ok(())
}

/// A match read back: the list's row and the person, household and village it names.
struct Hit {
    line: i64,
    row: DeptRow,
    person: i64,
    person_name: String,
    household: i64,
    village: String,
    household_number: String,
    village_name: String,
    /// The problem this person's flag of the kind already has, with its status.
    known: Option<(ProblemId, String)>,
}

impl SqlStore {
    /// Whether a list's batches are looked up as they come (SQLite) rather than copied and
    /// joined whole (PostgreSQL): see the module's note.
    fn looks_up_lists(&self) -> bool {
        self.db.text_elements("$1").is_some()
    }

    /// Match the loaded list and record its flags; the scratch tables dropped at the end.
    pub(crate) async fn compare_loaded(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        kind: ListKind,
        list_name: &str,
        on: Date,
        rows: u64,
    ) -> StoreResult<ComparisonOutcome> {
        let list_name = fupin_core::error::check_text("list_name", list_name, 200)?;
        let ranges = ctx.scope.ranges(None);
        let rule_code = format!("comparison:{}", kind.as_str());
        let mut out = ComparisonOutcome {
            kind: kind.as_str().into(),
            kind_label: kind.label().into(),
            rows,
            ..Default::default()
        };
        let started = std::time::Instant::now();
        // the one pass over the list (unless its batches were looked up as they came): its
        // matches among active members of households in the registry, whatever their region
        // (those outside the caller's are only counted)
        if !self.looks_up_lists() {
            tx.without_jit().await?;
            tx.execute(
                &format!(
                    "INSERT INTO {HITS} SELECT c.line, c.id_number, c.name, c.date, c.amount_fen, c.detail, \
                     p.id, p.name, h.id, h.village_code, h.household_number, r.name FROM {LIST} c {}",
                    match_joins("c.id_number")
                ),
                &[],
            )
            .await?;
        }
        tx.execute(
            &format!("CREATE INDEX {HITS}_person ON {HITS} (person_id, line)"),
            &[],
        )
        .await?;
        let all = count(
            tx,
            &format!("SELECT COUNT(*) FROM {HITS} x WHERE 1 = 1"),
            &None,
        )
        .await?;
        let mine = match ranges {
            None => all,
            Some(_) => {
                count(
                    tx,
                    &format!("SELECT COUNT(*) FROM {HITS} x WHERE 1 = 1"),
                    &ranges,
                )
                .await?
            }
        };
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            matched = all,
            "comparison: list joined with the registry"
        );
        out.matched = mine;
        out.unmatched = rows.saturating_sub(mine);
        out.out_of_scope = all - mine;
        if out.out_of_scope > 0 {
            let mut q = Query::new(&format!("SELECT x.line FROM {HITS} x WHERE NOT (1 = 1"));
            q.and_in_ranges("x.village_code", &ranges);
            q.push(&format!(
                ") ORDER BY x.line LIMIT {OUT_OF_SCOPE_LINES_KEPT}"
            ));
            for r in tx.fetch_all(&q.sql, &q.args).await? {
                out.out_of_scope_lines
                    .push(crate::rows::one_i64(&r)?.max(0) as u64);
            }
        }

        // the caller's matches, person by person, with the problem each may already have
        let mut after: (i64, i64) = (0, 0);
        let now = OffsetDateTime::now_utc();
        let mut screen = ScreenSet::new();
        // the person last flagged, whose further rows (on this page or the next) are skipped
        let mut last_person = None;
        loop {
            let mut q = Query::new(&format!(
                "SELECT x.line, x.id_number, x.name, x.date, x.amount_fen, x.detail, x.person_id, x.person_name, \
                 x.household_id, x.village_code, x.household_number, x.village_name, pb.id, pb.status \
                 FROM {HITS} x LEFT JOIN problems pb ON pb.rule_code = "
            ));
            let rc = q.arg(rule_code.as_str());
            q.push(&rc);
            q.push(" AND pb.subject_key = 'person:' || CAST(x.person_id AS TEXT) WHERE ");
            let (p, l) = (q.arg(after.0), q.arg(after.1));
            // a row comparison, which both engines take as a range of the (person_id, line)
            // index: the page starts where the last ended instead of filtering from the first
            q.push(&format!("(x.person_id, x.line) > ({p}, {l})"));
            q.and_in_ranges("x.village_code", &ranges);
            let lim = q.arg(PAGE);
            q.push(&format!(" ORDER BY x.person_id, x.line LIMIT {lim}"));
            let page: Vec<Hit> = tx
                .fetch_all(&q.sql, &q.args)
                .await?
                .iter()
                .map(hit)
                .collect::<StoreResult<_>>()?;
            let Some(last) = page.last() else { break };
            after = (last.person, last.line);
            let full = page.len() as i64 == PAGE;
            // a person whose rows span two pages: the rows of the next page are theirs too, and
            // are skipped there when this page flagged them (`last_person` carried over)
            self.record_flags(
                tx,
                ctx,
                kind,
                &list_name,
                &rule_code,
                on,
                now,
                page,
                &mut out,
                &mut screen,
                &mut last_person,
            )
            .await?;
            if !full {
                break;
            }
        }
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            flagged = out.flagged_persons,
            "comparison: flags recorded"
        );
        tx.execute(&format!("DROP TABLE {HITS}"), &[]).await?;
        tx.execute(&format!("DROP TABLE {LIST}"), &[]).await?;
        // the medical costs flagged feed monitoring screening: those households are screened again
        // in this transaction, reading the costs from the flags just recorded
        if !screen.is_empty() {
            let done = self.rescreen_households(tx, &screen).await?;
            out.screened_households = screen.len() as u64;
            out.early_warnings = done.warned;
        }

        let mut rec = AuditRecord::event(
            "rectification.compare",
            "department_list",
            None,
            json!({"list": list_name, "outcome": out}),
        );
        if let fupin_core::Scope::Within(roots) = &ctx.scope {
            if let [root] = roots.as_slice() {
                rec = rec.in_region(root);
            }
        }
        self.audit(tx, ctx, rec).await?;
        Ok(out)
    }

    /// Record the flags of a page of matches (ordered by person): the first row of a person that
    /// the kind flags becomes a new problem, reopens a signed-off one, or is already recorded.
    #[allow(clippy::too_many_arguments)]
    async fn record_flags(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        kind: ListKind,
        list_name: &str,
        rule_code: &str,
        on: Date,
        now: OffsetDateTime,
        page: Vec<Hit>,
        out: &mut ComparisonOutcome,
        screen: &mut ScreenSet,
        last_person: &mut Option<i64>,
    ) -> StoreResult<()> {
        let deadline = on + Duration::days(DEADLINE_DAYS);
        let mut new: Vec<(Vec<Value>, AuditRecord)> = Vec::new();
        for h in page {
            if *last_person == Some(h.person) {
                continue;
            }
            let Some(flag) = flag(kind, &h.row, &h.person_name) else {
                continue;
            };
            // a person flagged on an earlier page is recorded there (the `known` read on this
            // page sees it: same transaction)
            *last_person = Some(h.person);
            if kind == ListKind::Medical {
                let year = h.row.date.unwrap_or(on).year();
                screen.entry(h.household).or_default().insert(year);
            }
            let counted = match &h.known {
                Some((_, status)) if status != ProblemStatus::Closed.as_str() => {
                    out.already_recorded += 1;
                    false
                }
                Some((id, _)) => {
                    let before = self.load_problem(tx, *id).await?;
                    self.move_problem(
                        tx,
                        ctx,
                        &before,
                        EventAction::AutoReopen,
                        ProblemStatus::Open,
                        Some(&format!("{on} 比对“{list_name}”再次比中")),
                        None,
                        Some(deadline),
                    )
                    .await?;
                    out.reopened += 1;
                    true
                }
                None => {
                    let region = RegionCode::parse(&h.village)?;
                    let subject = format!("person:{}", h.person);
                    let evidence = json!({
                        "list": list_name,
                        "kind": kind.as_str(),
                        "line": h.line,
                        "id_number": h.row.id_number.masked(),
                        "name": h.row.name,
                        "date": h.row.date.map(|d| d.to_string()),
                        "amount_fen": h.row.amount_fen,
                        "detail": h.row.detail,
                        "household_number": h.household_number,
                    });
                    let n = NewProblem {
                        region: &region,
                        household_id: Some(HouseholdId(h.household)),
                        person_id: Some(PersonId(h.person)),
                        project_id: None,
                        campaign_id: None,
                        source: Source::Comparison,
                        source_ref: Some(list_name),
                        rule_code: Some(rule_code),
                        subject_key: Some(&subject),
                        description: &flag.description,
                        category: flag.category,
                        severity: flag.severity,
                        responsible_unit: &h.village_name,
                        responsible_person: None,
                        found_on: on,
                        deadline,
                        measures: None,
                        evidence: Some(&evidence),
                    };
                    let values = super::rows::new_problem(&n, &ctx.actor, now);
                    let audit = AuditRecord::event(
                        "problem.create",
                        "problem",
                        None,
                        json!({
                            "source": Source::Comparison.as_str(),
                            "rule": rule_code,
                            "subject": subject,
                            "category": flag.category.as_str(),
                            "severity": flag.severity.as_str(),
                            "deadline": deadline.to_string(),
                            "responsible_unit": h.village_name,
                        }),
                    )
                    .in_region(&region);
                    new.push((values, audit));
                    true
                }
            };
            if counted {
                out.flagged_persons += 1;
                if flag.problem {
                    out.problems += 1;
                } else {
                    out.warnings += 1;
                }
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        // the new problems in one block: ids reserved, rows, first steps and audit records copied
        let first = tx
            .reserve_ids("problems", new.len() as u64)
            .await
            .map_err(map_bulk)?;
        let note = format!("与“{list_name}”（{}）比对发现", kind.label());
        let mut problems = Vec::with_capacity(new.len());
        let mut events = Vec::with_capacity(new.len());
        let mut audits = Vec::with_capacity(new.len());
        for (i, (mut values, audit)) in new.into_iter().enumerate() {
            let id = first + i as i64;
            values.insert(0, Value::from(id));
            problems.push(values);
            events.push(Vec::from(args![
                id,
                1i32,
                EventAction::Create.as_str(),
                Option::<&str>::None,
                ProblemStatus::Open.as_str(),
                note.as_str(),
                ctx.actor.as_str(),
                now
            ]));
            let mut audit = audit;
            audit.entity_id = Some(id.to_string());
            audits.push(audit);
        }
        let mut columns = vec!["id"];
        columns.extend_from_slice(super::rows::PROBLEM_NEW.names());
        tx.copy_rows("problems", &columns, problems)
            .await
            .map_err(map_bulk)?;
        tx.copy_rows(
            "problem_events",
            &[
                "problem_id",
                "seq",
                "action",
                "from_status",
                "to_status",
                "note",
                "actor",
                "at",
            ],
            events,
        )
        .await
        .map_err(map_bulk)?;
        self.audit_batch(tx, ctx, audits).await
    }

    /// Compare a list given whole (the store's `compare_list`): loaded and matched as an import's.
    pub(crate) async fn compare_list_impl(
        &self,
        ctx: &Ctx,
        kind: ListKind,
        list_name: &str,
        rows: Vec<DeptRow>,
        on: Date,
    ) -> StoreResult<ComparisonOutcome> {
        let mut tx = self.db.begin_write().await?;
        create_list_table(tx.as_mut()).await?;
        let n = rows.len() as u64;
        let numbered = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r))
            .collect();
        load_list_rows(tx.as_mut(), self.db.as_ref(), numbered).await?;
        let out = self
            .compare_loaded(tx.as_mut(), ctx, kind, list_name, on, n)
            .await?;
        tx.commit().await?;
        Ok(out)
    }
}

async fn count(
    tx: &mut dyn Tx,
    sql: &str,
    ranges: &Option<Vec<(String, String)>>,
) -> StoreResult<u64> {
    let mut q = Query::new(sql);
    q.and_in_ranges("x.village_code", ranges);
    let r = tx.fetch_one(&q.sql, &q.args).await?;
    Ok(crate::rows::one_i64(&r)?.max(0) as u64)
}

fn hit(r: &crate::sql::Row) -> StoreResult<Hit> {
    Cols::read(r, |c| {
        let line = c.i64()?;
        let id_number = IdNumber::parse(&c.text()?).map_err(|_| DomainError::internal())?;
        let row = DeptRow {
            id_number,
            name: c.opt_text()?,
            date: c.opt_date()?,
            amount_fen: c.opt_i64()?,
            detail: c.opt_text()?,
        };
        let person = c.i64()?;
        let person_name = c.text()?;
        let household = c.i64()?;
        let village = c.text()?;
        let household_number = c.text()?;
        let village_name = c.text()?;
        let known = match (c.opt_i64()?, c.opt_text()?) {
            (Some(id), Some(status)) => Some((ProblemId(id), status)),
            _ => None,
        };
        Ok(Hit {
            line,
            row,
            person,
            person_name,
            household,
            village,
            household_number,
            village_name,
            known,
        })
    })
}

impl SqlBulkSession {
    /// Create the list's scratch table on the first rows, kept out of the statistics upkeep: the
    /// list is measured once, before its join (`compare_finish`), not four times as it grows.
    async fn start_comparing(&mut self) -> StoreResult<()> {
        if !self.comparing {
            create_list_table(self.tx.as_mut()).await?;
            self.defer_statistics(LIST);
            self.comparing = true;
        }
        Ok(())
    }

    /// Copy the rows gathered so far into the scratch table.
    async fn flush_list(&mut self) -> StoreResult<()> {
        if self.compare_pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.compare_pending);
        load_list_rows(self.tx.as_mut(), self.store.db.as_ref(), rows).await
    }
}

#[async_trait::async_trait]
impl RectificationBulk for SqlBulkSession {
    async fn compare_load(&mut self, rows: Vec<(u64, DeptRow)>) -> StoreResult<()> {
        self.require_write()?;
        self.start_comparing().await?;
        self.compared_rows += rows.len() as u64;
        if self.compare_pending.is_empty() && rows.len() >= COPY_ROWS {
            return load_list_rows(self.tx.as_mut(), self.store.db.as_ref(), rows).await;
        }
        self.compare_pending.extend(rows);
        if self.compare_pending.len() >= COPY_ROWS {
            self.flush_list().await?;
        }
        Ok(())
    }

    async fn compare_finish(
        &mut self,
        kind: ListKind,
        list_name: &str,
        on: Date,
    ) -> StoreResult<ComparisonOutcome> {
        self.require_write()?;
        self.start_comparing().await?;
        self.flush_list().await?;
        // the planner's figures for the list just loaded, before its join (temporary tables are
        // never analysed by themselves); a list looked up as it came has nothing to join
        let measured = std::time::Instant::now();
        if !self.store.looks_up_lists() {
            self.tx.analyze(&[LIST]).await.map_err(map_bulk)?;
        }
        tracing::debug!(
            ms = measured.elapsed().as_millis() as u64,
            rows = self.compared_rows,
            "comparison: list loaded and measured"
        );
        let rows = self.compared_rows;
        let out = self
            .store
            .compare_loaded(self.tx.as_mut(), &self.ctx, kind, list_name, on, rows)
            .await?;
        self.comparing = false;
        self.compared_rows = 0;
        Ok(out)
    }
}
