//! Measures through a bulk session (department lists by ID number): the batched look-ups the
//! importer compares with (active members by ID number, the stored measures of persons — only of
//! kinds the table held when the session first asked), and the writes — new measures through
//! `Tx::copy_rows` with reserved ids, changed ones one statement each, every one with its version
//! in the history and an audit record, the services report's aggregates summed per (village,
//! month, kind, destination) and rolled up to every level: the villages' rows of each batch copied
//! into a scratch table, the rows above them (which nearly every batch touches) summed over the
//! session, and all of them added to `measure_stats` in one grouped statement when it finishes —
//! each row written once per import instead of once per batch (and on PostgreSQL one dead version
//! instead of hundreds for the report to step over until a vacuum).

use super::report::{stat_values, StatKey, STAT_COLS};
use super::rows::{
    measure_update, new_measure, version_values, MEASURE_COLS, MEASURE_COPY, MEASURE_FROM,
    UPDATE_MEASURE, VERSION_COPY,
};
use crate::bulk::{id_list, map_bulk, SqlBulkSession, IN_CHUNK};
use crate::query::Query;
use crate::rows::{Cols, Record};
use fupin_core::audit::AuditRecord;
use fupin_core::measures::{
    screening_years, Measure, MeasureId, MeasureVersion, Origin, Tally, TallyKey,
};
use fupin_core::regions::Level;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{BulkMeasure, ListedPerson, MeasureBulk, StoreResult};
use fupin_core::RegionCode;
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[async_trait::async_trait]
impl MeasureBulk for SqlBulkSession {
    async fn persons_by_id_number(&mut self, ids: &[String]) -> StoreResult<Vec<ListedPerson>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let mut q = Query::new(
                "SELECT p.id_number, p.id, p.name, p.birth_date, p.household_id, h.village_code \
                 FROM persons p JOIN households h ON h.id = p.household_id WHERE p.active AND ",
            );
            let cond = self.text_in(&mut q, "p.id_number", chunk);
            q.push(&cond);
            for r in &self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push(Cols::read(r, |c| {
                    Ok(ListedPerson {
                        id_number: c.text()?,
                        person_id: PersonId(c.i64()?),
                        name: c.text()?,
                        birth_date: c.date()?,
                        household_id: HouseholdId(c.i64()?),
                        village_code: RegionCode::parse(&c.text()?)?,
                    })
                })?);
            }
        }
        Ok(out)
    }

    async fn measures_of_persons(
        &mut self,
        persons: &[PersonId],
        kinds: &[&str],
    ) -> StoreResult<Vec<Measure>> {
        // a kind of which nothing was stored when the session first asked has nothing to find:
        // the rows the session writes are never looked up again (one scan of the table per new
        // kind instead of an index look-up per person of every batch)
        let mut stored = Vec::new();
        for kind in kinds {
            let present = match self.measure_kinds.get(*kind) {
                Some(p) => *p,
                None => {
                    let p = !self
                        .tx
                        .fetch_all(
                            "SELECT 1 FROM measures WHERE kind = $1 LIMIT 1",
                            &crate::args![*kind],
                        )
                        .await
                        .map_err(map_bulk)?
                        .is_empty();
                    self.measure_kinds.insert(kind.to_string(), p);
                    p
                }
            };
            if present {
                stored.push(*kind);
            }
        }
        if stored.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = persons.iter().map(|p| p.0).collect();
        let kinds: Vec<String> = stored.iter().map(|k| k.to_string()).collect();
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let mut q = Query::new(&format!(
                "SELECT {MEASURE_COLS} FROM {MEASURE_FROM} WHERE m.person_id IN ({}) AND ",
                id_list(chunk)
            ));
            let cond = self.text_in(&mut q, "m.kind", &kinds);
            q.push(&cond).push(" ORDER BY m.id");
            let rows = self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
            for r in &rows {
                out.push(Measure::from_row(r)?);
            }
        }
        Ok(out)
    }

    async fn put_measures(&mut self, items: Vec<BulkMeasure>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        // screened again before the import commits, as a measure entered alone is: the years the
        // measure can change before and after a change (core's `screening_years`)
        let this_year = fupin_core::years::today().year();
        for item in &items {
            let before = item.before.as_ref().map(|b| b.data());
            for m in std::iter::once(&item.after).chain(before.as_ref()) {
                let years = screening_years(m, this_year);
                if !years.is_empty() {
                    self.screen
                        .entry(m.household_id.0)
                        .or_default()
                        .extend(years);
                }
            }
        }
        let new = items.iter().filter(|m| m.before.is_none()).count() as u64;
        let mut id = if new > 0 {
            self.tx
                .reserve_ids("measures", new)
                .await
                .map_err(map_bulk)?
        } else {
            0
        };
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(new as usize);
        let mut history = Vec::with_capacity(items.len());
        let mut audit = Vec::with_capacity(items.len());
        let mut tallies: BTreeMap<TallyKey, Tally> = BTreeMap::new();
        let mut add = |village: &RegionCode, d: &fupin_core::measures::MeasureData, sign: i64| {
            if let Some((k, t)) = d.tally(village) {
                tallies.entry(k).or_default().add(&t, sign);
            }
        };
        for item in &items {
            let d = &item.after;
            let version = |version: i32, action: &str, origin: Origin| MeasureVersion {
                version,
                action: action.to_string(),
                data: d.clone(),
                origin,
                actor: actor.clone(),
                recorded_at: now,
            };
            match &item.before {
                None => {
                    let mut row = Vec::with_capacity(MEASURE_COPY.len());
                    row.extend(crate::args![id]);
                    row.extend(new_measure(d, &item.village, Origin::Imported, &actor, now));
                    rows.push(row);
                    history.push(version_values(
                        MeasureId(id),
                        &version(1, "create", Origin::Imported),
                    ));
                    add(&item.village, d, 1);
                    audit.push(
                        AuditRecord::change("measure.import", "measure", id, None, Some(d))
                            .in_region(&item.village),
                    );
                    id += 1;
                }
                Some(before) => {
                    let v = before.version + 1;
                    self.tx
                        .execute(
                            &UPDATE_MEASURE,
                            &measure_update(d, v, &actor, now, before.id),
                        )
                        .await
                        .map_err(map_bulk)?;
                    history.push(version_values(
                        before.id,
                        &version(v, "update", before.origin),
                    ));
                    add(&before.village_code, &before.data(), -1);
                    add(&item.village, d, 1);
                    audit.push(
                        AuditRecord::change(
                            "measure.import",
                            "measure",
                            before.id.0,
                            Some(&before.data()),
                            Some(d),
                        )
                        .in_region(&item.village),
                    );
                }
            }
        }
        self.tx
            .copy_rows("measures", MEASURE_COPY.names(), rows)
            .await
            .map_err(map_bulk)?;
        self.tx
            .copy_rows("measure_history", VERSION_COPY.names(), history)
            .await
            .map_err(map_bulk)?;
        // the villages' rows now; the rows above them (each touched by nearly every batch) summed
        // over the session and written once when it finishes
        let mut villages = Vec::new();
        for (k, t) in super::report::rolled_up(&tallies) {
            if k.0.level() == Level::Village {
                villages.push((k, t));
            } else {
                self.services_above.entry(k).or_default().add(&t, 1);
            }
        }
        self.stage_stat_rows(villages).await?;
        self.audit_many(audit).await
    }
}

