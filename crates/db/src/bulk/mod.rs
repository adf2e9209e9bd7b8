//! Bulk import sessions and keyset-paged export reads in SQL (`BulkStore`).
//!
//! An import is one write transaction. New households go in through the backend's fast path
//! (`Tx::copy_rows`: `COPY` on PostgreSQL, multi-row prepared `INSERT`s on SQLite) with ids reserved
//! in blocks, so nothing is read back row by row. The statistics aggregates are not touched per
//! household: each write adds its contribution (or, for changed households, the difference of the
//! facts before and after, read in batches) to one in-memory `Aggregates`, which is added to the
//! aggregate tables when it grows large and at the end — the same arithmetic as `apply_delta`, once
//! per (village, year) instead of once per household. Rejected alternative: rebuilding the affected
//! counties from the registry rows after the load, which reads back every row just written.
//!
//! A large load into a small registry drops the secondary indexes of the tables it fills and
//! builds them again before commit (a sorted build instead of millions of random B-tree inserts).
//! On PostgreSQL it also drops their unique constraints and the foreign keys between them (a
//! foreign key is a trigger run per row); the constraints check the whole table again when they
//! are added back, so a conflict still rolls everything back. Foreign keys into other tables
//! (regions) stay: dropping them would lock those tables too. When a table already holds rows, the
//! indexes that the import's look-ups use stay as well. On PostgreSQL this holds an exclusive lock
//! on the loaded tables until commit, which is why it is only done when the load is larger than
//! what is already there.
//!
//! On PostgreSQL each `COPY` is applied in the background (see the backend's `PgTx`) while the next
//! rows are prepared, and the statistics of a batch are folded into the totals on a blocking
//! thread beside the next batch, so the server and the import work side by side.

use crate::query::Query;
use crate::regions::{region_from_row, REGION_COLS};
use crate::reports::facts::{figure_values, stat_columns};
use crate::reports::totals;
use crate::sql::{Droppable, Row, Tx, Value};
use crate::{args, internal, SqlStore};
use fupin_core::audit::{chain_hash, format_at, AuditRecord};
use fupin_core::error::DomainError;
use fupin_core::id_number::Sex;
use fupin_core::pairing::{
    Cadre, CadreId, HelpingUnit, Pairing, PairingId, PairingLimits, Visit, VisitData, VisitId,
};
use fupin_core::regions::{Region, RegionCode, VillageProfile};
use fupin_core::registry::{
    Household, HouseholdData, HouseholdId, HouseholdStatus, IncomeComponents, IncomeRecord, Member,
    MemberData, PersonId,
};
use fupin_core::reports::{Aggregates, HouseholdFacts};
use fupin_core::store::{
    BulkCadre, BulkHouseholdUpdate, BulkIncome, BulkNewHousehold, BulkPairing, BulkProfile,
    BulkSession, BulkStore, BulkVisit, ExportHousehold, HouseholdKey, StoreResult, StoredHousehold,
};
use fupin_core::years::year_end;
use fupin_core::{Ctx, Fen, Scope};
use std::collections::HashMap;
use std::sync::atomic::AtomicI32;
use std::sync::{Arc, RwLock};
use time::OffsetDateTime;

/// Rows per `IN (…)` list.
pub(crate) const IN_CHUNK: usize = 500;
/// Aggregate entries ((village, year) rows and their causes) kept in `totals::Totals` before they
/// are added to the tables: about 150 MB, which holds a province (Jiangxi: 2.9 million), so that a
/// province's load writes the tables once.
const AGG_FLUSH: usize = 3_500_000;
/// Rows per call of the fast path when the totals are written.
const AGG_COPY_CHUNK: usize = 20_000;
/// Below this many new person rows, indexes stay in place.
const INDEX_PLAN_MIN_ROWS: u64 = 50_000;

const H_COLS: &str = "h.id, h.household_number, h.village_code, h.group_name, h.address, h.phone, h.bank_name, \
    h.bank_account, h.attribute, h.identification_standard, h.identification_year, h.main_cause, h.other_causes, h.living, \
    h.relocation, h.status, h.status_date, h.exit_year, h.created_at, h.updated_at";

const P_COLS: &str = "id, household_id, name, id_number, sex, birth_date, relation, ethnicity, education, schooling, \
    out_of_school_reason, health, labour_ability, work_status, work_months, disability, basic_medical_insurance, \
    serious_illness_insurance, pension_insurance, phone, active, joined_on, join_kind, left_on, leave_kind";

const HOUSEHOLD_INSERT_COLS: [&str; 22] = [
    "id",
    "household_number",
    "village_code",
    "group_name",
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "attribute",
    "identification_standard",
    "identification_year",
    "main_cause",
    "other_causes",
    "living",
    "relocation",
    "status",
    "status_date",
    "exit_year",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
];

const PERSON_INSERT_COLS: [&str; 25] = [
    "id",
    "household_id",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "out_of_school_reason",
    "health",
    "labour_ability",
    "work_status",
    "work_months",
    "disability",
    "basic_medical_insurance",
    "serious_illness_insurance",
    "pension_insurance",
    "phone",
    "active",
    "joined_on",
    "join_kind",
    "created_at",
    "updated_at",
];

const HISTORY_INSERT_COLS: [&str; 8] = [
    "household_id",
    "from_status",
    "to_status",
    "date",
    "reason",
    "exit_year",
    "actor",
    "recorded_at",
];

const CHANGE_INSERT_COLS: [&str; 7] = [
    "person_id",
    "household_id",
    "kind",
    "date",
    "reason",
    "actor",
    "recorded_at",
];

const INCOME_COLS: [&str; 11] = [
    "household_id",
    "year",
    "wage_fen",
    "business_fen",
    "property_fen",
    "dividend_fen",
    "transfer_fen",
    "business_cost_fen",
    "note",
    "updated_at",
    "updated_by",
];

const AUDIT_INSERT_COLS: [&str; 12] = [
    "seq",
    "region_code",
    "at",
    "actor",
    "client",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "prev_hash",
    "hash",
];

fn json_err(e: serde_json::Error) -> DomainError {
    tracing::error!(error = %e, "stored JSON does not parse");
    DomainError::internal()
}

fn status_of(s: &str) -> StoreResult<HouseholdStatus> {
    HouseholdStatus::parse(s).ok_or_else(|| {
        tracing::error!(status = s, "unknown status in database");
        DomainError::internal()
    })
}

