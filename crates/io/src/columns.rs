//! The columns of each import/export kind: Chinese header, English field name, aliases, whether it
//! is required, its code table and how its cells are read. Headers are matched by name, never by
//! position, so a file may order, omit (optional) or add columns freely.

use fupin_core::codes::table;
use fupin_core::pairing::{UNIT_LEVEL_TABLE, VISIT_KIND_TABLE};
use fupin_core::rectification::ListKind;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FileKind))]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One row per person, household columns repeated on each row of the household.
    Households,
    /// One row per household and year.
    Incomes,
    /// One row per village and year.
    Profiles,
    /// Administrative divisions.
    Regions,
    /// One row per cadre (帮扶干部) with their helping unit.
    Cadres,
    /// One row per household–cadre pairing (结对帮扶).
    Pairings,
    /// One row per visit (走访记录).
    Visits,
    /// One row per status change of a registered household (户状态变更), oldest first.
    // named in JSON as `as_str` names it (the name the API takes); the run-together name serde's
    // `lowercase` gave before is still read
    #[serde(rename = "status_changes", alias = "statuschanges")]
    StatusChanges,
    /// One row per micro-wish (微心愿) with its claim and fulfilment.
    Wishes,
    /// One row per household and year of verification (两不愁三保障核实).
    #[serde(rename = "household_years", alias = "householdyears")]
    HouseholdYears,
    /// One row per risk event of a household (风险事件), with its resolution.
    #[serde(rename = "risk_events", alias = "riskevents")]
    RiskEvents,
    /// One row per procedure case (exit, monitoring identification, risk elimination) with the day
    /// each step was completed.
    Cases,
    /// A department's employment list (就业名单, 人社), one row per person employed, by ID number.
    #[serde(rename = "dept_employment")]
    DeptEmployment,
    /// A department's training list (培训名单), one row per person trained, by ID number.
    #[serde(rename = "dept_training")]
    DeptTraining,
    /// A department's resident pension list (养老保险名单), one row per person, by ID number.
    #[serde(rename = "dept_pension")]
    DeptPension,
    /// A department's list of supported students (学生资助名单, 教育), by ID number.
    #[serde(rename = "dept_school")]
    DeptSchool,
    /// A department's medical list (医疗救助名单, 医保), one row per person and date, by ID number.
    #[serde(rename = "dept_medical")]
    DeptMedical,
    /// A department's list compared with the registry (数据比对): 死亡人员（公安）, by ID number.
    #[serde(rename = "compare_deaths")]
    CompareDeaths,
    /// A department's list compared with the registry (数据比对): 低保/特困（民政）, by ID number.
    #[serde(rename = "compare_dibao")]
    CompareDibao,
    /// A department's list compared with the registry (数据比对): 残疾人证（残联）, by ID number.
    #[serde(rename = "compare_disability")]
    CompareDisability,
    /// A department's list compared with the registry (数据比对): 医疗自付费用（医保）, by ID number.
    #[serde(rename = "compare_medical")]
    CompareMedical,
    /// A department's list compared with the registry (数据比对): 车辆登记（车管）, by ID number.
    #[serde(rename = "compare_vehicles")]
    CompareVehicles,
    /// A department's list compared with the registry (数据比对): 企业登记（市场监管）, by ID number.
    #[serde(rename = "compare_enterprises")]
    CompareEnterprises,
    /// A department's list compared with the registry (数据比对): 房产登记（住建）, by ID number.
    #[serde(rename = "compare_housing")]
    CompareHousing,
    /// A department's list compared with the registry (数据比对): 在校学生（教育）, by ID number.
    #[serde(rename = "compare_students")]
    CompareStudents,
    /// A department's list compared with the registry (数据比对): 就业参保（人社）, by ID number.
    #[serde(rename = "compare_employment")]
    CompareEmployment,
    /// A county office's project library ledger (项目库台账): one row per project.
    #[serde(rename = "project_ledger")]
    ProjectLedger,
    /// A county office's funds ledger (资金台账): rows of fund sources, allocations to projects,
    /// receipts and disbursements.
    #[serde(rename = "fund_ledger")]
    FundLedger,
}

impl Kind {
    pub const ALL: [Kind; 28] = [
        Kind::Households,
        Kind::Incomes,
        Kind::Profiles,
        Kind::Regions,
        Kind::Cadres,
        Kind::Pairings,
        Kind::Visits,
        Kind::StatusChanges,
        Kind::Wishes,
        Kind::HouseholdYears,
        Kind::RiskEvents,
        Kind::Cases,
        Kind::DeptEmployment,
        Kind::DeptTraining,
        Kind::DeptPension,
        Kind::DeptSchool,
        Kind::DeptMedical,
        Kind::CompareDeaths,
        Kind::CompareDibao,
        Kind::CompareDisability,
        Kind::CompareMedical,
        Kind::CompareVehicles,
        Kind::CompareEnterprises,
        Kind::CompareHousing,
        Kind::CompareStudents,
        Kind::CompareEmployment,
        Kind::ProjectLedger,
        Kind::FundLedger,
    ];

    /// The departments' lists compared with the registry (数据比对), by ID number.
    pub const COMPARE_LISTS: [Kind; 9] = [
        Kind::CompareDeaths,
        Kind::CompareDibao,
        Kind::CompareDisability,
        Kind::CompareMedical,
        Kind::CompareVehicles,
        Kind::CompareEnterprises,
        Kind::CompareHousing,
        Kind::CompareStudents,
        Kind::CompareEmployment,
    ];

    /// The list type a comparison kind declares (`None` for every other kind).
    pub fn compare_list(self) -> Option<ListKind> {
        Some(match self {
            Kind::CompareDeaths => ListKind::Deaths,
            Kind::CompareDibao => ListKind::Dibao,
            Kind::CompareDisability => ListKind::Disability,
            Kind::CompareMedical => ListKind::Medical,
            Kind::CompareVehicles => ListKind::Vehicles,
            Kind::CompareEnterprises => ListKind::Enterprises,
            Kind::CompareHousing => ListKind::Housing,
            Kind::CompareStudents => ListKind::Students,
            Kind::CompareEmployment => ListKind::Employment,
            _ => return None,
        })
    }

    /// The departments' lists by ID number (imported as measures of the persons they name).
    pub const DEPT_LISTS: [Kind; 5] = [
        Kind::DeptEmployment,
        Kind::DeptTraining,
        Kind::DeptPension,
        Kind::DeptSchool,
        Kind::DeptMedical,
    ];

    /// Whether this is a department's list by ID number.
    pub fn is_dept_list(self) -> bool {
        Kind::DEPT_LISTS.contains(&self)
    }

