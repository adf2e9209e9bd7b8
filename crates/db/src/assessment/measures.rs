//! Poverty measures of a scope in one set-based pass: the scope's households are read in batches of
//! whole villages (one query per batch, one row per household, never a query per household), each household's year facts
//! and members are turned into per-person incomes (compact integers, sorted in memory for Gini and
//! Sen by core) and counting-measure rows fed to core's accumulator as they come.
//!
//! Which households and persons count is core's definition (`HouseholdFacts::in_scope` and
//! `persons_in`): identified in or before the year, a status recorded and not `removed` on
//! 31 December, members present on that day. The SQL below selects exactly those (the status on a
//! day is the last recorded on or before it, else the first one recorded, as `status_on` reads
//! the history); the contract tests compare the result with a recomputation from the facts.
//!
//! Nothing is cached: every request reads the rows of its scope, so no write can leave a stale figure.

use crate::rows::Cols;
use crate::sql::{DbError, Tx};
use crate::{args, SqlStore};
use fupin_core::assessment::counting::{
    self, household_rows, CountingAccumulator, HouseholdIndicators, MemberIndicators, Variable,
};
use fupin_core::assessment::standards::{counting_param, fen_param, key};
use fupin_core::assessment::{poverty_measures, MeasuresQuery, MeasuresReport};
use fupin_core::registry::{HouseholdStatus, IncomeComponents, LivingConditions};
use fupin_core::store::StoreResult;
use fupin_core::years::{today, year_end};
use fupin_core::{Ctx, DomainError, Fen, PerCapita, RegionCode};

/// Households per batch: bounds the rows held at once (a batch is whole villages, so a village
/// larger than this is one batch of its own).
const BATCH_HOUSEHOLDS: i64 = 20_000;

/// Which person columns the configuration needs.
#[derive(Clone, Copy)]
struct PersonColumns {
    schooling: bool,
    education: bool,
    health: bool,
    insurance: bool,
}

impl SqlStore {
    pub(crate) async fn measures_pass(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        query: &MeasuresQuery,
    ) -> StoreResult<MeasuresReport> {
        ctx.require(region, "区划")?;
        fupin_core::years::check_year("year", year, today().year())?;
        let params = self.params();
        let (line, source) = match query.line_fen {
            Some(l) => {
                if l <= 0 {
                    return Err(DomainError::invalid(
                        "line_fen",
                        "out_of_range",
                        "贫困线须大于 0",
                    ));
                }
                (Fen::input("line_fen", l)?, "request")
            }
            None => (
                fen_param(&params, key::POVERTY_LINE, region, year)?,
                "parameter",
            ),
        };
        let name = query.config.as_deref().unwrap_or(counting::DEFAULT_CONFIG);
        let config = counting_param(&params, name, region, year)?;
        let resolved = config.resolve(name, line, query.k)?;
        let cols = PersonColumns {
            schooling: resolved.reads(Variable::CompulsoryEducation),
            education: resolved.reads(Variable::Education),
            health: resolved.reads(Variable::Health),
            insurance: resolved.reads(Variable::MedicalInsurance),
        };
        let living = [
            Variable::HousingSafe,
            Variable::SafeDrinkingWater,
            Variable::Electricity,
            Variable::SanitaryToilet,
            Variable::CookingFuel,
        ]
        .iter()
        .any(|v| resolved.reads(*v));
        let mut acc = CountingAccumulator::new(resolved);

        let end = year_end(year);
        // ages as the exit assessment takes them: on the year's end, or today within the year
        let on = end.min(today());
        let (lo, hi) = region.range();
        let mut tx = self.db.begin_read().await?;
        let region_ref = self.region_ref(tx.as_mut(), region).await?;

        // whole villages per batch
        let villages = tx
            .fetch_all(
                "SELECT village_code, COUNT(*) FROM households WHERE village_code BETWEEN $1 AND $2 GROUP BY village_code ORDER BY village_code",
                &args![lo.as_str(), hi.as_str()],
            )
            .await?;
        let mut batches: Vec<(String, String)> = Vec::new();
        let mut open: Option<(String, String, i64)> = None;
        for r in villages {
            let (v, n) = Cols::read(&r, |c| Ok((c.text()?, c.i64()?)))?;
            open = match open {
                Some((a, _, m)) if m + n <= BATCH_HOUSEHOLDS => Some((a, v, m + n)),
                Some((a, b, _)) => {
                    batches.push((a, b));
                    Some((v.clone(), v, n))
                }
                None => Some((v.clone(), v, n)),
            };
        }
        if let Some((a, b, _)) = open {
            batches.push((a, b));
        }

        let mut incomes: Vec<PerCapita> = Vec::new();
        let mut households = 0u64;
        for (a, b) in &batches {
            let hh = self
                .batch(tx.as_mut(), (a, b), year, end, living, cols)
                .await?;
            for (_, facts, ms) in hh {
                let persons = ms.len() as i64;
                let mut facts = facts;
                facts.per_capita = facts
                    .per_capita
                    .and_then(|p| PerCapita::new(p.total(), persons));
                if let Some(pc) = facts.per_capita {
                    households += 1;
                    incomes.extend(std::iter::repeat_n(pc, persons as usize));
                }
                for row in household_rows(acc.resolved(), &facts, &ms, year, on) {
                    acc.add(&row);
                }
            }
        }
        drop(tx);
        let m = poverty_measures(&incomes, line);
        Ok(MeasuresReport {
            region: region_ref,
            year,
            line_fen: line.get(),
            line_source: source.to_string(),
            persons: incomes.len() as u64,
            households,
            headcount_ratio: m.headcount_ratio,
            fgt1: m.poverty_gap,
            fgt2: m.severity,
            watts: m.watts,
            sen: m.sen,
            gini: m.gini,
            measures: m,
            mpi: acc.finish(),
        })
    }

