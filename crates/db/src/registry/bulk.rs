//! The registry's bulk path: the batched look-ups an import compares with (households by number
//! with members, status dates and incomes; active ID numbers), the writes of new and changed
//! households, members and incomes through the session's fast path, and the keyset-paged export
//! of households.

use crate::bulk::{id_list, map_bulk, SqlBulkSession, IN_CHUNK};
use crate::query::Query;
use crate::sql::{Row, Tx, Value};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::error::DomainError;
use fupin_core::id_number::Sex;
use fupin_core::regions::RegionCode;
use fupin_core::registry::{
    Household, HouseholdData, HouseholdId, HouseholdStatus, IncomeComponents, IncomeRecord, Member,
    MemberData, PersonId,
};
use fupin_core::reports::HouseholdFacts;
use fupin_core::store::{
    BulkHouseholdUpdate, BulkIncome, BulkNewHousehold, ExportHousehold, RegistryBulk, StoreResult,
    StoredHousehold,
};
use fupin_core::years::year_end;
use fupin_core::{Ctx, Fen};
use std::collections::HashMap;
use time::OffsetDateTime;

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
    Ok(Household {
        id: HouseholdId(r.i64(0)?),
        household_number: r.text(1)?,
        village_code: RegionCode::parse(&r.text(2)?)?,
        group_name: r.opt_text(3)?,
        address: r.opt_text(4)?,
        phone: r.opt_text(5)?,
        bank_name: r.opt_text(6)?,
        bank_account: r.opt_text(7)?,
        attribute: r.text(8)?,
        identification_standard: r.text(9)?,
        identification_year: r.i32(10)?,
        main_cause: r.text(11)?,
        other_causes: serde_json::from_str(&r.text(12)?).map_err(json_err)?,
        living: serde_json::from_str(&r.text(13)?).map_err(json_err)?,
        relocation: r
            .opt_text(14)?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(json_err)?,
        status: status_of(&r.text(15)?)?,
        status_date: r.date(16)?,
        exit_year: r.opt_i32(17)?,
        created_at: r.time(18)?,
        updated_at: r.time(19)?,
        head_name: None,
        member_count: 0,
    })
}

fn member_of(r: &Row) -> StoreResult<Member> {
    Ok(Member {
        id: PersonId(r.i64(0)?),
        household_id: HouseholdId(r.i64(1)?),
        name: r.text(2)?,
        id_number: r.text(3)?,
        sex: Sex::parse(&r.text(4)?).unwrap_or(Sex::Male),
        birth_date: r.date(5)?,
        relation: r.text(6)?,
        ethnicity: r.opt_text(7)?,
        education: r.opt_text(8)?,
        schooling: r.opt_text(9)?,
        out_of_school_reason: r.opt_text(10)?,
        health: r.opt_text(11)?,
        labour_ability: r.opt_text(12)?,
        work_status: r.opt_text(13)?,
        work_months: r.opt_i32(14)?,
        disability: r.opt_bool(15)?,
        basic_medical_insurance: r.opt_bool(16)?,
        serious_illness_insurance: r.opt_bool(17)?,
        pension_insurance: r.opt_bool(18)?,
        phone: r.opt_text(19)?,
        active: r.bool(20)?,
        joined_on: r.opt_date(21)?,
        join_kind: r.opt_text(22)?,
        left_on: r.opt_date(23)?,
        leave_kind: r.opt_text(24)?,
    })
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

/// Households (with head name and member count filled in) by a condition on `h`.
pub(crate) async fn load_households(
    tx: &mut dyn Tx,
    cond: &str,
    a: &[Value],
) -> StoreResult<Vec<(Household, Vec<Member>)>> {
    let rows = tx
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
    let rows = tx
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

pub(crate) async fn load_incomes(
    tx: &mut dyn Tx,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Vec<(i32, IncomeComponents, Option<String>, OffsetDateTime)>>> {
    let mut out: HashMap<i64, Vec<_>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = tx
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
        let c = IncomeComponents {
            wage_fen: Fen::new(r.i64(2)?),
            business_fen: Fen::new(r.i64(3)?),
            property_fen: Fen::new(r.i64(4)?),
            dividend_fen: r.opt_i64(5)?.map(Fen::new),
            transfer_fen: Fen::new(r.i64(6)?),
            business_cost_fen: Fen::new(r.i64(7)?),
        };
        out.entry(r.i64(0)?)
            .or_default()
            .push((r.i32(1)?, c, r.opt_text(8)?, r.time(9)?));
    }
    Ok(out)
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
impl RegistryBulk for SqlBulkSession {
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

    async fn status_changes_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(HouseholdId, HouseholdStatus, time::Date)>> {
        let mut out = Vec::new();
        let ids: Vec<i64> = households.iter().map(|h| h.0).collect();
        for chunk in ids.chunks(IN_CHUNK) {
            let rows = self
                .tx
                .fetch_all(
                    &format!(
                        "SELECT household_id, to_status, date FROM status_history WHERE household_id IN ({}) ORDER BY household_id, date, id",
                        id_list(chunk)
                    ),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            for r in rows {
                let status = r.text(1).map_err(map_bulk)?;
                out.push((
                    HouseholdId(r.i64(0).map_err(map_bulk)?),
                    HouseholdStatus::parse(&status).ok_or_else(|| {
                        tracing::error!(status = status.as_str(), "unknown status in database");
                        DomainError::internal()
                    })?,
                    r.date(2).map_err(map_bulk)?,
                ));
            }
        }
        Ok(out)
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
            let hs = load_households(self.tx.as_mut(), &q.sql, &q.args).await?;
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
            let mut incomes = load_incomes(self.tx.as_mut(), &ids).await?;
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
                load_households(
                    self.tx.as_mut(),
                    &format!("h.id IN ({})", id_list(chunk)),
                    &[],
                )
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
}

impl SqlStore {
    pub(crate) async fn export_households_impl(
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
        let mut tx = self.db.begin_read().await.map_err(map_bulk)?;
        let hs = load_households(tx.as_mut(), &q.sql, &q.args).await?;
        let ids: Vec<i64> = hs.iter().map(|(h, _)| h.id.0).collect();
        let mut incomes = load_incomes(tx.as_mut(), &ids).await?;
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
}
