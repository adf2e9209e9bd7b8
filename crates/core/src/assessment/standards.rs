//! Standards as data: poverty and monitoring lines, exit thresholds, notice days and other rule
//! parameters, keyed by (key, region prefix, year), each with its source and whether a source confirms it.
//!
//! Almost every number in poverty work differs by province and year and some were never confirmed by a
//! reachable source (domain.md ❓). Such numbers are rows of a parameter table, not constants: the
//! shipped defaults come from [`default_parameters`], a deployment adds or overrides rows from
//! provincial notices, and every rule asks [`resolve`] for the value in force.
//!
//! **National scope** is `region_prefix: None`. A sentinel code such as `000000000000` was rejected
//! because [`RegionCode`] refuses a `00` province (that refusal catches real typos), and `None` cannot be
//! confused with a region.

use super::counting::{self, CountingConfig};
use super::ratio::Ratio;
use crate::error::{check_text, DomainError, DomainResult};
use crate::money::{Fen, MAX_INPUT_FEN};
use crate::regions::RegionCode;
use crate::years::FIRST_YEAR;
use serde::{Deserialize, Serialize};

/// Parameter keys. Stable English identifiers; the Chinese label is in [`KEYS`].
pub mod key {
    /// National (or provincial) poverty line, fen per person per year.
    pub const POVERTY_LINE: &str = "poverty_line";
    /// Monitoring line (防返贫监测范围), fen per person per year.
    pub const MONITORING_LINE: &str = "monitoring_line";
    /// A poor village exits when its incidence is strictly below this.
    pub const VILLAGE_EXIT_INCIDENCE_MAX: &str = "village_exit_incidence_max";
    /// A poor county exits when its incidence is strictly below this.
    pub const COUNTY_EXIT_INCIDENCE_MAX: &str = "county_exit_incidence_max";
    /// Days the household exit list is publicised in the village (村内公示).
    pub const PUBLIC_NOTICE_DAYS: &str = "public_notice_days";
    /// Days of the village notice in monitoring identification and risk elimination.
    pub const MONITORING_NOTICE_DAYS: &str = "monitoring_notice_days";
    /// Days a project is publicised before it enters the project library (入库公示).
    pub const PROJECT_NOTICE_DAYS: &str = "project_notice_days";
    /// Warn when per-capita income falls year on year by more than this share.
    pub const INCOME_FALL_SHARE: &str = "income_fall_share";
    /// Warn when medical + education + disaster spending exceeds this share of income.
    pub const RIGID_SPENDING_SHARE: &str = "rigid_spending_share";
    /// Time limit of the monitoring identification procedure, in days.
    pub const MONITORING_IDENTIFICATION_DAYS: &str = "monitoring_identification_days";
    /// Months income must have been stable before risk elimination.
    pub const RISK_ELIMINATION_STABLE_MONTHS: &str = "risk_elimination_stable_months";
    /// Minimum visits per household per year.
    pub const VISIT_MINIMUM: &str = "visit_minimum";
    /// Most households one cadre is paired with.
    pub const CADRE_HOUSEHOLD_LIMIT: &str = "cadre_household_limit";
    /// Most cadres paired with one household.
    pub const HOUSEHOLD_CADRE_LIMIT: &str = "household_cadre_limit";
    /// Fewest members of a village work team.
    pub const TEAM_MIN_MEMBERS: &str = "team_min_members";
    /// Shortest term of a work-team member, in years.
    pub const TERM_MIN_YEARS: &str = "term_min_years";
    /// Largest 扶贫小额信贷 loan, fen.
    pub const MICROCREDIT_MAX_AMOUNT: &str = "microcredit_max_amount";
    /// Longest 扶贫小额信贷 term, months.
    pub const MICROCREDIT_MAX_MONTHS: &str = "microcredit_max_months";
    /// Youngest 扶贫小额信贷 borrower, years of age when the loan is made.
    pub const MICROCREDIT_MIN_AGE: &str = "microcredit_min_age";
    /// Oldest 扶贫小额信贷 borrower, years of age when the loan is made.
    pub const MICROCREDIT_MAX_AGE: &str = "microcredit_max_age";
}

/// Provinces of the western region (西部地区), by 2-digit code: 内蒙古, 广西, 重庆, 四川, 贵州, 云南,
/// 西藏, 陕西, 甘肃, 青海, 宁夏, 新疆. Their village and county exit threshold is 3/100 instead of 2/100.
pub const WESTERN_PROVINCES: [&str; 12] = [
    "15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// Whether the region lies in a western province.
pub fn is_western(region: &RegionCode) -> bool {
    WESTERN_PROVINCES.contains(&&region.as_str()[..2])
}

/// The kind of value a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Fen,
    Ratio,
    Days,
    Count,
    Text,
    /// A counting-measure configuration (keys `mpi.<name>`).
    Counting,
}

impl ValueKind {
    pub fn label(self) -> &'static str {
        match self {
            ValueKind::Fen => "金额（分）",
            ValueKind::Ratio => "比例（分数）",
            ValueKind::Days => "天数",
            ValueKind::Count => "数量",
            ValueKind::Text => "文本",
            ValueKind::Counting => "多维贫困测度配置",
        }
    }
}

