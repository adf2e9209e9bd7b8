//! The city layer of the demo (`fupin demo --city`): 南昌市 (360100000000) with registered households
//! in the villages of its other eight counties and the human-resources and social-security services
//! of the seed article's last part, so that the services report of 南昌市 for January 2018 to June
//! 2019 gives every city-wide figure of the article (see [`ARTICLE`]).
//!
//! Everything is generated, deterministically, and loaded through the paths an office's data take:
//! the region list of 南昌市 (`data/division_nanchang_3601_2023.csv`) and the registry that
//! `fupin gen` writes (its registry generator, over the rural villages — 村委会 — outside 进贤县,
//! whose 塔岗 and neighbours are the demo's own) through the importers' bulk path; the departments'
//! lists by ID number (employment, training, students, resident pension) through the same importer;
//! the workshops and posts with their hired labourers in one registration; the employment-service
//! events (job fairs, service days and leaflet drives of each county, each with the people it served
//! and the registered persons among them) through the store.
//!
//! "Total / of whom registered": the registered persons are the registry's, each with their own
//! measure or linked to an event by person; an event's person-times beyond them, and the people
//! outside the registry it placed in work (by destination), make up the totals. The layer adds
//! what the figures need beyond what the database already counts for 南昌市 in the period (the
//! 塔岗 demo's posts and employment), so the report gives the article's figures exactly.

use crate::demo::{import_bytes, import_file, DemoFile};
use fupin_core::measures::{
    EventInput, HireInput, Placements, ServicesReport, WorkplaceInput, POST_TYPES,
};
use fupin_core::regions::PoorVillage;
use fupin_core::registry::{HouseholdFilter, PersonId};
use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, Fen, RegionCode};
use fupin_io::gen::{generate_registry, GenOptions};
use fupin_io::Kind;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use time::macros::date;
use time::{Date, Duration};

/// 南昌市.
pub const NANCHANG: &str = "360100000000";

/// The region list of 南昌市: 江西省, 南昌市, its nine counties with their townships and villages.
pub const REGIONS: DemoFile = DemoFile {
    name: "division_nanchang_3601_2023.csv",
    kind: Kind::Regions,
    content: include_str!("../data/division_nanchang_3601_2023.csv"),
};

/// The report period the figures are for: the 2018 pension year and the services to June 2019.
pub const FROM: Date = date!(2018 - 01 - 01);
pub const TO: Date = date!(2019 - 06 - 30);

/// Households generated (about 145,000 persons: enough over 16 for the pension's 86,311 and over 60
/// for its 32,472 receiving).
pub const HOUSEHOLDS: u64 = 44_000;
/// The generator's seed.
pub const SEED: u64 = 3601;
/// Villages designated poor among those generated.
pub const POOR_VILLAGES: usize = 40;

/// The city-wide figures of the seed article (南昌市, as of June 2019; the pension as of the end of
/// 2018), amounts in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityFigures {
    /// 为44142人提供公共就业创业服务，其中建档立卡贫困人员735人
    pub served: (i64, i64),
    /// 实现县内就业19809人，其中建档立卡贫困人员512人
    pub in_county: (i64, i64),
    /// 县外省内转移就业3409人，其中建档立卡贫困人员114人
    pub in_province: (i64, i64),
    /// 实现跨省转移就业3044人，其中建档立卡贫困人员101人
    pub cross_province: (i64, i64),
    /// 共发放春风卡等宣传资料13.69万份
    pub leaflets: i64,
    /// 搭建就业扶贫车间96个，其中在贫困村扶贫车间29个，共吸纳建档立卡贫困劳动力321人
    pub workshops: (i64, i64, i64),
    /// 设置扶贫就业专岗1686个，其中在贫困村设置扶贫专岗111个，吸纳就业人数1686人
    pub posts: (i64, i64, i64),
    /// 累计培训1486人，拨付培训补贴4万余元（含生活费补贴）
    pub trained: i64,
    pub training_subsidies_fen: i64,
    /// 建档立卡贫困学生868人，累计免学费金额10.9万元，累计发放助学金8.7万元
    pub students: i64,
    pub tuition_waived_fen: i64,
    pub grants_fen: i64,
    /// 86311名贫困人员参加了居民养老保险，其中已享受养老金待遇人员32472人，已由县、区政府代缴保险金
    /// 人员54667名，全市政府代缴保险金额为548.65万元
    pub pension: (i64, i64, i64),
    pub pension_paid_fen: i64,
}

