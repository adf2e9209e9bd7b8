//! The registry's tables as typed rows (see `crate::rows`): households, persons, status history,
//! member changes and incomes — each table's columns, decoders and value builders, used by the
//! store's single writes and by the import's batches.

use crate::args;
use crate::rows::{concat, to_json, Cols, Columns, Record, Sql};
use crate::sql::{Row, Value};
use fupin_core::error::DomainError;
use fupin_core::id_number::Sex;
use fupin_core::registry::{
    Household, HouseholdData, HouseholdId, HouseholdStatus, IncomeComponents, IncomeRecord, Member,
    MemberChangeRecord, MemberData, PersonId, StatusChange, StatusEvent,
};
use fupin_core::store::StoreResult;
use fupin_core::years::year_end;
use fupin_core::{Fen, RegionCode};
use std::sync::LazyLock;
use time::{Date, OffsetDateTime};

/// A status code read back from the database.
pub(crate) fn status(s: &str) -> StoreResult<HouseholdStatus> {
    HouseholdStatus::parse(s).ok_or_else(|| {
        tracing::error!(status = s, "unknown status in database");
        DomainError::internal()
    })
}

// ---- households ----

/// The columns a `HouseholdData` fills, in the order of [`household_data`].
const HOUSEHOLD_DATA: Columns = Columns(&[
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
]);

/// What follows the data in a new household's row (see [`new_household`]).
const HOUSEHOLD_STATE: Columns = Columns(&[
    "status",
    "status_date",
    "exit_year",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
]);

/// A new household's columns, its id assigned by the database.
static HOUSEHOLD_NEW: LazyLock<Columns> =
    LazyLock::new(|| concat(&[HOUSEHOLD_DATA, HOUSEHOLD_STATE]));

/// A new household's columns with its id (the import reserves ids in blocks).
pub(crate) static HOUSEHOLD_NEW_WITH_ID: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["id"]), HOUSEHOLD_DATA, HOUSEHOLD_STATE]));

/// Insert one household (values of [`new_household`] without an id), returning its id.
pub(crate) static INSERT_HOUSEHOLD: Sql =
    Sql::new(|| format!("{} RETURNING id", HOUSEHOLD_NEW.insert("households")));

/// Replace a household's data (values of [`household_update`]).
pub(crate) static UPDATE_HOUSEHOLD: Sql = Sql::new(|| {
    let n = HOUSEHOLD_DATA.len();
    format!(
        "UPDATE households SET {}, updated_at = ${}, updated_by = ${} WHERE id = ${}",
        HOUSEHOLD_DATA.set(1),
        n + 1,
        n + 2,
        n + 3
    )
});

/// Set a household's current status (values of [`status_update`]).
pub(crate) const UPDATE_STATUS: &str = "UPDATE households SET status = $1, status_date = $2, exit_year = $3, updated_at = $4, updated_by = $5 WHERE id = $6";

/// Mark a household changed (values: time, actor, id).
pub(crate) const TOUCH_HOUSEHOLD: &str =
    "UPDATE households SET updated_at = $1, updated_by = $2 WHERE id = $3";

/// The values of [`HOUSEHOLD_DATA`].
fn household_data(d: &HouseholdData) -> [Value; 14] {
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
        to_json(&d.other_causes),
        to_json(&d.living),
        d.relocation.as_ref().map(to_json)
    ]
}

/// A new household's row: with its id when given ([`HOUSEHOLD_NEW_WITH_ID`]), else without
/// ([`INSERT_HOUSEHOLD`]).
pub(crate) fn new_household(
    id: Option<i64>,
    d: &HouseholdData,
    current: (HouseholdStatus, Date),
    exit_year: Option<i32>,
    now: OffsetDateTime,
    actor: &str,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(HOUSEHOLD_DATA.len() + HOUSEHOLD_STATE.len() + 1);
    if let Some(id) = id {
        v.push(Value::from(id));
    }
    v.extend(household_data(d));
    v.extend(args![
        current.0.as_str(),
        current.1,
        exit_year,
        now,
        now,
        actor,
        actor
    ]);
    v
}

/// The values of [`UPDATE_HOUSEHOLD`].
pub(crate) fn household_update(
    d: &HouseholdData,
    now: OffsetDateTime,
    actor: &str,
    id: HouseholdId,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(HOUSEHOLD_DATA.len() + 3);
    v.extend(household_data(d));
    v.extend(args![now, actor, id.0]);
    v
}

