//! Assets, their yearly income and dividends, cooperatives and enterprises, and a household's
//! trace (资金到户) in SQL.
//!
//! Paying a year's income is one transaction: the year's row, each dividend's row, the dividend
//! added to the household's property income (and its dividend part) of the year with the region
//! statistics moved by the household's facts before and after (as every income write does), the
//! collective's share added to the village profile's collective income of the year, and the audit
//! records. A year is paid once (the key of `asset_incomes`); a second payment is refused.

use super::asset_rows::*;
use crate::rows::{one_i64, one_text, Cols, Record};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::assessment::standards::{days_param, default_parameters, key};
use fupin_core::audit::AuditRecord;
use fupin_core::offices::OfficeAct;
use fupin_core::projects::*;
use fupin_core::registry::HouseholdId;
use fupin_core::store::{AssetStore, StoreResult};
use fupin_core::years::{check_year, today};
use fupin_core::{Ctx, DomainError, RegionCode};
use std::collections::BTreeMap;
use time::OffsetDateTime;

fn asset_not_found() -> DomainError {
    DomainError::not_found("asset_not_found", "该资产不存在或不在您的管辖范围内")
}

fn cooperative_not_found() -> DomainError {
    DomainError::not_found(
        "cooperative_not_found",
        "该合作社或企业不存在或不在您的管辖范围内",
    )
}

impl SqlStore {
    /// The village of a household the caller reaches, or `household_not_found` on `field`.
    async fn reached_household(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
        field: String,
    ) -> StoreResult<RegionCode> {
        let r = tx
            .fetch_optional(
                "SELECT village_code FROM households WHERE id = $1",
                &args![id.0],
            )
            .await?;
        if let Some(r) = r {
            let v = RegionCode::parse(&one_text(&r)?)?;
            if ctx.scope.allows(&v) {
                return Ok(v);
            }
        }
        Err(
            DomainError::not_found("household_not_found", "该户不存在或不在您的管辖范围内")
                .with_field(field),
        )
    }

    async fn known_village(&self, tx: &mut dyn Tx, ctx: &Ctx, v: &RegionCode) -> StoreResult<()> {
        ctx.require(v, "村")
            .map_err(|e| e.with_field("village_code"))?;
        let known = tx
            .fetch_optional(
                "SELECT 1 FROM regions WHERE code = $1 AND level = 'village'",
                &args![v.as_str()],
            )
            .await?;
        if known.is_none() {
            return Err(DomainError::invalid(
                "village_code",
                "unknown_village",
                format!("村代码 {} 不是系统中的村级区划，请先导入区划", v.as_str()),
            ));
        }
        Ok(())
    }

