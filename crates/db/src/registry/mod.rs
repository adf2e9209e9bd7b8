//! Households, members, status history and incomes in SQL. Every write validates with the rules of
//! core, checks the caller's scope, runs in one transaction and keeps the aggregates in step.

mod bulk;
mod codes;
pub(crate) mod rows;

use crate::query::Query;
use crate::rows::{one_i64, Cols, Record};
use crate::sql::{DbError, Tx};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::codes::{CodeBook, CodeTable};
use fupin_core::error::DomainError;
use fupin_core::registry::*;
use fupin_core::store::{RegistryStore, StoreResult};
use fupin_core::years::{today, year_end};
use fupin_core::{Ctx, RegionCode};
use rows::{household_counted, StoredIncome, HOUSEHOLD_COUNTED};
use std::sync::Arc;
use time::OffsetDateTime;

impl SqlStore {
    /// The warnings on an accepted ID number: its address code against the division list.
    async fn id_number_warnings(
        &self,
        tx: &mut dyn Tx,
        field: &str,
        id: &fupin_core::id_number::IdNumber,
    ) -> StoreResult<Vec<MemberWarning>> {
        use fupin_core::id_number::{address_code_warning, AddressCodeListing};
        let code = format!("{}000000", id.address_code());
        let province = format!("{}0000000000", &code[..2]);
        let r = tx
            .fetch_one(
                "SELECT (SELECT COUNT(*) FROM regions WHERE code = $1), (SELECT COUNT(*) FROM regions WHERE code = $2)",
                &args![code.as_str(), province.as_str()],
            )
            .await?;
        let (county, province) = Cols::read(&r, |c| Ok((c.i64()?, c.i64()?)))?;
        let listing = if county > 0 {
            AddressCodeListing::Listed
        } else if province > 0 {
            AddressCodeListing::NotListed
        } else {
            AddressCodeListing::ProvinceNotLoaded
        };
        Ok(address_code_warning(id, listing)
            .map(|message| MemberWarning {
                field: field.to_string(),
                code: "unknown_address_code".to_string(),
                message,
            })
            .into_iter()
            .collect())
    }
}

fn household_not_found() -> DomainError {
    DomainError::not_found("household_not_found", "该户不存在或不在您的管辖范围内")
}

fn member_not_found() -> DomainError {
    DomainError::not_found("member_not_found", "该成员不存在或不在您的管辖范围内")
}

/// Map a unique-index violation that slipped past the checks (a concurrent write) to a conflict.
fn map_write(e: DbError) -> DomainError {
    match &e {
        DbError::Unique(k) if k.is("persons", &["id_number"]) => {
            DomainError::conflict("duplicate_id_number", "该身份证号已是另一户的在册成员")
        }
        // the index of one active head per household
        DbError::Unique(k) if k.is("persons", &["household_id"]) => {
            DomainError::invalid("relation", "multiple_heads", "每户必须有且只有一名户主")
        }
        DbError::Unique(k) if k.is("households", &["household_number"]) => {
            DomainError::conflict("duplicate_household_number", "户编码已存在")
        }
        _ => DomainError::from(e),
    }
}

