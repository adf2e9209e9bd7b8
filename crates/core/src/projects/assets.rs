//! Assets (扶贫资产) and their income (资产收益): what a project became (a road, water works, a solar
//! plant, a greenhouse, shares in an enterprise), its value, owner and custodian, the households
//! holding shares in it, and each year's income with its distribution — the village collective's
//! share and the dividends (分红) paid to the shareholder households by their shares, with a
//! guaranteed minimum where the terms set one. A paid dividend is the household's property income
//! (财产性收入) of that year; the collective's share is the village's collective income.

use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::projects::ProjectId;
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use serde::{Deserialize, Serialize};
use time::Date;

/// Database id of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct AssetId(pub i64);

/// What an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// 道路
    Road,
    /// 水利设施 / 饮水工程
    WaterWorks,
    /// 光伏电站
    SolarPlant,
    /// 大棚 / 生产基地
    Greenhouse,
    /// 股权
    Shares,
    /// 其他
    Other,
}

impl AssetKind {
    pub const ALL: [AssetKind; 6] = [
        AssetKind::Road,
        AssetKind::WaterWorks,
        AssetKind::SolarPlant,
        AssetKind::Greenhouse,
        AssetKind::Shares,
        AssetKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Road => "road",
            AssetKind::WaterWorks => "water_works",
            AssetKind::SolarPlant => "solar_plant",
            AssetKind::Greenhouse => "greenhouse",
            AssetKind::Shares => "shares",
            AssetKind::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            AssetKind::Road => "道路",
            AssetKind::WaterWorks => "水利设施",
            AssetKind::SolarPlant => "光伏电站",
            AssetKind::Greenhouse => "大棚基地",
            AssetKind::Shares => "股权",
            AssetKind::Other => "其他",
        }
    }
    pub fn parse(s: &str) -> Option<AssetKind> {
        let s = s.trim();
        AssetKind::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// Who owns an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// 村集体
    Collective,
    /// 农户
    Household,
    /// 合作社
    Cooperative,
    /// 企业
    Enterprise,
}

impl OwnerKind {
    pub const ALL: [OwnerKind; 4] = [
        OwnerKind::Collective,
        OwnerKind::Household,
        OwnerKind::Cooperative,
        OwnerKind::Enterprise,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Collective => "collective",
            OwnerKind::Household => "household",
            OwnerKind::Cooperative => "cooperative",
            OwnerKind::Enterprise => "enterprise",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            OwnerKind::Collective => "村集体",
            OwnerKind::Household => "农户",
            OwnerKind::Cooperative => "合作社",
            OwnerKind::Enterprise => "企业",
        }
    }
    pub fn parse(s: &str) -> Option<OwnerKind> {
        let s = s.trim();
        OwnerKind::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// A household's shares in an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Shareholding {
    pub household_id: HouseholdId,
    pub shares: i64,
}

/// An asset as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// The accepted project it came from; none for an asset the village held before (集体原有资产).
    #[serde(default)]
    pub project_id: Option<ProjectId>,
    /// Its village (the project's, when it came from one).
    pub village_code: String,
    pub name: String,
    /// `road` … or the Chinese label (道路 …).
    pub kind: String,
    pub value_fen: i64,
    /// `collective` … or the Chinese label (村集体 …).
    pub owner_kind: String,
    pub owner_name: String,
    /// Who manages it (管护主体).
    pub custodian: String,
    pub registered_on: Date,
    #[serde(default)]
    pub shareholders: Vec<Shareholding>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetData {
    pub project_id: Option<ProjectId>,
    pub village_code: RegionCode,
    pub name: String,
    pub kind: AssetKind,
    pub value_fen: i64,
    pub owner_kind: OwnerKind,
    pub owner_name: String,
    pub custodian: String,
    pub registered_on: Date,
    pub shareholders: Vec<Shareholding>,
    pub note: Option<String>,
}

