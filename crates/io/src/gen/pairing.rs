//! Pairing (结对帮扶): helping units, their cadres, pairings, visits and micro-wishes, in the files
//! `cadres.csv`, `pairings.csv`, `visits.csv` and `wishes.csv`.
//!
//! Each county's households are paired with cadres of the county's departments, its townships'
//! governments, two enterprises, and the departments of its city and province; a cadre takes 3–5
//! neighbouring households (the limit is 5). Pairing starts in late 2015, or in the year a later
//! household was identified. About 15% of households have a second cadre for the whole period,
//! about 20% of the others see their cadre replaced once (the newcomer starts up to a month before
//! the old cadre leaves), so 1–2 cadres are in force on any day. Every pairing-year has the visits
//! the rule asks (4 a year, pro rata for a part year) except about 8%, which fall one or two short;
//! about a third of pairing-years have a Spring Festival condolence visit with money and goods.
//! About a quarter of households submit a micro-wish a year, mostly claimed by their cadre and
//! fulfilled within two months.

use super::{date_between, name, pick, AreaGen, GenError, Out, World, SURNAMES};
use crate::columns::Kind;
use fupin_core::Fen;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use time::{Date, Duration, Month};

pub(super) struct PairingGen;

/// Most households a cadre pairs with (the default limit).
const CADRE_LIMIT: usize = 5;
/// Visits a year the rule asks for (the default minimum).
const VISIT_MINIMUM: i64 = 4;

const COUNTY_DEPARTMENTS: &[&str] = &[
    "人力资源和社会保障局",
    "财政局",
    "农业农村局",
    "教育体育局",
    "卫生健康委员会",
    "交通运输局",
    "水利局",
    "林业局",
    "住房和城乡建设局",
    "民政局",
    "自然资源局",
    "商务局",
    "市场监督管理局",
    "发展和改革委员会",
    "审计局",
    "统计局",
    "文化广电新闻出版旅游局",
    "公安局",
    "司法局",
    "应急管理局",
];
const CITY_DEPARTMENTS: &[&str] = &[
    "人力资源和社会保障局",
    "财政局",
    "农业农村局",
    "教育局",
    "卫生健康委员会",
    "交通运输局",
    "住房和城乡建设局",
    "民政局",
];
const PROVINCE_DEPARTMENTS: &[&str] = &[
    "人力资源和社会保障厅",
    "财政厅",
    "农业农村厅",
    "教育厅",
    "卫生健康委员会",
    "交通运输厅",
];

const WISHES: &[(&str, i64)] = &[
    ("希望有个轮椅", 800),
    ("想要一个书包", 120),
    ("想要一台电风扇", 250),
    ("希望有一副老花镜", 60),
    ("想要一套过冬的棉被", 300),
    ("希望孩子有张书桌", 400),
    ("想要一个电饭煲", 200),
    ("希望有一根拐杖", 50),
    ("想要一套学习用品", 100),
    ("希望有一台洗衣机", 1200),
    ("想要一双雨靴和雨衣", 80),
    ("希望有个血压计", 150),
    ("想要一台收音机", 90),
    ("希望有一台取暖器", 220),
    ("想要一辆儿童自行车", 350),
    ("希望有一套课外读物", 150),
    ("想要一个保温水壶", 60),
    ("希望有一部老年手机", 260),
    ("想要一床电热毯", 120),
    ("希望学一门手艺（参加技能培训）", 500),
];

/// A helping unit: name and level (a label of `helping_unit_level`).
struct Unit {
    name: String,
    level: &'static str,
}

/// A cadre: unit, name, rank, phone, managing region.
struct Cadre {
    unit: usize,
    name: String,
    rank: &'static str,
    phone: String,
    region: String,
}

/// A pairing of household `household` (index into the world's households) with cadre `cadre`.
struct Plan {
    household: usize,
    cadre: usize,
    start: Date,
    end: Option<Date>,
}

/// Units and cadres, each unit's cadre names kept apart (a unit never has two cadres of one name,
/// so that a name and unit find one cadre).
#[derive(Default)]
struct Staff {
    units: Vec<Unit>,
    by_name: HashMap<String, usize>,
    cadres: Vec<Cadre>,
    names: HashSet<(usize, String)>,
}

impl Staff {
    fn unit(&mut self, name: String, level: &'static str) -> usize {
        if let Some(u) = self.by_name.get(&name) {
            return *u;
        }
        self.units.push(Unit {
            name: name.clone(),
            level,
        });
        self.by_name.insert(name, self.units.len() - 1);
        self.units.len() - 1
    }

