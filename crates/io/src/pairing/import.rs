//! The writer side of cadres, pairings and visits files: each batch's households and cadres are
//! looked up at once, every row is matched by its natural key against what is stored and what this
//! import accepted before it, and the good rows go through the bulk session.
//!
//! Natural keys (re-importing a file finds the same records and changes nothing):
//! - cadre: unit + name + phone, or unit + name when the phone is blank (`match_cadre`);
//! - pairing: household + cadre + start date;
//! - visit: household + date + kind + the set of cadres present.
//!
//! What this import accepted is kept here (`State`) as well as written, so that a dry run, or an
//! all-or-nothing import that stopped writing at a bad row, still checks later rows against the
//! earlier ones (the third pairing of a household, the same visit twice).

use super::rows::{match_cadre, CadreCells, CadreMatch, CadreRow, PairingRow, Phone, VisitRow};
use crate::columns::Kind;
use crate::import::{ImportError, Writer};
use crate::report::Issue;
use crate::rows::RowAt;
use fupin_core::pairing::{
    Cadre, CadreId, Goods, HelpingUnit, Pairing, PairingId, PairingLimits, VisitData,
    VisitFindings, VisitInput, UNIT_LEVEL_TABLE,
};
use fupin_core::registry::HouseholdId;
use fupin_core::store::{BulkCadre, BulkPairing, BulkPairingEnd, BulkVisit, HouseholdKey};
use fupin_core::{DomainError, RegionCode, Scope};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use time::Date;

/// What this import has accepted so far, and what it looked up once.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Stored helping units by name (read at the first cadres batch).
    pub(super) units: Option<HashMap<String, HelpingUnit>>,
    /// Units this import creates: name → level code.
    new_units: HashMap<String, String>,
    /// Region codes of cadres already looked up: code → exists.
    regions: HashMap<String, bool>,
    /// Pairings accepted, by household and by cadre (with their start and end dates).
    by_household: HashMap<HouseholdId, Vec<(CadreId, Date, Option<Date>)>>,
    by_cadre: HashMap<CadreId, Vec<(HouseholdId, Date, Option<Date>)>>,
    /// Ends this import recorded for stored pairings.
    ended: HashMap<PairingId, Date>,
    /// Line of each accepted pairing, by its natural key.
    pairing_lines: HashMap<(HouseholdId, CadreId, Date), u64>,
    /// Limits by (village, year).
    limits: HashMap<(String, i32), PairingLimits>,
    /// Line of each accepted visit, by a 128-bit hash of its natural key (a visits file of a
    /// province holds millions of rows; two independent 64-bit hashes make a false repeat
    /// practically impossible at 16 bytes a row).
    visit_lines: HashMap<u128, u64>,
}

/// A 128-bit hash of a visit's natural key.
fn visit_key(household: HouseholdId, date: Date, kind: &str, cadres: &[CadreId]) -> u128 {
    let half = |salt: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut h);
        (household, date, kind, cadres).hash(&mut h);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

/// Whether a stored cadre is managed within `scope` (cadres without a region only by a caller of
/// full scope), as the store decides for updates.
fn cadre_in_scope(scope: &Scope, c: &Cadre) -> bool {
    match (scope, &c.region_code) {
        (Scope::All, _) => true,
        (s, Some(r)) => s.allows(r),
        (_, None) => false,
    }
}

