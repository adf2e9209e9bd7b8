//! The registry's bulk path: the batched look-ups an import compares with (households by number
//! with members, status dates and incomes; active ID numbers), the writes of new and changed
//! households, members and incomes through the session's fast path, and the keyset-paged export
//! of households.

use super::rows::{self, member_shown, StatusStep, StoredIncome};
use crate::bulk::{id_list, map_bulk, SqlBulkSession, IN_CHUNK};
use crate::query::Query;
use crate::rows::{one_i64, Cols, Record};
use crate::sql::{Tx, Value};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::error::DomainError;
use fupin_core::regions::RegionCode;
use fupin_core::registry::{Household, HouseholdId, HouseholdStatus, Member, PersonId};
use fupin_core::reports::HouseholdFacts;
use fupin_core::store::{
    BulkHouseholdUpdate, BulkIncome, BulkNewHousehold, ExportHousehold, RegistryBulk, StoreResult,
    StoredHousehold,
};
use fupin_core::Ctx;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Households (with head name and member count filled in) by a condition on `h`.
pub(crate) async fn load_households(
    tx: &mut dyn Tx,
    cond: &str,
    a: &[Value],
) -> StoreResult<Vec<(Household, Vec<Member>)>> {
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT {} FROM households h WHERE {cond}",
                Household::columns().list_of("h")
            ),
            a,
        )
        .await
        .map_err(map_bulk)?;
    let mut hs: Vec<(Household, Vec<Member>)> = Vec::with_capacity(rows.len());
    for r in &rows {
        hs.push((Household::from_row(r)?, Vec::new()));
    }
    if hs.is_empty() {
        return Ok(hs);
    }
    let ids: Vec<i64> = hs.iter().map(|(h, _)| h.id.0).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT {} FROM persons WHERE household_id IN ({}) ORDER BY household_id, active DESC, relation, birth_date, id",
                Member::columns().list(),
                id_list(&ids)
            ),
            &[],
        )
        .await
        .map_err(map_bulk)?;
    for r in &rows {
        let m = Member::from_row(r)?;
        if let Some(i) = index.get(&m.household_id.0) {
            hs[*i].1.push(m);
        }
    }
    for (h, members) in &mut hs {
        h.head_name = members
            .iter()
            .find(|m| m.active && m.is_head())
            .map(|m| m.name.clone());
        h.member_count = members.iter().filter(|m| m.active).count() as i64;
    }
    Ok(hs)
}

/// Stored income years of households, by household, in order of year.
pub(crate) async fn load_incomes(
    tx: &mut dyn Tx,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Vec<StoredIncome>>> {
    let mut out: HashMap<i64, Vec<_>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT {} FROM incomes WHERE household_id IN ({}) ORDER BY household_id, year",
                StoredIncome::columns().list(),
                id_list(ids)
            ),
            &[],
        )
        .await
        .map_err(map_bulk)?;
    for r in &rows {
        let i = StoredIncome::from_row(r)?;
        out.entry(i.household.0).or_default().push(i);
    }
    Ok(out)
}

#[async_trait::async_trait]
impl RegistryBulk for SqlBulkSession {
    async fn registry_size(&mut self) -> StoreResult<(u64, u64)> {
        let h = self
            .tx
            .fetch_one("SELECT COUNT(*) FROM households", &[])
            .await
            .map_err(map_bulk)
            .and_then(|r| one_i64(&r))?;
        let p = self
            .tx
            .fetch_one("SELECT COUNT(*) FROM persons WHERE active", &[])
            .await
            .map_err(map_bulk)
            .and_then(|r| one_i64(&r))?;
        Ok((h as u64, p as u64))
    }