/// The scratch table of a session's changes to `measure_stats` (see `stage_stat_rows`).
const STAGED_STATS: &str = "bulk_measure_stats";

impl SqlBulkSession {
    /// Changes to `measure_stats` go into a scratch table through the fast path, and are added to
    /// it in one statement when the session finishes (`flush_services_figures`): an upsert per
    /// village, month and kind (nearly one per measure at province scale, each a conflict check
    /// and a parameter list of eleven values) cost more than writing the measures themselves.
    async fn stage_stat_rows(&mut self, rows: Vec<(StatKey, Tally)>) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if !self.stats_staged {
            let cols: Vec<String> = STAT_COLS
                .iter()
                .enumerate()
                .map(|(i, c)| match i {
                    0 | 2 | 3 => format!("{c} TEXT NOT NULL"),
                    1 => format!("{c} INTEGER NOT NULL"),
                    _ => format!("{c} BIGINT NOT NULL"),
                })
                .collect();
            self.tx
                .execute(
                    &format!("CREATE TEMP TABLE {STAGED_STATS} ({})", cols.join(", ")),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            self.stats_staged = true;
        }
        let values = rows.iter().map(stat_values).collect();
        self.tx
            .copy_rows(STAGED_STATS, &STAT_COLS, values)
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    /// Write the changes to `measure_stats` of the session: the villages' rows staged batch by
    /// batch and the rows above them summed over the session (see `put_measures`), each key once,
    /// in the order of the table's key.
    pub(crate) async fn flush_services_figures(&mut self) -> StoreResult<()> {
        let rows: Vec<_> = std::mem::take(&mut self.services_above)
            .into_iter()
            .filter(|(_, t)| !t.is_zero())
            .collect();
        if !self.stats_staged {
            return self.store.add_stat_rows(self.tx.as_mut(), &rows).await;
        }
        self.stage_stat_rows(rows).await?;
        let keys = STAT_COLS[..4].join(", ");
        let sums: Vec<String> = STAT_COLS[4..].iter().map(|c| format!("SUM({c})")).collect();
        let nonzero: Vec<String> = STAT_COLS[4..]
            .iter()
            .map(|c| format!("SUM({c}) <> 0"))
            .collect();
        let sets: Vec<String> = STAT_COLS[4..]
            .iter()
            .map(|c| format!("{c} = measure_stats.{c} + excluded.{c}"))
            .collect();
        // `WHERE TRUE` keeps SQLite from reading ON CONFLICT as part of the SELECT; a key whose
        // changes cancel out is left alone, as a batch's rolled-up rows leave it
        self.tx
            .execute(
                &format!(
                    "INSERT INTO measure_stats ({all}) SELECT {keys}, {sums} FROM {STAGED_STATS} WHERE TRUE \
                     GROUP BY {keys} HAVING {nonzero} ORDER BY {keys} \
                     ON CONFLICT ({keys}) DO UPDATE SET {sets}",
                    all = STAT_COLS.join(", "),
                    sums = sums.join(", "),
                    nonzero = nonzero.join(" OR "),
                    sets = sets.join(", ")
                ),
                &[],
            )
            .await
            .map_err(map_bulk)?;
        self.tx
            .execute(&format!("DROP TABLE {STAGED_STATS}"), &[])
            .await
            .map_err(map_bulk)?;
        self.stats_staged = false;
        Ok(())
    }
}