impl AssetInput {
    pub fn validate(&self) -> DomainResult<AssetData> {
        let village_code = RegionCode::parse_field("village_code", &self.village_code)?;
        if !village_code.is_village() {
            return Err(DomainError::invalid(
                "village_code",
                "not_a_village",
                format!("{} 不是村级区划代码", village_code.as_str()),
            ));
        }
        let kind = AssetKind::parse(&self.kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                "unknown_asset_kind",
                format!("kind 的取值“{}”不是资产类型", self.kind),
            )
        })?;
        let owner_kind = OwnerKind::parse(&self.owner_kind).ok_or_else(|| {
            DomainError::invalid(
                "owner_kind",
                "unknown_owner_kind",
                format!("owner_kind 的取值“{}”不是资产所有者类型", self.owner_kind),
            )
        })?;
        let mut shareholders: Vec<Shareholding> = Vec::with_capacity(self.shareholders.len());
        for (i, s) in self.shareholders.iter().enumerate() {
            if s.shares <= 0 || s.shares > 1_000_000_000 {
                return Err(DomainError::invalid(
                    format!("shareholders[{i}].shares"),
                    "out_of_range",
                    format!("shareholders[{i}].shares 须在 1 到 1000000000 之间"),
                ));
            }
            if shareholders
                .iter()
                .any(|x| x.household_id == s.household_id)
            {
                return Err(DomainError::invalid(
                    format!("shareholders[{i}]"),
                    "repeated_shareholder",
                    format!("户 {} 的股份重复填写", s.household_id.0),
                ));
            }
            shareholders.push(s.clone());
        }
        Ok(AssetData {
            project_id: self.project_id,
            village_code,
            name: check_text("name", &self.name, 200)?,
            kind,
            value_fen: Fen::input("value_fen", self.value_fen)?.get(),
            owner_kind,
            owner_name: check_text("owner_name", &self.owner_name, 200)?,
            custodian: check_text("custodian", &self.custodian, 200)?,
            registered_on: self.registered_on,
            shareholders,
            note: opt_text("note", &self.note, 1000)?,
        })
    }
}

/// An asset as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: AssetId,
    #[serde(flatten)]
    pub data: AssetData,
    pub kind_label: String,
    pub owner_kind_label: String,
    pub project_name: Option<String>,
    /// Each year's income and its distribution, oldest first.
    pub incomes: Vec<AssetIncome>,
}

/// A year's income of an asset and how it is distributed, as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetIncomeInput {
    pub year: i32,
    /// The asset's income of the year (fen).
    pub income_fen: i64,
    /// The village collective's share (村集体经济收入).
    #[serde(default)]
    pub collective_fen: i64,
    /// What is divided among the shareholder households by their shares.
    #[serde(default)]
    pub households_fen: i64,
    /// A guaranteed minimum per shareholder household (保底分红), when the terms set one.
    #[serde(default)]
    pub minimum_fen: i64,
    pub paid_on: Date,
}

/// A year's income of an asset as stored, with the dividends paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetIncome {
    pub year: i32,
    pub income_fen: i64,
    pub collective_fen: i64,
    pub minimum_fen: i64,
    pub paid_on: Date,
    pub dividends: Vec<Dividend>,
}

/// A dividend paid to a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dividend {
    pub household_id: HouseholdId,
    pub shares: i64,
    pub amount_fen: i64,
}

impl AssetIncomeInput {
    /// The payment's date against the asset: not before the asset was registered, not before its
    /// project's acceptance (验收), and not before the year whose income it pays.
    pub fn check_paid_on(
        &self,
        registered_on: Date,
        accepted_on: Option<Date>,
    ) -> DomainResult<()> {
        if let Some(a) = accepted_on.filter(|a| self.paid_on < *a) {
            return Err(DomainError::invalid(
                "paid_on",
                "paid_before_acceptance",
                format!(
                    "发放日期 {} 早于项目验收日期 {a}：验收前不能分配资产收益",
                    self.paid_on
                ),
            ));
        }
        if self.paid_on < registered_on {
            return Err(DomainError::invalid(
                "paid_on",
                "paid_before_registration",
                format!("发放日期 {} 早于资产登记日期 {registered_on}", self.paid_on),
            ));
        }
        if self.paid_on.year() < self.year {
            return Err(DomainError::invalid(
                "paid_on",
                "paid_before_year",
                format!("发放日期 {} 早于收益年度 {} 年", self.paid_on, self.year),
            ));
        }
        Ok(())
    }