/// The article's figures ("4万余元" of training subsidies taken as 40,560 yuan).
pub const ARTICLE: CityFigures = CityFigures {
    served: (44_142, 735),
    in_county: (19_809, 512),
    in_province: (3_409, 114),
    cross_province: (3_044, 101),
    leaflets: 136_900,
    workshops: (96, 29, 321),
    posts: (1_686, 111, 1_686),
    trained: 1_486,
    training_subsidies_fen: 4_056_000,
    students: 868,
    tuition_waived_fen: 10_900_000,
    grants_fen: 8_700_000,
    pension: (86_311, 32_472, 54_667),
    pension_paid_fen: 548_650_000,
};

/// What the layer loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CityDemo {
    pub skipped: bool,
    pub households: u64,
    pub persons: u64,
    pub poor_villages: u64,
    /// Rows of the departments' lists (employment, training, students, pension).
    pub list_rows: u64,
    pub workplaces: u64,
    pub hires: u64,
    pub events: u64,
    pub seconds: f64,
}

impl fmt::Display for CityDemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return write!(f, "南昌市演示数据已存在，未重复加载");
        }
        write!(
            f,
            "南昌市演示数据已加载：{} 户 {} 人，贫困村 {} 个，部门名单 {} 行，扶贫车间和岗位 {} 个（聘用 {} 人），服务活动 {} 场，用时 {:.1} 秒",
            self.households,
            self.persons,
            self.poor_villages,
            self.list_rows,
            self.workplaces,
            self.hires,
            self.events,
            self.seconds
        )
    }
}

fn internal(what: impl fmt::Display) -> DomainError {
    tracing::error!(%what, "city demo");
    DomainError::internal()
}

/// A registered person of the generated registry, read back from its households file.
#[derive(Debug, Clone)]
struct Person {
    village: String,
    name: String,
    id: String,
    born: Date,
}

impl Person {
    fn county(&self) -> &str {
        &self.village[..6]
    }
    fn age_on(&self, on: Date) -> i32 {
        let mut age = on.year() - self.born.year();
        if (on.month() as u8, on.day()) < (self.born.month() as u8, self.born.day()) {
            age -= 1;
        }
        age
    }
}

/// The persons of a generated `households.csv`, in file order.
fn read_persons(path: &std::path::Path) -> Result<Vec<Person>, DomainError> {
    let mut r = csv::Reader::from_path(path).map_err(internal)?;
    let headers = r.headers().map_err(internal)?.clone();
    let col = |key: &str| {
        let h = Kind::Households.columns()[Kind::Households.col(key)].header;
        headers
            .iter()
            .position(|x| x == h)
            .ok_or_else(|| internal(h))
    };
    let (c_village, c_name, c_id) = (col("village_code")?, col("name")?, col("id_number")?);
    let mut out = Vec::new();
    let mut village = String::new();
    for rec in r.records() {
        let rec = rec.map_err(internal)?;
        if !rec[c_village].is_empty() {
            village = rec[c_village].to_string();
        }
        let id = rec[c_id].to_string();
        let born = fupin_core::id_number::IdNumber::parse(&id)
            .map_err(internal)?
            .birth_date();
        out.push(Person {
            village: village.clone(),
            name: rec[c_name].to_string(),
            id,
            born,
        });
    }
    Ok(out)
}

