//! Region statistics from the (year, village) aggregates, their horizon, recomputation and rebuild.
//!
//! The aggregates hold one row per (year, village) for every year up to the *horizon*, the current
//! year when the store last wrote, and the same figures summed for every township, county, city and
//! province above those villages (`Aggregates::rolled_up`), so that any region's statistics are one
//! row to read: a province of 20,000 villages answers as fast as a village. When the calendar passes the horizon, the rows of the last year are
//! carried forward (stock figures only: no income is recorded for a year that has not happened).

mod bulk;
pub(crate) mod facts;
pub(crate) mod rows;
mod snapshots;
pub(crate) mod totals;

use crate::reports::facts::{stat_columns, STATUS_COLUMNS};
use crate::rows::{Cols, Record, Select};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::regions::{Region, RegionCode, RegionRef};
use fupin_core::reports::{Aggregates, CauseFigures, ProfileTotals, RegionStats, YearFigures};
use fupin_core::store::{StatsStore, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError};
use rows::{read_figures, CauseRow, StatRow};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

const HORIZON_KEY: &str = "stats_horizon";
/// Set once the aggregates hold rows for regions above villages (databases written before that
/// are rolled up when first opened).
const ROLLUP_KEY: &str = "stats_rollup";
/// Set once the aggregates follow `HouseholdFacts::in_scope` for incomes too (a removed household's
/// or a later-identified household's income out of a year's figures); databases written before are
/// rebuilt when first opened.
const SCOPE_KEY: &str = "stats_scope";

