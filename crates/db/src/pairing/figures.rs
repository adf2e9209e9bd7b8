//! The pairing report's maintained figures in SQL (core's `pairing::figures`).
//!
//! What each household holds is stored beside its rows (`pairing_years`,
//! `household_pairing_years`, `households_without_cadre`) and summed per (year, region) for every
//! level from village to province (`pairing_year_stats`, `pairing_year_cadres`,
//! `pairing_coverage`), as the region statistics are (`reports`). A write that changes a
//! household's pairings, visits, wishes, status or village calls `refresh_pairing_figures` for it
//! in its transaction: what the household holds is taken away, computed again from its rows and
//! added, and the difference goes to the sums. A new visit, the most frequent of these writes,
//! adds its difference directly (`add_visit_to_figures`, core's `visit_added`): the same figures
//! with three statements instead of some fifteen inside the write turn. A large import, a change of the visit minimum and a
//! new calendar year rebuild everything, county by county.

use crate::bulk::{id_list, IN_CHUNK};
use crate::query::Query;
use crate::rows::{one_i64, one_text, Cols};
use crate::sql::{Tx, Value};
use crate::{args, SqlStore};
use fupin_core::pairing::{
    visit_added, CadreId, HouseholdPairingFacts, HouseholdPairingRows, PairingAggregates,
    PairingFigures, PairingId, PairingSpan, PairingYear, Visit, VisitFact, WishFact,
};
use fupin_core::regions::RegionCode;
use fupin_core::registry::{HouseholdId, HouseholdStatus};
use fupin_core::store::StoreResult;
use fupin_core::DomainError;
use std::collections::{BTreeMap, BTreeSet};

/// Set once the figures have been built from the rows (databases written before they were kept are
/// rebuilt when first opened).
const BUILT_KEY: &str = "pairing_figures";

/// The scratch table of a rebuild: each county's per-cadre rows at every level, summed into
/// `pairing_year_cadres` at the end.
const REBUILT_CADRES: &str = "rebuilt_year_cadres";

/// The summed columns of `pairing_year_stats`, in the order of `PairingFigures::values`.
const STAT_COLS: [&str; PairingFigures::COUNT] = [
    "pairings",
    "pairings_below",
    "visits_required",
    "visits_done",
    "visits_missing",
    "households",
    "visits",
    "person_times",
    "money_fen",
    "goods_fen",
    "wishes_submitted",
    "wishes_fulfilled",
    "wishes_value_fen",
];

/// The activity columns of `household_pairing_years` (the last seven of `STAT_COLS`).
const ACTIVITY_FIRST: usize = 6;

/// Households whose figures are refreshed one by one; more are rebuilt wholesale.
pub(crate) const REFRESH_MAX: usize = 20_000;

fn status_of(s: &str) -> StoreResult<HouseholdStatus> {
    HouseholdStatus::parse(s).ok_or_else(|| {
        tracing::error!(status = s, "unknown status in database");
        DomainError::internal()
    })
}

impl SqlStore {
    /// The visit minimum of a village and year, from the parameters in force.
    fn minimum_of(&self) -> impl Fn(&RegionCode, i32) -> i64 {
        let params = self.params();
        move |v: &RegionCode, y: i32| fupin_core::pairing::visit_minimum(&params, v, y)
    }

    /// Pairing facts of every household of `region` (the recomputations' and a township's or
    /// village's report's input).
    pub(crate) async fn region_pairing_facts(
        &self,
        tx: &mut dyn Tx,
        region: &RegionCode,
    ) -> StoreResult<Vec<HouseholdPairingFacts>> {
        let (lo, hi) = region.range();
        Ok(self
            .pairing_facts_where(
                tx,
                "h.village_code BETWEEN $1 AND $2",
                &args![lo.as_str(), hi.as_str()],
            )
            .await?
            .into_values()
            .collect())
    }

