//! Pairing's tables as typed rows (see `crate::rows`): pairings, cadres, micro-wishes and visits —
//! their column lists, decoders and value builders, for the store's single writes and the import's
//! batches and export pages alike.

use crate::args;
use crate::rows::{concat, to_json, Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::pairing::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, Fen, RegionCode};
use std::sync::LazyLock;
use time::{Date, OffsetDateTime};

/// Pairings with their household, cadre and unit.
pub(crate) const PAIRING_FROM: &str = "pairings p JOIN households h ON h.id = p.household_id JOIN cadres c ON c.id = p.cadre_id JOIN helping_units u ON u.id = c.unit_id";

/// The columns of a [`Pairing`] from [`PAIRING_FROM`].
pub(crate) const PAIRING_COLS: Select<Pairing> = Select::new();

/// A pairing as listed, from [`PAIRING_FROM`].
impl Record for Pairing {
    fn columns() -> Columns {
        Columns(&[
            "p.id",
            "p.household_id",
            "h.household_number",
            "h.village_code",
            "p.cadre_id",
            "c.name",
            "u.name",
            "p.start_date",
            "p.end_date",
            "p.end_reason",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Pairing {
            id: PairingId(c.i64()?),
            household_id: HouseholdId(c.i64()?),
            household_number: c.text()?,
            village_code: RegionCode::parse(&c.text()?)?,
            cadre_id: CadreId(c.i64()?),
            cadre_name: c.text()?,
            unit_name: c.text()?,
            start_date: c.date()?,
            end_date: c.opt_date()?,
            end_reason: c.opt_text()?,
        })
    }
}

/// Cadres with their unit.
pub(crate) const CADRE_FROM: &str = "cadres c JOIN helping_units u ON u.id = c.unit_id";

/// The columns of a [`Cadre`] from [`CADRE_FROM`].
pub(crate) const CADRE_COLS: Select<Cadre> = Select::new();

/// A cadre with the unit's name, from [`CADRE_FROM`].
impl Record for Cadre {
    fn columns() -> Columns {
        Columns(&[
            "c.id",
            "c.name",
            "c.unit_id",
            "u.name",
            "c.rank",
            "c.phone",
            "c.user_id",
            "c.region_code",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Cadre {
            id: CadreId(c.i64()?),
            name: c.text()?,
            unit_id: UnitId(c.i64()?),
            unit_name: c.text()?,
            rank: c.opt_text()?,
            phone: c.opt_text()?,
            user_id: c.opt_i64()?,
            region_code: c.opt_text()?.map(|r| RegionCode::parse(&r)).transpose()?,
        })
    }
}

/// The columns of a [`Wish`] from `wishes w`.
pub(crate) const WISH_COLS: Select<Wish> = Select::new();

/// A micro-wish (`wishes w`) with whether evidence is attached.
impl Record for Wish {
    fn columns() -> Columns {
        Columns(&[
            "w.id",
            "w.household_id",
            "w.person_id",
            "w.text",
            "w.estimated_value_fen",
            "w.status",
            "w.submitted_on",
            "w.claimed_by_cadre",
            "w.claimed_by_unit",
            "w.claimed_on",
            "w.fulfilled_on",
            "w.actual_value_fen",
            "w.cancelled_on",
            "w.cancel_reason",
            "(SELECT COUNT(*) FROM photos ph WHERE ph.wish_id = w.id)",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = WishId(c.i64()?);
        let household_id = HouseholdId(c.i64()?);
        let person_id = c.opt_i64()?.map(PersonId);
        let text = c.text()?;
        let estimated_value_fen = c.i64()?;
        let status = WishStatus::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let submitted_on = c.date()?;
        let claimed_by = match (c.opt_i64()?, c.opt_i64()?) {
            (Some(cadre), _) => Some(Claimant::Cadre(CadreId(cadre))),
            (None, Some(unit)) => Some(Claimant::Unit(UnitId(unit))),
            _ => None,
        };
        Ok(Wish {
            id,
            household_id,
            person_id,
            text,
            estimated_value_fen,
            status,
            submitted_on,
            claimed_by,
            claimed_on: c.opt_date()?,
            fulfilled_on: c.opt_date()?,
            actual_value_fen: c.opt_i64()?,
            cancelled_on: c.opt_date()?,
            cancel_reason: c.opt_text()?,
            has_evidence: c.i64()? > 0,
        })
    }
}

// ---- visits ----

/// What a visit's record holds besides its key, household, village and bookkeeping, in the order
/// of [`visit_data`].
const VISIT_DATA: Columns = Columns(&[
    "findings",
    "problems",
    "actions",
    "follow_up",
    "condolence_money_fen",
    "goods",
    "goods_value_fen",
    "lat",
    "lon",
]);

/// A new visit's columns, its id assigned by the database.
static VISIT_NEW: LazyLock<Columns> = LazyLock::new(|| {
    concat(&[
        Columns(&["household_id", "village_code", "date", "kind"]),
        VISIT_DATA,
        Columns(&["recorded_by", "recorded_at"]),
    ])
});

/// A new visit's columns with its id (the import reserves ids in blocks).
pub(crate) static VISIT_NEW_WITH_ID: LazyLock<Columns> =
    LazyLock::new(|| concat(&[Columns(&["id"]), *VISIT_NEW]));

/// Insert one visit (values of [`new_visit`] without an id, then the household's number),
/// answering the new visit's columns in the order of `Visit::columns`, the household's number
/// being the value given: a new visit is decoded from what the database stored rather than read
/// back.
pub(crate) static INSERT_VISIT_RETURNING: Sql = Sql::new(|| {
    let number = format!("${}", VISIT_NEW.len() + 1);
    let cols: Vec<String> = Visit::columns()
        .names()
        .iter()
        .map(|c| match c.strip_prefix("v.") {
            Some(own) => own.to_string(),
            None => number.clone(),
        })
        .collect();
    format!(
        "{} RETURNING {}",
        VISIT_NEW.insert("visits"),
        cols.join(", ")
    )
});

/// Replace a visit's record (values of [`visit_update`]).
pub(crate) static UPDATE_VISIT: Sql = Sql::new(|| {
    format!(
        "UPDATE visits SET {} WHERE id = ${}",
        VISIT_DATA.set(1),
        VISIT_DATA.len() + 1
    )
});

/// The cadres of a visit.
pub(crate) const VISIT_CADRES: Columns = Columns(&["visit_id", "cadre_id"]);

/// The values of [`VISIT_DATA`].
fn visit_data(d: &VisitData) -> [Value; 9] {
    let (lat, lon) = d
        .location
        .map(|l| (Some(l.lat), Some(l.lon)))
        .unwrap_or((None, None));
    args![
        to_json(&d.findings),
        d.problems.clone(),
        d.actions.clone(),
        d.follow_up.clone(),
        d.condolence_money_fen.get(),
        to_json(&d.goods),
        d.goods_value().get(),
        lat,
        lon
    ]
}

/// A new visit's row: with its id when given ([`VISIT_NEW_WITH_ID`]), else without
/// ([`INSERT_VISIT_RETURNING`]).
pub(crate) fn new_visit(
    id: Option<VisitId>,
    d: &VisitData,
    village: &RegionCode,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(VISIT_DATA.len() + 7);
    if let Some(id) = id {
        v.push(Value::from(id.0));
    }
    v.extend(args![
        d.household_id.0,
        village.as_str(),
        d.date,
        d.kind.as_str()
    ]);
    v.extend(visit_data(d));
    v.extend(args![actor, now]);
    v
}

/// The values of [`UPDATE_VISIT`].
pub(crate) fn visit_update(d: &VisitData, id: VisitId) -> Vec<Value> {
    let mut v = Vec::with_capacity(VISIT_DATA.len() + 1);
    v.extend(visit_data(d));
    v.push(Value::from(id.0));
    v
}

fn location(lat: Option<f64>, lon: Option<f64>) -> Option<Location> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => Some(Location { lat, lon }),
        _ => None,
    }
}

/// A visit with its household's number (`visits v JOIN households h`); its cadres and photos are
/// read apart.
impl Record for Visit {
    fn columns() -> Columns {
        Columns(&[
            "v.id",
            "v.household_id",
            "h.household_number",
            "v.village_code",
            "v.date",
            "v.kind",
            "v.findings",
            "v.problems",
            "v.actions",
            "v.follow_up",
            "v.condolence_money_fen",
            "v.goods",
            "v.goods_value_fen",
            "v.lat",
            "v.lon",
            "v.recorded_by",
            "v.recorded_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Visit {
            id: VisitId(c.i64()?),
            household_id: HouseholdId(c.i64()?),
            household_number: c.text()?,
            village_code: RegionCode::parse(&c.text()?)?,
            date: c.date()?,
            kind: c.text()?,
            cadres: Vec::new(),
            findings: c.json()?,
            problems: c.opt_text()?,
            actions: c.opt_text()?,
            follow_up: c.opt_text()?,
            condolence_money_fen: c.i64()?,
            goods: c.json()?,
            goods_value_fen: c.i64()?,
            location: location(c.opt_f64()?, c.opt_f64()?),
            photos: Vec::new(),
            recorded_by: c.text()?,
            recorded_at: c.time()?,
        })
    }
}

/// A stored visit's record as the import compares with it (`visits v`; cadres read apart).
pub(crate) struct StoredVisit(pub VisitId, pub VisitData);

impl Record for StoredVisit {
    fn columns() -> Columns {
        Columns(&[
            "v.id",
            "v.household_id",
            "v.date",
            "v.kind",
            "v.findings",
            "v.problems",
            "v.actions",
            "v.follow_up",
            "v.condolence_money_fen",
            "v.goods",
            "v.lat",
            "v.lon",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StoredVisit(
            VisitId(c.i64()?),
            VisitData {
                household_id: HouseholdId(c.i64()?),
                date: c.date()?,
                kind: c.text()?,
                cadre_ids: Vec::new(),
                findings: c.json()?,
                problems: c.opt_text()?,
                actions: c.opt_text()?,
                follow_up: c.opt_text()?,
                condolence_money_fen: Fen::new(c.i64()?),
                goods: c.json()?,
                location: location(c.opt_f64()?, c.opt_f64()?),
            },
        ))
    }
}

// ---- helping units, designations, work teams, photos ----

/// The columns of a [`HelpingUnit`] from `helping_units`.
pub(crate) const UNIT_COLS: Select<HelpingUnit> = Select::new();

/// A helping unit, its contact's phone as stored.
impl Record for HelpingUnit {
    fn columns() -> Columns {
        Columns(&["id", "name", "level", "contact_name", "contact_phone"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(HelpingUnit {
            id: UnitId(c.i64()?),
            name: c.text()?,
            level: c.text()?,
            contact_name: c.opt_text()?,
            contact_phone: c.opt_text()?,
        })
    }
}

/// Insert one helping unit (values of [`new_unit`]), returning its id.
pub(crate) static INSERT_UNIT: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&[
            "name",
            "level",
            "contact_name",
            "contact_phone",
            "created_at"
        ])
        .insert("helping_units")
    )
});

/// A new unit's row for [`INSERT_UNIT`].
pub(crate) fn new_unit(u: &HelpingUnitInput, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        u.name.as_str(),
        u.level.as_str(),
        u.contact_name.clone(),
        u.contact_phone.clone(),
        now
    ])
}