/// A household row of `H_COLS`; head name and member count are filled in from the members.
fn household_of(r: &Row) -> StoreResult<Household> {
    let e = internal;
    Ok(Household {
        id: HouseholdId(r.i64(0).map_err(e)?),
        household_number: r.text(1).map_err(e)?,
        village_code: RegionCode::parse(&r.text(2).map_err(e)?)?,
        group_name: r.opt_text(3).map_err(e)?,
        address: r.opt_text(4).map_err(e)?,
        phone: r.opt_text(5).map_err(e)?,
        bank_name: r.opt_text(6).map_err(e)?,
        bank_account: r.opt_text(7).map_err(e)?,
        attribute: r.text(8).map_err(e)?,
        identification_standard: r.text(9).map_err(e)?,
        identification_year: r.i32(10).map_err(e)?,
        main_cause: r.text(11).map_err(e)?,
        other_causes: serde_json::from_str(&r.text(12).map_err(e)?).map_err(json_err)?,
        living: serde_json::from_str(&r.text(13).map_err(e)?).map_err(json_err)?,
        relocation: r
            .opt_text(14)
            .map_err(e)?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(json_err)?,
        status: status_of(&r.text(15).map_err(e)?)?,
        status_date: r.date(16).map_err(e)?,
        exit_year: r.opt_i32(17).map_err(e)?,
        created_at: r.time(18).map_err(e)?,
        updated_at: r.time(19).map_err(e)?,
        head_name: None,
        member_count: 0,
    })
}

fn member_of(r: &Row) -> StoreResult<Member> {
    let e = internal;
    Ok(Member {
        id: PersonId(r.i64(0).map_err(e)?),
        household_id: HouseholdId(r.i64(1).map_err(e)?),
        name: r.text(2).map_err(e)?,
        id_number: r.text(3).map_err(e)?,
        sex: Sex::parse(&r.text(4).map_err(e)?).unwrap_or(Sex::Male),
        birth_date: r.date(5).map_err(e)?,
        relation: r.text(6).map_err(e)?,
        ethnicity: r.opt_text(7).map_err(e)?,
        education: r.opt_text(8).map_err(e)?,
        schooling: r.opt_text(9).map_err(e)?,
        out_of_school_reason: r.opt_text(10).map_err(e)?,
        health: r.opt_text(11).map_err(e)?,
        labour_ability: r.opt_text(12).map_err(e)?,
        work_status: r.opt_text(13).map_err(e)?,
        work_months: r.opt_i32(14).map_err(e)?,
        disability: r.opt_bool(15).map_err(e)?,
        basic_medical_insurance: r.opt_bool(16).map_err(e)?,
        serious_illness_insurance: r.opt_bool(17).map_err(e)?,
        pension_insurance: r.opt_bool(18).map_err(e)?,
        phone: r.opt_text(19).map_err(e)?,
        active: r.bool(20).map_err(e)?,
        joined_on: r.opt_date(21).map_err(e)?,
        join_kind: r.opt_text(22).map_err(e)?,
        left_on: r.opt_date(23).map_err(e)?,
        leave_kind: r.opt_text(24).map_err(e)?,
    })
}

/// `IN` list of integer ids, written inline (integers cannot inject anything).
pub(crate) fn id_list(ids: &[i64]) -> String {
    let v: Vec<String> = ids.iter().map(i64::to_string).collect();
    v.join(", ")
}

fn household_values(d: &HouseholdData) -> [Value; 14] {
    args![
        d.household_number.as_str(),
        d.village_code.as_str(),
        d.group_name.clone(),
        d.address.clone(),
        d.phone.clone(),
        d.bank_name.clone(),
        d.bank_account.clone(),
        d.attribute.as_str(),
        d.identification_standard.as_str(),
        d.identification_year,
        d.main_cause.as_str(),
        serde_json::to_string(&d.other_causes).expect("serialisable"),
        serde_json::to_string(&d.living).expect("serialisable"),
        d.relocation
            .as_ref()
            .map(|r| serde_json::to_string(r).expect("serialisable"))
    ]
}

/// The member fields of `persons` (from `name` to `phone`) in insert order.
fn member_values(m: &MemberData) -> [Value; 18] {
    args![
        m.name.as_str(),
        m.id_number.expose(),
        m.sex.as_str(),
        m.birth_date,
        m.relation.as_str(),
        m.ethnicity.clone(),
        m.education.clone(),
        m.schooling.clone(),
        m.out_of_school_reason.clone(),
        m.health.clone(),
        m.labour_ability.clone(),
        m.work_status.clone(),
        m.work_months,
        m.disability,
        m.basic_medical_insurance,
        m.serious_illness_insurance,
        m.pension_insurance,
        m.phone.clone()
    ]
}

/// A member as it will read back, masked, for the audit record.
fn member_shown(id: PersonId, household: HouseholdId, m: &MemberData, active: bool) -> Member {
    let mut out = Member {
        id,
        household_id: household,
        name: m.name.clone(),
        id_number: m.id_number.expose().to_string(),
        sex: m.sex,
        birth_date: m.birth_date,
        relation: m.relation.clone(),
        ethnicity: m.ethnicity.clone(),
        education: m.education.clone(),
        schooling: m.schooling.clone(),
        out_of_school_reason: m.out_of_school_reason.clone(),
        health: m.health.clone(),
        labour_ability: m.labour_ability.clone(),
        work_status: m.work_status.clone(),
        work_months: m.work_months,
        disability: m.disability,
        basic_medical_insurance: m.basic_medical_insurance,
        serious_illness_insurance: m.serious_illness_insurance,
        pension_insurance: m.pension_insurance,
        phone: m.phone.clone(),
        active,
        joined_on: m.joined.as_ref().map(|j| j.date),
        join_kind: m.joined.as_ref().map(|j| j.kind.clone()),
        left_on: None,
        leave_kind: None,
    };
    out.mask();
    out
}

fn masked(h: &Household) -> Household {
    let mut h = h.clone();
    h.mask();
    h
}

fn income_values(
    household: HouseholdId,
    year: i32,
    c: &IncomeComponents,
    note: Option<String>,
    now: OffsetDateTime,
    actor: &str,
) -> Vec<Value> {
    Vec::from(args![
        household.0,
        year,
        c.wage_fen.get(),
        c.business_fen.get(),
        c.property_fen.get(),
        c.dividend_fen.map(Fen::get),
        c.transfer_fen.get(),
        c.business_cost_fen.get(),
        note,
        now,
        actor
    ])
}

/// A table whose indexes a large load drops and builds again at the end.
struct IndexPlan {
    table: &'static str,
    /// Share of the new person rows this table receives (households ≈ persons ÷ 3).
    divisor: u64,
    /// What the import's look-ups of stored rows use (by household number, ID number, household):
    /// kept when the table already holds rows, or every look-up would scan it.
    lookups: &'static [&'static str],
}

const INDEX_PLANS: [IndexPlan; 4] = [
    IndexPlan {
        table: "persons",
        divisor: 1,
        lookups: &["persons_active_id_number", "persons_household"],
    },
    IndexPlan {
        table: "households",
        divisor: 3,
        lookups: &["households_household_number_key"],
    },
    IndexPlan {
        table: "status_history",
        divisor: 3,
        lookups: &["status_history_household"],
    },
    IndexPlan {
        table: "audit_log",
        divisor: 3,
        lookups: &[],
    },
];