    async fn status_changes_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(HouseholdId, HouseholdStatus, time::Date)>> {
        let mut out = Vec::new();
        let ids: Vec<i64> = households.iter().map(|h| h.0).collect();
        for chunk in ids.chunks(IN_CHUNK) {
            let rows = self
                .tx
                .fetch_all(
                    &format!(
                        "SELECT {} FROM status_history WHERE household_id IN ({}) ORDER BY household_id, date, id",
                        StatusStep::columns().list(),
                        id_list(chunk)
                    ),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            for r in &rows {
                let s = StatusStep::from_row(r)?;
                out.push((s.household, s.to, s.date));
            }
        }
        Ok(out)
    }

    async fn households_by_number(
        &mut self,
        numbers: &[String],
    ) -> StoreResult<Vec<StoredHousehold>> {
        let mut out = Vec::new();
        for chunk in numbers.chunks(IN_CHUNK) {
            let mut q = Query::default();
            let cond = self.text_in(&mut q, "h.household_number", chunk);
            q.push(&cond);
            let hs = load_households(self.tx.as_mut(), &q.sql, &q.args).await?;
            if hs.is_empty() {
                continue;
            }
            let ids: Vec<i64> = hs.iter().map(|(h, _)| h.id.0).collect();
            let rows = self
                .tx
                .fetch_all(
                    &format!(
                        "SELECT household_id, MAX(date) FROM status_history WHERE household_id IN ({}) GROUP BY household_id",
                        id_list(&ids)
                    ),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            let mut last = HashMap::new();
            for r in &rows {
                let (id, date) = Cols::read(r, |c| Ok((c.i64()?, c.opt_date()?)))?;
                last.insert(id, date);
            }
            let mut incomes = load_incomes(self.tx.as_mut(), &ids).await?;
            for (h, members) in hs {
                let inc = incomes.remove(&h.id.0).unwrap_or_default();
                out.push(StoredHousehold {
                    incomes: inc.into_iter().map(|i| i.record(&members)).collect(),
                    last_status_date: last.get(&h.id.0).copied().flatten(),
                    household: h,
                    members,
                });
            }
        }
        Ok(out)
    }

    async fn active_id_numbers(
        &mut self,
        ids: &[String],
    ) -> StoreResult<Vec<(String, Option<String>)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let mut q = Query::new(
                "SELECT p.id_number, h.household_number, h.village_code FROM persons p JOIN households h ON h.id = p.household_id \
                 WHERE p.active AND ",
            );
            let cond = self.text_in(&mut q, "p.id_number", chunk);
            q.push(&cond);
            for r in &self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                let (id, number, village) =
                    Cols::read(r, |c| Ok((c.text()?, c.text()?, c.text()?)))?;
                // the number of a household outside the caller's scope would tell where it is
                let number = self
                    .ctx
                    .scope
                    .allows(&RegionCode::parse(&village)?)
                    .then_some(number);
                out.push((id, number));
            }
        }
        Ok(out)
    }

    async fn create_households(&mut self, items: Vec<BulkNewHousehold>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let n = items.len() as u64;
        let m: u64 = items.iter().map(|h| h.members.len() as u64).sum();
        let hid0 = self
            .tx
            .reserve_ids("households", n)
            .await
            .map_err(map_bulk)?;
        let pid0 = self.tx.reserve_ids("persons", m).await.map_err(map_bulk)?;
        self.touch_pairing(hid0..hid0 + n as i64);
        // a village's code copied once, not once per household; a file lists a village's
        // households together, so they are counted in runs and each run looked up once
        for run in items.chunk_by(|a, b| a.data.village_code == b.data.village_code) {
            let v = run[0].data.village_code.as_str();
            self.add_to_village(v, run.len() as i64);
            self.facts_changed(v);
        }
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        // households first, on their way to the database while the rest is prepared
        let mut households = Vec::with_capacity(items.len());
        let mut history = Vec::with_capacity(items.len() * 2);
        let mut audit = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let hid = hid0 + i as i64;
            let Some(current) = item.history.last() else {
                tracing::error!("bulk household without a status");
                return Err(DomainError::internal());
            };
            let exit_year = item.history.iter().rev().find_map(|c| c.exit_year);
            let row = rows::new_household(
                Some(hid),
                &item.data,
                (current.to, current.date),
                exit_year,
                now,
                actor.as_str(),
            );
            households.push(row);
        }
        self.tx
            .copy_rows(
                "households",
                rows::HOUSEHOLD_NEW_WITH_ID.names(),
                households,
            )
            .await
            .map_err(map_bulk)?;
        let mut persons = Vec::with_capacity(m as usize);
        let mut changes = Vec::new();
        let mut pid = pid0;
        for (i, item) in items.into_iter().enumerate() {
            let hid = hid0 + i as i64;
            for c in &item.history {
                history.push(rows::history_row(HouseholdId(hid), c, actor.as_str(), now));
            }
            if let Some(current) = item.history.last() {
                audit.push(
                    AuditRecord::event(
                        "household.import",
                        "household",
                        Some(hid.to_string()),
                        serde_json::json!({
                            "household_number": item.data.household_number,
                            "village_code": item.data.village_code.as_str(),
                            "status": current.to.as_str(),
                            "members": item.members.len(),
                        }),
                    )
                    .in_region(&item.data.village_code),
                );
            }
            let mut member_facts = Vec::with_capacity(item.members.len());
            for md in &item.members {
                let j = md.joined.as_ref();
                persons.push(rows::new_person(Some(pid), HouseholdId(hid), md, now));
                if let Some(j) = j {
                    changes.push(rows::change_row(
                        (PersonId(pid), HouseholdId(hid)),
                        j.kind.as_str(),
                        j.date,
                        j.reason.clone(),
                        actor.as_str(),
                        now,
                    ));
                }
                member_facts.push((j.map(|j| j.date), None));
                pid += 1;
            }
            self.new_facts.push(HouseholdFacts {
                statuses: item.history.iter().map(|c| (c.date, c.to)).collect(),
                village: item.data.village_code,
                identification_year: item.data.identification_year,
                main_cause: item.data.main_cause,
                members: member_facts,
                incomes: Vec::new(),
            });
        }
        let tx = self.tx.as_mut();
        tx.copy_rows("persons", rows::PERSON_NEW_WITH_ID.names(), persons)
            .await
            .map_err(map_bulk)?;
        tx.copy_rows("status_history", rows::HISTORY_NEW.names(), history)
            .await
            .map_err(map_bulk)?;
        tx.copy_rows("member_changes", rows::CHANGE_NEW.names(), changes)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await?;
        self.flush_aggregates(false).await
    }

    async fn update_households(&mut self, items: Vec<BulkHouseholdUpdate>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = items.iter().map(|u| u.before.id.0).collect();
        self.touch_pairing(
            items
                .iter()
                .filter(|u| u.data.is_some() || u.status.is_some())
                .map(|u| u.before.id.0),
        );
        let before = self.facts_of(&ids).await?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut audit = Vec::new();
        for u in &items {
            let id = u.before.id;
            // the household's facts may change with any of its rows (members, status, village)
            self.facts_changed(u.before.village_code.as_str());
            if let Some(d) = &u.data {
                self.facts_changed(d.village_code.as_str());
                if d.village_code != u.before.village_code {
                    self.recount_villages
                        .insert(u.before.village_code.to_string());
                    self.recount_villages.insert(d.village_code.to_string());
                }
                self.tx
                    .execute(
                        &rows::UPDATE_HOUSEHOLD,
                        &rows::household_update(d, now, actor.as_str(), id),
                    )
                    .await
                    .map_err(map_bulk)?;
            }
            if let Some(c) = &u.status {
                let exit_year = c.exit_year.or(u.before.exit_year);
                self.tx
                    .execute(
                        rows::UPDATE_STATUS,
                        &rows::status_update(c.to, c.date, exit_year, now, actor.as_str(), id),
                    )
                    .await
                    .map_err(map_bulk)?;
                self.tx
                    .execute(
                        &rows::INSERT_HISTORY,
                        &rows::history_row(id, c, actor.as_str(), now),
                    )
                    .await
                    .map_err(map_bulk)?;
            }
            for md in &u.new_members {
                let j = md.joined.as_ref();
                let r = self
                    .tx
                    .fetch_one(&rows::INSERT_PERSON, &rows::new_person(None, id, md, now))
                    .await
                    .map_err(map_bulk)?;
                let pid = PersonId(one_i64(&r)?);
                if let Some(j) = j {
                    self.tx
                        .execute(
                            &rows::INSERT_CHANGE,
                            &rows::change_row(
                                (pid, id),
                                j.kind.as_str(),
                                j.date,
                                j.reason.clone(),
                                actor.as_str(),
                                now,
                            ),
                        )
                        .await
                        .map_err(map_bulk)?;
                }
                audit.push(
                    AuditRecord::change(
                        "member.import",
                        "person",
                        pid.0,
                        None,
                        Some(&member_shown(pid, id, md, true)),
                    )
                    .in_region(&u.before.village_code),
                );
            }
            for (old, md) in &u.changed_members {
                self.tx
                    .execute(&rows::UPDATE_PERSON, &rows::person_update(md, now, old.id))
                    .await
                    .map_err(map_bulk)?;
                let mut shown_old = old.clone();
                shown_old.mask();
                audit.push(
                    AuditRecord::change(
                        "member.import",
                        "person",
                        old.id.0,
                        Some(&shown_old),
                        Some(&member_shown(old.id, id, md, old.active)),
                    )
                    .in_region(&u.before.village_code),
                );
            }
            if u.data.is_none() && u.status.is_none() {
                self.tx
                    .execute(rows::TOUCH_HOUSEHOLD, &args![now, actor.as_str(), id.0])
                    .await
                    .map_err(map_bulk)?;
            }
        }
        let after = self.facts_of(&ids).await?;
        self.add_facts(&before, -1);
        self.add_facts(&after, 1);
        let mut loaded = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            loaded.extend(
                load_households(
                    self.tx.as_mut(),
                    &format!("h.id IN ({})", id_list(chunk)),
                    &[],
                )
                .await?,
            );
        }
        let after_by_id: HashMap<i64, Household> =
            loaded.into_iter().map(|(h, _)| (h.id.0, h)).collect();
        for u in &items {
            if u.data.is_none() && u.status.is_none() {
                continue;
            }
            let action = if u.status.is_some() {
                "household.import_status"
            } else {
                "household.import_update"
            };
            let after = after_by_id.get(&u.before.id.0).map(super::masked_household);
            audit.push(
                AuditRecord::change(
                    action,
                    "household",
                    u.before.id.0,
                    Some(&super::masked_household(&u.before)),
                    after.as_ref(),
                )
                .in_region(&u.before.village_code),
            );
        }
        self.audit_many(audit).await?;
        self.flush_aggregates(false).await
    }

    async fn put_incomes(&mut self, items: Vec<BulkIncome>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<i64> = items.iter().map(|i| i.after.household_id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let before = self.facts_of(&ids).await?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut new_rows = Vec::new();
        for it in &items {
            self.facts_changed(it.village.as_str());
            let a = &it.after;
            let v = rows::income_row(
                (a.household_id, a.year),
                &a.components,
                a.note.clone(),
                now,
                &actor,
            );
            if it.before.is_none() {
                new_rows.push(v);
            } else {
                self.tx
                    .execute(&rows::UPDATE_INCOME, &v)
                    .await
                    .map_err(map_bulk)?;
            }
        }
        self.tx
            .copy_rows("incomes", rows::INCOME_NEW.names(), new_rows)
            .await
            .map_err(map_bulk)?;
        for chunk in ids.chunks(IN_CHUNK) {
            self.tx
                .execute(
                    &format!(
                        "UPDATE households SET updated_at = $1, updated_by = $2 WHERE id IN ({})",
                        id_list(chunk)
                    ),
                    &args![now, actor.as_str()],
                )
                .await
                .map_err(map_bulk)?;
        }
        let after = self.facts_of(&ids).await?;
        self.add_facts(&before, -1);
        self.add_facts(&after, 1);
        let audit = items
            .iter()
            .map(|it| {
                let mut after = it.after.clone();
                after.updated_at = now;
                AuditRecord::change(
                    "income.import",
                    "income",
                    format!("{}/{}", it.after.household_id.0, it.after.year),
                    it.before.as_ref(),
                    Some(&after),
                )
                .in_region(&it.village)
            })
            .collect();
        self.audit_many(audit).await?;
        self.flush_aggregates(false).await
    }
}