/// Designations with their unit.
pub(crate) const DESIGNATION_FROM: &str = "designations d JOIN helping_units u ON u.id = d.unit_id";

/// The columns of a [`Designation`] from [`DESIGNATION_FROM`].
pub(crate) const DESIGNATION_COLS: Select<Designation> = Select::new();

impl Record for Designation {
    fn columns() -> Columns {
        Columns(&[
            "d.id",
            "d.unit_id",
            "u.name",
            "d.village_code",
            "d.start_date",
            "d.end_date",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Designation {
            id: DesignationId(c.i64()?),
            unit_id: UnitId(c.i64()?),
            unit_name: c.text()?,
            village_code: RegionCode::parse(&c.text()?)?,
            start_date: c.date()?,
            end_date: c.opt_date()?,
        })
    }
}

/// Insert one designation (values of [`new_designation`]), returning its id.
pub(crate) static INSERT_DESIGNATION: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&["unit_id", "village_code", "start_date", "end_date"]).insert("designations")
    )
});

/// A new designation's row for [`INSERT_DESIGNATION`].
pub(crate) fn new_designation(
    unit: UnitId,
    village: &RegionCode,
    start: Date,
    end: Option<Date>,
) -> Vec<Value> {
    Vec::from(args![unit.0, village.as_str(), start, end])
}

