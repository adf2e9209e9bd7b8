//! Demo pairing for 塔岗村 following the seed article, 2015-10-01 to 2019-08-30: 南昌市人社局 as
//! helping unit from October 2015, a first secretary and a work team (连心小分队) of its cadres, 48
//! distinct section-level cadres paired with the 14 households over the period (one at a time per
//! household, rotated as cadres change posts, with a month's overlap at each handover, so that 1–2
//! are active on any day), 332 visit person-times by the pairing cadres, the team and the bureau's
//! leaders, 13 fulfilled micro-wishes, and 120,000 yuan of condolence money and goods in all.
//!
//! The cadres, pairings, visits and wishes are the files `data/demo/cadres.csv`, `pairings.csv`,
//! `visits.csv` and `wishes.csv`, loaded through the importers (every pairing has the visits it
//! owes, the pro-rata minimum of `fupin_core::pairing`; the team and leaders make the remaining
//! visits, mostly the Spring Festival and mid-year condolence rounds that carry the money and
//! goods). In code stay what has no importer: the unit's designated village and contact, the
//! work team's terms, 塔岗's designation as a poor village, and the link of the `demo-cadre` account
//! to its cadre (an account is no data to ship in a file).

use crate::demo::{import_file, PAIRING_FILES, TAGANG};
use fupin_core::pairing::*;
use fupin_core::regions::PoorVillage;
use fupin_core::registry::HouseholdId;
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, RegionCode};
use std::fmt;
use time::Date;

/// Period of the article.
pub const FROM: Date = time::macros::date!(2015 - 10 - 01);
pub const TO: Date = time::macros::date!(2019 - 08 - 30);
/// Distinct pairing cadres over the period ("共选派结对帮扶干部48名").
pub const CADRES_TOTAL: usize = 48;
/// Visit person-times ("累计走访慰问330余人次").
pub const PERSON_TIMES: i64 = 332;
/// Condolence money and goods in all ("慰问金和慰问品累计达12万元"), in fen.
pub const MONEY_AND_GOODS_FEN: i64 = 12_000_000;
/// Fulfilled micro-wishes ("微心愿13个").
pub const WISHES: usize = 13;

/// The helping unit, as the cadres file names it.
pub const UNIT: &str = "南昌市人力资源和社会保障局";
/// The work team (连心小分队): first secretary, then members, each serving 2015-10 to 2019-12.
const TEAM: [(&str, TeamRole); 3] = [
    ("吴晓峰", TeamRole::FirstSecretary),
    ("曾丽华", TeamRole::Member),
    ("熊建国", TeamRole::Member),
];

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingDemoSummary {
    pub cadres: u64,
    pub pairings: u64,
    pub visits: u64,
    pub person_times: i64,
    pub money_and_goods_fen: i64,
    pub wishes: u64,
    pub skipped: bool,
}

impl fmt::Display for PairingDemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return write!(f, "结对帮扶演示数据已存在，未重复加载");
        }
        write!(
            f,
            "结对帮扶演示数据已加载：帮扶干部 {} 名，结对 {} 条，走访 {} 次（{} 人次），慰问金和慰问品 {} 元，微心愿 {} 个",
            self.cadres,
            self.pairings,
            self.visits,
            self.person_times,
            fupin_core::Fen::new(self.money_and_goods_fen).yuan_string(),
            self.wishes
        )
    }
}

/// A pairing of `pairings.csv`: 塔岗 household slot (0 for …0001), cadre, start, end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPairing {
    pub household: usize,
    pub cadre: String,
    pub start: Date,
    pub end: Option<Date>,
}

/// The pairings of the demo, as `pairings.csv` lists them.
pub fn plan() -> Vec<PlannedPairing> {
    let file = &PAIRING_FILES[1];
    let mut r = csv::Reader::from_reader(file.content.as_bytes());
    let headers = r.headers().expect("pairings.csv has a header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .expect("pairings.csv has the column")
    };
    let (number, cadre, start, end) = (
        col("户编码"),
        col("帮扶干部"),
        col("开始日期"),
        col("结束日期"),
    );
    let format = time::macros::format_description!("[year]-[month]-[day]");
    r.records()
        .map(|rec| {
            let rec = rec.expect("pairings.csv reads");
            let slot: usize = rec[number][TAGANG.len()..].parse().expect("塔岗 household");
            PlannedPairing {
                household: slot - 1,
                cadre: rec[cadre].to_string(),
                start: Date::parse(&rec[start], &format).expect("start date"),
                end: (!rec[end].is_empty())
                    .then(|| Date::parse(&rec[end], &format).expect("end date")),
            }
        })
        .collect()
}