    /// The in-scope households of villages `a..=b` with their year facts and their members present
    /// on `end`, in id order: one row per household, its members folded into one text column by the
    /// engine (`birth|schooling|reason|education|health|insurance;…`, only the fields the
    /// configuration reads), so the rows that cross to the store are households, not persons. The
    /// per-capita income holds the year's net income over one person; the caller divides by the
    /// members present.
    async fn batch(
        &self,
        tx: &mut dyn Tx,
        (a, b): (&str, &str),
        year: i32,
        end: time::Date,
        living: bool,
        c: PersonColumns,
    ) -> StoreResult<Vec<(i64, HouseholdIndicators, Vec<MemberIndicators>)>> {
        let living_col = if living { "h.living" } else { "NULL" };
        let pick = |on: bool, col: &str| {
            if on {
                format!("COALESCE({col}, '')")
            } else {
                "''".into()
            }
        };
        let member = [
            pick(c.schooling, "CAST(p.birth_date AS TEXT)"),
            pick(c.schooling, "p.schooling"),
            if c.schooling {
                "CASE WHEN TRIM(COALESCE(p.out_of_school_reason, '')) <> '' THEN '1' ELSE '' END".into()
            } else {
                "''".into()
            },
            pick(c.education, "p.education"),
            pick(c.health, "p.health"),
            if c.insurance {
                "CASE WHEN p.basic_medical_insurance THEN '1' WHEN NOT p.basic_medical_insurance THEN '0' ELSE '' END".into()
            } else {
                "''".into()
            },
        ]
        .join(" || '|' || ");
        let agg = self.db.text_agg();
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT h.id, \
                     COALESCE((SELECT s.to_status FROM status_history s WHERE s.household_id = h.id AND s.date <= $4 ORDER BY s.date DESC, s.id DESC LIMIT 1), \
                              (SELECT s.to_status FROM status_history s WHERE s.household_id = h.id ORDER BY s.date, s.id LIMIT 1)), \
                     i.wage_fen, i.business_fen, i.property_fen, i.transfer_fen, i.business_cost_fen, \
                     y.food_secure, y.clothing_secure, {living_col}, \
                     (SELECT {agg}({member}, ';') FROM persons p WHERE p.household_id = h.id \
                      AND (p.joined_on IS NULL OR p.joined_on <= $4) AND (p.left_on IS NULL OR p.left_on > $4)) \
                     FROM households h \
                     LEFT JOIN incomes i ON i.household_id = h.id AND i.year = $3 \
                     LEFT JOIN household_years y ON y.household_id = h.id AND y.year = $3 \
                     WHERE h.village_code BETWEEN $1 AND $2 AND h.identification_year <= $3 \
                     ORDER BY h.id"
                ),
                &args![a, b, year, end],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (id, status, indicators, folded) = Cols::read(&r, |c| {
                Ok((
                    c.i64()?,
                    c.opt_text()?,
                    household_indicators(c)?,
                    c.opt_text()?,
                ))
            })?;
            let Some(status) = status else {
                continue;
            };
            let status = HouseholdStatus::parse(&status).ok_or_else(|| {
                tracing::error!(status, "unknown status in database");
                DomainError::internal()
            })?;
            if status == HouseholdStatus::Removed {
                continue;
            }
            let members = match folded {
                Some(t) => members(&t)?,
                None => Vec::new(),
            };
            out.push((id, indicators, members));
        }
        Ok(out)
    }
}

