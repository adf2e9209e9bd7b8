//! The pairing report and its lists: totals and compliance counts of a calendar year read from the
//! maintained figures (`figures`) at any level; another period computed from the rows of a
//! township or village; the lists (households without a cadre, pairings below the visit minimum)
//! paginated apart, by keyset over (village, id).

use crate::query::Query;
use crate::rows::Cols;
use crate::{args, SqlStore};
use fupin_core::assessment::standards::{count_or_shipped, key};
use fupin_core::pairing::*;
use fupin_core::regions::Level;
use fupin_core::registry::HouseholdId;
use fupin_core::store::StoreResult;
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, RegionCode};
use std::collections::BTreeMap;
use time::{Date, Month};

/// Whether [from, to] is one whole calendar year.
pub(crate) fn calendar_year(from: Date, to: Date) -> bool {
    from.month() == Month::January
        && from.day() == 1
        && to.year() == from.year()
        && to.month() == Month::December
        && to.day() == 31
}

impl SqlStore {
    pub(crate) async fn pairing_report_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<PairingReport> {
        self.pairing_report_with(ctx, region, from, to, true).await
    }

    /// The report; with `details`, a township's or village's per-cadre details and any period
    /// there, read from the rows.
    pub(crate) async fn pairing_report_with(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
        details: bool,
    ) -> StoreResult<PairingReport> {
        ctx.require(region, "区划")?;
        if to < from {
            return Err(DomainError::invalid(
                "to",
                "end_before_start",
                "结束日期不能早于开始日期",
            ));
        }
        if (to - from).whole_days() > 366 * 20 {
            return Err(DomainError::invalid(
                "to",
                "period_too_long",
                "统计期间最长 20 年",
            ));
        }
        let calendar = calendar_year(from, to);
        // a township or village: its rows are few enough to read for any period and for the
        // per-cadre details
        let small = details && region.level() >= Level::Township;
        if !calendar && !small {
            return Err(DomainError::invalid(
                "from",
                "period_not_calendar_year",
                "乡镇以上区划的结对帮扶报告按自然年统计：from 须为某年 1 月 1 日，to 须为同年 12 月 31 日",
            ));
        }
        let mut tx = self.db.begin_read().await?;
        let region_ref = self.region_ref(tx.as_mut(), region).await?;
        let params = self.params();
        let (mut f, mut cadres, without) = self
            .read_pairing_figures(tx.as_mut(), region, from.year())
            .await?;
        let mut report = PairingReport {
            region: region_ref,
            from,
            to,
            source: if calendar { "maintained" } else { "computed" }.into(),
            cadres_total: 0,
            pairings_total: 0,
            households_paired: 0,
            units_total: None,
            visits_total: 0,
            visits_person_times: 0,
            condolence_money_fen: 0,
            goods_value_fen: 0,
            money_and_goods_fen: 0,
            wishes_submitted: 0,
            wishes_fulfilled: 0,
            wishes_value_fen: 0,
            visits_required: 0,
            visits_done: 0,
            visits_missing: 0,
            below_minimum_count: 0,
            households_without_cadre_count: without,
            cadres_over_limit: None,
            visits_per_cadre: None,
            team_warnings: None,
            visit_minimum: visit_minimum(&params, region, to.year()),
            limits: self.pairing_limits(region, to.year()),
        };
        if small {
            let (lo, hi) = region.range();
            let facts = self.region_pairing_facts(tx.as_mut(), region).await?;
            let mut years = Vec::new();
            let mut pairings = Vec::new();
            let mut visits = Vec::new();
            let mut wishes = (0, 0, 0);
            for h in facts {
                years.extend(pairing_years(&h.pairings, &h.visits, from, to, |y| {
                    visit_minimum(&params, &h.village, y)
                }));
                for w in &h.wishes {
                    if w.submitted_on >= from && w.submitted_on <= to {
                        wishes.0 += 1;
                        if let Some((_, v)) = w.fulfilled.filter(|(d, _)| *d >= from && *d <= to) {
                            wishes.1 += 1;
                            wishes.2 += v;
                        }
                    }
                }
                pairings.extend(h.pairings);
                visits.extend(h.visits);
            }
            let t = totals(&pairings, &visits, from, to);
            if !calendar {
                f = PairingFigures::default();
                for y in &years {
                    f += PairingFigures::of_pairing_year(y);
                }
                f.households = years
                    .iter()
                    .map(|y| y.household_id)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len() as i64;
                f.visits = t.visits_total;
                f.person_times = t.visits_person_times;
                f.money_fen = t.condolence_money_fen;
                f.goods_fen = t.goods_value_fen;
                (f.wishes_submitted, f.wishes_fulfilled, f.wishes_value_fen) = wishes;
                cadres = t.cadres_total;
            }
            let on = to.min(today());
            let over = cadres_over_limit(&pairings, on, report.limits.households_per_cadre);
            let mut ids: Vec<i64> = t.visits_per_cadre.keys().copied().collect();
            ids.extend(over.iter().map(|(c, _)| c.0));
            let names = self.cadre_names(tx.as_mut(), &ids).await?;
            let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
            report.cadres_over_limit = Some(
                over.into_iter()
                    .map(|(c, n)| CadreCount {
                        cadre_id: c,
                        cadre_name: name(c.0),
                        count: n,
                    })
                    .collect(),
            );
            report.visits_per_cadre = Some(
                t.visits_per_cadre
                    .iter()
                    .map(|(c, n)| CadreCount {
                        cadre_id: CadreId(*c),
                        cadre_name: name(*c),
                        count: *n,
                    })
                    .collect(),
            );
            let terms: Vec<TeamTerm> = tx
                .fetch_all(
                    "SELECT t.village_code, c.name, t.start_date, t.end_date FROM team_members t JOIN cadres c ON c.id = t.cadre_id \
                     WHERE t.village_code BETWEEN $1 AND $2 AND t.start_date <= $3 AND (t.end_date IS NULL OR t.end_date >= $4)",
                    &args![lo.as_str(), hi.as_str(), to, from],
                )
                .await?
                .iter()
                .map(|r| {
                    Cols::read(r, |c| {
                        Ok(TeamTerm {
                            village: c.text()?,
                            cadre_name: c.text()?,
                            start: c.date()?,
                            end: c.opt_date()?,
                        })
                    })
                })
                .collect::<StoreResult<_>>()?;
            report.team_warnings = Some(team_warnings(
                &terms,
                from,
                to,
                on,
                count_or_shipped(&params, key::TEAM_MIN_MEMBERS, region, to.year()),
                count_or_shipped(&params, key::TERM_MIN_YEARS, region, to.year()),
            ));
        }
        report.cadres_total = cadres;
        report.pairings_total = f.pairings;
        report.households_paired = f.households;
        report.visits_total = f.visits;
        report.visits_person_times = f.person_times;
        report.condolence_money_fen = f.money_fen;
        report.goods_value_fen = f.goods_fen;
        report.money_and_goods_fen = f.money_fen + f.goods_fen;
        report.wishes_submitted = f.wishes_submitted;
        report.wishes_fulfilled = f.wishes_fulfilled;
        report.wishes_value_fen = f.wishes_value_fen;
        report.visits_required = f.visits_required;
        report.visits_done = f.visits_done;
        report.visits_missing = f.visits_missing;
        report.below_minimum_count = f.pairings_below;
        Ok(report)
    }