impl SqlStore {
    pub(crate) async fn export_households_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        limit: u32,
    ) -> StoreResult<Vec<ExportHousehold>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new("1 = 1");
        let from = after.as_ref().map(|(v, _)| (v.as_str(), false));
        q.and_in_ranges("h.village_code", &ctx.scope.ranges_from(Some(region), from));
        if let Some((v, id)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(id.0);
            q.push(&format!(" AND (h.village_code, h.id) > ({a}, {b})"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY h.village_code, h.id LIMIT {l}"));
        let mut tx = self.db.begin_read().await.map_err(map_bulk)?;
        let hs = load_households(tx.as_mut(), &q.sql, &q.args).await?;
        let ids: Vec<i64> = hs.iter().map(|(h, _)| h.id.0).collect();
        let mut incomes = load_incomes(tx.as_mut(), &ids).await?;
        let mut out = Vec::with_capacity(hs.len());
        for (mut household, mut members) in hs {
            let inc = incomes.remove(&household.id.0).unwrap_or_default();
            let incomes = inc.into_iter().map(|i| i.record(&members)).collect();
            if !ctx.unmask {
                household.mask();
                members.iter_mut().for_each(Member::mask);
            }
            out.push(ExportHousehold {
                household,
                members,
                incomes,
            });
        }
        Ok(out)
    }
}