    /// The kind an English name (as `as_str` writes it, singular or plural) or a Chinese label names.
    pub fn parse(s: &str) -> Option<Kind> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "households" | "household" | "members" | "persons" => Some(Kind::Households),
            "incomes" | "income" => Some(Kind::Incomes),
            "profiles" | "profile" | "village_profiles" => Some(Kind::Profiles),
            "regions" | "region" | "divisions" => Some(Kind::Regions),
            "cadres" | "cadre" => Some(Kind::Cadres),
            "pairings" | "pairing" => Some(Kind::Pairings),
            "visits" | "visit" => Some(Kind::Visits),
            "status_changes" | "status_change" | "statuses" => Some(Kind::StatusChanges),
            "wishes" | "wish" | "micro_wishes" => Some(Kind::Wishes),
            "household_years" | "household_year" | "verifications" => Some(Kind::HouseholdYears),
            "risk_events" | "risk_event" | "risks" => Some(Kind::RiskEvents),
            "cases" | "case" | "procedures" => Some(Kind::Cases),
            "dept_employment" | "employment_list" => Some(Kind::DeptEmployment),
            "dept_training" | "training_list" => Some(Kind::DeptTraining),
            "dept_pension" | "pension_list" => Some(Kind::DeptPension),
            "dept_school" | "school_list" | "dept_students" => Some(Kind::DeptSchool),
            "dept_medical" | "medical_list" => Some(Kind::DeptMedical),
            "project_ledger" | "project_ledgers" | "projects" => Some(Kind::ProjectLedger),
            "fund_ledger" | "fund_ledgers" | "funds_ledger" => Some(Kind::FundLedger),
            t if t.starts_with("compare_") => {
                ListKind::parse(&t["compare_".len()..]).and_then(|l| {
                    Kind::COMPARE_LISTS
                        .into_iter()
                        .find(|k| k.compare_list() == Some(l))
                })
            }
            _ => Kind::ALL.into_iter().find(|k| k.label() == t),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Households => "households",
            Kind::Incomes => "incomes",
            Kind::Profiles => "profiles",
            Kind::Regions => "regions",
            Kind::Cadres => "cadres",
            Kind::Pairings => "pairings",
            Kind::Visits => "visits",
            Kind::StatusChanges => "status_changes",
            Kind::Wishes => "wishes",
            Kind::HouseholdYears => "household_years",
            Kind::RiskEvents => "risk_events",
            Kind::Cases => "cases",
            Kind::DeptEmployment => "dept_employment",
            Kind::DeptTraining => "dept_training",
            Kind::DeptPension => "dept_pension",
            Kind::DeptSchool => "dept_school",
            Kind::DeptMedical => "dept_medical",
            Kind::CompareDeaths => "compare_deaths",
            Kind::CompareDibao => "compare_dibao",
            Kind::CompareDisability => "compare_disability",
            Kind::CompareMedical => "compare_medical",
            Kind::CompareVehicles => "compare_vehicles",
            Kind::CompareEnterprises => "compare_enterprises",
            Kind::CompareHousing => "compare_housing",
            Kind::CompareStudents => "compare_students",
            Kind::CompareEmployment => "compare_employment",
            Kind::ProjectLedger => "project_ledger",
            Kind::FundLedger => "fund_ledger",
        }
    }

    /// Chinese name, shown to users and used as the data sheet's name.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Households => "家庭成员",
            Kind::Incomes => "家庭收入",
            Kind::Profiles => "村情",
            Kind::Regions => "行政区划",
            Kind::Cadres => "帮扶干部",
            Kind::Pairings => "结对帮扶",
            Kind::Visits => "走访记录",
            Kind::StatusChanges => "户状态变更",
            Kind::Wishes => "微心愿",
            Kind::HouseholdYears => "年度核实",
            Kind::RiskEvents => "风险事件",
            Kind::Cases => "办理程序",
            Kind::DeptEmployment => "部门就业名单",
            Kind::DeptTraining => "部门培训名单",
            Kind::DeptPension => "部门养老保险名单",
            Kind::DeptSchool => "部门学生资助名单",
            Kind::DeptMedical => "部门医疗救助名单",
            Kind::CompareDeaths => "死亡人员比对名单",
            Kind::CompareDibao => "低保特困比对名单",
            Kind::CompareDisability => "残疾人证比对名单",
            Kind::CompareMedical => "医疗费用比对名单",
            Kind::CompareVehicles => "车辆登记比对名单",
            Kind::CompareEnterprises => "企业登记比对名单",
            Kind::CompareHousing => "房产登记比对名单",
            Kind::CompareStudents => "在校学生比对名单",
            Kind::CompareEmployment => "就业参保比对名单",
            Kind::ProjectLedger => "项目库台账",
            Kind::FundLedger => "资金台账",
        }
    }

    /// English name, for the English pages.
    pub fn label_en(self) -> &'static str {
        match self {
            Kind::Households => "Households and members",
            Kind::Incomes => "Yearly incomes",
            Kind::Profiles => "Village profiles",
            Kind::Regions => "Regions",
            Kind::Cadres => "Cadres",
            Kind::Pairings => "Pairings",
            Kind::Visits => "Visits",
            Kind::StatusChanges => "Household status changes",
            Kind::Wishes => "Micro-wishes",
            Kind::HouseholdYears => "Yearly verification",
            Kind::RiskEvents => "Risk events",
            Kind::Cases => "Procedure cases",
            Kind::DeptEmployment => "Department list: employment",
            Kind::DeptTraining => "Department list: training",
            Kind::DeptPension => "Department list: resident pension",
            Kind::DeptSchool => "Department list: students supported",
            Kind::DeptMedical => "Department list: medical assistance",
            Kind::CompareDeaths => "Comparison list: deaths",
            Kind::CompareDibao => "Comparison list: dibao / tekun",
            Kind::CompareDisability => "Comparison list: disability certificates",
            Kind::CompareMedical => "Comparison list: medical costs",
            Kind::CompareVehicles => "Comparison list: vehicles",
            Kind::CompareEnterprises => "Comparison list: enterprises",
            Kind::CompareHousing => "Comparison list: housing",
            Kind::CompareStudents => "Comparison list: students",
            Kind::CompareEmployment => "Comparison list: employment",
            Kind::ProjectLedger => "Project library ledger",
            Kind::FundLedger => "Funds ledger",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Households => HOUSEHOLD_COLUMNS,
            Kind::Incomes => INCOME_COLUMNS,
            Kind::Profiles => PROFILE_COLUMNS,
            Kind::Regions => REGION_COLUMNS,
            Kind::Cadres => CADRE_COLUMNS,
            Kind::Pairings => PAIRING_COLUMNS,
            Kind::Visits => VISIT_COLUMNS,
            Kind::StatusChanges => STATUS_CHANGE_COLUMNS,
            Kind::Wishes => WISH_COLUMNS,
            Kind::HouseholdYears => HOUSEHOLD_YEAR_COLUMNS,
            Kind::RiskEvents => RISK_EVENT_COLUMNS,
            Kind::Cases => CASE_COLUMNS,
            Kind::DeptEmployment => DEPT_EMPLOYMENT_COLUMNS,
            Kind::DeptTraining => DEPT_TRAINING_COLUMNS,
            Kind::DeptPension => DEPT_PENSION_COLUMNS,
            Kind::DeptSchool => DEPT_SCHOOL_COLUMNS,
            Kind::DeptMedical => DEPT_MEDICAL_COLUMNS,
            Kind::CompareDeaths => COMPARE_DEATHS_COLUMNS,
            Kind::CompareDibao => COMPARE_DIBAO_COLUMNS,
            Kind::CompareDisability => COMPARE_DISABILITY_COLUMNS,
            Kind::CompareMedical => COMPARE_MEDICAL_COLUMNS,
            Kind::CompareVehicles => COMPARE_VEHICLES_COLUMNS,
            Kind::CompareEnterprises => COMPARE_ENTERPRISES_COLUMNS,
            Kind::CompareHousing => COMPARE_HOUSING_COLUMNS,
            Kind::CompareStudents => COMPARE_STUDENTS_COLUMNS,
            Kind::CompareEmployment => COMPARE_EMPLOYMENT_COLUMNS,
            Kind::ProjectLedger => PROJECT_LEDGER_COLUMNS,
            Kind::FundLedger => FUND_LEDGER_COLUMNS,
        }
    }

    /// Index of a column by field name (panics on a name not in the table: a programming error).
    pub fn col(self, key: &str) -> usize {
        self.columns()
            .iter()
            .position(|c| c.key == key)
            .unwrap_or_else(|| panic!("no column {key} in {}", self.as_str()))
    }
}

/// How a cell is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Text,
    /// A code of a code table, or its label.
    Code(&'static str),
    /// Several codes or labels separated by 、 , ， ; ；
    Codes(&'static str),
    /// 是/否 (also Y/N, 1/0, true/false, √/×).
    Bool,
    Int,
    Year,
    /// A calendar date (`2019-01-01`, `2019/1/1`, `2019年1月1日`, `20190101`, or an Excel date).
    Date,
    /// A decimal number (areas, distances).
    Decimal,
    /// Yuan with at most two decimals.
    Yuan,
    /// An amount in 元 or 万元, as the column's header (or the sheet's title, 单位：万元) says;
    /// exact to the fen.
    Money,
    /// Household status, label or English code.
    Status,
    /// 男/女.
    Sex,
}

/// Which record a column belongs to (for households: the household or the person of the row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Household,
    Member,
    Record,
}

/// One column of a kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// English field name (accepted as a header too).
    pub key: &'static str,
    /// Chinese header as written by templates and exports.
    pub header: &'static str,
    /// Other headers accepted.
    pub aliases: &'static [&'static str],
    pub level: Level,
    /// The column must be in every file of the kind (a cell may still be blank where noted).
    pub required: bool,
    pub kind: CellKind,
    /// Written by exports for reading; ignored on import.
    pub export_only: bool,
    /// Column width in an XLSX sheet (characters).
    pub width: f64,
    /// Explanation for the instructions sheet.
    pub note: &'static str,
}

const fn col(
    key: &'static str,
    header: &'static str,
    level: Level,
    kind: CellKind,
    width: f64,
    note: &'static str,
) -> Column {
    Column {
        key,
        header,
        aliases: &[],
        level,
        required: false,
        kind,
        export_only: false,
        width,
        note,
    }
}

const fn req(c: Column) -> Column {
    Column {
        required: true,
        ..c
    }
}

const fn alias(c: Column, aliases: &'static [&'static str]) -> Column {
    Column { aliases, ..c }
}

const fn out(c: Column) -> Column {
    Column {
        export_only: true,
        ..c
    }
}

use CellKind as K;
use Level::{Household as H, Member as M, Record as R};

