//! Regions, poor-village designation and village profiles in SQL.

mod bulk;
pub(crate) mod rows;

use crate::query::{like_escape, Query};
use crate::rows::{push_rows, Cols, Record};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::error::DomainError;
use fupin_core::regions::{
    Division, Level, LevelCounts, PoorVillage, Region, RegionCode, RegionRecord, RegionRef,
    RegionWithPath, VillageProfile, VillageProfileInput,
};
use fupin_core::store::{RegionImportSummary, RegionStore, RowError, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, Scope};
use rows::{
    designation_update, new_region, profile_values, region_update, PROFILE_COLS, PUT_PROFILE,
    REGION_COLS, REGION_NEW, UPDATE_DESIGNATION, UPDATE_REGION,
};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

pub(crate) fn not_found_region(code: &RegionCode) -> DomainError {
    DomainError::not_found(
        "region_not_found",
        format!("区划 {code} 不存在或不在您的管辖范围内"),
    )
}

/// Whether a region may be shown as a navigation step: inside the scope, or above one of its roots.
fn navigable(scope: &Scope, code: &RegionCode) -> bool {
    match scope {
        Scope::All => true,
        Scope::Within(roots) => roots.iter().any(|r| r.contains(code) || code.contains(r)),
    }
}

impl SqlStore {
    /// Regions by code, in one query.
    pub(crate) async fn regions_by_code(
        &self,
        tx: &mut dyn Tx,
        codes: &[RegionCode],
    ) -> StoreResult<HashMap<String, Region>> {
        let mut out = HashMap::new();
        for chunk in codes.chunks(500) {
            let mut q = Query::new(&format!(
                "SELECT {REGION_COLS} FROM regions WHERE code IN ("
            ));
            let ph: Vec<String> = chunk.iter().map(|c| q.arg(c.as_str())).collect();
            q.push(&ph.join(", ")).push(")");
            for r in tx.fetch_all(&q.sql, &q.args).await? {
                let region = Region::from_row(&r)?;
                out.insert(region.code.as_str().to_string(), region);
            }
        }
        Ok(out)
    }

    /// Attach full paths to regions, reading all their ancestors at once.
    pub(crate) async fn with_paths(
        &self,
        tx: &mut dyn Tx,
        regions: Vec<Region>,
    ) -> StoreResult<Vec<RegionWithPath>> {
        let mut wanted: Vec<RegionCode> = regions.iter().flat_map(|r| r.code.ancestors()).collect();
        wanted.sort();
        wanted.dedup();
        let known = self.regions_by_code(tx, &wanted).await?;
        Ok(regions
            .into_iter()
            .map(|r| {
                let path = r
                    .code
                    .ancestors()
                    .iter()
                    .filter_map(|a| known.get(a.as_str()))
                    .map(|a| RegionRef {
                        code: a.code.clone(),
                        name: a.name.clone(),
                        level: a.level,
                    })
                    .collect();
                RegionWithPath::new(r, path)
            })
            .collect())
    }

    async fn profile_of(
        &self,
        tx: &mut dyn Tx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<Option<VillageProfile>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {PROFILE_COLS} FROM village_profiles WHERE village_code = $1 AND year = $2"
                ),
                &args![code.as_str(), year],
            )
            .await?;
        rows.first().map(VillageProfile::from_row).transpose()
    }

    pub(crate) async fn region_ref(
        &self,
        tx: &mut dyn Tx,
        code: &RegionCode,
    ) -> StoreResult<RegionRef> {
        if code.is_nation() {
            return Ok(nation_ref());
        }
        let r = tx
            .fetch_optional(
                &format!("SELECT {REGION_COLS} FROM regions WHERE code = $1"),
                &args![code.as_str()],
            )
            .await?
            .ok_or_else(|| not_found_region(code))?;
        let r = Region::from_row(&r)?;
        Ok(RegionRef {
            code: r.code,
            name: r.name,
            level: r.level,
        })
    }
}