/// The values of [`UPDATE_STATUS`].
pub(crate) fn status_update(
    to: HouseholdStatus,
    date: Date,
    exit_year: Option<i32>,
    now: OffsetDateTime,
    actor: &str,
    id: HouseholdId,
) -> [Value; 6] {
    args![to.as_str(), date, exit_year, now, actor, id.0]
}

/// A household as stored; its head's name and member count are left empty (see
/// [`HOUSEHOLD_COUNTED`] for a query that adds them).
impl Record for Household {
    fn columns() -> Columns {
        Columns(&[
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
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Household {
            id: HouseholdId(c.i64()?),
            household_number: c.text()?,
            village_code: RegionCode::parse(&c.text()?)?,
            group_name: c.opt_text()?,
            address: c.opt_text()?,
            phone: c.opt_text()?,
            bank_name: c.opt_text()?,
            bank_account: c.opt_text()?,
            attribute: c.text()?,
            identification_standard: c.text()?,
            identification_year: c.i32()?,
            main_cause: c.text()?,
            other_causes: c.json()?,
            living: c.json()?,
            relocation: c.opt_json()?,
            status: status(&c.text()?)?,
            status_date: c.date()?,
            exit_year: c.opt_i32()?,
            created_at: c.time()?,
            updated_at: c.time()?,
            head_name: None,
            member_count: 0,
        })
    }
}

/// The columns of a household (alias `h`) with its head's name and its member count.
pub(crate) static HOUSEHOLD_COUNTED: Sql = Sql::new(|| {
    format!(
        "{}, (SELECT p.name FROM persons p WHERE p.household_id = h.id AND p.active AND p.relation = '01'), \
         (SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.active)",
        Household::columns().list_of("h")
    )
});

/// A row of [`HOUSEHOLD_COUNTED`].
pub(crate) fn household_counted(row: &Row) -> StoreResult<Household> {
    Cols::read(row, |c| {
        let mut h = Household::decode(c)?;
        h.head_name = c.opt_text()?;
        h.member_count = c.i64()?;
        Ok(h)
    })
}

// ---- persons ----

/// The columns a `MemberData` fills, in the order of [`member_data`].
const MEMBER_DATA: Columns = Columns(&[
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
]);

/// What follows the data in a new person's row (see [`new_person`]).
const PERSON_STATE: Columns = Columns(&[
    "active",
    "joined_on",
    "join_kind",
    "created_at",
    "updated_at",
]);

static PERSON_NEW: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["household_id"]), MEMBER_DATA, PERSON_STATE]));

/// A new person's columns with its id (the import reserves ids in blocks).
pub(crate) static PERSON_NEW_WITH_ID: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["id", "household_id"]), MEMBER_DATA, PERSON_STATE]));

/// Insert one person (values of [`new_person`] without an id), returning its id.
pub(crate) static INSERT_PERSON: Sql =
    Sql::new(|| format!("{} RETURNING id", PERSON_NEW.insert("persons")));

/// Replace a person's data (values of [`person_update`]).
pub(crate) static UPDATE_PERSON: Sql = Sql::new(|| {
    let n = MEMBER_DATA.len();
    format!(
        "UPDATE persons SET {}, updated_at = ${} WHERE id = ${}",
        MEMBER_DATA.set(1),
        n + 1,
        n + 2
    )
});

