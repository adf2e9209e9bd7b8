//! Demo data: 塔岗村委会 (360124106204, 罗溪镇, 进贤县, 南昌市, 江西省) from the seed article, with its 14
//! registered households and 45 persons, three neighbouring villages of 罗溪镇, and a loader that writes
//! it all through the `Store` trait (so it lands the same way on SQLite and PostgreSQL).
//!
//! Everything personal is synthetic: the names are made up, the ID numbers are checksum-valid but
//! invented (address code 360124, sequence numbers unique across the dataset, odd for men and even for
//! women). The figures that the seed states are reproduced exactly: the incomes are chosen so that over
//! 塔岗's 45 persons Σ net income is 25,011,000 fen in 2016 and 33,601,500 fen in 2018, i.e. 5,558 and
//! 7,467 yuan per capita (+34.3%); collective income grows from 4,800 yuan (2015, "不足0.5万元") to
//! 70,000 yuan (2018). Members' schooling and work are as a cadre would have recorded them in autumn
//! 2019, when the article appeared. Every member is present from before 2014 to the end of 2020, so
//! the persons of every year 2014–2020 are the 45 registered ones; one granddaughter is born in 2021.
//!
//! The dataset is built by a pure function (no clock, no randomness) and is checked by the tests below
//! against the rules of core, so `load_demo` never meets a validation error on a fresh registry.

use fupin_core::id_number::check_char;
use fupin_core::regions::{PoorVillage, RegionCode, RegionRecord, VillageProfileInput};
use fupin_core::registry::{
    HouseholdFilter, HouseholdInput, HouseholdStatus, IncomeInput, InitialStatus, JoinInput,
    LivingConditions, MemberInput, NewHousehold, StatusChangeInput,
};
use fupin_core::store::{RegionImportSummary, RowError, Store};
use fupin_core::{Ctx, DomainError};
use serde::Serialize;
use std::fmt;
use time::{Date, Month};

/// The region list the demo imports: 江西省, 南昌市, 进贤县 with its townships and villages (2023 codes).
pub const REGIONS_CSV: &str = include_str!("../data/division_jinxian_360124_2023.csv");

/// 塔岗村委会, the village of the seed article.
pub const TAGANG: &str = "360124106204";
/// 罗溪镇, 塔岗's township.
pub const LUOXI: &str = "360124106000";
/// Registered households of 塔岗 ("全村有建档立卡贫困户14户45人").
pub const TAGANG_HOUSEHOLD_COUNT: usize = 14;
/// Registered persons of 塔岗.
pub const TAGANG_PERSON_COUNT: i64 = 45;

/// Everything the demo loads, in loading order.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoDataset {
    /// The region list with its line numbers (from [`REGIONS_CSV`]).
    pub regions: Vec<(u64, RegionRecord)>,
    /// Poor-village designations.
    pub poor_villages: Vec<(RegionCode, PoorVillage)>,
    pub households: Vec<DemoHousehold>,
    pub village_profiles: Vec<DemoVillageProfile>,
}

/// One household with its history: created with its members and initial status, then its status
/// changes in order, its yearly incomes, and members who joined later.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoHousehold {
    pub new: NewHousehold,
    pub status_changes: Vec<StatusChangeInput>,
    pub incomes: Vec<(i32, IncomeInput)>,
    /// Members added after registration (each with `joined` set), e.g. a birth in 2021.
    pub joins: Vec<MemberInput>,
}

/// A village's figures for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoVillageProfile {
    pub village: RegionCode,
    pub year: i32,
    pub input: VillageProfileInput,
}

/// What `load_demo` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    /// Nothing was loaded because the registry already had households.
    pub skipped: bool,
    /// Households found in the registry before loading (only counted when skipping).
    pub existing_households: u64,
    pub regions: Option<RegionImportSummary>,
    pub poor_villages: u64,
    pub households: u64,
    /// Members created with the households plus members who joined later.
    pub persons: u64,
    pub status_changes: u64,
    pub incomes: u64,
    pub village_profiles: u64,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.skipped {
            return write!(
                f,
                "登记库中已有 {} 户数据，未加载演示数据（演示数据只装入空库）",
                self.existing_households
            );
        }
        let r = self.regions.clone().unwrap_or_default();
        write!(
            f,
            "演示数据已加载：区划 {} 条（新增 {}，更新 {}，未变 {}），贫困村 {} 个，{} 户 {} 人，\
             状态变更 {} 条，年度收入 {} 条，村年度数据 {} 条",
            r.rows,
            r.inserted,
            r.updated,
            r.unchanged,
            self.poor_villages,
            self.households,
            self.persons,
            self.status_changes,
            self.incomes,
            self.village_profiles
        )
    }
}

/// Load the demo through `store`. Does nothing (and says so) when the registry already holds
/// households, so that it can run on every `serve --demo` without duplicating or touching real data.
/// Each step is one store call with its own transaction; a failure stops the load and is returned.
pub async fn load_demo(store: &dyn Store, ctx: &Ctx) -> Result<DemoSummary, DomainError> {
    let existing = store
        .list_households(
            ctx,
            HouseholdFilter {
                per_page: Some(1),
                ..HouseholdFilter::default()
            },
        )
        .await?
        .total;
    if existing > 0 {
        return Ok(DemoSummary {
            skipped: true,
            existing_households: existing,
            ..DemoSummary::default()
        });
    }
    let data = demo_dataset();
    let regions = store
        .import_regions(ctx, data.regions)
        .await
        .map_err(first_row_error)?;
    let mut summary = DemoSummary {
        regions: Some(regions),
        ..DemoSummary::default()
    };
    for (code, designation) in data.poor_villages {
        store
            .set_poor_village(ctx, &code, Some(designation))
            .await?;
        summary.poor_villages += 1;
    }
    for h in data.households {
        summary.persons += h.new.members.len() as u64;
        let tagang = h.new.household.village_code == TAGANG;
        let id = store.create_household(ctx, h.new).await?.household.id;
        summary.households += 1;
        for (year, income) in h.incomes {
            store.put_income(ctx, id, year, income).await?;
            summary.incomes += 1;
        }
        for change in h.status_changes {
            // 塔岗's exits go through the whole exit procedure, which ends in the same change
            if tagang && change.to == HouseholdStatus::Exited {
                crate::demo_assessment::exit_by_procedure(store, ctx, id, &change).await?;
            } else {
                store.change_status(ctx, id, change).await?;
            }
            summary.status_changes += 1;
        }
        for member in h.joins {
            store.add_member(ctx, id, member).await?;
            summary.persons += 1;
        }
    }
    for p in data.village_profiles {
        store
            .put_village_profile(ctx, &p.village, p.year, p.input)
            .await?;
        summary.village_profiles += 1;
    }
    Ok(summary)
}

/// The shipped region list is tested to import cleanly; should a store still reject it, report the
/// first rejected line (and how many there were) as one error.
fn first_row_error(errors: Vec<RowError>) -> DomainError {
    let n = errors.len();
    match errors.into_iter().next() {
        Some(RowError { line, mut error }) => {
            error.message = format!(
                "演示区划数据第 {line} 行：{}（共 {n} 处错误）",
                error.message
            );
            error
        }
        None => DomainError::internal(),
    }
}

/// The whole demo dataset. Pure and deterministic: every call returns the same data.
pub fn demo_dataset() -> DemoDataset {
    let regions = fupin_io::read_regions(REGIONS_CSV.as_bytes())
        .expect("the shipped region list is valid (tested)");
    let mut ids = IdSequence::default();
    let mut households = tagang_households(&mut ids);
    for (v, village) in NEIGHBOURS.iter().enumerate() {
        households.extend(neighbour_households(v, village, &mut ids));
    }
    DemoDataset {
        regions,
        poor_villages: vec![(code(TAGANG), tagang_designation())],
        households,
        village_profiles: village_profiles(),
    }
}

/// 塔岗 as a poor village. The seed names it a "十三五"省级贫困村: designated in 2015, when the
/// provinces drew up their lists for the 13th five-year plan (2016–2020). The seed, from August 2019,
/// does not state the exit; in the demo its households leave poverty from 2016 to 2019 (each through
/// the full exit procedure), and the village exits in 2019 with no poor household left, below the 2%
/// poverty incidence that lets a village in central China exit (domain.md §3.2). Data, not a claim
/// about the real village.
fn tagang_designation() -> PoorVillage {
    PoorVillage {
        designation: "十三五省级贫困村".to_string(),
        designated_year: 2015,
        exit_year: Some(2019),
    }
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("demo codes are valid")
}

