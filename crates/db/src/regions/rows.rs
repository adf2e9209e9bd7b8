//! The regions' tables as typed rows (see `crate::rows`): regions and village profiles — their
//! column lists, decoders and value builders, for the store's single writes, the region import,
//! the profile import's batches and the exports alike.

use crate::args;
use crate::rows::{Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::regions::{Level, PoorVillage, Region, RegionCode, VillageProfile};
use fupin_core::store::StoreResult;
use fupin_core::Fen;
use time::OffsetDateTime;

// ---- regions ----

/// The columns of a [`Region`] from `regions`.
pub(crate) const REGION_COLS: Select<Region> = Select::new();

/// A region with its poor-village designation and the lowest level it stands for.
impl Record for Region {
    fn columns() -> Columns {
        Columns(&[
            "code",
            "name",
            "level",
            "parent_code",
            "poor_designation",
            "poor_designated_year",
            "poor_exit_year",
            "lowest_level",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let code = RegionCode::parse(&c.text()?)?;
        let name = c.text()?;
        let level = Level::parse(&c.text()?).unwrap_or(code.level());
        let parent_code = c.opt_text()?.map(|p| RegionCode::parse(&p)).transpose()?;
        let designation = c.opt_text()?;
        let designated_year = c.opt_i32()?;
        let exit_year = c.opt_i32()?;
        let poor_village = designation.map(|designation| PoorVillage {
            designation,
            designated_year: designated_year.unwrap_or_default(),
            exit_year,
        });
        let lowest_level = c.opt_text()?.and_then(|l| Level::parse(&l));
        Ok(Region {
            code,
            name,
            level,
            parent_code,
            poor_village,
            lowest_level,
        })
    }
}

/// A new region's columns, in the order of [`new_region`].
pub(crate) const REGION_NEW: Columns = Columns(&["code", "name", "level", "parent_code"]);

/// A new region's row ([`REGION_NEW`]).
pub(crate) fn new_region(r: &Region) -> Vec<Value> {
    Vec::from(args![
        r.code.as_str(),
        r.name.as_str(),
        r.level.as_str(),
        r.parent_code.as_ref().map(|p| p.as_str())
    ])
}

/// Rename or move a region (values of [`region_update`]).
pub(crate) const UPDATE_REGION: &str =
    "UPDATE regions SET name = $1, parent_code = $2 WHERE code = $3";

/// The values of [`UPDATE_REGION`].
pub(crate) fn region_update(r: &Region) -> [Value; 3] {
    args![
        r.name.as_str(),
        r.parent_code.as_ref().map(|p| p.as_str()),
        r.code.as_str()
    ]
}

/// Set or clear a village's designation (values of [`designation_update`]).
pub(crate) const UPDATE_DESIGNATION: &str = "UPDATE regions SET poor_designation = $1, poor_designated_year = $2, poor_exit_year = $3 WHERE code = $4";

/// The values of [`UPDATE_DESIGNATION`].
pub(crate) fn designation_update(code: &RegionCode, d: Option<&PoorVillage>) -> [Value; 4] {
    args![
        d.map(|d| d.designation.clone()),
        d.map(|d| d.designated_year),
        d.and_then(|d| d.exit_year),
        code.as_str()
    ]
}

// ---- village profiles ----

/// The columns of a [`VillageProfile`] from `village_profiles`.
pub(crate) const PROFILE_COLS: Select<VillageProfile> = Select::new();

impl Record for VillageProfile {
    fn columns() -> Columns {
        Columns(&[
            "village_code",
            "year",
            "collective_income_fen",
            "rural_population",
            "note",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(VillageProfile {
            village_code: RegionCode::parse(&c.text()?)?,
            year: c.i32()?,
            collective_income_fen: c.opt_i64()?.map(Fen::new),
            rural_population: c.opt_i64()?,
            note: c.opt_text()?,
        })
    }
}

/// A profile's columns as written, in the order of [`profile_values`].
pub(crate) const PROFILE_WRITE: Columns = Columns(&[
    "village_code",
    "year",
    "collective_income_fen",
    "rural_population",
    "note",
    "updated_at",
    "updated_by",
]);

/// What follows the rows of an `INSERT` of [`PROFILE_WRITE`]: a stored profile is replaced.
pub(crate) const PROFILE_UPSERT: &str = " ON CONFLICT (village_code, year) DO UPDATE SET \
     collective_income_fen = excluded.collective_income_fen, rural_population = excluded.rural_population, \
     note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by";

/// Insert or replace one profile (values of [`profile_values`]).
pub(crate) static PUT_PROFILE: Sql = Sql::new(|| {
    format!(
        "{}{PROFILE_UPSERT}",
        PROFILE_WRITE.insert("village_profiles")
    )
});

/// A profile's row ([`PROFILE_WRITE`]).
pub(crate) fn profile_values(p: &VillageProfile, now: OffsetDateTime, actor: &str) -> Vec<Value> {
    Vec::from(args![
        p.village_code.as_str(),
        p.year,
        p.collective_income_fen.map(Fen::get),
        p.rural_population,
        p.note.clone(),
        now,
        actor
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_statements_list_their_columns() {
        assert_eq!(
            PUT_PROFILE.as_str(),
            "INSERT INTO village_profiles (village_code, year, collective_income_fen, rural_population, note, \
             updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (village_code, year) DO UPDATE \
             SET collective_income_fen = excluded.collective_income_fen, rural_population = \
             excluded.rural_population, note = excluded.note, updated_at = excluded.updated_at, updated_by = \
             excluded.updated_by"
        );
        assert_eq!(
            REGION_COLS.to_string(),
            "code, name, level, parent_code, poor_designation, poor_designated_year, poor_exit_year, lowest_level"
        );
    }
}