/// 塔岗 as a poor village. The seed names it a "十三五"省级贫困村: designated in 2015, when the
/// provinces drew up their lists for the 13th five-year plan (2016–2020). The seed, from August 2019,
/// does not state the exit; in the demo its households leave poverty from 2016 to 2019 (each through
/// the full exit procedure), and the village exits in 2019 with no poor household left, below the 2%
/// poverty incidence that lets a village in central China exit (domain.md §3.2). Data, not a claim
/// about the real village. Returns the number of villages designated.
pub async fn designate_poor_village(store: &dyn Store, ctx: &Ctx) -> Result<u64, DomainError> {
    let designation = PoorVillage {
        designation: "十三五省级贫困村".to_string(),
        designated_year: 2015,
        exit_year: Some(2019),
    };
    store
        .set_poor_village(ctx, &RegionCode::parse(TAGANG)?, Some(designation))
        .await?;
    Ok(1)
}

/// Load the pairing demo (after the registry demo and the demo accounts). Skipped when a helping
/// unit already exists.
pub async fn load_pairing_demo(
    store: &dyn Store,
    ctx: &Ctx,
) -> Result<PairingDemoSummary, DomainError> {
    if !store
        .list_units(ctx, &fupin_core::paging::Keyset::all())
        .await?
        .items
        .is_empty()
    {
        return Ok(PairingDemoSummary {
            skipped: true,
            ..Default::default()
        });
    }
    // the unit with its contact and designated village; its cadres come with the cadres file
    let unit = store
        .create_unit(
            ctx,
            HelpingUnitInput {
                name: UNIT.into(),
                level: "市".into(),
                contact_name: Some("扶贫办".into()),
                contact_phone: None,
            },
        )
        .await?;
    store
        .add_designation(
            ctx,
            unit.id,
            DesignationInput {
                village_code: TAGANG.into(),
                start_date: FROM,
                end_date: None,
            },
        )
        .await?;
    let [cadres, pairings, visits, wishes] = &PAIRING_FILES;
    import_file(store, ctx, cadres).await?;
    let of_unit = store
        .list_cadres(ctx, Some(unit.id), &fupin_core::paging::Keyset::all())
        .await?
        .items;
    for (name, role) in TEAM {
        let cadre = of_unit
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(DomainError::internal)?;
        let term = TeamMemberInput {
            cadre_id: cadre.id,
            village_code: TAGANG.into(),
            role,
            start_date: FROM,
            end_date: Some(time::macros::date!(2019 - 12 - 31)),
        };
        store.add_team_member(ctx, term).await?;
    }
    let pairings = import_file(store, ctx, pairings).await?.report;
    link_demo_cadre(store, ctx).await?;
    let visits = import_file(store, ctx, visits).await?.report;
    let wishes = import_file(store, ctx, wishes).await?.report;
    let report = store
        .pairing_report(ctx, &RegionCode::parse(TAGANG)?, FROM, TO)
        .await?;
    Ok(PairingDemoSummary {
        cadres: report.cadres_total as u64,
        pairings: pairings.created,
        visits: visits.created,
        person_times: report.visits_person_times,
        money_and_goods_fen: report.money_and_goods_fen,
        wishes: wishes.created,
        skipped: false,
    })
}