/// Households: one row per person.
pub static HOUSEHOLD_COLUMNS: &[Column] = &[
    req(col("household_number", "户编码", H, K::Text, 20.0, "全省唯一的户编码（字母、数字、- 或 _）；同一户的各成员行户编码相同且相邻")),
    req(alias(col("village_code", "村代码", H, K::Text, 15.0, "12位村级统计用区划代码，须已导入区划"), &["行政区划代码", "村级区划代码", "所在村代码"])),
    col("group_name", "村民小组", H, K::Text, 10.0, "可空"),
    col("address", "家庭住址", H, K::Text, 24.0, "可空"),
    out(col("head_name", "户主姓名", H, K::Text, 10.0, "导出时填写；导入时若填写须与户主行的姓名一致")),
    req(col("attribute", "贫困户属性", H, K::Code(table::HOUSEHOLD_ATTRIBUTE), 16.0, "代码或名称，见下拉列表")),
    req(col("identification_standard", "识别标准", H, K::Code(table::IDENTIFICATION_STANDARD), 10.0, "代码或名称")),
    req(col("identification_year", "识别年度", H, K::Year, 10.0, "四位年份，如 2014")),
    req(col("main_cause", "主要致贫原因", H, K::Code(table::POVERTY_CAUSE), 14.0, "代码或名称")),
    col("other_causes", "其他致贫原因", H, K::Codes(table::POVERTY_CAUSE), 18.0, "可空；多个用 、 或 , 分隔，不能与主要致贫原因相同"),
    alias(col("phone", "联系电话", H, K::Text, 14.0, "可空"), &["户联系电话"]),
    col("bank_name", "开户银行", H, K::Text, 16.0, "可空"),
    alias(col("bank_account", "银行账号", H, K::Text, 22.0, "可空；请以文本格式填写"), &["银行卡号"]),
    alias(col("status", "状态", H, K::Status, 12.0, "新识别、未脱贫、已脱贫、返贫、监测对象、风险消除、自然减少（销户）；新户空白为未脱贫；已有户填写新状态即按规则变更状态"), &["户状态"]),
    col("status_date", "状态日期", H, K::Date, 12.0, "状态变更日期 YYYY-MM-DD；已有户变更状态时必填"),
    col("status_reason", "状态变更原因", H, K::Text, 16.0, "可空，默认“年度动态调整（导入）”"),
    col("exit_year", "脱贫年度", H, K::Year, 10.0, "仅“已脱贫”填写，默认为状态日期所在年度"),
    col("housing_grade", "危房等级", H, K::Code(table::HOUSING_SAFETY_GRADE), 14.0, "可空；A、B、C、D 或名称"),
    col("housing_area_m2", "住房面积(平方米)", H, K::Decimal, 12.0, "可空"),
    col("housing_renovated_year", "危房改造年度", H, K::Year, 12.0, "可空"),
    col("safe_drinking_water", "是否饮水安全", H, K::Bool, 10.0, "是/否，可空"),
    col("drinking_water_difficulty", "是否饮水困难", H, K::Bool, 10.0, "是/否，可空"),
    col("electricity_living", "是否通生活用电", H, K::Bool, 10.0, "是/否，可空"),
    col("electricity_production", "是否通生产用电", H, K::Bool, 10.0, "是/否，可空"),
    col("radio_tv", "是否通广播电视", H, K::Bool, 10.0, "是/否，可空"),
    col("road_type", "入户路类型", H, K::Code(table::ROAD_TYPE), 10.0, "可空"),
    col("road_distance_km", "与村主干路距离(公里)", H, K::Decimal, 12.0, "可空"),
    col("sanitary_toilet", "是否有卫生厕所", H, K::Bool, 10.0, "是/否，可空"),
    col("fuel_type", "主要燃料类型", H, K::Code(table::FUEL_TYPE), 10.0, "可空"),
    col("farmland_mu", "耕地面积(亩)", H, K::Decimal, 10.0, "可空"),
    col("irrigated_mu", "有效灌溉面积(亩)", H, K::Decimal, 10.0, "可空"),
    col("forest_mu", "林地面积(亩)", H, K::Decimal, 10.0, "可空"),
    col("orchard_mu", "林果面积(亩)", H, K::Decimal, 10.0, "可空"),
    col("pasture_mu", "牧草地面积(亩)", H, K::Decimal, 10.0, "可空"),
    col("water_surface_mu", "水面面积(亩)", H, K::Decimal, 10.0, "可空"),
    col("in_cooperative", "是否加入农民专业合作社", H, K::Bool, 12.0, "是/否，可空"),
    col("relocated", "是否易地扶贫搬迁", H, K::Bool, 12.0, "是/否，可空；以下搬迁各列仅搬迁户填写"),
    col("relocation_mode", "搬迁方式", H, K::Text, 10.0, "01 行政村整体、02 自然村整体、03 个别搬迁"),
    col("relocation_resettlement", "安置方式", H, K::Text, 10.0, "集中 或 分散"),
    col("relocation_place", "安置地", H, K::Text, 10.0, "县城、乡镇、县外、村外 或 村内"),
    col("relocation_move_in_date", "搬迁入住日期", H, K::Date, 12.0, "YYYY-MM-DD"),
    col("relocation_difficulties", "搬迁后主要困难", H, K::Text, 16.0, "可空"),
    req(col("name", "姓名", M, K::Text, 10.0, "成员姓名")),
    req(alias(col("id_number", "身份证号", M, K::Text, 21.0, "18位公民身份号码（15位旧号自动升位）；请以文本格式填写"), &["证件号码", "公民身份号码", "身份证号码"])),
    col("sex", "性别", M, K::Sex, 6.0, "男/女，可空；填写时须与身份证号一致"),
    col("birth_date", "出生日期", M, K::Date, 12.0, "可空；填写时须与身份证号一致"),
    req(col("relation", "与户主关系", M, K::Code(table::RELATION_TO_HEAD), 10.0, "每户有且只有一名“户主”")),
    col("ethnicity", "民族", M, K::Code(table::ETHNICITY), 10.0, "可空"),
    col("education", "文化程度", M, K::Code(table::EDUCATION), 12.0, "可空"),
    col("schooling", "在校生状况", M, K::Code(table::SCHOOLING), 12.0, "可空"),
    col("out_of_school_reason", "失学或辍学原因", M, K::Text, 14.0, "可空"),
    col("health", "健康状况", M, K::Code(table::HEALTH), 12.0, "可空"),
    alias(col("labour_ability", "劳动能力", M, K::Code(table::LABOUR_ABILITY), 16.0, "可空"), &["劳动技能"]),
    col("work_status", "务工状况", M, K::Code(table::WORK_STATUS), 16.0, "可空"),
    alias(col("work_months", "务工时间(月)", M, K::Int, 10.0, "0–12，可空"), &["务工时间"]),
    col("disability", "是否残疾", M, K::Bool, 8.0, "是/否，可空"),
    alias(col("basic_medical_insurance", "是否参加基本医疗保险", M, K::Bool, 12.0, "是/否，可空"), &["是否参加城乡居民基本医疗保险"]),
    col("serious_illness_insurance", "是否参加大病保险", M, K::Bool, 12.0, "是/否，可空"),
    alias(col("pension_insurance", "是否参加基本养老保险", M, K::Bool, 12.0, "是/否，可空"), &["是否参加城乡居民基本养老保险"]),
    col("member_phone", "本人联系电话", M, K::Text, 14.0, "可空"),
    col("join_kind", "加入方式", M, K::Code(table::MEMBER_CHANGE), 10.0, "已有户新增成员时可填：嫁入、新生儿、其他转入"),
    col("join_date", "加入日期", M, K::Date, 12.0, "填写加入方式时必填"),
];

/// Incomes: one row per household and year.
pub static INCOME_COLUMNS: &[Column] = &[
    req(col(
        "household_number",
        "户编码",
        R,
        K::Text,
        20.0,
        "须为已登记的户",
    )),
    out(col(
        "village_code",
        "村代码",
        R,
        K::Text,
        15.0,
        "导出时填写，导入时忽略",
    )),
    out(col(
        "head_name",
        "户主姓名",
        R,
        K::Text,
        10.0,
        "导出时填写，导入时忽略",
    )),
    req(col("year", "年度", R, K::Year, 8.0, "四位年份")),
    req(col(
        "wage_fen",
        "工资性收入(元)",
        R,
        K::Yuan,
        14.0,
        "元，最多两位小数；空白为 0",
    )),
    req(col(
        "business_fen",
        "生产经营性收入(元)",
        R,
        K::Yuan,
        16.0,
        "元；空白为 0",
    )),
    req(col(
        "property_fen",
        "财产性收入(元)",
        R,
        K::Yuan,
        14.0,
        "元；空白为 0",
    )),
    col(
        "dividend_fen",
        "其中：资产收益分红(元)",
        R,
        K::Yuan,
        16.0,
        "可空；不能大于财产性收入",
    ),
    req(col(
        "transfer_fen",
        "转移性收入(元)",
        R,
        K::Yuan,
        14.0,
        "元；空白为 0",
    )),
    req(col(
        "business_cost_fen",
        "生产经营性支出(元)",
        R,
        K::Yuan,
        16.0,
        "元；空白为 0",
    )),
    col("note", "备注", R, K::Text, 20.0, "可空"),
    out(col(
        "gross_income_fen",
        "家庭年收入(元)",
        R,
        K::Yuan,
        14.0,
        "导出时计算",
    )),
    out(col(
        "net_income_fen",
        "家庭纯收入(元)",
        R,
        K::Yuan,
        14.0,
        "导出时计算",
    )),
    out(col(
        "persons",
        "家庭人口",
        R,
        K::Int,
        8.0,
        "导出时计算：当年12月31日在册人数",
    )),
    out(col(
        "per_capita_net_income_fen",
        "人均纯收入(元)",
        R,
        K::Yuan,
        14.0,
        "导出时计算",
    )),
];

/// Village profiles: one row per village and year.
pub static PROFILE_COLUMNS: &[Column] = &[
    req(alias(
        col(
            "village_code",
            "村代码",
            R,
            K::Text,
            15.0,
            "12位村级区划代码",
        ),
        &["行政区划代码"],
    )),
    out(col(
        "village_name",
        "村名称",
        R,
        K::Text,
        16.0,
        "导出时填写，导入时忽略",
    )),
    req(col("year", "年度", R, K::Year, 8.0, "四位年份")),
    col(
        "collective_income_fen",
        "村集体经济收入(元)",
        R,
        K::Yuan,
        16.0,
        "元，最多两位小数；可空",
    ),
    col(
        "rural_population",
        "农村人口",
        R,
        K::Int,
        10.0,
        "户籍农村人口，可空",
    ),
    col("note", "备注", R, K::Text, 20.0, "可空"),
];

/// Regions.
pub static REGION_COLUMNS: &[Column] = &[
    req(alias(
        col("code12", "区划代码", R, K::Text, 15.0, "12位统计用区划代码"),
        &["code"],
    )),
    col(
        "level",
        "级别",
        R,
        K::Text,
        10.0,
        "省级、地级、县级、乡级、村级（导出的写法），或 省、市、县、乡、村，或 province、city、county、township、village；可空",
    ),
    req(col("name", "名称", R, K::Text, 20.0, "区划名称")),
    alias(
        col(
            "parent_code12",
            "上级代码",
            R,
            K::Text,
            15.0,
            "可空；填写时须为代码的上一级",
        ),
        &["上级区划代码"],
    ),
];

/// Cadres: one row per cadre; the helping unit is named, and created when absent.
pub static CADRE_COLUMNS: &[Column] = &[
    req(alias(
        col("unit_name", "帮扶单位", R, K::Text, 28.0, "帮扶单位全称；系统中没有的单位按名称新建"),
        &["帮扶单位名称", "单位名称"],
    )),
    alias(
        col(
            "unit_level",
            "单位级别",
            R,
            K::Code(UNIT_LEVEL_TABLE),
            10.0,
            "代码或名称；新建单位时必填，已有单位填写时须与系统中一致",
        ),
        &["单位隶属关系", "帮扶单位级别"],
    ),
    req(alias(
        col("name", "干部姓名", R, K::Text, 10.0, "帮扶干部姓名"),
        &["姓名", "帮扶干部", "帮扶责任人"],
    )),
    col("rank", "职级", R, K::Text, 10.0, "可空，如 科级"),
    alias(
        col(
            "phone",
            "联系电话",
            R,
            K::Text,
            14.0,
            "可空；同一单位有同名干部时据此区分。导出的脱敏号码（如 138****8000）再次导入时用于匹配，不改原号码",
        ),
        &["手机号码", "电话"],
    ),
    alias(
        col(
            "region_code",
            "管理区划代码",
            R,
            K::Text,
            15.0,
            "登记、管理该干部的县、乡或村的12位区划代码，须在您的管辖范围内；新干部必填（只管辖一个区划时可空）",
        ),
        &["管理区划", "所属区划代码"],
    ),
];