/// Work-team members with their cadre and unit.
pub(crate) const TEAM_FROM: &str =
    "team_members t JOIN cadres c ON c.id = t.cadre_id JOIN helping_units u ON u.id = c.unit_id";

/// The columns of a [`TeamMember`] from [`TEAM_FROM`].
pub(crate) const TEAM_COLS: Select<TeamMember> = Select::new();

impl Record for TeamMember {
    fn columns() -> Columns {
        Columns(&[
            "t.id",
            "t.cadre_id",
            "c.name",
            "u.name",
            "t.village_code",
            "t.role",
            "t.start_date",
            "t.end_date",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(TeamMember {
            id: TeamMemberId(c.i64()?),
            cadre_id: CadreId(c.i64()?),
            cadre_name: c.text()?,
            unit_name: c.text()?,
            village_code: RegionCode::parse(&c.text()?)?,
            role: TeamRole::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            start_date: c.date()?,
            end_date: c.opt_date()?,
        })
    }
}

/// Insert one work-team member (values of [`new_team_member`]), returning its id.
pub(crate) static INSERT_TEAM_MEMBER: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&["cadre_id", "village_code", "role", "start_date", "end_date"])
            .insert("team_members")
    )
});

/// A new member's row for [`INSERT_TEAM_MEMBER`].
pub(crate) fn new_team_member(m: &TeamMemberInput, village: &RegionCode) -> Vec<Value> {
    Vec::from(args![
        m.cadre_id.0,
        village.as_str(),
        m.role.as_str(),
        m.start_date,
        m.end_date
    ])
}