/// A parameter value. Money in fen, shares as exact fractions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParamValue {
    Fen(Fen),
    Ratio(Ratio),
    Days(i32),
    Count(i64),
    Text(String),
    Counting(Box<CountingConfig>),
}

impl ParamValue {
    pub fn kind(&self) -> ValueKind {
        match self {
            ParamValue::Fen(_) => ValueKind::Fen,
            ParamValue::Ratio(_) => ValueKind::Ratio,
            ParamValue::Days(_) => ValueKind::Days,
            ParamValue::Count(_) => ValueKind::Count,
            ParamValue::Text(_) => ValueKind::Text,
            ParamValue::Counting(_) => ValueKind::Counting,
        }
    }

    /// The value for people: `4000.00 元`, `3/100（3.00%）`, `7 天`.
    pub fn display(&self) -> String {
        match self {
            ParamValue::Fen(f) => f.to_string(),
            ParamValue::Ratio(r) => format!("{r}（{}）", r.percent_string(2)),
            ParamValue::Days(d) => format!("{d} 天"),
            ParamValue::Count(c) => c.to_string(),
            ParamValue::Text(t) => t.clone(),
            ParamValue::Counting(c) => format!(
                "{}（{} 项指标，k = {}）",
                c.label,
                c.indicators().count(),
                c.k
            ),
        }
    }
}

/// One row of the parameter table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Parameter {
    pub key: String,
    /// The region the value applies to, with everything below it; `None` = nationwide.
    pub region_prefix: Option<RegionCode>,
    /// First year the value applies; it stays in force until a later row for the same key and region.
    pub year: i32,
    pub value: ParamValue,
    /// Where the value comes from (document, notice, or the note that it is a default).
    pub source: String,
    /// Whether a reachable source states the value (domain.md ✅); `false` for defaults to be checked.
    pub confirmed: bool,
}

/// What a key means and which value it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub key: &'static str,
    pub kind: ValueKind,
    pub label: &'static str,
    /// For ratios: the value is a share of a whole and may not exceed 1.
    pub at_most_one: bool,
}

const fn spec(key: &'static str, kind: ValueKind, label: &'static str) -> KeySpec {
    KeySpec {
        key,
        kind,
        label,
        at_most_one: false,
    }
}

const fn share(key: &'static str, label: &'static str) -> KeySpec {
    KeySpec {
        key,
        kind: ValueKind::Ratio,
        label,
        at_most_one: true,
    }
}

/// Every known key.
pub const KEYS: &[KeySpec] = &[
    spec(key::POVERTY_LINE, ValueKind::Fen, "贫困线（元/人·年）"),
    spec(
        key::MONITORING_LINE,
        ValueKind::Fen,
        "防返贫监测线（元/人·年）",
    ),
    share(key::VILLAGE_EXIT_INCIDENCE_MAX, "贫困村退出贫困发生率上限"),
    share(key::COUNTY_EXIT_INCIDENCE_MAX, "贫困县退出贫困发生率上限"),
    spec(
        key::PUBLIC_NOTICE_DAYS,
        ValueKind::Days,
        "贫困户退出公示天数",
    ),
    spec(
        key::MONITORING_NOTICE_DAYS,
        ValueKind::Days,
        "监测对象识别与风险消除公示天数",
    ),
    spec(
        key::PROJECT_NOTICE_DAYS,
        ValueKind::Days,
        "项目入库公示天数",
    ),
    share(key::INCOME_FALL_SHARE, "人均纯收入同比下降预警比例"),
    // Not a share of a whole: the 2020 guidance speaks of spending that exceeds income.
    spec(
        key::RIGID_SPENDING_SHARE,
        ValueKind::Ratio,
        "刚性支出占纯收入预警比例",
    ),
    spec(
        key::MONITORING_IDENTIFICATION_DAYS,
        ValueKind::Days,
        "监测对象识别办理时限（天）",
    ),
    spec(
        key::RISK_ELIMINATION_STABLE_MONTHS,
        ValueKind::Count,
        "风险消除前收入稳定月数",
    ),
    spec(key::VISIT_MINIMUM, ValueKind::Count, "每户每年最少走访次数"),
    spec(
        key::CADRE_HOUSEHOLD_LIMIT,
        ValueKind::Count,
        "每名帮扶干部结对户数上限",
    ),
    spec(
        key::HOUSEHOLD_CADRE_LIMIT,
        ValueKind::Count,
        "每户结对帮扶干部数上限",
    ),
    spec(
        key::TEAM_MIN_MEMBERS,
        ValueKind::Count,
        "驻村工作队最少人数",
    ),
    spec(
        key::TERM_MIN_YEARS,
        ValueKind::Count,
        "驻村工作队员最短任期（年）",
    ),
    spec(
        key::MICROCREDIT_MAX_AMOUNT,
        ValueKind::Fen,
        "扶贫小额信贷额度上限（元）",
    ),
    spec(
        key::MICROCREDIT_MAX_MONTHS,
        ValueKind::Count,
        "扶贫小额信贷期限上限（月）",
    ),
    spec(
        key::MICROCREDIT_MIN_AGE,
        ValueKind::Count,
        "扶贫小额信贷借款人最小年龄（周岁）",
    ),
    spec(
        key::MICROCREDIT_MAX_AGE,
        ValueKind::Count,
        "扶贫小额信贷借款人最大年龄（周岁）",
    ),
];

