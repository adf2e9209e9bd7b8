//! The services report from the aggregates of measures: one row per (village, month, kind,
//! destination), brought in step by every write of a measure in its transaction, summed up the
//! region's code range for a report.

use super::rows::TALLY_SUMS;
use crate::rows::{Cols, Record};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::measures::{check_report_period, MeasureData, ServicesReport, Tally, TallyKey};
use fupin_core::store::StoreResult;
use fupin_core::{Ctx, RegionCode};
use time::Date;

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

    /// Add `s` to the aggregate row of `k`.
    pub(crate) async fn add_tally(
        &self,
        tx: &mut dyn Tx,
        k: &TallyKey,
        s: &Tally,
    ) -> StoreResult<()> {
        tx.execute(
            "INSERT INTO measure_stats (village_code, month, kind, destination, measures, amount_fen, a_fen, b_fen, c1, c2, c3) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (village_code, month, kind, destination) DO UPDATE SET \
             measures = measure_stats.measures + excluded.measures, amount_fen = measure_stats.amount_fen + excluded.amount_fen, \
             a_fen = measure_stats.a_fen + excluded.a_fen, b_fen = measure_stats.b_fen + excluded.b_fen, \
             c1 = measure_stats.c1 + excluded.c1, c2 = measure_stats.c2 + excluded.c2, c3 = measure_stats.c3 + excluded.c3",
            &args![
                k.village.as_str(),
                k.month,
                k.kind.as_str(),
                k.destination.as_str(),
                s.measures,
                s.amount_fen,
                s.a_fen,
                s.b_fen,
                s.c1,
                s.c2,
                s.c3
            ],
        )
        .await?;
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
        let (lo, hi) = region.range();
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT kind, destination, {TALLY_SUMS} FROM measure_stats WHERE village_code BETWEEN $1 AND $2 \
                     AND month BETWEEN $3 AND $4 GROUP BY kind, destination ORDER BY kind, destination"
                ),
                &args![lo, hi, first, last],
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