/// One import transaction over SQL.
pub(crate) struct SqlBulkSession {
    /// A view of the store sharing its backend, so that the session owns what it uses.
    pub(crate) store: SqlStore,
    pub(crate) ctx: Ctx,
    pub(crate) tx: Box<dyn Tx>,
    pub(crate) write: bool,
    /// Aggregate differences not yet added to the tables.
    pub(crate) agg: Aggregates,
    /// The audit chain's head after the records appended so far, not yet stored (see `audit_many`).
    pub(crate) audit_head: Option<(i64, String)>,
    /// Households created since the last fold, not yet counted in the totals.
    pub(crate) new_facts: Vec<HouseholdFacts>,
    /// The differences of the batches so far, rolled up (see `totals`).
    pub(crate) totals: totals::Totals,
    /// The totals while a batch is folded into them beside the writing of the next one.
    pub(crate) folding: Option<tokio::task::JoinHandle<totals::Totals>>,
    /// Indexes and constraints dropped by `plan`, built again in `finish`.
    pub(crate) dropped: Vec<Droppable>,
    pub(crate) bulk_settings: bool,
}

impl SqlBulkSession {
    pub(crate) fn require_write(&self) -> StoreResult<()> {
        if self.write {
            Ok(())
        } else {
            tracing::error!("write through a read-only bulk session");
            Err(DomainError::internal())
        }
    }

    /// The totals, once the fold under way (if any) has finished.
    async fn settle_totals(&mut self) -> StoreResult<()> {
        if let Some(folding) = self.folding.take() {
            self.totals = folding.await.map_err(|e| {
                tracing::error!(error = %e, "bulk load: folding the statistics failed");
                DomainError::internal()
            })?;
        }
        Ok(())
    }