/// Pairings: one row per household–cadre pairing.
pub static PAIRING_COLUMNS: &[Column] = &[
    req(alias(
        col("household_number", "户编码", R, K::Text, 20.0, "须为已登记的户"),
        &["户编号"],
    )),
    out(col("village_code", "村代码", R, K::Text, 15.0, "导出时填写，导入时忽略")),
    req(alias(
        col("unit_name", "帮扶单位", R, K::Text, 28.0, "帮扶干部所在单位，须已登记"),
        &["帮扶单位名称"],
    )),
    req(alias(
        col("cadre_name", "帮扶干部", R, K::Text, 10.0, "须为该单位已登记的干部"),
        &["干部姓名", "帮扶责任人", "帮扶人"],
    )),
    alias(
        col(
            "cadre_phone",
            "干部联系电话",
            R,
            K::Text,
            14.0,
            "可空；同一单位有同名干部时必填",
        ),
        &["帮扶干部电话", "干部电话", "联系电话"],
    ),
    req(alias(
        col(
            "start_date",
            "开始日期",
            R,
            K::Date,
            12.0,
            "结对开始日期 YYYY-MM-DD；每户同时最多 2 名帮扶干部，每名干部最多结对 5 户（以参数为准）",
        ),
        &["结对日期", "结对开始日期"],
    )),
    alias(
        col("end_date", "结束日期", R, K::Date, 12.0, "可空；结对结束日期（最后一天）YYYY-MM-DD，不早于开始日期。已登记的结对填写后即结束，已结束的结对不能改动结束日期"),
        &["结对结束日期"],
    ),
    col("end_reason", "结束原因", R, K::Text, 16.0, "可空，默认“结对结束（导入）”；未填结束日期时不填"),
];

/// Visits: one row per visit.
pub static VISIT_COLUMNS: &[Column] = &[
    req(alias(
        col("household_number", "户编码", R, K::Text, 20.0, "须为已登记的户"),
        &["户编号"],
    )),
    out(col("village_code", "村代码", R, K::Text, 15.0, "导出时填写，导入时忽略")),
    req(alias(
        col("date", "走访日期", R, K::Date, 12.0, "YYYY-MM-DD，不能晚于今天"),
        &["走访时间"],
    )),
    req(alias(
        col("kind", "走访类型", R, K::Code(VISIT_KIND_TABLE), 10.0, "代码或名称"),
        &["走访方式"],
    )),
    req(alias(
        col(
            "cadres",
            "参加干部",
            R,
            K::Text,
            16.0,
            "参加走访的帮扶干部姓名，多人用 、 或 , 分隔；重名时填写帮扶单位，或以与该户结对的干部为准",
        ),
        &["走访干部", "走访人员"],
    )),
    alias(
        col(
            "unit_name",
            "帮扶单位",
            R,
            K::Text,
            24.0,
            "可空；填写时只在该单位的干部中查找姓名",
        ),
        &["帮扶单位名称"],
    ),
    col("findings_income", "收入情况", R, K::Text, 20.0, "可空"),
    col("findings_education", "教育保障情况", R, K::Text, 16.0, "可空"),
    col("findings_medical", "医疗保障情况", R, K::Text, 16.0, "可空"),
    col("findings_housing", "住房安全情况", R, K::Text, 16.0, "可空"),
    col("findings_water", "饮水安全情况", R, K::Text, 16.0, "可空"),
    alias(
        col("problems", "发现问题", R, K::Text, 20.0, "可空"),
        &["存在问题"],
    ),
    alias(
        col("actions", "帮扶措施", R, K::Text, 20.0, "可空"),
        &["采取措施", "解决措施"],
    ),
    col("follow_up", "后续跟进", R, K::Text, 16.0, "可空"),
    alias(
        col(
            "condolence_money_fen",
            "慰问金(元)",
            R,
            K::Yuan,
            12.0,
            "元，最多两位小数；空白为 0",
        ),
        &["慰问金", "慰问金额(元)"],
    ),
    alias(
        col("goods", "慰问品", R, K::Text, 20.0, "可空；物品名称，多项用 、 分隔"),
        &["慰问物品"],
    ),
    alias(
        col(
            "goods_value_fen",
            "慰问品价值(元)",
            R,
            K::Yuan,
            14.0,
            "元；填写时须同时填写慰问品",
        ),
        &["慰问品折价(元)"],
    ),
];

/// Status changes: one row per change of a registered household, in the order they happened.
pub static STATUS_CHANGE_COLUMNS: &[Column] = &[
    req(alias(
        col("household_number", "户编码", R, K::Text, 20.0, "须为已登记的户"),
        &["户编号"],
    )),
    out(col("village_code", "村代码", R, K::Text, 15.0, "导出时填写，导入时忽略")),
    out(col("head_name", "户主姓名", R, K::Text, 10.0, "导出时填写，导入时忽略")),
    req(alias(
        col(
            "status",
            "新状态",
            R,
            K::Status,
            12.0,
            "变更后的状态：已脱贫、返贫、监测对象、风险消除、自然减少（销户）等，须符合状态变更规则",
        ),
        &["状态", "变更后状态", "户状态"],
    )),
    req(alias(
        col("status_date", "变更日期", R, K::Date, 12.0, "YYYY-MM-DD，不早于该户上一次变更，不晚于今天"),
        &["状态日期"],
    )),
    col("exit_year", "脱贫年度", R, K::Year, 10.0, "仅“已脱贫”填写，默认为变更日期所在年度"),
    alias(
        col("reason", "变更原因", R, K::Text, 20.0, "可空，默认“年度动态调整（导入）”"),
        &["状态变更原因"],
    ),
];

/// Micro-wishes: one row per wish, with its claim and its fulfilment or cancellation.
pub static WISH_COLUMNS: &[Column] = &[
    req(alias(
        col(
            "household_number",
            "户编码",
            R,
            K::Text,
            20.0,
            "须为已登记的户",
        ),
        &["户编号"],
    )),
    out(col(
        "village_code",
        "村代码",
        R,
        K::Text,
        15.0,
        "导出时填写，导入时忽略",
    )),
    req(alias(
        col(
            "text",
            "心愿内容",
            R,
            K::Text,
            24.0,
            "如：希望有个轮椅（200字以内）",
        ),
        &["微心愿", "心愿"],
    )),
    alias(
        col(
            "estimated_value_fen",
            "预估价值(元)",
            R,
            K::Yuan,
            12.0,
            "元，最多两位小数；空白为 0",
        ),
        &["预计价值(元)", "心愿价值(元)"],
    ),
    req(alias(
        col(
            "submitted_on",
            "提交日期",
            R,
            K::Date,
            12.0,
            "YYYY-MM-DD，不晚于今天",
        ),
        &["许愿日期", "征集日期"],
    )),
    alias(
        col(
            "claim_unit",
            "认领单位",
            R,
            K::Text,
            24.0,
            "可空；认领的帮扶单位（须已登记），由干部认领时为干部所在单位",
        ),
        &["认领帮扶单位"],
    ),
    alias(
        col(
            "claim_cadre",
            "认领干部",
            R,
            K::Text,
            10.0,
            "可空；认领的帮扶干部姓名，须同时填写认领单位",
        ),
        &["认领人"],
    ),
    col(
        "claim_cadre_phone",
        "认领干部电话",
        R,
        K::Text,
        14.0,
        "可空；单位有同名干部时必填",
    ),
    col(
        "claimed_on",
        "认领日期",
        R,
        K::Date,
        12.0,
        "填写认领单位时必填",
    ),
    alias(
        col(
            "fulfilled_on",
            "实现日期",
            R,
            K::Date,
            12.0,
            "可空；心愿实现的日期，须已认领",
        ),
        &["兑现日期", "完成日期"],
    ),
    alias(
        col(
            "actual_value_fen",
            "实际价值(元)",
            R,
            K::Yuan,
            12.0,
            "填写实现日期时必填",
        ),
        &["兑现价值(元)"],
    ),
    col(
        "cancelled_on",
        "取消日期",
        R,
        K::Date,
        12.0,
        "可空；不能与实现日期同时填写",
    ),
    col(
        "cancel_reason",
        "取消原因",
        R,
        K::Text,
        16.0,
        "填写取消日期时必填",
    ),
];

/// Yearly verification: one row per household and year (两不愁三保障 and rigid spending).
pub static HOUSEHOLD_YEAR_COLUMNS: &[Column] = &[
    req(alias(
        col(
            "household_number",
            "户编码",
            R,
            K::Text,
            20.0,
            "须为已登记的户",
        ),
        &["户编号"],
    )),
    out(col(
        "village_code",
        "村代码",
        R,
        K::Text,
        15.0,
        "导出时填写，导入时忽略",
    )),
    req(alias(
        col("year", "年度", R, K::Year, 8.0, "四位年份"),
        &["核实年度"],
    )),
    alias(
        col("food_secure", "不愁吃", R, K::Bool, 8.0, "是/否，可空"),
        &["是否不愁吃"],
    ),
    alias(
        col("clothing_secure", "不愁穿", R, K::Bool, 8.0, "是/否，可空"),
        &["是否不愁穿"],
    ),
    col(
        "medical_spending_fen",
        "医疗支出(元)",
        R,
        K::Yuan,
        12.0,
        "合规自付医疗支出，元；空白为 0",
    ),
    col(
        "education_spending_fen",
        "教育支出(元)",
        R,
        K::Yuan,
        12.0,
        "元；空白为 0",
    ),
    col(
        "disaster_spending_fen",
        "灾害支出(元)",
        R,
        K::Yuan,
        12.0,
        "因灾损失和支出，元；空白为 0",
    ),
    col(
        "income_stable_months",
        "收入稳定月数",
        R,
        K::Int,
        10.0,
        "0–600，可空",
    ),
];