/// The goods of a visit as one text and a total, as a file writes them.
fn goods_summary(goods: &[Goods]) -> (String, i64) {
    (
        goods
            .iter()
            .map(|g| g.description.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        goods.iter().map(|g| g.value_fen).sum(),
    )
}

/// Whether a pairing of (cadre, start, end) is in force on `d`.
fn active(start: Date, end: Option<Date>, d: Date) -> bool {
    start <= d && end.is_none_or(|e| e >= d)
}

/// The column of a kind an error's field names (core's field names mapped to the file's columns).
fn column_of(kind: Kind, field: Option<&str>) -> Option<usize> {
    let f = field?;
    let key = match (kind, f) {
        (_, "household_id") => "household_number",
        (Kind::Pairings, "cadre_id") => "cadre_name",
        (Kind::Visits, "cadre_ids") => "cadres",
        (Kind::Visits, f) if f.starts_with("goods[") && f.ends_with("value_fen") => {
            "goods_value_fen"
        }
        (Kind::Visits, f) if f.starts_with("goods") => "goods",
        (Kind::Visits, f) if f.starts_with("findings.") => {
            return kind
                .columns()
                .iter()
                .position(|c| c.key == f.replace('.', "_"))
        }
        (_, f) => f,
    };
    kind.columns().iter().position(|c| c.key == key)
}

fn issue(at: &RowAt, kind: Kind, cells: &[Option<String>], e: DomainError) -> Issue {
    at.issue(column_of(kind, e.field.as_deref()), cells, e)
}

impl Writer<'_> {
    /// The household of a row: stored, and within the caller's scope.
    pub(crate) fn household_of<'h>(
        &self,
        households: &'h HashMap<String, HouseholdKey>,
        number: &str,
    ) -> Result<&'h HouseholdKey, DomainError> {
        let h = households.get(number).ok_or_else(|| {
            crate::rows::no_such_household(&self.ctx.scope, "household_number", number)
        })?;
        if !self.ctx.scope.allows(&h.village_code) {
            return Err(crate::rows::household_out_of_scope(
                "household_number",
                number,
            ));
        }
        Ok(h)
    }

    pub(crate) async fn households_of(
        &mut self,
        numbers: Vec<String>,
    ) -> Result<HashMap<String, HouseholdKey>, ImportError> {
        let mut numbers = numbers;
        numbers.sort();
        numbers.dedup();
        if numbers.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .session
            .household_keys(&numbers)
            .await?
            .into_iter()
            .map(|h| (h.household_number.clone(), h))
            .collect())
    }

    /// Stored cadres with these names (of these units, unless `units` is empty) that the caller
    /// may pair, or with `naming` name on a visit or claim; one out of reach reads as unknown.
    pub(super) async fn cadres_by_name(
        &mut self,
        mut names: Vec<String>,
        mut units: Vec<String>,
        naming: bool,
    ) -> Result<Vec<Cadre>, ImportError> {
        names.sort();
        names.dedup();
        units.sort();
        units.dedup();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.session.cadres_named(&names, &units, naming).await?)
    }

    // ---- cadres ---------------------------------------------------------------------------------

    pub(crate) async fn cadres(&mut self, rows: Vec<CadreRow>) -> Result<(), ImportError> {
        if self.links.units.is_none() {
            let units = self.session.units().await?;
            self.links.units = Some(units.into_iter().map(|u| (u.name.clone(), u)).collect());
        }
        let ok: Vec<&CadreCells> = rows.iter().filter_map(|r| r.parsed.as_ref().ok()).collect();
        let stored = self
            .cadres_by_name(
                ok.iter().map(|c| c.name.clone()).collect(),
                ok.iter().map(|c| c.unit_name.clone()).collect(),
                false,
            )
            .await?;
        let mut by_key: HashMap<(String, String), Vec<Cadre>> = HashMap::new();
        for c in stored {
            by_key
                .entry((c.unit_name.clone(), c.name.clone()))
                .or_default()
                .push(c);
        }
        let mut regions: Vec<RegionCode> = ok
            .iter()
            .filter_map(|c| c.region.clone())
            .filter(|r| !self.links.regions.contains_key(r.as_str()))
            .collect();
        regions.sort();
        regions.dedup();
        if !regions.is_empty() {
            let known: HashSet<RegionCode> = self
                .session
                .known_regions(&regions)
                .await?
                .into_iter()
                .collect();
            for r in regions {
                let exists = known.contains(&r);
                self.links.regions.insert(r.as_str().to_string(), exists);
            }
        }
        let mut items = Vec::new();
        for r in rows {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let outcome = r
                .parsed
                .and_then(|c| self.plan_cadre(&at, &r.cells, c, &by_key));
            match outcome {
                Err(issue) => self.reject(r.sheet, &[r.line], vec![issue])?,
                Ok(None) => self.report.unchanged += 1,
                Ok(Some(item)) => {
                    if item.before.is_some() {
                        self.report.updated += 1;
                    } else {
                        self.report.created += 1;
                    }
                    let units = self.links.units.as_ref().expect("units loaded");
                    if !units.contains_key(&item.unit_name)
                        && !self.links.new_units.contains_key(&item.unit_name)
                    {
                        let level = item.unit_level.clone().unwrap_or_default();
                        self.links.new_units.insert(item.unit_name.clone(), level);
                        self.report.units_created += 1;
                    }
                    if self.writing {
                        items.push(item);
                    }
                }
            }
        }
        if self.writing {
            self.session.put_cadres(items).await?;
        }
        Ok(())
    }

    /// Decide what a cadres row does: `None` when the stored cadre already reads so.
    fn plan_cadre(
        &self,
        at: &RowAt,
        cells: &[Option<String>],
        c: CadreCells,
        by_key: &HashMap<(String, String), Vec<Cadre>>,
    ) -> Result<Option<BulkCadre>, Issue> {
        let k = Kind::Cadres;
        let fail = |e: DomainError| issue(at, k, cells, e);
        let units = self.links.units.as_ref().expect("units loaded");
        let stored_level = units
            .get(&c.unit_name)
            .map(|u| u.level.clone())
            .or_else(|| self.links.new_units.get(&c.unit_name).cloned());
        let unit = crate::cells::shown(&c.unit_name);
        match (&stored_level, &c.unit_level) {
            (Some(s), Some(l)) if s != l => {
                return Err(fail(DomainError::invalid(
                    "unit_level",
                    "unit_level_mismatch",
                    format!(
                        "帮扶单位“{unit}”已登记为“{}”，与本行的“{}”不一致",
                        self.codes.label(UNIT_LEVEL_TABLE, s),
                        self.codes.label(UNIT_LEVEL_TABLE, l)
                    ),
                )))
            }
            (None, None) => {
                return Err(fail(DomainError::invalid(
                    "unit_level",
                    "required",
                    format!("帮扶单位“{unit}”尚未登记，新建单位须填写单位级别"),
                )))
            }
            _ => {}
        }
        if let Some(r) = &c.region {
            if self.links.regions.get(r.as_str()) == Some(&false) {
                return Err(fail(DomainError::invalid(
                    "region_code",
                    "unknown_region",
                    format!("区划代码 {r} 不存在，请先导入区划"),
                )));
            }
        }
        let candidates: Vec<&Cadre> = by_key
            .get(&(c.unit_name.clone(), c.name.clone()))
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let name = crate::cells::shown(&c.name);
        match match_cadre(&candidates, c.phone.as_ref()) {
            CadreMatch::Ambiguous(n) => Err(fail(DomainError::invalid(
                "phone",
                "ambiguous_cadre",
                format!("帮扶单位“{unit}”有 {n} 名叫“{name}”的干部，请填写联系电话以区分"),
            ))),
            CadreMatch::One(s) => {
                if !cadre_in_scope(&self.ctx.scope, s) {
                    return Err(fail(DomainError::invalid(
                        "name",
                        "out_of_scope",
                        format!("帮扶单位“{unit}”的干部“{name}”由其他地区管理，不在您的管辖范围内"),
                    )));
                }
                // a column the file lacks keeps the stored value; blank phones and regions too
                let rank = if at.mapping.has(k.col("rank")) {
                    c.rank
                } else {
                    s.rank.clone()
                };
                let phone = match c.phone {
                    Some(Phone::Full(p)) => Some(p),
                    _ => s.phone.clone(),
                };
                let region = match c.region.or_else(|| s.region_code.clone()) {
                    Some(r) => r,
                    None => self.default_region().map_err(fail)?,
                };
                if rank == s.rank && phone == s.phone && s.region_code.as_ref() == Some(&region) {
                    return Ok(None);
                }
                Ok(Some(BulkCadre {
                    before: Some(s.clone()),
                    unit_name: c.unit_name,
                    unit_level: None,
                    name: c.name,
                    rank,
                    phone,
                    region_code: region,
                }))
            }
            CadreMatch::NoneFound => {
                let phone = match c.phone {
                    Some(Phone::Masked(_)) => {
                        return Err(fail(DomainError::invalid(
                            "phone",
                            "masked_phone",
                            format!(
                            "找不到该脱敏号码对应的干部“{name}”；新登记的干部须填写完整的联系电话"
                        ),
                        )))
                    }
                    Some(Phone::Full(p)) => Some(p),
                    None => None,
                };
                let region = match c.region {
                    Some(r) => r,
                    None => self.default_region().map_err(fail)?,
                };
                Ok(Some(BulkCadre {
                    before: None,
                    unit_level: if stored_level.is_none() {
                        c.unit_level
                    } else {
                        None
                    },
                    unit_name: c.unit_name,
                    name: c.name,
                    rank: c.rank,
                    phone,
                    region_code: region,
                }))
            }
        }
    }

    /// The caller's only region, for a cadre whose row names none (as the store does).
    fn default_region(&self) -> Result<RegionCode, DomainError> {
        match &self.ctx.scope {
            Scope::Within(roots) if roots.len() == 1 => Ok(roots[0].clone()),
            _ => Err(DomainError::invalid(
                "region_code",
                "required",
                "请填写管理区划代码（登记、管理该干部的区划）",
            )),
        }
    }

    // ---- pairings -------------------------------------------------------------------------------

    async fn limits(
        &mut self,
        village: &RegionCode,
        year: i32,
    ) -> Result<PairingLimits, ImportError> {
        let key = (village.as_str().to_string(), year);
        if let Some(l) = self.links.limits.get(&key) {
            return Ok(*l);
        }
        let l = self.session.pairing_limits(village, year).await?;
        self.links.limits.insert(key, l);
        Ok(l)
    }

    pub(crate) async fn pairings(&mut self, rows: Vec<PairingRow>) -> Result<(), ImportError> {
        let ok: Vec<_> = rows.iter().filter_map(|r| r.parsed.as_ref().ok()).collect();
        let households = self
            .households_of(ok.iter().map(|p| p.number.clone()).collect())
            .await?;
        let stored = self
            .cadres_by_name(
                ok.iter().map(|p| p.cadre_name.clone()).collect(),
                ok.iter().map(|p| p.unit_name.clone()).collect(),
                false,
            )
            .await?;
        let mut by_key: HashMap<(&str, &str), Vec<&Cadre>> = HashMap::new();
        for c in &stored {
            by_key
                .entry((c.unit_name.as_str(), c.name.as_str()))
                .or_default()
                .push(c);
        }
        // each row's household and cadre, or why not
        let mut resolved: Vec<Result<(HouseholdKey, CadreId), DomainError>> = Vec::new();
        for r in &rows {
            let Ok(p) = &r.parsed else {
                resolved.push(Err(DomainError::internal()));
                continue;
            };
            let res = self.household_of(&households, &p.number).and_then(|h| {
                let candidates = by_key
                    .get(&(p.unit_name.as_str(), p.cadre_name.as_str()))
                    .cloned()
                    .unwrap_or_default();
                let (unit, name) = (
                    crate::cells::shown(&p.unit_name),
                    crate::cells::shown(&p.cadre_name),
                );
                match match_cadre(&candidates, p.phone.as_ref()) {
                    CadreMatch::One(c) => Ok((h.clone(), c.id)),
                    CadreMatch::NoneFound => Err(DomainError::invalid(
                        "cadre_name",
                        "unknown_cadre",
                        if p.phone.is_some() {
                            format!("帮扶单位“{unit}”没有该联系电话的干部“{name}”，请先导入帮扶干部")
                        } else {
                            format!("帮扶单位“{unit}”没有干部“{name}”，请先导入帮扶干部")
                        },
                    )),
                    CadreMatch::Ambiguous(n) => Err(DomainError::invalid(
                        "cadre_phone",
                        "ambiguous_cadre",
                        format!("帮扶单位“{unit}”有 {n} 名叫“{name}”的干部，请填写干部联系电话以区分"),
                    )),
                }
            });
            resolved.push(res);
        }
        let mut hids: Vec<HouseholdId> = resolved
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|(h, _)| h.id))
            .collect();
        hids.sort();
        hids.dedup();
        let mut cids: Vec<CadreId> = resolved
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|(_, c)| *c))
            .collect();
        cids.sort();
        cids.dedup();
        let existing: Vec<Pairing> = if hids.is_empty() {
            Vec::new()
        } else {
            self.session.pairings_of(&hids, &cids).await?
        };
        let mut stored_h: HashMap<HouseholdId, Vec<&Pairing>> = HashMap::new();
        let mut stored_c: HashMap<CadreId, Vec<&Pairing>> = HashMap::new();
        for p in &existing {
            stored_h.entry(p.household_id).or_default().push(p);
            stored_c.entry(p.cadre_id).or_default().push(p);
        }
        let mut items = Vec::new();
        let mut ends = Vec::new();
        for (r, res) in rows.into_iter().zip(resolved) {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let fail = |e: DomainError| issue(&at, Kind::Pairings, &r.cells, e);
            let parsed = match r.parsed {
                Ok(p) => p,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let (h, cadre) = match res {
                Ok(x) => x,
                Err(e) => {
                    self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                    continue;
                }
            };
            let start = parsed.start;
            let key = (h.id, cadre, start);
            if let Some(first) = self.links.pairing_lines.get(&key) {
                let e = DomainError::invalid(
                    "start_date",
                    "duplicate_pairing",
                    format!("与第 {first} 行的结对重复（同一户、同一干部、同一开始日期）"),
                );
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            }
            let stored_here = stored_h.get(&h.id).map(Vec::as_slice).unwrap_or_default();
            // a stored pairing ends as stored, or as this import ended it
            let end_of = |p: &Pairing| p.end_date.or_else(|| self.links.ended.get(&p.id).copied());
            if let Some(p) = stored_here
                .iter()
                .find(|p| p.cadre_id == cadre && p.start_date == start)
            {
                // the same pairing: unchanged, or ended by this row (an end once recorded stays)
                match (end_of(p), parsed.end) {
                    (_, None) => self.report.unchanged += 1,
                    (Some(e0), Some((e, _))) if e0 == e => self.report.unchanged += 1,
                    (Some(e0), Some(_)) => {
                        let e = DomainError::invalid(
                            "end_date",
                            "pairing_ended",
                            format!("该结对已于 {e0} 结束，不能改动结束日期"),
                        );
                        self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                    }
                    (None, Some((end_date, reason))) => {
                        self.report.updated += 1;
                        self.links.ended.insert(p.id, end_date);
                        if self.writing {
                            ends.push(BulkPairingEnd {
                                before: (*p).clone(),
                                end_date,
                                reason,
                            });
                        }
                    }
                }
                continue;
            }
            // the pairings in force on the start date: stored ones and those accepted before,
            // once each (an accepted pairing is also stored once it has been written)
            let mut of_household: HashSet<(CadreId, Date)> = stored_here
                .iter()
                .filter(|p| active(p.start_date, end_of(p), start))
                .map(|p| (p.cadre_id, p.start_date))
                .collect();
            if let Some(v) = self.links.by_household.get(&h.id) {
                of_household.extend(
                    v.iter()
                        .filter(|(_, s, e)| active(*s, *e, start))
                        .map(|(c, s, _)| (*c, *s)),
                );
            }
            let mut of_cadre: HashSet<(HouseholdId, Date)> = stored_c
                .get(&cadre)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|p| active(p.start_date, end_of(p), start))
                .map(|p| (p.household_id, p.start_date))
                .collect();
            if let Some(v) = self.links.by_cadre.get(&cadre) {
                of_cadre.extend(
                    v.iter()
                        .filter(|(_, s, e)| active(*s, *e, start))
                        .map(|(h, s, _)| (*h, *s)),
                );
            }
            let outcome = if of_household.iter().any(|(c, _)| *c == cadre) {
                Err(
                    DomainError::conflict("already_paired", "该干部已与该户结对")
                        .with_field("cadre_id"),
                )
            } else {
                let limits = self.limits(&h.village_code, start.year()).await?;
                limits.check_new(of_household.len() as i64, of_cadre.len() as i64)
            };
            if let Err(e) = outcome {
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            }
            self.report.created += 1;
            self.links.pairing_lines.insert(key, r.line);
            let end = parsed.end.as_ref().map(|(e, _)| *e);
            self.links
                .by_household
                .entry(h.id)
                .or_default()
                .push((cadre, start, end));
            self.links
                .by_cadre
                .entry(cadre)
                .or_default()
                .push((h.id, start, end));
            if self.writing {
                items.push(BulkPairing {
                    household_id: h.id,
                    village: h.village_code.clone(),
                    cadre_id: cadre,
                    start_date: start,
                    end: parsed.end,
                });
            }
        }
        if self.writing {
            self.session.create_pairings(items).await?;
            self.session.end_pairings(ends).await?;
        }
        Ok(())
    }

    // ---- visits ---------------------------------------------------------------------------------

    pub(crate) async fn visits(&mut self, rows: Vec<VisitRow>) -> Result<(), ImportError> {
        let ok: Vec<_> = rows.iter().filter_map(|r| r.parsed.as_ref().ok()).collect();
        let households = self
            .households_of(ok.iter().map(|v| v.number.clone()).collect())
            .await?;
        let names: Vec<String> = ok.iter().flat_map(|v| v.names.iter().cloned()).collect();
        let stored_cadres = self.cadres_by_name(names, Vec::new(), true).await?;
        let mut named: HashMap<&str, Vec<&Cadre>> = HashMap::new();
        for c in &stored_cadres {
            named.entry(c.name.as_str()).or_default().push(c);
        }
        let mut hids: Vec<HouseholdId> = ok
            .iter()
            .filter_map(|v| households.get(&v.number).map(|h| h.id))
            .collect();
        hids.sort();
        hids.dedup();
        let (stored_visits, paired) = if hids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                self.session.visits_of(&hids).await?,
                self.session.pairings_of(&hids, &[]).await?,
            )
        };
        let mut visits_of: HashMap<HouseholdId, Vec<&(fupin_core::pairing::VisitId, VisitData)>> =
            HashMap::new();
        for v in &stored_visits {
            visits_of.entry(v.1.household_id).or_default().push(v);
        }
        let paired: HashSet<(HouseholdId, CadreId)> = paired
            .iter()
            .map(|p| (p.household_id, p.cadre_id))
            .collect();
        let mut items = Vec::new();
        for r in rows {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let fail = |e: DomainError| issue(&at, Kind::Visits, &r.cells, e);
            let v = match r.parsed {
                Ok(v) => v,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let h = match self.household_of(&households, &v.number) {
                Ok(h) => h,
                Err(e) => {
                    self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                    continue;
                }
            };
            // each name: the one cadre of that name (of the unit, when given), else the one of
            // them paired with this household at some time
            let mut ids = Vec::with_capacity(v.names.len());
            let mut bad = None;
            for n in &v.names {
                let all = named.get(n.as_str()).cloned().unwrap_or_default();
                let of_unit: Vec<&Cadre> = match &v.unit_name {
                    Some(u) => all.into_iter().filter(|c| c.unit_name == *u).collect(),
                    None => all,
                };
                let shown = crate::cells::shown(n);
                let found = match of_unit.as_slice() {
                    [one] => Ok(one.id),
                    [] => Err(DomainError::invalid(
                        "cadre_ids",
                        "unknown_cadre",
                        match &v.unit_name {
                            Some(u) => format!(
                                "帮扶单位“{}”没有干部“{shown}”，请先导入帮扶干部",
                                crate::cells::shown(u)
                            ),
                            None => format!("没有名为“{shown}”的帮扶干部，请先导入帮扶干部"),
                        },
                    )),
                    many => {
                        let mine: Vec<&&Cadre> = many
                            .iter()
                            .filter(|c| paired.contains(&(h.id, c.id)))
                            .collect();
                        match mine.as_slice() {
                            [one] => Ok(one.id),
                            _ => Err(DomainError::invalid(
                                "cadre_ids",
                                "ambiguous_cadre",
                                format!(
                                    "有 {} 名叫“{shown}”的帮扶干部，请在“帮扶单位”列填写其单位以区分",
                                    many.len()
                                ),
                            )),
                        }
                    }
                };
                match found {
                    Ok(id) => ids.push(id),
                    Err(e) => {
                        bad = Some(e);
                        break;
                    }
                }
            }
            if let Some(e) = bad {
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            }
            ids.sort();
            ids.dedup();
            let stored = visits_of.get(&h.id).and_then(|vs| {
                vs.iter()
                    .find(|(_, d)| d.date == v.date && d.kind == v.kind && d.cadre_ids == ids)
                    .copied()
            });
            // columns the file does not have keep the stored values
            let has = |key: &str| at.mapping.has(Kind::Visits.col(key));
            let keep =
                |key: &str, new: Option<String>, old: &dyn Fn(&VisitData) -> Option<String>| {
                    match stored {
                        Some((_, d)) if !has(key) => old(d),
                        _ => new,
                    }
                };
            let f = &v.findings;
            let findings = VisitFindings {
                income: keep("findings_income", f.income.clone(), &|d| {
                    d.findings.income.clone()
                }),
                education: keep("findings_education", f.education.clone(), &|d| {
                    d.findings.education.clone()
                }),
                medical: keep("findings_medical", f.medical.clone(), &|d| {
                    d.findings.medical.clone()
                }),
                housing: keep("findings_housing", f.housing.clone(), &|d| {
                    d.findings.housing.clone()
                }),
                water: keep("findings_water", f.water.clone(), &|d| {
                    d.findings.water.clone()
                }),
            };
            let money = match stored {
                Some((_, d)) if !has("condolence_money_fen") => d.condolence_money_fen.get(),
                _ => v.money_fen,
            };
            let goods = match (stored, &v.goods) {
                (Some((_, d)), _) if !has("goods") => d.goods.clone(),
                // the same goods as stored (several items written as one cell): kept as stored
                (Some((_, d)), Some(g))
                    if goods_summary(&d.goods) == (g.clone(), v.goods_value_fen) =>
                {
                    d.goods.clone()
                }
                (_, Some(g)) => vec![Goods {
                    description: g.clone(),
                    value_fen: v.goods_value_fen,
                }],
                (_, None) => Vec::new(),
            };
            let input = VisitInput {
                household_id: h.id,
                date: v.date,
                kind: v.kind.clone(),
                cadre_ids: ids.clone(),
                findings,
                problems: keep("problems", v.problems.clone(), &|d| d.problems.clone()),
                actions: keep("actions", v.actions.clone(), &|d| d.actions.clone()),
                follow_up: keep("follow_up", v.follow_up.clone(), &|d| d.follow_up.clone()),
                condolence_money_fen: money,
                goods,
                location: stored.and_then(|(_, d)| d.location),
                with_photo: false,
            };
            let data = match input.validate(&self.codes, self.today) {
                Ok(d) => d,
                Err(e) => {
                    self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                    continue;
                }
            };
            let key = visit_key(h.id, data.date, &data.kind, &data.cadre_ids);
            if let Some(first) = self.links.visit_lines.get(&key) {
                let e = DomainError::invalid(
                    "date",
                    "duplicate_visit",
                    format!("与第 {first} 行的走访重复（同一户、同一日期、同一类型、同一批干部）"),
                );
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            }
            self.links.visit_lines.insert(key, r.line);
            match stored {
                Some((_, d)) if *d == data => self.report.unchanged += 1,
                Some((id, d)) => {
                    self.report.updated += 1;
                    if self.writing {
                        items.push(BulkVisit {
                            village: h.village_code.clone(),
                            before: Some((*id, d.clone())),
                            after: data,
                        });
                    }
                }
                None => {
                    self.report.created += 1;
                    if self.writing {
                        items.push(BulkVisit {
                            village: h.village_code.clone(),
                            before: None,
                            after: data,
                        });
                    }
                }
            }
        }
        if self.writing {
            self.session.put_visits(items).await?;
        }
        Ok(())
    }
}
