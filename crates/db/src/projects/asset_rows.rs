//! The tables of assets, dividends, cooperatives and the trace as typed rows (see `crate::rows`):
//! column lists, decoders and value builders.

use crate::args;
use crate::rows::{Cols, Columns, Record, Select};
use crate::sql::Value;
use fupin_core::projects::*;
use fupin_core::registry::HouseholdId;
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, RegionCode};
use time::{Date, OffsetDateTime};

/// Assets with the project they came from.
pub(crate) const ASSET_FROM: &str = "assets a LEFT JOIN projects p ON p.id = a.project_id";

/// The columns of an [`Asset`] (without its shareholders and incomes) from [`ASSET_FROM`].
pub(crate) const ASSET_COLS: Select<Asset> = Select::new();

impl Record for Asset {
    fn columns() -> Columns {
        Columns(&[
            "a.id",
            "a.project_id",
            "a.village_code",
            "a.name",
            "a.kind",
            "a.value_fen",
            "a.owner_kind",
            "a.owner_name",
            "a.custodian",
            "a.registered_on",
            "a.note",
            "p.name",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = AssetId(c.i64()?);
        let project_id = c.opt_i64()?.map(ProjectId);
        let village_code = RegionCode::parse(&c.text()?)?;
        let name = c.text()?;
        let kind = AssetKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let value_fen = c.i64()?;
        let owner_kind = OwnerKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(Asset {
            id,
            data: AssetData {
                project_id,
                village_code,
                name,
                kind,
                value_fen,
                owner_kind,
                owner_name: c.text()?,
                custodian: c.text()?,
                registered_on: c.date()?,
                shareholders: Vec::new(),
                note: c.opt_text()?,
            },
            kind_label: kind.label().to_string(),
            owner_kind_label: owner_kind.label().to_string(),
            project_name: c.opt_text()?,
            incomes: Vec::new(),
        })
    }
}

/// An asset's columns as written, in the order of [`asset_values`].
pub(crate) const ASSET_WRITE: Columns = Columns(&[
    "project_id",
    "village_code",
    "name",
    "kind",
    "value_fen",
    "owner_kind",
    "owner_name",
    "custodian",
    "registered_on",
    "note",
    "created_by",
    "created_at",
]);

pub(crate) fn asset_values(d: &AssetData, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        d.project_id.map(|p| p.0),
        d.village_code.as_str(),
        d.name.as_str(),
        d.kind.as_str(),
        d.value_fen,
        d.owner_kind.as_str(),
        d.owner_name.as_str(),
        d.custodian.as_str(),
        d.registered_on,
        d.note.clone(),
        actor,
        now
    ])
}

/// A shareholding, from `asset_shareholders` (or `cooperative_members`' first two columns).
pub(crate) struct HolderRow(pub i64, pub Shareholding);