/// Risk events: one row per event of a household, with its resolution.
pub static RISK_EVENT_COLUMNS: &[Column] = &[
    req(alias(
        col(
            "household_number",
            "户编码",
            R,
            K::Text,
            20.0,
            "须为已登记的户",
        ),
        &["户编号"],
    )),
    out(col(
        "village_code",
        "村代码",
        R,
        K::Text,
        15.0,
        "导出时填写，导入时忽略",
    )),
    req(alias(
        col(
            "date",
            "发生日期",
            R,
            K::Date,
            12.0,
            "YYYY-MM-DD，不晚于今天",
        ),
        &["风险发生日期"],
    )),
    req(col(
        "risk_type",
        "风险类型",
        R,
        K::Code("risk_type"),
        16.0,
        "代码或名称，如 因病、因意外事故",
    )),
    alias(
        col("note", "风险说明", R, K::Text, 24.0, "可空"),
        &["说明", "备注"],
    ),
    alias(
        col(
            "resolved_on",
            "消除日期",
            R,
            K::Date,
            12.0,
            "可空；风险消除的日期，不早于发生日期；已登记的消除日期不能改动",
        ),
        &["风险消除日期"],
    ),
];

/// Procedure cases: one row per case with the day each step was completed, in the order of its
/// procedure (the columns of other procedures' steps stay blank).
pub static CASE_COLUMNS: &[Column] = &[
    req(alias(
        col(
            "household_number",
            "户编码",
            R,
            K::Text,
            20.0,
            "须为已登记的户",
        ),
        &["户编号"],
    )),
    out(col(
        "village_code",
        "村代码",
        R,
        K::Text,
        15.0,
        "导出时填写，导入时忽略",
    )),
    req(alias(
        col(
            "procedure",
            "程序",
            R,
            K::Text,
            12.0,
            "脱贫退出、监测对象识别 或 风险消除",
        ),
        &["办理程序", "程序类型"],
    )),
    req(alias(
        col(
            "year",
            "年度",
            R,
            K::Year,
            8.0,
            "四位年份：退出、识别或消除所属的年度",
        ),
        &["脱贫年度"],
    )),
    req(alias(
        col("started_on", "启动日期", R, K::Date, 12.0, "YYYY-MM-DD"),
        &["开始日期"],
    )),
    col(
        "step_proposal",
        "村提名",
        R,
        K::Date,
        12.0,
        "脱贫退出、风险消除：完成日期",
    ),
    col(
        "step_household_verification",
        "入户核实",
        R,
        K::Date,
        12.0,
        "监测对象识别、风险消除：完成日期",
    ),
    col(
        "step_data_comparison",
        "信息比对",
        R,
        K::Date,
        12.0,
        "监测对象识别：完成日期",
    ),
    col(
        "step_democratic_appraisal",
        "民主评议",
        R,
        K::Date,
        12.0,
        "完成日期",
    ),
    col(
        "step_verification",
        "村委会和驻村工作队核实",
        R,
        K::Date,
        14.0,
        "脱贫退出：完成日期",
    ),
    col(
        "step_household_consent",
        "户签字认可",
        R,
        K::Date,
        12.0,
        "脱贫退出：完成日期",
    ),
    col(
        "step_public_notice",
        "村内公示",
        R,
        K::Date,
        12.0,
        "公示结束日期（不早于公示开始加公示天数）",
    ),
    col(
        "step_township_review",
        "乡镇审核",
        R,
        K::Date,
        12.0,
        "完成日期",
    ),
    alias(
        col(
            "step_county_approval",
            "县级审定",
            R,
            K::Date,
            12.0,
            "完成日期：程序办结，户状态随之变更",
        ),
        &["县级审定公告"],
    ),
    alias(
        col(
            "monitored_kind",
            "监测类型",
            R,
            K::Code("monitoring_kind"),
            14.0,
            "监测对象识别县级审定时必填：脱贫不稳定户、边缘易致贫户、突发严重困难户",
        ),
        &["监测对象类型", "监测对象类别"],
    ),
    alias(
        col(
            "note",
            "备注",
            R,
            K::Text,
            20.0,
            "可空；记在本行办理的最后一步",
        ),
        &["说明"],
    ),
];

/// Normalise a header for matching: no spaces, no `*` markers, half-width brackets and colons,
/// ASCII lower case, no byte order mark.
pub fn normalise_header(h: &str) -> String {
    crate::cells::fold_width(h.trim_start_matches('\u{feff}'), Fold::Alphanumeric)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The column of `kind` a header names, if any: by its header, an alias or its key; a header of
/// two rows ("计划时间\n开工") whole or by its lower part. An amount column's unit, `(元)` or
/// `(万元)`, is no part of its name (the unit is read from it, [`Mapping::unit_of`]).
pub fn match_header(kind: Kind, header: &str) -> Option<usize> {
    let find = |header: &str| {
        let h = normalise_header(header);
        if h.is_empty() {
            return None;
        }
        let bare = without_unit(&h);
        kind.columns().iter().position(|c| {
            let same = |name: &str| {
                let n = normalise_header(name);
                n == h || (c.kind == CellKind::Money && without_unit(&n) == bare)
            };
            same(c.header) || c.key == h || c.aliases.iter().any(|a| same(a))
        })
    };
    find(header).or_else(|| {
        header
            .trim()
            .rsplit_once('\n')
            .and_then(|(_, lower)| find(lower))
    })
}

/// A normalised header without the unit of an amount: `资金规模(万元)合计` → `资金规模合计`.
fn without_unit(h: &str) -> String {
    let mut t = h.to_string();
    for u in ["(万元)", "(元)", "/万元", "/元", "单位:万元", "单位:元"] {
        t = t.replace(u, "");
    }
    t
}

/// Where each column of a kind is in a file: `positions[i]` is the file column of column `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub kind: Kind,
    pub positions: Vec<Option<usize>>,
    /// The file's own header names (for reports).
    pub file_headers: Vec<String>,
    /// File columns not understood (ignored), with their names.
    pub unknown: Vec<String>,
    /// The unit of amounts whose header does not name one: 万元 when a title above the header
    /// says so (单位：万元), else 元.
    pub default_unit: fupin_core::money::MoneyUnit,
    /// How each column's cells are folded ([`Column::fold`]): worked out once for the sheet, not
    /// for every cell of every row.
    folds: Vec<Fold>,
}

/// The header of the error column added to error files; ignored when such a file is imported again.
pub const ERROR_HEADER: &str = "错误原因";

impl Mapping {
    /// Map a header row. Fails with the missing required columns, or a column named twice.
    pub fn new(kind: Kind, header: &[String]) -> Result<Mapping, String> {
        let cols = kind.columns();
        let mut positions = vec![None; cols.len()];
        let mut unknown = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if normalise_header(h) == normalise_header(ERROR_HEADER) {
                continue;
            }
            match match_header(kind, h) {
                Some(c) if positions[c].is_some() => {
                    return Err(format!("列“{}”出现了两次", h.trim()));
                }
                Some(c) => positions[c] = Some(i),
                None if !h.trim().is_empty() => unknown.push(h.trim().to_string()),
                None => {}
            }
        }
        let missing: Vec<&str> = cols
            .iter()
            .zip(&positions)
            .filter(|(c, p)| c.required && !c.export_only && p.is_none())
            .map(|(c, _)| c.header)
            .collect();
        if !missing.is_empty() {
            return Err(format!("缺少必需的列：{}", missing.join("、")));
        }
        Ok(Mapping {
            kind,
            positions,
            file_headers: header.iter().map(|h| h.trim().replace('\n', "/")).collect(),
            unknown,
            default_unit: fupin_core::money::MoneyUnit::Yuan,
            folds: kind.columns().iter().map(Column::fold).collect(),
        })
    }

    /// Take the unit of amounts from the titles above the header: "单位：万元" (or "金额单位：万元").
    pub fn with_titles(mut self, titles: &[String]) -> Mapping {
        let says_wan = titles.iter().any(|t| {
            let n = normalise_header(t);
            n.contains("单位:万元") || n.contains("(万元)") || n == "万元"
        });
        if says_wan {
            self.default_unit = fupin_core::money::MoneyUnit::Wan;
        }
        self
    }

    /// The unit of the amounts of column `i`: what its header says (`(万元)`, `(元)`), else the
    /// sheet's ([`Mapping::with_titles`]).
    pub fn unit_of(&self, i: usize) -> fupin_core::money::MoneyUnit {
        use fupin_core::money::MoneyUnit;
        let h = self
            .positions
            .get(i)
            .copied()
            .flatten()
            .and_then(|p| self.file_headers.get(p))
            .map(|h| normalise_header(h))
            .unwrap_or_default();
        if h.contains("万元") {
            MoneyUnit::Wan
        } else if h.contains("(元)") || h.ends_with('元') {
            MoneyUnit::Yuan
        } else {
            self.default_unit
        }
    }

    /// The header of column `i` as the file writes it (or the standard header when absent).
    pub fn header_of(&self, i: usize) -> &str {
        match self.positions[i].and_then(|p| self.file_headers.get(p)) {
            Some(h) => h,
            None => self.kind.columns()[i].header,
        }
    }

    /// Whether the file has column `i`.
    pub fn has(&self, i: usize) -> bool {
        self.positions[i].is_some()
    }

    /// The cells of a row by column (`None` where the file lacks the column), full-width forms
    /// folded in code and number columns ([`Column::fold`]), trimmed.
    pub fn cells(&self, row: &[String]) -> Vec<Option<String>> {
        self.positions
            .iter()
            .zip(&self.folds)
            .map(|(p, &fold)| {
                p.map(|p| match row.get(p) {
                    Some(s) => crate::cells::fold_width(s, fold).trim().to_string(),
                    None => String::new(),
                })
            })
            .collect()
    }
}

// ---- departments' lists by ID number ----
// Each list names persons by ID number (the registered person's household is found from it), with
// the dates and the fields of the measure it records; the name, when given, must be the registered
// one. Shared columns first, then each list's own.