/// A `YYYY-MM-DD` date.
fn iso_date(s: &str) -> Option<time::Date> {
    let mut it = s.splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.get(..2)?.parse().ok()?;
    time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// The members folded by [`SqlStore::batch`].
fn members(text: &str) -> StoreResult<Vec<MemberIndicators>> {
    let bad = || {
        tracing::error!("folded members do not parse");
        DomainError::internal()
    };
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    text.split(';')
        .map(|m| {
            let f: Vec<&str> = m.split('|').collect();
            let [birth, schooling, reason, education, health, insured] = f[..] else {
                return Err(bad());
            };
            Ok(MemberIndicators {
                birth_date: if birth.is_empty() {
                    time::Date::MIN
                } else {
                    iso_date(birth).ok_or_else(bad)?
                },
                schooling: opt(schooling),
                has_out_of_school_reason: reason == "1",
                education: opt(education),
                health: opt(health),
                medical_insurance: match insured {
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => None,
                },
            })
        })
        .collect()
}

/// A household's indicators from its income (`i.*`), its year's needs (`y.*`) and living
/// conditions, in the order the batch's query selects them; a household without an income
/// record for the year has no per-capita income.
fn household_indicators(c: &mut Cols<'_>) -> StoreResult<HouseholdIndicators> {
    let income = (
        c.opt_i64()?,
        c.opt_i64()?,
        c.opt_i64()?,
        c.opt_i64()?,
        c.opt_i64()?,
    );
    let net = match income {
        (Some(wage), business, property, transfer, cost) => {
            let fen = |v: Option<i64>| -> StoreResult<Fen> {
                Ok(Fen::new(v.ok_or_else(|| {
                    DbError::Decode("income component: unexpected NULL".into())
                })?))
            };
            Some(
                IncomeComponents {
                    wage_fen: Fen::new(wage),
                    business_fen: fen(business)?,
                    property_fen: fen(property)?,
                    dividend_fen: None,
                    transfer_fen: fen(transfer)?,
                    business_cost_fen: fen(cost)?,
                }
                .net(),
            )
        }
        _ => None,
    };
    let (food_secure, clothing_secure) = (c.opt_bool()?, c.opt_bool()?);
    let living: LivingConditions = match c.opt_text()? {
        Some(t) => serde_json::from_str(&t).map_err(|e| {
            tracing::error!(error = %e, "stored living conditions do not parse");
            DomainError::internal()
        })?,
        None => LivingConditions::default(),
    };
    Ok(HouseholdIndicators {
        per_capita: net.and_then(|n| PerCapita::new(n, 1)),
        food_secure,
        clothing_secure,
        housing_grade: living.housing_grade,
        housing_renovated_year: living.housing_renovated_year,
        safe_drinking_water: living.safe_drinking_water,
        electricity: living.electricity_living,
        sanitary_toilet: living.sanitary_toilet,
        fuel_type: living.fuel_type,
    })
}