/// `YYYYMMDD` to a date.
fn ymd(v: u32) -> Date {
    let month = Month::try_from((v / 100 % 100) as u8).expect("demo month");
    Date::from_calendar_date((v / 10_000) as i32, month, (v % 100) as u8).expect("demo date")
}

/// When households were registered (建档立卡, 2014).
const REGISTERED_ON: u32 = 20140630;
/// The date member attributes describe (schooling by age), autumn 2019.
const RECORDED_ON: u32 = 20190901;

/// Sequence numbers (digits 15–17) for the synthetic ID numbers: odd for men, even for women, never
/// repeated in the dataset, so that no two persons share a number whatever their birth dates.
#[derive(Debug)]
struct IdSequence {
    male: u32,
    female: u32,
}

impl Default for IdSequence {
    fn default() -> Self {
        IdSequence { male: 1, female: 2 }
    }
}

impl IdSequence {
    fn next(&mut self, born: Date, male: bool) -> String {
        let counter = if male {
            &mut self.male
        } else {
            &mut self.female
        };
        let seq = *counter;
        *counter += 2;
        assert!(seq < 1000, "demo ID sequence exhausted");
        id_number(born, seq)
    }
}

/// A checksum-valid ID number registered in 进贤县 (360124).
fn id_number(born: Date, seq: u32) -> String {
    let body = format!(
        "360124{:04}{:02}{:02}{seq:03}",
        born.year(),
        born.month() as u8,
        born.day()
    );
    let check = check_char(body.as_bytes()) as char;
    format!("{body}{check}")
}

/// Whole years of age on `on`.
fn age_on(born: Date, on: Date) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

/// A member as written in the tables: everything but the ID number, which is assigned in order.
#[derive(Debug, Clone)]
struct Person {
    name: String,
    /// Label from `relation_to_head`.
    relation: &'static str,
    male: bool,
    born: Date,
    /// Labels from the code tables; "" when not recorded.
    health: &'static str,
    labour: &'static str,
    education: &'static str,
    schooling: &'static str,
    work: &'static str,
    work_months: i32,
    /// (member_change label, date) for a member who joined after registration.
    joined: Option<(&'static str, Date)>,
}

impl Person {
    fn input(&self, ids: &mut IdSequence) -> MemberInput {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let adult = age_on(self.born, ymd(RECORDED_ON)) >= 16;
        let student = !matches!(self.schooling, "" | "非在校生");
        MemberInput {
            name: self.name.clone(),
            id_number: ids.next(self.born, self.male),
            sex: Some(if self.male { "男" } else { "女" }.to_string()),
            birth_date: Some(self.born),
            relation: self.relation.to_string(),
            ethnicity: Some("汉族".to_string()),
            education: opt(self.education),
            schooling: opt(self.schooling),
            out_of_school_reason: None,
            health: opt(self.health),
            labour_ability: opt(self.labour),
            work_status: opt(self.work),
            work_months: (!self.work.is_empty()).then_some(self.work_months),
            disability: Some(self.health == "残疾"),
            basic_medical_insurance: Some(true),
            serious_illness_insurance: Some(true),
            pension_insurance: (adult && !student).then_some(true),
            phone: None,
            joined: self.joined.map(|(kind, date)| JoinInput {
                kind: kind.to_string(),
                date,
                reason: None,
            }),
        }
    }
}

/// name, relation, sex (`M`/`F`), born (YYYYMMDD), health, labour ability, education, schooling,
/// work status, work months. Empty text means not recorded.
type Row = (
    &'static str,
    &'static str,
    char,
    u32,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i32,
);

fn person(r: &Row) -> Person {
    let (name, relation, sex, born, health, labour, education, schooling, work, work_months) = *r;
    Person {
        name: name.to_string(),
        relation,
        male: sex == 'M',
        born: ymd(born),
        health,
        labour,
        education,
        schooling,
        work,
        work_months,
        joined: None,
    }
}

/// One household of 塔岗 as written below.
struct Spec {
    no: u16,
    /// 村民小组.
    group: u8,
    attribute: &'static str,
    main_cause: &'static str,
    other_causes: &'static [&'static str],
    exit_year: i32,
    members: &'static [Row],
}

const ORDINARY: &str = "一般贫困户";
const DIBAO: &str = "低保贫困户";
const WUBAO: &str = "特困供养贫困户（五保贫困户）";