impl SqlStore {
    async fn load_household(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<Household> {
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT {} FROM households h WHERE h.id = $1",
                    *HOUSEHOLD_COUNTED
                ),
                &args![id.0],
            )
            .await?
            .ok_or_else(household_not_found)?;
        let h = household_counted(&r)?;
        if !self
            .household_visible(tx, ctx, h.id, &h.village_code)
            .await?
        {
            return Err(household_not_found());
        }
        Ok(h)
    }

    /// The village of a household the caller reaches (as [`load_household`](Self::load_household)
    /// decides), in one statement when the caller reaches it by region; "not found" otherwise.
    pub(crate) async fn household_in_reach(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<RegionCode> {
        let r = tx
            .fetch_optional(
                "SELECT village_code FROM households WHERE id = $1",
                &args![id.0],
            )
            .await?
            .ok_or_else(household_not_found)?;
        let village = Cols::read(&r, |c| RegionCode::parse(&c.text()?))?;
        if !self.household_visible(tx, ctx, id, &village).await? {
            return Err(household_not_found());
        }
        Ok(village)
    }

    /// The household as [`load_household`](Self::load_household) reads it (with the same check
    /// of reach) and its members as [`load_members`](Self::load_members) does, in one statement:
    /// the household's row joined to its members' rows (one row without a member when it has
    /// none).
    async fn household_and_members(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<(Household, Vec<Member>)> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {}, {} FROM households h LEFT JOIN persons m ON m.household_id = h.id \
                     WHERE h.id = $1 ORDER BY m.active DESC, m.relation, m.birth_date, m.id",
                    *HOUSEHOLD_COUNTED,
                    Member::columns().list_of("m")
                ),
                &args![id.0],
            )
            .await?;
        let mut household = None;
        let mut members = Vec::with_capacity(rows.len());
        for r in &rows {
            let (h, m) = Cols::read(r, |c| {
                let mut h = Household::decode(c)?;
                h.head_name = c.opt_text()?;
                h.member_count = c.i64()?;
                // the member's id: none on the one row of a household without members
                let m = if c.peek_opt_i64()?.is_some() {
                    Some(Member::decode(c)?)
                } else {
                    for _ in 0..Member::columns().len() {
                        c.opt_text()?;
                    }
                    None
                };
                Ok((h, m))
            })?;
            household.get_or_insert(h);
            members.extend(m);
        }
        let h = household.ok_or_else(household_not_found)?;
        if !self
            .household_visible(tx, ctx, h.id, &h.village_code)
            .await?
        {
            return Err(household_not_found());
        }
        Ok((h, members))
    }

    async fn load_members(&self, tx: &mut dyn Tx, id: HouseholdId) -> StoreResult<Vec<Member>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM persons WHERE household_id = $1 ORDER BY active DESC, relation, birth_date, id",
                    Member::columns().list()
                ),
                &args![id.0],
            )
            .await?;
        rows.iter().map(Member::from_row).collect()
    }

    async fn load_member(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: PersonId,
    ) -> StoreResult<(Member, Household)> {
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT {} FROM persons WHERE id = $1",
                    Member::columns().list()
                ),
                &args![id.0],
            )
            .await?
            .ok_or_else(member_not_found)?;
        let m = Member::from_row(&r)?;
        let h = self
            .load_household(tx, ctx, m.household_id)
            .await
            .map_err(|_| member_not_found())?;
        Ok((m, h))
    }

    async fn detail(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<HouseholdDetail> {
        let (household, members) = self.household_and_members(tx, ctx, id).await?;
        let status_history = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM status_history WHERE household_id = $1 ORDER BY date, id",
                    StatusEvent::columns().list()
                ),
                &args![id.0],
            )
            .await?
            .iter()
            .map(StatusEvent::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let member_changes = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM member_changes c JOIN persons p ON p.id = c.person_id \
                     WHERE c.household_id = $1 ORDER BY c.date, c.id",
                    MemberChangeRecord::columns().list()
                ),
                &args![id.0],
            )
            .await?
            .iter()
            .map(MemberChangeRecord::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let incomes = self.load_incomes(tx, id, &members).await?;
        let mut d = HouseholdDetail {
            household,
            members,
            status_history,
            member_changes,
            incomes,
        };
        if !ctx.unmask {
            d.mask();
        }
        Ok(d)
    }

    /// The household's detail, masked whatever the caller may see (for rules and audit records).
    pub(crate) async fn detail_masked(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<HouseholdDetail> {
        let mut d = self.detail(tx, ctx, id).await?;
        d.mask();
        Ok(d)
    }

    async fn load_incomes(
        &self,
        tx: &mut dyn Tx,
        id: HouseholdId,
        members: &[Member],
    ) -> StoreResult<Vec<IncomeRecord>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM incomes WHERE household_id = $1 ORDER BY year",
                    StoredIncome::columns().list()
                ),
                &args![id.0],
            )
            .await?;
        rows.iter()
            .map(|r| Ok(StoredIncome::from_row(r)?.record(members)))
            .collect()
    }

    async fn require_village(&self, tx: &mut dyn Tx, code: &RegionCode) -> StoreResult<()> {
        let found = tx
            .fetch_optional(
                "SELECT level FROM regions WHERE code = $1",
                &args![code.as_str()],
            )
            .await?;
        match found {
            Some(_) => Ok(()),
            None => Err(DomainError::invalid(
                "village_code",
                "unknown_region",
                format!("区划 {code} 不存在，请先导入区划"),
            )),
        }
    }

    async fn check_number_free(
        &self,
        tx: &mut dyn Tx,
        number: &str,
        except: Option<HouseholdId>,
    ) -> StoreResult<()> {
        let r = tx
            .fetch_optional(
                "SELECT id FROM households WHERE household_number = $1",
                &args![number],
            )
            .await?;
        if let Some(r) = r {
            if Some(HouseholdId(one_i64(&r)?)) != except {
                return Err(DomainError::conflict(
                    "duplicate_household_number",
                    format!("户编码 {number} 已存在"),
                )
                .with_field("household_number"));
            }
        }
        Ok(())
    }

    /// Fail when the ID number is an active member of a household other than `except`.
    /// Fail when the ID number is an active member of another household. The other household is
    /// named when the caller may see it; otherwise only its existence is told (the registry must
    /// refuse the duplicate either way, but need not reveal another region's household number).
    async fn check_id_free(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        field: &str,
        m: &MemberData,
        except_person: Option<PersonId>,
    ) -> StoreResult<()> {
        let r = tx
            .fetch_optional(
                "SELECT p.id, h.household_number, h.village_code FROM persons p JOIN households h ON h.id = p.household_id \
                 WHERE p.id_number = $1 AND p.active",
                &args![m.id_number.expose()],
            )
            .await?;
        if let Some(r) = r {
            let (person, other, village) =
                Cols::read(&r, |c| Ok((PersonId(c.i64()?), c.text()?, c.text()?)))?;
            if Some(person) != except_person {
                let village = RegionCode::parse(&village)?;
                // a household the caller cannot see is not named, nor where it is
                let which = if ctx.scope.allows(&village) {
                    format!("户 {other} ")
                } else {
                    "另一户".to_string()
                };
                return Err(DomainError::conflict(
                    "duplicate_id_number",
                    format!(
                        "身份证号 {} 已是{which}的在册成员，一人只能在一户中在册",
                        m.id_number.masked()
                    ),
                )
                .with_field(field));
            }
        }
        Ok(())
    }

    async fn insert_member(
        &self,
        tx: &mut dyn Tx,
        household: HouseholdId,
        m: &MemberData,
        now: OffsetDateTime,
    ) -> StoreResult<PersonId> {
        let r = tx
            .fetch_one(
                &rows::INSERT_PERSON,
                &rows::new_person(None, household, m, now),
            )
            .await
            .map_err(map_write)?;
        let id = PersonId(one_i64(&r)?);
        Ok(id)
    }

    async fn insert_member_change(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        (person, household): (PersonId, HouseholdId),
        kind: &str,
        date: time::Date,
        reason: Option<String>,
    ) -> StoreResult<()> {
        tx.execute(
            &rows::INSERT_CHANGE,
            &rows::change_row(
                (person, household),
                kind,
                date,
                reason,
                ctx.actor.as_str(),
                OffsetDateTime::now_utc(),
            ),
        )
        .await?;
        Ok(())
    }

    async fn member_out(&self, tx: &mut dyn Tx, ctx: &Ctx, id: PersonId) -> StoreResult<Member> {
        let r = tx
            .fetch_one(
                &format!(
                    "SELECT {} FROM persons WHERE id = $1",
                    Member::columns().list()
                ),
                &args![id.0],
            )
            .await?;
        let mut m = Member::from_row(&r)?;
        if !ctx.unmask {
            m.mask();
        }
        Ok(m)
    }

    /// Change a household's status inside the caller's transaction: validated against the history,
    /// recorded in it, aggregates kept in step, audited. Procedures that end in a status use it too.
    pub(crate) async fn change_status_in(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
        change: StatusChangeInput,
    ) -> StoreResult<()> {
        let h = self.load_household(tx, ctx, id).await?;
        let last = tx
            .fetch_one(
                "SELECT MAX(date) FROM status_history WHERE household_id = $1",
                &args![id.0],
            )
            .await?;
        let last = Cols::read(&last, |c| Ok(c.opt_date()?))?;
        let c = change.validate(h.status, last, today())?;
        let before = self.facts(tx, id).await?;
        let now = OffsetDateTime::now_utc();
        let exit_year = c.exit_year.or(h.exit_year);
        tx.execute(
            rows::UPDATE_STATUS,
            &rows::status_update(c.to, c.date, exit_year, now, ctx.actor.as_str(), id),
        )
        .await?;
        tx.execute(
            &rows::INSERT_HISTORY,
            &rows::history_row(id, &c, ctx.actor.as_str(), now),
        )
        .await?;
        let after = self.facts(tx, id).await?;
        self.apply_delta(tx, before.as_ref(), after.as_ref())
            .await?;
        self.refresh_pairing_figures(tx, &[id.0]).await?;
        let now_h = self.load_household(tx, ctx, id).await?;
        let rec = AuditRecord::change(
            "household.status",
            "household",
            id.0,
            Some(&masked_household(&h)),
            Some(&masked_household(&now_h)),
        )
        .in_region(&h.village_code);
        self.audit(tx, ctx, rec).await
    }

    pub(crate) async fn touch(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<()> {
        tx.execute(
            rows::TOUCH_HOUSEHOLD,
            &args![OffsetDateTime::now_utc(), ctx.actor.as_str(), id.0],
        )
        .await?;
        Ok(())
    }
}