    /// Fold the batch's differences into the totals; write the totals to the aggregate tables when
    /// they grow large, and at the end (`force`). Between writes, the fold runs on a blocking
    /// thread while the next batch is read and written (it is a good part of a load's work).
    async fn flush_aggregates(&mut self, force: bool) -> StoreResult<()> {
        self.settle_totals().await?;
        let batch = std::mem::take(&mut self.agg);
        let facts = std::mem::take(&mut self.new_facts);
        let horizon = self.store.horizon();
        let fold = move |totals: &mut totals::Totals| {
            totals.add(&batch);
            for f in &facts {
                totals.add_household(f, horizon);
            }
        };
        if !force && self.totals.len() < AGG_FLUSH {
            let mut totals = std::mem::take(&mut self.totals);
            self.folding = Some(tokio::task::spawn_blocking(move || {
                fold(&mut totals);
                totals
            }));
            return Ok(());
        }
        fold(&mut self.totals);
        if self.totals.is_empty() {
            return Ok(());
        }
        let entries = self.totals.len();
        let rows = self.totals.drain();
        if entries < 2_000 {
            let agg = totals::Totals::to_aggregates(&rows, &self.totals);
            return self.store.add_aggregate_rows(self.tx.as_mut(), &agg).await;
        }
        // many rows: added with the fast path, in the order of the tables' keys. Into empty tables
        // (a first load) they go straight in; otherwise into scratch tables first, then added in
        // one statement each (row-by-row upserts of 20 columns cost minutes at province scale).
        let cols = stat_columns();
        let mut copy_cols = vec!["year", "village_code"];
        copy_cols.extend(cols.iter().copied());
        let cause_cols = ["year", "village_code", "cause", "households", "persons"];
        let tx = self.tx.as_mut();
        let filled = tx
            .fetch_one(
                "SELECT COUNT(*) FROM (SELECT 1 FROM village_year_stats UNION ALL SELECT 1 FROM village_year_causes LIMIT 1) t",
                &[],
            )
            .await
            .and_then(|r| r.i64(0))
            .map_err(map_bulk)?
            > 0;
        let (stats_table, causes_table) = if filled {
            tx.execute(
                &format!(
                    "CREATE TEMP TABLE bulk_year_stats (year INTEGER NOT NULL, village_code TEXT NOT NULL, {})",
                    cols.iter()
                        .map(|c| format!("{c} BIGINT NOT NULL"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &[],
            )
            .await
            .map_err(map_bulk)?;
            tx.execute(
                "CREATE TEMP TABLE bulk_year_causes (year INTEGER NOT NULL, village_code TEXT NOT NULL, cause TEXT NOT NULL, \
                 households BIGINT NOT NULL, persons BIGINT NOT NULL)",
                &[],
            )
            .await
            .map_err(map_bulk)?;
            ("bulk_year_stats", "bulk_year_causes")
        } else {
            ("village_year_stats", "village_year_causes")
        };
        for chunk in rows.chunks(AGG_COPY_CHUNK) {
            let mut stats: Vec<Vec<Value>> = Vec::with_capacity(chunk.len());
            let mut causes: Vec<Vec<Value>> = Vec::new();
            for ((year, code), row) in chunk {
                let code = totals::code_text(*code);
                if !row.figures.is_zero() {
                    let mut v = vec![Value::from(*year), Value::from(code.as_str())];
                    v.extend(figure_values(&row.figures).into_iter().map(Value::from));
                    stats.push(v);
                }
                let mut named: Vec<(&str, &fupin_core::reports::CauseFigures)> = row
                    .causes
                    .iter()
                    .filter(|(_, c)| *c != fupin_core::reports::CauseFigures::default())
                    .map(|(id, c)| (self.totals.cause_name(*id), c))
                    .collect();
                named.sort_unstable_by_key(|(name, _)| *name);
                for (name, c) in named {
                    causes.push(Vec::from(args![
                        *year,
                        code.as_str(),
                        name,
                        c.households,
                        c.persons
                    ]));
                }
            }
            tx.copy_rows(stats_table, &copy_cols, stats)
                .await
                .map_err(map_bulk)?;
            tx.copy_rows(causes_table, &cause_cols, causes)
                .await
                .map_err(map_bulk)?;
        }
        drop(rows);
        if !filled {
            return Ok(());
        }
        let sets: Vec<String> = cols
            .iter()
            .map(|c| format!("{c} = village_year_stats.{c} + excluded.{c}"))
            .collect();
        // `WHERE TRUE` keeps SQLite from reading ON CONFLICT as part of the SELECT's join; in the
        // order of the key, each row's index entry is next to the last one's
        tx.execute(
            &format!(
                "INSERT INTO village_year_stats ({all}) SELECT {all} FROM bulk_year_stats WHERE TRUE \
                 ORDER BY year, village_code ON CONFLICT (year, village_code) DO UPDATE SET {sets}",
                all = copy_cols.join(", "),
                sets = sets.join(", ")
            ),
            &[],
        )
        .await
        .map_err(map_bulk)?;
        tx.execute(
            "INSERT INTO village_year_causes (year, village_code, cause, households, persons) \
             SELECT year, village_code, cause, households, persons FROM bulk_year_causes WHERE TRUE \
             ORDER BY year, village_code, cause \
             ON CONFLICT (year, village_code, cause) DO UPDATE SET households = village_year_causes.households + excluded.households, \
             persons = village_year_causes.persons + excluded.persons",
            &[],
        )
        .await
        .map_err(map_bulk)?;
        tx.execute("DROP TABLE bulk_year_stats", &[])
            .await
            .map_err(map_bulk)?;
        tx.execute("DROP TABLE bulk_year_causes", &[])
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    /// Facts of households by id, read in batches.
    async fn facts_of(&mut self, ids: &[i64]) -> StoreResult<Vec<(i64, HouseholdFacts)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IN_CHUNK) {
            let cond = format!("h.id IN ({})", id_list(chunk));
            out.extend(self.store.facts_where(self.tx.as_mut(), &cond, &[]).await?);
        }
        Ok(out)
    }

    fn add_facts(&mut self, facts: &[(i64, HouseholdFacts)], sign: i64) {
        let horizon = self.store.horizon();
        for (_, f) in facts {
            self.agg.add_household(f, horizon, sign);
        }
    }

    /// Append audit records, chained in memory and copied in one go. The chain's head is read
    /// (and locked) once per session and stored back by `store_audit_head`.
    pub(crate) async fn audit_many(&mut self, records: Vec<AuditRecord>) -> StoreResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        let (mut seq, mut prev) = match self.audit_head.take() {
            Some(head) => head,
            None => {
                let head = self
                    .tx
                    .fetch_one(
                        &format!(
                            "SELECT seq, hash FROM audit_head WHERE id = 1{}",
                            self.store.db.lock_rows()
                        ),
                        &[],
                    )
                    .await
                    .map_err(map_bulk)?;
                (
                    head.i64(0).map_err(map_bulk)?,
                    head.text(1).map_err(map_bulk)?,
                )
            }
        };
        let at = format_at(OffsetDateTime::now_utc());
        let actor = self.ctx.actor.as_str();
        let client = self.ctx.client.as_deref();
        let mut rows = Vec::with_capacity(records.len());
        for rec in records {
            seq += 1;
            let hash = chain_hash(&prev, seq, &at, actor, client, &rec);
            rows.push(Vec::from(args![
                seq,
                rec.region.as_ref().map(|c| c.as_str()),
                at.as_str(),
                actor,
                client,
                rec.action,
                rec.entity,
                rec.entity_id,
                rec.before,
                rec.after,
                prev.as_str(),
                hash.as_str()
            ]));
            prev = hash;
        }
        self.tx
            .copy_rows("audit_log", &AUDIT_INSERT_COLS, rows)
            .await
            .map_err(map_bulk)?;
        self.audit_head = Some((seq, prev));
        Ok(())
    }

    /// Write the audit chain's head that `audit_many` kept in memory.
    async fn store_audit_head(&mut self) -> StoreResult<()> {
        if let Some((seq, hash)) = self.audit_head.take() {
            self.tx
                .execute(
                    "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                    &args![seq, hash],
                )
                .await
                .map_err(map_bulk)?;
        }
        Ok(())
    }

    /// Households (with head name and member count filled in) by a condition on `h`.
    async fn load_households(
        &mut self,
        cond: &str,
        a: &[Value],
    ) -> StoreResult<Vec<(Household, Vec<Member>)>> {
        let rows = self
            .tx
            .fetch_all(
                &format!("SELECT {H_COLS} FROM households h WHERE {cond}"),
                a,
            )
            .await
            .map_err(map_bulk)?;
        let mut hs: Vec<(Household, Vec<Member>)> = Vec::with_capacity(rows.len());
        for r in &rows {
            hs.push((household_of(r)?, Vec::new()));
        }
        if hs.is_empty() {
            return Ok(hs);
        }
        let ids: Vec<i64> = hs.iter().map(|(h, _)| h.id.0).collect();
        let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let rows = self
            .tx
            .fetch_all(
                &format!(
                    "SELECT {P_COLS} FROM persons WHERE household_id IN ({}) ORDER BY household_id, active DESC, relation, birth_date, id",
                    id_list(&ids)
                ),
                &[],
            )
            .await
            .map_err(map_bulk)?;
        for r in &rows {
            let m = member_of(r)?;
            if let Some(i) = index.get(&m.household_id.0) {
                hs[*i].1.push(m);
            }
        }
        for (h, members) in &mut hs {
            h.head_name = members
                .iter()
                .find(|m| m.active && m.is_head())
                .map(|m| m.name.clone());
            h.member_count = members.iter().filter(|m| m.active).count() as i64;
        }
        Ok(hs)
    }

    async fn load_incomes(
        &mut self,
        ids: &[i64],
    ) -> StoreResult<HashMap<i64, Vec<(i32, IncomeComponents, Option<String>, OffsetDateTime)>>>
    {
        let mut out: HashMap<i64, Vec<_>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let rows = self
            .tx
            .fetch_all(
                &format!(
                    "SELECT household_id, year, wage_fen, business_fen, property_fen, dividend_fen, transfer_fen, business_cost_fen, note, updated_at \
                     FROM incomes WHERE household_id IN ({}) ORDER BY household_id, year",
                    id_list(ids)
                ),
                &[],
            )
            .await
            .map_err(map_bulk)?;
        for r in rows {
            let e = internal;
            let c = IncomeComponents {
                wage_fen: Fen::new(r.i64(2).map_err(e)?),
                business_fen: Fen::new(r.i64(3).map_err(e)?),
                property_fen: Fen::new(r.i64(4).map_err(e)?),
                dividend_fen: r.opt_i64(5).map_err(e)?.map(Fen::new),
                transfer_fen: Fen::new(r.i64(6).map_err(e)?),
                business_cost_fen: Fen::new(r.i64(7).map_err(e)?),
            };
            out.entry(r.i64(0).map_err(e)?).or_default().push((
                r.i32(1).map_err(e)?,
                c,
                r.opt_text(8).map_err(e)?,
                r.time(9).map_err(e)?,
            ));
        }
        Ok(out)
    }
}

/// Income records of a household, with persons counted from its members.
fn income_records(
    id: HouseholdId,
    members: &[Member],
    rows: Vec<(i32, IncomeComponents, Option<String>, OffsetDateTime)>,
) -> Vec<IncomeRecord> {
    rows.into_iter()
        .map(|(year, c, note, at)| {
            let persons = members
                .iter()
                .filter(|m| m.present_on(year_end(year)))
                .count() as i64;
            IncomeRecord::new(id, year, c, persons, note, at)
        })
        .collect()
}

#[async_trait::async_trait]
impl BulkSession for SqlBulkSession {
    async fn villages(&mut self) -> StoreResult<Vec<RegionCode>> {
        let mut q = Query::new("SELECT code FROM regions WHERE level = 'village'");
        q.and_in_ranges("code", &self.ctx.scope.ranges(None));
        q.push(" ORDER BY code");
        let rows = self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        rows.iter()
            .map(|r| RegionCode::parse(&r.text(0).map_err(map_bulk)?))
            .collect()
    }