    /// Check the input and divide `households_fen` among `holders` by their shares: whole fen,
    /// the remainder to the largest fractions (then the earlier holder), so the dividends sum to
    /// `households_fen` exactly; a household below the guaranteed minimum is raised to it. The
    /// collective's share and the dividends together may not exceed the year's income.
    pub fn distribute(&self, holders: &[Shareholding]) -> DomainResult<Vec<Dividend>> {
        if !(2000..=2100).contains(&self.year) {
            return Err(DomainError::invalid(
                "year",
                "invalid_year",
                format!("year 不是有效年度：{}", self.year),
            ));
        }
        let income = Fen::input("income_fen", self.income_fen)?.get();
        let collective = Fen::input("collective_fen", self.collective_fen)?.get();
        let pool = Fen::input("households_fen", self.households_fen)?.get();
        let minimum = Fen::input("minimum_fen", self.minimum_fen)?.get();
        if (pool > 0 || minimum > 0) && holders.is_empty() {
            return Err(DomainError::invalid(
                "households_fen",
                "no_shareholders",
                "该资产没有登记持股户，不能向农户分红",
            ));
        }
        let total_shares: i64 = holders.iter().map(|h| h.shares).sum();
        let mut out: Vec<Dividend> = Vec::with_capacity(holders.len());
        let mut rem: Vec<(i128, usize)> = Vec::with_capacity(holders.len());
        let mut given = 0i64;
        for (i, h) in holders.iter().enumerate() {
            let exact = pool as i128 * h.shares as i128;
            let whole = (exact / total_shares.max(1) as i128) as i64;
            rem.push((exact % total_shares.max(1) as i128, i));
            given += whole;
            out.push(Dividend {
                household_id: h.household_id,
                shares: h.shares,
                amount_fen: whole,
            });
        }
        rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in rem.into_iter().take((pool - given) as usize) {
            out[i].amount_fen += 1;
        }
        for d in &mut out {
            d.amount_fen = d.amount_fen.max(minimum);
        }
        let paid: i64 = out.iter().map(|d| d.amount_fen).sum();
        if collective + paid > income {
            return Err(DomainError::invalid(
                "income_fen",
                "distribution_exceeds_income",
                format!(
                    "集体分成 {} 与农户分红 {} 之和超过当年收益 {}",
                    Fen::new(collective),
                    Fen::new(paid),
                    Fen::new(income)
                ),
            ));
        }
        Ok(out)
    }
}

/// One yuan that reached a household (资金到户): a disbursement paid to it or a dividend, with the
/// project (and the asset) it came through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceItem {
    /// `disbursement` or `dividend`.
    pub kind: String,
    pub date: Date,
    pub year: i32,
    pub amount_fen: i64,
    pub project_id: Option<ProjectId>,
    pub project_name: Option<String>,
    /// The project's village: a page links to the project only for a viewer whose regions hold
    /// it (the household's cadre, say, reads the household but not the project).
    #[serde(skip)]
    pub project_village: Option<RegionCode>,
    pub asset_id: Option<AssetId>,
    pub asset_name: Option<String>,
    /// For a disbursement: its fund source's kind and name.
    pub source: Option<String>,
    pub voucher: Option<String>,
}