    /// Assets matching `cond` (on `a`), with their shareholders, incomes and dividends.
    async fn load_assets(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        cond: &str,
        a: &[crate::sql::Value],
    ) -> StoreResult<Vec<Asset>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {ASSET_COLS} FROM {ASSET_FROM} WHERE {cond} ORDER BY a.village_code, a.id"
                ),
                a,
            )
            .await?;
        let mut out: Vec<Asset> = Vec::with_capacity(rows.len());
        for r in &rows {
            let asset = Asset::from_row(r)?;
            if ctx.scope.allows(&asset.data.village_code) {
                out.push(asset);
            }
        }
        if out.is_empty() {
            return Ok(out);
        }
        let ids: Vec<String> = out.iter().map(|a| a.id.0.to_string()).collect();
        let ids = ids.join(", ");
        let mut at: BTreeMap<i64, usize> = BTreeMap::new();
        for (i, a) in out.iter().enumerate() {
            at.insert(a.id.0, i);
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM asset_shareholders WHERE asset_id IN ({ids}) ORDER BY asset_id, household_id",
                    HolderRow::columns().list()
                ),
                &[],
            )
            .await?;
        for r in &rows {
            let HolderRow(id, h) = HolderRow::from_row(r)?;
            out[at[&id]].data.shareholders.push(h);
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM asset_incomes WHERE asset_id IN ({ids}) ORDER BY asset_id, year",
                    IncomeRow::columns().list()
                ),
                &[],
            )
            .await?;
        for r in &rows {
            let IncomeRow(id, inc) = IncomeRow::from_row(r)?;
            out[at[&id]].incomes.push(inc);
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM dividends WHERE asset_id IN ({ids}) ORDER BY asset_id, year, household_id",
                    DividendRow::columns().list()
                ),
                &[],
            )
            .await?;
        for r in &rows {
            let DividendRow(id, year, d) = DividendRow::from_row(r)?;
            let asset = &mut out[at[&id]];
            if let Some(inc) = asset.incomes.iter_mut().find(|i| i.year == year) {
                inc.dividends.push(d);
            }
        }
        Ok(out)
    }

    async fn load_asset(&self, tx: &mut dyn Tx, ctx: &Ctx, id: AssetId) -> StoreResult<Asset> {
        self.load_assets(tx, ctx, "a.id = $1", &args![id.0])
            .await?
            .pop()
            .ok_or_else(asset_not_found)
    }

    async fn load_notices(
        &self,
        tx: &mut dyn Tx,
        kinds: &str,
        subject: i64,
    ) -> StoreResult<Vec<Notice>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM public_notices WHERE {kinds} AND subject_id = $1 ORDER BY id",
                    NoticeRow::columns().list()
                ),
                &args![subject],
            )
            .await?;
        rows.iter().map(|r| Ok(NoticeRow::from_row(r)?.0)).collect()
    }

    /// How many assets a project has become (for its lifecycle's last gate).
    pub(crate) async fn asset_count(&self, tx: &mut dyn Tx, id: ProjectId) -> StoreResult<i64> {
        let r = tx
            .fetch_one(
                "SELECT COUNT(*) FROM assets WHERE project_id = $1",
                &args![id.0],
            )
            .await?;
        one_i64(&r)
    }

    async fn load_cooperatives(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        cond: &str,
        a: &[crate::sql::Value],
    ) -> StoreResult<Vec<Cooperative>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {COOP_COLS} FROM {COOP_FROM} WHERE {cond} ORDER BY c.village_code, c.id"
                ),
                a,
            )
            .await?;
        let mut out: Vec<Cooperative> = Vec::with_capacity(rows.len());
        for r in &rows {
            let c = Cooperative::from_row(r)?;
            if ctx.scope.allows(&c.data.village_code) {
                out.push(c);
            }
        }
        if out.is_empty() {
            return Ok(out);
        }
        let ids: Vec<String> = out.iter().map(|c| c.id.0.to_string()).collect();
        let ids = ids.join(", ");
        let mut at: BTreeMap<i64, usize> = BTreeMap::new();
        for (i, c) in out.iter().enumerate() {
            at.insert(c.id.0, i);
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM cooperative_members WHERE cooperative_id IN ({ids}) ORDER BY cooperative_id, household_id",
                    MemberRow::columns().list()
                ),
                &[],
            )
            .await?;
        for r in &rows {
            let MemberRow(id, m) = MemberRow::from_row(r)?;
            let c = &mut out[at[&id]];
            c.total_shares += m.shares;
            c.data.members.push(m);
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM land_leases WHERE cooperative_id IN ({ids}) ORDER BY cooperative_id, id",
                    LeaseRow::columns().list()
                ),
                &[],
            )
            .await?;
        for r in &rows {
            let LeaseRow(id, l) = LeaseRow::from_row(r)?;
            let c = &mut out[at[&id]];
            c.leased_centimu += l.area_centimu;
            c.data.leases.push(l);
        }
        Ok(out)
    }

    /// Add a dividend to the household's property income (and its dividend part) of `year`, the
    /// region statistics moved with it.
    async fn add_dividend_income(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        (household, village): (HouseholdId, &RegionCode),
        year: i32,
        amount: i64,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let before = self.facts(tx, household).await?;
        let old = tx
            .fetch_optional(
                "SELECT property_fen, dividend_fen FROM incomes WHERE household_id = $1 AND year = $2",
                &args![household.0, year],
            )
            .await?
            .map(|r| Cols::read(&r, |c| Ok((c.i64()?, c.opt_i64()?))))
            .transpose()?;
        tx.execute(
            "INSERT INTO incomes (household_id, year, wage_fen, business_fen, property_fen, dividend_fen, transfer_fen, \
             business_cost_fen, note, updated_at, updated_by) VALUES ($1, $2, 0, 0, $3, $3, 0, 0, NULL, $4, $5) \
             ON CONFLICT (household_id, year) DO UPDATE SET property_fen = incomes.property_fen + excluded.property_fen, \
             dividend_fen = COALESCE(incomes.dividend_fen, 0) + excluded.dividend_fen, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
            &args![household.0, year, amount, now, ctx.actor.as_str()],
        )
        .await?;
        self.touch(tx, ctx, household).await?;
        let after = self.facts(tx, household).await?;
        self.apply_delta(tx, before.as_ref(), after.as_ref())
            .await?;
        let created = old.is_none();
        let (p, d) = old.unwrap_or((0, None));
        let rec = AuditRecord::change(
            "income.dividend",
            "income",
            format!("{}/{year}", household.0),
            Some(&serde_json::json!({"property_fen": p, "dividend_fen": d})),
            Some(&serde_json::json!({"property_fen": p + amount, "dividend_fen": d.unwrap_or(0) + amount})),
        )
        .in_region(village);
        self.audit(tx, ctx, rec).await?;
        Ok(created)
    }

    /// Take a dividend back out of the household's property income (and its dividend part) of the
    /// year, moving the statistics by the household's facts before and after. When paying it had
    /// created the year's income record and no other dividend of the year remains, the record
    /// goes again if nothing else was entered into it; when others remain, they inherit that.
    #[allow(clippy::too_many_arguments)]
    async fn remove_dividend_income(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        (household, village): (HouseholdId, &RegionCode),
        year: i32,
        amount: i64,
        created: bool,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let before = self.facts(tx, household).await?;
        let old = tx
            .fetch_optional(
                "SELECT property_fen, dividend_fen FROM incomes WHERE household_id = $1 AND year = $2",
                &args![household.0, year],
            )
            .await?
            .map(|r| Cols::read(&r, |c| Ok((c.i64()?, c.opt_i64()?))))
            .transpose()?;
        tx.execute(
            "UPDATE incomes SET property_fen = property_fen - $3, \
             dividend_fen = NULLIF(COALESCE(dividend_fen, 0) - $3, 0), updated_at = $4, updated_by = $5 \
             WHERE household_id = $1 AND year = $2",
            &args![household.0, year, amount, now, ctx.actor.as_str()],
        )
        .await?;
        if created {
            let others = tx
                .execute(
                    "UPDATE dividends SET created_income = 1 WHERE household_id = $1 AND year = $2",
                    &args![household.0, year],
                )
                .await?;
            if others == 0 {
                tx.execute(
                    "DELETE FROM incomes WHERE household_id = $1 AND year = $2 AND wage_fen = 0 \
                     AND business_fen = 0 AND property_fen = 0 AND transfer_fen = 0 \
                     AND business_cost_fen = 0 AND dividend_fen IS NULL AND note IS NULL",
                    &args![household.0, year],
                )
                .await?;
            }
        }
        self.touch(tx, ctx, household).await?;
        let after = self.facts(tx, household).await?;
        self.apply_delta(tx, before.as_ref(), after.as_ref())
            .await?;
        let (p, d) = old.unwrap_or((0, None));
        let rec = AuditRecord::change(
            "income.dividend_reverse",
            "income",
            format!("{}/{year}", household.0),
            Some(&serde_json::json!({"property_fen": p, "dividend_fen": d})),
            Some(&serde_json::json!({"property_fen": p - amount, "dividend_fen": d.unwrap_or(0) - amount})),
        )
        .in_region(village);
        self.audit(tx, ctx, rec).await
    }
}