/// 塔岗's 14 households, 45 persons. Exits: 1 in 2016, 2 in 2017, 4 in 2018, 7 in 2019.
#[rustfmt::skip]
const TAGANG_SPECS: [Spec; 14] = [
    Spec {
        no: 1,
        group: 1,
        attribute: ORDINARY,
        main_cause: "因病",
        other_causes: &["缺资金"],
        exit_year: 2018,
        members: &[
            ("万建华", "户主", 'M', 19620314, "健康", "普通劳动力", "初中", "", "乡（镇）内务工", 6),
            ("熊春兰", "配偶", 'F', 19640802, "患有大病", "丧失劳动力", "小学", "", "", 0),
            ("万志强", "之子", 'M', 19871120, "健康", "技能劳动力", "高中", "", "县外省内务工", 11),
            ("万小燕", "之女", 'F', 19970509, "健康", "普通劳动力", "", "大专及以上", "", 0),
            ("刘桂英", "之母", 'F', 19360125, "长期慢性病", "无劳动力", "文盲或半文盲", "", "", 0),
        ],
    },
    Spec {
        no: 2,
        group: 2,
        attribute: DIBAO,
        main_cause: "因残",
        other_causes: &["缺劳动力"],
        exit_year: 2019,
        members: &[
            ("李国平", "户主", 'M', 19700618, "残疾", "弱劳动力或半劳动力", "小学", "", "", 0),
            ("胡美华", "配偶", 'F', 19720930, "健康", "普通劳动力", "初中", "", "乡（镇）内务工", 10),
            ("李文杰", "之子", 'M', 20010412, "健康", "普通劳动力", "", "中职三年级", "", 0),
            ("李婷", "之女", 'F', 20061003, "健康", "", "", "七年级", "", 0),
        ],
    },
    Spec {
        no: 3,
        group: 2,
        attribute: ORDINARY,
        main_cause: "因学",
        other_causes: &["缺资金"],
        exit_year: 2017,
        members: &[
            ("吴新民", "户主", 'M', 19680221, "健康", "普通劳动力", "初中", "", "省外务工", 10),
            ("万秋菊", "配偶", 'F', 19701108, "长期慢性病", "弱劳动力或半劳动力", "小学", "", "", 0),
            ("吴浩", "之子", 'M', 19980715, "健康", "普通劳动力", "", "高职三年级", "", 0),
        ],
    },
    Spec {
        no: 4,
        group: 3,
        attribute: WUBAO,
        main_cause: "缺劳动力",
        other_causes: &["因病"],
        exit_year: 2019,
        members: &[
            ("万金根", "户主", 'M', 19411205, "长期慢性病", "无劳动力", "文盲或半文盲", "", "", 0),
        ],
    },
    Spec {
        no: 5,
        group: 3,
        attribute: ORDINARY,
        main_cause: "缺资金",
        other_causes: &["缺技术"],
        exit_year: 2017,
        members: &[
            ("熊勇", "户主", 'M', 19750428, "健康", "技能劳动力", "初中", "", "乡（镇）外县内务工", 10),
            ("章小红", "配偶", 'F', 19780117, "健康", "普通劳动力", "初中", "", "乡（镇）内务工", 6),
            ("熊佳怡", "之女", 'F', 20020911, "健康", "普通劳动力", "", "高中二年级", "", 0),
            ("熊子豪", "之子", 'M', 20080306, "健康", "", "", "小学", "", 0),
        ],
    },
    Spec {
        no: 6,
        group: 4,
        attribute: DIBAO,
        main_cause: "因病",
        other_causes: &["缺劳动力"],
        exit_year: 2019,
        members: &[
            ("胡长生", "户主", 'M', 19501010, "患有大病", "丧失劳动力", "小学", "", "", 0),
            ("邹玉梅", "配偶", 'F', 19530522, "长期慢性病", "弱劳动力或半劳动力", "文盲或半文盲", "", "", 0),
        ],
    },
    Spec {
        no: 7,
        group: 4,
        attribute: ORDINARY,
        main_cause: "因残",
        other_causes: &["因病"],
        exit_year: 2018,
        members: &[
            ("万小平", "户主", 'M', 19660719, "健康", "普通劳动力", "初中", "", "乡（镇）内务工", 9),
            ("黄秀英", "配偶", 'F', 19670303, "长期慢性病", "弱劳动力或半劳动力", "小学", "", "", 0),
            ("万磊", "之子", 'M', 19921226, "残疾", "丧失劳动力", "初中", "", "", 0),
        ],
    },
    Spec {
        no: 8,
        group: 5,
        attribute: ORDINARY,
        main_cause: "缺资金",
        other_causes: &["缺技术"],
        exit_year: 2018,
        members: &[
            ("李建军", "户主", 'M', 19790909, "健康", "普通劳动力", "初中", "", "县外省内务工", 10),
            ("万丽萍", "配偶", 'F', 19810214, "健康", "普通劳动力", "初中", "", "乡（镇）内务工", 8),
            ("李欣怡", "之女", 'F', 20050630, "健康", "", "", "八年级", "", 0),
            ("李俊杰", "之子", 'M', 20091118, "健康", "", "", "小学", "", 0),
            ("李福来", "之父", 'M', 19490404, "长期慢性病", "弱劳动力或半劳动力", "小学", "", "", 0),
        ],
    },
    Spec {
        no: 9,
        group: 5,
        attribute: ORDINARY,
        main_cause: "因学",
        other_causes: &["缺劳动力"],
        exit_year: 2019,
        members: &[
            ("熊爱莲", "户主", 'F', 19730825, "健康", "普通劳动力", "小学", "", "乡（镇）内务工", 10),
            ("涂伟", "之子", 'M', 19990319, "健康", "普通劳动力", "", "高职二年级", "", 0),
            ("涂佳琪", "之女", 'F', 20031201, "健康", "", "", "高中一年级", "", 0),
        ],
    },
    Spec {
        no: 10,
        group: 6,
        attribute: DIBAO,
        main_cause: "缺劳动力",
        other_causes: &["因病"],
        exit_year: 2019,
        members: &[
            ("周桂香", "户主", 'F', 19440616, "长期慢性病", "无劳动力", "文盲或半文盲", "", "", 0),
            ("吴晨", "之孙子", 'M', 20070505, "健康", "", "", "小学", "", 0),
        ],
    },
    Spec {
        no: 11,
        group: 6,
        attribute: ORDINARY,
        main_cause: "因病",
        other_causes: &["缺资金"],
        exit_year: 2019,
        members: &[
            ("万春生", "户主", 'M', 19580130, "长期慢性病", "弱劳动力或半劳动力", "小学", "", "", 0),
            ("涂冬英", "配偶", 'F', 19601212, "健康", "普通劳动力", "文盲或半文盲", "", "乡（镇）内务工", 6),
            ("万建平", "之子", 'M', 19840517, "健康", "普通劳动力", "初中", "", "省外务工", 11),
            ("徐丽", "之儿媳", 'F', 19861021, "健康", "普通劳动力", "初中", "", "省外务工", 11),
        ],
    },
    Spec {
        no: 12,
        group: 7,
        attribute: ORDINARY,
        main_cause: "缺技术",
        other_causes: &["缺资金"],
        exit_year: 2016,
        members: &[
            ("胡国庆", "户主", 'M', 19711001, "健康", "普通劳动力", "小学", "", "乡（镇）外县内务工", 9),
            ("李冬梅", "配偶", 'F', 19741220, "健康", "普通劳动力", "小学", "", "乡（镇）内务工", 6),
            ("胡晓东", "之子", 'M', 19970208, "健康", "技能劳动力", "高中", "非在校生", "县外省内务工", 12),
        ],
    },
    Spec {
        no: 13,
        group: 7,
        attribute: ORDINARY,
        main_cause: "因灾",
        other_causes: &["缺资金"],
        exit_year: 2018,
        members: &[
            ("熊水根", "户主", 'M', 19650515, "健康", "普通劳动力", "小学", "", "乡（镇）内务工", 5),
            ("万桂兰", "配偶", 'F', 19660907, "长期慢性病", "弱劳动力或半劳动力", "文盲或半文盲", "", "", 0),
            ("熊芳", "之女", 'F', 20000122, "健康", "普通劳动力", "", "中职三年级", "", 0),
        ],
    },
    Spec {
        no: 14,
        group: 8,
        attribute: ORDINARY,
        main_cause: "因病",
        other_causes: &["缺劳动力"],
        exit_year: 2019,
        members: &[
            ("李水生", "户主", 'M', 19550202, "患有大病", "丧失劳动力", "小学", "", "", 0),
            ("吴菊香", "配偶", 'F', 19570707, "健康", "弱劳动力或半劳动力", "文盲或半文盲", "", "", 0),
            ("李红", "之女", 'F', 19900414, "健康", "普通劳动力", "初中", "", "省外务工", 12),
        ],
    },
];