/// `total` split into `weights.len()` parts in proportion to the weights, each a multiple of
/// `unit` where the total allows (largest remainders get the extra units; what is left below a
/// unit goes to the first part).
fn split(total: i64, weights: &[i64], unit: i64) -> Vec<i64> {
    if weights.is_empty() {
        return vec![];
    }
    let units = total / unit;
    let rest = total - units * unit;
    let sum: i64 = weights.iter().sum::<i64>().max(1);
    let mut parts: Vec<i64> = weights.iter().map(|w| units * w / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse((units * weights[i]) % sum), i));
    let short = units - parts.iter().sum::<i64>();
    for &i in order.iter().cycle().take(short as usize) {
        parts[i] += 1;
    }
    let mut out: Vec<i64> = parts.into_iter().map(|p| p * unit).collect();
    out[0] += rest;
    out
}

/// `total` split evenly over `n` parts (whole `unit`s where possible).
fn even(total: i64, n: usize, unit: i64) -> Vec<i64> {
    split(total, &vec![1; n], unit)
}

fn yuan(fen: i64) -> String {
    Fen::new(fen).yuan_string()
}

/// A CSV file being built in memory with the given Chinese headers.
struct Sheet {
    w: csv::Writer<Vec<u8>>,
    rows: u64,
}

impl Sheet {
    fn new(kind: Kind, keys: &[&str]) -> Sheet {
        let mut w = csv::Writer::from_writer(Vec::new());
        let headers: Vec<&str> = keys
            .iter()
            .map(|k| kind.columns()[kind.col(k)].header)
            .collect();
        w.write_record(&headers).expect("in memory");
        Sheet { w, rows: 0 }
    }
    fn row(&mut self, cells: &[&str]) {
        self.w.write_record(cells).expect("in memory");
        self.rows += 1;
    }
    fn bytes(self) -> Vec<u8> {
        self.w.into_inner().expect("in memory")
    }
}

/// Take `n` persons from `pool` (front first) that `ok` accepts and no earlier take used.
fn take(
    pool: &[usize],
    used: &mut [bool],
    n: usize,
    ok: impl Fn(usize) -> bool,
) -> Result<Vec<usize>, DomainError> {
    let mut out = Vec::with_capacity(n);
    for &i in pool {
        if out.len() == n {
            break;
        }
        if !used[i] && ok(i) {
            used[i] = true;
            out.push(i);
        }
    }
    if out.len() < n {
        return Err(internal(format!(
            "not enough generated persons: {} of {n}",
            out.len()
        )));
    }
    Ok(out)
}