impl SqlStore {
    pub(crate) async fn init_horizon(&self) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        let stored = tx
            .fetch_optional("SELECT value FROM meta WHERE key = $1", &args![HORIZON_KEY])
            .await?;
        match stored {
            None => {
                let y = today().year();
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ($1, $2)",
                    &args![HORIZON_KEY, y.to_string()],
                )
                .await?;
                self.horizon.store(y, Ordering::SeqCst);
            }
            Some(r) => {
                let h: i32 = Cols::read(&r, |c| Ok(c.text()?))?
                    .parse()
                    .map_err(|_| DomainError::internal())?;
                self.horizon.store(h, Ordering::SeqCst);
                self.extend_horizon_if_needed(tx.as_mut()).await?;
            }
        }
        self.roll_up_if_needed(tx.as_mut()).await?;
        self.rescope_if_needed(tx.as_mut()).await?;
        self.build_pairing_figures_if_needed(tx.as_mut()).await?;
        Ok(tx.commit().await?)
    }

    /// Rebuild aggregates written under an earlier definition of the households in scope.
    async fn rescope_if_needed(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        let done = tx
            .fetch_optional("SELECT value FROM meta WHERE key = $1", &args![SCOPE_KEY])
            .await?
            .is_some();
        if done {
            return Ok(());
        }
        self.rebuild_in(tx).await?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, '1')",
            &args![SCOPE_KEY],
        )
        .await?;
        Ok(())
    }

    /// Every aggregate row again from the households, county by county so that memory stays
    /// bounded at province scale.
    pub(crate) async fn rebuild_in(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        tx.execute("DELETE FROM village_year_stats", &[]).await?;
        tx.execute("DELETE FROM village_year_causes", &[]).await?;
        let counties = tx
            .fetch_all(
                "SELECT DISTINCT substr(village_code, 1, 6) FROM households ORDER BY 1",
                &[],
            )
            .await?;
        for c in counties {
            let county = Cols::read(&c, |c| RegionCode::parse(&c.text()?))?;
            let (lo, hi) = county.range();
            let mut agg = Aggregates::default();
            self.aggregate_range(tx, &lo, &hi, &mut agg).await?;
            self.add_aggregates(tx, &agg).await?;
        }
        Ok(())
    }

    /// Add the rows of regions above villages to aggregates written before they were kept.
    async fn roll_up_if_needed(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        let done = tx
            .fetch_optional("SELECT value FROM meta WHERE key = $1", &args![ROLLUP_KEY])
            .await?
            .is_some();
        if done {
            return Ok(());
        }
        // village codes never end in 000; anything else is a rolled-up row
        for table in ["village_year_stats", "village_year_causes"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE substr(village_code, 10, 3) = '000'"),
                &[],
            )
            .await?;
        }
        const STATS: Select<StatRow> = Select::new();
        const CAUSES: Select<CauseRow> = Select::new();
        let rows = tx
            .fetch_all(&format!("SELECT {STATS} FROM village_year_stats"), &[])
            .await?;
        let mut agg = Aggregates::default();
        for r in rows {
            let StatRow(code, year, figures) = StatRow::from_row(&r)?;
            agg.years.insert((code, year), figures);
        }
        let rows = tx
            .fetch_all(&format!("SELECT {CAUSES} FROM village_year_causes"), &[])
            .await?;
        for r in rows {
            let CauseRow(code, year, cause, figures) = CauseRow::from_row(&r)?;
            agg.causes.insert((code, year, cause), figures);
        }
        let mut up = agg.rolled_up();
        up.years.retain(|k, _| !agg.years.contains_key(k));
        up.causes.retain(|k, _| !agg.causes.contains_key(k));
        self.add_aggregate_rows(tx, &up).await?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, '1')",
            &args![ROLLUP_KEY],
        )
        .await
        .map_err(DomainError::from)
        .map(|_| ())
    }

    /// Carry the aggregates forward to the current year, inside the caller's write transaction.
    pub(crate) async fn extend_horizon_if_needed(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        let now = today().year();
        // re-read under the write lock: another process may have extended already
        let stored: i32 = match tx
            .fetch_optional("SELECT value FROM meta WHERE key = $1", &args![HORIZON_KEY])
            .await?
        {
            Some(r) => Cols::read(&r, |c| Ok(c.text()?))?
                .parse()
                .map_err(|_| DomainError::internal())?,
            None => now,
        };
        if stored >= now {
            self.horizon.store(stored, Ordering::SeqCst);
            return Ok(());
        }
        let cols = stat_columns();
        let stock: Vec<String> = cols
            .iter()
            .map(|c| {
                if c.starts_with("income_") || c.ends_with("_income_fen") {
                    "0".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        for y in stored + 1..=now {
            tx.execute(
                &format!(
                    "INSERT INTO village_year_stats (year, village_code, {}) SELECT $1, village_code, {} FROM village_year_stats WHERE year = $2",
                    cols.join(", "),
                    stock.join(", ")
                ),
                &args![y, y - 1],
            )
            .await?;
            tx.execute(
                "INSERT INTO village_year_causes (year, village_code, cause, households, persons) \
                 SELECT $1, village_code, cause, households, persons FROM village_year_causes WHERE year = $2",
                &args![y, y - 1],
            )
            .await?;
        }
        tx.execute(
            "UPDATE meta SET value = $1 WHERE key = $2",
            &args![now.to_string(), HORIZON_KEY],
        )
        .await?;
        self.horizon.store(now, Ordering::SeqCst);
        // open pairings owe visits in the new year too
        self.rebuild_pairing_figures_in(tx).await?;
        Ok(())
    }

    /// A region below the nation: the region, its figures of `stock_year` (its own row, rolled
    /// up from its villages; none when it has no households) and its villages' profile totals of
    /// `year`, in one statement: the region's row joined to its figures' row and to the profiles'
    /// sums, rather than one statement for each. "Not found" when the region does not exist.
    async fn region_figures(
        &self,
        tx: &mut dyn Tx,
        code: &RegionCode,
        stock_year: i32,
        year: i32,
    ) -> StoreResult<(RegionRef, YearFigures, ProfileTotals)> {
        let (lo, hi) = code.range();
        let figures: Vec<String> = stat_columns().iter().map(|c| format!("s.{c}")).collect();
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT {}, s.year, {}, p.income, p.population FROM regions r \
                     LEFT JOIN village_year_stats s ON s.year = $1 AND s.village_code = r.code \
                     CROSS JOIN ({}) p WHERE r.code = $2",
                    Region::columns().list_of("r"),
                    figures.join(", "),
                    profile_sums(3)
                ),
                &args![stock_year, code.as_str(), year, lo, hi],
            )
            .await?
            .ok_or_else(|| crate::regions::not_found_region(code))?;
        Cols::read(&r, |c| {
            let region = Region::decode(c)?;
            // the figures' columns are NULL, the year with them, when the region has no row
            let fig = match c.opt_i32()? {
                Some(_) => read_figures(c)?,
                None => {
                    for _ in 0..figures.len() {
                        c.opt_i64()?;
                    }
                    YearFigures::default()
                }
            };
            let profiles = read_profiles(c)?;
            let region = RegionRef {
                code: region.code,
                name: region.name,
                level: region.level,
            };
            Ok((region, fig, profiles))
        })
    }

    /// The nation: its figures of `stock_year` (its provinces' rows summed: the roll-up stops at
    /// the province) and profile totals of `year`.
    async fn nation_figures(
        &self,
        tx: &mut dyn Tx,
        stock_year: i32,
        year: i32,
    ) -> StoreResult<(RegionRef, YearFigures, ProfileTotals)> {
        let nation = RegionCode::nation();
        let sums: Vec<String> = stat_columns()
            .iter()
            .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT)"))
            .collect();
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT {} FROM village_year_stats WHERE year = $1 AND substr(village_code, 3, 10) = '0000000000'",
                    sums.join(", ")
                ),
                &args![stock_year],
            )
            .await?;
        let fig = match r {
            Some(r) => Cols::read(&r, read_figures)?,
            None => Default::default(),
        };
        let profiles = self.profile_totals(tx, &nation, year).await?;
        Ok((self.region_ref(tx, &nation).await?, fig, profiles))
    }

    async fn profile_totals(
        &self,
        tx: &mut dyn Tx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<ProfileTotals> {
        let (lo, hi) = code.range();
        let r = tx.fetch_one(&profile_sums(1), &args![year, lo, hi]).await?;
        Cols::read(&r, read_profiles)
    }

    /// Rebuild the aggregates of every household with `village_code` in [lo, hi] into `agg`.
    async fn aggregate_range(
        &self,
        tx: &mut dyn Tx,
        lo: &str,
        hi: &str,
        agg: &mut Aggregates,
    ) -> StoreResult<()> {
        let horizon = self.horizon();
        for (_, f) in self
            .facts_where(tx, "h.village_code BETWEEN $1 AND $2", &args![lo, hi])
            .await?
        {
            agg.add_household(&f, horizon, 1);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl StatsStore for SqlStore {
    async fn region_stats(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<RegionStats> {
        ctx.require(code, "区划")?;
        // statistics describe what has happened: a year to come has no figures yet
        fupin_core::years::check_year("year", year, today().year())?;
        let mut tx = self.db.begin_read().await?;
        let horizon = self.horizon();
        // after the horizon nothing has changed yet: stock figures of the horizon, no income
        let stock_year = year.min(horizon);
        let (region, mut fig, profiles) = if code.is_nation() {
            self.nation_figures(tx.as_mut(), stock_year, year).await?
        } else {
            self.region_figures(tx.as_mut(), code, stock_year, year)
                .await?
        };
        if year > horizon {
            fig = fig.stock();
        }
        // the nation's figures are its provinces' rows summed (the roll-up stops at the province)
        let rows_of = if code.is_nation() {
            "substr(village_code, 3, 10) = '0000000000' AND $2 = $2"
        } else {
            "village_code = $2"
        };
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT cause, CAST(SUM(households) AS BIGINT), CAST(SUM(persons) AS BIGINT) FROM village_year_causes \
                     WHERE year = $1 AND {rows_of} GROUP BY cause ORDER BY cause"
                ),
                &args![stock_year, code.as_str()],
            )
            .await?;
        let mut causes = BTreeMap::new();
        for r in rows {
            let (cause, figures) = Cols::read(&r, |c| {
                Ok((
                    c.text()?,
                    CauseFigures {
                        households: c.i64()?,
                        persons: c.i64()?,
                    },
                ))
            })?;
            causes.insert(cause, figures);
        }
        Ok(RegionStats::build(
            region,
            year,
            &fig,
            &causes,
            profiles,
            &self.codes(),
        ))
    }

    async fn recompute_region_stats(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<RegionStats> {
        ctx.require(code, "区划")?;
        let mut tx = self.db.begin_read().await?;
        let region = self.region_ref(tx.as_mut(), code).await?;
        let (lo, hi) = code.range();
        let mut agg = Aggregates::default();
        self.aggregate_range(tx.as_mut(), &lo, &hi, &mut agg)
            .await?;
        let horizon = self.horizon();
        let (mut fig, causes) = agg.total_for(year.min(horizon));
        if year > horizon {
            fig = fig.stock();
        }
        let profiles = self.profile_totals(tx.as_mut(), code, year).await?;
        Ok(RegionStats::build(
            region,
            year,
            &fig,
            &causes,
            profiles,
            &self.codes(),
        ))
    }

    async fn save_snapshot(
        &self,
        ctx: &Ctx,
        summary: &fupin_core::reports::summary::Summary,
        unit: Option<&str>,
    ) -> StoreResult<fupin_core::reports::summary::Snapshot> {
        self.save_snapshot_impl(ctx, summary, unit).await
    }

    async fn snapshot(
        &self,
        ctx: &Ctx,
        id: i64,
    ) -> StoreResult<fupin_core::reports::summary::Snapshot> {
        self.snapshot_impl(ctx, id).await
    }

    async fn snapshots(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
    ) -> StoreResult<Vec<fupin_core::reports::summary::SnapshotInfo>> {
        self.snapshots_impl(ctx, region).await
    }

    async fn rebuild_aggregates(&self, ctx: &Ctx) -> StoreResult<()> {
        if ctx.scope != fupin_core::Scope::All {
            return Err(DomainError::forbidden("只有全国范围的管理员可以重建统计"));
        }
        let mut tx = self.db.begin_write().await?;
        self.extend_horizon_if_needed(tx.as_mut()).await?;
        self.rebuild_in(tx.as_mut()).await?;
        self.recount_all_villages(tx.as_mut()).await?;
        self.rebuild_pairing_figures_in(tx.as_mut()).await?;
        self.rebuild_funds_figures_in(tx.as_mut()).await?;
        // the poverty measures' facts are computed again on their next read
        tx.execute("DELETE FROM village_measure_facts", &[]).await?;
        let rec = fupin_core::audit::AuditRecord::event(
            "stats.rebuild",
            "aggregates",
            None,
            serde_json::json!({}),
        );
        self.audit(tx.as_mut(), ctx, rec).await?;
        Ok(tx.commit().await?)
    }
}

/// Keep the status column table and the core's status list in step (checked at compile time).
const _: () = assert!(STATUS_COLUMNS.len() == fupin_core::reports::STATUS_SLOTS);

/// The villages' profile totals of a year over a code range: the year and the range's ends are
/// parameters `first`, `first + 1` and `first + 2`. Read back by [`read_profiles`].
fn profile_sums(first: usize) -> String {
    format!(
        "SELECT CAST(SUM(collective_income_fen) AS BIGINT) AS income, \
         CAST(SUM(rural_population) AS BIGINT) AS population FROM village_profiles \
         WHERE year = ${first} AND village_code BETWEEN ${} AND ${}",
        first + 1,
        first + 2
    )
}

/// The two sums of [`profile_sums`] (none when no village of the range has a profile).
fn read_profiles(c: &mut Cols<'_>) -> StoreResult<ProfileTotals> {
    Ok(ProfileTotals {
        collective_income_fen: c.opt_i64()?,
        rural_population: c.opt_i64()?,
    })
}