    /// Names of cadres by id.
    async fn cadre_names(
        &self,
        tx: &mut dyn crate::sql::Tx,
        ids: &[i64],
    ) -> StoreResult<BTreeMap<i64, String>> {
        let mut out = BTreeMap::new();
        for chunk in ids.chunks(crate::bulk::IN_CHUNK) {
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT id, name FROM cadres WHERE id IN ({})",
                        crate::bulk::id_list(chunk)
                    ),
                    &[],
                )
                .await?
            {
                let (id, name) = Cols::read(&r, |c| Ok((c.i64()?, c.text()?)))?;
                out.insert(id, name);
            }
        }
        Ok(out)
    }

    pub(crate) async fn households_without_cadre_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        descending: bool,
        limit: u32,
    ) -> StoreResult<Vec<HouseholdRef>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(
            "SELECT w.household_id, h.household_number, w.village_code, \
             (SELECT p.name FROM persons p WHERE p.household_id = h.id AND p.active AND p.relation = '01') \
             FROM households_without_cadre w JOIN households h ON h.id = w.household_id WHERE 1 = 1",
        );
        let from = after.as_ref().map(|(v, _)| (v.as_str(), descending));
        q.and_in_ranges("w.village_code", &ctx.scope.ranges_from(Some(region), from));
        // along the index (village_code, household_id), forwards or backwards
        let (cmp, dir) = if descending {
            ("<", " DESC")
        } else {
            (">", "")
        };
        if let Some((v, id)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(id.0);
            q.push(&format!(
                " AND (w.village_code, w.household_id) {cmp} ({a}, {b})"
            ));
        }
        let l = q.arg(i64::from(limit.clamp(1, 1_000)));
        q.push(&format!(
            " ORDER BY w.village_code{dir}, w.household_id{dir} LIMIT {l}"
        ));
        let mut tx = self.db.begin_read().await?;
        tx.fetch_all(&q.sql, &q.args)
            .await?
            .iter()
            .map(|r| {
                Cols::read(r, |c| {
                    Ok(HouseholdRef {
                        household_id: HouseholdId(c.i64()?),
                        household_number: c.text()?,
                        village_code: c.text()?,
                        head_name: c.opt_text()?,
                    })
                })
            })
            .collect()
    }

    pub(crate) async fn pairings_below_minimum_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        after: Option<(RegionCode, PairingId)>,
        descending: bool,
        limit: u32,
    ) -> StoreResult<Vec<BelowMinimumLine>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(
            "SELECT y.pairing_id, y.household_id, y.cadre_id, y.year, y.covered_days, y.required, y.done, \
             h.household_number, y.village_code, c.name \
             FROM pairing_years y JOIN households h ON h.id = y.household_id JOIN cadres c ON c.id = y.cadre_id \
             WHERE y.done < y.required AND y.year = ",
        );
        let y = q.arg(year);
        q.push(&y);
        let from = after.as_ref().map(|(v, _)| (v.as_str(), descending));
        q.and_in_ranges("y.village_code", &ctx.scope.ranges_from(Some(region), from));
        // along (village_code, pairing_id), forwards or backwards
        let (cmp, dir) = if descending {
            ("<", " DESC")
        } else {
            (">", "")
        };
        if let Some((v, id)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(id.0);
            q.push(&format!(
                " AND (y.village_code, y.pairing_id) {cmp} ({a}, {b})"
            ));
        }
        let l = q.arg(i64::from(limit.clamp(1, 1_000)));
        q.push(&format!(
            " ORDER BY y.village_code{dir}, y.pairing_id{dir} LIMIT {l}"
        ));
        let mut tx = self.db.begin_read().await?;
        tx.fetch_all(&q.sql, &q.args)
            .await?
            .iter()
            .map(|r| {
                Cols::read(r, |c| {
                    let (pairing_id, household_id, cadre_id) = (
                        PairingId(c.i64()?),
                        HouseholdId(c.i64()?),
                        CadreId(c.i64()?),
                    );
                    let (year, covered_days) = (c.i32()?, c.i64()?);
                    let (required, done) = (c.i64()?, c.i64()?);
                    Ok(BelowMinimumLine {
                        year: PairingYear {
                            pairing_id,
                            household_id,
                            cadre_id,
                            year,
                            covered_days,
                            required,
                            done,
                            missing: (required - done).max(0),
                        },
                        household_number: c.text()?,
                        village_code: c.text()?,
                        cadre_name: c.text()?,
                    })
                })
            })
            .collect()
    }
}