/// The spec of every `mpi.<name>` key: a counting-measure configuration.
pub const COUNTING_SPEC: KeySpec = spec("mpi.<name>", ValueKind::Counting, "多维贫困测度配置");

/// The spec of a key, if known (`mpi.<name>` for any valid name).
pub fn key_spec(key: &str) -> Option<&'static KeySpec> {
    if let Some(name) = key.strip_prefix(counting::KEY_PREFIX) {
        return counting::config_key("key", name)
            .ok()
            .map(|_| &COUNTING_SPEC);
    }
    KEYS.iter().find(|k| k.key == key)
}

/// The Chinese label of a key (the key itself when unknown).
pub fn key_label(key: &str) -> &str {
    key_spec(key).map_or(key, |k| k.label)
}

fn row(key: &str, year: i32, value: ParamValue, source: &str, confirmed: bool) -> Parameter {
    Parameter {
        key: key.to_string(),
        region_prefix: None,
        year,
        value,
        source: source.to_string(),
        confirmed,
    }
}

fn ratio(num: i64, den: i64) -> ParamValue {
    ParamValue::Ratio(Ratio::new(num, den).expect("non-zero denominator"))
}

/// The shipped defaults (sources: domain.md). Unconfirmed values carry `confirmed: false` and say why.
pub fn default_parameters() -> Vec<Parameter> {
    let mut v = Vec::new();
    let s12 = "国家农村贫困标准（2010年不变价2300元）按当年价格，《云南调查年鉴2017》表4-2注 [S12]";
    for (year, yuan) in [
        (2011, 2536),
        (2012, 2625),
        (2013, 2736),
        (2014, 2800),
        (2015, 2855),
        (2016, 2952),
    ] {
        v.push(row(
            key::POVERTY_LINE,
            year,
            ParamValue::Fen(Fen::from_yuan(yuan)),
            s12,
            true,
        ));
    }
    for (year, yuan, note) in [
        (
            2017,
            2952,
            "2017年贫困线：常见引用值2952元，未找到可核实来源（domain.md §2 ❓）",
        ),
        (
            2018,
            2995,
            "2018年贫困线：常见引用值2995元，未找到可核实来源（domain.md §2 ❓）",
        ),
        (
            2019,
            3218,
            "2019年贫困线：常见引用值3218元，未找到可核实来源（domain.md §2 ❓）",
        ),
        (
            2020,
            4000,
            "2020年贫困线：国务院扶贫办主任刘永富称脱贫收入标准“大约4000元”，为约数 [S14]",
        ),
    ] {
        v.push(row(
            key::POVERTY_LINE,
            year,
            ParamValue::Fen(Fen::from_yuan(yuan)),
            note,
            false,
        ));
    }
    v.push(row(
        key::MONITORING_LINE,
        2020,
        ParamValue::Fen(Fen::from_yuan(6000)),
        "2020年监测范围：人均可支配收入低于国家扶贫标准1.5倍左右（约4000×1.5=6000元，推算）[S20]",
        false,
    ));
    v.push(row(
        key::MONITORING_LINE,
        2021,
        ParamValue::Fen(Fen::from_yuan(6000)),
        "2021年起各省自定年度监测范围 [S22][S26]；全国参考值6000元未经核实，请按本省通知设置",
        false,
    ));
    let s14 = "《关于建立贫困退出机制的意见》（2016）：贫困发生率降至2%以下（西部地区3%以下）[S14]";
    for k in [
        key::VILLAGE_EXIT_INCIDENCE_MAX,
        key::COUNTY_EXIT_INCIDENCE_MAX,
    ] {
        v.push(row(k, 2016, ratio(2, 100), s14, true));
        for p in WESTERN_PROVINCES {
            let mut r = row(k, 2016, ratio(3, 100), s14, true);
            r.region_prefix = Some(RegionCode::parse(p).expect("valid province code"));
            v.push(r);
        }
    }
    v.push(row(
        key::PUBLIC_NOTICE_DAYS,
        2014,
        ParamValue::Days(7),
        "村内公示7天为地方常见做法（“公示不少于一周”）[S13b][S17]，非全国统一规定",
        false,
    ));
    v.push(row(
        key::PROJECT_NOTICE_DAYS,
        2014,
        ParamValue::Days(10),
        "扶贫项目公告公示：乡村两级在固定公示栏公示不少于10天 [S37]",
        true,
    ));
    v.push(row(
        key::MONITORING_NOTICE_DAYS,
        2020,
        ParamValue::Days(5),
        "监测对象识别与风险消除：民主评议后公示不少于5天（县级实施办法）[S21][S22][S24]",
        true,
    ));
    v.push(row(
        key::INCOME_FALL_SHARE,
        2020,
        ratio(3, 10),
        "“收入大幅缩减”的比例未见统一规定 [S20]；3/10 为默认值，请按本省规定设置",
        false,
    ));
    v.push(row(
        key::RIGID_SPENDING_SHARE,
        2020,
        ratio(1, 2),
        "“刚性支出明显超过上年度收入”[S20]的量化比例未见统一规定；1/2 为默认值，请按本省规定设置",
        false,
    ));
    v.push(row(
        key::MONITORING_IDENTIFICATION_DAYS,
        2022,
        ParamValue::Days(15),
        "监测对象识别时间缩短到15天以内（国新办2023-02-14发布会）[S27]",
        true,
    ));
    v.push(row(
        key::RISK_ELIMINATION_STABLE_MONTHS,
        2021,
        ParamValue::Count(6),
        "风险消除：收入持续稳定“半年以上”为县级做法 [S22b][S24]，各地表述不一",
        false,
    ));
    v.push(row(
        key::VISIT_MINIMUM,
        2014,
        ParamValue::Count(4),
        "每户每年至少走访4次（南昌，见种子文章）；各地不一 [S30a][S30b]",
        false,
    ));
    v.push(row(
        key::CADRE_HOUSEHOLD_LIMIT,
        2014,
        ParamValue::Count(5),
        "第二帮扶人联系不超过5户（莱州）[S29]；全国无统一规定",
        false,
    ));
    v.push(row(
        key::HOUSEHOLD_CADRE_LIMIT,
        2014,
        ParamValue::Count(2),
        "每户1–2名帮扶干部（塔岗村，种子文章）；全国无统一规定",
        false,
    ));
    let s32 = "驻村工作队一般不少于3人，每期驻村时间不少于2年（2017年中办国办意见）[S32]";
    v.push(row(
        key::TEAM_MIN_MEMBERS,
        2017,
        ParamValue::Count(3),
        s32,
        true,
    ));
    v.push(row(
        key::TERM_MIN_YEARS,
        2017,
        ParamValue::Count(2),
        s32,
        true,
    ));
    let s39 = "扶贫小额信贷：5万元以下、3年以内、免担保免抵押、基准利率、财政贴息（2014年起）[S39]";
    v.push(row(
        key::MICROCREDIT_MAX_AMOUNT,
        2014,
        ParamValue::Fen(Fen::from_yuan(50_000)),
        s39,
        true,
    ));
    v.push(row(
        key::MICROCREDIT_MAX_MONTHS,
        2014,
        ParamValue::Count(36),
        s39,
        true,
    ));
    let age = "扶贫小额信贷借款人年龄18–65周岁为常见的地方规定 [S39]，全国文件未核实";
    for (k, n) in [
        (key::MICROCREDIT_MIN_AGE, 18),
        (key::MICROCREDIT_MAX_AGE, 65),
    ] {
        v.push(row(k, 2014, ParamValue::Count(n), age, false));
    }
    v.push(row(
        &format!("{}{}", counting::KEY_PREFIX, counting::DEFAULT_CONFIG),
        2014,
        ParamValue::Counting(Box::new(counting::basic_needs_config())),
        "一达标两不愁三保障：《关于建立贫困退出机制的意见》（2016）贫困户退出标准 [S14]；饮水安全随住房安全核验（2019）；7项等权、k=1/3 为本系统默认，非官方多维贫困标准",
        false,
    ));
    v.push(row(
        &format!("{}{}", counting::KEY_PREFIX, counting::GLOBAL_MPI_CONFIG),
        2014,
        ParamValue::Counting(Box::new(counting::global_mpi_config())),
        "全球MPI结构（UNDP–OPHI；Alkire & Santos 2014；2018年修订）：健康、教育、生活水平各1/3，k=1/3；无法观测的指标见配置中的 unobserved",
        false,
    ));
    v
}