/// The values of [`MEMBER_DATA`].
fn member_data(m: &MemberData) -> [Value; 18] {
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

/// A new, active person's row: with its id when given ([`PERSON_NEW_WITH_ID`]), else without
/// ([`INSERT_PERSON`]).
pub(crate) fn new_person(
    id: Option<i64>,
    household: HouseholdId,
    m: &MemberData,
    now: OffsetDateTime,
) -> Vec<Value> {
    let j = m.joined.as_ref();
    let mut v = Vec::with_capacity(MEMBER_DATA.len() + PERSON_STATE.len() + 2);
    if let Some(id) = id {
        v.push(Value::from(id));
    }
    v.push(Value::from(household.0));
    v.extend(member_data(m));
    v.extend(args![
        true,
        j.map(|j| j.date),
        j.map(|j| j.kind.clone()),
        now,
        now
    ]);
    v
}

/// The values of [`UPDATE_PERSON`].
pub(crate) fn person_update(m: &MemberData, now: OffsetDateTime, id: PersonId) -> Vec<Value> {
    let mut v = Vec::with_capacity(MEMBER_DATA.len() + 2);
    v.extend(member_data(m));
    v.extend(args![now, id.0]);
    v
}

impl Record for Member {
    fn columns() -> Columns {
        Columns(&[
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
            "left_on",
            "leave_kind",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Member {
            id: PersonId(c.i64()?),
            household_id: HouseholdId(c.i64()?),
            name: c.text()?,
            id_number: c.text()?,
            sex: Sex::parse(&c.text()?).unwrap_or(Sex::Male),
            birth_date: c.date()?,
            relation: c.text()?,
            ethnicity: c.opt_text()?,
            education: c.opt_text()?,
            schooling: c.opt_text()?,
            out_of_school_reason: c.opt_text()?,
            health: c.opt_text()?,
            labour_ability: c.opt_text()?,
            work_status: c.opt_text()?,
            work_months: c.opt_i32()?,
            disability: c.opt_bool()?,
            basic_medical_insurance: c.opt_bool()?,
            serious_illness_insurance: c.opt_bool()?,
            pension_insurance: c.opt_bool()?,
            phone: c.opt_text()?,
            active: c.bool()?,
            joined_on: c.opt_date()?,
            join_kind: c.opt_text()?,
            left_on: c.opt_date()?,
            leave_kind: c.opt_text()?,
            warnings: Vec::new(),
        })
    }
}

/// A member as it reads back after [`new_person`] or [`person_update`], masked (for audit
/// records written without reading the row back).
pub(crate) fn member_shown(
    id: PersonId,
    household: HouseholdId,
    m: &MemberData,
    active: bool,
) -> Member {
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
        warnings: Vec::new(),
    };
    out.mask();
    out
}

// ---- status_history ----

/// A status change's columns, in the order of [`history_row`].
pub(crate) const HISTORY_NEW: Columns = Columns(&[
    "household_id",
    "from_status",
    "to_status",
    "date",
    "reason",
    "exit_year",
    "actor",
    "recorded_at",
]);

/// Insert one status change (values of [`history_row`]).
pub(crate) static INSERT_HISTORY: Sql = Sql::new(|| HISTORY_NEW.insert("status_history"));

/// A status change's row.
pub(crate) fn history_row(
    household: HouseholdId,
    c: &StatusChange,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![
        household.0,
        c.from.map(HouseholdStatus::as_str),
        c.to.as_str(),
        c.date,
        c.reason.as_str(),
        c.exit_year,
        actor,
        now
    ])
}

impl Record for StatusEvent {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "from_status",
            "to_status",
            "date",
            "reason",
            "exit_year",
            "actor",
            "recorded_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StatusEvent {
            id: c.i64()?,
            from_status: c.opt_text()?.map(|s| status(&s)).transpose()?,
            to_status: status(&c.text()?)?,
            date: c.date()?,
            reason: c.text()?,
            exit_year: c.opt_i32()?,
            actor: c.text()?,
            recorded_at: c.time()?,
        })
    }
}

/// One step of a household's history as the import compares with it.
pub(crate) struct StatusStep {
    pub household: HouseholdId,
    pub to: HouseholdStatus,
    pub date: Date,
}

impl Record for StatusStep {
    fn columns() -> Columns {
        Columns(&["household_id", "to_status", "date"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StatusStep {
            household: HouseholdId(c.i64()?),
            to: status(&c.text()?)?,
            date: c.date()?,
        })
    }
}

// ---- member_changes ----

/// A member change's columns, in the order of [`change_row`].
pub(crate) const CHANGE_NEW: Columns = Columns(&[
    "person_id",
    "household_id",
    "kind",
    "date",
    "reason",
    "actor",
    "recorded_at",
]);

/// Insert one member change (values of [`change_row`]).
pub(crate) static INSERT_CHANGE: Sql = Sql::new(|| CHANGE_NEW.insert("member_changes"));

/// A member change's row.
pub(crate) fn change_row(
    (person, household): (PersonId, HouseholdId),
    kind: &str,
    date: Date,
    reason: Option<String>,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![person.0, household.0, kind, date, reason, actor, now])
}

/// A member change with the member's name (`member_changes c JOIN persons p`).
impl Record for MemberChangeRecord {
    fn columns() -> Columns {
        Columns(&[
            "c.id",
            "c.person_id",
            "p.name",
            "c.kind",
            "c.date",
            "c.reason",
            "c.actor",
            "c.recorded_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(MemberChangeRecord {
            id: c.i64()?,
            person_id: PersonId(c.i64()?),
            person_name: c.text()?,
            kind: c.text()?,
            date: c.date()?,
            reason: c.opt_text()?,
            actor: c.text()?,
            recorded_at: c.time()?,
        })
    }
}