/// 塔岗's incomes in yuan: (household no., year, [wage, business (gross), property, of which
/// dividends, transfer, business cost]). Property includes, from 2017, the dividends of the
/// poverty-alleviation projects paid to all 14 households, and from 2018 rent for land let to the
/// peony garden. Σ net 2016 = 250,110 yuan and Σ net 2018 = 336,015 yuan (tested).
#[rustfmt::skip]
const TAGANG_INCOMES: [(u16, i32, [i64; 6]); 70] = [
    (1, 2015, [15020, 8060, 0, 0, 2340, 3060]), // net 22360, pc 4472
    (1, 2016, [17840, 9580, 0, 0, 2600, 3639]), // net 26381, pc 5276
    (1, 2017, [20870, 11220, 300, 300, 2810, 4262]), // net 30938, pc 6188
    (1, 2018, [24250, 13030, 1400, 600, 3070, 4953]), // net 36797, pc 7359
    (1, 2019, [26780, 14390, 1800, 1000, 3380, 5470]), // net 40880, pc 8176
    (2, 2015, [4150, 8160, 0, 0, 5580, 3098]), // net 14792, pc 3698
    (2, 2016, [5060, 9990, 0, 0, 6200, 3798]), // net 17452, pc 4363
    (2, 2017, [6210, 12230, 300, 300, 6700, 4650]), // net 20790, pc 5198
    (2, 2018, [7150, 14080, 1800, 600, 7320, 5348]), // net 25002, pc 6250
    (2, 2019, [7880, 15540, 2200, 1000, 8060, 5904]), // net 27776, pc 6944
    (3, 2015, [12360, 4970, 0, 0, 810, 1886]), // net 16254, pc 5418
    (3, 2016, [14620, 5900, 0, 0, 900, 2243]), // net 19177, pc 6392
    (3, 2017, [16090, 6490, 300, 300, 970, 2466]), // net 21384, pc 7128
    (3, 2018, [17950, 7240, 1000, 600, 1060, 2752]), // net 24498, pc 8166
    (3, 2019, [19720, 7950, 1400, 1000, 1170, 3024]), // net 27216, pc 9072
    (4, 2015, [0, 0, 0, 0, 3780, 0]), // net 3780, pc 3780
    (4, 2016, [0, 0, 0, 0, 4200, 0]), // net 4200, pc 4200
    (4, 2017, [0, 0, 300, 300, 4560, 0]), // net 4860, pc 4860
    (4, 2018, [0, 0, 1400, 600, 4920, 0]), // net 6320, pc 6320
    (4, 2019, [0, 0, 1800, 1000, 5400, 0]), // net 7200, pc 7200
    (5, 2015, [19110, 7700, 0, 0, 540, 2926]), // net 24424, pc 6106
    (5, 2016, [22935, 9110, 0, 0, 600, 3464]), // net 29181, pc 7295
    (5, 2017, [25220, 10160, 300, 300, 650, 3858]), // net 32472, pc 8118
    (5, 2018, [27718, 11300, 1800, 600, 710, 4297]), // net 37231, pc 9308
    (5, 2019, [30950, 12470, 2200, 1000, 780, 4736]), // net 41664, pc 10416
    (6, 2015, [0, 3310, 0, 0, 4140, 1258]), // net 6192, pc 3096
    (6, 2016, [0, 4360, 0, 0, 4600, 1655]), // net 7305, pc 3652
    (6, 2017, [0, 5390, 300, 300, 4970, 2047]), // net 8613, pc 4306
    (6, 2018, [0, 6210, 1000, 600, 5430, 2357]), // net 10283, pc 5142
    (6, 2019, [0, 6520, 1400, 1000, 5980, 2476]), // net 11424, pc 5712
    (7, 2015, [6770, 7270, 0, 0, 1620, 2760]), // net 12900, pc 4300
    (7, 2016, [8050, 8660, 0, 0, 1800, 3290]), // net 15220, pc 5073
    (7, 2017, [9260, 9950, 300, 300, 1940, 3778]), // net 17672, pc 5891
    (7, 2018, [10410, 11190, 1400, 600, 2120, 4251]), // net 20869, pc 6956
    (7, 2019, [11430, 12280, 1800, 1000, 2340, 4666]), // net 23184, pc 7728
    (8, 2015, [18020, 9680, 0, 0, 1350, 3680]), // net 25370, pc 5074
    (8, 2016, [21320, 11470, 0, 0, 1500, 4358]), // net 29932, pc 5986
    (8, 2017, [23990, 12900, 300, 300, 1620, 4902]), // net 33908, pc 6782
    (8, 2018, [26810, 14420, 1800, 600, 1770, 5482]), // net 39318, pc 7864
    (8, 2019, [29650, 15940, 2200, 1000, 1950, 6060]), // net 43680, pc 8736
    (9, 2015, [7550, 5220, 0, 0, 1080, 1982]), // net 11868, pc 3956
    (9, 2016, [8960, 6200, 0, 0, 1200, 2358]), // net 14002, pc 4667
    (9, 2017, [10520, 7280, 300, 300, 1300, 2768]), // net 16632, pc 5544
    (9, 2018, [12280, 8490, 1000, 600, 1420, 3229]), // net 19961, pc 6654
    (9, 2019, [13450, 9300, 1400, 1000, 1560, 3534]), // net 22176, pc 7392
    (10, 2015, [0, 2610, 0, 0, 4230, 992]), // net 5848, pc 2924
    (10, 2016, [0, 3550, 0, 0, 4700, 1350]), // net 6900, pc 3450
    (10, 2017, [0, 4580, 300, 300, 5080, 1743]), // net 8217, pc 4108
    (10, 2018, [0, 4730, 1400, 600, 5550, 1800]), // net 9880, pc 4940
    (10, 2019, [0, 4950, 1800, 1000, 6110, 1884]), // net 10976, pc 5488
    (11, 2015, [18300, 5220, 0, 0, 1170, 1986]), // net 22704, pc 5676
    (11, 2016, [21660, 6170, 0, 0, 1300, 2343]), // net 26787, pc 6697
    (11, 2017, [23800, 6770, 300, 300, 1400, 2570]), // net 29700, pc 7425
    (11, 2018, [25960, 7390, 1800, 600, 1530, 2806]), // net 33874, pc 8468
    (11, 2019, [28680, 8160, 2200, 1000, 1690, 3098]), // net 37632, pc 9408
    (12, 2015, [15410, 4380, 0, 0, 450, 1664]), // net 18576, pc 6192
    (12, 2016, [18200, 5190, 0, 0, 500, 1974]), // net 21916, pc 7305
    (12, 2017, [20490, 5840, 300, 300, 540, 2222]), // net 24948, pc 8316
    (12, 2018, [23330, 6640, 1000, 600, 590, 2525]), // net 29035, pc 9678
    (12, 2019, [25680, 7300, 1400, 1000, 650, 2774]), // net 32256, pc 10752
    (13, 2015, [8240, 7170, 0, 0, 990, 2726]), // net 13674, pc 4558
    (13, 2016, [9770, 8490, 0, 0, 1100, 3227]), // net 16133, pc 5378
    (13, 2017, [11100, 9630, 300, 300, 1190, 3658]), // net 18562, pc 6187
    (13, 2018, [12400, 10770, 1400, 600, 1300, 4094]), // net 21776, pc 7259
    (13, 2019, [13630, 11830, 1800, 1000, 1430, 4498]), // net 24192, pc 8064
    (14, 2015, [7760, 5370, 0, 0, 2070, 2042]), // net 13158, pc 4386
    (14, 2016, [9260, 6390, 0, 0, 2300, 2426]), // net 15524, pc 5175
    (14, 2017, [10630, 7350, 300, 300, 2480, 2792]), // net 17968, pc 5989
    (14, 2018, [11660, 8070, 1800, 600, 2710, 3069]), // net 21171, pc 7057
    (14, 2019, [12830, 8870, 2200, 1000, 2990, 3370]), // net 23520, pc 7840
];

/// The granddaughter born in 2021 in household 11 (a member change after the registration years).
fn tagang_birth() -> Person {
    Person {
        name: "万雨涵".to_string(),
        relation: "之孙女",
        male: false,
        born: ymd(20210318),
        health: "健康",
        labour: "",
        education: "",
        schooling: "",
        work: "",
        work_months: 0,
        joined: Some(("新生儿", ymd(20210318))),
    }
}

/// Status history after registration: exit at the year-end review (2020's a little earlier, before
/// the national evaluation).
fn exit_change(year: i32) -> StatusChangeInput {
    let date = if year == 2020 {
        ymd(20201130)
    } else {
        ymd(year as u32 * 10_000 + 1220)
    };
    StatusChangeInput {
        to: HouseholdStatus::Exited,
        date,
        reason: "年度脱贫退出".to_string(),
        exit_year: Some(year),
    }
}

fn initial_status() -> InitialStatus {
    InitialStatus {
        status: HouseholdStatus::Poor,
        date: ymd(REGISTERED_ON),
        reason: Some("建档立卡（2014年精准识别）".to_string()),
        exit_year: None,
    }
}

fn fen(yuan: i64) -> i64 {
    yuan * 100
}

fn income(c: [i64; 6]) -> IncomeInput {
    let [wage, business, property, dividend, transfer, cost] = c;
    IncomeInput {
        wage_fen: fen(wage),
        business_fen: fen(business),
        property_fen: fen(property),
        dividend_fen: (dividend > 0).then(|| fen(dividend)),
        transfer_fen: fen(transfer),
        business_cost_fen: fen(cost),
        note: None,
    }
}

/// Living conditions after the housing and water works most households saw by 2017.
fn living(no: u16, persons: usize, renovated: bool, cooperative: bool) -> LivingConditions {
    // Areas and distances are worked out in tenths and divided once, so that they read 3.2, not
    // 3.2000000000000003.
    let tenths = |t: u32| f64::from(t) / 10.0;
    let persons = persons as u32;
    let farmland = 10 + 8 * persons;
    LivingConditions {
        housing_grade: Some(
            match no % 3 {
                _ if renovated => "A",
                0 => "A",
                _ => "B",
            }
            .to_string(),
        ),
        housing_area_m2: Some(f64::from(45 + 15 * persons)),
        housing_renovated_year: renovated.then_some(2017),
        safe_drinking_water: Some(true),
        drinking_water_difficulty: Some(false),
        electricity_living: Some(true),
        electricity_production: Some(true),
        radio_tv: Some(true),
        road_type: Some("水泥路".to_string()),
        road_distance_km: Some(tenths(2 + u32::from(no) * 3 % 12)),
        sanitary_toilet: Some(true),
        fuel_type: Some(
            match no % 2 {
                0 => "清洁能源",
                _ => "柴草",
            }
            .to_string(),
        ),
        farmland_mu: Some(tenths(farmland)),
        irrigated_mu: Some(tenths(farmland * 3 / 4)),
        forest_mu: None,
        orchard_mu: None,
        pasture_mu: None,
        water_surface_mu: None,
        in_cooperative: Some(cooperative),
    }
}

#[allow(clippy::too_many_arguments)]
fn household_input(
    village: &str,
    village_short: &str,
    no: u16,
    group: u8,
    attribute: &str,
    main_cause: &str,
    other_causes: &[&str],
    living: LivingConditions,
) -> HouseholdInput {
    HouseholdInput {
        household_number: format!("{village}{no:04}"),
        village_code: village.to_string(),
        group_name: Some(format!("第{group}村民小组")),
        address: Some(format!("罗溪镇{village_short}第{group}组")),
        phone: None,
        bank_name: None,
        bank_account: None,
        attribute: attribute.to_string(),
        identification_standard: "国家标准".to_string(),
        identification_year: 2014,
        main_cause: main_cause.to_string(),
        other_causes: other_causes.iter().map(|c| c.to_string()).collect(),
        living,
        relocation: None,
    }
}