/// The counting-measure configuration `name` in force for the region and year, or an error naming
/// the configurations that are (field `config`).
pub fn counting_param(
    params: &[Parameter],
    name: &str,
    region: &RegionCode,
    year: i32,
) -> DomainResult<CountingConfig> {
    let key = counting::config_key("config", name)?;
    match resolve(params, &key, region, year).map(|p| &p.value) {
        Some(ParamValue::Counting(c)) => Ok((**c).clone()),
        Some(_) => Err(DomainError::internal()),
        None => {
            let mut names: Vec<&str> = params
                .iter()
                .filter_map(|p| p.key.strip_prefix(counting::KEY_PREFIX))
                .filter(|n| {
                    resolve(
                        params,
                        &format!("{}{n}", counting::KEY_PREFIX),
                        region,
                        year,
                    )
                    .is_some()
                })
                .collect();
            names.sort();
            names.dedup();
            Err(DomainError::invalid(
                "config",
                "unknown_counting_config",
                format!(
                    "多维贫困测度配置“{name}”在地区 {region} {year} 年度未设置；可用：{}",
                    names.join("、")
                ),
            ))
        }
    }
}

/// Specificity of a row's region: nationwide 0, then the length of the region's significant prefix.
fn specificity(p: &Parameter) -> usize {
    p.region_prefix
        .as_ref()
        .map_or(0, |r| r.level().prefix_len())
}

