//! The services report from the aggregates of measures: one row per (region, month, kind,
//! destination) for the village of every measure and each region above it up to the province and
//! the nation (core's `projects::counted_at`), brought in step by every write of a measure in its
//! transaction, so that a report reads its own region's rows (a few per month and kind) whatever
//! its level.

use super::rows::TALLY_SUMS;
use crate::query::Query;
use crate::rows::{Cols, Record};
use crate::sql::{Tx, Value};
use crate::{args, SqlStore};
use fupin_core::measures::{check_report_period, MeasureData, ServicesReport, Tally, TallyKey};
use fupin_core::projects::counted_at;
use fupin_core::store::StoreResult;
use fupin_core::{Ctx, RegionCode};
use std::collections::BTreeMap;
use time::Date;

/// Rows of `measure_stats` written by one statement: as many as the parameter limit allows (11
/// a row). A department list's batch adds thousands of rows (each village's month and kind, and
/// at the end of the import each region's above it); 100 a statement made that hundreds of
/// statements per list, each a round trip on PostgreSQL.
pub(crate) const UPSERT_BATCH: usize = crate::sql::MAX_PARAMS / 11;

/// A row of `measure_stats`: region, month, kind, destination.
pub(crate) type StatKey = (RegionCode, i32, String, String);

/// The villages' changes added to every region they count at; rows that cancel out dropped.
pub(crate) fn rolled_up(tallies: &BTreeMap<TallyKey, Tally>) -> BTreeMap<StatKey, Tally> {
    let mut out: BTreeMap<StatKey, Tally> = BTreeMap::new();
    for (k, t) in tallies {
        if t.is_zero() {
            continue;
        }
        for region in counted_at(&k.village) {
            out.entry((region, k.month, k.kind.clone(), k.destination.clone()))
                .or_default()
                .add(t, 1);
        }
    }
    out.retain(|_, t| !t.is_zero());
    out
}

/// The columns of `measure_stats` (and of a bulk load's scratch copy), in the order of
/// `stat_values`: its key's four, then the tally's seven.
pub(crate) const STAT_COLS: [&str; 11] = [
    "region_code",
    "month",
    "kind",
    "destination",
    "measures",
    "amount_fen",
    "a_fen",
    "b_fen",
    "c1",
    "c2",
    "c3",
];

/// A row of `measure_stats`: a key and its tally, as `STAT_COLS` lists them.
pub(crate) fn stat_values(
    ((region, month, kind, destination), t): &(StatKey, Tally),
) -> Vec<Value> {
    Vec::from(crate::args![
        region.as_str(),
        *month,
        kind.as_str(),
        destination.as_str(),
        t.measures,
        t.amount_fen,
        t.a_fen,
        t.b_fen,
        t.c1,
        t.c2,
        t.c3
    ])
}

impl SqlStore {
    /// Add a measure's figures to its aggregate row (`sign` 1), or take them away (`sign` −1).
    pub(crate) async fn bump_measure_stats(
        &self,
        tx: &mut dyn Tx,
        village: &RegionCode,
        d: &MeasureData,
        sign: i64,
    ) -> StoreResult<()> {
        let Some((k, t)) = d.tally(village) else {
            return Ok(());
        };
        let mut s = Tally::default();
        s.add(&t, sign);
        self.add_tally(tx, &k, &s).await
    }

    /// Add `s` to the aggregate rows of `k`: its village's and every region's above it.
    pub(crate) async fn add_tally(
        &self,
        tx: &mut dyn Tx,
        k: &TallyKey,
        s: &Tally,
    ) -> StoreResult<()> {
        let mut one = BTreeMap::new();
        one.insert(k.clone(), *s);
        self.add_tallies(tx, &one).await
    }

    /// Add many villages' changes to the aggregate rows, rolled up to every level first (so that a
    /// region above many changed villages is written once).
    pub(crate) async fn add_tallies(
        &self,
        tx: &mut dyn Tx,
        tallies: &BTreeMap<TallyKey, Tally>,
    ) -> StoreResult<()> {
        let rows: Vec<_> = rolled_up(tallies).into_iter().collect();
        self.add_stat_rows(tx, &rows).await
    }

    /// Add changes to rows of `measure_stats`, [`UPSERT_BATCH`] rows per statement.
    pub(crate) async fn add_stat_rows(
        &self,
        tx: &mut dyn Tx,
        rows: &[(StatKey, Tally)],
    ) -> StoreResult<()> {
        let sets: Vec<String> = STAT_COLS[4..]
            .iter()
            .map(|c| format!("{c} = measure_stats.{c} + excluded.{c}"))
            .collect();
        for batch in rows.chunks(UPSERT_BATCH) {
            let mut q = Query::new(&format!(
                "INSERT INTO measure_stats ({}) VALUES ",
                STAT_COLS.join(", ")
            ));
            let mut values = Vec::with_capacity(batch.len());
            for row in batch {
                let ph: Vec<String> = stat_values(row).into_iter().map(|v| q.arg(v)).collect();
                values.push(format!("({})", ph.join(", ")));
            }
            q.push(&values.join(", ")).push(&format!(
                " ON CONFLICT ({}) DO UPDATE SET {}",
                STAT_COLS[..4].join(", "),
                sets.join(", ")
            ));
            tx.execute(&q.sql, &q.args).await?;
        }
        Ok(())
    }

    pub(crate) async fn services_report_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<ServicesReport> {
        let (first, last) = check_report_period(from, to)?;
        ctx.require(region, "区划")?;
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT kind, destination, {TALLY_SUMS} FROM measure_stats WHERE region_code = $1 \
                     AND month BETWEEN $2 AND $3 GROUP BY kind, destination ORDER BY kind, destination"
                ),
                &args![region.as_str(), first, last],
            )
            .await?;
        let rows = rows
            .iter()
            .map(|r| Cols::read(r, |c| Ok((c.text()?, c.text()?, Tally::decode(c)?))))
            .collect::<StoreResult<Vec<_>>>()?;
        let places = self.place_tallies(region, first, last).await?;
        let events = self.event_tallies(region, first, last).await?;
        Ok(
            ServicesReport::from_tallies(region.clone(), from, to, &rows)
                .with_services(&places, &events),
        )
    }
}
