//! Poverty measures of a scope in one pass over compact facts kept per (village, year).
//!
//! Which households and persons count is core's definition (`HouseholdFacts::in_scope` and
//! `persons_in`): identified in or before the year, a status recorded and not `removed` on
//! 31 December, members present on that day. For each village of the scope the pass reads the
//! village's measure facts of the year (core's `assessment::facts`: per household the net income,
//! the year's needs and living conditions, per member present what the counting indicators read;
//! every field, whatever the configuration), kept in `village_measure_facts`, and feeds them to
//! core: the per-person incomes (compact integers, sorted in memory for Gini and Sen) and the
//! counting accumulator, household by household as they are decoded.
//!
//! **Invalidation.** Stored facts carry the version of their village they were computed at; the
//! village's current version is in `village_versions`, bumped by database triggers in the same
//! transaction as any write to the rows the facts come from (households, persons, incomes, status
//! history, household years; see migration 0029), so no form or procedure can forget it. A bulk
//! import pauses the triggers for its transaction and bumps every village it wrote into once
//! before it commits (`bulk`): the same versions, one statement instead of one per row.
//! The pass uses stored facts only when their version is the current one. Missing or stale facts
//! are computed from the rows with one set-based query per batch of villages (one row per
//! household, never a query per household), used for the answer, and stored afterwards in short
//! write transactions, each row only while its village is still at the version read before its
//! rows were (a write committed meanwhile leaves the new row stale, never wrong). Storing is best
//! effort: a failure is logged and the answer stands. `fupin stats rebuild` empties the facts.
//!
//! The SQL that computes facts selects exactly core's households and persons (the status on a day
//! is the last recorded on or before it, else the first one recorded, as `status_on` reads the
//! history); the contract tests compare the cached result with a recomputation after each kind of
//! write.

use crate::query::Query;
use crate::rows::Cols;
use crate::sql::{DbError, Tx};
use crate::{args, SqlStore};
use fupin_core::assessment::counting::{
    self, household_rows, CountingAccumulator, HouseholdIndicators, MemberIndicators,
};
use fupin_core::assessment::facts::{self, HouseholdFact};
use fupin_core::assessment::standards::{counting_param, fen_param, key};
use fupin_core::assessment::{poverty_measures, MeasuresQuery, MeasuresReport};
use fupin_core::registry::{HouseholdStatus, IncomeComponents, LivingConditions};
use fupin_core::store::StoreResult;
use fupin_core::years::{today, year_end};
use fupin_core::{Ctx, DomainError, Fen, PerCapita, RegionCode};

/// Villages whose facts one query computes: bounds the rows held at once and the statement's
/// parameters.
const BATCH_VILLAGES: usize = 200;

/// Villages whose computed facts one write transaction stores: keeps each short.
const STORE_VILLAGES: usize = 500;

/// Facts computed by this pass, to be stored: village, the version they were computed at, how many
/// households, the encoded facts.
type Computed = (String, i64, i64, Vec<u8>);

/// What the measures gather from the households as they come.
struct Gathered {
    acc: CountingAccumulator,
    incomes: Vec<PerCapita>,
    households: u64,
    year: i32,
    on: time::Date,
}

impl Gathered {
    fn add(&mut self, h: HouseholdFact) {
        let persons = h.members.len() as i64;
        let mut indicators = h.indicators;
        indicators.per_capita = indicators
            .per_capita
            .and_then(|p| PerCapita::new(p.total(), persons));
        if let Some(pc) = indicators.per_capita {
            self.households += 1;
            self.incomes
                .extend(std::iter::repeat_n(pc, persons as usize));
        }
        for row in household_rows(
            self.acc.resolved(),
            &indicators,
            &h.members,
            self.year,
            self.on,
        ) {
            self.acc.add(&row);
        }
    }
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

        let end = year_end(year);
        // ages as the exit assessment takes them: on the year's end, or today within the year
        let on = end.min(today());
        let mut g = Gathered {
            acc: CountingAccumulator::new(resolved),
            incomes: Vec::new(),
            households: 0,
            year,
            on,
        };
        let (lo, hi) = region.range();
        let mut tx = self.db.begin_read().await?;
        let region_ref = self.region_ref(tx.as_mut(), region).await?;

        // every region code of the scope (households may only point at regions), with its version
        // and its facts of the year when they are current
        let rows = tx
            .fetch_all(
                "SELECT r.code, COALESCE(v.version, 0), \
                 CASE WHEN f.version = COALESCE(v.version, 0) THEN f.facts END \
                 FROM regions r \
                 LEFT JOIN village_versions v ON v.village_code = r.code \
                 LEFT JOIN village_measure_facts f ON f.year = $3 AND f.village_code = r.code \
                 WHERE r.code BETWEEN $1 AND $2 ORDER BY r.code",
                &args![lo.as_str(), hi.as_str(), year],
            )
            .await?;
        let mut stale: Vec<(String, i64)> = Vec::new();
        for r in rows {
            let (code, version, blob) =
                Cols::read(&r, |c| Ok((c.text()?, c.i64()?, c.opt_bytes()?)))?;
            let Some(blob) = blob else {
                stale.push((code, version));
                continue;
            };
            match facts::decode(&blob) {
                Ok(hh) => {
                    for h in hh {
                        g.add(h);
                    }
                }
                Err(e) => {
                    // another format or a damaged row: computed again
                    tracing::warn!(village = %code, error = %e, "kept measure facts not read");
                    stale.push((code, version));
                }
            }
        }

