//! Demo pairing for 塔岗村 following the seed article, 2015-10-01 to 2019-08-30: 南昌市人社局 as
//! helping unit from October 2015, a first secretary and a work team (连心小分队) of its cadres, 48
//! distinct section-level cadres paired with the 14 households over the period (one at a time per
//! household, rotated as cadres change posts, so that 1–2 are active on any day), about 330 visit
//! person-times by the pairing cadres, the team and the bureau's leaders, 13 fulfilled micro-wishes,
//! and 120,000 yuan of condolence money and goods in all.
//!
//! Every pairing gets exactly the visits it owes (the pro-rata minimum of `fupin_core::pairing`), on
//! dates spread over the part of each year it covers; the work team and leaders make the remaining
//! visits, mostly the Spring Festival and mid-year condolence rounds that carry the money and goods.
//! All of it is computed, not typed in, so the totals follow from the rules.

use crate::demo::TAGANG;
use fupin_core::pairing::*;
use fupin_core::registry::HouseholdId;
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, RegionCode};
use std::fmt;
use time::{Date, Duration, Month};

/// Period of the article.
pub const FROM: Date = time::macros::date!(2015 - 10 - 01);
pub const TO: Date = time::macros::date!(2019 - 08 - 30);
/// Distinct pairing cadres over the period ("共选派结对帮扶干部48名").
pub const CADRES_TOTAL: usize = 48;
/// Visit person-times to reach ("累计走访慰问330余人次").
pub const PERSON_TIMES: i64 = 332;
/// Condolence money and goods in all ("慰问金和慰问品累计达12万元"), in fen.
pub const MONEY_AND_GOODS_FEN: i64 = 12_000_000;
/// Fulfilled micro-wishes ("微心愿13个").
pub const WISHES: usize = 13;

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢",
];
const GIVEN: [&str; 12] = [
    "建华", "志强", "海燕", "晓东", "丽萍", "国平", "文斌", "春梅", "振宇", "慧敏", "永红", "德胜",
];

const WISH_TEXTS: [(&str, i64); WISHES] = [
    ("希望有个轮椅", 80_000),
    ("想要一个书包", 12_000),
    ("想要一台电风扇", 25_000),
    ("希望有一副老花镜", 6_000),
    ("想要一套过冬的棉被", 30_000),
    ("希望孩子有张书桌", 40_000),
    ("想要一个电饭煲", 20_000),
    ("希望有一根拐杖", 5_000),
    ("想要一套学习用品", 10_000),
    ("希望有一台洗衣机", 120_000),
    ("想要一双雨靴和雨衣", 8_000),
    ("希望有个血压计", 15_000),
    ("想要一台收音机", 9_000),
];

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingDemoSummary {
    pub cadres: usize,
    pub pairings: usize,
    pub visits: usize,
    pub person_times: i64,
    pub money_and_goods_fen: i64,
    pub wishes: usize,
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

fn cadre_name(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i * 7 + i / SURNAMES.len()) % GIVEN.len()]
    )
}

/// A planned pairing: household slot, cadre index, start, end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedPairing {
    pub household: usize,
    pub cadre: usize,
    pub start: Date,
    pub end: Option<Date>,
}

/// The pairing plan: household k starts with cadre k on 2015-10-01; the other 34 cadres take over
/// in turn as cadres change posts (a replacement starts the day after the old pairing ends, with a
/// one-month overlap on the handover so that two cadres are active for a while).
pub fn plan() -> Vec<PlannedPairing> {
    let n = crate::demo::TAGANG_HOUSEHOLD_COUNT;
    let mut out: Vec<PlannedPairing> = (0..n)
        .map(|k| PlannedPairing {
            household: k,
            cadre: k,
            start: FROM,
            end: None,
        })
        .collect();
    let mut next = n;
    // a rotation every 36 days somewhere in the village, until 48 cadres have served (the last in May 2019)
    let mut month = 0i64;
    while next < CADRES_TOTAL {
        let k = (next * 5) % n;
        let when = FROM + Duration::days(120 + month * 36);
        month += 1;
        let current = out
            .iter_mut()
            .rev()
            .find(|p| p.household == k && p.end.is_none())
            .expect("every household has a current pairing");
        // the newcomer starts a month before the old cadre leaves: 2 active during the handover
        current.end = Some(when + Duration::days(30));
        out.push(PlannedPairing {
            household: k,
            cadre: next,
            start: when,
            end: None,
        });
        next += 1;
    }
    out
}

/// Dates spread evenly over [a, b]: `n` visits at the middles of n equal parts.
fn spread(a: Date, b: Date, n: i64) -> Vec<Date> {
    let days = (b - a).whole_days() + 1;
    (0..n)
        .map(|i| a + Duration::days((2 * i + 1) * days / (2 * n)))
        .collect()
}