    async fn registry_size(&mut self) -> StoreResult<(u64, u64)> {
        let h = self
            .tx
            .fetch_one("SELECT COUNT(*) FROM households", &[])
            .await
            .and_then(|r| r.i64(0))
            .map_err(map_bulk)?;
        let p = self
            .tx
            .fetch_one("SELECT COUNT(*) FROM persons WHERE active", &[])
            .await
            .and_then(|r| r.i64(0))
            .map_err(map_bulk)?;
        Ok((h as u64, p as u64))
    }

    async fn households_by_number(
        &mut self,
        numbers: &[String],
    ) -> StoreResult<Vec<StoredHousehold>> {
        let mut out = Vec::new();
        for chunk in numbers.chunks(IN_CHUNK) {
            let mut q = Query::new("h.household_number IN (");
            let ph: Vec<String> = chunk.iter().map(|n| q.arg(n.as_str())).collect();
            q.push(&ph.join(", ")).push(")");
            let hs = self.load_households(&q.sql, &q.args).await?;
            if hs.is_empty() {
                continue;
            }
            let ids: Vec<i64> = hs.iter().map(|(h, _)| h.id.0).collect();
            let rows = self
                .tx
                .fetch_all(
                    &format!(
                        "SELECT household_id, MAX(date) FROM status_history WHERE household_id IN ({}) GROUP BY household_id",
                        id_list(&ids)
                    ),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            let mut last = HashMap::new();
            for r in rows {
                last.insert(
                    r.i64(0).map_err(map_bulk)?,
                    r.opt_date(1).map_err(map_bulk)?,
                );
            }
            let mut incomes = self.load_incomes(&ids).await?;
            for (h, members) in hs {
                let inc = incomes.remove(&h.id.0).unwrap_or_default();
                out.push(StoredHousehold {
                    incomes: income_records(h.id, &members, inc),
                    last_status_date: last.get(&h.id.0).copied().flatten(),
                    household: h,
                    members,
                });
            }
        }
        Ok(out)
    }

    async fn active_id_numbers(&mut self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let mut q = Query::new(
                "SELECT p.id_number, h.household_number FROM persons p JOIN households h ON h.id = p.household_id \
                 WHERE p.active AND p.id_number IN (",
            );
            let ph: Vec<String> = chunk.iter().map(|n| q.arg(n.as_str())).collect();
            q.push(&ph.join(", ")).push(")");
            for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push((r.text(0).map_err(map_bulk)?, r.text(1).map_err(map_bulk)?));
            }
        }
        Ok(out)
    }

