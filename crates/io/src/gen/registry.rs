//! The registry's files: households (one row per person), incomes and village profiles. ID numbers
//! are checksum-valid and unique, with the village's county as address code; household sizes
//! average about 3.3 persons; ages, causes, statuses and incomes are plausible. Leaves the
//! [`World`] the other areas build on.

use super::{
    date_in, headers, name, pick, GenError, GenFile, GenHousehold, GenOptions, GenStatus,
    GenSummary, GenVillage, World, SURNAMES,
};
use crate::columns::Kind;
use fupin_core::id_number::check_char;
use fupin_core::regions::RegionRecord;
use fupin_core::Fen;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::io::BufWriter;
use std::path::Path;
use time::{Date, Month};

struct Person {
    name: String,
    male: bool,
    birth: Date,
    relation: &'static str,
}

/// Unique, checksum-valid ID numbers per (county, birth date, sex).
#[derive(Default)]
struct Ids {
    next: HashMap<(u32, i32, bool), u16>,
}

impl Ids {
    fn issue(&mut self, county: &str, county_idx: u32, birth: Date, male: bool) -> Option<String> {
        let k = self
            .next
            .entry((county_idx, birth.to_julian_day(), male))
            .or_insert(0);
        if *k >= 499 {
            return None;
        }
        let seq = u32::from(*k) * 2 + if male { 1 } else { 2 };
        *k += 1;
        let body = format!(
            "{county}{:04}{:02}{:02}{seq:03}",
            birth.year(),
            birth.month() as u8,
            birth.day()
        );
        let c = check_char(body.as_bytes()) as char;
        Some(format!("{body}{c}"))
    }
}

const HH_KEYS: &[&str] = &[
    "household_number",
    "village_code",
    "group_name",
    "attribute",
    "identification_standard",
    "identification_year",
    "main_cause",
    "other_causes",
    "phone",
    "bank_name",
    "bank_account",
    "status",
    "status_date",
    "exit_year",
    "housing_grade",
    "sanitary_toilet",
    "safe_drinking_water",
    "name",
    "id_number",
    "sex",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "health",
    "labour_ability",
    "work_status",
    "work_months",
    "basic_medical_insurance",
];

