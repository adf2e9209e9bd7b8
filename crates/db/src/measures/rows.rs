//! Assistance measures' tables as typed rows (see `crate::rows`): measures with their household
//! and member, and their history — the column lists, decoders and value builders of every write
//! and read of a measure.

use crate::args;
use crate::rows::{concat, to_json, Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::measures::{
    Catalogue, Measure, MeasureData, MeasureId, MeasureStatus, MeasureVersion, Origin,
};
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, RegionCode};
use std::sync::LazyLock;
use time::OffsetDateTime;

/// Measures with their household and member.
pub(crate) const MEASURE_FROM: &str = "measures m JOIN households h ON h.id = m.household_id LEFT JOIN persons p ON p.id = m.person_id";

/// The columns of a [`Measure`] from [`MEASURE_FROM`].
pub(crate) const MEASURE_COLS: Select<Measure> = Select::new();

/// A measure as listed, its kind's label from the shipped catalogue.
impl Record for Measure {
    fn columns() -> Columns {
        Columns(&[
            "m.id",
            "m.household_id",
            "h.household_number",
            "m.village_code",
            "m.person_id",
            "p.name",
            "m.category",
            "m.kind",
            "m.start_date",
            "m.end_date",
            "m.amount_fen",
            "m.provider",
            "m.origin",
            "m.status",
            "m.note",
            "m.details",
            "m.version",
            "m.updated_by",
            "m.updated_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = MeasureId(c.i64()?);
        let household_id = HouseholdId(c.i64()?);
        let household_number = c.text()?;
        let village_code = RegionCode::parse(&c.text()?)?;
        let person_id = c.opt_i64()?.map(PersonId);
        let person_name = c.opt_text()?;
        let category = c.text()?;
        let kind = c.text()?;
        Ok(Measure {
            id,
            household_id,
            household_number,
            village_code,
            person_id,
            person_name,
            category,
            kind_label: Catalogue::shipped().label(&kind).to_string(),
            kind,
            start_date: c.date()?,
            end_date: c.opt_date()?,
            amount_fen: c.i64()?,
            provider: c.opt_text()?,
            origin: Origin::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            status: MeasureStatus::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            note: c.opt_text()?,
            details: c.json()?,
            version: c.i32()?,
            updated_by: c.text()?,
            updated_at: c.time()?,
        })
    }
}

/// What a measure's validated fields fill besides its household, in the order of
/// [`measure_data`].
const MEASURE_DATA: Columns = Columns(&[
    "person_id",
    "category",
    "kind",
    "start_date",
    "end_date",
    "amount_fen",
    "provider",
    "status",
    "note",
    "details",
    "destination",
]);

/// The values of [`MEASURE_DATA`].
fn measure_data(d: &MeasureData) -> [Value; 11] {
    args![
        d.person_id.map(|p| p.0),
        d.category.as_str(),
        d.kind.as_str(),
        d.start_date,
        d.end_date,
        d.amount_fen,
        d.provider.clone(),
        d.status.as_str(),
        d.note.clone(),
        to_json(&d.details),
        d.details.destination().map(|x| x.as_str())
    ]
}

/// A new measure's columns, its id assigned by the database.
static MEASURE_NEW: LazyLock<Columns> = LazyLock::new(|| {
    concat(&[
        Columns(&["household_id", "village_code", "origin"]),
        MEASURE_DATA,
        Columns(&[
            "version",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
        ]),
    ])
});

/// Insert one measure (values of [`new_measure`]), returning its id.
pub(crate) static INSERT_MEASURE: Sql =
    Sql::new(|| format!("{} RETURNING id", MEASURE_NEW.insert("measures")));

/// A new measure's row for [`INSERT_MEASURE`], at version 1.
pub(crate) fn new_measure(
    d: &MeasureData,
    village: &RegionCode,
    origin: Origin,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(MEASURE_NEW.len());
    v.extend(args![d.household_id.0, village.as_str(), origin.as_str()]);
    v.extend(measure_data(d));
    v.extend(args![1i64, actor, now, actor, now]);
    v
}

/// Replace a measure's fields (values of [`measure_update`]).
pub(crate) static UPDATE_MEASURE: Sql = Sql::new(|| {
    let n = MEASURE_DATA.len();
    format!(
        "UPDATE measures SET {}, version = ${}, updated_by = ${}, updated_at = ${} WHERE id = ${}",
        MEASURE_DATA.set(1),
        n + 1,
        n + 2,
        n + 3,
        n + 4
    )
});

/// The values of [`UPDATE_MEASURE`].
pub(crate) fn measure_update(
    d: &MeasureData,
    version: i32,
    actor: &str,
    now: OffsetDateTime,
    id: MeasureId,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(MEASURE_DATA.len() + 4);
    v.extend(measure_data(d));
    v.extend(args![version, actor, now, id.0]);
    v
}

// ---- history ----

/// The columns of a [`MeasureVersion`] from `measure_history`.
pub(crate) const VERSION_COLS: Select<MeasureVersion> = Select::new();

impl Record for MeasureVersion {
    fn columns() -> Columns {
        Columns(&[
            "version",
            "action",
            "data",
            "origin",
            "actor",
            "recorded_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(MeasureVersion {
            version: c.i32()?,
            action: c.text()?,
            data: c.json()?,
            origin: Origin::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            actor: c.text()?,
            recorded_at: c.time()?,
        })
    }
}

/// Append a version to a measure's history (values of [`version_values`]).
pub(crate) static INSERT_VERSION: Sql = Sql::new(|| {
    concat(&[Columns(&["measure_id"]), MeasureVersion::columns()]).insert("measure_history")
});

/// A history row for [`INSERT_VERSION`].
pub(crate) fn version_values(id: MeasureId, v: &MeasureVersion) -> Vec<Value> {
    Vec::from(args![
        id.0,
        v.version,
        v.action.as_str(),
        to_json(&v.data),
        v.origin.as_str(),
        v.actor.as_str(),
        v.recorded_at
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_statements_list_their_columns() {
        assert_eq!(
            INSERT_MEASURE.as_str(),
            "INSERT INTO measures (household_id, village_code, origin, person_id, category, kind, start_date, \
             end_date, amount_fen, provider, status, note, details, destination, version, created_by, created_at, \
             updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19) RETURNING id"
        );
        assert_eq!(
            UPDATE_MEASURE.as_str(),
            "UPDATE measures SET person_id = $1, category = $2, kind = $3, start_date = $4, end_date = $5, \
             amount_fen = $6, provider = $7, status = $8, note = $9, details = $10, destination = $11, version = $12, \
             updated_by = $13, updated_at = $14 WHERE id = $15"
        );
        assert_eq!(
            INSERT_VERSION.as_str(),
            "INSERT INTO measure_history (measure_id, version, action, data, origin, actor, recorded_at) VALUES \
             ($1, $2, $3, $4, $5, $6, $7)"
        );
    }
}
