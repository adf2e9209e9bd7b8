//! The assessment's tables as typed rows (see `crate::rows`): standards (parameters),
//! household-year facts, risk events, procedure cases and the early-warning list — their column
//! lists, decoders and value builders, for the store's single writes and the import's batches
//! alike.

use super::{case_view, json_err};
use crate::args;
use crate::rows::{concat, to_json, Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::assessment::{
    HouseholdYearInput, MonitoredKind, Parameter, ProcedureCase, ProcedureKind, RigidSpending,
    RiskEventRecord, WarningRow, YearFacts,
};
use fupin_core::codes::CodeBook;
use fupin_core::registry::HouseholdId;
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, Fen, RegionCode};
use std::sync::LazyLock;
use time::OffsetDateTime;

// ---- parameters (standards) ----

/// The columns of a [`Parameter`] from `parameters`.
pub(crate) const PARAMETER_COLS: Select<Parameter> = Select::new();

/// A standard; the nationwide one stored with an empty region prefix.
impl Record for Parameter {
    fn columns() -> Columns {
        Columns(&[
            "key",
            "region_prefix",
            "year",
            "value",
            "source",
            "confirmed",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let key = c.text()?;
        let prefix = c.text()?;
        Ok(Parameter {
            key,
            region_prefix: if prefix.is_empty() {
                None
            } else {
                Some(RegionCode::parse(&prefix)?)
            },
            year: c.i32()?,
            value: c.json()?,
            source: c.text()?,
            confirmed: c.bool()?,
        })
    }
}

/// Insert or replace a standard (values of [`parameter_values`]).
pub(crate) static PUT_PARAMETER: Sql = Sql::new(|| {
    let cols = concat(&[Parameter::columns(), Columns(&["updated_by", "updated_at"])]);
    format!(
        "{} ON CONFLICT (key, region_prefix, year) DO UPDATE SET value = excluded.value, source = excluded.source, \
         confirmed = excluded.confirmed, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        cols.insert("parameters")
    )
});

/// A standard's row for [`PUT_PARAMETER`].
pub(crate) fn parameter_values(p: &Parameter, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        p.key.as_str(),
        p.region_prefix
            .as_ref()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        p.year,
        to_json(&p.value),
        p.source.as_str(),
        p.confirmed,
        actor,
        now
    ])
}

// ---- household-year facts ----

/// What verification found for a household in a year, as stored (`household_years`).
pub(crate) struct StoredYear(pub HouseholdId, pub i32, pub HouseholdYearInput);

/// The columns of a [`StoredYear`].
pub(crate) const YEAR_COLS: Select<StoredYear> = Select::new();

impl Record for StoredYear {
    fn columns() -> Columns {
        Columns(&[
            "household_id",
            "year",
            "food_secure",
            "clothing_secure",
            "medical_spending_fen",
            "education_spending_fen",
            "disaster_spending_fen",
            "income_stable_months",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StoredYear(
            HouseholdId(c.i64()?),
            c.i32()?,
            HouseholdYearInput {
                food_secure: c.opt_bool()?,
                clothing_secure: c.opt_bool()?,
                medical_spending_fen: c.i64()?,
                education_spending_fen: c.i64()?,
                disaster_spending_fen: c.i64()?,
                income_stable_months: c.opt_i32()?,
            },
        ))
    }
}

impl StoredYear {
    /// The facts the exit assessment and screening read.
    pub fn facts(&self) -> YearFacts {
        let y = &self.2;
        YearFacts {
            food: y.food_secure,
            clothing: y.clothing_secure,
            spending: RigidSpending {
                medical: Fen::new(y.medical_spending_fen),
                education: Fen::new(y.education_spending_fen),
                disaster: Fen::new(y.disaster_spending_fen),
            },
            stable_months: y.income_stable_months,
            measures: Default::default(),
        }
    }
}

/// Insert or replace a household's year (values of [`household_year_values`]).
pub(crate) static PUT_HOUSEHOLD_YEAR: Sql = Sql::new(|| {
    let cols = concat(&[
        StoredYear::columns(),
        Columns(&["updated_by", "updated_at"]),
    ]);
    format!(
        "{} ON CONFLICT (household_id, year) DO UPDATE SET food_secure = excluded.food_secure, \
         clothing_secure = excluded.clothing_secure, medical_spending_fen = excluded.medical_spending_fen, \
         education_spending_fen = excluded.education_spending_fen, disaster_spending_fen = excluded.disaster_spending_fen, \
         income_stable_months = excluded.income_stable_months, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        cols.insert("household_years")
    )
});

/// A household-year's row for [`PUT_HOUSEHOLD_YEAR`].
pub(crate) fn household_year_values(
    household: HouseholdId,
    year: i32,
    y: &HouseholdYearInput,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![
        household.0,
        year,
        y.food_secure,
        y.clothing_secure,
        y.medical_spending_fen,
        y.education_spending_fen,
        y.disaster_spending_fen,
        y.income_stable_months,
        actor,
        now
    ])
}