/// Write `households.csv`, `incomes.csv` and `profiles.csv` in `dir` for the villages of `records`.
pub(super) fn generate(
    records: Vec<(u64, RegionRecord)>,
    dir: &Path,
    opts: &GenOptions,
    summary: &mut GenSummary,
) -> Result<World, GenError> {
    let names: HashMap<String, String> = records
        .iter()
        .map(|(_, r)| (r.code.clone(), r.name.clone()))
        .collect();
    let villages: Vec<String> = records
        .into_iter()
        .map(|(_, r)| r.code)
        .filter(|c| c.len() == 12 && !c.ends_with("000"))
        .collect();
    if villages.is_empty() {
        return Err(GenError::NoVillages);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut counties: HashMap<String, u32> = HashMap::new();
    for v in &villages {
        let n = counties.len() as u32;
        counties.entry(v[..6].to_string()).or_insert(n);
    }
    let mut per_village = vec![0u32; villages.len()];
    let mut ids = Ids::default();
    summary.villages = villages.len() as u64;
    let mut households: Vec<GenHousehold> = Vec::with_capacity(opts.households as usize);
    let check = ExitCheck::new();
    let hh_path = dir.join("households.csv");
    let inc_path = dir.join("incomes.csv");
    let prof_path = dir.join("profiles.csv");
    let mut hh = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&hh_path)?,
    ));
    let mut inc = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&inc_path)?,
    ));
    hh.write_record(headers(Kind::Households, HH_KEYS))
        .map_err(std::io::Error::from)?;
    inc.write_record(headers(
        Kind::Incomes,
        &[
            "household_number",
            "year",
            "wage_fen",
            "business_fen",
            "property_fen",
            "transfer_fen",
            "business_cost_fen",
        ],
    ))
    .map_err(std::io::Error::from)?;
    let as_of = opts.as_of;
    let causes: &[(&str, u32)] = &[
        ("因病", 40),
        ("因残", 12),
        ("因学", 10),
        ("缺劳动力", 10),
        ("缺资金", 10),
        ("缺技术", 8),
        ("缺土地", 3),
        ("因灾", 2),
        ("交通条件落后", 2),
        ("自身发展动力不足", 3),
    ];
    let mut row: Vec<String> = Vec::with_capacity(HH_KEYS.len());
    for _ in 0..opts.households {
        let vi = rng.gen_range(0..villages.len());
        let village = &villages[vi];
        per_village[vi] += 1;
        let number = if per_village[vi] <= 9999 {
            format!("{village}{:04}", per_village[vi])
        } else {
            format!("{village}{:06}", per_village[vi])
        };
        let county = &village[..6];
        let county_idx = counties[county];
        let size = pick(
            &mut rng,
            &[
                (1u32, 12),
                (2, 22),
                (3, 22),
                (4, 22),
                (5, 14),
                (6, 6),
                (7, 2),
            ],
        );
        let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
        let head_age = pick(
            &mut rng,
            &[(30i32, 10), (40, 20), (50, 25), (60, 25), (70, 15), (78, 5)],
        ) + rng.gen_range(0..10);
        let head_male = rng.gen_bool(0.85);
        let mut persons = vec![Person {
            name: name(&mut rng, surname, head_male),
            male: head_male,
            birth: date_in(&mut rng, as_of - head_age),
            relation: "户主",
        }];
        if size >= 2 && rng.gen_bool(0.85) {
            let age = (head_age + rng.gen_range(-5..=5)).max(20);
            let male = !head_male;
            let sn = SURNAMES[rng.gen_range(0..SURNAMES.len())];
            persons.push(Person {
                name: name(&mut rng, sn, male),
                male,
                birth: date_in(&mut rng, as_of - age),
                relation: "配偶",
            });
        }
        while (persons.len() as u32) < size {
            let left = size - persons.len() as u32;
            if head_age < 45 && left >= 1 && rng.gen_bool(0.25) {
                let male = rng.gen_bool(0.45);
                let age = head_age + rng.gen_range(22..32);
                persons.push(Person {
                    name: name(&mut rng, surname, male),
                    male,
                    birth: date_in(&mut rng, as_of - age),
                    relation: if male { "之父" } else { "之母" },
                });
                continue;
            }
            let male = rng.gen_bool(0.52);
            let grand = head_age > 58 && rng.gen_bool(0.4);
            let age = if grand {
                rng.gen_range(0..15)
            } else {
                (head_age - rng.gen_range(22..38)).max(0)
            };
            persons.push(Person {
                name: name(&mut rng, surname, male),
                male,
                birth: date_in(&mut rng, as_of - age),
                relation: match (grand, male) {
                    (true, true) => "之孙子",
                    (true, false) => "之孙女",
                    (false, true) => "之子",
                    (false, false) => "之女",
                },
            });
        }
        let id_year = pick(&mut rng, &[(2014, 60), (2015, 20), (2016, 15), (2017, 5)]);
        let main_cause = pick(&mut rng, causes);
        let mut others: Vec<&str> = Vec::new();
        for _ in 0..rng.gen_range(0..3) {
            let c = pick(&mut rng, causes);
            if c != main_cause && !others.contains(&c) {
                others.push(c);
            }
        }
        let status = pick(&mut rng, &[("已脱贫", 75), ("未脱贫", 22), ("新识别", 3)]);
        let (status_day, exit_year) = match status {
            "已脱贫" => {
                let y = rng.gen_range(id_year + 1..=as_of);
                let d = Date::from_calendar_date(y, Month::December, rng.gen_range(1..=28))
                    .expect("date");
                (d, y.to_string())
            }
            _ => (
                Date::from_calendar_date(id_year, Month::January, 1).expect("date"),
                String::new(),
            ),
        };
        let status_date = status_day.to_string();
        let phone = format!(
            "1{}{:09}",
            rng.gen_range(3..=9),
            rng.gen_range(0..1_000_000_000u64)
        );
        let account = format!("6217{:015}", rng.gen_range(0..1_000_000_000_000_000u64));
        let mut written = 0u64;
        // what the exit assessment reads of the household: housing, water, members' schooling
        let mut housing = "";
        let mut water = false;
        let mut members: Vec<(Date, &str)> = Vec::with_capacity(persons.len());
        for (i, p) in persons.iter().enumerate() {
            let Some(id) = ids.issue(county, county_idx, p.birth, p.male) else {
                continue;
            };
            let age = as_of - p.birth.year();
            row.clear();
            let first = i == 0;
            let hv = |s: String| if first { s } else { String::new() };
            row.push(number.clone());
            row.push(hv(village.clone()));
            row.push(hv(format!("第{}村民小组", 1 + vi % 9)));
            row.push(hv(pick(
                &mut rng,
                &[
                    ("一般贫困户", 70),
                    ("低保贫困户", 25),
                    ("特困供养贫困户（五保贫困户）", 5),
                ],
            )
            .to_string()));
            row.push(hv("国家标准".into()));
            row.push(hv(id_year.to_string()));
            row.push(hv(main_cause.to_string()));
            row.push(hv(others.join("、")));
            row.push(hv(phone.clone()));
            row.push(hv(if rng.gen_bool(0.6) {
                "农村信用社"
            } else {
                "邮政储蓄银行"
            }
            .into()));
            row.push(hv(account.clone()));
            row.push(hv(status.to_string()));
            row.push(hv(status_date.clone()));
            row.push(hv(exit_year.clone()));
            let grade = pick(&mut rng, &[("A", 30), ("B", 50), ("C", 15), ("D", 5)]);
            row.push(hv(grade.to_string()));
            row.push(hv(if rng.gen_bool(0.6) { "是" } else { "否" }.into()));
            let safe_water = rng.gen_bool(0.9);
            row.push(hv(if safe_water { "是" } else { "否" }.into()));
            if first {
                housing = grade;
                water = safe_water;
            }
            row.push(p.name.clone());
            row.push(id);
            row.push(if p.male { "男" } else { "女" }.into());
            row.push(p.relation.into());
            row.push(
                if rng.gen_bool(0.97) {
                    "汉族"
                } else {
                    "畲族"
                }
                .into(),
            );
            row.push(
                match age {
                    0..=5 => "学龄前儿童",
                    6..=11 => "小学",
                    12..=15 => "初中",
                    _ => pick(
                        &mut rng,
                        &[
                            ("文盲或半文盲", 15),
                            ("小学", 40),
                            ("初中", 35),
                            ("高中", 8),
                            ("大专及以上", 2),
                        ],
                    ),
                }
                .into(),
            );
            let schooling = match age {
                3..=5 => "学前教育",
                6..=11 => "小学",
                12 => "七年级",
                13 => "八年级",
                14 => "九年级",
                15 => "高中一年级",
                16 => "高中二年级",
                17 => "高中三年级",
                _ => "",
            };
            row.push(schooling.into());
            members.push((p.birth, schooling));

            let health = pick(
                &mut rng,
                &[
                    ("健康", 70),
                    ("长期慢性病", 18),
                    ("患有大病", 7),
                    ("残疾", 5),
                ],
            );
            row.push(health.into());
            let labour = match (age, health) {
                (0..=15, _) => "无劳动力",
                (_, "患有大病" | "残疾") => "丧失劳动力",
                (65.., _) => "弱劳动力或半劳动力",
                _ => pick(
                    &mut rng,
                    &[
                        ("普通劳动力", 80),
                        ("技能劳动力", 10),
                        ("弱劳动力或半劳动力", 10),
                    ],
                ),
            };
            row.push(labour.into());
            let works = matches!(labour, "普通劳动力" | "技能劳动力") && rng.gen_bool(0.6);
            row.push(if works {
                pick(
                    &mut rng,
                    &[
                        ("乡（镇）内务工", 20),
                        ("乡（镇）外县内务工", 25),
                        ("县外省内务工", 25),
                        ("省外务工", 30),
                    ],
                )
                .into()
            } else {
                String::new()
            });
            row.push(if works {
                rng.gen_range(3..=12).to_string()
            } else {
                String::new()
            });
            row.push("是".into());
            hh.write_record(&row).map_err(std::io::Error::from)?;
            written += 1;
        }
        summary.households += 1;
        summary.persons += written;
        // incomes: a per-capita net income rising year by year
        let mut exit_pc: Option<i64> = None;
        let base: i64 = rng.gen_range(250_000..900_000); // fen per person in the first year
        for (k, year) in (opts.income_years.0..=opts.income_years.1).enumerate() {
            if year < id_year {
                continue;
            }
            let pc = base + base * (k as i64) * rng.gen_range(8..20) / 100;
            let net = pc * written.max(1) as i64;
            let wage = net * rng.gen_range(40..70) / 100;
            let transfer = net * rng.gen_range(10..30) / 100;
            let property = net * rng.gen_range(0..5) / 100;
            let cost = net * rng.gen_range(5..15) / 100;
            let business = (net - wage - transfer - property + cost).max(0);
            inc.write_record([
                number.as_str(),
                &year.to_string(),
                &Fen::new(wage).yuan_string(),
                &Fen::new(business).yuan_string(),
                &Fen::new(property).yuan_string(),
                &Fen::new(transfer).yuan_string(),
                &Fen::new(cost).yuan_string(),
            ])
            .map_err(std::io::Error::from)?;
            summary.incomes += 1;
            if status == "已脱贫" && year == status_day.year() {
                exit_pc = Some(pc);
            }
        }
        // whether the exit, as registered, passes the exit assessment (food and clothing verified)
        let exit_case = status == "已脱贫"
            && exit_passes(
                &check,
                village,
                status_day.year(),
                exit_pc,
                housing,
                water,
                &members,
            );
        households.push(GenHousehold {
            village: vi as u32,
            seq: per_village[vi],
            persons: written.min(u64::from(u8::MAX)) as u8,
            identification_year: id_year,
            status: match status {
                "已脱贫" => GenStatus::Exited,
                "新识别" => GenStatus::NewlyIdentified,
                _ => GenStatus::Poor,
            },
            status_date: status_day,
            exit_case,
        });
    }
    hh.flush()?;
    inc.flush()?;
    let mut prof = csv::Writer::from_writer(BufWriter::new(std::fs::File::create(&prof_path)?));
    prof.write_record(headers(
        Kind::Profiles,
        &[
            "village_code",
            "year",
            "collective_income_fen",
            "rural_population",
        ],
    ))
    .map_err(std::io::Error::from)?;
    for v in &villages {
        let pop = rng.gen_range(800..4000);
        for year in opts.income_years.0..=opts.income_years.1 {
            let income: i64 = rng.gen_range(0..20_000_000);
            prof.write_record([
                v.as_str(),
                &year.to_string(),
                &Fen::new(income).yuan_string(),
                &pop.to_string(),
            ])
            .map_err(std::io::Error::from)?;
            summary.profiles += 1;
        }
    }
    prof.flush()?;
    let incomes = summary.incomes;
    let profiles = summary.profiles;
    summary.files.extend([
        GenFile {
            path: hh_path,
            kind: Kind::Households,
            rows: summary.persons,
        },
        GenFile {
            path: inc_path,
            kind: Kind::Incomes,
            rows: incomes,
        },
        GenFile {
            path: prof_path,
            kind: Kind::Profiles,
            rows: profiles,
        },
    ]);
    let names_of = |code: &str| names.get(code).cloned().unwrap_or_default();
    Ok(World {
        opts: opts.clone(),
        villages: villages
            .iter()
            .map(|c| GenVillage {
                code: c.clone(),
                name: names_of(c),
            })
            .collect(),
        households,
        names,
    })
}