    fn cadre(&mut self, rng: &mut ChaCha8Rng, unit: usize, region: &str) -> usize {
        let name = loop {
            let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
            let male = rng.gen_bool(0.6);
            let n = name(rng, surname, male);
            if self.names.insert((unit, n.clone())) {
                break n;
            }
        };
        let rank = pick(
            rng,
            &[
                ("科员", 40),
                ("科级", 35),
                ("副处级", 10),
                ("处级", 5),
                ("", 10),
            ],
        );
        // phones are unique: 139 and the cadre's number
        let phone = format!("139{:08}", self.cadres.len());
        self.cadres.push(Cadre {
            unit,
            name,
            rank,
            phone,
            region: region.to_string(),
        });
        self.cadres.len() - 1
    }
}

fn ymd(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("month"), d).expect("valid date")
}

/// The visits a pairing owes in a year it covers from `a` to `b`: the minimum pro rata, rounded
/// half up, as core's compliance counts it.
fn owed(a: Date, b: Date) -> i64 {
    let year = a.year();
    let days = if time::util::is_leap_year(year) {
        366
    } else {
        365
    };
    let covered = (b - a).whole_days() + 1;
    (2 * VISIT_MINIMUM * covered + days) / (2 * days)
}

/// `n` days spread over [a, b]: the middles of n equal parts, distinct.
fn spread(a: Date, b: Date, n: i64) -> Vec<Date> {
    let days = (b - a).whole_days() + 1;
    let n = n.min(days);
    (0..n)
        .map(|i| a + Duration::days((2 * i + 1) * days / (2 * n)))
        .collect()
}