        let mut computed: Vec<Computed> = Vec::with_capacity(stale.len());
        for chunk in stale.chunks(BATCH_VILLAGES) {
            let mut by_village = self.compute_facts(tx.as_mut(), chunk, year, end).await?;
            for (code, version) in chunk {
                let hh = by_village.remove(code.as_str()).unwrap_or_default();
                computed.push((code.clone(), *version, hh.len() as i64, facts::encode(&hh)));
                for h in hh {
                    g.add(h);
                }
            }
        }
        drop(tx);
        if !computed.is_empty() {
            if let Err(e) = self.store_facts(year, &computed).await {
                tracing::warn!(error = %e, villages = computed.len(), "measure facts not stored");
            }
        }

        let Gathered {
            acc,
            mut incomes,
            households,
            ..
        } = g;
        // the floating-point sums (Watts) in one order whatever order the villages were read in
        // (kept facts first, computed ones after), so that an answer never depends on the cache
        incomes.sort_unstable();
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

    /// Store computed facts, a few hundred villages per write transaction; a row is written only
    /// while its village is still at the version the facts were computed at.
    async fn store_facts(&self, year: i32, computed: &[Computed]) -> StoreResult<()> {
        for chunk in computed.chunks(STORE_VILLAGES) {
            let mut tx = self.db.begin_write().await?;
            for (code, version, households, blob) in chunk {
                tx.execute(
                    "INSERT INTO village_measure_facts (year, village_code, version, households, facts) \
                     SELECT $1, $2, $3, $4, $5 \
                     WHERE COALESCE((SELECT version FROM village_versions WHERE village_code = $2), 0) = $3 \
                     ON CONFLICT (year, village_code) DO UPDATE SET version = excluded.version, \
                     households = excluded.households, facts = excluded.facts",
                    &args![year, code.as_str(), *version, *households, blob.clone()],
                )
                .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// The measure facts of `villages` for `year`, from the rows: the in-scope households with
    /// their year facts and their members present on `end`, by village in id order. One row per
    /// household, its members folded into one text column by the engine
    /// (`birth|schooling|reason|education|health|insurance;…`), so the rows that cross to the
    /// store are households, not persons. The per-capita income holds the year's net income over
    /// one person; the reader divides by the members present.
    async fn compute_facts(
        &self,
        tx: &mut dyn Tx,
        villages: &[(String, i64)],
        year: i32,
        end: time::Date,
    ) -> StoreResult<std::collections::HashMap<String, Vec<HouseholdFact>>> {
        let member = [
            "COALESCE(CAST(p.birth_date AS TEXT), '')",
            "COALESCE(p.schooling, '')",
            "CASE WHEN TRIM(COALESCE(p.out_of_school_reason, '')) <> '' THEN '1' ELSE '' END",
            "COALESCE(p.education, '')",
            "COALESCE(p.health, '')",
            "CASE WHEN p.basic_medical_insurance THEN '1' WHEN NOT p.basic_medical_insurance THEN '0' ELSE '' END",
        ]
        .join(" || '|' || ");
        let agg = self.db.text_agg();
        let mut q = Query::new("");
        let y = q.arg(year);
        let e = q.arg(end);
        let codes: Vec<String> = villages.iter().map(|(c, _)| q.arg(c.as_str())).collect();
        q.push(&format!(
            "SELECT h.village_code, \
             COALESCE((SELECT s.to_status FROM status_history s WHERE s.household_id = h.id AND s.date <= {e} ORDER BY s.date DESC, s.id DESC LIMIT 1), \
                      (SELECT s.to_status FROM status_history s WHERE s.household_id = h.id ORDER BY s.date, s.id LIMIT 1)), \
             i.wage_fen, i.business_fen, i.property_fen, i.transfer_fen, i.business_cost_fen, \
             y.food_secure, y.clothing_secure, h.living, \
             (SELECT {agg}({member}, ';') FROM persons p WHERE p.household_id = h.id \
              AND (p.joined_on IS NULL OR p.joined_on <= {e}) AND (p.left_on IS NULL OR p.left_on > {e})) \
             FROM households h \
             LEFT JOIN incomes i ON i.household_id = h.id AND i.year = {y} \
             LEFT JOIN household_years y ON y.household_id = h.id AND y.year = {y} \
             WHERE h.village_code IN ({}) AND h.identification_year <= {y} \
             ORDER BY h.village_code, h.id",
            codes.join(", ")
        ));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let mut out: std::collections::HashMap<String, Vec<HouseholdFact>> =
            std::collections::HashMap::new();
        for r in rows {
            let (village, status, indicators, folded) = Cols::read(&r, |c| {
                Ok((
                    c.text()?,
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
            out.entry(village).or_default().push(HouseholdFact {
                indicators,
                members,
            });
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

/// The members folded by [`SqlStore::compute_facts`].
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