/// `demo-cadre` acts as the cadre of the pairing that started last and is still in force.
async fn link_demo_cadre(store: &dyn Store, ctx: &Ctx) -> Result<(), DomainError> {
    let Some((user, _)) = store.user_credentials("demo-cadre").await? else {
        return Ok(());
    };
    let mut latest: Option<Pairing> = None;
    for k in 1..=crate::demo::TAGANG_HOUSEHOLD_COUNT {
        let id: HouseholdId = store
            .household_by_number(ctx, &format!("{TAGANG}{k:04}"))
            .await?
            .household
            .id;
        for p in store
            .household_pairings(ctx, id, &fupin_core::paging::Keyset::all())
            .await?
            .items
        {
            if p.end_date.is_none() && latest.as_ref().is_none_or(|l| p.start_date >= l.start_date)
            {
                latest = Some(p);
            }
        }
    }
    let p = latest.ok_or_else(DomainError::internal)?;
    // the cadre as stored (phone unmasked), so that only the link changes
    let full = Ctx {
        unmask: true,
        ..ctx.clone()
    };
    let cadre = store
        .list_cadres(&full, None, &fupin_core::paging::Keyset::all())
        .await?
        .items
        .into_iter()
        .find(|c| c.id == p.cadre_id)
        .ok_or_else(DomainError::internal)?;
    let input = CadreInput {
        name: cadre.name,
        unit_id: cadre.unit_id,
        rank: cadre.rank,
        phone: cadre.phone,
        user_id: Some(user.id.0),
        region_code: cadre.region_code.map(|r| r.as_str().to_string()),
    };
    store.update_cadre(ctx, cadre.id, input).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::TAGANG_HOUSEHOLD_COUNT;
    use std::collections::BTreeMap;
    use time::Duration;

    fn rows(i: usize) -> Vec<BTreeMap<String, String>> {
        let mut r = csv::Reader::from_reader(PAIRING_FILES[i].content.as_bytes());
        let headers = r.headers().unwrap().clone();
        r.records()
            .map(|rec| {
                headers
                    .iter()
                    .zip(rec.unwrap().iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }

    fn fen(yuan: &str) -> i64 {
        if yuan.is_empty() {
            return 0;
        }
        let (a, b) = yuan.split_once('.').unwrap_or((yuan, ""));
        a.parse::<i64>().unwrap() * 100 + format!("{b:0<2}").parse::<i64>().unwrap()
    }

    #[test]
    fn plan_has_48_cadres_and_one_or_two_per_household_every_day() {
        let p = plan();
        let cadres: std::collections::BTreeSet<&str> = p.iter().map(|x| x.cadre.as_str()).collect();
        assert_eq!(cadres.len(), CADRES_TOTAL);
        assert!(
            p.iter().all(|x| x.start <= TO),
            "every cadre serves within the period"
        );
        let mut day = FROM;
        while day <= TO {
            for k in 0..TAGANG_HOUSEHOLD_COUNT {
                let n = p
                    .iter()
                    .filter(|x| {
                        x.household == k && x.start <= day && x.end.is_none_or(|e| e >= day)
                    })
                    .count();
                assert!(
                    (1..=2).contains(&n),
                    "household {k} has {n} cadres on {day}"
                );
            }
            day += Duration::days(7);
        }
        // each of the bureau's cadres is in the cadres file, once
        let cadre_rows = rows(0);
        for c in &cadres {
            assert_eq!(
                cadre_rows.iter().filter(|r| r["干部姓名"] == *c).count(),
                1,
                "{c}"
            );
        }
    }

    /// The article's figures follow from the files: 332 person-times, 120,000 yuan of money and
    /// goods, 13 wishes fulfilled; and every pairing has at least the visits it owes by the rule.
    #[test]
    fn the_files_give_the_articles_figures_and_every_minimum() {
        let visits = rows(2);
        let person_times: i64 = visits
            .iter()
            .map(|v| v["参加干部"].split('、').count() as i64)
            .sum();
        assert_eq!(person_times, PERSON_TIMES);
        let money: i64 = visits
            .iter()
            .map(|v| fen(&v["慰问金(元)"]) + fen(&v["慰问品价值(元)"]))
            .sum();
        assert_eq!(money, MONEY_AND_GOODS_FEN);
        let wishes = rows(3);
        assert_eq!(wishes.len(), WISHES);
        assert!(wishes.iter().all(|w| !w["实现日期"].is_empty()));

        let format = time::macros::format_description!("[year]-[month]-[day]");
        let plan = plan();
        let spans: Vec<PairingSpan> = plan
            .iter()
            .enumerate()
            .map(|(i, p)| PairingSpan {
                id: PairingId(i as i64),
                household_id: HouseholdId(p.household as i64),
                cadre_id: CadreId(i as i64),
                start: p.start,
                end: p.end,
            })
            .collect();
        for y in pairing_years(&spans, &[], FROM, TO, |_| 4) {
            let p = &plan[y.pairing_id.0 as usize];
            let number = format!("{TAGANG}{:04}", p.household + 1);
            let made = visits
                .iter()
                .filter(|v| {
                    let d = Date::parse(&v["走访日期"], &format).unwrap();
                    v["户编码"] == number
                        && v["参加干部"].split('、').any(|c| c == p.cadre)
                        && d.year() == y.year
                        && p.start <= d
                        && p.end.is_none_or(|e| d <= e)
                        && d <= TO
                })
                .count() as i64;
            assert!(
                made >= y.required,
                "{number} {} {}: {made} < {}",
                p.cadre,
                y.year,
                y.required
            );
        }
    }
}