/// Load the city layer (after the demo: the region list of 进贤县 and 塔岗's data). Skipped when
/// 南昌县 already has registered households.
pub async fn load_city_layer(store: &dyn Store, ctx: &Ctx) -> Result<CityDemo, DomainError> {
    let started = std::time::Instant::now();
    let existing = store
        .list_households(
            ctx,
            HouseholdFilter {
                region: Some("360121".into()),
                per_page: Some(1),
                ..HouseholdFilter::default()
            },
        )
        .await?
        .total
        .unwrap_or(0);
    if existing > 0 {
        return Ok(CityDemo {
            skipped: true,
            ..CityDemo::default()
        });
    }
    let mut out = CityDemo::default();
    import_file(store, ctx, &REGIONS).await?;
    let names: HashMap<String, String> = fupin_io::read_regions(REGIONS.content.as_bytes())
        .map_err(|_| internal("region list"))?
        .into_iter()
        .map(|(_, r)| (r.code, r.name))
        .collect();

    // the registry: `fupin gen`'s generator over the rural villages outside 进贤县
    let dir = tempfile::tempdir().map_err(internal)?;
    let opts = GenOptions {
        households: HOUSEHOLDS,
        seed: SEED,
        income_years: (2018, 2019),
        as_of: 2019,
        activity_years: None,
    };
    let keep = |r: &fupin_core::regions::RegionRecord| {
        !r.code.starts_with("360124")
            && (r.name.ends_with("村委会") || r.name.ends_with("村民委员会"))
    };
    let (_, generated) = generate_registry(REGIONS.content.as_bytes(), dir.path(), &opts, &keep)
        .map_err(internal)?;
    out.households = generated.households;
    out.persons = generated.persons;
    for (file, kind) in [
        ("households.csv", Kind::Households),
        ("incomes.csv", Kind::Incomes),
        ("profiles.csv", Kind::Profiles),
    ] {
        let bytes = std::fs::read(dir.path().join(file)).map_err(internal)?;
        import_bytes(store, ctx, file, kind, bytes).await?;
    }
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "city demo: registry imported"
    );
    let persons = read_persons(&dir.path().join("households.csv"))?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);

    // villages with their persons; some designated poor
    let mut by_village: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in persons.iter().enumerate() {
        by_village.entry(&p.village).or_default().push(i);
    }
    let mut villages: Vec<&str> = by_village.keys().copied().collect();
    villages.shuffle(&mut rng);
    let (poor, other) = villages.split_at(POOR_VILLAGES.min(villages.len()));
    for v in poor {
        let designation = PoorVillage {
            designation: "十三五省级贫困村".to_string(),
            designated_year: 2015,
            exit_year: Some(2019),
        };
        store
            .set_poor_village(ctx, &RegionCode::parse(v)?, Some(designation))
            .await?;
        out.poor_villages += 1;
    }

    // what the figures still need beyond what is counted already
    let city = RegionCode::parse(NANCHANG)?;
    let before: ServicesReport = store.services_report(ctx, &city, FROM, TO).await?;
    let a = ARTICLE;
    let mut order: Vec<usize> = (0..persons.len()).collect();
    order.shuffle(&mut rng);
    let mut used = vec![false; persons.len()];
    let mid = date!(2019 - 06 - 30);
    let working = |i: usize| (18..60).contains(&persons[i].age_on(mid));

    // workshops and posts with their labourers, hired from their own village where it can
    let shops = a.workshops.0 - before.workshops.total;
    let shops_poor = a.workshops.1 - before.workshops.in_poor_villages;
    let labourers = a.workshops.2 - before.workshops.employed;
    let posts = a.posts.0 - before.posts.total;
    let posts_poor = a.posts.1 - before.posts.in_poor_villages;
    let post_hires = a.posts.2 - before.posts.employed;
    let mut places: Vec<(WorkplaceInput, Vec<HireInput>)> = Vec::new();
    let shop_hires = even(labourers, shops.max(0) as usize, 1);
    let post_staff = even(post_hires, posts.max(0) as usize, 1);
    const TRADES: [(&str, &str); 5] = [
        ("来料加工", "来料加工扶贫车间"),
        ("服装加工", "服装加工扶贫车间"),
        ("农产品加工", "农产品加工扶贫车间"),
        ("电子组装", "电子元件组装扶贫车间"),
        ("竹木编织", "竹编扶贫车间"),
    ];
    let hire_in = |village: &str,
                   n: i64,
                   opened: Date,
                   wage: i64,
                   rng: &mut ChaCha8Rng,
                   used: &mut Vec<bool>|
     -> Result<Vec<HireInput>, DomainError> {
        let local: Vec<usize> = by_village[village].clone();
        let mut picked = Vec::new();
        for &i in &local {
            if picked.len() as i64 == n {
                break;
            }
            if !used[i] && (18..65).contains(&persons[i].age_on(mid)) {
                used[i] = true;
                picked.push(i);
            }
        }
        let more = take(&order, used, (n - picked.len() as i64) as usize, |i| {
            persons[i].county() == &village[..6] && (18..65).contains(&persons[i].age_on(mid))
        })?;
        picked.extend(more);
        let latest = mid.min(opened + Duration::days(90));
        Ok(picked
            .into_iter()
            .map(|i| {
                let span = (latest - opened).whole_days().max(0);
                HireInput {
                    person_id: PersonId(i as i64),
                    hire_date: opened + Duration::days(rng.gen_range(0..=span)),
                    leave_date: None,
                    monthly_wage_fen: wage,
                }
            })
            .collect())
    };
    let open_day = |rng: &mut ChaCha8Rng| {
        date!(2017 - 01 - 01) + Duration::days(rng.gen_range(0..(365 * 2 + 120)))
    };
    for k in 0..shops.max(0) as usize {
        let village = if (k as i64) < shops_poor {
            poor[k % poor.len()]
        } else {
            other[k % other.len()]
        };
        let (trade, label) = TRADES[k % TRADES.len()];
        let opened = open_day(&mut rng);
        let n = shop_hires[k];
        let hires = hire_in(village, n, opened, 180_000, &mut rng, &mut used)?;
        places.push((
            WorkplaceInput {
                kind: "workshop".into(),
                name: format!("{}{label}", names[village]),
                region_code: village.to_string(),
                work_type: trade.into(),
                capacity: i32::try_from(n).unwrap_or(1) + rng.gen_range(5..40),
                operator: Some(format!(
                    "{}{trade}有限公司",
                    names[&format!("{}000000", &village[..6])]
                )),
                opened,
                closed: None,
                note: None,
            },
            hires,
        ));
    }
    let duties = ["护林", "护路", "护水", "保洁", "护理", "治安协管"];
    debug_assert!(duties.iter().all(|d| POST_TYPES.contains(d)));
    for k in 0..posts.max(0) as usize {
        let village = if (k as i64) < posts_poor {
            poor[k % poor.len()]
        } else {
            other[k % other.len()]
        };
        let duty = duties[k % duties.len()];
        let opened = open_day(&mut rng);
        let n = post_staff[k];
        let hires = hire_in(village, n, opened, 50_000, &mut rng, &mut used)?;
        places.push((
            WorkplaceInput {
                kind: "post".into(),
                name: format!("{}{duty}岗（{}号）", names[village], k + 1),
                region_code: village.to_string(),
                work_type: duty.into(),
                capacity: i32::try_from(n).unwrap_or(1).max(1),
                operator: Some(format!(
                    "{}人民政府",
                    names[&format!("{}000", &village[..9])]
                )),
                opened,
                closed: None,
                note: None,
            },
            hires,
        ));
    }

    // the departments' lists by ID number
    let mut employment = Sheet::new(
        Kind::DeptEmployment,
        &[
            "id_number",
            "name",
            "employer",
            "employer_region_code",
            "employment_form",
            "start_date",
            "months",
            "monthly_wage_fen",
            "provider",
        ],
    );
    let counties: Vec<String> = {
        let mut c: Vec<String> = persons.iter().map(|p| p.county().to_string()).collect();
        c.sort();
        c.dedup();
        c
    };
    const OTHER_PROVINCES: [(&str, &str); 5] = [
        ("440300000000", "深圳某电子有限公司"),
        ("441900000000", "东莞某制衣厂"),
        ("330100000000", "杭州某物流有限公司"),
        ("350200000000", "厦门某食品有限公司"),
        ("320500000000", "苏州某精密机械有限公司"),
    ];
    for (need, dest) in [
        (a.in_county.1 - before.employment.in_county.registered, 0),
        (
            a.in_province.1 - before.employment.in_province.registered,
            1,
        ),
        (
            a.cross_province.1 - before.employment.cross_province.registered,
            2,
        ),
    ] {
        for i in take(&order, &mut used, need.max(0) as usize, working)? {
            let p = &persons[i];
            let (region, employer, form) = match dest {
                0 => {
                    let township = format!("{}000", &p.village[..9]);
                    if rng.gen_bool(0.5) {
                        let employer = format!("{}某农业开发有限公司", names[&township]);
                        (township, employer, "灵活就业")
                    } else {
                        let employer = format!("{}扶贫车间", names[&township]);
                        (township, employer, "扶贫车间")
                    }
                }
                1 => {
                    let other = counties
                        .iter()
                        .filter(|c| c.as_str() != p.county())
                        .nth(rng.gen_range(0..counties.len() - 1))
                        .ok_or_else(|| internal("county"))?;
                    (
                        format!("{other}000000"),
                        format!("{}某制造有限公司", names[&format!("{other}000000")]),
                        "外出务工",
                    )
                }
                _ => {
                    let (code, employer) = OTHER_PROVINCES[rng.gen_range(0..OTHER_PROVINCES.len())];
                    (code.to_string(), employer.to_string(), "外出务工")
                }
            };
            let start = date!(2019 - 01 - 01) + Duration::days(rng.gen_range(0..180));
            employment.row(&[
                &p.id,
                &p.name,
                &employer,
                &region,
                form,
                &start.to_string(),
                &rng.gen_range(3..=6).to_string(),
                &(rng.gen_range(18..46) * 100).to_string(),
                &format!("{}人社局", names[&format!("{}000000", p.county())]),
            ]);
        }
    }

    let mut training = Sheet::new(
        Kind::DeptTraining,
        &[
            "id_number",
            "name",
            "course",
            "training_type",
            "start_date",
            "hours",
            "certificate",
            "subsidy_fen",
            "living_allowance_fen",
            "provider",
        ],
    );
    let trainees = (a.trained - before.training.trained.total).max(0) as usize;
    let subsidies = even(
        a.training_subsidies_fen
            - before.training.subsidy_fen
            - before.training.living_allowance_fen,
        trainees,
        100,
    );
    const COURSES: [&str; 6] = [
        "电工",
        "焊工",
        "家政服务",
        "电子商务",
        "中式烹调",
        "种养技术",
    ];
    for (k, i) in take(&order, &mut used, trainees, working)?
        .into_iter()
        .enumerate()
    {
        let p = &persons[i];
        let total = subsidies[k];
        let living = total / 300 * 100;
        let start = date!(2018 - 03 - 01) + Duration::days(rng.gen_range(0..480));
        training.row(&[
            &p.id,
            &p.name,
            COURSES[rng.gen_range(0..COURSES.len())],
            if rng.gen_bool(0.4) {
                "岗前培训"
            } else {
                "技能提升"
            },
            &start.to_string(),
            &rng.gen_range(16..=120).to_string(),
            if rng.gen_bool(0.6) { "是" } else { "否" },
            &yuan(total - living),
            &yuan(living),
            "南昌市职业技能培训中心",
        ]);
    }

    let mut school = Sheet::new(
        Kind::DeptSchool,
        &[
            "id_number",
            "name",
            "school",
            "stage",
            "start_date",
            "tuition_waived_fen",
            "grant_fen",
            "provider",
        ],
    );
    let students = (a.students - before.education.students).max(0) as usize;
    let waived = even(
        a.tuition_waived_fen - before.education.tuition_waived_fen,
        students,
        100,
    );
    let grants = even(a.grants_fen - before.education.grants_fen, students, 100);
    let term = date!(2018 - 09 - 01);
    for (k, i) in take(&order, &mut used, students, |i| {
        (15..=22).contains(&persons[i].age_on(term))
    })?
    .into_iter()
    .enumerate()
    {
        let p = &persons[i];
        school.row(&[
            &p.id,
            &p.name,
            &format!("南昌市第{}技工学校", k % 20 + 1),
            "中职",
            &term.to_string(),
            &yuan(waived[k]),
            &yuan(grants[k]),
            "南昌市人社局",
        ]);
    }

    // the resident pension of 2018: the receiving aged 60 and over, the others 16–59 with their
    // premium paid by the government, and those who turned 60 in 2018 paid for and receiving
    let mut pension = Sheet::new(
        Kind::DeptPension,
        &[
            "id_number",
            "name",
            "start_date",
            "receiving",
            "premium_paid_by_government_fen",
            "provider",
        ],
    );
    let year_end = date!(2018 - 12 - 31);
    let enrolled = a.pension.0 - before.pension.enrolled;
    let receiving = a.pension.1 - before.pension.receiving;
    let paid = a.pension.2 - before.pension.paid_by_government;
    let mut pool = vec![false; persons.len()];
    let mut olds: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| persons[i].age_on(year_end) >= 60)
        .collect();
    // those born in 1958 first: their 2018 premium paid before they started receiving
    olds.sort_by_key(|&i| persons[i].born.year() != 1958);
    let receivers = take(&olds, &mut pool, receiving.max(0) as usize, |_| true)?;
    let others = take(
        &order,
        &mut pool,
        (enrolled - receiving).max(0) as usize,
        |i| (16..60).contains(&persons[i].age_on(year_end)),
    )?;
    let mut paid_for: Vec<usize> = others.iter().copied().take(paid.max(0) as usize).collect();
    let extra = (paid.max(0) as usize).saturating_sub(paid_for.len());
    paid_for.extend(receivers.iter().copied().take(extra));
    let amounts = even(
        a.pension_paid_fen - before.pension.paid_by_government_fen,
        paid_for.len(),
        100,
    );
    let premium: HashMap<usize, i64> = paid_for.into_iter().zip(amounts).collect();
    for (i, receives) in receivers
        .iter()
        .map(|&i| (i, true))
        .chain(others.iter().map(|&i| (i, false)))
    {
        let p = &persons[i];
        pension.row(&[
            &p.id,
            &p.name,
            "2018-01-01",
            if receives { "是" } else { "否" },
            &premium.get(&i).map_or(String::new(), |f| yuan(*f)),
            &format!("{}社保局", names[&format!("{}000000", p.county())]),
        ]);
    }

    for (name, kind, sheet) in [
        ("dept-employment.csv", Kind::DeptEmployment, employment),
        ("dept-training.csv", Kind::DeptTraining, training),
        ("dept-school.csv", Kind::DeptSchool, school),
        ("dept-pension.csv", Kind::DeptPension, pension),
    ] {
        out.list_rows += sheet.rows;
        import_bytes(store, ctx, name, kind, sheet.bytes()).await?;
    }

    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "city demo: department lists imported"
    );
    // the employment-service events of each county: a job fair, a service day in the villages, a
    // leaflet drive; person-times in proportion to the county's registered persons
    let mut linked_pool: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &order {
        if (16..65).contains(&persons[i].age_on(mid)) {
            linked_pool.entry(persons[i].county()).or_default().push(i);
        }
    }
    let weights: Vec<i64> = counties
        .iter()
        .map(|c| linked_pool.get(c.as_str()).map_or(0, |v| v.len() as i64))
        .collect();
    let served = split(a.served.0 - before.served.total, &weights, 1);
    let linked = split(a.served.1 - before.served.registered, &weights, 1);
    let leaflets = split(a.leaflets - before.leaflets, &weights, 100);
    let placed = |t: (i64, i64), b: &fupin_core::measures::Count| {
        split((t.0 - t.1) - (b.total - b.registered), &weights, 1)
    };
    let placed = [
        placed(a.in_county, &before.employment.in_county),
        placed(a.in_province, &before.employment.in_province),
        placed(a.cross_province, &before.employment.cross_province),
    ];
    let mut events: Vec<(EventInput, Vec<usize>)> = Vec::new();
    for (c, county) in counties.iter().enumerate() {
        let name = &names[&format!("{county}000000")];
        let parts = split(served[c], &[55, 30, 15], 1);
        let people = split(linked[c], &[60, 40], 1);
        let pool = linked_pool
            .get(county.as_str())
            .cloned()
            .unwrap_or_default();
        let (fair_people, day_people) = pool.split_at((people[0] as usize).min(pool.len()));
        let day_people = &day_people[..(people[1] as usize).min(day_people.len())];
        let place_split = |d: usize| split(placed[d][c], &[60, 40], 1);
        let (pc, pp, px) = (place_split(0), place_split(1), place_split(2));
        let base = |kind: &str, title: String, place: String, date: Date, served: i64| EventInput {
            kind: kind.into(),
            title,
            region_code: format!("{county}000000"),
            place,
            date,
            served_total: served,
            organiser: Some(format!("{name}人社局")),
            medicine_fen: 0,
            leaflets: 0,
            placed_others: Placements::default(),
            person_ids: vec![],
            note: None,
        };
        events.push((
            EventInput {
                placed_others: Placements {
                    in_county: pc[0],
                    in_province: pp[0],
                    cross_province: px[0],
                },
                ..base(
                    "job_fair",
                    format!("{name}2019年“春风行动”就业扶贫专场招聘会"),
                    format!("{name}人力资源市场"),
                    date!(2019 - 02 - 20) + Duration::days(c as i64),
                    parts[0],
                )
            },
            fair_people.to_vec(),
        ));
        events.push((
            EventInput {
                placed_others: Placements {
                    in_county: pc[1],
                    in_province: pp[1],
                    cross_province: px[1],
                },
                ..base(
                    "employment_service",
                    format!("{name}“送岗位进村”就业服务日"),
                    format!("{name}各乡镇"),
                    date!(2019 - 04 - 16) + Duration::days(c as i64),
                    parts[1],
                )
            },
            day_people.to_vec(),
        ));
        events.push((
            EventInput {
                leaflets: leaflets[c],
                ..base(
                    "leaflet_drive",
                    format!("{name}春风卡等就业政策宣传资料发放"),
                    format!("{name}各乡镇、村"),
                    date!(2019 - 03 - 05) + Duration::days(c as i64),
                    parts[2],
                )
            },
            vec![],
        ));
    }

    // the persons the hires and events name, by ID number
    let mut wanted: Vec<usize> = places
        .iter()
        .flat_map(|(_, hs)| hs.iter().map(|h| h.person_id.0 as usize))
        .chain(events.iter().flat_map(|(_, ps)| ps.iter().copied()))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let ids: Vec<String> = wanted.iter().map(|&i| persons[i].id.clone()).collect();
    let mut session = store.bulk_session(ctx, false).await?;
    let found: HashMap<String, PersonId> = session
        .persons_by_id_number(&ids)
        .await?
        .into_iter()
        .map(|p| (p.id_number, p.person_id))
        .collect();
    session.finish(serde_json::Value::Null, false).await?;
    let person_id = |i: usize| {
        found
            .get(&persons[i].id)
            .copied()
            .ok_or_else(|| internal("generated person not found"))
    };
    for (_, hires) in &mut places {
        for h in hires {
            h.person_id = person_id(h.person_id.0 as usize)?;
        }
    }
    (out.workplaces, out.hires) = store.register_workplaces(ctx, places).await?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "city demo: workplaces registered"
    );
    for (mut e, people) in events {
        e.person_ids = people
            .into_iter()
            .map(person_id)
            .collect::<Result<_, _>>()?;
        store.create_event(ctx, e).await?;
        out.events += 1;
    }
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_add_up_in_whole_units() {
        let s = split(548_650_000, &[1; 54_667], 100);
        assert_eq!(s.iter().sum::<i64>(), 548_650_000);
        assert!(s
            .iter()
            .all(|x| x % 100 == 0 && (10_000..=10_100).contains(x)));
        let s = split(44_142, &[5, 3, 0, 2], 1);
        assert_eq!(s.iter().sum::<i64>(), 44_142);
        assert_eq!(s[2], 0);
        let s = split(1_050, &[1, 1], 100);
        assert_eq!(s, [550, 500]);
        assert!(split(5, &[], 1).is_empty());
    }

    #[test]
    fn the_region_list_is_nanchang_with_jinxian_as_the_demo_has_it() {
        let all = fupin_io::read_regions(REGIONS.content.as_bytes()).unwrap();
        assert!(all
            .iter()
            .all(|(_, r)| r.code == "360000000000" || r.code.starts_with("3601")));
        let jinxian = fupin_io::read_regions(crate::demo::REGIONS_CSV.as_bytes()).unwrap();
        for (_, r) in &jinxian {
            assert!(all.iter().any(|(_, x)| x == r), "{r:?}");
        }
    }
}