    /// Pairing facts of the households matching a condition on `h` (households), one query per
    /// table.
    pub(crate) async fn pairing_facts_where(
        &self,
        tx: &mut dyn Tx,
        cond: &str,
        a: &[Value],
    ) -> StoreResult<BTreeMap<i64, HouseholdPairingFacts>> {
        let mut map: BTreeMap<i64, HouseholdPairingFacts> = BTreeMap::new();
        for r in tx
            .fetch_all(
                &format!("SELECT h.id, h.village_code, h.status FROM households h WHERE {cond}"),
                a,
            )
            .await?
        {
            let (id, village, status) = Cols::read(&r, |c| Ok((c.i64()?, c.text()?, c.text()?)))?;
            map.insert(
                id,
                HouseholdPairingFacts {
                    village: RegionCode::parse(&village)?,
                    needs_cadre: status_of(&status)?.needs_cadre(),
                    pairings: Vec::new(),
                    visits: Vec::new(),
                    wishes: Vec::new(),
                },
            );
        }
        if map.is_empty() {
            return Ok(map);
        }
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT p.household_id, p.id, p.cadre_id, p.start_date, p.end_date FROM pairings p \
                     JOIN households h ON h.id = p.household_id WHERE {cond}"
                ),
                a,
            )
            .await?
        {
            let span = Cols::read(&r, |c| {
                Ok(PairingSpan {
                    household_id: HouseholdId(c.i64()?),
                    id: PairingId(c.i64()?),
                    cadre_id: CadreId(c.i64()?),
                    start: c.date()?,
                    end: c.opt_date()?,
                })
            })?;
            if let Some(f) = map.get_mut(&span.household_id.0) {
                f.pairings.push(span);
            }
        }
        let mut visits: BTreeMap<i64, (i64, VisitFact)> = BTreeMap::new();
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT v.id, v.household_id, v.date, v.condolence_money_fen, v.goods_value_fen FROM visits v \
                     JOIN households h ON h.id = v.household_id WHERE {cond}"
                ),
                a,
            )
            .await?
        {
            let (id, fact) = Cols::read(&r, |c| {
                Ok((
                    c.i64()?,
                    VisitFact {
                        household_id: HouseholdId(c.i64()?),
                        date: c.date()?,
                        cadre_ids: Vec::new(),
                        money_fen: c.i64()?,
                        goods_fen: c.i64()?,
                    },
                ))
            })?;
            visits.insert(id, (fact.household_id.0, fact));
        }
        if !visits.is_empty() {
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT vc.visit_id, vc.cadre_id FROM visit_cadres vc JOIN visits v ON v.id = vc.visit_id \
                         JOIN households h ON h.id = v.household_id WHERE {cond}"
                    ),
                    a,
                )
                .await?
            {
                let (visit, cadre) = Cols::read(&r, |c| Ok((c.i64()?, CadreId(c.i64()?))))?;
                if let Some((_, v)) = visits.get_mut(&visit) {
                    v.cadre_ids.push(cadre);
                }
            }
        }
        for (_, (h, v)) in visits {
            if let Some(f) = map.get_mut(&h) {
                f.visits.push(v);
            }
        }
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT w.household_id, w.submitted_on, w.status, w.fulfilled_on, w.actual_value_fen FROM wishes w \
                     JOIN households h ON h.id = w.household_id WHERE {cond}"
                ),
                a,
            )
            .await?
        {
            let (h, submitted_on, status, fulfilled_on, value) = Cols::read(&r, |c| {
                Ok((c.i64()?, c.date()?, c.text()?, c.opt_date()?, c.opt_i64()?))
            })?;
            if let Some(f) = map.get_mut(&h) {
                let fulfilled = match (status.as_str(), fulfilled_on) {
                    ("fulfilled", Some(d)) => Some((d, value.unwrap_or(0))),
                    _ => None,
                };
                f.wishes.push(WishFact {
                    submitted_on,
                    fulfilled,
                });
            }
        }
        Ok(map)
    }

    /// Bring the maintained pairing figures of these households in step with their rows, inside the
    /// caller's write transaction.
    pub(crate) async fn refresh_pairing_figures(
        &self,
        tx: &mut dyn Tx,
        ids: &[i64],
    ) -> StoreResult<()> {
        let ids: Vec<i64> = ids
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let horizon = self.horizon();
        let minimum = self.minimum_of();
        let lock = self.db.lock_rows();
        for chunk in ids.chunks(IN_CHUNK) {
            let list = id_list(chunk);
            // what a household holds is read, taken out and written again: two transactions doing
            // it for one household at once (two visits to it on PostgreSQL) would both take out
            // the same rows and both write them again. The households' rows locked first, in id
            // order, make the second wait and read what the first committed (SQLite's one writer
            // already does).
            if !lock.is_empty() {
                tx.fetch_all(
                    &format!("SELECT id FROM households WHERE id IN ({list}) ORDER BY id{lock}"),
                    &[],
                )
                .await?;
            }
            let mut agg = PairingAggregates::default();
            self.subtract_stored(tx, &list, &mut agg).await?;
            let facts = self
                .pairing_facts_where(tx, &format!("h.id IN ({list})"), &[])
                .await?;
            for t in [
                "pairing_years",
                "household_pairing_years",
                "households_without_cadre",
            ] {
                tx.execute(
                    &format!("DELETE FROM {t} WHERE household_id IN ({list})"),
                    &[],
                )
                .await?;
            }
            let mut held = Vec::with_capacity(facts.len());
            for (id, f) in &facts {
                let rows = HouseholdPairingRows::of(f, horizon, |y| minimum(&f.village, y));
                agg.add_household(&f.village, &rows, 1);
                held.push((*id, f.village.clone(), rows));
            }
            self.insert_held(tx, &held).await?;
            self.apply_pairing_aggregates(tx, &agg.rolled_up()).await?;
        }
        Ok(())
    }

    /// Add a new visit to the maintained figures, inside its write transaction: the difference
    /// `refresh_pairing_figures` would find (core's `visit_added`), without reading the
    /// household's rows and writing them all again. One more visit made in each pairing-year it
    /// counts in, the household's activity of its year, and the sums.
    ///
    /// The caller has locked the household's row (on PostgreSQL) before anything else of the
    /// visit, as a refresh locks it (see `refresh_pairing_figures`): a refresh of the household
    /// beside this write would otherwise count the visit twice. `record_visit` takes the lock with
    /// the statement that reads the household (`visit_target`) instead of one of its own here.
    pub(crate) async fn add_visit_to_figures(
        &self,
        tx: &mut dyn Tx,
        visit: &Visit,
    ) -> StoreResult<()> {
        let household = visit.household_id.0;
        let village = &visit.village_code;
        let date = visit.date;
        let cadres: Vec<CadreId> = visit.cadres.iter().map(|(id, _)| *id).collect();
        let year = date.year();
        // the pairing-years of the household's pairings with a cadre present, in force on the
        // visit's date (a pairing-year row exists for each year a pairing is in force in)
        let mut q = Query::new("UPDATE pairing_years SET done = done + 1 WHERE household_id = ");
        let h = q.arg(household);
        let y = q.arg(year);
        let d = q.arg(date);
        let ids: Vec<String> = cadres.iter().map(|c| q.arg(c.0)).collect();
        q.push(&format!(
            "{h} AND year = {y} AND cadre_id IN ({}) AND pairing_id IN (SELECT id FROM pairings \
             WHERE household_id = {h} AND start_date <= {d} AND (end_date IS NULL OR end_date >= {d})) \
             RETURNING required, done",
            ids.join(", ")
        ));
        let counted = tx
            .fetch_all(&q.sql, &q.args)
            .await?
            .iter()
            .map(|r| Cols::read(r, |c| Ok((c.i64()?, c.i64()?))))
            .collect::<StoreResult<Vec<_>>>()?;
        let f = visit_added(
            cadres.len(),
            visit.condolence_money_fen,
            visit.goods_value_fen,
            &counted,
        );
        let act = &STAT_COLS[ACTIVITY_FIRST..];
        let mut row = vec![
            Value::from(household),
            Value::from(year),
            Value::from(village.as_str()),
        ];
        row.extend(f.values()[ACTIVITY_FIRST..].iter().map(|v| Value::from(*v)));
        let placeholders: Vec<String> = (1..=row.len()).map(|i| format!("${i}")).collect();
        let sets: Vec<String> = act
            .iter()
            .map(|c| format!("{c} = household_pairing_years.{c} + excluded.{c}"))
            .collect();
        tx.execute(
            &format!(
                "INSERT INTO household_pairing_years (household_id, year, village_code, {}) VALUES ({}) \
                 ON CONFLICT (household_id, year) DO UPDATE SET {}",
                act.join(", "),
                placeholders.join(", "),
                sets.join(", ")
            ),
            &row,
        )
        .await?;
        let mut agg = PairingAggregates::default();
        agg.years.insert((village.clone(), year), f);
        self.apply_pairing_aggregates(tx, &agg.rolled_up()).await
    }

    /// Take what the households of an id list hold out of `agg` (with the village of each row).
    async fn subtract_stored(
        &self,
        tx: &mut dyn Tx,
        list: &str,
        agg: &mut PairingAggregates,
    ) -> StoreResult<()> {
        let mut by: BTreeMap<(i64, String), HouseholdPairingRows> = BTreeMap::new();
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT household_id, village_code, pairing_id, year, cadre_id, covered_days, required, done \
                     FROM pairing_years WHERE household_id IN ({list})"
                ),
                &[],
            )
            .await?
        {
            let (village, year) = Cols::read(&r, |c| {
                let household_id = HouseholdId(c.i64()?);
                let village = c.text()?;
                let pairing_id = PairingId(c.i64()?);
                let year = c.i32()?;
                let cadre_id = CadreId(c.i64()?);
                let covered_days = c.i64()?;
                let (required, done) = (c.i64()?, c.i64()?);
                Ok((
                    village,
                    PairingYear {
                        pairing_id,
                        household_id,
                        cadre_id,
                        year,
                        covered_days,
                        required,
                        done,
                        missing: (required - done).max(0),
                    },
                ))
            })?;
            by.entry((year.household_id.0, village))
                .or_default()
                .pairing_years
                .push(year);
        }
        let act = &STAT_COLS[ACTIVITY_FIRST..];
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT household_id, village_code, year, {} FROM household_pairing_years WHERE household_id IN ({list})",
                    act.join(", ")
                ),
                &[],
            )
            .await?
        {
            let (household, village, year, v) = Cols::read(&r, |c| {
                let key = (c.i64()?, c.text()?, c.i32()?);
                let mut v = vec![0; ACTIVITY_FIRST];
                for _ in act {
                    v.push(c.i64()?);
                }
                Ok((key.0, key.1, key.2, v))
            })?;
            by.entry((household, village))
                .or_default()
                .activity
                .insert(year, PairingFigures::from_values(&v));
        }
        for r in tx
            .fetch_all(
                &format!("SELECT household_id, village_code FROM households_without_cadre WHERE household_id IN ({list})"),
                &[],
            )
            .await?
        {
            let key = Cols::read(&r, |c| Ok((c.i64()?, c.text()?)))?;
            by.entry(key).or_default().without_cadre = true;
        }
        for ((_, village), rows) in by {
            agg.add_household(&RegionCode::parse(&village)?, &rows, -1);
        }
        Ok(())
    }

    /// Store what households hold.
    async fn insert_held(
        &self,
        tx: &mut dyn Tx,
        held: &[(i64, RegionCode, HouseholdPairingRows)],
    ) -> StoreResult<()> {
        let mut years = Vec::new();
        let mut activity = Vec::new();
        let mut without = Vec::new();
        for (id, village, rows) in held {
            for y in &rows.pairing_years {
                years.push(vec![
                    Value::from(y.pairing_id.0),
                    Value::from(y.year),
                    Value::from(*id),
                    Value::from(village.as_str()),
                    Value::from(y.cadre_id.0),
                    Value::from(y.covered_days),
                    Value::from(y.required),
                    Value::from(y.done),
                ]);
            }
            for (year, f) in &rows.activity {
                let mut row = vec![
                    Value::from(*id),
                    Value::from(*year),
                    Value::from(village.as_str()),
                ];
                row.extend(f.values()[ACTIVITY_FIRST..].iter().map(|v| Value::from(*v)));
                activity.push(row);
            }
            if rows.without_cadre {
                without.push(vec![Value::from(village.as_str()), Value::from(*id)]);
            }
        }
        if !years.is_empty() {
            tx.copy_rows(
                "pairing_years",
                &[
                    "pairing_id",
                    "year",
                    "household_id",
                    "village_code",
                    "cadre_id",
                    "covered_days",
                    "required",
                    "done",
                ],
                years,
            )
            .await?;
        }
        if !activity.is_empty() {
            let mut cols = vec!["household_id", "year", "village_code"];
            cols.extend(&STAT_COLS[ACTIVITY_FIRST..]);
            tx.copy_rows("household_pairing_years", &cols, activity)
                .await?;
        }
        if !without.is_empty() {
            tx.copy_rows(
                "households_without_cadre",
                &["village_code", "household_id"],
                without,
            )
            .await?;
        }
        Ok(())
    }

    /// Add rolled-up differences to the sums; a region's cadre count follows the cadres whose
    /// pairing-years there go from none to some or back.
    async fn apply_pairing_aggregates(
        &self,
        tx: &mut dyn Tx,
        d: &PairingAggregates,
    ) -> StoreResult<()> {
        let mut cadre_counts: BTreeMap<(RegionCode, i32), i64> = BTreeMap::new();
        let mut unit_counts: BTreeMap<(RegionCode, i32, i64), i64> = BTreeMap::new();
        if !d.cadres.is_empty() {
            let ids: Vec<i64> = d
                .cadres
                .keys()
                .map(|(_, _, c)| c.0)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut now: BTreeMap<(String, i32, i64), i64> = BTreeMap::new();
            // the cadres' units, their rows locked (on PostgreSQL) so that a cadre moving to
            // another unit meanwhile (`move_cadre_unit`) waits for this write, or this one for it,
            // and the unit counted is the one the cadre has when both have committed
            let mut unit_of: BTreeMap<i64, i64> = BTreeMap::new();
            let lock = self.db.lock_rows();
            for chunk in ids.chunks(IN_CHUNK) {
                for r in tx
                    .fetch_all(
                        &format!(
                            "SELECT id, unit_id FROM cadres WHERE id IN ({}) ORDER BY id{lock}",
                            id_list(chunk)
                        ),
                        &[],
                    )
                    .await?
                {
                    let (id, unit) = Cols::read(&r, |c| Ok((c.i64()?, c.i64()?)))?;
                    unit_of.insert(id, unit);
                }
                for r in tx
                    .fetch_all(
                        &format!(
                            "SELECT region_code, year, cadre_id, pairings FROM pairing_year_cadres WHERE cadre_id IN ({})",
                            id_list(chunk)
                        ),
                        &[],
                    )
                    .await?
                {
                    let (key, n) =
                        Cols::read(&r, |c| Ok(((c.text()?, c.i32()?, c.i64()?), c.i64()?)))?;
                    now.insert(key, n);
                }
            }
            let mut upserts = Vec::new();
            for ((region, year, cadre), n) in &d.cadres {
                let old = now
                    .get(&(region.as_str().to_string(), *year, cadre.0))
                    .copied()
                    .unwrap_or(0);
                let new = old + n;
                if (old > 0) != (new > 0) {
                    let step = if new > 0 { 1 } else { -1 };
                    *cadre_counts.entry((region.clone(), *year)).or_default() += step;
                    if let Some(unit) = unit_of.get(&cadre.0) {
                        *unit_counts
                            .entry((region.clone(), *year, *unit))
                            .or_default() += step;
                    }
                }
                if new > 0 {
                    upserts.push((region.clone(), *year, cadre.0, new));
                } else {
                    tx.execute(
                        "DELETE FROM pairing_year_cadres WHERE year = $1 AND region_code = $2 AND cadre_id = $3",
                        &args![*year, region.as_str(), cadre.0],
                    )
                    .await?;
                }
            }
            for chunk in upserts.chunks(200) {
                let mut q = crate::query::Query::new(
                    "INSERT INTO pairing_year_cadres (year, region_code, cadre_id, pairings) VALUES ",
                );
                let rows: Vec<String> = chunk
                    .iter()
                    .map(|(r, y, c, n)| {
                        format!(
                            "({}, {}, {}, {})",
                            q.arg(*y),
                            q.arg(r.as_str()),
                            q.arg(*c),
                            q.arg(*n)
                        )
                    })
                    .collect();
                q.push(&rows.join(", "));
                q.push(" ON CONFLICT (year, region_code, cadre_id) DO UPDATE SET pairings = excluded.pairings");
                tx.execute(&q.sql, &q.args).await?;
            }
        }
        self.add_unit_counts(tx, &unit_counts).await?;
        let mut keys: BTreeSet<(RegionCode, i32)> = d.years.keys().cloned().collect();
        keys.extend(cadre_counts.keys().cloned());
        let entries: Vec<_> = keys
            .into_iter()
            .map(|k| {
                let f = d.years.get(&k).copied().unwrap_or_default();
                let c = cadre_counts.get(&k).copied().unwrap_or(0);
                (k, f, c)
            })
            .collect();
        self.add_pairing_stats(tx, &entries).await?;
        let cover: Vec<_> = d.without_cadre.iter().collect();
        for chunk in cover.chunks(200) {
            let mut q = crate::query::Query::new(
                "INSERT INTO pairing_coverage (region_code, households_without_cadre) VALUES ",
            );
            let rows: Vec<String> = chunk
                .iter()
                .map(|(r, n)| format!("({}, {})", q.arg(r.as_str()), q.arg(**n)))
                .collect();
            q.push(&rows.join(", "));
            q.push(
                " ON CONFLICT (region_code) DO UPDATE SET households_without_cadre = \
                 pairing_coverage.households_without_cadre + excluded.households_without_cadre",
            );
            tx.execute(&q.sql, &q.args).await?;
        }
        Ok(())
    }

    /// Add figures and cadre counts to `pairing_year_stats` (upserting by key).
    async fn add_pairing_stats(
        &self,
        tx: &mut dyn Tx,
        entries: &[((RegionCode, i32), PairingFigures, i64)],
    ) -> StoreResult<()> {
        let mut cols: Vec<&str> = STAT_COLS.to_vec();
        cols.push("cadres");
        let sets: Vec<String> = cols
            .iter()
            .map(|c| format!("{c} = pairing_year_stats.{c} + excluded.{c}"))
            .collect();
        for chunk in entries.chunks(50) {
            let mut q = crate::query::Query::new(&format!(
                "INSERT INTO pairing_year_stats (year, region_code, {}) VALUES ",
                cols.join(", ")
            ));
            let rows: Vec<String> = chunk
                .iter()
                .map(|((region, year), f, c)| {
                    let mut ph = vec![q.arg(*year), q.arg(region.as_str())];
                    ph.extend(f.values().into_iter().map(|v| q.arg(v)));
                    ph.push(q.arg(*c));
                    format!("({})", ph.join(", "))
                })
                .collect();
            q.push(&rows.join(", "));
            q.push(&format!(
                " ON CONFLICT (year, region_code) DO UPDATE SET {}",
                sets.join(", ")
            ));
            tx.execute(&q.sql, &q.args).await?;
        }
        Ok(())
    }

    /// Add changes to the cadres each helping unit has in a region and year (`pairing_year_units`),
    /// dropping the rows that reach none.
    async fn add_unit_counts(
        &self,
        tx: &mut dyn Tx,
        counts: &BTreeMap<(RegionCode, i32, i64), i64>,
    ) -> StoreResult<()> {
        let changed: Vec<_> = counts.iter().filter(|(_, n)| **n != 0).collect();
        for chunk in changed.chunks(200) {
            let mut q = crate::query::Query::new(
                "INSERT INTO pairing_year_units (year, region_code, unit_id, cadres) VALUES ",
            );
            let rows: Vec<String> = chunk
                .iter()
                .map(|((r, y, u), n)| {
                    format!(
                        "({}, {}, {}, {})",
                        q.arg(*y),
                        q.arg(r.as_str()),
                        q.arg(*u),
                        q.arg(**n)
                    )
                })
                .collect();
            q.push(&rows.join(", "));
            q.push(
                " ON CONFLICT (year, region_code, unit_id) DO UPDATE SET cadres = pairing_year_units.cadres + excluded.cadres",
            );
            tx.execute(&q.sql, &q.args).await?;
        }
        for ((r, y, u), _) in changed.iter().filter(|(_, n)| **n < 0) {
            tx.execute(
                "DELETE FROM pairing_year_units WHERE year = $1 AND region_code = $2 AND unit_id = $3 AND cadres <= 0",
                &args![*y, r.as_str(), *u],
            )
            .await?;
        }
        Ok(())
    }

    /// A cadre moved from helping unit `from` to `to`: every region and year the cadre counts in
    /// counts one cadre less for the old unit and one more for the new.
    pub(crate) async fn move_cadre_unit(
        &self,
        tx: &mut dyn Tx,
        cadre: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<()> {
        if from == to {
            return Ok(());
        }
        let mut counts: BTreeMap<(RegionCode, i32, i64), i64> = BTreeMap::new();
        for r in tx
            .fetch_all(
                "SELECT region_code, year FROM pairing_year_cadres WHERE cadre_id = $1",
                &args![cadre],
            )
            .await?
        {
            let (region, year) = Cols::read(&r, |c| Ok((c.text()?, c.i32()?)))?;
            let region = RegionCode::parse(&region)?;
            *counts.entry((region.clone(), year, from)).or_default() -= 1;
            *counts.entry((region, year, to)).or_default() += 1;
        }
        self.add_unit_counts(tx, &counts).await
    }

    /// Every maintained pairing figure again from the rows, county by county so that memory stays
    /// bounded at province scale.
    pub(crate) async fn rebuild_pairing_figures_in(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        for t in [
            "pairing_years",
            "household_pairing_years",
            "households_without_cadre",
            "pairing_year_stats",
            "pairing_year_cadres",
            "pairing_year_units",
            "pairing_coverage",
        ] {
            tx.execute(&format!("DELETE FROM {t}"), &[]).await?;
        }
        tx.execute(&format!("DROP TABLE IF EXISTS {REBUILT_CADRES}"), &[])
            .await?;
        tx.execute(
            &format!(
                "CREATE TEMP TABLE {REBUILT_CADRES} (year INTEGER NOT NULL, region_code TEXT NOT NULL, \
                 cadre_id BIGINT NOT NULL, pairings BIGINT NOT NULL)"
            ),
            &[],
        )
        .await?;
        let horizon = self.horizon();
        let minimum = self.minimum_of();
        let counties = tx
            .fetch_all(
                "SELECT DISTINCT substr(village_code, 1, 6) FROM households ORDER BY 1",
                &[],
            )
            .await?;
        for c in counties {
            let county = RegionCode::parse(&one_text(&c)?)?;
            let (lo, hi) = county.range();
            let facts = self
                .pairing_facts_where(tx, "h.village_code BETWEEN $1 AND $2", &args![lo, hi])
                .await?;
            let mut agg = PairingAggregates::default();
            let mut held = Vec::with_capacity(facts.len());
            for (id, f) in facts {
                let rows = HouseholdPairingRows::of(&f, horizon, |y| minimum(&f.village, y));
                agg.add_household(&f.village, &rows, 1);
                held.push((id, f.village, rows));
                if held.len() >= 5_000 {
                    self.insert_held(tx, &held).await?;
                    held.clear();
                }
            }
            self.insert_held(tx, &held).await?;
            let up = agg.rolled_up();
            // a cadre paired in several counties adds to the same rows above them: summed once
            // at the end from the scratch table, rather than merged row by row (`ON CONFLICT`)
            // in statements of a few hundred rows, millions of them at province scale; inserted
            // in key order, so that the table's index is appended to rather than written at
            // random
            let cadres: Vec<Vec<Value>> = up
                .cadres
                .iter()
                .map(|((r, y, c), n)| {
                    vec![
                        Value::from(*y),
                        Value::from(r.as_str()),
                        Value::from(c.0),
                        Value::from(*n),
                    ]
                })
                .collect();
            tx.copy_rows(
                REBUILT_CADRES,
                &["year", "region_code", "cadre_id", "pairings"],
                cadres,
            )
            .await?;
            let entries: Vec<_> = up.years.iter().map(|(k, f)| (k.clone(), *f, 0)).collect();
            self.add_pairing_stats(tx, &entries).await?;
            let without = PairingAggregates {
                without_cadre: up.without_cadre,
                ..Default::default()
            };
            self.apply_pairing_aggregates(tx, &without).await?;
        }
        tx.execute(
            &format!(
                "INSERT INTO pairing_year_cadres (year, region_code, cadre_id, pairings) \
                 SELECT year, region_code, cadre_id, SUM(pairings) FROM {REBUILT_CADRES} \
                 GROUP BY year, region_code, cadre_id ORDER BY year, region_code, cadre_id"
            ),
            &[],
        )
        .await?;
        tx.execute(&format!("DROP TABLE {REBUILT_CADRES}"), &[])
            .await?;
        // each region and year's helping units, from its cadres
        tx.execute(
            "INSERT INTO pairing_year_units (year, region_code, unit_id, cadres) \
             SELECT p.year, p.region_code, c.unit_id, COUNT(*) FROM pairing_year_cadres p \
             JOIN cadres c ON c.id = p.cadre_id GROUP BY p.year, p.region_code, c.unit_id \
             ORDER BY p.year, p.region_code, c.unit_id",
            &[],
        )
        .await?;
        // the distinct cadres of each row, counted in one grouped pass (every row starts at 0)
        tx.execute(
            "UPDATE pairing_year_stats SET cadres = c.n FROM (SELECT year, region_code, COUNT(*) AS n \
             FROM pairing_year_cadres GROUP BY year, region_code) c \
             WHERE c.year = pairing_year_stats.year AND c.region_code = pairing_year_stats.region_code",
            &[],
        )
        .await?;
        Ok(())
    }

    /// Build the figures of a database written before they were kept.
    pub(crate) async fn build_pairing_figures_if_needed(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        let done = tx
            .fetch_optional("SELECT value FROM meta WHERE key = $1", &args![BUILT_KEY])
            .await?
            .is_some();
        if done {
            return Ok(());
        }
        self.rebuild_pairing_figures_in(tx).await?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, '1')",
            &args![BUILT_KEY],
        )
        .await?;
        Ok(())
    }

    /// Mark the figures as to be rebuilt (at the next `build_pairing_figures_if_needed`).
    pub(crate) async fn forget_pairing_figures(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        tx.execute("DELETE FROM meta WHERE key = $1", &args![BUILT_KEY])
            .await?;
        Ok(())
    }

    /// The stored figures of a region and year: figures, distinct cadres, households without a
    /// cadre now. The nation's are its provinces' summed.
    pub(crate) async fn read_pairing_figures(
        &self,
        tx: &mut dyn Tx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<(PairingFigures, i64, i64)> {
        let mut cols: Vec<&str> = STAT_COLS.to_vec();
        cols.push("cadres");
        let select: Vec<String> = cols
            .iter()
            .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT)"))
            .collect();
        let rows_of = if code.is_nation() {
            "substr(region_code, 3, 10) = '0000000000' AND $2 = $2"
        } else {
            "region_code = $2"
        };
        let r = tx
            .fetch_one(
                &format!(
                    "SELECT {} FROM pairing_year_stats WHERE year = $1 AND {rows_of}",
                    select.join(", ")
                ),
                &args![year, code.as_str()],
            )
            .await?;
        let v = Cols::read(&r, |c| {
            cols.iter()
                .map(|_| Ok(c.i64()?))
                .collect::<StoreResult<Vec<_>>>()
        })?;
        let w = tx
            .fetch_one(
                &format!(
                    "SELECT CAST(COALESCE(SUM(households_without_cadre), 0) AS BIGINT) FROM pairing_coverage WHERE {}",
                    rows_of.replace("$2 = $2", "$1 = $1").replace("$2", "$1")
                ),
                &args![code.as_str()],
            )
            .await?;
        Ok((
            PairingFigures::from_values(&v[..PairingFigures::COUNT]),
            v[PairingFigures::COUNT],
            one_i64(&w)?,
        ))
    }

    /// The distinct helping units of a region's cadres with a pairing-year in `year` (the
    /// nation's: of every province's), from the maintained `pairing_year_units` (a province's
    /// are some thousands of rows; a distinct count over its cadres joined to their units read
    /// half a million).
    pub(crate) async fn read_pairing_units(
        &self,
        tx: &mut dyn Tx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<i64> {
        let rows_of = if code.is_nation() {
            "substr(p.region_code, 3, 10) = '0000000000' AND $2 = $2"
        } else {
            "p.region_code = $2"
        };
        let r = tx
            .fetch_one(
                &format!(
                    "SELECT CAST(COUNT(DISTINCT p.unit_id) AS BIGINT) FROM pairing_year_units p \
                     WHERE p.year = $1 AND {rows_of}"
                ),
                &args![year, code.as_str()],
            )
            .await?;
        one_i64(&r)
    }
}