/// What the exit assessment of a generated household needs besides the household: the poverty
/// lines in force and the schooling codes of the labels the generator writes.
struct ExitCheck {
    params: Vec<fupin_core::assessment::Parameter>,
    schooling: HashMap<&'static str, String>,
}

impl ExitCheck {
    fn new() -> ExitCheck {
        let codes = fupin_core::codes::CodeBook::defaults();
        let labels = [
            "学前教育",
            "小学",
            "七年级",
            "八年级",
            "九年级",
            "高中一年级",
            "高中二年级",
            "高中三年级",
        ];
        ExitCheck {
            params: fupin_core::assessment::default_parameters(),
            schooling: labels
                .into_iter()
                .filter_map(|l| Some((l, codes.resolve("schooling", "schooling", l).ok()?)))
                .collect(),
        }
    }
}

/// Whether a household exited in `year` passes the exit assessment as the importer of cases will
/// make it (core's `assess_exit`, food and clothing verified): its per-capita income of the year
/// above the line, a safe house and water, every school-age member at school, everyone insured.
fn exit_passes(
    check: &ExitCheck,
    village: &str,
    year: i32,
    per_capita: Option<i64>,
    housing: &str,
    water: bool,
    members: &[(Date, &str)],
) -> bool {
    use fupin_core::assessment::standards::{fen_param, key};
    let Ok(region) = fupin_core::RegionCode::parse(village) else {
        return false;
    };
    let Ok(line) = fen_param(&check.params, key::POVERTY_LINE, &region, year) else {
        return false;
    };
    let input = fupin_core::assessment::ExitInput {
        assessment_date: fupin_core::years::year_end(year),
        per_capita_net_income: per_capita.map(|f| Fen::new(f).into()),
        line,
        food_secure: Some(true),
        clothing_secure: Some(true),
        members: members
            .iter()
            .map(|(birth, schooling)| fupin_core::assessment::ExitMember {
                name: String::new(),
                birth_date: *birth,
                schooling: check.schooling.get(schooling).cloned(),
                out_of_school_reason: None,
                basic_medical_insurance: Some(true),
                dropout: false,
            })
            .collect(),
        housing_grade: Some(housing.to_string()),
        housing_renovated_year: None,
        safe_drinking_water: Some(water),
    };
    fupin_core::assessment::assess_exit(&input).passed
}