/// Everything that reached a household, and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdTrace {
    pub household_id: HouseholdId,
    pub items: Vec<TraceItem>,
    pub total_fen: i64,
    pub disbursed_fen: i64,
    pub dividend_fen: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_not_before_acceptance_registration_or_year() {
        use time::macros::date;
        let i = AssetIncomeInput {
            year: 2017,
            income_fen: 100,
            collective_fen: 0,
            households_fen: 100,
            minimum_fen: 0,
            paid_on: date!(2017 - 12 - 20),
        };
        assert!(i
            .check_paid_on(date!(2016 - 12 - 20), Some(date!(2016 - 12 - 01)))
            .is_ok());
        let code = |i: &AssetIncomeInput, reg, acc| i.check_paid_on(reg, acc).unwrap_err().code;
        assert_eq!(
            code(&i, date!(2016 - 12 - 20), Some(date!(2018 - 01 - 05))),
            "paid_before_acceptance"
        );
        assert_eq!(
            code(&i, date!(2018 - 01 - 01), None),
            "paid_before_registration"
        );
        let early = AssetIncomeInput {
            paid_on: date!(2016 - 12 - 31),
            ..i.clone()
        };
        assert_eq!(
            code(&early, date!(2016 - 01 - 01), None),
            "paid_before_year"
        );
    }
    use time::macros::date;

    fn holders(shares: &[i64]) -> Vec<Shareholding> {
        shares
            .iter()
            .enumerate()
            .map(|(i, s)| Shareholding {
                household_id: HouseholdId(i as i64 + 1),
                shares: *s,
            })
            .collect()
    }

    fn input(income: i64, collective: i64, pool: i64, minimum: i64) -> AssetIncomeInput {
        AssetIncomeInput {
            year: 2018,
            income_fen: income,
            collective_fen: collective,
            households_fen: pool,
            minimum_fen: minimum,
            paid_on: date!(2018 - 12 - 20),
        }
    }

    #[test]
    fn dividends_by_shares_sum_exactly() {
        // 100 fen over shares 1:1:1 — 34, 33, 33
        let d = input(1_000, 0, 100, 0)
            .distribute(&holders(&[1, 1, 1]))
            .unwrap();
        let amounts: Vec<_> = d.iter().map(|x| x.amount_fen).collect();
        assert_eq!(amounts, [34, 33, 33]);
        // by shares 1:2:3 of 600 — 100, 200, 300
        let d = input(600, 0, 600, 0)
            .distribute(&holders(&[1, 2, 3]))
            .unwrap();
        assert_eq!(
            d.iter().map(|x| x.amount_fen).collect::<Vec<_>>(),
            [100, 200, 300]
        );
        // every split sums to the pool
        for pool in [1, 7, 99, 1_000_003] {
            let d = input(2_000_000, 0, pool, 0)
                .distribute(&holders(&[3, 5, 7, 11]))
                .unwrap();
            assert_eq!(d.iter().map(|x| x.amount_fen).sum::<i64>(), pool);
        }
    }

    #[test]
    fn the_guaranteed_minimum_raises_small_holders() {
        let d = input(10_000, 1_000, 1_000, 300)
            .distribute(&holders(&[1, 9]))
            .unwrap();
        assert_eq!(
            d.iter().map(|x| x.amount_fen).collect::<Vec<_>>(),
            [300, 900]
        );
        let e = input(1_000, 500, 400, 300)
            .distribute(&holders(&[1, 1]))
            .unwrap_err();
        assert_eq!(e.code, "distribution_exceeds_income");
        let e = input(1_000, 0, 100, 0).distribute(&[]).unwrap_err();
        assert_eq!(e.code, "no_shareholders");
    }

    #[test]
    fn asset_rules() {
        let ok = AssetInput {
            project_id: None,
            village_code: "360124106204".into(),
            name: "光伏电站".into(),
            kind: "光伏电站".into(),
            value_fen: 100,
            owner_kind: "村集体".into(),
            owner_name: "塔岗村委会".into(),
            custodian: "塔岗村委会".into(),
            registered_on: date!(2017 - 06 - 30),
            shareholders: holders(&[1, 1]),
            note: None,
        };
        assert_eq!(ok.validate().unwrap().kind, AssetKind::SolarPlant);
        let mut bad = ok.clone();
        bad.shareholders = holders(&[1, 0]);
        assert_eq!(
            bad.validate().unwrap_err().field.as_deref(),
            Some("shareholders[1].shares")
        );
        let mut bad = ok.clone();
        bad.kind = "房子".into();
        assert_eq!(bad.validate().unwrap_err().code, "unknown_asset_kind");
        let mut bad = ok;
        bad.shareholders.push(Shareholding {
            household_id: HouseholdId(1),
            shares: 5,
        });
        assert_eq!(bad.validate().unwrap_err().code, "repeated_shareholder");
    }
}