// ---- incomes ----

/// An income year's columns, in the order of [`income_row`].
pub(crate) const INCOME_NEW: Columns = Columns(&[
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
]);

/// The columns an income write replaces (all but the key).
const INCOME_SET: Columns = Columns(&[
    "wage_fen",
    "business_fen",
    "property_fen",
    "dividend_fen",
    "transfer_fen",
    "business_cost_fen",
    "note",
    "updated_at",
    "updated_by",
]);

/// Insert or replace one income year (values of [`income_row`]).
pub(crate) static UPSERT_INCOME: Sql = Sql::new(|| {
    let set: Vec<String> = INCOME_SET
        .names()
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "{} ON CONFLICT (household_id, year) DO UPDATE SET {}",
        INCOME_NEW.insert("incomes"),
        set.join(", ")
    )
});

/// Replace a stored income year (values of [`income_row`]: the key first).
pub(crate) static UPDATE_INCOME: Sql = Sql::new(|| {
    format!(
        "UPDATE incomes SET {} WHERE household_id = $1 AND year = $2",
        INCOME_SET.set(3)
    )
});

/// An income year's row.
pub(crate) fn income_row(
    (household, year): (HouseholdId, i32),
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

/// An income year as stored, before the figures derived from the members.
pub(crate) struct StoredIncome {
    pub household: HouseholdId,
    pub year: i32,
    pub components: IncomeComponents,
    pub note: Option<String>,
    pub updated_at: OffsetDateTime,
}

impl Record for StoredIncome {
    fn columns() -> Columns {
        Columns(&[
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
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StoredIncome {
            household: HouseholdId(c.i64()?),
            year: c.i32()?,
            components: IncomeComponents {
                wage_fen: Fen::new(c.i64()?),
                business_fen: Fen::new(c.i64()?),
                property_fen: Fen::new(c.i64()?),
                dividend_fen: c.opt_i64()?.map(Fen::new),
                transfer_fen: Fen::new(c.i64()?),
                business_cost_fen: Fen::new(c.i64()?),
            },
            note: c.opt_text()?,
            updated_at: c.time()?,
        })
    }
}

impl StoredIncome {
    /// The record with the persons present at the year's end among `members`.
    pub(crate) fn record(self, members: &[Member]) -> IncomeRecord {
        let persons = members
            .iter()
            .filter(|m| m.present_on(year_end(self.year)))
            .count() as i64;
        IncomeRecord::new(
            self.household,
            self.year,
            self.components,
            persons,
            self.note,
            self.updated_at,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_list_the_columns_once() {
        assert_eq!(
            UPDATE_HOUSEHOLD.as_str(),
            "UPDATE households SET household_number = $1, village_code = $2, group_name = $3, address = $4, phone = $5, bank_name = $6, \
             bank_account = $7, attribute = $8, identification_standard = $9, identification_year = $10, main_cause = $11, \
             other_causes = $12, living = $13, relocation = $14, updated_at = $15, updated_by = $16 WHERE id = $17"
        );
        assert_eq!(
            UPDATE_PERSON.as_str(),
            "UPDATE persons SET name = $1, id_number = $2, sex = $3, birth_date = $4, relation = $5, ethnicity = $6, education = $7, \
             schooling = $8, out_of_school_reason = $9, health = $10, labour_ability = $11, work_status = $12, work_months = $13, \
             disability = $14, basic_medical_insurance = $15, serious_illness_insurance = $16, pension_insurance = $17, phone = $18, \
             updated_at = $19 WHERE id = $20"
        );
        assert_eq!(
            UPDATE_INCOME.as_str(),
            "UPDATE incomes SET wage_fen = $3, business_fen = $4, property_fen = $5, dividend_fen = $6, transfer_fen = $7, \
             business_cost_fen = $8, note = $9, updated_at = $10, updated_by = $11 WHERE household_id = $1 AND year = $2"
        );
        assert!(INSERT_PERSON.starts_with("INSERT INTO persons (household_id, name, "));
        assert!(INSERT_PERSON.ends_with("$24) RETURNING id"));
        assert_eq!(HOUSEHOLD_NEW_WITH_ID.len(), HOUSEHOLD_NEW.len() + 1);
        assert_eq!(PERSON_NEW_WITH_ID.names()[..2], ["id", "household_id"]);
    }
}