// ---- risk events ----

/// A risk event as stored (`risk_events`), its label still to be read from the code tables
/// ([`StoredRisk::labelled`]).
pub(crate) struct StoredRisk(RiskEventRecord);

/// The columns of a [`StoredRisk`].
pub(crate) const RISK_COLS: Select<StoredRisk> = Select::new();

impl Record for StoredRisk {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "household_id",
            "date",
            "risk_type",
            "note",
            "resolved_on",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StoredRisk(RiskEventRecord {
            id: c.i64()?,
            household_id: HouseholdId(c.i64()?),
            date: c.date()?,
            risk_type: c.text()?,
            risk_label: String::new(),
            note: c.opt_text()?,
            resolved_on: c.opt_date()?,
        }))
    }
}

impl StoredRisk {
    /// The record with its risk type's label.
    pub fn labelled(self, codes: &CodeBook) -> RiskEventRecord {
        let mut r = self.0;
        r.risk_label = codes.label("risk_type", &r.risk_type).to_string();
        r
    }
}

/// A new risk event's columns, its id assigned by the database.
const RISK_NEW: Columns = Columns(&[
    "household_id",
    "village_code",
    "date",
    "risk_type",
    "note",
    "resolved_on",
    "recorded_by",
    "recorded_at",
]);

/// A new risk event's columns with its id (the import reserves ids in blocks).
pub(crate) static RISK_NEW_WITH_ID: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["id"]), RISK_NEW]));

/// Insert one risk event (values of [`new_risk_event`] without an id), returning its id.
pub(crate) static INSERT_RISK_EVENT: Sql =
    Sql::new(|| format!("{} RETURNING id", RISK_NEW.insert("risk_events")));

/// A new risk event's row (`e`'s id is not read): with its id when given ([`RISK_NEW_WITH_ID`]),
/// else without ([`INSERT_RISK_EVENT`]).
pub(crate) fn new_risk_event(
    id: Option<i64>,
    e: &RiskEventRecord,
    village: &RegionCode,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(RISK_NEW.len() + 1);
    if let Some(id) = id {
        v.push(Value::from(id));
    }
    v.extend(args![
        e.household_id.0,
        village.as_str(),
        e.date,
        e.risk_type.as_str(),
        e.note.clone(),
        e.resolved_on,
        actor,
        now
    ]);
    v
}

/// Record when a risk event was resolved, and its note (values: date, note, id).
pub(crate) const RESOLVE_RISK_EVENT: &str =
    "UPDATE risk_events SET resolved_on = $1, note = $2 WHERE id = $3";

// ---- procedure cases ----

/// Cases with their household.
pub(crate) const CASE_FROM: &str = "procedures c JOIN households h ON h.id = c.household_id";

/// A case as stored (from [`CASE_FROM`]): its key, household, village, year and state.
pub(crate) struct StoredCase {
    pub id: i64,
    pub kind: ProcedureKind,
    pub household_id: HouseholdId,
    pub household_number: String,
    pub village: RegionCode,
    pub year: i32,
    pub state: serde_json::Value,
}

/// The columns of a [`StoredCase`].
pub(crate) const CASE_COLS: Select<StoredCase> = Select::new();

impl Record for StoredCase {
    fn columns() -> Columns {
        Columns(&[
            "c.id",
            "c.kind",
            "c.household_id",
            "h.household_number",
            "c.village_code",
            "c.year",
            "c.state",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StoredCase {
            id: c.i64()?,
            kind: ProcedureKind::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            household_id: HouseholdId(c.i64()?),
            household_number: c.text()?,
            village: RegionCode::parse(&c.text()?)?,
            year: c.i32()?,
            state: serde_json::from_str(&c.text()?).map_err(json_err)?,
        })
    }
}

impl StoredCase {
    /// The client view of the case.
    pub fn view(&self) -> StoreResult<ProcedureCase> {
        case_view(
            self.id,
            self.kind,
            self.household_id,
            self.household_number.clone(),
            self.village.clone(),
            self.year,
            &self.state,
        )
    }
}

/// A new case's columns, its id assigned by the database.
const CASE_NEW: Columns = Columns(&[
    "kind",
    "household_id",
    "village_code",
    "year",
    "step",
    "finished",
    "state",
    "created_at",
    "updated_at",
]);

/// A new case's columns with its id (the import reserves ids in blocks).
pub(crate) static CASE_NEW_WITH_ID: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["id"]), CASE_NEW]));