#[async_trait::async_trait]
impl RegionStore for SqlStore {
    async fn import_regions(
        &self,
        ctx: &Ctx,
        records: Vec<(u64, RegionRecord)>,
    ) -> Result<RegionImportSummary, Vec<RowError>> {
        let fail = |e: DomainError| vec![RowError { line: 0, error: e }];
        let mut errors = Vec::new();
        let mut valid: BTreeMap<String, (Region, u64)> = BTreeMap::new();
        // rows that list a region again lower down: code → (level, name, line)
        let mut stand_ins: BTreeMap<String, Vec<(Level, String, u64)>> = BTreeMap::new();
        let mut levels = LevelCounts::default();
        for (line, rec) in &records {
            let listed = match rec.validate() {
                Ok(l) => l,
                Err(e) => {
                    errors.push(RowError {
                        line: *line,
                        error: e,
                    });
                    continue;
                }
            };
            let code = listed.code.clone();
            if !ctx.scope.allows(&code) {
                errors.push(RowError {
                    line: *line,
                    error: DomainError::forbidden(format!("区划 {code} 不在您的管辖范围内")),
                });
                continue;
            }
            let twice = || RowError {
                line: *line,
                error: DomainError::invalid(
                    "code12",
                    "duplicate_code",
                    format!("区划代码 {code} 在文件中重复"),
                ),
            };
            levels.add(listed.level, None, 1);
            if listed.is_stand_in() {
                let at = stand_ins.entry(code.as_str().to_string()).or_default();
                if at.iter().any(|(l, _, _)| *l == listed.level) {
                    errors.push(twice());
                } else {
                    at.push((listed.level, listed.name, *line));
                }
                continue;
            }
            if valid.contains_key(code.as_str()) {
                errors.push(twice());
                continue;
            }
            let region = Region {
                level: code.level(),
                code: code.clone(),
                name: listed.name,
                parent_code: listed.parent,
                poor_village: None,
                lowest_level: None,
            };
            valid.insert(code.as_str().to_string(), (region, *line));
        }
        let mut tx = self
            .db
            .begin_write()
            .await
            .map_err(DomainError::from)
            .map_err(fail)?;
        // parents and stood-in regions must be in the file or already stored
        let missing: Vec<RegionCode> = {
            let mut m: Vec<RegionCode> = valid
                .values()
                .filter_map(|(r, _)| r.parent_code.clone())
                .chain(
                    stand_ins
                        .keys()
                        .map(|c| RegionCode::parse(c).expect("validated")),
                )
                .filter(|p| !valid.contains_key(p.as_str()))
                .collect();
            m.sort();
            m.dedup();
            m
        };
        let stored_parents = self
            .regions_by_code(tx.as_mut(), &missing)
            .await
            .map_err(fail)?;
        for (r, line) in valid.values() {
            if let Some(p) = &r.parent_code {
                if !valid.contains_key(p.as_str()) && !stored_parents.contains_key(p.as_str()) {
                    errors.push(RowError {
                        line: *line,
                        error: DomainError::invalid(
                            "parent_code12",
                            "unknown_parent",
                            format!("上级区划 {p} 既不在文件中也不在系统中"),
                        ),
                    });
                }
            }
        }
        // the lowest level each stood-in region reaches after this import
        let mut lowest: BTreeMap<String, Level> = BTreeMap::new();
        let mut extended = 0u64;
        for (code, rows) in &stand_ins {
            let region = valid
                .get(code)
                .map(|(r, _)| r)
                .or_else(|| stored_parents.get(code));
            let Some(region) = region else {
                for (level, _, line) in rows {
                    errors.push(RowError {
                        line: *line,
                        error: DomainError::invalid(
                            "code12",
                            "unknown_region",
                            format!(
                                "{}级行 {code} 重复列出的区划既不在文件中也不在系统中",
                                level.label()
                            ),
                        ),
                    });
                }
                continue;
            };
            let mut reached = region.lowest_level.unwrap_or(region.level);
            let mut extends = 0;
            let mut rows = rows.clone();
            rows.sort();
            for (level, name, line) in rows {
                if name != region.name {
                    errors.push(RowError {
                        line,
                        error: DomainError::invalid(
                            "name",
                            "name_mismatch",
                            format!(
                                "{}级行 {code} 的名称“{name}”与该区划的名称“{}”不符",
                                level.label(),
                                region.name
                            ),
                        ),
                    });
                } else if level > reached && Some(level) != reached.child() {
                    errors.push(RowError {
                        line,
                        error: DomainError::invalid(
                            "level",
                            "stand_in_gap",
                            format!(
                                "{code} 列在{}级，但缺少它在{}级的行",
                                level.label(),
                                reached.child().map_or("", Level::label)
                            ),
                        ),
                    });
                } else if level > reached {
                    reached = level;
                    extends += 1;
                }
            }
            if extends > 0 {
                extended += extends;
                lowest.insert(code.clone(), reached);
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(errors);
        }
        let codes: Vec<RegionCode> = valid.values().map(|(r, _)| r.code.clone()).collect();
        let existing = self
            .regions_by_code(tx.as_mut(), &codes)
            .await
            .map_err(fail)?;
        let mut summary = RegionImportSummary {
            rows: records.len() as u64,
            levels,
            ..Default::default()
        };
        // parents first: codes sorted by level, then by code
        let mut ordered: Vec<&Region> = valid.values().map(|(r, _)| r).collect();
        ordered.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
        let mut inserts: Vec<&Region> = Vec::new();
        for r in ordered {
            match existing.get(r.code.as_str()) {
                None => inserts.push(r),
                Some(old) if old.name == r.name && old.parent_code == r.parent_code => {
                    summary.unchanged += 1
                }
                Some(_) => {
                    tx.execute(UPDATE_REGION, &region_update(r))
                        .await
                        .map_err(DomainError::from)
                        .map_err(fail)?;
                    summary.updated += 1;
                }
            }
        }
        for chunk in inserts.chunks(1000) {
            let mut q = Query::new(&format!(
                "INSERT INTO regions ({}) VALUES ",
                REGION_NEW.list()
            ));
            push_rows(&mut q, chunk.iter().map(|r| new_region(r)));
            tx.execute(&q.sql, &q.args)
                .await
                .map_err(DomainError::from)
                .map_err(fail)?;
            summary.inserted += chunk.len() as u64;
        }
        // stand-in rows change nothing but how far down their region reaches
        let stand_in_rows: u64 = stand_ins.values().map(|v| v.len() as u64).sum();
        for (code, level) in &lowest {
            tx.execute(
                "UPDATE regions SET lowest_level = $1 WHERE code = $2",
                &args![level.as_str(), code.as_str()],
            )
            .await
            .map_err(DomainError::from)
            .map_err(fail)?;
        }
        summary.updated += extended;
        summary.unchanged += stand_in_rows - extended;
        let rec = AuditRecord::event(
            "region.import",
            "region",
            None,
            serde_json::to_value(&summary).expect("serialisable"),
        );
        self.audit(tx.as_mut(), ctx, rec).await.map_err(fail)?;
        tx.commit().await.map_err(DomainError::from).map_err(fail)?;
        Ok(summary)
    }

    async fn region_level_counts(
        &self,
        ctx: &Ctx,
        code: Option<&RegionCode>,
    ) -> StoreResult<LevelCounts> {
        if let Some(c) = code {
            ctx.require(c, "区划")?;
        }
        let mut q = Query::new("SELECT level, lowest_level, COUNT(*) FROM regions WHERE 1 = 1");
        q.and_in_ranges("code", &ctx.scope.ranges(code));
        q.push(" GROUP BY level, lowest_level");
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        let mut counts = LevelCounts::default();
        for r in rows {
            let (level, lowest, n) = Cols::read(&r, |c| {
                let level = Level::parse(&c.text()?).ok_or_else(DomainError::internal)?;
                let lowest = c.opt_text()?.and_then(|l| Level::parse(&l));
                Ok((level, lowest, c.i64()?))
            })?;
            counts.add(level, lowest, n as u64);
        }
        Ok(counts)
    }

    async fn region(&self, ctx: &Ctx, code: &RegionCode) -> StoreResult<RegionWithPath> {
        ctx.require(code, "区划")?;
        let mut tx = self.db.begin_read().await?;
        let r = tx
            .fetch_optional(
                &format!("SELECT {REGION_COLS} FROM regions WHERE code = $1"),
                &args![code.as_str()],
            )
            .await?
            .ok_or_else(|| not_found_region(code))?;
        let region = Region::from_row(&r)?;
        Ok(self.with_paths(tx.as_mut(), vec![region]).await?.remove(0))
    }

    async fn region_children(
        &self,
        ctx: &Ctx,
        code: Option<&RegionCode>,
    ) -> StoreResult<Vec<Region>> {
        let rows = match code.filter(|c| !c.is_nation()) {
            None => {
                self.db
                    .fetch_all(
                        &format!(
                        "SELECT {REGION_COLS} FROM regions WHERE level = 'province' ORDER BY code"
                    ),
                        &[],
                    )
                    .await
            }
            Some(c) => {
                if !navigable(&ctx.scope, c) {
                    return Err(not_found_region(c));
                }
                self.db.fetch_all(&format!("SELECT {REGION_COLS} FROM regions WHERE parent_code = $1 ORDER BY code"), &args![c.as_str()]).await
            }
        }?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let region = Region::from_row(r)?;
            if navigable(&ctx.scope, &region.code) {
                out.push(region);
            }
        }
        Ok(out)
    }