fn tagang_households(ids: &mut IdSequence) -> Vec<DemoHousehold> {
    TAGANG_SPECS
        .iter()
        .map(|s| {
            let persons: Vec<Person> = s.members.iter().map(person).collect();
            let members = persons.iter().map(|p| p.input(ids)).collect();
            // The elderly households' C-grade houses were rebuilt under 危房改造 in 2017.
            let renovated = matches!(s.no, 4 | 6 | 10);
            let household = household_input(
                TAGANG,
                "塔岗村",
                s.no,
                s.group,
                s.attribute,
                s.main_cause,
                s.other_causes,
                living(s.no, persons.len(), renovated, true),
            );
            let joins = if s.no == 11 {
                vec![tagang_birth().input(ids)]
            } else {
                Vec::new()
            };
            DemoHousehold {
                new: NewHousehold {
                    household,
                    members,
                    initial_status: Some(initial_status()),
                },
                status_changes: vec![exit_change(s.exit_year)],
                incomes: TAGANG_INCOMES
                    .iter()
                    .filter(|(no, _, _)| *no == s.no)
                    .map(|(_, year, c)| (*year, income(*c)))
                    .collect(),
                joins,
            }
        })
        .collect()
}

/// A neighbouring village of 罗溪镇 with synthetic households, so that township and county figures
/// add up over more than one village.
struct Neighbour {
    code: &'static str,
    short: &'static str,
    households: u16,
    /// Surnames common in the village.
    surnames: &'static [&'static str],
    rural_population_2015: i64,
    collective_income_2015_yuan: i64,
}

const NEIGHBOURS: [Neighbour; 3] = [
    Neighbour {
        code: "360124106205",
        short: "三房村",
        households: 8,
        surnames: &["万", "熊", "涂"],
        rural_population_2015: 1_846,
        collective_income_2015_yuan: 21_000,
    },
    Neighbour {
        code: "360124106206",
        short: "章岗村",
        households: 6,
        surnames: &["章", "胡"],
        rural_population_2015: 1_127,
        collective_income_2015_yuan: 12_000,
    },
    Neighbour {
        code: "360124106201",
        short: "连塘村",
        households: 10,
        surnames: &["刘", "陈", "吴", "徐"],
        rural_population_2015: 2_389,
        collective_income_2015_yuan: 35_000,
    },
];

const MEN: [&str; 20] = [
    "国华", "志刚", "永明", "春华", "德明", "金水", "文斌", "海波", "明辉", "福生", "冬生", "水平",
    "卫东", "立新", "桂生", "爱民", "建新", "庆华", "细根", "有才",
];
const WOMEN: [&str; 16] = [
    "秀英", "桂花", "玉兰", "冬梅", "春燕", "小芳", "丽华", "金凤", "美玲", "月娥", "菊英", "翠兰",
    "水仙", "凤英", "腊梅", "红霞",
];
const BOYS: [&str; 10] = [
    "浩然", "子轩", "宇航", "俊豪", "嘉伟", "文博", "思远", "家乐", "晨阳", "一鸣",
];
const GIRLS: [&str; 10] = [
    "欣怡", "雨萱", "梦琪", "思雨", "佳慧", "诗涵", "可欣", "雅婷", "静怡", "若曦",
];
/// Surnames of women who married into the village.
const WIVES: [&str; 10] = ["熊", "胡", "涂", "邹", "章", "黄", "徐", "罗", "陈", "杨"];

/// Education, schooling and labour ability of a child or young person by age on the recording date.
fn by_age(born: Date) -> (&'static str, &'static str, &'static str) {
    let age = age_on(born, ymd(RECORDED_ON));
    let schooling = match age {
        ..=2 => "",
        3..=5 => "学前教育",
        6..=11 => "小学",
        12 => "七年级",
        13 => "八年级",
        14 => "九年级",
        15 => "高中一年级",
        16 => "高中二年级",
        17 => "高中三年级",
        _ => "大专及以上",
    };
    let education = if (3..=5).contains(&age) {
        "学龄前儿童"
    } else {
        ""
    };
    let labour = if age >= 16 { "普通劳动力" } else { "" };
    (education, schooling, labour)
}

/// What a synthetic household looks like, by kind.
struct Kind {
    attribute: &'static str,
    main_cause: &'static str,
    other_causes: &'static [&'static str],
    /// Share of earned income from wages, in per cent.
    wage_pct: i64,
    /// Transfer income in 2016, yuan.
    transfer_2016: i64,
    /// Per-capita net income in 2016, yuan, before the household's own variation.
    per_capita_2016: i64,
}

const KINDS: [Kind; 7] = [
    Kind {
        attribute: ORDINARY,
        main_cause: "缺资金",
        other_causes: &["缺技术"],
        wage_pct: 75,
        transfer_2016: 600,
        per_capita_2016: 5_400,
    },
    Kind {
        attribute: DIBAO,
        main_cause: "因病",
        other_causes: &["缺劳动力"],
        wage_pct: 0,
        transfer_2016: 4_400,
        per_capita_2016: 3_700,
    },
    Kind {
        attribute: ORDINARY,
        main_cause: "因残",
        other_causes: &["缺资金"],
        wage_pct: 55,
        transfer_2016: 1_900,
        per_capita_2016: 4_800,
    },
    Kind {
        attribute: ORDINARY,
        main_cause: "因学",
        other_causes: &["缺资金"],
        wage_pct: 80,
        transfer_2016: 700,
        per_capita_2016: 4_900,
    },
    Kind {
        attribute: WUBAO,
        main_cause: "缺劳动力",
        other_causes: &["因病"],
        wage_pct: 0,
        transfer_2016: 4_300,
        per_capita_2016: 4_300,
    },
    Kind {
        attribute: ORDINARY,
        main_cause: "缺技术",
        other_causes: &["缺资金"],
        wage_pct: 70,
        transfer_2016: 900,
        per_capita_2016: 5_200,
    },
    Kind {
        attribute: ORDINARY,
        main_cause: "因病",
        other_causes: &["缺资金"],
        wage_pct: 75,
        transfer_2016: 800,
        per_capita_2016: 4_600,
    },
];

/// The members of a synthetic household of `kind`, the `i`-th of village `v`.
#[rustfmt::skip]
fn kind_members(kind: usize, v: usize, i: usize, surname: &str) -> Vec<Person> {
    let shift = ((v * 3 + i * 7) % 9) as i32 - 4;
    let child_shift = ((v + i) % 5) as i32 - 2;
    let mut k = v * 7 + i * 3;
    let mut date = |year: i32| {
        k += 1;
        let month = Month::try_from((1 + (k * 5) % 12) as u8).expect("month");
        Date::from_calendar_date(year, month, (1 + (k * 11) % 28) as u8).expect("date")
    };
    let wife = {
        let w = WIVES[(v * 3 + i) % WIVES.len()];
        if w == surname {
            WIVES[(v * 3 + i + 1) % WIVES.len()]
        } else {
            w
        }
    };
    let man = |j: usize| format!("{surname}{}", MEN[(v * 7 + i * 3 + j) % MEN.len()]);
    let woman = |s: &str, j: usize| format!("{s}{}", WOMEN[(v * 5 + i * 3 + j) % WOMEN.len()]);
    let boy = |j: usize| format!("{surname}{}", BOYS[(v * 3 + i + j) % BOYS.len()]);
    let girl = |j: usize| format!("{surname}{}", GIRLS[(v * 3 + i + j) % GIRLS.len()]);
    let adult = |name: String,
                 relation: &'static str,
                 male: bool,
                 born: Date,
                 health: &'static str,
                 labour: &'static str,
                 education: &'static str,
                 work: &'static str,
                 work_months: i32| Person {
        name,
        relation,
        male,
        born,
        health,
        labour,
        education,
        schooling: "",
        work,
        work_months,
        joined: None,
    };
    let child = |name: String, relation: &'static str, male: bool, born: Date| {
        let (education, schooling, labour) = by_age(born);
        Person {
            name,
            relation,
            male,
            born,
            health: "健康",
            labour,
            education,
            schooling,
            work: "",
            work_months: 0,
            joined: None,
        }
    };
    const OK: &str = "健康";
    const CHRONIC: &str = "长期慢性病";
    const FULL: &str = "普通劳动力";
    const WEAK: &str = "弱劳动力或半劳动力";
    match kind {
        0 => vec![
            adult(man(0), "户主", true, date(1974 + shift), OK, FULL, "初中", "县外省内务工", 10),
            adult(woman(wife, 0), "配偶", false, date(1976 + shift), OK, FULL, "初中", "乡（镇）内务工", 6),
            child(boy(0), "之子", true, date(2002 + child_shift)),
            child(girl(0), "之女", false, date(2006 + child_shift)),
        ],
        1 => vec![
            adult(man(0), "户主", true, date(1949 + shift), "患有大病", "丧失劳动力", "小学", "", 0),
            adult(woman(wife, 0), "配偶", false, date(1952 + shift), CHRONIC, WEAK, "文盲或半文盲", "", 0),
        ],
        2 => vec![
            adult(man(0), "户主", true, date(1966 + shift), OK, FULL, "初中", "乡（镇）内务工", 9),
            adult(woman(wife, 0), "配偶", false, date(1968 + shift), OK, WEAK, "小学", "", 0),
            adult(man(1), "之子", true, date(1991 + shift), "残疾", "丧失劳动力", "初中", "", 0),
        ],
        3 => vec![
            adult(man(0), "户主", true, date(1972 + shift), OK, FULL, "初中", "省外务工", 11),
            adult(woman(wife, 0), "配偶", false, date(1974 + shift), CHRONIC, WEAK, "小学", "", 0),
            child(boy(0), "之子", true, date(2003 + child_shift)),
            child(girl(0), "之女", false, date(2007 + child_shift)),
        ],
        4 => vec![adult(man(0), "户主", true, date(1940 + shift), CHRONIC, "无劳动力", "文盲或半文盲", "", 0)],
        5 => {
            let daughter_in_law = WIVES[(v * 3 + i + 5) % WIVES.len()];
            vec![
                adult(man(0), "户主", true, date(1958 + shift), OK, FULL, "小学", "乡（镇）内务工", 6),
                adult(woman(wife, 0), "配偶", false, date(1960 + shift), OK, WEAK, "文盲或半文盲", "", 0),
                adult(man(1), "之子", true, date(1983 + shift), OK, FULL, "初中", "省外务工", 10),
                adult(woman(daughter_in_law, 1), "之儿媳", false, date(1985 + shift), OK, FULL, "初中", "省外务工", 10),
                child(boy(1), "之孙子", true, date(2010 + child_shift)),
            ]
        }
        _ => vec![
            adult(woman(wife, 0), "户主", false, date(1957 + shift), CHRONIC, WEAK, "小学", "", 0),
            adult(man(1), "之子", true, date(1983 + shift), OK, FULL, "初中", "县外省内务工", 11),
        ],
    }
}