/// Load the pairing demo (after the registry demo and the demo accounts). Skipped when a helping
/// unit already exists.
pub async fn load_pairing_demo(
    store: &dyn Store,
    ctx: &Ctx,
) -> Result<PairingDemoSummary, DomainError> {
    if !store.list_units(ctx).await?.is_empty() {
        return Ok(PairingDemoSummary {
            skipped: true,
            ..Default::default()
        });
    }
    let village = RegionCode::parse(TAGANG)?;
    let unit = store
        .create_unit(
            ctx,
            HelpingUnitInput {
                name: "南昌市人力资源和社会保障局".into(),
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
    let demo_cadre_user = store
        .user_credentials("demo-cadre")
        .await?
        .map(|(u, _)| u.id.0);

    // the 48 pairing cadres; the work team and two leaders are cadres of the bureau too
    let mut cadres = Vec::new();
    let plan = plan();
    // demo-cadre acts as the newest cadre of household 0's current pairing
    let demo_index = plan.iter().rev().find(|p| p.end.is_none()).map(|p| p.cadre);
    for i in 0..CADRES_TOTAL {
        let input = CadreInput {
            name: cadre_name(i),
            unit_id: unit.id,
            rank: Some(if i % 6 == 0 { "副处级" } else { "科级" }.into()),
            phone: Some(format!("1390791{:04}", 1000 + i)),
            user_id: if Some(i) == demo_index {
                demo_cadre_user
            } else {
                None
            },
            region_code: Some(TAGANG.into()),
        };
        cadres.push(store.create_cadre(ctx, input).await?.id);
    }
    let mut team = Vec::new();
    for (i, (name, rank)) in [
        ("吴晓峰", "科级"),
        ("曾丽华", "科员"),
        ("熊建国", "科员"),
        ("万志刚", "处级"),
        ("邹海平", "副处级"),
    ]
    .iter()
    .enumerate()
    {
        let c = CadreInput {
            name: name.to_string(),
            unit_id: unit.id,
            rank: Some(rank.to_string()),
            phone: None,
            user_id: None,
            region_code: Some(TAGANG.into()),
        };
        let id = store.create_cadre(ctx, c).await?.id;
        if i < 3 {
            let role = if i == 0 {
                TeamRole::FirstSecretary
            } else {
                TeamRole::Member
            };
            let term = TeamMemberInput {
                cadre_id: id,
                village_code: TAGANG.into(),
                role,
                start_date: FROM,
                end_date: Some(time::macros::date!(2019 - 12 - 31)),
            };
            store.add_team_member(ctx, term).await?;
        }
        team.push(id);
    }

    // households of 塔岗 in number order
    let mut households: Vec<HouseholdId> = Vec::new();
    for k in 1..=crate::demo::TAGANG_HOUSEHOLD_COUNT {
        households.push(
            store
                .household_by_number(ctx, &format!("{TAGANG}{k:04}"))
                .await?
                .household
                .id,
        );
    }

    // pairings, ended ones first so that limits hold at every start
    let mut summary = PairingDemoSummary {
        cadres: CADRES_TOTAL,
        ..Default::default()
    };
    let mut created: Vec<(PairingSpan, PlannedPairing)> = Vec::new();
    let mut ordered = plan.clone();
    ordered.sort_by_key(|p| (p.start, p.household));
    for p in &ordered {
        let made = store
            .create_pairing(
                ctx,
                PairingInput {
                    household_id: households[p.household],
                    cadre_id: cadres[p.cadre],
                    start_date: p.start,
                },
            )
            .await?;
        created.push((
            PairingSpan {
                id: made.id,
                household_id: made.household_id,
                cadre_id: made.cadre_id,
                start: p.start,
                end: None,
            },
            *p,
        ));
        // end the pairing this one overlaps with, if its end date has come (ends are known in advance)
        for (span, planned) in created.iter_mut() {
            if let (Some(end), None) = (planned.end, span.end) {
                if end < p.start + Duration::days(31)
                    && span.id != made.id
                    && planned.household == p.household
                {
                    store
                        .end_pairing(
                            ctx,
                            span.id,
                            EndPairingInput {
                                end_date: end,
                                reason: "干部工作调整，轮换结对".into(),
                                replacement_cadre_id: None,
                            },
                        )
                        .await?;
                    span.end = Some(end);
                }
            }
        }
        summary.pairings += 1;
    }

    // visits owed by every pairing, by its cadre
    let spans: Vec<PairingSpan> = created.iter().map(|(s, _)| s.clone()).collect();
    let owed = pairing_years(&spans, &[], FROM, TO, |_| 4);
    let mut visits: Vec<VisitInput> = Vec::new();
    for y in &owed {
        let span = spans
            .iter()
            .find(|s| s.id == y.pairing_id)
            .expect("known pairing");
        let a = span
            .start
            .max(FROM)
            .max(Date::from_calendar_date(y.year, Month::January, 1).expect("valid"));
        let b = span
            .end
            .unwrap_or(TO)
            .min(TO)
            .min(Date::from_calendar_date(y.year, Month::December, 31).expect("valid"));
        for d in spread(a, b, y.required) {
            visits.push(visit(span.household_id, d, "走访", vec![span.cadre_id]));
        }
    }
    // condolence rounds by the team and leaders until the person-times reach the article's figure
    let mut person_times: i64 = visits.iter().map(|v| v.cadre_ids.len() as i64).sum();
    let rounds = [
        (2016, 1, 28),
        (2016, 7, 1),
        (2017, 1, 20),
        (2017, 7, 1),
        (2018, 2, 9),
        (2018, 7, 1),
        (2019, 1, 30),
        (2019, 7, 1),
    ];
    let mut condolence: Vec<usize> = Vec::new();
    'rounds: for (r, (y, m, d)) in rounds.iter().enumerate() {
        for (k, h) in households.iter().enumerate() {
            let who = vec![team[(k + r) % 3], team[3 + (k + r) % 2]];
            if person_times + who.len() as i64 > PERSON_TIMES {
                break 'rounds;
            }
            person_times += who.len() as i64;
            let date = Date::from_calendar_date(*y, Month::try_from(*m).expect("month"), *d)
                .expect("valid")
                + Duration::days(k as i64 % 5);
            condolence.push(visits.len());
            visits.push(visit(*h, date, "慰问", who));
        }
    }
    while person_times < PERSON_TIMES {
        let k = (person_times as usize) % households.len();
        visits.push(visit(
            households[k],
            time::macros::date!(2019 - 06 - 15) + Duration::days(k as i64),
            "政策宣讲",
            vec![team[0]],
        ));
        person_times += 1;
    }
    // share the money and goods over the condolence visits: half money, half goods, to the fen
    let n = condolence.len() as i64;
    let half = MONEY_AND_GOODS_FEN / 2;
    for (i, idx) in condolence.iter().enumerate() {
        let i = i as i64;
        let money = half / n + i64::from(i < half % n);
        let goods =
            (MONEY_AND_GOODS_FEN - half) / n + i64::from(i < (MONEY_AND_GOODS_FEN - half) % n);
        visits[*idx].condolence_money_fen = money;
        visits[*idx].goods = vec![Goods {
            description: "大米、食用油和过冬物资".into(),
            value_fen: goods,
        }];
    }
    for v in visits {
        summary.person_times += v.cadre_ids.len() as i64;
        summary.money_and_goods_fen +=
            v.condolence_money_fen + v.goods.iter().map(|g| g.value_fen).sum::<i64>();
        store.record_visit(ctx, v).await?;
        summary.visits += 1;
    }

    // 13 wishes, each claimed by a pairing cadre active then and fulfilled a few weeks later
    for (i, (text, value)) in WISH_TEXTS.iter().enumerate() {
        let k = (i * 3) % households.len();
        let submitted = FROM + Duration::days(60 + 100 * i as i64);
        let claimer = spans
            .iter()
            .find(|s| {
                s.household_id == households[k]
                    && s.start <= submitted
                    && s.end.is_none_or(|e| e >= submitted)
            })
            .map(|s| s.cadre_id)
            .unwrap_or(cadres[k]);
        let w = store
            .create_wish(
                ctx,
                WishInput {
                    household_id: households[k],
                    person_id: None,
                    text: text.to_string(),
                    estimated_value_fen: *value,
                    submitted_on: submitted,
                },
            )
            .await?;
        store
            .wish_action(
                ctx,
                w.id,
                WishAction::Claim {
                    by: Claimant::Cadre(claimer),
                    date: submitted + Duration::days(7),
                },
            )
            .await?;
        store
            .wish_action(
                ctx,
                w.id,
                WishAction::Fulfil {
                    date: submitted + Duration::days(30),
                    actual_value_fen: *value,
                },
            )
            .await?;
        summary.wishes += 1;
    }
    let _ = village;
    Ok(summary)
}

fn visit(h: HouseholdId, date: Date, kind: &str, cadres: Vec<CadreId>) -> VisitInput {
    VisitInput {
        household_id: h,
        date,
        kind: kind.into(),
        cadre_ids: cadres,
        findings: VisitFindings {
            income: Some("收入稳定增长".into()),
            ..Default::default()
        },
        problems: None,
        actions: Some("宣讲政策，了解生产生活情况".into()),
        follow_up: None,
        condolence_money_fen: 0,
        goods: vec![],
        location: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_has_48_cadres_and_at_most_two_per_household() {
        let p = plan();
        let cadres: std::collections::BTreeSet<usize> = p.iter().map(|x| x.cadre).collect();
        assert_eq!(cadres.len(), CADRES_TOTAL);
        assert!(
            p.iter().all(|x| x.start <= TO),
            "every cadre serves within the period"
        );
        let mut day = FROM;
        while day <= TO {
            for k in 0..crate::demo::TAGANG_HOUSEHOLD_COUNT {
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
    }

    #[test]
    fn spread_stays_inside() {
        let d = spread(
            time::macros::date!(2019 - 01 - 01),
            time::macros::date!(2019 - 08 - 30),
            3,
        );
        assert_eq!(d.len(), 3);
        assert!(d
            .iter()
            .all(|x| x.year() == 2019 && x.month() <= Month::August));
    }
}