/// The columns of a [`PhotoRef`] from `photos`.
pub(crate) const PHOTO_COLS: Select<PhotoRef> = Select::new();

impl Record for PhotoRef {
    fn columns() -> Columns {
        Columns(&["id", "content_type", "size"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(PhotoRef {
            id: c.i64()?,
            content_type: c.text()?,
            size: c.i64()?,
        })
    }
}

/// Insert one photo (values of [`new_photo`]), returning its id.
pub(crate) static INSERT_PHOTO: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&[
            "household_id",
            "visit_id",
            "wish_id",
            "content_type",
            "size",
            "data",
            "created_at",
        ])
        .insert("photos")
    )
});

/// A photo's row for [`INSERT_PHOTO`].
pub(crate) fn new_photo(
    household: HouseholdId,
    visit: Option<VisitId>,
    wish: Option<WishId>,
    content_type: &str,
    bytes: Vec<u8>,
    now: OffsetDateTime,
) -> Vec<Value> {
    let size = bytes.len() as i64;
    Vec::from(args![
        household.0,
        visit.map(|v| v.0),
        wish.map(|w| w.0),
        content_type,
        size,
        bytes,
        now
    ])
}

/// A pairing's span with its household's village (`pairings p JOIN households h`), for compliance.
pub(crate) struct SpanRow(pub PairingSpan, pub RegionCode);

/// The columns of a [`SpanRow`].
pub(crate) const SPAN_COLS: Select<SpanRow> = Select::new();

impl Record for SpanRow {
    fn columns() -> Columns {
        Columns(&[
            "p.id",
            "p.household_id",
            "p.cadre_id",
            "p.start_date",
            "p.end_date",
            "h.village_code",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(SpanRow(
            PairingSpan {
                id: PairingId(c.i64()?),
                household_id: HouseholdId(c.i64()?),
                cadre_id: CadreId(c.i64()?),
                start: c.date()?,
                end: c.opt_date()?,
            },
            RegionCode::parse(&c.text()?)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visit_statements_list_the_columns_once() {
        assert_eq!(
            UPDATE_VISIT.as_str(),
            "UPDATE visits SET findings = $1, problems = $2, actions = $3, follow_up = $4, condolence_money_fen = $5, \
             goods = $6, goods_value_fen = $7, lat = $8, lon = $9 WHERE id = $10"
        );
        assert_eq!(
            INSERT_VISIT_RETURNING.as_str(),
            "INSERT INTO visits (household_id, village_code, date, kind, findings, problems, actions, follow_up, \
             condolence_money_fen, goods, goods_value_fen, lat, lon, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id, household_id, $16, village_code, date, kind, \
             findings, problems, actions, follow_up, condolence_money_fen, goods, goods_value_fen, lat, lon, recorded_by, \
             recorded_at"
        );
        assert_eq!(VISIT_NEW_WITH_ID.names()[0], "id");
        assert_eq!(VISIT_NEW_WITH_ID.len(), 16);
    }
}