/// Incomes 2015–2019 of a synthetic household: its kind's per-capita level, varied by ±10% per
/// household and grown like 塔岗's, split into transfer, wages and farming (38% cost ratio).
fn kind_incomes(kind: &Kind, persons: i64, v: usize, i: usize) -> Vec<(i32, IncomeInput)> {
    let variation = 90 + ((v * 13 + i * 29) % 21) as i64;
    let round10 = |x: i64| (x + 5) / 10 * 10;
    [
        (2015, 86, 90),
        (2016, 100, 100),
        (2017, 116, 108),
        (2018, 133, 118),
        (2019, 148, 130),
    ]
    .into_iter()
    .map(|(year, growth, transfer_growth)| {
        let net = round10(kind.per_capita_2016 * persons * growth * variation / 10_000);
        let transfer = if kind.attribute == WUBAO {
            net // 五保: lives on 特困供养金 and pension alone
        } else {
            round10(kind.transfer_2016 * transfer_growth / 100)
        };
        let earned = net - transfer;
        let wage = round10(earned * kind.wage_pct / 100);
        let business_net = earned - wage;
        let business = round10(business_net * 100 / 62);
        let c = [wage, business, 0, 0, transfer, business - business_net];
        (year, income(c))
    })
    .collect()
}

fn neighbour_households(v: usize, village: &Neighbour, ids: &mut IdSequence) -> Vec<DemoHousehold> {
    (0..usize::from(village.households))
        .map(|i| {
            let no = i as u16 + 1;
            let k = (i + v * 2) % KINDS.len();
            let kind = &KINDS[k];
            let surname = village.surnames[i % village.surnames.len()];
            let persons = kind_members(k, v, i, surname);
            let renovated = matches!(k, 1 | 4);
            let household = household_input(
                village.code,
                village.short,
                no,
                (i / 2 + 1) as u8,
                kind.attribute,
                kind.main_cause,
                kind.other_causes,
                living(no, persons.len(), renovated, false),
            );
            let exit_year = 2016 + ((i + v) % 5) as i32;
            let mut status_changes = vec![exit_change(exit_year)];
            if v == 0 && i == 2 {
                // One exited household of 三房 falls ill again and is monitored, then the risk clears.
                status_changes.push(StatusChangeInput {
                    to: HouseholdStatus::Monitored,
                    date: ymd(20210715),
                    reason: "因病支出骤增，纳入防返贫监测（脱贫不稳定户）".to_string(),
                    exit_year: None,
                });
                status_changes.push(StatusChangeInput {
                    to: HouseholdStatus::RiskEliminated,
                    date: ymd(20221210),
                    reason: "医疗保障到位、收入稳定，风险消除".to_string(),
                    exit_year: None,
                });
            }
            DemoHousehold {
                incomes: kind_incomes(kind, persons.len() as i64, v, i),
                new: NewHousehold {
                    household,
                    members: persons.iter().map(|p| p.input(ids)).collect(),
                    initial_status: Some(initial_status()),
                },
                status_changes,
                joins: Vec::new(),
            }
        })
        .collect()
}