const DEPT_ID: Column = req(alias(
    col(
        "id_number",
        "身份证号",
        R,
        K::Text,
        21.0,
        "18位公民身份号码（15位旧号自动升位），须为在册的建档立卡人员；请以文本格式填写",
    ),
    &["证件号码", "公民身份号码", "身份证号码"],
));
const DEPT_NAME: Column = alias(
    col(
        "name",
        "姓名",
        R,
        K::Text,
        10.0,
        "可空；填写时须与在册姓名一致",
    ),
    &["人员姓名"],
);
const DEPT_END: Column = col(
    "end_date",
    "结束日期",
    R,
    K::Date,
    12.0,
    "可空；YYYY-MM-DD，不早于开始日期",
);
const DEPT_NOTE: Column = col("note", "备注", R, K::Text, 20.0, "可空");

/// 就业名单: one row per person employed.
pub static DEPT_EMPLOYMENT_COLUMNS: &[Column] = &[
    DEPT_ID,
    DEPT_NAME,
    req(alias(col("employer", "就业单位", R, K::Text, 24.0, "用工单位或扶贫车间名称"), &["用工单位", "务工单位"])),
    req(alias(col("employer_region_code", "就业地区划代码", R, K::Text, 15.0, "就业地12位区划代码（县级及以下；外省可只填省级代码）；县内、县外省内、跨省由系统据此判定"), &["务工地区划代码", "就业地代码"])),
    req(alias(col("employment_form", "就业形式", R, K::Text, 12.0, "外出务工、扶贫车间、公益性岗位、自主创业 或 灵活就业"), &["务工形式"])),
    req(alias(col("start_date", "就业日期", R, K::Date, 12.0, "YYYY-MM-DD；同一人同一就业日期视为同一条记录"), &["开始日期", "务工开始日期"])),
    DEPT_END,
    req(alias(col("months", "务工月数", R, K::Int, 10.0, "1–12"), &["务工时间(月)", "务工时间"])),
    req(alias(col("monthly_wage_fen", "月工资(元)", R, K::Yuan, 12.0, "元，最多两位小数"), &["月收入(元)"])),
    alias(col("provider", "提供部门", R, K::Text, 16.0, "可空，如 县人社局"), &["填报单位", "部门"]),
    DEPT_NOTE,
];

/// 培训名单: one row per person trained.
pub static DEPT_TRAINING_COLUMNS: &[Column] = &[
    DEPT_ID,
    DEPT_NAME,
    req(alias(
        col(
            "course",
            "培训项目",
            R,
            K::Text,
            20.0,
            "如 电工、家政、电商",
        ),
        &["培训工种", "培训专业"],
    )),
    req(alias(
        col(
            "training_type",
            "培训类型",
            R,
            K::Text,
            10.0,
            "岗前培训、技能提升 或 创业培训",
        ),
        &["培训类别"],
    )),
    req(alias(
        col(
            "start_date",
            "培训开始日期",
            R,
            K::Date,
            12.0,
            "YYYY-MM-DD；同一人同一开始日期视为同一条记录",
        ),
        &["开始日期", "开班日期"],
    )),
    alias(DEPT_END, &["培训结束日期", "结业日期"]),
    req(alias(
        col("hours", "培训学时", R, K::Int, 10.0, "1–2000"),
        &["学时"],
    )),
    alias(
        col(
            "certificate",
            "是否取得证书",
            R,
            K::Bool,
            10.0,
            "是/否，可空",
        ),
        &["取得证书"],
    ),
    alias(
        col("subsidy_fen", "培训补贴(元)", R, K::Yuan, 12.0, "元，可空"),
        &["补贴金额(元)"],
    ),
    alias(
        col(
            "living_allowance_fen",
            "生活补贴(元)",
            R,
            K::Yuan,
            12.0,
            "元，可空",
        ),
        &["生活费补贴(元)"],
    ),
    alias(
        col("provider", "培训机构", R, K::Text, 16.0, "可空"),
        &["提供部门", "部门"],
    ),
    DEPT_NOTE,
];

/// 养老保险名单: one row per person enrolled in the resident pension.
pub static DEPT_PENSION_COLUMNS: &[Column] = &[
    DEPT_ID,
    DEPT_NAME,
    req(alias(
        col(
            "start_date",
            "参保日期",
            R,
            K::Date,
            12.0,
            "YYYY-MM-DD；同一人同一参保日期视为同一条记录",
        ),
        &["开始日期"],
    )),
    DEPT_END,
    alias(
        col(
            "receiving",
            "是否领取养老金",
            R,
            K::Bool,
            12.0,
            "是/否，可空（60周岁及以上领取）",
        ),
        &["是否领取待遇"],
    ),
    alias(
        col(
            "premium_paid_by_government_fen",
            "政府代缴金额(元)",
            R,
            K::Yuan,
            14.0,
            "元，可空",
        ),
        &["代缴金额(元)", "政府代缴(元)"],
    ),
    alias(
        col(
            "provider",
            "经办机构",
            R,
            K::Text,
            16.0,
            "可空，如 县社保局",
        ),
        &["提供部门", "部门"],
    ),
    DEPT_NOTE,
];

/// 学生资助名单: one row per student supported.
pub static DEPT_SCHOOL_COLUMNS: &[Column] = &[
    DEPT_ID,
    DEPT_NAME,
    req(alias(
        col("school", "学校", R, K::Text, 20.0, "学校名称"),
        &["就读学校", "学校名称"],
    )),
    req(alias(
        col(
            "stage",
            "学段",
            R,
            K::Text,
            10.0,
            "学前、小学、初中、高中、中职 或 高等教育",
        ),
        &["就读阶段"],
    )),
    req(alias(
        col(
            "start_date",
            "资助开始日期",
            R,
            K::Date,
            12.0,
            "YYYY-MM-DD（学期开始）；同一人同一开始日期视为同一条记录",
        ),
        &["开始日期", "学期开始日期"],
    )),
    DEPT_END,
    alias(
        col(
            "tuition_waived_fen",
            "免学费(元)",
            R,
            K::Yuan,
            12.0,
            "元，可空",
        ),
        &["免除学费(元)"],
    ),
    alias(
        col("grant_fen", "助学金(元)", R, K::Yuan, 12.0, "元，可空"),
        &["国家助学金(元)"],
    ),
    alias(
        col("yulu_fen", "雨露计划补助(元)", R, K::Yuan, 12.0, "元，可空"),
        &["雨露计划(元)"],
    ),
    alias(
        col("dropout", "是否辍学", R, K::Bool, 10.0, "是/否，可空"),
        &["辍学"],
    ),
    alias(
        col(
            "provider",
            "提供部门",
            R,
            K::Text,
            16.0,
            "可空，如 县教育局",
        ),
        &["部门"],
    ),
    DEPT_NOTE,
];

/// 医疗救助名单: one row per person and date.
pub static DEPT_MEDICAL_COLUMNS: &[Column] = &[
    DEPT_ID,
    DEPT_NAME,
    req(alias(
        col(
            "start_date",
            "结算日期",
            R,
            K::Date,
            12.0,
            "YYYY-MM-DD；同一人同一结算日期视为同一条记录",
        ),
        &["开始日期", "就诊日期"],
    )),
    DEPT_END,
    alias(
        col(
            "signed_doctor",
            "是否签约家庭医生",
            R,
            K::Bool,
            12.0,
            "是/否，可空",
        ),
        &["家庭医生签约"],
    ),
    alias(
        col(
            "serious_illness",
            "是否大病救治",
            R,
            K::Bool,
            12.0,
            "是/否，可空",
        ),
        &["大病救治"],
    ),
    alias(
        col(
            "medical_assistance_fen",
            "医疗救助金额(元)",
            R,
            K::Yuan,
            14.0,
            "元，可空",
        ),
        &["医疗救助(元)"],
    ),
    req(alias(
        col(
            "out_of_pocket_fen",
            "个人自付(元)",
            R,
            K::Yuan,
            12.0,
            "元；医疗费用中个人自付部分",
        ),
        &["个人自付费用(元)", "自付金额(元)"],
    )),
    alias(
        col(
            "provider",
            "提供部门",
            R,
            K::Text,
            16.0,
            "可空，如 县医保局",
        ),
        &["部门"],
    ),
    DEPT_NOTE,
];

/// The ID number of a department's list compared with the registry: a number that names nobody
/// registered is counted, never an error.
const CMP_ID: Column = req(alias(
    col(
        "id_number",
        "身份证号",
        R,
        K::Text,
        21.0,
        "18位公民身份号码（15位旧号自动升位）；请以文本格式填写。不在册的号码只计数，不报错",
    ),
    &["证件号码", "公民身份号码", "身份证号码"],
));
const CMP_NAME: Column = alias(col("name", "姓名", R, K::Text, 10.0, "可空"), &["人员姓名"]);

/// 死亡人员（公安）: one row per fact, by ID number.
pub static COMPARE_DEATHS_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "死亡日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["注销日期", "死亡时间"],
    ),
    alias(
        col("detail", "注销原因", R, K::Text, 24.0, "可空"),
        &["死亡原因"],
    ),
];

/// 低保/特困（民政）: one row per fact, by ID number.
pub static COMPARE_DIBAO_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "保障起始日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["起始日期", "批准日期"],
    ),
    alias(
        col("amount_fen", "月保障金额(元)", R, K::Yuan, 14.0, "元，可空"),
        &["保障金额(元)", "月补助金额(元)"],
    ),
    alias(
        col(
            "detail",
            "保障类别",
            R,
            K::Text,
            24.0,
            "可空，如 低保、特困",
        ),
        &["救助类别", "类别"],
    ),
];

/// 残疾人证（残联）: one row per fact, by ID number.
pub static COMPARE_DISABILITY_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "发证日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["领证日期"],
    ),
    alias(
        col(
            "detail",
            "残疾类别及等级",
            R,
            K::Text,
            24.0,
            "可空，如 肢体二级",
        ),
        &["残疾类别", "残疾等级"],
    ),
];

/// 医疗自付费用（医保）: one row per fact, by ID number.
pub static COMPARE_MEDICAL_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "结算日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["就诊日期", "出院日期"],
    ),
    req(alias(
        col(
            "amount_fen",
            "个人自付费用(元)",
            R,
            K::Yuan,
            14.0,
            "元；年度医疗费用中个人自付部分，1万元及以上的作为监测预警",
        ),
        &["自付费用(元)", "自付金额(元)", "个人自付(元)"],
    )),
    alias(
        col("detail", "医疗机构", R, K::Text, 24.0, "可空"),
        &["就诊机构", "医院"],
    ),
];

