//! Pairing's tables as typed rows (see `crate::rows`): pairings, cadres, micro-wishes and visits —
//! their column lists, decoders and value builders, for the store's single writes and the import's
//! batches and export pages alike.

use crate::args;
use crate::rows::{concat, to_json, Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::pairing::{
    Cadre, CadreId, Claimant, Location, Pairing, PairingId, UnitId, Visit, VisitData, VisitId,
    Wish, WishId, WishStatus,
};
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, Fen, RegionCode};
use std::sync::LazyLock;
use time::OffsetDateTime;

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

/// Insert one visit (values of [`new_visit`] without an id), returning its id.
pub(crate) static INSERT_VISIT: Sql =
    Sql::new(|| format!("{} RETURNING id", VISIT_NEW.insert("visits")));

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
/// ([`INSERT_VISIT`]).
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
            INSERT_VISIT.as_str(),
            "INSERT INTO visits (household_id, village_code, date, kind, findings, problems, actions, follow_up, \
             condolence_money_fen, goods, goods_value_fen, lat, lon, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id"
        );
        assert_eq!(VISIT_NEW_WITH_ID.names()[0], "id");
        assert_eq!(VISIT_NEW_WITH_ID.len(), 16);
    }
}