/// Village profiles: 塔岗's collective income from the seed (2015 under 5,000 yuan, 70,000 yuan by
/// 2018) and rural population; the neighbours' figures are synthetic.
fn village_profiles() -> Vec<DemoVillageProfile> {
    const SOURCE: &str = "农民日报 2019-08-30";
    let tagang: [(i32, Option<i64>, i64, Option<String>); 6] = [
        (2014, None, 1_332, None),
        (
            2015,
            Some(480_000),
            1_326,
            Some(format!("{SOURCE}：2015年不足0.5万元")),
        ),
        (2016, Some(1_500_000), 1_318, None),
        (2017, Some(3_800_000), 1_305, None),
        (
            2018,
            Some(7_000_000),
            1_296,
            Some(format!("{SOURCE}：现在7万元")),
        ),
        (2019, Some(7_000_000), 1_288, None),
    ];
    let mut out: Vec<DemoVillageProfile> = tagang
        .into_iter()
        .map(|(year, income, population, note)| DemoVillageProfile {
            village: code(TAGANG),
            year,
            input: VillageProfileInput {
                collective_income_fen: income,
                rural_population: Some(population),
                note,
            },
        })
        .collect();
    for n in &NEIGHBOURS {
        for (k, year) in (2015..=2019).enumerate() {
            let growth = [100, 130, 170, 220, 260][k];
            out.push(DemoVillageProfile {
                village: code(n.code),
                year,
                input: VillageProfileInput {
                    collective_income_fen: Some(fen(n.collective_income_2015_yuan * growth / 100)),
                    rural_population: Some(n.rural_population_2015 - 6 * k as i64),
                    note: None,
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fupin_core::codes::{table, CodeBook};
    use fupin_core::id_number::{IdNumber, Sex};
    use fupin_core::money::div_round;
    use fupin_core::regions::RegionRef;
    use fupin_core::registry::{validate_new_members, HouseholdStatus, MemberData};
    use fupin_core::reports::{growth_pct, Aggregates, HouseholdFacts, ProfileTotals, RegionStats};
    use std::collections::{BTreeMap, BTreeSet};
    use time::macros::date;

    /// A fixed "today" after the last dated event of the dataset (2022-12-10).
    const TODAY: Date = date!(2025 - 06 - 30);

    fn in_village<'a>(d: &'a DemoDataset, village: &str) -> Vec<&'a DemoHousehold> {
        d.households
            .iter()
            .filter(|h| h.new.household.village_code == village)
            .collect()
    }

    fn net(i: &IncomeInput) -> i64 {
        i.wage_fen + i.business_fen + i.property_fen + i.transfer_fen - i.business_cost_fen
    }

    /// Σ net of a village's households for a year.
    fn village_net(d: &DemoDataset, village: &str, year: i32) -> i64 {
        in_village(d, village)
            .iter()
            .flat_map(|h| h.incomes.iter())
            .filter(|(y, _)| *y == year)
            .map(|(_, i)| net(i))
            .sum()
    }

    fn validated(h: &DemoHousehold) -> Vec<MemberData> {
        validate_new_members(&h.new.members, &CodeBook::defaults(), TODAY)
            .unwrap_or_else(|e| panic!("{}: {e}", h.new.household.household_number))
    }

    #[test]
    fn tagang_has_14_households_and_45_persons() {
        let d = demo_dataset();
        let tagang = in_village(&d, TAGANG);
        assert_eq!(tagang.len(), TAGANG_HOUSEHOLD_COUNT);
        let persons: usize = tagang.iter().map(|h| h.new.members.len()).sum();
        assert_eq!(persons as i64, TAGANG_PERSON_COUNT);
        // later joins do not touch the registration years
        for h in &d.households {
            for j in &h.joins {
                assert!(j.joined.as_ref().unwrap().date.year() >= 2021);
            }
        }
        let numbers: Vec<_> = tagang
            .iter()
            .map(|h| h.new.household.household_number.as_str())
            .collect();
        assert_eq!(numbers[0], "3601241062040001");
        assert_eq!(numbers[13], "3601241062040014");
    }

    #[test]
    fn tagang_incomes_give_the_seed_figures_exactly() {
        let d = demo_dataset();
        let n16 = village_net(&d, TAGANG, 2016);
        let n18 = village_net(&d, TAGANG, 2018);
        assert_eq!(n16, 555_800 * 45);
        assert_eq!(n16, 25_011_000);
        assert_eq!(n18, 746_700 * 45);
        assert_eq!(n18, 33_601_500);
        assert_eq!(div_round(n16, TAGANG_PERSON_COUNT), Some(555_800));
        assert_eq!(div_round(n18, TAGANG_PERSON_COUNT), Some(746_700));
        assert_eq!(growth_pct(555_800, 746_700), Some(34.3));
        // every 塔岗 household has an income record for 2015–2019
        for h in in_village(&d, TAGANG) {
            let years: Vec<i32> = h.incomes.iter().map(|(y, _)| *y).collect();
            assert_eq!(years, [2015, 2016, 2017, 2018, 2019]);
        }
        // and per capita rises year by year
        let pcs: Vec<i64> = (2015..=2019)
            .map(|y| village_net(&d, TAGANG, y) / TAGANG_PERSON_COUNT)
            .collect();
        assert!(pcs.windows(2).all(|w| w[0] < w[1]), "{pcs:?}");
    }

    /// The same figures as a store computes them: household facts → (village, year) aggregates →
    /// region statistics, with the definitions of core (persons present on 31 December).
    #[test]
    fn aggregates_of_core_reproduce_the_seed_figures() {
        let d = demo_dataset();
        let codes = CodeBook::defaults();
        let mut agg = Aggregates::default();
        for h in in_village(&d, TAGANG) {
            let mut statuses = vec![(ymd(REGISTERED_ON), HouseholdStatus::Poor)];
            statuses.extend(h.status_changes.iter().map(|c| (c.date, c.to)));
            let mut members: Vec<(Option<Date>, Option<Date>)> =
                h.new.members.iter().map(|_| (None, None)).collect();
            members.extend(
                h.joins
                    .iter()
                    .map(|j| (Some(j.joined.as_ref().unwrap().date), None)),
            );
            let facts = HouseholdFacts {
                village: code(TAGANG),
                identification_year: 2014,
                main_cause: codes
                    .resolve(
                        table::POVERTY_CAUSE,
                        "main_cause",
                        &h.new.household.main_cause,
                    )
                    .unwrap(),
                statuses,
                members,
                incomes: h
                    .incomes
                    .iter()
                    .map(|(y, i)| {
                        let (c, _) = i.validate(*y, TODAY.year()).unwrap();
                        (*y, c.gross(), c.net())
                    })
                    .collect(),
            };
            agg.add_household(&facts, 2022, 1);
        }
        let region = RegionRef {
            code: code(TAGANG),
            name: "塔岗村委会".into(),
            level: code(TAGANG).level(),
        };
        let stats = |year: i32| {
            let (fig, causes) = agg.total_for(year);
            RegionStats::build(
                region.clone(),
                year,
                &fig,
                &causes,
                ProfileTotals::default(),
                &codes,
            )
        };
        let s16 = stats(2016);
        let mut s18 = stats(2018);
        s18.compare_with(&s16);
        assert_eq!((s18.households, s18.persons), (14, 45));
        assert_eq!(s16.per_capita_net_income_fen, Some(555_800));
        assert_eq!(s18.per_capita_net_income_fen, Some(746_700));
        assert_eq!(s18.per_capita_net_income_growth_pct, Some(34.3));
        let exited = |s: &RegionStats| {
            s.by_status
                .iter()
                .find(|c| c.code == "exited")
                .unwrap()
                .households
        };
        assert_eq!(
            [2016, 2017, 2018, 2019, 2020].map(|y| exited(&stats(y))),
            [1, 3, 7, 14, 14]
        );
        assert_eq!(
            stats(2021).persons,
            46,
            "the 2021 birth counts from 2021 on"
        );
        assert_eq!(stats(2019).persons, 45);
    }

    #[test]
    fn every_record_passes_the_rules_of_core() {
        let d = demo_dataset();
        let codes = CodeBook::defaults();
        for (code, pv) in &d.poor_villages {
            assert!(code.is_village());
            pv.validate(TODAY.year()).unwrap();
        }
        for h in &d.households {
            let number = h.new.household.household_number.clone();
            let data = h
                .new
                .household
                .validate(&codes, TODAY)
                .unwrap_or_else(|e| panic!("{number}: {e}"));
            assert!(number.starts_with(data.village_code.as_str()) && number.len() == 16);
            for m in h.new.members.iter().chain(&h.joins) {
                m.validate(&codes, TODAY)
                    .unwrap_or_else(|e| panic!("{number} {}: {e}", m.name));
            }
            validated(h);
            let initial = h
                .new
                .initial_status
                .as_ref()
                .unwrap()
                .validate(TODAY)
                .unwrap();
            let mut current = initial.status;
            let mut last = initial.date;
            for c in &h.status_changes {
                let ok = c
                    .validate(current, Some(last), TODAY)
                    .unwrap_or_else(|e| panic!("{number}: {e}"));
                current = ok.to;
                last = ok.date;
            }
            for (year, i) in &h.incomes {
                i.validate(*year, TODAY.year())
                    .unwrap_or_else(|e| panic!("{number} {year}: {e}"));
                assert!(net(i) > 0, "{number} {year}");
                assert_eq!(
                    i.business_fen > 0,
                    i.business_cost_fen > 0,
                    "{number} {year}"
                );
            }
        }
        for p in &d.village_profiles {
            p.input.validate(&p.village, p.year, TODAY.year()).unwrap();
        }
        let numbers: BTreeSet<_> = d
            .households
            .iter()
            .map(|h| h.new.household.household_number.clone())
            .collect();
        assert_eq!(
            numbers.len(),
            d.households.len(),
            "household numbers repeat"
        );
    }

    #[test]
    fn id_numbers_are_valid_unique_and_match_sex_and_birth() {
        let d = demo_dataset();
        let mut seen = BTreeSet::new();
        let mut sequences = BTreeSet::new();
        for m in d
            .households
            .iter()
            .flat_map(|h| h.new.members.iter().chain(&h.joins))
        {
            let id = IdNumber::parse(&m.id_number).unwrap_or_else(|e| panic!("{}: {e}", m.name));
            assert_eq!(id.address_code(), "360124");
            assert_eq!(Some(id.birth_date()), m.birth_date);
            let sex = Sex::parse(m.sex.as_deref().unwrap()).unwrap();
            assert_eq!(id.sex(), sex, "{}", m.name);
            assert!(seen.insert(m.id_number.clone()), "{} repeats", m.id_number);
            assert!(
                sequences.insert(m.id_number[14..17].to_string()),
                "sequence number of {} repeats",
                m.name
            );
        }
        assert!(seen.len() > 100, "{} persons", seen.len());
    }

    #[test]
    fn families_are_plausible() {
        let d = demo_dataset();
        let codes = CodeBook::defaults();
        let recorded = ymd(RECORDED_ON);
        for h in &d.households {
            let number = &h.new.household.household_number;
            let members = validated(h);
            let heads: Vec<_> = members.iter().filter(|m| m.is_head()).collect();
            assert_eq!(heads.len(), 1, "{number}");
            let head = heads[0];
            let year = |m: &MemberData| m.birth_date.year();
            for m in &members {
                let rel = codes.label(table::RELATION_TO_HEAD, &m.relation);
                let age = age_on(m.birth_date, recorded);
                match rel {
                    "配偶" => {
                        assert_ne!(m.sex, head.sex, "{number}: spouse of the same sex");
                        assert!((year(m) - year(head)).abs() <= 10, "{number}");
                    }
                    "之子" | "之女" | "之儿媳" | "之女婿" => {
                        assert!(year(m) >= year(head) + 18, "{number}: {rel} too old")
                    }
                    "之孙子" | "之孙女" => assert!(year(m) >= year(head) + 36, "{number}"),
                    "之父" | "之母" => assert!(year(m) <= year(head) - 18, "{number}"),
                    _ => {}
                }
                let male = m.sex == Sex::Male;
                match rel {
                    "之子" | "之孙子" | "之父" => assert!(male, "{number}: {rel}"),
                    "之女" | "之孙女" | "之母" | "之儿媳" => {
                        assert!(!male, "{number}: {rel}")
                    }
                    _ => {}
                }
                // labour ability recorded for working ages, none for children
                if (16..=65).contains(&age) {
                    assert!(m.labour_ability.is_some(), "{number}: {}", m.name);
                }
                if age < 16 {
                    assert!(m.labour_ability.is_none() && m.work_status.is_none());
                }
                // nobody who cannot work is recorded as working
                if matches!(m.labour_ability.as_deref(), Some("04" | "05")) {
                    assert!(m.work_status.is_none(), "{number}: {}", m.name);
                }
                assert_eq!(m.work_status.is_some(), m.work_months.unwrap_or(0) > 0);
                assert_eq!(m.disability, Some(m.health.as_deref() == Some("04")));
                // school-age children are in school
                if (6..=15).contains(&age) {
                    assert!(
                        !matches!(m.schooling.as_deref(), None | Some("01")),
                        "{number}"
                    );
                }
            }
        }
    }

    #[test]
    fn causes_attributes_and_incomes_agree_with_the_members() {
        let d = demo_dataset();
        let codes = CodeBook::defaults();
        let recorded = ymd(RECORDED_ON);
        for h in &d.households {
            let number = &h.new.household.household_number;
            let data = h.new.household.validate(&codes, TODAY).unwrap();
            let members = validated(h);
            let causes: Vec<&str> = std::iter::once(data.main_cause.as_str())
                .chain(data.other_causes.iter().map(String::as_str))
                .collect();
            let any = |f: &dyn Fn(&MemberData) -> bool| members.iter().any(f);
            if causes.contains(&"01") {
                assert!(
                    any(&|m| matches!(m.health.as_deref(), Some("02" | "03"))),
                    "{number}: 因病 but nobody is ill"
                );
            }
            if causes.contains(&"02") {
                assert!(any(&|m| m.disability == Some(true)), "{number}: 因残");
            }
            if causes.contains(&"03") {
                assert!(
                    any(&|m| !matches!(m.schooling.as_deref(), None | Some("01"))),
                    "{number}: 因学 but no student"
                );
            }
            if data.attribute == "03" {
                assert!(
                    !any(&|m| {
                        let age = age_on(m.birth_date, recorded);
                        (16..=65).contains(&age)
                            && matches!(m.labour_ability.as_deref(), Some("01" | "02"))
                    }),
                    "{number}: 五保 with an able worker"
                );
            }
            let workers = any(&|m| m.work_status.is_some());
            for (year, i) in &h.incomes {
                assert_eq!(
                    i.wage_fen > 0,
                    workers,
                    "{number} {year}: wages without a worker"
                );
            }
        }
    }

    #[test]
    fn neighbours_fill_the_township() {
        let d = demo_dataset();
        let mut by_village: BTreeMap<String, usize> = BTreeMap::new();
        for h in &d.households {
            *by_village
                .entry(h.new.household.village_code.clone())
                .or_default() += 1;
        }
        assert_eq!(by_village.len(), 4);
        for (v, n) in &by_village {
            assert!(v.starts_with("360124106"), "{v}");
            assert!(v == TAGANG || (5..=12).contains(n), "{v}: {n}");
            // every household village is in the region list, as a village
            assert!(d
                .regions
                .iter()
                .any(|(_, r)| &r.code == v && r.level.as_deref() == Some("village")));
            assert!(village_net(&d, v, 2016) > 0 && village_net(&d, v, 2018) > 0);
        }
        let monitored = d
            .households
            .iter()
            .filter(|h| {
                h.status_changes
                    .iter()
                    .any(|c| c.to == HouseholdStatus::Monitored)
            })
            .count();
        assert_eq!(monitored, 1);
    }

    #[test]
    fn tagang_profiles_follow_the_seed() {
        let d = demo_dataset();
        let income = |year: i32| {
            d.village_profiles
                .iter()
                .find(|p| p.village.as_str() == TAGANG && p.year == year)
                .and_then(|p| p.input.collective_income_fen)
        };
        assert_eq!(income(2015), Some(480_000));
        assert!(income(2015).unwrap() < 500_000);
        assert_eq!(income(2018), Some(7_000_000));
        assert_eq!(income(2019), Some(7_000_000));
        assert!(income(2016) < income(2017) && income(2017) < income(2018));
        for p in d
            .village_profiles
            .iter()
            .filter(|p| p.village.as_str() == TAGANG)
        {
            let pop = p.input.rural_population.unwrap();
            assert!((1_200..=1_400).contains(&pop));
        }
        let (_, pv) = &d.poor_villages[0];
        assert_eq!(pv.designation, "十三五省级贫困村");
        assert_eq!((pv.designated_year, pv.exit_year), (2015, Some(2019)));
    }

    #[test]
    fn regions_come_from_the_shipped_list() {
        let d = demo_dataset();
        assert_eq!(d.regions.len(), 379);
        let tagang = d.regions.iter().find(|(_, r)| r.code == TAGANG).unwrap();
        assert_eq!(tagang.1.name, "塔岗村委会");
        assert_eq!(tagang.1.parent_code.as_deref(), Some(LUOXI));
    }

    #[test]
    fn areas_read_as_written() {
        for h in demo_dataset().households {
            let l = &h.new.household.living;
            for x in [
                l.housing_area_m2,
                l.road_distance_km,
                l.farmland_mu,
                l.irrigated_mu,
            ]
            .into_iter()
            .flatten()
            {
                let shown = serde_json::to_string(&x).unwrap();
                assert!(
                    shown.split('.').nth(1).is_none_or(|d| d.len() <= 1),
                    "{shown}"
                );
            }
        }
    }

    #[test]
    fn the_dataset_is_deterministic() {
        assert_eq!(demo_dataset(), demo_dataset());
    }

    #[test]
    fn summary_reads_well() {
        let skipped = DemoSummary {
            skipped: true,
            existing_households: 3,
            ..DemoSummary::default()
        };
        assert!(skipped.to_string().contains("已有 3 户"));
        let loaded = DemoSummary {
            households: 38,
            ..DemoSummary::default()
        };
        assert!(loaded.to_string().contains("38 户"));
    }

    /// Load into a real store (SQLite by default, PostgreSQL with `TEST_DATABASE_URL`) and read the
    /// seed's figures back through the statistics the API serves; a second load is skipped.
    #[tokio::test]
    async fn loads_into_a_store_and_the_seed_figures_come_back() {
        let db = crate::testing::test_store().await;
        let store = db.store.as_ref();
        let ctx = Ctx::system("test:demo");
        let d = demo_dataset();
        let summary = load_demo(store, &ctx).await.unwrap();
        assert!(!summary.skipped);
        assert_eq!(summary.households as usize, d.households.len());
        assert_eq!(summary.regions.as_ref().unwrap().rows, 379);
        let persons: usize = d
            .households
            .iter()
            .map(|h| h.new.members.len() + h.joins.len())
            .sum();
        assert_eq!(summary.persons as usize, persons);

        let tagang = code(TAGANG);
        let s16 = store.region_stats(&ctx, &tagang, 2016).await.unwrap();
        let mut s18 = store.region_stats(&ctx, &tagang, 2018).await.unwrap();
        s18.compare_with(&s16);
        assert_eq!((s18.households, s18.persons), (14, 45));
        assert_eq!(s18.per_capita_net_income_fen, Some(746_700));
        assert_eq!(s18.compare_per_capita_net_income_fen, Some(555_800));
        assert_eq!(s18.per_capita_net_income_growth_pct, Some(34.3));
        assert_eq!(s18.collective_income_fen, Some(7_000_000));
        let recomputed = store
            .recompute_region_stats(&ctx, &tagang, 2018)
            .await
            .unwrap();
        assert_eq!(recomputed.per_capita_net_income_fen, Some(746_700));
        let township = store.region_stats(&ctx, &code(LUOXI), 2018).await.unwrap();
        assert_eq!(township.households as usize, d.households.len());
        let region = store.region(&ctx, &tagang).await.unwrap();
        assert_eq!(
            region.full_name,
            "江西省 / 南昌市 / 进贤县 / 罗溪镇 / 塔岗村委会"
        );
        assert_eq!(region.region.poor_village, Some(tagang_designation()));

        let again = load_demo(store, &ctx).await.unwrap();
        assert!(again.skipped);
        assert_eq!(again.existing_households as usize, d.households.len());
    }
}