    async fn profiles(&mut self, keys: &[(RegionCode, i32)]) -> StoreResult<Vec<VillageProfile>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(IN_CHUNK) {
            let mut q = Query::new(
                "SELECT village_code, year, collective_income_fen, rural_population, note FROM village_profiles WHERE ",
            );
            let parts: Vec<String> = chunk
                .iter()
                .map(|(v, y)| {
                    let a = q.arg(v.as_str());
                    let b = q.arg(*y);
                    format!("(village_code = {a} AND year = {b})")
                })
                .collect();
            q.push(&parts.join(" OR "));
            for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push(profile_of(&r)?);
            }
        }
        Ok(out)
    }

    async fn plan(&mut self, new_rows: u64) -> StoreResult<()> {
        if !self.write || new_rows < INDEX_PLAN_MIN_ROWS || !self.dropped.is_empty() {
            return Ok(());
        }
        // the tables this load will outgrow
        let mut planned = Vec::new();
        for p in &INDEX_PLANS {
            let existing = self
                .tx
                .fetch_one(&format!("SELECT COUNT(*) FROM {}", p.table), &[])
                .await
                .and_then(|r| r.i64(0))
                .map_err(map_bulk)? as u64;
            if new_rows / p.divisor > existing {
                planned.push((p, existing));
            }
        }
        let among: Vec<&str> = planned.iter().map(|(p, _)| p.table).collect();
        for (p, existing) in planned {
            let droppable = self
                .tx
                .load_droppable(p.table, &among)
                .await
                .map_err(map_bulk)?;
            for d in droppable {
                if existing > 0 && p.lookups.contains(&d.name.as_str()) {
                    continue;
                }
                self.tx.execute(&d.drop, &[]).await.map_err(map_bulk)?;
                self.dropped.push(d);
            }
        }
        if !self.dropped.is_empty() {
            tracing::info!(
                dropped = self.dropped.len(),
                "bulk load: indexes and constraints dropped until commit"
            );
        }
        Ok(())
    }

    async fn create_households(&mut self, items: Vec<BulkNewHousehold>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let n = items.len() as u64;
        let m: u64 = items.iter().map(|h| h.members.len() as u64).sum();
        let hid0 = self
            .tx
            .reserve_ids("households", n)
            .await
            .map_err(map_bulk)?;
        let pid0 = self.tx.reserve_ids("persons", m).await.map_err(map_bulk)?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        // households first, on their way to the database while the rest is prepared
        let mut households = Vec::with_capacity(items.len());
        let mut history = Vec::with_capacity(items.len() * 2);
        let mut audit = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let hid = hid0 + i as i64;
            let Some(current) = item.history.last() else {
                tracing::error!("bulk household without a status");
                return Err(DomainError::internal());
            };
            let exit_year = item.history.iter().rev().find_map(|c| c.exit_year);
            let mut row = Vec::with_capacity(HOUSEHOLD_INSERT_COLS.len());
            row.push(Value::from(hid));
            row.extend(household_values(&item.data));
            row.extend(args![
                current.to.as_str(),
                current.date,
                exit_year,
                now,
                now,
                actor.as_str(),
                actor.as_str()
            ]);
            households.push(row);
        }
        self.tx
            .copy_rows("households", &HOUSEHOLD_INSERT_COLS, households)
            .await
            .map_err(map_bulk)?;
        let mut persons = Vec::with_capacity(m as usize);
        let mut changes = Vec::new();
        let mut pid = pid0;
        for (i, item) in items.into_iter().enumerate() {
            let hid = hid0 + i as i64;
            for c in &item.history {
                history.push(Vec::from(args![
                    hid,
                    c.from.map(|s| s.as_str()),
                    c.to.as_str(),
                    c.date,
                    c.reason.as_str(),
                    c.exit_year,
                    actor.as_str(),
                    now
                ]));
            }
            if let Some(current) = item.history.last() {
                audit.push(
                    AuditRecord::event(
                        "household.import",
                        "household",
                        Some(hid.to_string()),
                        serde_json::json!({
                            "household_number": item.data.household_number,
                            "village_code": item.data.village_code.as_str(),
                            "status": current.to.as_str(),
                            "members": item.members.len(),
                        }),
                    )
                    .in_region(&item.data.village_code),
                );
            }
            let mut member_facts = Vec::with_capacity(item.members.len());
            for md in &item.members {
                let j = md.joined.as_ref();
                let mut row = Vec::with_capacity(PERSON_INSERT_COLS.len());
                row.push(Value::from(pid));
                row.push(Value::from(hid));
                row.extend(member_values(md));
                row.extend(args![
                    true,
                    j.map(|j| j.date),
                    j.map(|j| j.kind.clone()),
                    now,
                    now
                ]);
                persons.push(row);
                if let Some(j) = j {
                    changes.push(Vec::from(args![
                        pid,
                        hid,
                        j.kind.as_str(),
                        j.date,
                        j.reason.clone(),
                        actor.as_str(),
                        now
                    ]));
                }
                member_facts.push((j.map(|j| j.date), None));
                pid += 1;
            }
            self.new_facts.push(HouseholdFacts {
                statuses: item.history.iter().map(|c| (c.date, c.to)).collect(),
                village: item.data.village_code,
                identification_year: item.data.identification_year,
                main_cause: item.data.main_cause,
                members: member_facts,
                incomes: Vec::new(),
            });
        }
        let tx = self.tx.as_mut();
        tx.copy_rows("persons", &PERSON_INSERT_COLS, persons)
            .await
            .map_err(map_bulk)?;
        tx.copy_rows("status_history", &HISTORY_INSERT_COLS, history)
            .await
            .map_err(map_bulk)?;
        tx.copy_rows("member_changes", &CHANGE_INSERT_COLS, changes)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await?;
        self.flush_aggregates(false).await
    }

    async fn update_households(&mut self, items: Vec<BulkHouseholdUpdate>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = items.iter().map(|u| u.before.id.0).collect();
        let before = self.facts_of(&ids).await?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut audit = Vec::new();
        for u in &items {
            let id = u.before.id;
            if let Some(d) = &u.data {
                let mut v = Vec::from(household_values(d));
                v.extend(args![now, actor.as_str(), id.0]);
                self.tx
                    .execute(
                        "UPDATE households SET household_number = $1, village_code = $2, group_name = $3, address = $4, phone = $5, \
                         bank_name = $6, bank_account = $7, attribute = $8, identification_standard = $9, identification_year = $10, \
                         main_cause = $11, other_causes = $12, living = $13, relocation = $14, updated_at = $15, updated_by = $16 WHERE id = $17",
                        &v,
                    )
                    .await
                    .map_err(map_bulk)?;
            }
            if let Some(c) = &u.status {
                let exit_year = c.exit_year.or(u.before.exit_year);
                self.tx
                    .execute(
                        "UPDATE households SET status = $1, status_date = $2, exit_year = $3, updated_at = $4, updated_by = $5 WHERE id = $6",
                        &args![c.to.as_str(), c.date, exit_year, now, actor.as_str(), id.0],
                    )
                    .await
                    .map_err(map_bulk)?;
                self.tx
                    .execute(
                        "INSERT INTO status_history (household_id, from_status, to_status, date, reason, exit_year, actor, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        &args![
                            id.0,
                            c.from.map(|s| s.as_str()),
                            c.to.as_str(),
                            c.date,
                            c.reason.as_str(),
                            c.exit_year,
                            actor.as_str(),
                            now
                        ],
                    )
                    .await
                    .map_err(map_bulk)?;
            }
            for md in &u.new_members {
                let j = md.joined.as_ref();
                let mut v = vec![Value::from(id.0)];
                v.extend(member_values(md));
                v.extend(args![j.map(|j| j.date), j.map(|j| j.kind.clone()), now]);
                let r = self
                    .tx
                    .fetch_one(
                        "INSERT INTO persons (household_id, name, id_number, sex, birth_date, relation, ethnicity, education, schooling, \
                         out_of_school_reason, health, labour_ability, work_status, work_months, disability, basic_medical_insurance, \
                         serious_illness_insurance, pension_insurance, phone, active, joined_on, join_kind, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, TRUE, $20, $21, $22, $22) RETURNING id",
                        &v,
                    )
                    .await
                    .map_err(map_bulk)?;
                let pid = PersonId(r.i64(0).map_err(map_bulk)?);
                if let Some(j) = j {
                    self.tx
                        .execute(
                            "INSERT INTO member_changes (person_id, household_id, kind, date, reason, actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            &args![pid.0, id.0, j.kind.as_str(), j.date, j.reason.clone(), actor.as_str(), now],
                        )
                        .await
                        .map_err(map_bulk)?;
                }
                audit.push(
                    AuditRecord::change(
                        "member.import",
                        "person",
                        pid.0,
                        None,
                        Some(&member_shown(pid, id, md, true)),
                    )
                    .in_region(&u.before.village_code),
                );
            }
            for (old, md) in &u.changed_members {
                let mut v = Vec::from(member_values(md));
                v.extend(args![now, old.id.0]);
                self.tx
                    .execute(
                        "UPDATE persons SET name = $1, id_number = $2, sex = $3, birth_date = $4, relation = $5, ethnicity = $6, education = $7, \
                         schooling = $8, out_of_school_reason = $9, health = $10, labour_ability = $11, work_status = $12, work_months = $13, \
                         disability = $14, basic_medical_insurance = $15, serious_illness_insurance = $16, pension_insurance = $17, phone = $18, \
                         updated_at = $19 WHERE id = $20",
                        &v,
                    )
                    .await
                    .map_err(map_bulk)?;
                let mut shown_old = old.clone();
                shown_old.mask();
                audit.push(
                    AuditRecord::change(
                        "member.import",
                        "person",
                        old.id.0,
                        Some(&shown_old),
                        Some(&member_shown(old.id, id, md, old.active)),
                    )
                    .in_region(&u.before.village_code),
                );
            }
            if u.data.is_none() && u.status.is_none() {
                self.tx
                    .execute(
                        "UPDATE households SET updated_at = $1, updated_by = $2 WHERE id = $3",
                        &args![now, actor.as_str(), id.0],
                    )
                    .await
                    .map_err(map_bulk)?;
            }
        }
        let after = self.facts_of(&ids).await?;
        self.add_facts(&before, -1);
        self.add_facts(&after, 1);
        let mut loaded = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            loaded.extend(
                self.load_households(&format!("h.id IN ({})", id_list(chunk)), &[])
                    .await?,
            );
        }
        let after_by_id: HashMap<i64, Household> =
            loaded.into_iter().map(|(h, _)| (h.id.0, h)).collect();
        for u in &items {
            if u.data.is_none() && u.status.is_none() {
                continue;
            }
            let action = if u.status.is_some() {
                "household.import_status"
            } else {
                "household.import_update"
            };
            let after = after_by_id.get(&u.before.id.0).map(masked);
            audit.push(
                AuditRecord::change(
                    action,
                    "household",
                    u.before.id.0,
                    Some(&masked(&u.before)),
                    after.as_ref(),
                )
                .in_region(&u.before.village_code),
            );
        }
        self.audit_many(audit).await?;
        self.flush_aggregates(false).await
    }

    async fn put_incomes(&mut self, items: Vec<BulkIncome>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<i64> = items.iter().map(|i| i.after.household_id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let before = self.facts_of(&ids).await?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut new_rows = Vec::new();
        for it in &items {
            let a = &it.after;
            let v = income_values(
                a.household_id,
                a.year,
                &a.components,
                a.note.clone(),
                now,
                &actor,
            );
            if it.before.is_none() {
                new_rows.push(v);
            } else {
                self.tx
                    .execute(
                        "UPDATE incomes SET wage_fen = $3, business_fen = $4, property_fen = $5, dividend_fen = $6, transfer_fen = $7, \
                         business_cost_fen = $8, note = $9, updated_at = $10, updated_by = $11 WHERE household_id = $1 AND year = $2",
                        &v,
                    )
                    .await
                    .map_err(map_bulk)?;
            }
        }
        self.tx
            .copy_rows("incomes", &INCOME_COLS, new_rows)
            .await
            .map_err(map_bulk)?;
        for chunk in ids.chunks(IN_CHUNK) {
            self.tx
                .execute(
                    &format!(
                        "UPDATE households SET updated_at = $1, updated_by = $2 WHERE id IN ({})",
                        id_list(chunk)
                    ),
                    &args![now, actor.as_str()],
                )
                .await
                .map_err(map_bulk)?;
        }
        let after = self.facts_of(&ids).await?;
        self.add_facts(&before, -1);
        self.add_facts(&after, 1);
        let audit = items
            .iter()
            .map(|it| {
                let mut after = it.after.clone();
                after.updated_at = now;
                AuditRecord::change(
                    "income.import",
                    "income",
                    format!("{}/{}", it.after.household_id.0, it.after.year),
                    it.before.as_ref(),
                    Some(&after),
                )
                .in_region(&it.village)
            })
            .collect();
        self.audit_many(audit).await?;
        self.flush_aggregates(false).await
    }

    async fn put_profiles(&mut self, items: Vec<BulkProfile>) -> StoreResult<()> {
        self.require_write()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        for chunk in items.chunks(200) {
            let mut q = Query::new(
                "INSERT INTO village_profiles (village_code, year, collective_income_fen, rural_population, note, updated_at, updated_by) VALUES ",
            );
            let rows: Vec<String> = chunk
                .iter()
                .map(|p| {
                    let a = &p.after;
                    let ph = [
                        q.arg(a.village_code.as_str()),
                        q.arg(a.year),
                        q.arg(a.collective_income_fen.map(Fen::get)),
                        q.arg(a.rural_population),
                        q.arg(a.note.clone()),
                        q.arg(now),
                        q.arg(actor.as_str()),
                    ];
                    format!("({})", ph.join(", "))
                })
                .collect();
            q.push(&rows.join(", "));
            q.push(
                " ON CONFLICT (village_code, year) DO UPDATE SET collective_income_fen = excluded.collective_income_fen, \
                 rural_population = excluded.rural_population, note = excluded.note, updated_at = excluded.updated_at, \
                 updated_by = excluded.updated_by",
            );
            self.tx.execute(&q.sql, &q.args).await.map_err(map_bulk)?;
        }
        let audit = items
            .iter()
            .map(|p| {
                AuditRecord::change(
                    "village_profile.import",
                    "village_profile",
                    format!("{}/{}", p.after.village_code, p.after.year),
                    p.before.as_ref(),
                    Some(&p.after),
                )
                .in_region(&p.after.village_code)
            })
            .collect();
        self.audit_many(audit).await
    }

    async fn units(&mut self) -> StoreResult<Vec<HelpingUnit>> {
        self.load_units().await
    }

    async fn cadres_named(
        &mut self,
        names: &[String],
        units: &[String],
    ) -> StoreResult<Vec<Cadre>> {
        self.load_cadres_named(names, units).await
    }

    async fn household_keys(&mut self, numbers: &[String]) -> StoreResult<Vec<HouseholdKey>> {
        self.load_household_keys(numbers).await
    }

    async fn pairings_of(
        &mut self,
        households: &[HouseholdId],
        cadres: &[CadreId],
    ) -> StoreResult<Vec<Pairing>> {
        self.load_pairings_of(households, cadres).await
    }

    async fn visits_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(VisitId, VisitData)>> {
        self.load_visits_of(households).await
    }

    async fn pairing_limits(
        &mut self,
        village: &RegionCode,
        year: i32,
    ) -> StoreResult<PairingLimits> {
        Ok(self.store.pairing_limits(village, year))
    }

    async fn known_regions(&mut self, codes: &[RegionCode]) -> StoreResult<Vec<RegionCode>> {
        self.load_known_regions(codes).await
    }

    async fn put_cadres(&mut self, items: Vec<BulkCadre>) -> StoreResult<()> {
        self.write_cadres(items).await
    }

    async fn create_pairings(&mut self, items: Vec<BulkPairing>) -> StoreResult<()> {
        self.write_pairings(items).await
    }

    async fn put_visits(&mut self, items: Vec<BulkVisit>) -> StoreResult<()> {
        self.write_visits(items).await
    }

    async fn finish(
        mut self: Box<Self>,
        summary: serde_json::Value,
        commit: bool,
    ) -> StoreResult<()> {
        if !commit || !self.write {
            if self.bulk_settings {
                let _ = self.tx.bulk_settings(false).await;
            }
            // dropping the transaction rolls it back
            return Ok(());
        }
        let result = self.finish_write(summary).await;
        if result.is_err() && self.bulk_settings {
            let _ = self.tx.bulk_settings(false).await;
        }
        result?;
        let SqlBulkSession { tx, .. } = *self;
        tx.commit().await.map_err(map_bulk)
    }
}

