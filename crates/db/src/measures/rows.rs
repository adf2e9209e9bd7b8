//! Assistance measures' tables as typed rows (see `crate::rows`): measures with their household
//! and member, and their history — the column lists, decoders and value builders of every write
//! and read of a measure.

use crate::args;
use crate::rows::{concat, to_json, Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::measures::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{ServiceVersion, StoreResult};
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

/// A new measure's columns with its id first, for an import's copy (values: the id, then
/// [`new_measure`]'s).
pub(crate) static MEASURE_COPY: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["id"]), *MEASURE_NEW]));

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

/// The columns of a history row, for an import's copy (values of [`version_values`]).
pub(crate) static VERSION_COPY: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["measure_id"]), MeasureVersion::columns()]));

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

// ---- the services report's sums ----

/// A [`Tally`] summed over `measure_stats` rows (after the grouping columns).
impl Record for Tally {
    fn columns() -> Columns {
        Columns(&[
            "CAST(SUM(measures) AS BIGINT)",
            "CAST(SUM(amount_fen) AS BIGINT)",
            "CAST(SUM(a_fen) AS BIGINT)",
            "CAST(SUM(b_fen) AS BIGINT)",
            "CAST(SUM(c1) AS BIGINT)",
            "CAST(SUM(c2) AS BIGINT)",
            "CAST(SUM(c3) AS BIGINT)",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Tally {
            measures: c.i64()?,
            amount_fen: c.i64()?,
            a_fen: c.i64()?,
            b_fen: c.i64()?,
            c1: c.i64()?,
            c2: c.i64()?,
            c3: c.i64()?,
        })
    }
}

/// The sums of a [`Tally`] from `measure_stats`.
pub(crate) const TALLY_SUMS: Select<Tally> = Select::new();

/// A [`PlaceTally`] summed over `workplace_stats` rows (after the grouping columns).
impl Record for PlaceTally {
    fn columns() -> Columns {
        Columns(&[
            "CAST(SUM(n) AS BIGINT)",
            "CAST(SUM(in_poor) AS BIGINT)",
            "CAST(SUM(positions) AS BIGINT)",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(PlaceTally {
            n: c.i64()?,
            in_poor: c.i64()?,
            positions: c.i64()?,
        })
    }
}

/// The sums of a [`PlaceTally`] from `workplace_stats`.
pub(crate) const PLACE_SUMS: Select<PlaceTally> = Select::new();

/// An [`EventTally`] summed over `event_stats` rows (after the grouping columns).
impl Record for EventTally {
    fn columns() -> Columns {
        Columns(&[
            "CAST(SUM(events) AS BIGINT)",
            "CAST(SUM(served) AS BIGINT)",
            "CAST(SUM(registered) AS BIGINT)",
            "CAST(SUM(medicine_fen) AS BIGINT)",
            "CAST(SUM(leaflets) AS BIGINT)",
            "CAST(SUM(placed_in_county) AS BIGINT)",
            "CAST(SUM(placed_in_province) AS BIGINT)",
            "CAST(SUM(placed_cross_province) AS BIGINT)",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(EventTally {
            events: c.i64()?,
            served: c.i64()?,
            registered: c.i64()?,
            medicine_fen: c.i64()?,
            leaflets: c.i64()?,
            placed: Placements {
                in_county: c.i64()?,
                in_province: c.i64()?,
                cross_province: c.i64()?,
            },
        })
    }
}

/// The sums of an [`EventTally`] from `event_stats`.
pub(crate) const EVENT_SUMS: Select<EventTally> = Select::new();

// ---- workplaces and hires ----

/// Workplaces with their village.
pub(crate) const WORKPLACE_FROM: &str = "workplaces w JOIN regions r ON r.code = w.village_code";

/// The columns of a [`Workplace`] from [`WORKPLACE_FROM`]; `$1` is the day its labourers are
/// counted on.
pub(crate) const WORKPLACE_COLS: Select<Workplace> = Select::new();

impl Record for Workplace {
    fn columns() -> Columns {
        Columns(&[
            "w.id",
            "w.kind",
            "w.name",
            "w.village_code",
            "r.name",
            "w.in_poor_village",
            "w.work_type",
            "w.capacity",
            "w.operator",
            "w.opened",
            "w.closed",
            "w.note",
            "w.version",
            "w.updated_by",
            "w.updated_at",
            "(SELECT COUNT(*) FROM workplace_hires x WHERE x.workplace_id = w.id AND x.hire_date <= $1 AND (x.leave_date IS NULL OR x.leave_date >= $1))",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = WorkplaceId(c.i64()?);
        let kind = WorkplaceKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(Workplace {
            id,
            kind,
            kind_label: kind.label().to_string(),
            name: c.text()?,
            village_code: RegionCode::parse(&c.text()?)?,
            village_name: c.text()?,
            in_poor_village: c.bool()?,
            work_type: c.text()?,
            capacity: c.i32()?,
            operator: c.opt_text()?,
            opened: c.date()?,
            closed: c.opt_date()?,
            note: c.opt_text()?,
            version: c.i32()?,
            updated_by: c.text()?,
            updated_at: c.time()?,
            employed_now: c.i64()?,
        })
    }
}

/// What a workplace's validated fields fill that may change, in the order of [`workplace_data`].
const WORKPLACE_DATA: Columns = Columns(&[
    "name",
    "work_type",
    "capacity",
    "operator",
    "opened",
    "closed",
    "note",
]);

/// The values of [`WORKPLACE_DATA`].
fn workplace_data(d: &WorkplaceData) -> [Value; 7] {
    args![
        d.name.as_str(),
        d.work_type.as_str(),
        d.capacity,
        d.operator.clone(),
        d.opened,
        d.closed,
        d.note.clone()
    ]
}

/// The bookkeeping columns of a versioned row.
const STAMP: Columns = Columns(&["version", "updated_by", "updated_at"]);

/// A new workplace's columns, its id assigned by the database.
static WORKPLACE_NEW: LazyLock<Columns> = LazyLock::new(|| {
    concat(&[
        Columns(&["kind", "village_code", "in_poor_village"]),
        WORKPLACE_DATA,
        Columns(&["created_by", "created_at"]),
        STAMP,
    ])
});

/// Insert one workplace (values of [`new_workplace`]), returning its id.
pub(crate) static INSERT_WORKPLACE: Sql =
    Sql::new(|| format!("{} RETURNING id", WORKPLACE_NEW.insert("workplaces")));

/// A new workplace's row for [`INSERT_WORKPLACE`], at version 1.
pub(crate) fn new_workplace(d: &WorkplaceData, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    let mut v = Vec::with_capacity(WORKPLACE_NEW.len());
    v.extend(args![
        d.kind.as_str(),
        d.village_code.as_str(),
        d.in_poor_village
    ]);
    v.extend(workplace_data(d));
    v.extend(args![actor, now, 1i32, actor, now]);
    v
}

/// Replace a workplace's fields and bookkeeping (values of [`workplace_update`]).
pub(crate) static UPDATE_WORKPLACE: Sql = Sql::new(|| {
    let data = concat(&[WORKPLACE_DATA, STAMP]);
    format!(
        "UPDATE workplaces SET {} WHERE id = ${}",
        data.set(1),
        data.len() + 1
    )
});

/// The values of [`UPDATE_WORKPLACE`].
pub(crate) fn workplace_update(
    d: &WorkplaceData,
    version: i32,
    actor: &str,
    now: OffsetDateTime,
    id: WorkplaceId,
) -> Vec<Value> {
    let mut v = Vec::from(workplace_data(d));
    v.extend(args![version, actor, now, id.0]);
    v
}

/// Hires with their person and household.
pub(crate) const HIRE_FROM: &str = "workplace_hires x JOIN persons p ON p.id = x.person_id JOIN households h ON h.id = x.household_id";

/// The columns of a [`HireRow`] from [`HIRE_FROM`].
pub(crate) const HIRE_COLS: Select<HireRow> = Select::new();

/// A hire with the village of the labourer's household.
pub(crate) struct HireRow(pub Hire, pub RegionCode);

impl Record for HireRow {
    fn columns() -> Columns {
        Columns(&[
            "x.id",
            "x.workplace_id",
            "x.person_id",
            "p.name",
            "x.household_id",
            "h.household_number",
            "x.hire_date",
            "x.leave_date",
            "x.monthly_wage_fen",
            "x.version",
            "x.updated_by",
            "x.updated_at",
            "x.village_code",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(HireRow(
            Hire {
                id: HireId(c.i64()?),
                workplace_id: WorkplaceId(c.i64()?),
                person_id: PersonId(c.i64()?),
                person_name: c.text()?,
                household_id: HouseholdId(c.i64()?),
                household_number: c.text()?,
                hire_date: c.date()?,
                leave_date: c.opt_date()?,
                monthly_wage_fen: c.i64()?,
                version: c.i32()?,
                updated_by: c.text()?,
                updated_at: c.time()?,
            },
            RegionCode::parse(&c.text()?)?,
        ))
    }
}

/// What a hire's validated fields fill that may change, in the order of [`hire_data`].
const HIRE_DATA: Columns = Columns(&["hire_date", "leave_date", "monthly_wage_fen"]);

/// The values of [`HIRE_DATA`].
fn hire_data(d: &HireData) -> [Value; 3] {
    args![d.hire_date, d.leave_date, d.monthly_wage_fen]
}

/// A new hire's columns, its id assigned by the database.
static HIRE_NEW: LazyLock<Columns> = LazyLock::new(|| {
    concat(&[
        Columns(&["workplace_id", "person_id", "household_id", "village_code"]),
        HIRE_DATA,
        STAMP,
    ])
});

/// Insert one hire (values of [`new_hire`]), returning its id.
pub(crate) static INSERT_HIRE: Sql =
    Sql::new(|| format!("{} RETURNING id", HIRE_NEW.insert("workplace_hires")));

/// A new hire's row for [`INSERT_HIRE`], at version 1.
pub(crate) fn new_hire(
    at: WorkplaceId,
    d: &HireData,
    household: HouseholdId,
    village: &RegionCode,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(HIRE_NEW.len());
    v.extend(args![at.0, d.person_id.0, household.0, village.as_str()]);
    v.extend(hire_data(d));
    v.extend(args![1i32, actor, now]);
    v
}

/// Replace a hire's dates and wage and its bookkeeping (values of [`hire_update`]).
pub(crate) static UPDATE_HIRE: Sql = Sql::new(|| {
    let data = concat(&[HIRE_DATA, STAMP]);
    format!(
        "UPDATE workplace_hires SET {} WHERE id = ${}",
        data.set(1),
        data.len() + 1
    )
});

/// The values of [`UPDATE_HIRE`].
pub(crate) fn hire_update(
    d: &HireData,
    version: i32,
    actor: &str,
    now: OffsetDateTime,
    id: HireId,
) -> Vec<Value> {
    let mut v = Vec::from(hire_data(d));
    v.extend(args![version, actor, now, id.0]);
    v
}

// ---- service events ----

/// Events with their region.
pub(crate) const EVENT_FROM: &str = "service_events e JOIN regions r ON r.code = e.region_code";

/// The columns of an [`Event`] from [`EVENT_FROM`].
pub(crate) const EVENT_COLS: Select<Event> = Select::new();

impl Record for Event {
    fn columns() -> Columns {
        Columns(&[
            "e.id",
            "e.kind",
            "e.title",
            "e.region_code",
            "r.name",
            "e.place",
            "e.date",
            "e.served_total",
            "e.registered",
            "e.organiser",
            "e.medicine_fen",
            "e.leaflets",
            "e.placed_in_county",
            "e.placed_in_province",
            "e.placed_cross_province",
            "e.note",
            "e.version",
            "e.updated_by",
            "e.updated_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = EventId(c.i64()?);
        let kind = EventKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(Event {
            id,
            kind,
            kind_label: kind.label().to_string(),
            title: c.text()?,
            region_code: RegionCode::parse(&c.text()?)?,
            region_name: c.text()?,
            place: c.text()?,
            date: c.date()?,
            served_total: c.i64()?,
            registered: c.i64()?,
            organiser: c.opt_text()?,
            medicine_fen: c.i64()?,
            leaflets: c.i64()?,
            placed_others: Placements {
                in_county: c.i64()?,
                in_province: c.i64()?,
                cross_province: c.i64()?,
            },
            note: c.opt_text()?,
            version: c.i32()?,
            updated_by: c.text()?,
            updated_at: c.time()?,
        })
    }
}

/// What an event's validated fields fill that may change, in the order of [`event_data`].
const EVENT_DATA: Columns = Columns(&[
    "kind",
    "title",
    "place",
    "date",
    "served_total",
    "registered",
    "organiser",
    "medicine_fen",
    "leaflets",
    "placed_in_county",
    "placed_in_province",
    "placed_cross_province",
    "note",
]);

/// The values of [`EVENT_DATA`].
fn event_data(d: &EventData) -> [Value; 13] {
    args![
        d.kind.as_str(),
        d.title.as_str(),
        d.place.as_str(),
        d.date,
        d.served_total,
        d.person_ids.len() as i64,
        d.organiser.clone(),
        d.medicine_fen,
        d.leaflets,
        d.placed_others.in_county,
        d.placed_others.in_province,
        d.placed_others.cross_province,
        d.note.clone()
    ]
}

/// A new event's columns, its id assigned by the database.
static EVENT_NEW: LazyLock<Columns> = LazyLock::new(|| {
    concat(&[
        Columns(&["region_code"]),
        EVENT_DATA,
        Columns(&["created_by", "created_at"]),
        STAMP,
    ])
});

/// Insert one event (values of [`new_event`]), returning its id.
pub(crate) static INSERT_EVENT: Sql =
    Sql::new(|| format!("{} RETURNING id", EVENT_NEW.insert("service_events")));

/// A new event's row for [`INSERT_EVENT`], at version 1.
pub(crate) fn new_event(d: &EventData, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    let mut v = Vec::with_capacity(EVENT_NEW.len());
    v.extend(args![d.region_code.as_str()]);
    v.extend(event_data(d));
    v.extend(args![actor, now, 1i32, actor, now]);
    v
}

/// Replace an event's fields and bookkeeping (values of [`event_update`]).
pub(crate) static UPDATE_EVENT: Sql = Sql::new(|| {
    let data = concat(&[EVENT_DATA, STAMP]);
    format!(
        "UPDATE service_events SET {} WHERE id = ${}",
        data.set(1),
        data.len() + 1
    )
});

/// The values of [`UPDATE_EVENT`].
pub(crate) fn event_update(
    d: &EventData,
    version: i32,
    actor: &str,
    now: OffsetDateTime,
    id: EventId,
) -> Vec<Value> {
    let mut v = Vec::from(event_data(d));
    v.extend(args![version, actor, now, id.0]);
    v
}

/// The columns of an [`EventPerson`] from `event_persons x` with the person and household.
pub(crate) const EVENT_PERSON_COLS: Select<EventPerson> = Select::new();

impl Record for EventPerson {
    fn columns() -> Columns {
        Columns(&[
            "x.person_id",
            "p.name",
            "x.household_id",
            "h.household_number",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(EventPerson {
            person_id: PersonId(c.i64()?),
            name: c.text()?,
            household_id: HouseholdId(c.i64()?),
            household_number: c.text()?,
        })
    }
}

// ---- history of workplaces, hires and events ----

/// The columns of a [`ServiceVersion`] from `service_history`.
pub(crate) const SERVICE_VERSION_COLS: Select<ServiceVersion> = Select::new();

impl Record for ServiceVersion {
    fn columns() -> Columns {
        Columns(&[
            "entity",
            "entity_id",
            "version",
            "action",
            "data",
            "actor",
            "recorded_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(ServiceVersion {
            entity: c.text()?,
            entity_id: c.i64()?,
            version: c.i32()?,
            action: c.text()?,
            data: c.json()?,
            actor: c.text()?,
            recorded_at: c.time()?,
        })
    }
}

/// Append a version of a workplace, a hire or an event (values of [`service_version_values`]).
pub(crate) static INSERT_SERVICE_VERSION: Sql =
    Sql::new(|| ServiceVersion::columns().insert("service_history"));

/// A history row for [`INSERT_SERVICE_VERSION`].
pub(crate) fn service_version_values(v: &ServiceVersion) -> Vec<Value> {
    Vec::from(args![
        v.entity.as_str(),
        v.entity_id,
        v.version,
        v.action.as_str(),
        to_json(&v.data),
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
        assert_eq!(
            UPDATE_WORKPLACE.as_str(),
            "UPDATE workplaces SET name = $1, work_type = $2, capacity = $3, operator = $4, opened = $5, closed = $6, \
             note = $7, version = $8, updated_by = $9, updated_at = $10 WHERE id = $11"
        );
        assert_eq!(
            INSERT_HIRE.as_str(),
            "INSERT INTO workplace_hires (workplace_id, person_id, household_id, village_code, hire_date, leave_date, \
             monthly_wage_fen, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id"
        );
        assert_eq!(
            UPDATE_EVENT.as_str(),
            "UPDATE service_events SET kind = $1, title = $2, place = $3, date = $4, served_total = $5, registered = $6, \
             organiser = $7, medicine_fen = $8, leaflets = $9, placed_in_county = $10, placed_in_province = $11, \
             placed_cross_province = $12, note = $13, version = $14, updated_by = $15, updated_at = $16 WHERE id = $17"
        );
    }
}