pub(crate) fn masked_household(h: &Household) -> Household {
    let mut h = h.clone();
    h.mask();
    h
}

fn masked_member(m: &Member) -> Member {
    let mut m = m.clone();
    m.mask();
    m
}

#[async_trait::async_trait]
impl RegistryStore for SqlStore {
    async fn code_book(&self) -> StoreResult<Arc<CodeBook>> {
        Ok(self.codes())
    }

    async fn put_code_table(&self, ctx: &Ctx, table: CodeTable) -> StoreResult<()> {
        self.put_code_table_impl(ctx, table).await
    }

    async fn create_household(&self, ctx: &Ctx, new: NewHousehold) -> StoreResult<HouseholdDetail> {
        let codes = self.codes();
        let today = today();
        // the household's problems and its members' together, so that a form shows all of them
        let mut problems = fupin_core::Problems::new();
        let data = problems.check(
            new.household
                .validate_new(&codes, today)
                .map_err(|e| e.under("household")),
        );
        let members = problems.check(validate_new_members(&new.members, &codes, today));
        problems.finish()?;
        let (Some(data), Some(members)) = (data, members) else {
            return Err(DomainError::internal());
        };
        let initial = match &new.initial_status {
            Some(s) => s.validate(today)?,
            None => default_initial_status(data.identification_year),
        };
        ctx.require(&data.village_code, "区划")
            .map_err(|e| e.with_field("household.village_code"))?;
        let mut tx = self.db.begin_write().await?;
        self.require_village(tx.as_mut(), &data.village_code)
            .await
            .map_err(|e| e.under("household"))?;
        self.check_number_free(tx.as_mut(), &data.household_number, None)
            .await
            .map_err(|e| e.under("household"))?;
        for (i, m) in members.iter().enumerate() {
            self.check_id_free(
                tx.as_mut(),
                ctx,
                &format!("members[{i}].id_number"),
                m,
                None,
            )
            .await?;
        }
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(
                &rows::INSERT_HOUSEHOLD,
                &rows::new_household(
                    None,
                    &data,
                    (initial.status, initial.date),
                    initial.exit_year,
                    now,
                    ctx.actor.as_str(),
                ),
            )
            .await
            .map_err(map_write)?;
        let id = HouseholdId(one_i64(&r)?);
        let mut warnings = std::collections::BTreeMap::new();
        for (i, m) in members.iter().enumerate() {
            let pid = self.insert_member(tx.as_mut(), id, m, now).await?;
            let w = self
                .id_number_warnings(
                    tx.as_mut(),
                    &format!("members[{i}].id_number"),
                    &m.id_number,
                )
                .await?;
            warnings.insert(pid, w);
            if let Some(j) = &m.joined {
                self.insert_member_change(
                    tx.as_mut(),
                    ctx,
                    (pid, id),
                    &j.kind,
                    j.date,
                    j.reason.clone(),
                )
                .await?;
            }
        }
        let first = StatusChange {
            from: None,
            to: initial.status,
            date: initial.date,
            reason: initial.reason.clone(),
            exit_year: initial.exit_year,
        };
        tx.execute(
            &rows::INSERT_HISTORY,
            &rows::history_row(id, &first, ctx.actor.as_str(), now),
        )
        .await?;
        let after = self.facts(tx.as_mut(), id).await?;
        self.apply_delta(tx.as_mut(), None, after.as_ref()).await?;
        self.recount_villages(tx.as_mut(), &[data.village_code.to_string()])
            .await?;
        self.refresh_pairing_figures(tx.as_mut(), &[id.0]).await?;
        let detail = self.detail(tx.as_mut(), ctx, id).await?;
        let mut shown = detail.clone();
        shown.mask();
        let rec = AuditRecord::change("household.create", "household", id.0, None, Some(&shown))
            .in_region(&data.village_code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        let mut detail = detail;
        for m in &mut detail.members {
            m.warnings = warnings.remove(&m.id).unwrap_or_default();
        }
        Ok(detail)
    }

    async fn update_household(
        &self,
        ctx: &Ctx,
        id: HouseholdId,
        input: HouseholdInput,
    ) -> StoreResult<HouseholdDetail> {
        let codes = self.codes();
        let mut tx = self.db.begin_write().await?;
        let old = self.load_household(tx.as_mut(), ctx, id).await?;
        let data = input.validate_update(&codes, today(), &old.household_number)?;
        ctx.require(&data.village_code, "区划")
            .map_err(|e| e.with_field("village_code"))?;
        self.require_village(tx.as_mut(), &data.village_code)
            .await?;
        self.check_number_free(tx.as_mut(), &data.household_number, Some(id))
            .await?;
        let before = self.facts(tx.as_mut(), id).await?;
        tx.execute(
            &rows::UPDATE_HOUSEHOLD,
            &rows::household_update(&data, OffsetDateTime::now_utc(), ctx.actor.as_str(), id),
        )
        .await
        .map_err(map_write)?;
        let after = self.facts(tx.as_mut(), id).await?;
        self.apply_delta(tx.as_mut(), before.as_ref(), after.as_ref())
            .await?;
        if old.village_code != data.village_code {
            self.recount_villages(
                tx.as_mut(),
                &[old.village_code.to_string(), data.village_code.to_string()],
            )
            .await?;
        }
        self.refresh_pairing_figures(tx.as_mut(), &[id.0]).await?;
        let detail = self.detail(tx.as_mut(), ctx, id).await?;
        let rec = AuditRecord::change(
            "household.update",
            "household",
            id.0,
            Some(&masked_household(&old)),
            Some(&masked_household(&detail.household)),
        )
        .in_region(&data.village_code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        if old.household_number != data.household_number {
            // A renumbering is a record of its own, so that the log answers "which numbers did
            // this household have" by one action.
            let rec = AuditRecord::change(
                "household.renumber",
                "household",
                id.0,
                Some(&serde_json::json!({"household_number": old.household_number})),
                Some(&serde_json::json!({"household_number": data.household_number})),
            )
            .in_region(&data.village_code);
            self.audit(tx.as_mut(), ctx, rec).await?;
        }
        tx.commit().await?;
        Ok(detail)
    }

    async fn change_status(
        &self,
        ctx: &Ctx,
        id: HouseholdId,
        change: StatusChangeInput,
    ) -> StoreResult<HouseholdDetail> {
        let mut tx = self.db.begin_write().await?;
        self.change_status_in(tx.as_mut(), ctx, id, change).await?;
        let detail = self.detail(tx.as_mut(), ctx, id).await?;
        tx.commit().await?;
        Ok(detail)
    }

    async fn household(&self, ctx: &Ctx, id: HouseholdId) -> StoreResult<HouseholdDetail> {
        let mut tx = self.db.begin_read().await?;
        self.detail(tx.as_mut(), ctx, id).await
    }

    async fn household_by_number(&self, ctx: &Ctx, number: &str) -> StoreResult<HouseholdDetail> {
        let mut tx = self.db.begin_read().await?;
        let r = tx
            .fetch_optional(
                "SELECT id FROM households WHERE household_number = $1",
                &args![number.trim()],
            )
            .await?
            .ok_or_else(household_not_found)?;
        let id = HouseholdId(one_i64(&r)?);
        self.detail(tx.as_mut(), ctx, id).await
    }

    async fn list_households(
        &self,
        ctx: &Ctx,
        filter: HouseholdFilter,
    ) -> StoreResult<Page<Household>> {
        let f = filter.validate(&self.codes())?;
        // a region outside the caller's is refused as every region route refuses it; a cadre's
        // paired households may lie in any region, so a cadre's filter only narrows them
        if let (Some(r), None) = (&f.region, ctx.cadre_user) {
            ctx.require_overlap(r, "区划")?;
        }
        let mut w = Query::new(" WHERE 1 = 1");
        // a page after a cursor reads from the cursor's village on (the count, which only a page
        // without a cursor makes, is not narrowed)
        let from = f.after.as_ref().map(|(v, _)| (v.as_str(), f.descending));
        w.and_visible_households_from(ctx, f.region.as_ref(), fupin_core::years::today(), from);
        if let Some(s) = f.status {
            let p = w.arg(s.as_str());
            w.push(&format!(" AND h.status = {p}"));
        }
        if let Some(c) = &f.main_cause {
            let p = w.arg(c.as_str());
            w.push(&format!(" AND h.main_cause = {p}"));
        }
        if let Some(a) = &f.attribute {
            let p = w.arg(a.as_str());
            w.push(&format!(" AND h.attribute = {p}"));
        }
        if let Some(idn) = &f.q_id_number {
            // an ID number is searched exactly, never by pattern, through the unique index of
            // the active members' numbers
            let p = w.arg(idn.as_str());
            w.push(&format!(
                " AND h.id IN (SELECT household_id FROM persons WHERE id_number = {p} AND active)"
            ));
        } else if let Some(q) = &f.q {
            // a household number exactly, or a member's name from its start (a range of the
            // name index: the whole name, or its first characters)
            let n = w.arg(q.as_str());
            let lo = w.arg(q.as_str());
            let hi = w.arg(prefix_end(q));
            w.push(&format!(
                " AND h.id IN (SELECT id FROM households WHERE household_number = {n} \
                 UNION SELECT household_id FROM persons WHERE name >= {lo} AND name < {hi} AND active)"
            ));
        }
        let mut tx = self.db.begin_read().await?;
        // counted for the pages reached by number (the pager needs it); a page after a cursor
        // reads its own rows only, so the end of a province costs what its start does
        let unfiltered = f.status.is_none()
            && f.main_cause.is_none()
            && f.attribute.is_none()
            && f.q_id_number.is_none()
            && f.q.is_none()
            && ctx.cadre_user.is_none();
        let total = match (&f.after, unfiltered) {
            (Some(_), _) => None,
            // the households of the caller's villages, from the maintained counts
            (None, true) => Some(
                self.households_in(tx.as_mut(), &ctx.scope.ranges(f.region.as_ref()))
                    .await?,
            ),
            (None, false) => Some(one_i64(
                &tx.fetch_one(
                    &format!("SELECT COUNT(*) FROM households h{}", w.sql),
                    &w.args,
                )
                .await?,
            )? as u64),
        };
        let mut q = Query {
            sql: format!("SELECT {} FROM households h{}", *HOUSEHOLD_COUNTED, w.sql),
            args: w.args,
        };
        // keyset: the households after the cursor in list order, read along the index
        // (village_code, household_number), forwards or backwards; page numbers only near the start
        let (cmp, dir) = if f.descending {
            ("<", " DESC")
        } else {
            (">", "")
        };
        if let Some((v, n)) = &f.after {
            let a = q.arg(v.as_str());
            let b = q.arg(n.as_str());
            q.push(&format!(
                " AND (h.village_code, h.household_number) {cmp} ({a}, {b})"
            ));
        }
        let l = q.arg(i64::from(f.limit));
        let o = q.arg(f.offset as i64);
        q.push(&format!(
            " ORDER BY h.village_code{dir}, h.household_number{dir} LIMIT {l} OFFSET {o}"
        ));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let mut items = rows
            .iter()
            .map(household_counted)
            .collect::<StoreResult<Vec<_>>>()?;
        if !ctx.unmask {
            items.iter_mut().for_each(Household::mask);
        }
        let next = (items.len() == f.limit as usize)
            .then(|| items.last())
            .flatten()
            .map(|h| fupin_core::registry::household_cursor(&h.village_code, &h.household_number));
        Ok(Page { items, total, next })
    }

    async fn add_member(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        member: MemberInput,
    ) -> StoreResult<Member> {
        let m = member.validate(&self.codes(), today())?;
        let mut tx = self.db.begin_write().await?;
        let h = self.load_household(tx.as_mut(), ctx, household).await?;
        if h.status == HouseholdStatus::Removed {
            return Err(DomainError::invalid(
                "household_id",
                "household_removed",
                "该户已销户，不能再添加成员",
            ));
        }
        if m.is_head() {
            let heads = one_i64(
                &tx.fetch_one(
                    "SELECT COUNT(*) FROM persons WHERE household_id = $1 AND active AND relation = '01'",
                    &args![household.0],
                )
                .await?,
            )?;
            check_one_head(heads as usize + 1)?;
        }
        self.check_id_free(tx.as_mut(), ctx, "id_number", &m, None)
            .await?;
        let before = self.facts(tx.as_mut(), household).await?;
        let pid = self
            .insert_member(tx.as_mut(), household, &m, OffsetDateTime::now_utc())
            .await?;
        if let Some(j) = &m.joined {
            self.insert_member_change(
                tx.as_mut(),
                ctx,
                (pid, household),
                &j.kind,
                j.date,
                j.reason.clone(),
            )
            .await?;
        }
        self.touch(tx.as_mut(), ctx, household).await?;
        let after = self.facts(tx.as_mut(), household).await?;
        self.apply_delta(tx.as_mut(), before.as_ref(), after.as_ref())
            .await?;
        let out = self.member_out(tx.as_mut(), ctx, pid).await?;
        let rec = AuditRecord::change(
            "member.create",
            "person",
            pid.0,
            None,
            Some(&masked_member(&out)),
        )
        .in_region(&h.village_code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        let mut out = out;
        out.warnings = self
            .id_number_warnings(tx.as_mut(), "id_number", &m.id_number)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn update_member(
        &self,
        ctx: &Ctx,
        person: PersonId,
        member: MemberInput,
    ) -> StoreResult<Member> {
        let m = member.validate(&self.codes(), today())?;
        if m.joined.is_some() {
            return Err(DomainError::invalid(
                "joined",
                "not_allowed",
                "修改成员信息时不能填写加入方式；加入与减少请用成员变更",
            ));
        }
        let mut tx = self.db.begin_write().await?;
        let (old, h) = self.load_member(tx.as_mut(), ctx, person).await?;
        if old.active {
            let others = one_i64(
                &tx.fetch_one(
                    "SELECT COUNT(*) FROM persons WHERE household_id = $1 AND active AND relation = '01' AND id <> $2",
                    &args![old.household_id.0, person.0],
                )
                .await?,
            )?;
            check_one_head(others as usize + usize::from(m.is_head()))?;
            self.check_id_free(tx.as_mut(), ctx, "id_number", &m, Some(person))
                .await?;
        }
        tx.execute(
            &rows::UPDATE_PERSON,
            &rows::person_update(&m, OffsetDateTime::now_utc(), person),
        )
        .await
        .map_err(map_write)?;
        self.touch(tx.as_mut(), ctx, old.household_id).await?;
        let out = self.member_out(tx.as_mut(), ctx, person).await?;
        let rec = AuditRecord::change(
            "member.update",
            "person",
            person.0,
            Some(&masked_member(&old)),
            Some(&masked_member(&out)),
        )
        .in_region(&h.village_code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        let mut out = out;
        out.warnings = self
            .id_number_warnings(tx.as_mut(), "id_number", &m.id_number)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn record_member_change(
        &self,
        ctx: &Ctx,
        person: PersonId,
        change: MemberChangeInput,
    ) -> StoreResult<Member> {
        let mut tx = self.db.begin_write().await?;
        let (m, h) = self.load_member(tx.as_mut(), ctx, person).await?;
        let c = change.validate(&m, &self.codes(), today())?;
        if let Some(nh) = c.new_head {
            let r = tx
                .fetch_optional(
                    "SELECT household_id, active FROM persons WHERE id = $1",
                    &args![nh.0],
                )
                .await?;
            let ok = match r {
                Some(r) => {
                    let (household, active) = Cols::read(&r, |c| Ok((c.i64()?, c.bool()?)))?;
                    household == m.household_id.0 && active
                }
                None => false,
            };
            if !ok {
                return Err(DomainError::invalid(
                    "new_head_person_id",
                    "invalid_new_head",
                    "新户主须是本户的在册成员",
                ));
            }
        }
        let before = self.facts(tx.as_mut(), m.household_id).await?;
        tx.execute(
            "UPDATE persons SET active = FALSE, left_on = $1, leave_kind = $2, updated_at = $3 WHERE id = $4",
            &args![c.date, c.kind.as_str(), OffsetDateTime::now_utc(), person.0],
        )
        .await?;
        if let Some(nh) = c.new_head {
            tx.execute(
                "UPDATE persons SET relation = '01', updated_at = $1 WHERE id = $2",
                &args![OffsetDateTime::now_utc(), nh.0],
            )
            .await
            .map_err(map_write)?;
        }
        self.insert_member_change(
            tx.as_mut(),
            ctx,
            (person, m.household_id),
            &c.kind,
            c.date,
            c.reason.clone(),
        )
        .await?;
        self.touch(tx.as_mut(), ctx, m.household_id).await?;
        let after = self.facts(tx.as_mut(), m.household_id).await?;
        self.apply_delta(tx.as_mut(), before.as_ref(), after.as_ref())
            .await?;
        let out = self.member_out(tx.as_mut(), ctx, person).await?;
        let rec = AuditRecord::change(
            "member.change",
            "person",
            person.0,
            Some(&masked_member(&m)),
            Some(&masked_member(&out)),
        )
        .in_region(&h.village_code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn put_income(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        year: i32,
        income: IncomeInput,
    ) -> StoreResult<IncomeRecord> {
        let (c, note) = income.validate(year, today().year())?;
        let mut tx = self.db.begin_write().await?;
        let h = self.load_household(tx.as_mut(), ctx, household).await?;
        let before = self.facts(tx.as_mut(), household).await?;
        let members_before = self.load_members(tx.as_mut(), household).await?;
        let old = self
            .load_incomes(tx.as_mut(), household, &members_before)
            .await?
            .into_iter()
            .find(|i| i.year == year);
        let now = OffsetDateTime::now_utc();
        tx.execute(
            &rows::UPSERT_INCOME,
            &rows::income_row((household, year), &c, note.clone(), now, ctx.actor.as_str()),
        )
        .await?;
        self.touch(tx.as_mut(), ctx, household).await?;
        let after = self.facts(tx.as_mut(), household).await?;
        self.apply_delta(tx.as_mut(), before.as_ref(), after.as_ref())
            .await?;
        let members = self.load_members(tx.as_mut(), household).await?;
        let persons = members
            .iter()
            .filter(|m| m.present_on(year_end(year)))
            .count() as i64;
        let record = IncomeRecord::new(household, year, c, persons, note, now);
        let rec = AuditRecord::change(
            "income.put",
            "income",
            format!("{}/{year}", household.0),
            old.as_ref(),
            Some(&record),
        )
        .in_region(&h.village_code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn export_households(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        limit: u32,
    ) -> StoreResult<Vec<fupin_core::store::ExportHousehold>> {
        self.export_households_impl(ctx, region, after, limit).await
    }
}

/// The first string after every string that starts with `prefix` (in code point order, as both
/// databases compare names: SQLite's binary collation, PostgreSQL's C collation): `prefix` with
/// its last character's successor.
pub(crate) fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(c) = chars.pop() {
        if let Some(next) = (c as u32 + 1..=char::MAX as u32).find_map(char::from_u32) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    char::MAX.to_string()
}

impl SqlStore {
    /// Count the households of `villages` again into `village_households` (every status), after a
    /// write that adds households to them or moves one between them. A count of each village's
    /// rows, not an increment, so that it cannot drift from the table.
    pub(crate) async fn recount_villages(
        &self,
        tx: &mut dyn Tx,
        villages: &[String],
    ) -> StoreResult<()> {
        if let (true, Some(lo), Some(hi)) = (
            villages.len() > crate::bulk::IN_CHUNK,
            villages.iter().min(),
            villages.iter().max(),
        ) {
            // many villages (a large import) making up most of those between the lowest and the
            // highest: every village of that range counted in one grouped pass over its
            // households — on PostgreSQL a scan, where a look-up per chunk of 500 villages visits
            // each household's row through the index again (about 8 s instead of 0.4 s for a
            // province's first load). Counting villages the import did not touch as well changes
            // nothing, the count being of rows; villages spread thinly over a wide range (a file
            // of villages in two provinces) are counted chunk by chunk below.
            let in_range = one_i64(
                &tx.fetch_one(
                    "SELECT COUNT(*) FROM village_households WHERE village_code BETWEEN $1 AND $2",
                    &args![lo.as_str(), hi.as_str()],
                )
                .await?,
            )?;
            if (villages.len() as i64).saturating_mul(2) >= in_range {
                self.recount_village_range(tx, lo, hi).await?;
                return Ok(());
            }
        }
        for chunk in villages.chunks(crate::bulk::IN_CHUNK) {
            let values: Vec<&str> = chunk.iter().map(String::as_str).collect();
            // the villages as the backend takes a list of texts (one array on PostgreSQL)
            let mut q = Query::new("DELETE FROM village_households WHERE ");
            let cond = self.db.text_in("village_code", &values, &mut |v| q.arg(v));
            q.push(&cond);
            tx.execute(&q.sql, &q.args).await?;
            let mut q = Query::new(
                "INSERT INTO village_households (village_code, households) \
                 SELECT village_code, COUNT(*) FROM households WHERE ",
            );
            let cond = self.db.text_in("village_code", &values, &mut |v| q.arg(v));
            q.push(&cond);
            q.push(" GROUP BY village_code");
            tx.execute(&q.sql, &q.args).await?;
        }
        Ok(())
    }

    /// `villages`' counts in `village_households` raised by the households an import created in
    /// each (a village without a row gets one). Exact within the import's transaction, the
    /// counts being of the rows it inserted; a few statements of many villages each instead of a
    /// count over the villages' households (about a second on PostgreSQL for a province's first
    /// load).
    pub(crate) async fn add_village_households(
        &self,
        tx: &mut dyn Tx,
        villages: &[(String, i64)],
    ) -> StoreResult<()> {
        for chunk in villages.chunks(crate::bulk::IN_CHUNK) {
            let mut q =
                Query::new("INSERT INTO village_households (village_code, households) VALUES ");
            for (i, (village, added)) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                let v = q.arg(village.as_str());
                let n = q.arg(*added);
                q.push(&format!("({v}, {n})"));
            }
            q.push(
                " ON CONFLICT (village_code) DO UPDATE SET \
                 households = village_households.households + excluded.households",
            );
            tx.execute(&q.sql, &q.args).await?;
        }
        Ok(())
    }

    /// The households of every village between `lo` and `hi` counted again, in one pass.
    async fn recount_village_range(&self, tx: &mut dyn Tx, lo: &str, hi: &str) -> StoreResult<()> {
        tx.execute(
            "DELETE FROM village_households WHERE village_code BETWEEN $1 AND $2",
            &args![lo, hi],
        )
        .await?;
        tx.execute(
            "INSERT INTO village_households (village_code, households) \
             SELECT village_code, COUNT(*) FROM households WHERE village_code BETWEEN $1 AND $2 \
             GROUP BY village_code",
            &args![lo, hi],
        )
        .await?;
        Ok(())
    }

    /// Every village's households counted again (`fupin stats rebuild`).
    pub(crate) async fn recount_all_villages(&self, tx: &mut dyn Tx) -> StoreResult<()> {
        tx.execute("DELETE FROM village_households", &[]).await?;
        tx.execute(
            "INSERT INTO village_households (village_code, households) \
             SELECT village_code, COUNT(*) FROM households GROUP BY village_code",
            &[],
        )
        .await?;
        Ok(())
    }

    /// The households of the villages within `ranges` (`None`: everywhere), from the maintained
    /// counts.
    async fn households_in(
        &self,
        tx: &mut dyn Tx,
        ranges: &Option<Vec<(String, String)>>,
    ) -> StoreResult<u64> {
        let mut q = Query::new(
            "SELECT CAST(COALESCE(SUM(households), 0) AS BIGINT) FROM village_households WHERE 1 = 1",
        );
        q.and_in_ranges("village_code", ranges);
        Ok(one_i64(&tx.fetch_one(&q.sql, &q.args).await?)? as u64)
    }
}