impl SqlBulkSession {
    async fn finish_write(&mut self, summary: serde_json::Value) -> StoreResult<()> {
        let large = !self.dropped.is_empty();
        let mut dropped = std::mem::take(&mut self.dropped);
        // indexes and unique constraints first: a foreign key may rely on one
        dropped.sort_by_key(|d| d.foreign_key);
        for d in dropped {
            tracing::info!(name = d.name.as_str(), "bulk load: building again");
            self.tx.execute(&d.create, &[]).await.map_err(map_bulk)?;
        }
        self.flush_aggregates(true).await?;
        if large {
            // planner statistics for tables that just grew many times over
            self.tx
                .analyze(&[
                    "households",
                    "persons",
                    "status_history",
                    "village_year_stats",
                    "village_year_causes",
                ])
                .await
                .map_err(map_bulk)?;
        }
        self.store_audit_head().await?;
        let rec = AuditRecord::event("import", "import", None, summary);
        self.store.audit(self.tx.as_mut(), &self.ctx, rec).await?;
        if self.bulk_settings {
            self.tx.bulk_settings(false).await.map_err(map_bulk)?;
            self.bulk_settings = false;
        }
        Ok(())
    }
}

/// Every database error of a bulk session. A unique violation (a concurrent writer, or data
/// changed since the checks) stops the import and rolls it back, saying why; it may surface at any
/// statement after the write that caused it (PostgreSQL applies copies in the background), which
/// is why the whole session maps its errors here.
pub(crate) fn map_bulk(e: crate::sql::DbError) -> DomainError {
    match &e {
        crate::sql::DbError::Unique(Some(name)) if name.contains("id_number") => {
            DomainError::conflict(
                "duplicate_id_number",
                "导入时发现身份证号与另一户的在册成员重复（数据在检查后被他人修改），已全部撤销",
            )
        }
        crate::sql::DbError::Unique(Some(name)) if name.contains("household_number") => {
            DomainError::conflict(
                "duplicate_household_number",
                "导入时发现户编码已存在（数据在检查后被他人修改），已全部撤销",
            )
        }
        crate::sql::DbError::Unique(_) => DomainError::conflict(
            "import_conflict",
            "导入时与已有数据冲突（数据在检查后被他人修改），已全部撤销",
        ),
        _ => internal(e),
    }
}