/// 车辆登记（车管）: one row per fact, by ID number.
pub static COMPARE_VEHICLES_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "登记日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["初次登记日期", "注册日期"],
    ),
    alias(
        col("detail", "号牌号码", R, K::Text, 24.0, "可空"),
        &["车牌号", "车牌号码"],
    ),
];

/// 企业登记（市场监管）: one row per fact, by ID number.
pub static COMPARE_ENTERPRISES_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "成立日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["登记日期", "注册日期"],
    ),
    alias(
        col("detail", "企业名称", R, K::Text, 24.0, "可空"),
        &["市场主体名称", "名称"],
    ),
];

/// 房产登记（住建）: one row per fact, by ID number.
pub static COMPARE_HOUSING_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "登记日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["不动产登记日期"],
    ),
    alias(
        col("detail", "房屋坐落", R, K::Text, 24.0, "可空"),
        &["坐落", "房屋地址"],
    ),
];

/// 在校学生（教育）: one row per fact, by ID number.
pub static COMPARE_STUDENTS_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "入学日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["注册日期"],
    ),
    alias(
        col("detail", "学校名称", R, K::Text, 24.0, "可空"),
        &["学校", "就读学校"],
    ),
];

/// 就业参保（人社）: one row per fact, by ID number.
pub static COMPARE_EMPLOYMENT_COLUMNS: &[Column] = &[
    CMP_ID,
    CMP_NAME,
    alias(
        col("date", "参保日期", R, K::Date, 12.0, "可空；YYYY-MM-DD"),
        &["就业日期", "入职日期"],
    ),
    alias(
        col("detail", "工作单位", R, K::Text, 24.0, "可空"),
        &["单位名称", "用工单位"],
    ),
];

// ---- county offices' ledgers of projects and funds ----

/// 项目库台账: one row per project of the library. Its natural key is the village, the year and
/// the name: a row whose project is stored already is unchanged when it says the same, and refused
/// (with the differing columns) when it says otherwise.
pub static PROJECT_LEDGER_COLUMNS: &[Column] = &[
    req(alias(
        col("village_code", "所在村代码", R, K::Text, 15.0, "12位村级区划代码，须在您的管辖范围内"),
        &["所在村区划代码", "村代码", "村级区划代码", "区划代码", "行政区划代码", "建设地点区划代码", "项目所在村代码"],
    )),
    alias(
        col("village_name", "所在村", R, K::Text, 12.0, "可空，仅供阅读（以区划代码为准）"),
        &["村名称", "建设地点", "项目地点"],
    ),
    req(col("name", "项目名称", R, K::Text, 28.0, "同一村同一年度内不重复")),
    req(alias(
        col("category", "项目类别", R, K::Text, 12.0, "基础设施、产业、集体经济、就业、教育、健康、住房 或 其他（可带“类”字，如“产业发展类”）"),
        &["项目类型", "类别"],
    )),
    alias(
        col("sub_category", "项目子类", R, K::Text, 14.0, "可空"),
        &["子类别", "项目小类", "二级类别"],
    ),
    alias(
        col("year", "项目年度", R, K::Year, 8.0, "可空，默认为计划开工日期所在年度"),
        &["年度", "入库年度", "计划年度"],
    ),
    req(alias(
        col("content", "建设内容", R, K::Text, 30.0, "建设内容及规模"),
        &["建设内容及规模", "主要建设内容", "建设任务"],
    )),
    req(alias(
        col("responsible_unit", "实施单位", R, K::Text, 20.0, "项目实施单位"),
        &["项目实施单位", "责任单位", "实施主体"],
    )),
    req(alias(
        col("responsible_person", "责任人", R, K::Text, 10.0, "项目责任人"),
        &["项目责任人", "负责人"],
    )),
    req(alias(
        col("planned_start", "计划开工", R, K::Date, 12.0, "计划开工日期；2019-03-01、2019/3/1、2019年3月1日、20190301 均可"),
        &["计划开工时间", "计划开工日期", "开工时间", "开工日期", "计划时间开工", "计划起止时间开工", "开工"],
    )),
    req(alias(
        col("planned_end", "计划完工", R, K::Date, 12.0, "计划完工日期，不早于开工日期"),
        &["计划完工时间", "计划完工日期", "完工时间", "完工日期", "计划时间完工", "计划起止时间完工", "完工"],
    )),
    req(alias(
        col("targets", "绩效目标", R, K::Text, 30.0, "必填（没有绩效目标不能入库）；多项用；或换行分隔，每项“指标：目标值”，如“受益贫困户：14户；硬化道路：3公里”"),
        &["绩效目标及指标", "项目绩效目标", "绩效指标"],
    )),
    alias(
        col("beneficiaries", "受益户", R, K::Text, 24.0, "可空；受益建档立卡户的户编码，多个用、分隔"),
        &["受益户户编码", "受益户编码", "受益贫困户"],
    ),
    alias(
        col("benefit_mode", "带贫方式", R, K::Text, 12.0, "分红、务工、土地流转、带动生产 或 公共服务；填写受益户时必填"),
        &["带动方式", "联农带农方式", "利益联结方式", "带贫减贫机制"],
    ),
    req(alias(
        col("budget", "资金规模", R, K::Money, 14.0, "计划投资；单位为元，表头写明“（万元）”或表上方写“单位：万元”时为万元；精确到分"),
        &["计划投资", "投资规模", "项目资金", "总投资", "资金规模合计", "计划投资合计", "资金规模小计"],
    )),
    alias(
        col("participation", "群众参与", R, K::Text, 24.0, "可空；群众参与和公示情况"),
        &["群众参与情况", "公众参与"],
    ),
    alias(
        col("stage", "项目状态", R, K::Text, 14.0, "可空，默认“已入库”；村级申报、乡镇审核、县级审批、入库公示、已入库 或 纳入年度计划（资金下达之后的环节须先有下达的资金，在项目页办理）"),
        &["项目环节", "所处环节"],
    ),
    alias(
        col("proposed_on", "申报日期", R, K::Date, 12.0, "可空，默认为项目年度的1月1日；项目的程序从该日起依次办理"),
        &["申报时间", "村级申报日期"],
    ),
    col("note", "备注", R, K::Text, 16.0, "可空，不导入"),
];

/// 资金台账: rows of four kinds, in the order the money moved. 来源 (a fund source of a region: its
/// key is the region and the document number 文号), 下达 (the source's money allocated to a project:
/// its key is the source and the project), 到账 (money of that allocation received: key the
/// allocation, date and amount) and 支付 (paid out of it: key the allocation and the voucher number).
/// Projects are named by their village and name (and year when the name repeats).
pub static FUND_LEDGER_COLUMNS: &[Column] = &[
    req(alias(
        col("entry", "业务类型", R, K::Text, 10.0, "来源、下达、到账 或 支付（拨付）"),
        &["类型", "资金环节", "业务"],
    )),
    req(alias(
        col("document", "指标文号", R, K::Text, 24.0, "资金来源的文号（下达、到账、支付行填所用资金的文号）；无文件的资金填协议或收据编号"),
        &["文号", "资金文号", "来源文号", "资金指标文号"],
    )),
    alias(
        col("source_kind", "资金来源", R, K::Text, 16.0, "来源行必填：中央财政资金、省级财政资金、市级财政资金、县级财政资金、统筹整合涉农资金、帮扶单位资金、社会捐赠、贷款 或 企业投资"),
        &["资金性质", "来源类型", "资金来源类型"],
    ),
    alias(
        col("source_name", "资金名称", R, K::Text, 24.0, "来源行可空，默认为文号"),
        &["来源名称", "指标名称"],
    ),
    alias(
        col("region_code", "资金区划代码", R, K::Text, 15.0, "来源行必填：持有并安排该资金的区划（县、乡或村）；其他行可空，同一文号有多个区划时填写"),
        &["来源区划代码", "资金所属区划代码"],
    ),
    alias(
        col("year", "资金年度", R, K::Year, 8.0, "来源行可空，默认为日期所在年度"),
        &["年度"],
    ),
    alias(
        col("village_code", "项目所在村代码", R, K::Text, 15.0, "下达、到账、支付行必填"),
        &["所在村代码", "村代码", "项目村代码"],
    ),
    alias(
        col("project_name", "项目名称", R, K::Text, 24.0, "下达、到账、支付行必填"),
        &["项目"],
    ),
    alias(
        col("project_year", "项目年度", R, K::Year, 8.0, "可空；同村有同名项目时填写"),
        &[],
    ),
    req(alias(
        col("amount", "金额", R, K::Money, 14.0, "大于 0；单位为元，表头写明“（万元）”或表上方写“单位：万元”时为万元；精确到分"),
        &["金额合计", "资金金额", "发生金额"],
    )),
    req(alias(
        col("date", "日期", R, K::Date, 12.0, "来源的下达日期、拨付日期、到账日期或支付日期"),
        &["拨付日期", "业务日期", "发生日期", "办理日期"],
    )),
    alias(
        col("allocation_document", "下达文号", R, K::Text, 20.0, "下达行可空"),
        &["拨付文号"],
    ),
    alias(
        col("payee", "收款单位", R, K::Text, 20.0, "支付行必填"),
        &["收款人", "收款单位（人）", "收款方"],
    ),
    alias(
        col("voucher", "凭证号", R, K::Text, 14.0, "支付行必填；同一下达内不重复"),
        &["记账凭证号", "凭证编号", "凭证字号"],
    ),
    alias(
        col("attachment", "附件", R, K::Text, 16.0, "可空：发票、合同的名称或编号"),
        &["附件名称"],
    ),
    col("note", "备注", R, K::Text, 16.0, "可空；到账行导入为说明"),
];