/// The row in force for `key` in `region` and `year`.
///
/// Among rows whose region is nationwide or contains `region` and whose year is ≤ `year`:
/// 1. the most specific region wins (village > township > county > city > province > nationwide);
/// 2. within that region, the latest year wins (a line set for 2021 applies in 2022 until changed);
/// 3. on an exact tie (same key, region and year), the later row in `params` wins, so a deployment's
///    rows appended after the defaults override them.
///
/// Region first, year second: a province that set its own higher standard (省定标准) in 2015 keeps it
/// after the national line moves in 2016. The alternative (latest year over all regions) was rejected
/// because a yearly national update would silently undo every provincial standard.
pub fn resolve<'a>(
    params: &'a [Parameter],
    key: &str,
    region: &RegionCode,
    year: i32,
) -> Option<&'a Parameter> {
    params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.key == key && p.year <= year)
        .filter(|(_, p)| match &p.region_prefix {
            None => true,
            Some(r) => r.contains(region),
        })
        .max_by_key(|(i, p)| (specificity(p), p.year, *i))
        .map(|(_, p)| p)
}

fn required<'a>(
    params: &'a [Parameter],
    key: &str,
    region: &RegionCode,
    year: i32,
    kind: ValueKind,
) -> DomainResult<&'a ParamValue> {
    let p = resolve(params, key, region, year).ok_or_else(|| {
        DomainError::not_found(
            "parameter_not_set",
            format!(
                "参数“{}”（{key}）未设置：地区 {region}，{year} 年度",
                key_label(key)
            ),
        )
    })?;
    if p.value.kind() != kind {
        // The table is validated on input, so this means a corrupted row: say which one.
        return Err(DomainError::conflict(
            "parameter_kind_mismatch",
            format!(
                "参数“{}”（{key}）应为{}，实际为{}",
                key_label(key),
                kind.label(),
                p.value.kind().label()
            ),
        ));
    }
    Ok(&p.value)
}

/// The money value in force, or an error naming the missing parameter.
pub fn fen_param(
    params: &[Parameter],
    key: &str,
    region: &RegionCode,
    year: i32,
) -> DomainResult<Fen> {
    match required(params, key, region, year, ValueKind::Fen)? {
        ParamValue::Fen(f) => Ok(*f),
        _ => Err(DomainError::internal()),
    }
}

/// The fraction in force, or an error naming the missing parameter.
pub fn ratio_param(
    params: &[Parameter],
    key: &str,
    region: &RegionCode,
    year: i32,
) -> DomainResult<Ratio> {
    match required(params, key, region, year, ValueKind::Ratio)? {
        ParamValue::Ratio(r) => Ok(*r),
        _ => Err(DomainError::internal()),
    }
}

/// The number of days in force, or an error naming the missing parameter.
pub fn days_param(
    params: &[Parameter],
    key: &str,
    region: &RegionCode,
    year: i32,
) -> DomainResult<i32> {
    match required(params, key, region, year, ValueKind::Days)? {
        ParamValue::Days(d) => Ok(*d),
        _ => Err(DomainError::internal()),
    }
}

/// The count in force, or an error naming the missing parameter.
pub fn count_param(
    params: &[Parameter],
    key: &str,
    region: &RegionCode,
    year: i32,
) -> DomainResult<i64> {
    match required(params, key, region, year, ValueKind::Count)? {
        ParamValue::Count(c) => Ok(*c),
        _ => Err(DomainError::internal()),
    }
}

/// The shipped defaults, built once (see `count_or_shipped`).
static SHIPPED: std::sync::LazyLock<Vec<Parameter>> = std::sync::LazyLock::new(default_parameters);

/// The count in force for the region and year or, where none is (a year before the first row, or
/// a deployment that removed it), the latest nationwide value the shipped defaults give `key`. Limits and minimums read their parameters this way: they never block on a missing row,
/// and their fallback is written once, in the shipped defaults.
pub fn count_or_shipped(params: &[Parameter], key: &str, region: &RegionCode, year: i32) -> i64 {
    count_param(params, key, region, year).unwrap_or_else(|_| shipped_count(key))
}

/// The amount in force for the region and year or, where none is, the latest nationwide amount the
/// shipped defaults give `key` (zero if they give none), as [`count_or_shipped`] does for counts.
pub fn fen_or_shipped(params: &[Parameter], key: &str, region: &RegionCode, year: i32) -> Fen {
    fen_param(params, key, region, year).unwrap_or_else(|_| {
        SHIPPED
            .iter()
            .filter(|p| p.key == key && p.region_prefix.is_none())
            .max_by_key(|p| p.year)
            .and_then(|p| match p.value {
                ParamValue::Fen(f) => Some(f),
                _ => None,
            })
            .unwrap_or(Fen::ZERO)
    })
}

/// The latest nationwide value the shipped defaults give a count `key` (0 if they give none).
pub fn shipped_count(key: &str) -> i64 {
    SHIPPED
        .iter()
        .filter(|p| p.key == key && p.region_prefix.is_none())
        .max_by_key(|p| p.year)
        .and_then(|p| match p.value {
            ParamValue::Count(c) => Some(c),
            _ => None,
        })
        .unwrap_or(0)
}

