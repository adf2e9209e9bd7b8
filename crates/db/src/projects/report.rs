//! The funds report's figures in SQL: `funds_stats` holds one row per (region, year, dimension,
//! key) for every village and every level above it, moved by each write's [`FundsDelta`] in the
//! write's transaction. A report reads the region's own rows; the recomputation groups the raw
//! rows (sources, allocations, movements, projects, assets, incomes, dividends) by village in one
//! set-based pass per table, and the rebuild writes those groups and rolls them up.

use crate::rows::Cols;
use crate::sql::{Tx, Value};
use crate::{args, SqlStore};
use fupin_core::projects::*;
use fupin_core::store::StoreResult;
use fupin_core::years::today;
use fupin_core::{Ctx, RegionCode};
use std::collections::BTreeMap;
use time::Date;

/// The columns of a counter row after its key.
const TALLY: &str = "n, a_fen, b_fen, c_fen, d_fen";

fn tally(c: &mut Cols<'_>) -> StoreResult<FundsTally> {
    Ok(FundsTally::new(
        c.i64()?,
        c.i64()?,
        c.i64()?,
        c.i64()?,
        c.i64()?,
    ))
}

/// The columns of an overdue project, read by [`overdue_row`].
const OVERDUE_COLS: &str = "id, village_code, name, stage, planned_end";

fn overdue_row(r: &crate::sql::Row) -> StoreResult<OverdueProject> {
    Cols::read(r, |c| {
        let id = ProjectId(c.i64()?);
        let village_code = RegionCode::parse(&c.text()?)?;
        let name = c.text()?;
        let stage = Stage::parse(&c.text()?).unwrap_or(Stage::Proposal);
        Ok(OverdueProject {
            id,
            village_code,
            name,
            stage: fupin_core::assessment::Step::as_str(stage).to_string(),
            stage_label: fupin_core::assessment::Step::label(stage).to_string(),
            planned_end: c.date()?,
        })
    })
}

/// A grouped row of the raw tables: its region, key and counters.
type Leaf = (RegionCode, FundsKey, FundsTally);

impl SqlStore {
    /// Write a delta, rolled up to every level, into `funds_stats`.
    pub(crate) async fn apply_funds_delta(
        &self,
        tx: &mut dyn Tx,
        delta: &FundsDelta,
    ) -> StoreResult<()> {
        for ((code, k), t) in delta.rolled_up() {
            tx.execute(
                &format!(
                    "INSERT INTO funds_stats (region_code, year, dim, key, {TALLY}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (region_code, year, dim, key) DO UPDATE SET \
                     n = funds_stats.n + excluded.n, a_fen = funds_stats.a_fen + excluded.a_fen, \
                     b_fen = funds_stats.b_fen + excluded.b_fen, c_fen = funds_stats.c_fen + excluded.c_fen, \
                     d_fen = funds_stats.d_fen + excluded.d_fen"
                ),
                &args![
                    code.as_str(),
                    k.year,
                    k.dim.as_str(),
                    k.key.as_str(),
                    t.n,
                    t.a,
                    t.b,
                    t.c,
                    t.d
                ],
            )
            .await?;
        }
        Ok(())
    }

    /// What a project contributes now, from its row.
    pub(crate) async fn project_figures(
        &self,
        tx: &mut dyn Tx,
        id: ProjectId,
    ) -> StoreResult<ProjectFigures> {
        let r = tx
            .fetch_one(
                "SELECT village_code, year, category, stage, planned_end, accepted_on, budget_fen, \
                 allocated_fen, received_fen, disbursed_fen FROM projects WHERE id = $1",
                &args![id.0],
            )
            .await?;
        Cols::read(&r, |c| {
            Ok(ProjectFigures {
                village: RegionCode::parse(&c.text()?)?,
                year: c.i32()?,
                category: Category::parse(&c.text()?).unwrap_or(Category::Other),
                stage: Stage::parse(&c.text()?).unwrap_or(Stage::Proposal),
                planned_end: c.date()?,
                accepted: c.opt_date()?.is_some(),
                budget_fen: c.i64()?,
                allocated_fen: c.i64()?,
                received_fen: c.i64()?,
                disbursed_fen: c.i64()?,
            })
        })
    }

    /// Move a project's figures from `before` (none for a new one) to what its row says now,
    /// together with `more`.
    pub(crate) async fn refigure_project(
        &self,
        tx: &mut dyn Tx,
        id: ProjectId,
        before: Option<&ProjectFigures>,
        mut more: FundsDelta,
    ) -> StoreResult<()> {
        if let Some(b) = before {
            b.apply(&mut more, -1);
        }
        self.project_figures(tx, id).await?.apply(&mut more, 1);
        self.apply_funds_delta(tx, &more).await
    }