#[async_trait::async_trait]
impl AssetStore for SqlStore {
    async fn create_asset(&self, ctx: &Ctx, a: AssetInput) -> StoreResult<Asset> {
        let d = a.validate()?;
        ctx.require(&d.village_code, "村")
            .map_err(|e| e.with_field("village_code"))?;
        ctx.require_act(&d.village_code, OfficeAct::RegisterAsset)?;
        let mut tx = self.db.begin_write().await?;
        self.known_village(tx.as_mut(), ctx, &d.village_code)
            .await?;
        if let Some(pid) = d.project_id {
            let (p, _) = self
                .load_project(tx.as_mut(), ctx, pid, true)
                .await
                .map_err(|e| e.with_field("project_id"))?;
            if !p.stage.accepted() {
                return Err(DomainError::conflict(
                    "project_not_accepted",
                    format!(
                        "项目尚未通过验收，不能登记其形成的资产（当前：{}）",
                        p.stage_label
                    ),
                ));
            }
            if p.data.village_code != d.village_code {
                return Err(DomainError::invalid(
                    "village_code",
                    "asset_village_mismatch",
                    format!(
                        "资产所在村须与项目所在村（{}）一致",
                        p.data.village_code.as_str()
                    ),
                ));
            }
        }
        for (i, s) in d.shareholders.iter().enumerate() {
            self.reached_household(
                tx.as_mut(),
                ctx,
                s.household_id,
                format!("shareholders[{i}].household_id"),
            )
            .await?;
        }
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(
                &format!("{} RETURNING id", ASSET_WRITE.insert("assets")),
                &asset_values(&d, ctx.actor.as_str(), now),
            )
            .await?;
        let id = AssetId(one_i64(&r)?);
        for s in &d.shareholders {
            tx.execute(
                "INSERT INTO asset_shareholders (asset_id, household_id, shares) VALUES ($1, $2, $3)",
                &args![id.0, s.household_id.0, s.shares],
            )
            .await?;
        }
        let mut figures = FundsDelta::default();
        figures.add(
            &d.village_code,
            FundsKey::new(d.registered_on.year(), dim::ASSET, d.kind.as_str()),
            FundsTally::new(1, d.value_fen, 0, 0, 0),
            1,
        );
        self.apply_funds_delta(tx.as_mut(), &figures).await?;
        let out = self.load_asset(tx.as_mut(), ctx, id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("asset.create", "asset", id.0, None::<&Asset>, Some(&out))
                .in_region(&out.data.village_code),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn asset(&self, ctx: &Ctx, id: AssetId) -> StoreResult<Asset> {
        let mut tx = self.db.begin_read().await?;
        self.load_asset(tx.as_mut(), ctx, id).await
    }

    async fn assets(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<Asset>> {
        ctx.require(region, "区划")?;
        let (lo, hi) = region.range();
        let mut tx = self.db.begin_read().await?;
        self.load_assets(
            tx.as_mut(),
            ctx,
            "a.village_code BETWEEN $1 AND $2",
            &args![lo.as_str(), hi.as_str()],
        )
        .await
    }

    async fn project_assets(&self, ctx: &Ctx, project: ProjectId) -> StoreResult<Vec<Asset>> {
        let mut tx = self.db.begin_read().await?;
        self.load_project(tx.as_mut(), ctx, project, false).await?;
        self.load_assets(tx.as_mut(), ctx, "a.project_id = $1", &args![project.0])
            .await
    }

    async fn pay_asset_income(
        &self,
        ctx: &Ctx,
        id: AssetId,
        income: AssetIncomeInput,
    ) -> StoreResult<Asset> {
        check_year("year", income.year, today().year())?;
        let mut tx = self.db.begin_write().await?;
        let lock = self.db.lock_rows();
        tx.fetch_optional(
            &format!("SELECT id FROM assets WHERE id = $1{lock}"),
            &args![id.0],
        )
        .await?;
        let before = self.load_asset(tx.as_mut(), ctx, id).await?;
        // the distribution (收益分配) is the township's: it moves households' incomes
        ctx.require_act(&before.data.village_code, OfficeAct::DistributeIncome)?;
        if before.incomes.iter().any(|i| i.year == income.year) {
            return Err(DomainError::conflict(
                "asset_income_exists",
                format!("该资产 {} 年的收益已分配", income.year),
            )
            .with_field("year"));
        }
        let accepted_on = match before.data.project_id {
            Some(p) => tx
                .fetch_optional(
                    "SELECT accepted_on FROM projects WHERE id = $1",
                    &args![p.0],
                )
                .await?
                .map(|r| Cols::read(&r, |c| Ok(c.opt_date()?)))
                .transpose()?
                .flatten(),
            None => None,
        };
        income.check_paid_on(before.data.registered_on, accepted_on)?;
        let dividends = income.distribute(&before.data.shareholders)?;
        let village = before.data.village_code.clone();
        let mut figures = FundsDelta::default();
        figures.add(
            &village,
            FundsKey::new(income.year, dim::ASSET_INCOME, before.data.kind.as_str()),
            FundsTally::new(
                1,
                income.income_fen,
                income.collective_fen,
                income.households_fen,
                0,
            ),
            1,
        );
        let now = OffsetDateTime::now_utc();
        tx.execute(
            &INCOME_WRITE.insert("asset_incomes"),
            &args![
                id.0,
                income.year,
                village.as_str(),
                income.income_fen,
                income.collective_fen,
                income.households_fen,
                income.minimum_fen,
                income.paid_on,
                ctx.actor.as_str(),
                now
            ],
        )
        .await?;
        for (i, d) in dividends.iter().enumerate() {
            let hv = self
                .reached_household(
                    tx.as_mut(),
                    ctx,
                    d.household_id,
                    format!("shareholders[{i}].household_id"),
                )
                .await?;
            // households paid are counted once a year at their village
            let first = tx
                .fetch_optional(
                    "SELECT 1 FROM dividends WHERE household_id = $1 AND year = $2 AND village_code = $3",
                    &args![d.household_id.0, income.year, hv.as_str()],
                )
                .await?
                .is_none();
            figures.add(
                &hv,
                FundsKey::new(income.year, dim::DIVIDEND, ""),
                FundsTally::new(1, d.amount_fen, i64::from(first), 0, 0),
                1,
            );
            let created = if d.amount_fen > 0 {
                self.add_dividend_income(
                    tx.as_mut(),
                    ctx,
                    (d.household_id, &hv),
                    income.year,
                    d.amount_fen,
                    now,
                )
                .await?
            } else {
                false
            };
            tx.execute(
                &DIVIDEND_WRITE.insert("dividends"),
                &args![
                    id.0,
                    income.year,
                    d.household_id.0,
                    hv.as_str(),
                    d.shares,
                    d.amount_fen,
                    income.paid_on,
                    i64::from(created)
                ],
            )
            .await?;
        }
        if income.collective_fen > 0 {
            tx.execute(
                "INSERT INTO village_profiles (village_code, year, collective_income_fen, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (village_code, year) DO UPDATE SET \
                 collective_income_fen = COALESCE(village_profiles.collective_income_fen, 0) + excluded.collective_income_fen, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                &args![
                    village.as_str(),
                    income.year,
                    income.collective_fen,
                    now,
                    ctx.actor.as_str()
                ],
            )
            .await?;
        }
        self.apply_funds_delta(tx.as_mut(), &figures).await?;
        let after = self.load_asset(tx.as_mut(), ctx, id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("asset.income", "asset", id.0, Some(&before), Some(&after))
                .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn reverse_asset_income(
        &self,
        ctx: &Ctx,
        id: AssetId,
        year: i32,
        reason: String,
    ) -> StoreResult<Asset> {
        let reason = fupin_core::error::check_text("reason", &reason, 500)?;
        let mut tx = self.db.begin_write().await?;
        let lock = self.db.lock_rows();
        tx.fetch_optional(
            &format!("SELECT id FROM assets WHERE id = $1{lock}"),
            &args![id.0],
        )
        .await?;
        let before = self.load_asset(tx.as_mut(), ctx, id).await?;
        // the distribution (收益分配) is the township's: it moves households' incomes
        ctx.require_act(&before.data.village_code, OfficeAct::DistributeIncome)?;
        let Some(paid) = before.incomes.iter().find(|i| i.year == year).cloned() else {
            return Err(DomainError::not_found(
                "asset_income_not_found",
                format!("该资产 {year} 年没有已分配的收益"),
            )
            .with_field("year"));
        };
        let village = before.data.village_code.clone();
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(
                "SELECT households_fen FROM asset_incomes WHERE asset_id = $1 AND year = $2",
                &args![id.0, year],
            )
            .await?;
        let households_fen = one_i64(&r)?;
        let mut figures = FundsDelta::default();
        figures.add(
            &village,
            FundsKey::new(year, dim::ASSET_INCOME, before.data.kind.as_str()),
            FundsTally::new(1, paid.income_fen, paid.collective_fen, households_fen, 0),
            -1,
        );
        let rows = tx
            .fetch_all(
                "SELECT household_id, village_code, amount_fen, created_income FROM dividends \
                 WHERE asset_id = $1 AND year = $2 ORDER BY household_id",
                &args![id.0, year],
            )
            .await?;
        let paid_out = rows
            .iter()
            .map(|r| {
                Cols::read(r, |c| {
                    Ok((
                        HouseholdId(c.i64()?),
                        RegionCode::parse(&c.text()?)?,
                        c.i64()?,
                        c.i64()? != 0,
                    ))
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        for (h, hv, amount, created) in paid_out {
            tx.execute(
                "DELETE FROM dividends WHERE asset_id = $1 AND year = $2 AND household_id = $3",
                &args![id.0, year, h.0],
            )
            .await?;
            let last = tx
                .fetch_optional(
                    "SELECT 1 FROM dividends WHERE household_id = $1 AND year = $2 AND village_code = $3",
                    &args![h.0, year, hv.as_str()],
                )
                .await?
                .is_none();
            figures.add(
                &hv,
                FundsKey::new(year, dim::DIVIDEND, ""),
                FundsTally::new(1, amount, i64::from(last), 0, 0),
                -1,
            );
            if amount > 0 {
                self.remove_dividend_income(tx.as_mut(), ctx, (h, &hv), year, amount, created, now)
                    .await?;
            }
        }
        if paid.collective_fen > 0 {
            tx.execute(
                "UPDATE village_profiles SET collective_income_fen = NULLIF(COALESCE(collective_income_fen, 0) - $3, 0), \
                 updated_at = $4, updated_by = $5 WHERE village_code = $1 AND year = $2",
                &args![
                    village.as_str(),
                    year,
                    paid.collective_fen,
                    now,
                    ctx.actor.as_str()
                ],
            )
            .await?;
            // a profile the payment created holds nothing else: it goes again
            tx.execute(
                "DELETE FROM village_profiles WHERE village_code = $1 AND year = $2 \
                 AND collective_income_fen IS NULL AND rural_population IS NULL AND note IS NULL",
                &args![village.as_str(), year],
            )
            .await?;
        }
        tx.execute(
            "DELETE FROM asset_incomes WHERE asset_id = $1 AND year = $2",
            &args![id.0, year],
        )
        .await?;
        self.apply_funds_delta(tx.as_mut(), &figures).await?;
        let after = self.load_asset(tx.as_mut(), ctx, id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::event(
                "asset.income_reverse",
                "asset",
                Some(id.0.to_string()),
                serde_json::json!({"year": year, "reason": reason, "income": paid}),
            )
            .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn create_cooperative(&self, ctx: &Ctx, c: CooperativeInput) -> StoreResult<Cooperative> {
        let d = c.validate()?;
        let mut tx = self.db.begin_write().await?;
        self.known_village(tx.as_mut(), ctx, &d.village_code)
            .await?;
        for (i, m) in d.members.iter().enumerate() {
            self.reached_household(
                tx.as_mut(),
                ctx,
                m.household_id,
                format!("members[{i}].household_id"),
            )
            .await?;
        }
        for (i, l) in d.leases.iter().enumerate() {
            self.reached_household(
                tx.as_mut(),
                ctx,
                l.household_id,
                format!("leases[{i}].household_id"),
            )
            .await?;
        }
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(
                &format!("{} RETURNING id", COOP_WRITE.insert("cooperatives")),
                &coop_values(&d, ctx.actor.as_str(), now),
            )
            .await?;
        let id = CooperativeId(one_i64(&r)?);
        for m in &d.members {
            tx.execute(
                "INSERT INTO cooperative_members (cooperative_id, household_id, shares, joined_on) VALUES ($1, $2, $3, $4)",
                &args![id.0, m.household_id.0, m.shares, m.joined_on],
            )
            .await?;
        }
        for l in &d.leases {
            tx.execute(
                "INSERT INTO land_leases (cooperative_id, household_id, area_centimu, rent_fen_per_year, date_from, date_to) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &args![
                    id.0,
                    l.household_id.0,
                    l.area_centimu,
                    l.rent_fen_per_year,
                    l.from,
                    l.to
                ],
            )
            .await?;
        }
        let out = self
            .load_cooperatives(tx.as_mut(), ctx, "c.id = $1", &args![id.0])
            .await?
            .pop()
            .ok_or_else(DomainError::internal)?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change(
                "cooperative.create",
                "cooperative",
                id.0,
                None::<&Cooperative>,
                Some(&out),
            )
            .in_region(&out.data.village_code),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn cooperative(&self, ctx: &Ctx, id: CooperativeId) -> StoreResult<Cooperative> {
        let mut tx = self.db.begin_read().await?;
        self.load_cooperatives(tx.as_mut(), ctx, "c.id = $1", &args![id.0])
            .await?
            .pop()
            .ok_or_else(cooperative_not_found)
    }

    async fn cooperatives(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<Cooperative>> {
        ctx.require(region, "区划")?;
        let (lo, hi) = region.range();
        let mut tx = self.db.begin_read().await?;
        self.load_cooperatives(
            tx.as_mut(),
            ctx,
            "c.village_code BETWEEN $1 AND $2",
            &args![lo.as_str(), hi.as_str()],
        )
        .await
    }

    async fn household_trace(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<HouseholdTrace> {
        let mut tx = self.db.begin_read().await?;
        // by region, or as the cadre paired with the household today: what reached a household
        // is part of what its cadre keeps track of (the phone's household page shows it)
        let village = tx
            .fetch_optional(
                "SELECT village_code FROM households WHERE id = $1",
                &args![household.0],
            )
            .await?
            .map(|r| RegionCode::parse(&one_text(&r)?))
            .transpose()?;
        let visible = match &village {
            Some(v) => {
                self.household_visible(tx.as_mut(), ctx, household, v)
                    .await?
            }
            None => false,
        };
        if !visible {
            return Err(DomainError::not_found(
                "household_not_found",
                "该户不存在或不在您的管辖范围内",
            ));
        }
        let paid = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM fund_movements m JOIN projects p ON p.id = m.project_id \
                     JOIN fund_allocations fa ON fa.id = m.allocation_id JOIN fund_sources s ON s.id = fa.source_id \
                     WHERE m.household_id = $1 AND m.kind = 'disbursement' ORDER BY m.date, m.id",
                    PaidRow::columns().list()
                ),
                &args![household.0],
            )
            .await?;
        let divs = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM dividends d JOIN assets a ON a.id = d.asset_id LEFT JOIN projects p ON p.id = a.project_id \
                     WHERE d.household_id = $1 AND d.amount_fen > 0 ORDER BY d.paid_on, d.asset_id",
                    DividendPaidRow::columns().list()
                ),
                &args![household.0],
            )
            .await?;
        let mut items = Vec::with_capacity(paid.len() + divs.len());
        for r in &paid {
            items.push(PaidRow::from_row(r)?.0);
        }
        for r in &divs {
            items.push(DividendPaidRow::from_row(r)?.0);
        }
        // stable: disbursements before dividends on the same day
        items.sort_by_key(|i| i.date);
        let disbursed_fen = items
            .iter()
            .filter(|i| i.kind == "disbursement")
            .map(|i| i.amount_fen)
            .sum();
        let dividend_fen = items
            .iter()
            .filter(|i| i.kind == "dividend")
            .map(|i| i.amount_fen)
            .sum();
        Ok(HouseholdTrace {
            household_id: household,
            total_fen: disbursed_fen + dividend_fen,
            disbursed_fen,
            dividend_fen,
            items,
        })
    }

    async fn record_notice(&self, ctx: &Ctx, n: NoticeInput) -> StoreResult<Notice> {
        let first = n.validate(0)?;
        let mut tx = self.db.begin_write().await?;
        let (village, year) = if first.kind.of_asset() {
            let a = self
                .load_asset(tx.as_mut(), ctx, AssetId(first.subject_id))
                .await
                .map_err(|e| e.with_field("subject_id"))?;
            let y = first.year.unwrap_or_default();
            if !a.incomes.iter().any(|i| i.year == y) {
                return Err(DomainError::invalid(
                    "year",
                    "no_asset_income",
                    format!("该资产 {y} 年没有收益分配"),
                ));
            }
            (a.data.village_code, y)
        } else {
            let (p, _) = self
                .load_project(tx.as_mut(), ctx, ProjectId(first.subject_id), false)
                .await
                .map_err(|e| e.with_field("subject_id"))?;
            (p.data.village_code, p.data.year)
        };
        let params = self.params();
        let days = days_param(&params, key::PROJECT_NOTICE_DAYS, &village, year).or_else(|_| {
            days_param(
                &default_parameters(),
                key::PROJECT_NOTICE_DAYS,
                &village,
                year,
            )
        })?;
        let d = n.validate(days as i64)?;
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(
                "INSERT INTO public_notices (village_code, kind, subject_id, year, posted_from, posted_to, places, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &args![
                    village.as_str(),
                    d.kind.as_str(),
                    d.subject_id,
                    d.year,
                    d.posted_from,
                    d.posted_to,
                    d.places.as_str(),
                    ctx.actor.as_str(),
                    now
                ],
            )
            .await?;
        let out = Notice {
            id: one_i64(&r)?,
            kind_label: d.kind.label().to_string(),
            data: d,
            recorded_by: ctx.actor.clone(),
            recorded_at: now,
        };
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change(
                "notice.record",
                "notice",
                out.id,
                None::<&Notice>,
                Some(&out),
            )
            .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project_notices(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<Vec<Notice>> {
        let mut tx = self.db.begin_read().await?;
        self.load_project(tx.as_mut(), ctx, id, false).await?;
        self.load_notices(tx.as_mut(), "kind IN ('library', 'completion')", id.0)
            .await
    }

    async fn asset_notices(&self, ctx: &Ctx, id: AssetId) -> StoreResult<Vec<Notice>> {
        let mut tx = self.db.begin_read().await?;
        self.load_asset(tx.as_mut(), ctx, id).await?;
        self.load_notices(tx.as_mut(), "kind = 'dividend'", id.0)
            .await
    }
}