/// A parameter row as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ParameterInput {
    pub key: String,
    /// A region code (2–12 digits); absent, empty or `000000000000` means nationwide.
    #[serde(default)]
    pub region_prefix: Option<String>,
    pub year: i32,
    pub value: ParamValue,
    pub source: String,
    #[serde(default)]
    pub confirmed: bool,
}

/// The latest year a parameter may be entered for: lines are often announced for the coming year.
pub fn last_parameter_year(this_year: i32) -> i32 {
    this_year + 1
}

impl ParameterInput {
    /// Check the row: a known key, a value of the key's kind within bounds, a year from
    /// [`FIRST_YEAR`] to next year, and a non-empty source.
    pub fn validate(&self, this_year: i32) -> DomainResult<Parameter> {
        let k = self.key.trim();
        let spec = key_spec(k).ok_or_else(|| {
            let shown: String = k.chars().take(50).collect();
            DomainError::invalid("key", "unknown_parameter", format!("未知的参数：{shown}"))
        })?;
        let region_prefix = match self.region_prefix.as_deref().map(str::trim) {
            None | Some("") | Some("000000000000") => None,
            Some(code) => Some(RegionCode::parse_field("region_prefix", code)?),
        };
        let last = last_parameter_year(this_year);
        if !(FIRST_YEAR..=last).contains(&self.year) {
            return Err(DomainError::invalid(
                "year",
                "year_out_of_range",
                format!("年度须在 {FIRST_YEAR} 到 {last} 之间"),
            ));
        }
        if self.value.kind() != spec.kind {
            return Err(DomainError::invalid(
                "value",
                "wrong_value_kind",
                format!(
                    "参数“{}”的取值应为{}，而不是{}",
                    spec.label,
                    spec.kind.label(),
                    self.value.kind().label()
                ),
            ));
        }
        let value = check_value(spec, &self.value)?;
        let source = check_text("source", &self.source, 500)?;
        Ok(Parameter {
            key: if spec.kind == ValueKind::Counting {
                k.to_string()
            } else {
                spec.key.to_string()
            },
            region_prefix,
            year: self.year,
            value,
            source,
            confirmed: self.confirmed,
        })
    }
}