fn profile_of(r: &Row) -> StoreResult<VillageProfile> {
    Ok(VillageProfile {
        village_code: RegionCode::parse(&r.text(0).map_err(map_bulk)?)?,
        year: r.i32(1).map_err(map_bulk)?,
        collective_income_fen: r.opt_i64(2).map_err(map_bulk)?.map(Fen::new),
        rural_population: r.opt_i64(3).map_err(map_bulk)?,
        note: r.opt_text(4).map_err(map_bulk)?,
    })
}

impl SqlStore {
    /// A second handle on the same backend, owning copies of the cached state.
    fn bulk_handle(&self) -> SqlStore {
        SqlStore {
            db: Arc::clone(&self.db),
            codes: RwLock::new(self.codes()),
            params: RwLock::new(self.params()),
            horizon: AtomicI32::new(self.horizon()),
        }
    }
}

#[async_trait::async_trait]
impl BulkStore for SqlStore {
    async fn bulk_session(&self, ctx: &Ctx, write: bool) -> StoreResult<Box<dyn BulkSession>> {
        let store = self.bulk_handle();
        let mut tx = if write {
            self.db.begin_write().await
        } else {
            self.db.begin_read().await
        }
        .map_err(map_bulk)?;
        let mut bulk_settings = false;
        if write {
            store.extend_horizon_if_needed(tx.as_mut()).await?;
            tx.bulk_settings(true).await.map_err(map_bulk)?;
            bulk_settings = true;
        }
        Ok(Box::new(SqlBulkSession {
            store,
            ctx: ctx.clone(),
            tx,
            write,
            agg: Aggregates::default(),
            audit_head: None,
            new_facts: Vec::new(),
            totals: totals::Totals::default(),
            folding: None,
            dropped: Vec::new(),
            bulk_settings,
        }))
    }

    async fn export_households(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        limit: u32,
    ) -> StoreResult<Vec<ExportHousehold>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new("1 = 1");
        q.and_in_ranges("h.village_code", &ctx.scope.ranges(Some(region)));
        if let Some((v, id)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(id.0);
            q.push(&format!(" AND (h.village_code, h.id) > ({a}, {b})"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY h.village_code, h.id LIMIT {l}"));
        let tx = self.db.begin_read().await.map_err(map_bulk)?;
        let mut s = SqlBulkSession {
            store: self.bulk_handle(),
            ctx: ctx.clone(),
            tx,
            write: false,
            agg: Aggregates::default(),
            audit_head: None,
            new_facts: Vec::new(),
            totals: totals::Totals::default(),
            folding: None,
            dropped: Vec::new(),
            bulk_settings: false,
        };
        let hs = s.load_households(&q.sql, &q.args).await?;
        let ids: Vec<i64> = hs.iter().map(|(h, _)| h.id.0).collect();
        let mut incomes = s.load_incomes(&ids).await?;
        let mut out = Vec::with_capacity(hs.len());
        for (mut household, mut members) in hs {
            let inc = incomes.remove(&household.id.0).unwrap_or_default();
            let incomes = income_records(household.id, &members, inc);
            if !ctx.unmask {
                household.mask();
                members.iter_mut().for_each(Member::mask);
            }
            out.push(ExportHousehold {
                household,
                members,
                incomes,
            });
        }
        Ok(out)
    }

    async fn export_profiles(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: Option<i32>,
        after: Option<(RegionCode, i32)>,
        limit: u32,
    ) -> StoreResult<Vec<VillageProfile>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(
            "SELECT village_code, year, collective_income_fen, rural_population, note FROM village_profiles WHERE 1 = 1",
        );
        q.and_in_ranges("village_code", &ctx.scope.ranges(Some(region)));
        if let Some(y) = year {
            let p = q.arg(y);
            q.push(&format!(" AND year = {p}"));
        }
        if let Some((v, y)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(*y);
            q.push(&format!(" AND (village_code, year) > ({a}, {b})"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY village_code, year LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        rows.iter().map(profile_of).collect()
    }

    async fn export_regions(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<RegionCode>,
        limit: u32,
    ) -> StoreResult<Vec<Region>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!("SELECT {REGION_COLS} FROM regions WHERE 1 = 1"));
        let ranges = match &ctx.scope {
            Scope::All => Some(vec![region.range()]),
            s => s.ranges(Some(region)),
        };
        q.and_in_ranges("code", &ranges);
        if let Some(a) = &after {
            let p = q.arg(a.as_str());
            q.push(&format!(" AND code > {p}"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY code LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        rows.iter().map(region_from_row).collect()
    }

    async fn export_cadres(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<CadreId>,
        limit: u32,
    ) -> StoreResult<Vec<Cadre>> {
        self.export_cadres_impl(ctx, region, after, limit).await
    }

    async fn export_pairings(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, PairingId)>,
        limit: u32,
    ) -> StoreResult<Vec<Pairing>> {
        self.export_pairings_impl(ctx, region, after, limit).await
    }

    async fn export_visits(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, VisitId)>,
        limit: u32,
    ) -> StoreResult<Vec<Visit>> {
        self.export_visits_impl(ctx, region, after, limit).await
    }
}