/// Text columns that hold codes or numbers (household numbers, region codes, ID numbers, phones,
/// accounts): read with every full-width form folded, like the number columns.
const CODE_TEXT_KEYS: [&str; 12] = [
    "household_number",
    "village_code",
    "code12",
    "parent_code12",
    "region_code",
    "employer_region_code",
    "id_number",
    "phone",
    "member_phone",
    "cadre_phone",
    "claim_cadre_phone",
    "bank_account",
];

/// Which full-width forms a column's cells are folded from before they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Free text (names, addresses, notes): kept as written.
    None,
    /// Codes and labels of code tables: full-width digits, letters and spaces (the labels' own
    /// full-width brackets stay, as the tables write them).
    Alphanumeric,
    /// Numbers, dates and code-like text: every full-width form (digits, letters, spaces and
    /// punctuation such as `．` `－` `，`).
    All,
}

impl Column {
    /// How this column's cells are folded (see [`crate::cells::fold_width`]).
    pub fn fold(&self) -> Fold {
        match self.kind {
            CellKind::Int
            | CellKind::Year
            | CellKind::Date
            | CellKind::Decimal
            | CellKind::Yuan
            | CellKind::Money => Fold::All,
            CellKind::Code(_)
            | CellKind::Codes(_)
            | CellKind::Status
            | CellKind::Sex
            | CellKind::Bool => Fold::Alphanumeric,
            CellKind::Text if CODE_TEXT_KEYS.contains(&self.key) => Fold::All,
            CellKind::Text => Fold::None,
        }
    }
}

/// How well `row` fits as the header of `kind` (of any kind when `None`): every required column,
/// some of the kind's columns (two or more, or those that tell the kind), or none.
pub(crate) fn header_fit(kind: Option<Kind>, row: &[String]) -> crate::source::HeaderFit {
    use crate::source::HeaderFit;
    let detected = detect_kind(row);
    let Some(k) = kind.or(detected) else {
        return HeaderFit::No;
    };
    let named = row.iter().filter(|h| match_header(k, h).is_some()).count();
    if Mapping::new(k, row).is_ok() {
        return HeaderFit::Full(named);
    }
    if detected == Some(k) || named >= 2 {
        HeaderFit::Partial(named)
    } else {
        HeaderFit::No
    }
}

/// Guess the kind of a file from its header: households have ID numbers, incomes have wages,
/// profiles have collective income or rural population, visits have a visit date and household,
/// pairings a start date, household and cadre, cadres a unit and a cadre's name, regions a
/// region code.
pub fn detect_kind(header: &[String]) -> Option<Kind> {
    let has = |kind: Kind, key: &str| {
        let i = kind.col(key);
        header.iter().any(|h| match_header(kind, h) == Some(i))
    };
    // a department's list names persons by ID number without their household's number
    let dept = has(Kind::DeptEmployment, "id_number") && !has(Kind::Households, "household_number");
    if dept
        && has(Kind::DeptEmployment, "employer")
        && has(Kind::DeptEmployment, "employer_region_code")
    {
        Some(Kind::DeptEmployment)
    } else if dept && has(Kind::DeptTraining, "course") && has(Kind::DeptTraining, "hours") {
        Some(Kind::DeptTraining)
    } else if dept && has(Kind::DeptSchool, "school") && has(Kind::DeptSchool, "stage") {
        Some(Kind::DeptSchool)
    } else if dept && has(Kind::DeptMedical, "out_of_pocket_fen") {
        Some(Kind::DeptMedical)
    } else if dept
        && (has(Kind::DeptPension, "receiving")
            || has(Kind::DeptPension, "premium_paid_by_government_fen"))
    {
        Some(Kind::DeptPension)
    } else if has(Kind::Households, "id_number") {
        Some(Kind::Households)
    } else if has(Kind::ProjectLedger, "targets") && has(Kind::ProjectLedger, "name") {
        Some(Kind::ProjectLedger)
    } else if has(Kind::FundLedger, "entry") && has(Kind::FundLedger, "document") {
        Some(Kind::FundLedger)
    } else if has(Kind::Incomes, "wage_fen") {
        Some(Kind::Incomes)
    } else if has(Kind::Profiles, "collective_income_fen")
        || has(Kind::Profiles, "rural_population")
    {
        Some(Kind::Profiles)
    } else if has(Kind::Cases, "procedure") && has(Kind::Cases, "started_on") {
        Some(Kind::Cases)
    } else if has(Kind::RiskEvents, "risk_type") && has(Kind::RiskEvents, "date") {
        Some(Kind::RiskEvents)
    } else if has(Kind::HouseholdYears, "year")
        && (has(Kind::HouseholdYears, "food_secure")
            || has(Kind::HouseholdYears, "clothing_secure")
            || has(Kind::HouseholdYears, "income_stable_months")
            || has(Kind::HouseholdYears, "medical_spending_fen"))
    {
        Some(Kind::HouseholdYears)
    } else if has(Kind::Wishes, "text") && has(Kind::Wishes, "submitted_on") {
        Some(Kind::Wishes)
    } else if has(Kind::StatusChanges, "status_date")
        && has(Kind::StatusChanges, "household_number")
        && !has(Kind::Pairings, "start_date")
    {
        Some(Kind::StatusChanges)
    } else if has(Kind::Visits, "date") && has(Kind::Visits, "household_number") {
        Some(Kind::Visits)
    } else if has(Kind::Pairings, "start_date")
        && has(Kind::Pairings, "household_number")
        && has(Kind::Pairings, "cadre_name")
    {
        Some(Kind::Pairings)
    } else if has(Kind::Cadres, "unit_name") && has(Kind::Cadres, "name") {
        Some(Kind::Cadres)
    } else if has(Kind::Regions, "code12") {
        Some(Kind::Regions)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report names its kind as the API takes it (`status_changes`, not `statuschanges`), and
    /// the names serde wrote before are still read.
    #[test]
    fn kinds_serialize_by_their_documented_names() {
        for k in Kind::ALL {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str()),
                "{k:?}"
            );
            assert_eq!(
                serde_json::from_value::<Kind>(k.as_str().into()).unwrap(),
                k
            );
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        for (old, k) in [
            ("statuschanges", Kind::StatusChanges),
            ("householdyears", Kind::HouseholdYears),
            ("riskevents", Kind::RiskEvents),
        ] {
            assert_eq!(serde_json::from_value::<Kind>(old.into()).unwrap(), k);
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn headers_match_by_name_alias_or_field() {
        assert_eq!(
            match_header(Kind::Households, " 身份证号 "),
            Some(Kind::Households.col("id_number"))
        );
        assert_eq!(
            match_header(Kind::Households, "id_number"),
            Some(Kind::Households.col("id_number"))
        );
        assert_eq!(
            match_header(Kind::Households, "证件号码"),
            Some(Kind::Households.col("id_number"))
        );
        assert_eq!(
            match_header(Kind::Incomes, "工资性收入（元）"),
            Some(Kind::Incomes.col("wage_fen"))
        );
        assert_eq!(match_header(Kind::Households, "\u{feff}户编码*"), Some(0));
        assert_eq!(match_header(Kind::Households, "备注栏"), None);
    }

    #[test]
    fn kinds_parse_from_names_and_labels() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(Kind::parse(k.label()), Some(k));
            assert!(!k.label_en().is_empty());
        }
        assert_eq!(Kind::parse(" Visit "), Some(Kind::Visits));
        assert_eq!(Kind::parse("cadre"), Some(Kind::Cadres));
        assert_eq!(Kind::parse("结对"), None);
    }

    #[test]
    fn every_key_and_header_is_unique() {
        for k in Kind::ALL {
            let cols = k.columns();
            for (i, c) in cols.iter().enumerate() {
                assert_eq!(match_header(k, c.header), Some(i), "{}", c.header);
                assert_eq!(match_header(k, c.key), Some(i), "{}", c.key);
                for a in c.aliases {
                    assert_eq!(match_header(k, a), Some(i), "{a}");
                }
            }
        }
    }

    #[test]
    fn mapping_and_kind_detection() {
        let h = s(&[
            "姓名",
            "户编码",
            "身份证号",
            "与户主关系",
            "村代码",
            "贫困户属性",
            "识别标准",
            "识别年度",
            "主要致贫原因",
            "错误原因",
            "乱写",
        ]);
        let m = Mapping::new(Kind::Households, &h).unwrap();
        assert_eq!(m.positions[0], Some(1));
        assert_eq!(m.unknown, ["乱写"]);
        assert_eq!(detect_kind(&h), Some(Kind::Households));
        let e = Mapping::new(Kind::Households, &s(&["户编码", "姓名"])).unwrap_err();
        assert!(e.contains("身份证号"), "{e}");
        assert_eq!(
            Mapping::new(Kind::Profiles, &s(&["村代码", "年度", "村代码"])).unwrap_err(),
            "列“村代码”出现了两次"
        );
        assert_eq!(
            detect_kind(&s(&["户编码", "年度", "工资性收入(元)"])),
            Some(Kind::Incomes)
        );
        assert_eq!(
            detect_kind(&s(&["村代码", "年度", "农村人口"])),
            Some(Kind::Profiles)
        );
        assert_eq!(
            detect_kind(&s(&["code12", "level", "name", "parent_code12"])),
            Some(Kind::Regions)
        );
        assert_eq!(
            detect_kind(&s(&[
                "帮扶单位",
                "单位级别",
                "干部姓名",
                "联系电话",
                "管理区划代码"
            ])),
            Some(Kind::Cadres)
        );
        assert_eq!(
            detect_kind(&s(&["户编号", "帮扶单位", "帮扶干部", "开始日期"])),
            Some(Kind::Pairings)
        );
        assert_eq!(
            detect_kind(&s(&["户编码", "走访日期", "走访类型", "参加干部"])),
            Some(Kind::Visits)
        );
        assert_eq!(detect_kind(&s(&["a", "b"])), None);
        let cells = m.cells(&s(&["张三", " 0001 "]));
        assert_eq!(cells[0].as_deref(), Some("0001"));
        assert_eq!(cells[Kind::Households.col("sex")], None);
        assert_eq!(
            cells[Kind::Households.col("id_number")].as_deref(),
            Some("")
        );
    }
}