    async fn search_regions(
        &self,
        ctx: &Ctx,
        name: &str,
        within: Option<&RegionCode>,
        limit: u32,
    ) -> StoreResult<Vec<RegionWithPath>> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DomainError::invalid(
                "q",
                "required",
                "请输入要查找的区划名称",
            ));
        }
        fupin_core::error::check_optional_text("q", name, 50)?;
        let limit = limit.clamp(1, 100);
        let mut q = Query::new(&format!(
            "SELECT {REGION_COLS} FROM regions WHERE name LIKE "
        ));
        let p = q.arg(format!("%{}%", like_escape(name)));
        q.push(&p).push(" ESCAPE '\\'");
        q.and_in_ranges("code", &ctx.scope.ranges(within));
        let l = q.arg(limit);
        q.push(&format!(" ORDER BY code LIMIT {l}"));
        let mut tx = self.db.begin_read().await?;
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let regions = rows
            .iter()
            .map(Region::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.with_paths(tx.as_mut(), regions).await
    }

    async fn division_children(&self, parent: Option<&RegionCode>) -> StoreResult<Vec<Division>> {
        // no scope: the published list's names (see `Division`), and nothing below a county
        let parent = parent.filter(|c| !c.is_nation());
        if parent.is_some_and(|p| p.level() >= Division::DEEPEST) {
            return Ok(vec![]);
        }
        let mut q = Query::new(&format!("SELECT {REGION_COLS} FROM regions WHERE "));
        match parent {
            None => q.push("level = 'province'"),
            Some(p) => {
                let a = q.arg(p.as_str());
                q.push(&format!("parent_code = {a}"))
            }
        };
        q.push(" AND level IN ('province', 'city', 'county') ORDER BY code");
        let mut tx = self.db.begin_read().await?;
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let regions = rows
            .iter()
            .map(Region::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let with = self.with_paths(tx.as_mut(), regions).await?;
        Ok(with.iter().map(Division::of).collect())
    }

    async fn search_divisions(&self, text: &str, limit: u32) -> StoreResult<Vec<Division>> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DomainError::invalid(
                "q",
                "required",
                "请输入要查找的区划名称或代码",
            ));
        }
        fupin_core::error::check_optional_text("q", text, 50)?;
        let limit = limit.clamp(1, 100);
        let by_code = text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit());
        let mut q = Query::new(&format!("SELECT {REGION_COLS} FROM regions WHERE "));
        if by_code {
            // a code's first digits: the codes are the path, so the codes starting with them are a
            // range of the primary key
            let pad = 12 - text.len();
            let lo = q.arg(format!("{text}{}", "0".repeat(pad)));
            let hi = q.arg(format!("{text}{}", "9".repeat(pad)));
            q.push(&format!("code >= {lo} AND code <= {hi}"));
        } else {
            let p = q.arg(format!("%{}%", like_escape(text)));
            q.push("name LIKE ").push(&p).push(" ESCAPE '\\'");
        }
        q.push(" AND level IN ('province', 'city', 'county')");
        let l = q.arg(limit);
        q.push(&format!(" ORDER BY code LIMIT {l}"));
        let mut tx = self.db.begin_read().await?;
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let regions = rows
            .iter()
            .map(Region::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let with = self.with_paths(tx.as_mut(), regions).await?;
        Ok(with.iter().map(Division::of).collect())
    }

    async fn division(&self, code: &RegionCode) -> StoreResult<Option<Division>> {
        let mut tx = self.db.begin_read().await?;
        let Some(r) = tx
            .fetch_optional(
                &format!("SELECT {REGION_COLS} FROM regions WHERE code = $1"),
                &args![code.as_str()],
            )
            .await?
        else {
            return Ok(None);
        };
        let region = Region::from_row(&r)?;
        let with = self.with_paths(tx.as_mut(), vec![region]).await?;
        Ok(with.first().map(Division::of))
    }

    async fn set_poor_village(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        designation: Option<PoorVillage>,
    ) -> StoreResult<RegionWithPath> {
        ctx.require(code, "区划")?;
        if !code.is_village() {
            return Err(DomainError::invalid(
                "code",
                "not_a_village",
                format!("贫困村标识只能设在村级区划上：{code}"),
            ));
        }
        let d = designation
            .map(|d| d.validate(today().year()))
            .transpose()?;
        let mut tx = self.db.begin_write().await?;
        let old = self
            .regions_by_code(tx.as_mut(), std::slice::from_ref(code))
            .await?
            .remove(code.as_str());
        let n = tx
            .execute(UPDATE_DESIGNATION, &designation_update(code, d.as_ref()))
            .await?;
        if n == 0 {
            return Err(not_found_region(code));
        }
        let new = self
            .regions_by_code(tx.as_mut(), std::slice::from_ref(code))
            .await?
            .remove(code.as_str());
        let rec = AuditRecord::change(
            "region.poor_village",
            "region",
            code,
            old.as_ref(),
            new.as_ref(),
        )
        .in_region(code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        self.region(ctx, code).await
    }

    async fn put_village_profile(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        year: i32,
        input: VillageProfileInput,
    ) -> StoreResult<VillageProfile> {
        ctx.require(code, "区划")?;
        let p = input.validate(code, year, today().year())?;
        let mut tx = self.db.begin_write().await?;
        self.region_ref(tx.as_mut(), code).await?;
        let old = self.profile_of(tx.as_mut(), code, year).await?;
        tx.execute(
            &PUT_PROFILE,
            &profile_values(&p, OffsetDateTime::now_utc(), &ctx.actor),
        )
        .await?;
        let rec = AuditRecord::change(
            "village_profile.put",
            "village_profile",
            format!("{code}/{year}"),
            old.as_ref(),
            Some(&p),
        )
        .in_region(code);
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        Ok(p)
    }

    async fn village_profiles(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
    ) -> StoreResult<Vec<VillageProfile>> {
        ctx.require(code, "区划")?;
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT {PROFILE_COLS} FROM village_profiles WHERE village_code = $1 ORDER BY year"
                ),
                &args![code.as_str()],
            )
            .await?;
        rows.iter().map(VillageProfile::from_row).collect()
    }

    async fn export_profiles(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: Option<i32>,
        after: Option<(RegionCode, i32)>,
        limit: u32,
    ) -> StoreResult<Vec<VillageProfile>> {
        self.export_profiles_impl(ctx, region, year, after, limit)
            .await
    }

    async fn export_regions(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<RegionCode>,
        limit: u32,
    ) -> StoreResult<Vec<Region>> {
        self.export_regions_impl(ctx, region, after, limit).await
    }
}

/// The nation: the root scope above the provinces, in no division list.
pub(crate) fn nation_ref() -> RegionRef {
    RegionRef {
        code: RegionCode::nation(),
        name: "全国".to_string(),
        level: fupin_core::regions::Level::Nation,
    }
}