impl AreaGen for PairingGen {
    fn area(&self) -> &'static str {
        "pairing"
    }

    fn generate(&self, world: &World, rng: &mut ChaCha8Rng, out: &mut Out) -> Result<(), GenError> {
        let end = world.end();
        // households by county, neighbours together (village, then number)
        let mut counties: Vec<String> = Vec::new();
        let mut by_county: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, h) in world.households.iter().enumerate() {
            let county = world.villages[h.village as usize].code[..6].to_string();
            by_county
                .entry(county.clone())
                .or_insert_with(|| {
                    counties.push(county);
                    Vec::new()
                })
                .push(i);
        }
        let mut staff = Staff::default();
        let mut plans: Vec<Plan> = Vec::with_capacity(world.households.len() * 4 / 3);
        for county in &counties {
            let mut members = by_county.remove(county).unwrap_or_default();
            members.sort_by_key(|i| {
                let h = &world.households[*i];
                (h.village, h.seq)
            });
            let region = format!("{county}000000");
            let county_name = world.name_of(&region);
            let city = world.name_of(&format!("{}00000000", &county[..4]));
            let province = world.name_of(&format!("{}0000000000", &county[..2]));
            // a new cadre of one of the units serving the county
            let new_cadre = |staff: &mut Staff, rng: &mut ChaCha8Rng, village: &str| {
                let unit = match pick(rng, &[(0u8, 55), (1, 25), (2, 5), (3, 10), (4, 5)]) {
                    0 => {
                        let d = COUNTY_DEPARTMENTS[rng.gen_range(0..COUNTY_DEPARTMENTS.len())];
                        staff.unit(format!("{county_name}{d}"), "县")
                    }
                    1 => {
                        let township = world.name_of(&format!("{}000", &village[..9]));
                        staff.unit(format!("{township}人民政府"), "乡镇")
                    }
                    2 => {
                        let e = if rng.gen_bool(0.5) {
                            format!("国网{county_name}供电公司")
                        } else {
                            format!("{county_name}农村商业银行")
                        };
                        staff.unit(e, "企业")
                    }
                    3 => {
                        let d = CITY_DEPARTMENTS[rng.gen_range(0..CITY_DEPARTMENTS.len())];
                        staff.unit(format!("{city}{d}"), "市")
                    }
                    _ => {
                        let d = PROVINCE_DEPARTMENTS[rng.gen_range(0..PROVINCE_DEPARTMENTS.len())];
                        staff.unit(format!("{province}{d}"), "省")
                    }
                };
                staff.cadre(rng, unit, &region)
            };
            // cadres of first pairings, second cadres and replacements, each filled up to the limit
            let mut first: Option<(usize, usize)> = None;
            let mut second: Option<(usize, usize)> = None;
            let mut replacing: Option<(usize, usize)> = None;
            let take = |slot: &mut Option<(usize, usize)>,
                        staff: &mut Staff,
                        rng: &mut ChaCha8Rng,
                        village: &str| {
                match slot {
                    Some((c, left)) if *left > 0 => {
                        *left -= 1;
                        *c
                    }
                    _ => {
                        let c = new_cadre(staff, rng, village);
                        *slot = Some((c, rng.gen_range(3..=CADRE_LIMIT) - 1));
                        c
                    }
                }
            };
            for i in members {
                let h = &world.households[i];
                let village = &world.villages[h.village as usize].code;
                let y = h.identification_year.max(2015);
                let start = if h.identification_year <= 2015 {
                    date_between(rng, ymd(2015, 10, 1), ymd(2015, 12, 31))
                } else {
                    date_between(rng, ymd(y, 3, 1), ymd(y, 12, 31))
                };
                if start > end {
                    continue;
                }
                let cadre = take(&mut first, &mut staff, rng, village);
                if rng.gen_bool(0.15) {
                    // a second cadre for the whole period (a household with much to overcome)
                    let other = take(&mut second, &mut staff, rng, village);
                    let s2 = (start + Duration::days(rng.gen_range(0..60))).min(end);
                    plans.push(Plan {
                        household: i,
                        cadre,
                        start,
                        end: None,
                    });
                    plans.push(Plan {
                        household: i,
                        cadre: other,
                        start: s2,
                        end: None,
                    });
                    continue;
                }
                let rotate = start + Duration::days(365);
                if rotate < end && rng.gen_bool(0.2) {
                    // the cadre changes post; the newcomer starts up to a month before
                    let d = date_between(rng, rotate, end);
                    let overlap = rng.gen_range(0..=30);
                    let next = take(&mut replacing, &mut staff, rng, village);
                    plans.push(Plan {
                        household: i,
                        cadre,
                        start,
                        end: Some((d + Duration::days(overlap) - Duration::days(1)).max(start)),
                    });
                    plans.push(Plan {
                        household: i,
                        cadre: next,
                        start: d,
                        end: None,
                    });
                } else {
                    plans.push(Plan {
                        household: i,
                        cadre,
                        start,
                        end: None,
                    });
                }
            }
        }

        // cadres.csv: the units are created by name with their level
        let mut f = out.csv(
            "cadres.csv",
            Kind::Cadres,
            &[
                "unit_name",
                "unit_level",
                "name",
                "rank",
                "phone",
                "region_code",
            ],
        )?;
        for c in &staff.cadres {
            let u = &staff.units[c.unit];
            f.row([
                u.name.as_str(),
                u.level,
                &c.name,
                c.rank,
                &c.phone,
                &c.region,
            ])?;
        }
        out.done(f)?;

        // pairings.csv, in order of start so that the limits hold at every start
        let mut order: Vec<usize> = (0..plans.len()).collect();
        order.sort_by_key(|k| (plans[*k].start, plans[*k].household));
        let mut f = out.csv(
            "pairings.csv",
            Kind::Pairings,
            &[
                "household_number",
                "unit_name",
                "cadre_name",
                "cadre_phone",
                "start_date",
                "end_date",
                "end_reason",
            ],
        )?;
        for k in &order {
            let p = &plans[*k];
            let c = &staff.cadres[p.cadre];
            f.row([
                world.number(&world.households[p.household]).as_str(),
                &staff.units[c.unit].name,
                &c.name,
                &c.phone,
                &p.start.to_string(),
                &p.end.map(|d| d.to_string()).unwrap_or_default(),
                if p.end.is_some() {
                    "干部工作调整，轮换结对"
                } else {
                    ""
                },
            ])?;
        }
        out.done(f)?;

        // visits.csv: each pairing-year's visits
        let mut f = out.csv(
            "visits.csv",
            Kind::Visits,
            &[
                "household_number",
                "date",
                "kind",
                "cadres",
                "unit_name",
                "findings_income",
                "actions",
                "condolence_money_fen",
                "goods",
                "goods_value_fen",
            ],
        )?;
        let findings = [
            "务工收入稳定",
            "种养收入增加",
            "收入稳定增长",
            "因病支出较多",
        ];
        let actions = [
            "宣讲政策，了解生产生活情况",
            "落实产业奖补",
            "联系就业岗位",
            "协助办理医保报销",
            "督促子女按时上学",
        ];
        for p in &plans {
            let c = &staff.cadres[p.cadre];
            let number = world.number(&world.households[p.household]);
            let unit = &staff.units[c.unit].name;
            for y in world.activity_years() {
                let a = p.start.max(ymd(y, 1, 1));
                let b = p.end.unwrap_or(end).min(end).min(ymd(y, 12, 31));
                if a > b {
                    continue;
                }
                let mut n = owed(a, b);
                if rng.gen_bool(0.08) {
                    n = (n - rng.gen_range(1..=2)).max(0);
                }
                let condolence = rng.gen_bool(0.33);
                for (k, d) in spread(a, b, n).into_iter().enumerate() {
                    let money = condolence && k == 0;
                    let cash = if money {
                        rng.gen_range(2..=10) * 10_000
                    } else {
                        0
                    };
                    let goods = if money {
                        rng.gen_range(10..=30) * 1_000
                    } else {
                        0
                    };
                    f.row([
                        number.as_str(),
                        &d.to_string(),
                        if money { "慰问" } else { "走访" },
                        &c.name,
                        unit,
                        findings[rng.gen_range(0..findings.len())],
                        actions[rng.gen_range(0..actions.len())],
                        &if money {
                            Fen::new(cash).yuan_string()
                        } else {
                            String::new()
                        },
                        if money { "大米、食用油" } else { "" },
                        &if money {
                            Fen::new(goods).yuan_string()
                        } else {
                            String::new()
                        },
                    ])?;
                }
            }
        }
        out.done(f)?;

        // wishes.csv: about a quarter of households a year, claimed by their cadre or its unit
        let mut f = out.csv(
            "wishes.csv",
            Kind::Wishes,
            &[
                "household_number",
                "text",
                "estimated_value_fen",
                "submitted_on",
                "claim_unit",
                "claim_cadre",
                "claim_cadre_phone",
                "claimed_on",
                "fulfilled_on",
                "actual_value_fen",
                "cancelled_on",
                "cancel_reason",
            ],
        )?;
        let mut first_plan: Vec<Option<usize>> = vec![None; world.households.len()];
        for (k, p) in plans.iter().enumerate() {
            first_plan[p.household].get_or_insert(k);
        }
        for (i, fp) in first_plan.iter().enumerate() {
            let Some(k) = fp else { continue };
            let p = &plans[*k];
            let number = world.number(&world.households[i]);
            for y in world.activity_years() {
                let a = p.start.max(ymd(y, 1, 1));
                let b = end.min(ymd(y, 12, 31));
                if a > b || !rng.gen_bool(0.25) {
                    continue;
                }
                let (text, value) = WISHES[rng.gen_range(0..WISHES.len())];
                let submitted = date_between(rng, a, b);
                let mut cells: Vec<String> = vec![
                    number.clone(),
                    text.to_string(),
                    value.to_string(),
                    submitted.to_string(),
                ];
                // claimed by the household's first cadre, or by that cadre's unit
                let c = &staff.cadres[p.cadre];
                let claim = pick(rng, &[(0u8, 80), (1, 15), (2, 5)]);
                let claimed_on = submitted + Duration::days(rng.gen_range(1..=14));
                if claim == 2 || claimed_on > end {
                    cells.extend(std::iter::repeat_n(String::new(), 8));
                    f.row(&cells)?;
                    continue;
                }
                cells.push(staff.units[c.unit].name.clone());
                if claim == 0 {
                    cells.push(c.name.clone());
                    cells.push(c.phone.clone());
                } else {
                    cells.extend([String::new(), String::new()]);
                }
                cells.push(claimed_on.to_string());
                let done = claimed_on + Duration::days(rng.gen_range(7..=60));
                match pick(rng, &[(0u8, 85), (1, 3), (2, 12)]) {
                    0 if done <= end => {
                        let actual = value * rng.gen_range(90..=110) / 100;
                        cells.extend([
                            done.to_string(),
                            actual.to_string(),
                            String::new(),
                            String::new(),
                        ]);
                    }
                    1 if done <= end => cells.extend([
                        String::new(),
                        String::new(),
                        done.to_string(),
                        "户已自行解决".to_string(),
                    ]),
                    _ => cells.extend(std::iter::repeat_n(String::new(), 4)),
                }
                f.row(&cells)?;
            }
        }
        out.done(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owed_visits_follow_the_rule_pro_rata() {
        assert_eq!(owed(ymd(2018, 1, 1), ymd(2018, 12, 31)), 4);
        assert_eq!(owed(ymd(2018, 7, 1), ymd(2018, 12, 31)), 2);
        assert_eq!(owed(ymd(2018, 12, 20), ymd(2018, 12, 31)), 0);
        let d = spread(ymd(2018, 7, 1), ymd(2018, 12, 31), 2);
        assert_eq!(d.len(), 2);
        assert!(d[0] < d[1] && d[1] <= ymd(2018, 12, 31));
        assert_eq!(spread(ymd(2018, 7, 1), ymd(2018, 7, 2), 4).len(), 2);
    }
}