    /// The first [`OVERDUE_SHOWN`] projects of `region` open past their planned end on `on`, read
    /// straight from the rows: what the recomputation shows.
    async fn overdue_named(
        &self,
        tx: &mut dyn Tx,
        region: &RegionCode,
        (from, to): (i32, i32),
        on: Date,
    ) -> StoreResult<Vec<OverdueProject>> {
        let (lo, hi) = region.range();
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {OVERDUE_COLS} FROM projects \
                     WHERE accepted_on IS NULL AND planned_end < $1 AND village_code BETWEEN $2 AND $3 \
                     AND year BETWEEN $4 AND $5 ORDER BY planned_end, id LIMIT {OVERDUE_SHOWN}"
                ),
                &args![on, lo, hi, from, to],
            )
            .await?;
        rows.iter().map(overdue_row).collect()
    }

    /// The same projects found through the kept figures: the region's open projects by planned
    /// end (`funds_stats`, dimension `open`) give the earliest days that hold the first
    /// [`OVERDUE_SHOWN`], and each of those days is one seek of the partial index
    /// `projects_open_end` (planned end, village) within the region's code range. A village thus
    /// reads its own few rows and a province at most [`OVERDUE_SHOWN`] days of rows, instead of
    /// walking every open project of the code range (the planner took `projects_village` for
    /// `planned_end < day`, reading a province's projects) or every overdue project of the
    /// database (the partial index by planned end alone, for a small region). Rejected: keeping
    /// the names themselves in the figures (a list per region and level, rewritten on each write).
    async fn overdue_from_figures(
        &self,
        tx: &mut dyn Tx,
        region: &RegionCode,
        (from, to): (i32, i32),
        on: Date,
    ) -> StoreResult<Vec<OverdueProject>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT key, CAST(SUM(n) AS BIGINT) FROM funds_stats WHERE region_code = $1 \
                     AND dim = 'open' AND year BETWEEN $2 AND $3 AND key < $4 \
                     GROUP BY key HAVING SUM(n) > 0 ORDER BY key LIMIT {OVERDUE_SHOWN}"
                ),
                &args![region.as_str(), from, to, on.to_string()],
            )
            .await?;
        let mut days: Vec<Date> = Vec::new();
        let mut held = 0i64;
        for r in &rows {
            let (day, n) = Cols::read(r, |c| Ok((c.text()?, c.i64()?)))?;
            days.push(fupin_core::years::parse_date("planned_end", &day)?);
            held += n;
            if held >= OVERDUE_SHOWN as i64 {
                break;
            }
        }
        if days.is_empty() {
            return Ok(Vec::new());
        }
        let (lo, hi) = region.range();
        let mut q = crate::query::Query::new(&format!(
            "SELECT {OVERDUE_COLS} FROM projects WHERE accepted_on IS NULL AND planned_end IN ("
        ));
        let list: Vec<String> = days.into_iter().map(|d| q.arg(d)).collect();
        q.push(&list.join(", "));
        let (a, b, c, d) = (q.arg(lo), q.arg(hi), q.arg(from), q.arg(to));
        q.push(&format!(
            ") AND village_code BETWEEN {a} AND {b} AND year BETWEEN {c} AND {d} \
             ORDER BY planned_end, id LIMIT {OVERDUE_SHOWN}"
        ));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        rows.iter().map(overdue_row).collect()
    }

    pub(crate) async fn funds_report_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<FundsReport> {
        let years = check_funds_period(from, to)?;
        ctx.require(region, "区划")?;
        let on = today();
        let mut tx = self.db.begin_read().await?;
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT year, dim, key, {TALLY} FROM funds_stats WHERE region_code = $1 \
                     AND year <= $2 AND dim <> 'open'"
                ),
                &args![region.as_str(), years.1],
            )
            .await?;
        let rows = rows
            .iter()
            .map(|r| {
                Cols::read(r, |c| {
                    Ok((FundsKey::new(c.i32()?, &c.text()?, &c.text()?), tally(c)?))
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let r = tx
            .fetch_one(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM funds_stats WHERE region_code = $1 \
                 AND dim = 'open' AND year BETWEEN $2 AND $3 AND key < $4",
                &args![region.as_str(), years.0, years.1, on.to_string()],
            )
            .await?;
        let overdue_n = crate::rows::one_i64(&r)?;
        let overdue = if overdue_n == 0 {
            Vec::new()
        } else {
            self.overdue_from_figures(tx.as_mut(), region, years, on)
                .await?
        };
        Ok(FundsReport::with_overdue(
            region.clone(),
            years,
            on,
            &rows,
            Some(overdue_n),
            overdue,
        ))
    }

    pub(crate) async fn recompute_funds_report_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<FundsReport> {
        let years = check_funds_period(from, to)?;
        ctx.require(region, "区划")?;
        let on = today();
        let mut tx = self.db.begin_read().await?;
        let leaves = self.funds_leaves(tx.as_mut(), Some(region)).await?;
        let mut sums: BTreeMap<FundsKey, FundsTally> = BTreeMap::new();
        for (_, k, t) in leaves {
            sums.entry(k).or_default().add(&t, 1);
        }
        let rows: Vec<_> = sums.into_iter().collect();
        let overdue = self.overdue_named(tx.as_mut(), region, years, on).await?;
        Ok(FundsReport::from_rows(
            region.clone(),
            years,
            on,
            &rows,
            overdue,
        ))
    }

    /// Drop the funds figures and write them again from the rows, rolled up.
    pub(crate) async fn rebuild_funds_figures_in(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        tx.execute("DELETE FROM funds_stats", &[]).await?;
        let leaves = self.funds_leaves(tx, None).await?;
        // roll up in memory: a province's rows are a few per village and key
        let mut delta = FundsDelta::default();
        for (code, k, t) in leaves {
            delta.add(&code, k, t, 1);
        }
        let rows = delta.rolled_up();
        let mut batch: Vec<Value> = Vec::new();
        let mut n = 0;
        let flush = |batch: &mut Vec<Value>, n: &mut usize| {
            let sql = format!(
                "INSERT INTO funds_stats (region_code, year, dim, key, {TALLY}) VALUES {}",
                (0..*n)
                    .map(|i| {
                        let b = i * 9;
                        format!(
                            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                            b + 1,
                            b + 2,
                            b + 3,
                            b + 4,
                            b + 5,
                            b + 6,
                            b + 7,
                            b + 8,
                            b + 9
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            *n = 0;
            (sql, std::mem::take(batch))
        };
        for ((code, k), t) in rows {
            batch.extend(args![
                code.as_str(),
                k.year,
                k.dim.as_str(),
                k.key.as_str(),
                t.n,
                t.a,
                t.b,
                t.c,
                t.d
            ]);
            n += 1;
            if n == 100 {
                let (sql, values) = flush(&mut batch, &mut n);
                tx.execute(&sql, &values).await?;
            }
        }
        if n > 0 {
            let (sql, values) = flush(&mut batch, &mut n);
            tx.execute(&sql, &values).await?;
        }
        Ok(())
    }

    /// The raw rows grouped by the region they count at, year, dimension and key; within
    /// `region` when given.
    async fn funds_leaves(
        &self,
        tx: &mut dyn Tx,
        region: Option<&RegionCode>,
    ) -> StoreResult<Vec<Leaf>> {
        let (lo, hi) = region
            .map(|r| r.range())
            .unwrap_or_else(|| ("000000000000".into(), "999999999999".into()));
        let y = |col: &str| self.db.year_of(col);
        let mut out: Vec<Leaf> = Vec::new();
        let read = |rows: Vec<crate::sql::Row>,
                    out: &mut Vec<Leaf>,
                    f: &dyn Fn(&mut Cols<'_>) -> StoreResult<Leaf>|
         -> StoreResult<()> {
            for r in &rows {
                out.push(Cols::read(r, f)?);
            }
            Ok(())
        };
        let code = |c: &mut Cols<'_>| -> StoreResult<RegionCode> { RegionCode::parse(&c.text()?) };

        // sources: their amount at the region holding them, by their year
        let rows = tx
            .fetch_all(
                "SELECT region_code, year, kind, COUNT(*), CAST(SUM(amount_fen) AS BIGINT) \
                 FROM fund_sources WHERE region_code BETWEEN $1 AND $2 GROUP BY region_code, year, kind",
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        read(rows, &mut out, &|c| {
            Ok((
                code(c)?,
                FundsKey::new(c.i32()?, dim::SOURCE, &c.text()?),
                FundsTally::new(c.i64()?, c.i64()?, 0, 0, 0),
            ))
        })?;
        // allocations at the project's village, by the allocation's year
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT a.village_code, {} AS y, s.kind, CAST(SUM(a.amount_fen) AS BIGINT) \
                     FROM fund_allocations a JOIN fund_sources s ON s.id = a.source_id \
                     WHERE a.village_code BETWEEN $1 AND $2 GROUP BY a.village_code, y, s.kind",
                    y("a.date")
                ),
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        read(rows, &mut out, &|c| {
            Ok((
                code(c)?,
                FundsKey::new(c.i32()?, dim::SOURCE, &c.text()?),
                FundsTally::new(0, 0, c.i64()?, 0, 0),
            ))
        })?;
        // receipts and disbursements, by the movement's year and the source's kind
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT m.village_code, {} AS y, s.kind, \
                     CAST(SUM(CASE WHEN m.kind = 'receipt' THEN m.amount_fen ELSE 0 END) AS BIGINT), \
                     CAST(SUM(CASE WHEN m.kind = 'disbursement' THEN m.amount_fen ELSE 0 END) AS BIGINT) \
                     FROM fund_movements m JOIN fund_allocations a ON a.id = m.allocation_id \
                     JOIN fund_sources s ON s.id = a.source_id \
                     WHERE m.village_code BETWEEN $1 AND $2 GROUP BY m.village_code, y, s.kind",
                    y("m.date")
                ),
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        read(rows, &mut out, &|c| {
            Ok((
                code(c)?,
                FundsKey::new(c.i32()?, dim::SOURCE, &c.text()?),
                FundsTally::new(0, 0, 0, c.i64()?, c.i64()?),
            ))
        })?;
        // projects by category and stage, their money summed from the allocations and movements
        let rows = tx
            .fetch_all(
                "SELECT p.village_code, p.year, p.category, p.stage, COUNT(*), CAST(SUM(p.budget_fen) AS BIGINT), \
                 CAST(COALESCE(SUM(al.amount), 0) AS BIGINT), CAST(COALESCE(SUM(mv.received), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(mv.disbursed), 0) AS BIGINT) \
                 FROM projects p \
                 LEFT JOIN (SELECT project_id, SUM(amount_fen) AS amount FROM fund_allocations GROUP BY project_id) al \
                   ON al.project_id = p.id \
                 LEFT JOIN (SELECT project_id, \
                   SUM(CASE WHEN kind = 'receipt' THEN amount_fen ELSE 0 END) AS received, \
                   SUM(CASE WHEN kind = 'disbursement' THEN amount_fen ELSE 0 END) AS disbursed \
                   FROM fund_movements GROUP BY project_id) mv ON mv.project_id = p.id \
                 WHERE p.village_code BETWEEN $1 AND $2 GROUP BY p.village_code, p.year, p.category, p.stage",
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        for r in &rows {
            let (v, year, cat, stage, t) = Cols::read(r, |c| {
                Ok((code(c)?, c.i32()?, c.text()?, c.text()?, tally(c)?))
            })?;
            out.push((v.clone(), FundsKey::new(year, dim::CATEGORY, &cat), t));
            out.push((v, FundsKey::new(year, dim::STAGE, &stage), t));
        }
        // projects not accepted, by planned end
        let rows = tx
            .fetch_all(
                "SELECT village_code, year, planned_end, COUNT(*) FROM projects \
                 WHERE accepted_on IS NULL AND village_code BETWEEN $1 AND $2 \
                 GROUP BY village_code, year, planned_end",
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        read(rows, &mut out, &|c| {
            Ok((
                code(c)?,
                {
                    let year = c.i32()?;
                    FundsKey::new(year, dim::OPEN, &c.date()?.to_string())
                },
                FundsTally::new(c.i64()?, 0, 0, 0, 0),
            ))
        })?;
        // assets by kind and registered year
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT village_code, {} AS y, kind, COUNT(*), CAST(SUM(value_fen) AS BIGINT) FROM assets \
                     WHERE village_code BETWEEN $1 AND $2 GROUP BY village_code, y, kind",
                    y("registered_on")
                ),
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        read(rows, &mut out, &|c| {
            Ok((
                code(c)?,
                FundsKey::new(c.i32()?, dim::ASSET, &c.text()?),
                FundsTally::new(c.i64()?, c.i64()?, 0, 0, 0),
            ))
        })?;
        // assets' incomes by year and kind
        let rows = tx
            .fetch_all(
                "SELECT i.village_code, i.year, a.kind, COUNT(*), CAST(SUM(i.income_fen) AS BIGINT), \
                 CAST(SUM(i.collective_fen) AS BIGINT), CAST(SUM(i.households_fen) AS BIGINT) \
                 FROM asset_incomes i JOIN assets a ON a.id = i.asset_id \
                 WHERE i.village_code BETWEEN $1 AND $2 GROUP BY i.village_code, i.year, a.kind",
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        read(rows, &mut out, &|c| {
            Ok((
                code(c)?,
                FundsKey::new(c.i32()?, dim::ASSET_INCOME, &c.text()?),
                FundsTally::new(c.i64()?, c.i64()?, c.i64()?, c.i64()?, 0),
            ))
        })?;
        // dividends at the household's village: rows, sum and households paid
        let rows = tx
            .fetch_all(
                "SELECT village_code, year, COUNT(*), CAST(SUM(amount_fen) AS BIGINT), COUNT(DISTINCT household_id) \
                 FROM dividends WHERE village_code BETWEEN $1 AND $2 GROUP BY village_code, year",
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        read(rows, &mut out, &|c| {
            Ok((code(c)?, FundsKey::new(c.i32()?, dim::DIVIDEND, ""), {
                let (n, a, b) = (c.i64()?, c.i64()?, c.i64()?);
                FundsTally::new(n, a, b, 0, 0)
            }))
        })?;
        Ok(out)
    }
}