impl Record for HolderRow {
    fn columns() -> Columns {
        Columns(&["asset_id", "household_id", "shares"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(HolderRow(
            c.i64()?,
            Shareholding {
                household_id: HouseholdId(c.i64()?),
                shares: c.i64()?,
            },
        ))
    }
}

/// A year's income of an asset (its dividends apart), from `asset_incomes`.
pub(crate) struct IncomeRow(pub i64, pub AssetIncome);

impl Record for IncomeRow {
    fn columns() -> Columns {
        Columns(&[
            "asset_id",
            "year",
            "income_fen",
            "collective_fen",
            "minimum_fen",
            "paid_on",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(IncomeRow(
            c.i64()?,
            AssetIncome {
                year: c.i32()?,
                income_fen: c.i64()?,
                collective_fen: c.i64()?,
                minimum_fen: c.i64()?,
                paid_on: c.date()?,
                dividends: Vec::new(),
            },
        ))
    }
}

/// The columns of an asset's year written to `asset_incomes`.
pub(crate) const INCOME_WRITE: Columns = Columns(&[
    "asset_id",
    "year",
    "village_code",
    "income_fen",
    "collective_fen",
    "households_fen",
    "minimum_fen",
    "paid_on",
    "actor",
    "recorded_at",
]);

/// A dividend, from `dividends`.
pub(crate) struct DividendRow(pub i64, pub i32, pub Dividend);

impl Record for DividendRow {
    fn columns() -> Columns {
        Columns(&["asset_id", "year", "household_id", "shares", "amount_fen"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(DividendRow(
            c.i64()?,
            c.i32()?,
            Dividend {
                household_id: HouseholdId(c.i64()?),
                shares: c.i64()?,
                amount_fen: c.i64()?,
            },
        ))
    }
}

/// The columns of a dividend written to `dividends`.
pub(crate) const DIVIDEND_WRITE: Columns = Columns(&[
    "asset_id",
    "year",
    "household_id",
    "village_code",
    "shares",
    "amount_fen",
    "paid_on",
    "created_income",
]);

/// Cooperatives with their village.
pub(crate) const COOP_FROM: &str = "cooperatives c JOIN regions r ON r.code = c.village_code";

/// The columns of a [`Cooperative`] (without members and leases) from [`COOP_FROM`].
pub(crate) const COOP_COLS: Select<Cooperative> = Select::new();

impl Record for Cooperative {
    fn columns() -> Columns {
        Columns(&[
            "c.id",
            "c.village_code",
            "c.name",
            "c.kind",
            "c.leader",
            "c.founded_on",
            "c.base_centimu",
            "c.investment_fen",
            "c.note",
            "r.name",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = CooperativeId(c.i64()?);
        let village_code = RegionCode::parse(&c.text()?)?;
        let name = c.text()?;
        let kind = CooperativeKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(Cooperative {
            id,
            data: CooperativeData {
                village_code,
                name,
                kind,
                leader: c.text()?,
                founded_on: c.date()?,
                base_centimu: c.i64()?,
                investment_fen: c.i64()?,
                members: Vec::new(),
                leases: Vec::new(),
                note: c.opt_text()?,
            },
            kind_label: kind.label().to_string(),
            village_name: c.text()?,
            total_shares: 0,
            leased_centimu: 0,
        })
    }
}

/// A cooperative's columns as written.
pub(crate) const COOP_WRITE: Columns = Columns(&[
    "village_code",
    "name",
    "kind",
    "leader",
    "founded_on",
    "base_centimu",
    "investment_fen",
    "note",
    "created_by",
    "created_at",
]);

pub(crate) fn coop_values(d: &CooperativeData, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        d.village_code.as_str(),
        d.name.as_str(),
        d.kind.as_str(),
        d.leader.as_str(),
        d.founded_on,
        d.base_centimu,
        d.investment_fen,
        d.note.clone(),
        actor,
        now
    ])
}

/// A member, from `cooperative_members`.
pub(crate) struct MemberRow(pub i64, pub Member);

impl Record for MemberRow {
    fn columns() -> Columns {
        Columns(&["cooperative_id", "household_id", "shares", "joined_on"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(MemberRow(
            c.i64()?,
            Member {
                household_id: HouseholdId(c.i64()?),
                shares: c.i64()?,
                joined_on: c.date()?,
            },
        ))
    }
}

/// A lease, from `land_leases`.
pub(crate) struct LeaseRow(pub i64, pub Lease);

impl Record for LeaseRow {
    fn columns() -> Columns {
        Columns(&[
            "cooperative_id",
            "household_id",
            "area_centimu",
            "rent_fen_per_year",
            "date_from",
            "date_to",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(LeaseRow(
            c.i64()?,
            Lease {
                household_id: HouseholdId(c.i64()?),
                area_centimu: c.i64()?,
                rent_fen_per_year: c.i64()?,
                from: c.date()?,
                to: c.opt_date()?,
            },
        ))
    }
}

/// A disbursement paid to a household, for its trace.
pub(crate) struct PaidRow(pub TraceItem);

impl Record for PaidRow {
    fn columns() -> Columns {
        Columns(&[
            "m.date",
            "m.amount_fen",
            "m.project_id",
            "p.name",
            "p.village_code",
            "s.kind",
            "s.name",
            "m.voucher",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let date: Date = c.date()?;
        let amount_fen = c.i64()?;
        let project_id = ProjectId(c.i64()?);
        let project_name = c.text()?;
        let project_village = RegionCode::parse(&c.text()?)?;
        let kind = SourceKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let source = format!("{}：{}", kind.label(), c.text()?);
        Ok(PaidRow(TraceItem {
            kind: "disbursement".into(),
            date,
            year: date.year(),
            amount_fen,
            project_id: Some(project_id),
            project_name: Some(project_name),
            project_village: Some(project_village),
            asset_id: None,
            asset_name: None,
            source: Some(source),
            voucher: c.opt_text()?,
        }))
    }
}

/// A dividend paid to a household, for its trace.
pub(crate) struct DividendPaidRow(pub TraceItem);

impl Record for DividendPaidRow {
    fn columns() -> Columns {
        Columns(&[
            "d.paid_on",
            "d.year",
            "d.amount_fen",
            "a.project_id",
            "p.name",
            "p.village_code",
            "d.asset_id",
            "a.name",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(DividendPaidRow(TraceItem {
            kind: "dividend".into(),
            date: c.date()?,
            year: c.i32()?,
            amount_fen: c.i64()?,
            project_id: c.opt_i64()?.map(ProjectId),
            project_name: c.opt_text()?,
            project_village: c.opt_text()?.map(|v| RegionCode::parse(&v)).transpose()?,
            asset_id: Some(AssetId(c.i64()?)),
            asset_name: Some(c.text()?),
            source: None,
            voucher: None,
        }))
    }
}

/// A posting, from `public_notices`.
pub(crate) struct NoticeRow(pub Notice);

impl Record for NoticeRow {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "kind",
            "subject_id",
            "year",
            "posted_from",
            "posted_to",
            "places",
            "recorded_by",
            "recorded_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = c.i64()?;
        let kind = NoticeKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(NoticeRow(Notice {
            id,
            data: NoticeData {
                kind,
                subject_id: c.i64()?,
                year: c.opt_i32()?,
                posted_from: c.date()?,
                posted_to: c.date()?,
                places: c.text()?,
            },
            kind_label: kind.label().to_string(),
            recorded_by: c.text()?,
            recorded_at: c.time()?,
        }))
    }
}