/// Insert one case (values of [`new_case`] without an id), returning its id.
pub(crate) static INSERT_CASE: Sql =
    Sql::new(|| format!("{} RETURNING id", CASE_NEW.insert("procedures")));

/// What a new case is: its kind, household and year, and the state its workflow is in.
pub(crate) struct NewCase<'a> {
    pub kind: ProcedureKind,
    pub household_id: HouseholdId,
    pub village: &'a RegionCode,
    pub year: i32,
    pub step: &'a str,
    pub finished: bool,
    pub state: &'a serde_json::Value,
}

/// A new case's row: with its id when given ([`CASE_NEW_WITH_ID`]), else without
/// ([`INSERT_CASE`]).
pub(crate) fn new_case(id: Option<i64>, c: &NewCase<'_>, now: OffsetDateTime) -> Vec<Value> {
    let mut v = Vec::with_capacity(CASE_NEW.len() + 1);
    if let Some(id) = id {
        v.push(Value::from(id));
    }
    v.extend(args![
        c.kind.as_str(),
        c.household_id.0,
        c.village.as_str(),
        c.year,
        c.step,
        c.finished,
        c.state.to_string(),
        now,
        now
    ]);
    v
}

/// Move a case on (values of [`case_update`]).
pub(crate) const UPDATE_CASE: &str =
    "UPDATE procedures SET step = $1, finished = $2, state = $3, updated_at = $4 WHERE id = $5";

/// The values of [`UPDATE_CASE`].
pub(crate) fn case_update(
    step: &str,
    finished: bool,
    state: &serde_json::Value,
    now: OffsetDateTime,
    id: i64,
) -> [Value; 5] {
    args![step, finished, state.to_string(), now, id]
}

// ---- early warnings ----

/// Warnings with their household and its head's name.
pub(crate) const WARNING_FROM: &str = "early_warnings w JOIN households h ON h.id = w.household_id";

/// The columns of a [`WarningRow`] from [`WARNING_FROM`].
pub(crate) const WARNING_COLS: Select<WarningRow> = Select::new();

impl Record for WarningRow {
    fn columns() -> Columns {
        Columns(&[
            "w.household_id",
            "h.household_number",
            "(SELECT p.name FROM persons p WHERE p.household_id = h.id AND p.active AND p.relation = '01')",
            "w.village_code",
            "w.year",
            "w.flags",
            "w.suggested_kind",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(WarningRow {
            household_id: HouseholdId(c.i64()?),
            household_number: c.text()?,
            head_name: c.opt_text()?,
            village_code: c.text()?,
            year: c.i32()?,
            flags: c.json()?,
            suggested_kind: MonitoredKind::parse(&c.text()?).ok_or_else(DomainError::internal)?,
        })
    }
}

/// Insert or replace a household's warning for a year (values of [`warning_values`]).
pub(crate) static PUT_WARNING: Sql = Sql::new(|| {
    let cols = Columns(&[
        "household_id",
        "year",
        "village_code",
        "flags",
        "suggested_kind",
        "updated_at",
    ]);
    format!(
        "{} ON CONFLICT (household_id, year) DO UPDATE SET village_code = excluded.village_code, \
         flags = excluded.flags, suggested_kind = excluded.suggested_kind, updated_at = excluded.updated_at",
        cols.insert("early_warnings")
    )
});

/// A warning's row for [`PUT_WARNING`].
pub(crate) fn warning_values(w: &WarningRow, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        w.household_id.0,
        w.year,
        w.village_code.as_str(),
        to_json(&w.flags),
        w.suggested_kind.as_str(),
        now
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assessment_statements_list_their_columns() {
        assert_eq!(
            PUT_HOUSEHOLD_YEAR.as_str(),
            "INSERT INTO household_years (household_id, year, food_secure, clothing_secure, medical_spending_fen, \
             education_spending_fen, disaster_spending_fen, income_stable_months, updated_by, updated_at) VALUES ($1, \
             $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (household_id, year) DO UPDATE SET food_secure = \
             excluded.food_secure, clothing_secure = excluded.clothing_secure, medical_spending_fen = \
             excluded.medical_spending_fen, education_spending_fen = excluded.education_spending_fen, \
             disaster_spending_fen = excluded.disaster_spending_fen, income_stable_months = \
             excluded.income_stable_months, updated_by = excluded.updated_by, updated_at = excluded.updated_at"
        );
        assert_eq!(
            INSERT_CASE.as_str(),
            "INSERT INTO procedures (kind, household_id, village_code, year, step, finished, state, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        );
        assert_eq!(RISK_NEW_WITH_ID.len(), 9);
        assert_eq!(CASE_NEW_WITH_ID.names()[0], "id");
    }
}