fn check_value(spec: &KeySpec, value: &ParamValue) -> DomainResult<ParamValue> {
    let bad = |msg: String| DomainError::invalid("value", "value_out_of_range", msg);
    match value {
        ParamValue::Fen(f) => {
            if f.get() <= 0 || f.get() > MAX_INPUT_FEN {
                return Err(bad(format!("{} 须大于0且不超过10亿元", spec.label)));
            }
        }
        ParamValue::Ratio(r) => {
            if r.num() <= 0 {
                return Err(bad(format!("{} 须大于0", spec.label)));
            }
            // A share of a whole cannot exceed 1; other ratios are capped only against typos (100×).
            let cap = if spec.at_most_one { 1 } else { 100 };
            if *r > Ratio::new(cap, 1).expect("non-zero") {
                return Err(bad(format!("{} 不能大于 {cap}", spec.label)));
            }
        }
        ParamValue::Days(d) => {
            if !(1..=366).contains(d) {
                return Err(bad(format!("{} 须在 1 到 366 天之间", spec.label)));
            }
        }
        ParamValue::Count(c) => {
            if !(1..=10_000).contains(c) {
                return Err(bad(format!("{} 须在 1 到 10000 之间", spec.label)));
            }
        }
        ParamValue::Text(t) => return Ok(ParamValue::Text(check_text("value", t, 500)?)),
        ParamValue::Counting(c) => c.validate()?,
    }
    Ok(value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn fen_of(params: &[Parameter], key: &str, region: &str, year: i32) -> Option<i64> {
        match resolve(params, key, &code(region), year).map(|p| &p.value) {
            Some(ParamValue::Fen(f)) => Some(f.get()),
            _ => None,
        }
    }

    #[test]
    fn defaults_are_valid_inputs() {
        // Every shipped row passes the same validation a client's row would.
        for p in default_parameters() {
            let input = ParameterInput {
                key: p.key.clone(),
                region_prefix: p.region_prefix.as_ref().map(|r| r.to_string()),
                year: p.year,
                value: p.value.clone(),
                source: p.source.clone(),
                confirmed: p.confirmed,
            };
            assert_eq!(input.validate(2026).unwrap(), p, "{}", p.key);
        }
        // every key has at least one default
        let d = default_parameters();
        for k in KEYS {
            assert!(d.iter().any(|p| p.key == k.key), "{}", k.key);
        }
    }

    #[test]
    fn poverty_lines_by_year() {
        let d = default_parameters();
        let tagang = "360124106204";
        // (year, yuan, confirmed)
        let cases = [
            (2010, None, None),
            (2011, Some(2536), Some(true)),
            (2013, Some(2736), Some(true)),
            (2016, Some(2952), Some(true)),
            (2017, Some(2952), Some(false)),
            (2018, Some(2995), Some(false)),
            (2019, Some(3218), Some(false)),
            (2020, Some(4000), Some(false)),
            // no later row: the 2020 line stays in force
            (2023, Some(4000), Some(false)),
        ];
        for (year, yuan, confirmed) in cases {
            let p = resolve(&d, key::POVERTY_LINE, &code(tagang), year);
            assert_eq!(
                fen_of(&d, key::POVERTY_LINE, tagang, year),
                yuan.map(|y| y * 100),
                "{year}"
            );
            assert_eq!(p.map(|p| p.confirmed), confirmed, "{year}");
        }
        assert_eq!(fen_of(&d, key::MONITORING_LINE, tagang, 2019), None);
        assert_eq!(
            fen_of(&d, key::MONITORING_LINE, tagang, 2020),
            Some(600_000)
        );
        assert_eq!(
            fen_of(&d, key::MONITORING_LINE, tagang, 2024),
            Some(600_000)
        );
    }

    #[test]
    fn western_provinces_get_three_percent() {
        let d = default_parameters();
        // (region, expected threshold)
        let cases = [
            ("360124106204", (2, 100)), // 江西
            ("520000000000", (3, 100)), // 贵州
            ("540102000000", (3, 100)), // 西藏 county
            ("150000000000", (3, 100)), // 内蒙古
            ("140000000000", (2, 100)), // 山西 (central)
            ("460000000000", (2, 100)), // 海南
        ];
        for (region, (n, dd)) in cases {
            for k in [
                key::VILLAGE_EXIT_INCIDENCE_MAX,
                key::COUNTY_EXIT_INCIDENCE_MAX,
            ] {
                let r = ratio_param(&d, k, &code(region), 2018).unwrap();
                assert_eq!(r, Ratio::new(n, dd).unwrap(), "{region} {k}");
            }
        }
        assert!(is_western(&code("650102000000")));
        assert!(!is_western(&code("360124000000")));
        assert_eq!(
            ratio_param(&d, key::VILLAGE_EXIT_INCIDENCE_MAX, &code("520000"), 2015)
                .unwrap_err()
                .code,
            "parameter_not_set"
        );
    }

    fn p(key: &str, region: Option<&str>, year: i32, yuan: i64) -> Parameter {
        Parameter {
            key: key.into(),
            region_prefix: region.map(code),
            year,
            value: ParamValue::Fen(Fen::from_yuan(yuan)),
            source: "test".into(),
            confirmed: true,
        }
    }

    #[test]
    fn most_specific_region_then_latest_year() {
        let k = key::MONITORING_LINE;
        let params = vec![
            p(k, None, 2021, 6000),
            p(k, None, 2023, 6500),
            p(k, Some("36"), 2022, 7000),
            p(k, Some("360124"), 2024, 7500),
            p(k, Some("360124106204"), 2024, 8000),
            p(k, Some("44"), 2021, 9000),
        ];
        // (region, year, yuan)
        let cases = [
            ("110101000000", 2020, None),       // nothing before 2021
            ("110101000000", 2022, Some(6000)), // national 2021 carries into 2022
            ("110101000000", 2024, Some(6500)), // national 2023
            ("360124106205", 2021, Some(6000)), // province row starts 2022
            ("360124106205", 2023, Some(7000)), // province beats a later national row
            ("360124106205", 2024, Some(7500)), // county
            ("360124106204", 2024, Some(8000)), // village
            ("360124106204", 2023, Some(7000)), // village and county rows not yet in force
            ("440300000000", 2025, Some(9000)),
        ];
        for (region, year, yuan) in cases {
            assert_eq!(
                fen_of(&params, k, region, year),
                yuan.map(|y| y * 100),
                "{region} {year}"
            );
        }
    }

    #[test]
    fn later_row_wins_a_tie() {
        let k = key::POVERTY_LINE;
        let mut params = default_parameters();
        params.push(p(k, None, 2020, 4100));
        let r = resolve(&params, k, &code("36"), 2020).unwrap();
        assert_eq!(r.value, ParamValue::Fen(Fen::from_yuan(4100)));
        assert!(r.confirmed);
    }

    #[test]
    fn typed_getters() {
        let d = default_parameters();
        let v = code("360124106204");
        assert_eq!(
            days_param(&d, key::PUBLIC_NOTICE_DAYS, &v, 2018).unwrap(),
            7
        );
        assert_eq!(
            days_param(&d, key::MONITORING_IDENTIFICATION_DAYS, &v, 2023).unwrap(),
            15
        );
        assert_eq!(count_param(&d, key::TEAM_MIN_MEMBERS, &v, 2018).unwrap(), 3);
        assert_eq!(
            ratio_param(&d, key::INCOME_FALL_SHARE, &v, 2021).unwrap(),
            Ratio::new(3, 10).unwrap()
        );
        assert_eq!(
            fen_param(&d, key::POVERTY_LINE, &v, 2018).unwrap(),
            Fen::from_yuan(2995)
        );
        let e = days_param(&d, key::POVERTY_LINE, &v, 2018).unwrap_err();
        assert_eq!(e.code, "parameter_kind_mismatch");
        let e = fen_param(&d, key::POVERTY_LINE, &v, 2005).unwrap_err();
        assert_eq!(e.code, "parameter_not_set");
        assert!(e.message.contains("贫困线"), "{}", e.message);
    }

    fn input(key: &str, value: ParamValue) -> ParameterInput {
        ParameterInput {
            key: key.into(),
            region_prefix: Some("36".into()),
            year: 2024,
            value,
            source: "赣乡振字〔2024〕1号".into(),
            confirmed: true,
        }
    }

    #[test]
    fn validation_table() {
        let r = |n, d| ParamValue::Ratio(Ratio::new(n, d).unwrap());
        // (input, expected error code or None, field)
        let cases: Vec<(ParameterInput, Option<&str>, Option<&str>)> = vec![
            (
                input(key::MONITORING_LINE, ParamValue::Fen(Fen::from_yuan(7000))),
                None,
                None,
            ),
            (
                input("povertyline", ParamValue::Fen(Fen::from_yuan(1))),
                Some("unknown_parameter"),
                Some("key"),
            ),
            (
                input(key::MONITORING_LINE, ParamValue::Days(7)),
                Some("wrong_value_kind"),
                Some("value"),
            ),
            (
                input(key::MONITORING_LINE, ParamValue::Fen(Fen::ZERO)),
                Some("value_out_of_range"),
                Some("value"),
            ),
            (input(key::INCOME_FALL_SHARE, r(3, 10)), None, None),
            (
                input(key::INCOME_FALL_SHARE, r(11, 10)),
                Some("value_out_of_range"),
                Some("value"),
            ),
            (
                input(key::INCOME_FALL_SHARE, r(0, 10)),
                Some("value_out_of_range"),
                Some("value"),
            ),
            (input(key::RIGID_SPENDING_SHARE, r(3, 2)), None, None),
            (
                input(key::PUBLIC_NOTICE_DAYS, ParamValue::Days(0)),
                Some("value_out_of_range"),
                Some("value"),
            ),
            (
                input(key::VISIT_MINIMUM, ParamValue::Count(-1)),
                Some("value_out_of_range"),
                Some("value"),
            ),
            (
                input(key::VISIT_MINIMUM, ParamValue::Text("四次".into())),
                Some("wrong_value_kind"),
                Some("value"),
            ),
            (
                ParameterInput {
                    year: 1999,
                    ..input(key::VISIT_MINIMUM, ParamValue::Count(4))
                },
                Some("year_out_of_range"),
                Some("year"),
            ),
            (
                ParameterInput {
                    year: 2028,
                    ..input(key::VISIT_MINIMUM, ParamValue::Count(4))
                },
                Some("year_out_of_range"),
                Some("year"),
            ),
            (
                ParameterInput {
                    year: 2027,
                    ..input(key::VISIT_MINIMUM, ParamValue::Count(4))
                },
                None,
                None,
            ),
            (
                ParameterInput {
                    source: "  ".into(),
                    ..input(key::VISIT_MINIMUM, ParamValue::Count(4))
                },
                Some("required"),
                Some("source"),
            ),
            (
                ParameterInput {
                    region_prefix: Some("3601x".into()),
                    ..input(key::VISIT_MINIMUM, ParamValue::Count(4))
                },
                Some("invalid_region_code"),
                Some("region_prefix"),
            ),
        ];
        for (i, (inp, code, field)) in cases.into_iter().enumerate() {
            match (inp.validate(2026), code) {
                (Ok(_), None) => {}
                (Err(e), Some(c)) => {
                    assert_eq!((e.code, e.field.as_deref()), (c, field), "case {i}");
                    assert!(!e.message.is_ascii(), "case {i}: message should be Chinese");
                }
                (r, c) => panic!("case {i}: got {r:?}, wanted {c:?}"),
            }
        }
    }

    #[test]
    fn national_forms_of_region_prefix() {
        for form in [None, Some(""), Some("000000000000")] {
            let i = ParameterInput {
                region_prefix: form.map(String::from),
                ..input(key::VISIT_MINIMUM, ParamValue::Count(4))
            };
            assert_eq!(i.validate(2026).unwrap().region_prefix, None, "{form:?}");
        }
        let i = input(key::VISIT_MINIMUM, ParamValue::Count(4));
        assert_eq!(i.validate(2026).unwrap().region_prefix, Some(code("36")));
    }

    #[test]
    fn value_display_and_serde() {
        assert_eq!(
            ParamValue::Ratio(Ratio::new(3, 100).unwrap()).display(),
            "3/100（3.00%）"
        );
        assert_eq!(ParamValue::Days(7).display(), "7 天");
        assert_eq!(
            ParamValue::Fen(Fen::from_yuan(4000)).display(),
            "4000.00 元"
        );
        let json = r#"{"key":"income_fall_share","year":2024,"value":{"ratio":{"num":1,"den":4}},"source":"x"}"#;
        let i: ParameterInput = serde_json::from_str(json).unwrap();
        assert_eq!(
            i.validate(2026).unwrap().value,
            ParamValue::Ratio(Ratio::new(1, 4).unwrap())
        );
    }
}
