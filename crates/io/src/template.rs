//! XLSX templates, one per kind (households, incomes, profiles, regions, cadres, pairings,
//! visits): the data sheet with the Chinese headers (required ones in red), widths, a frozen header
//! row and drop-down lists for coded columns; a hidden 代码表 sheet that the lists point at (an
//! inline list is limited to 255 characters, too short for 56 ethnicities); and an instructions
//! sheet (说明) describing every column.

use crate::columns::{CellKind, Kind};
use fupin_core::codes::CodeBook;
use fupin_core::registry::HouseholdStatus;
use rust_xlsxwriter::{Color, DataValidation, Format, Formula, Workbook, XlsxError};

/// Rows of the data sheet the drop-down lists cover.
const LIST_ROWS: u32 = 100_000;

/// The lists a column offers: code table labels, status labels, 是/否, 男/女.
fn choices(kind: CellKind, codes: &CodeBook) -> Option<(String, Vec<String>)> {
    match kind {
        CellKind::Code(t) => codes.table(t).map(|tb| {
            (
                t.to_string(),
                tb.codes.iter().map(|c| c.label.clone()).collect(),
            )
        }),
        CellKind::Status => Some((
            "status".into(),
            HouseholdStatus::ALL
                .iter()
                .map(|s| s.label().to_string())
                .collect(),
        )),
        CellKind::Bool => Some(("yes_no".into(), vec!["是".into(), "否".into()])),
        CellKind::Sex => Some(("sex".into(), vec!["男".into(), "女".into()])),
        _ => None,
    }
}

fn col_name(mut c: u16) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        let r = (c - 1) % 26;
        s.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Build the template of `kind` with the lists of `codes`.
pub fn template(kind: Kind, codes: &CodeBook) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let cols: Vec<_> = kind.columns().iter().filter(|c| !c.export_only).collect();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let head_req = head.clone().set_font_color(Color::Red);
    let text = Format::new().set_num_format("@");

    // the lists first, so that the data sheet's validations can name their ranges
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    for c in &cols {
        if let Some((name, values)) = choices(c.kind, codes) {
            if !lists.iter().any(|(n, _)| *n == name) {
                lists.push((name, values));
            }
        }
    }

    let data = book.add_worksheet();
    data.set_name(kind.label())?;
    for (i, c) in cols.iter().enumerate() {
        let i = i as u16;
        data.set_column_width(i, c.width)?;
        // text format for every column: ID numbers, accounts and codes keep their digits
        data.set_column_format(i, &text)?;
        data.write_string_with_format(0, i, c.header, if c.required { &head_req } else { &head })?;
        if let Some((name, values)) = choices(c.kind, codes) {
            let li = lists.iter().position(|(n, _)| *n == name).expect("listed") as u16;
            let range = format!(
                "=代码表!${col}$2:${col}${end}",
                col = col_name(li),
                end = values.len() + 1
            );
            let mut v = DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .ignore_blank(true);
            if matches!(c.kind, CellKind::Code(_)) {
                v = v.set_input_message("可从下拉列表选择，也可填写代码")?;
            }
            data.add_data_validation(1, i, LIST_ROWS, i, &v)?;
        }
    }
    data.set_freeze_panes(1, 0)?;

    let notes = book.add_worksheet();
    notes.set_name("说明")?;
    notes.set_column_width(0, 24)?;
    notes.set_column_width(1, 28)?;
    notes.set_column_width(2, 8)?;
    notes.set_column_width(3, 80)?;
    let title = Format::new().set_bold().set_font_size(14);
    notes.write_string_with_format(0, 0, format!("{}导入模板 填表说明", kind.label()), &title)?;
    let intro = match kind {
        Kind::Households => "每行一名家庭成员；同一户的成员行户编码相同且相邻，户的各列只需在第一行填写（其余行可留空或重复填写，须一致）。每户有且只有一名户主。已登记的户再次导入时按户编码更新，按身份证号匹配成员；文件中没有的列保持原值。",
        Kind::Incomes => "每行一户一个年度的收入，金额单位为元，最多两位小数，空白按 0 计。再次导入同一户同一年度即更新。",
        Kind::Profiles => "每行一个村一个年度的村情。",
        Kind::Regions => "每行一个区划，上级区划须在文件中或已在系统中。",
        Kind::Cadres => "每行一名帮扶干部。帮扶单位按名称识别，系统中没有的单位自动新建（须填写单位级别）；同一单位的同名干部以联系电话区分。再次导入时按“帮扶单位＋姓名＋联系电话”（未填电话时按“帮扶单位＋姓名”）找到已登记的干部并更新职级、电话和管理区划；文件中没有的列、留空的电话和区划保持原值。",
        Kind::Pairings => "每行一户与一名帮扶干部的结对。户按户编码识别，干部按帮扶单位＋姓名（同名时加干部联系电话）识别，均须已登记。每户同时最多 2 名帮扶干部，每名干部最多结对 5 户（以参数为准）。同一户、同一干部、同一开始日期的结对再次导入不会重复登记；填写结束日期即记录该结对已结束（轮换、调整），已结束的结对不能改动结束日期。",
        Kind::StatusChanges => "每行一户的一次状态变更（如年度脱贫退出、纳入监测、风险消除），同一户的多次变更按时间先后排列。变更须符合状态变更规则，日期不早于该户上一次变更。同一户、同一新状态、同一日期的变更已登记时视为未变，再次导入不会重复登记。",
        Kind::Wishes => "每行一个微心愿：提交、认领（帮扶单位或其干部）、实现或取消，按已发生的环节填写。同一户、同一心愿内容、同一提交日期视为同一心愿，再次导入时补登后续环节（如实现日期）；已登记的环节与本行不一致时拒绝。金额单位为元。",
        Kind::HouseholdYears => "每行一户一个年度的核实情况：不愁吃、不愁穿（是/否）、合规自付的医疗、教育支出和因灾支出（元）、收入稳定月数。同一户同一年度再次导入即更新，文件中没有的列保持原值。退出评估和风险消除评估读取这些数据。",
        Kind::RiskEvents => "每行一户的一个风险事件：发生日期、风险类型（代码或名称）、说明，风险消除后填写消除日期。同一户、同一日期、同一风险类型视为同一事件，再次导入时可补填消除日期；已登记的消除日期不能改动。",
        Kind::Cases => "每行一件办理程序（脱贫退出、监测对象识别或风险消除）：启动日期和各环节的完成日期，按该程序的环节顺序从第一个环节起填写，其他程序的环节列留空。村内公示须满公示天数；县级审定时按系统中的数据自动进行退出评估或风险消除评估，未通过即拒绝；监测对象识别须填写监测类型。程序办结即变更户状态（户的状态历史中已有当日的同一变更时只登记程序）。同一户、同一程序、同一年度视为同一件，再次导入时可补填后续环节。",
        Kind::DeptEmployment => "每行一名在册建档立卡人员，按身份证号识别（全角数字、小写x和空格自动规整）；姓名可空，填写时须与在册姓名一致。身份证号不是在册人员、或其所在户不在您的管辖范围内的行逐行报告，不会被忽略。就业名单登记为该人的务工就业措施（就业形式为公益性岗位时登记为公益性岗位）；就业去向（县内、县外省内、跨省）由就业地区划代码与其户所在村比较得出。同一人、同一就业日期视为同一条记录，再次导入时未变的不重复登记，变化的更新。金额单位为元。",
        Kind::DeptTraining => "每行一名在册建档立卡人员，按身份证号识别（全角数字、小写x和空格自动规整）；姓名可空，填写时须与在册姓名一致。身份证号不是在册人员、或其所在户不在您的管辖范围内的行逐行报告，不会被忽略。培训名单登记为该人的技能培训措施。同一人、同一培训开始日期视为同一条记录，再次导入时未变的不重复登记，变化的更新。金额单位为元。",
        Kind::DeptPension => "每行一名在册建档立卡人员，按身份证号识别（全角数字、小写x和空格自动规整）；姓名可空，填写时须与在册姓名一致。身份证号不是在册人员、或其所在户不在您的管辖范围内的行逐行报告，不会被忽略。养老保险名单登记为该人的城乡居民养老保险措施（参保；60周岁及以上领取；政府代缴金额）。同一人、同一参保日期视为同一条记录，再次导入时未变的不重复登记，变化的更新。金额单位为元。",
        Kind::DeptSchool => "每行一名在册建档立卡人员，按身份证号识别（全角数字、小写x和空格自动规整）；姓名可空，填写时须与在册姓名一致。身份证号不是在册人员、或其所在户不在您的管辖范围内的行逐行报告，不会被忽略。学生资助名单登记为该学生的学生资助措施（免学费、助学金、雨露计划补助、是否辍学；退出评估的教育指标读取辍学标记）。同一人、同一资助开始日期视为同一条记录，再次导入时未变的不重复登记，变化的更新。金额单位为元。",
        Kind::DeptMedical => "每行一名在册建档立卡人员，按身份证号识别（全角数字、小写x和空格自动规整）；姓名可空，填写时须与在册姓名一致。身份证号不是在册人员、或其所在户不在您的管辖范围内的行逐行报告，不会被忽略。医疗救助名单登记为该人的医疗救助措施（个人自付费用计入高额医疗支出筛查）。同一人、同一结算日期视为同一条记录，再次导入时未变的不重复登记，变化的更新。金额单位为元。",
        Kind::CompareDeaths
        | Kind::CompareDibao
        | Kind::CompareDisability
        | Kind::CompareMedical
        | Kind::CompareVehicles
        | Kind::CompareEnterprises
        | Kind::CompareHousing
        | Kind::CompareStudents
        | Kind::CompareEmployment => "每行一条部门登记信息，按身份证号与在册建档立卡人员比对（全角数字、小写x和空格自动规整）。比中的在册人员按名单类型标记：死亡人员建议办理自然减少，车辆、企业、房产登记核查识别准确性（问题清单），医疗自付费用1万元及以上开展监测排查，低保/特困确认兜底保障措施，残疾人证、在校学生核对相应政策（监测预警）；就业参保只计数。未比中的行只汇总计数，不报错；同一人多行只标记一次，已标记过的不重复标记。身份证号、日期、金额无法识别的行逐行报告，有错时不比对（或用 --partial 只比对正确的行）。金额单位为元。",
        Kind::ProjectLedger => "每行一个项目（项目库台账）。村、项目年度和项目名称相同视为同一项目：已登记的项目再次导入时内容一致即不变，不一致时拒绝并列出不一致的列（台账不改已登记的内容）。新项目按“项目状态”（默认“已入库”）从申报日期起依次办理各环节，规则与项目页相同：资金下达之后的环节须先下达资金，在项目页办理；各环节须由相应级别的部门导入（村级账号只能导入村级申报）。绩效目标必填，多项用；分隔，每项写作“指标：目标值”。金额单位为元；表头写“（万元）”或表上方写“单位：万元”时为万元，精确到分。表头可为两行（如“计划时间”下分“开工”“完工”）。",
        Kind::FundLedger => "每行一条资金记录，按业务发生的先后排列：来源（资金来源、文号、区划、金额）、下达（文号、项目、金额）、到账、支付（收款单位、凭证号）。资金来源按区划＋文号识别，下达按来源＋项目，到账按下达＋日期＋金额，支付按下达＋凭证号；已登记的记录再次导入时一致即不变，不一致时拒绝。累计支付不超过到账，到账不超过下达，下达不超过来源金额；项目纳入年度计划后才能下达，资金已下达后才能支付，验收后不能再下达或支付。金额单位为元；表头写“（万元）”或表上方写“单位：万元”时为万元，精确到分。",
        Kind::Visits => "每行一次走访。参加干部填姓名，多人用 、 分隔；重名时填写帮扶单位。同一户、同一日期、同一走访类型、同一批干部视为同一次走访，再次导入时更新其内容（文件中没有的列保持原值）。走访日期不能晚于今天；慰问金和慰问品价值单位为元。",
    };
    notes.write_string(1, 0, intro)?;
    notes.write_string(2, 0, "表头按名称识别，列的顺序不限；红色表头为必需列。编码列可填代码或名称。导入时先检查全部行，有错误时不写入任何数据（或用 --partial 只写入正确的记录），并生成错误文件：只含被拒绝的行（有错的户的全部行），带“错误原因”列，改正后可直接再次导入。")?;
    for (i, h) in ["列名", "字段名", "必需", "说明"].iter().enumerate() {
        notes.write_string_with_format(4, i as u16, *h, &head)?;
    }
    for (r, c) in cols.iter().enumerate() {
        let r = r as u32 + 5;
        notes.write_string(r, 0, c.header)?;
        notes.write_string(r, 1, c.key)?;
        notes.write_string(r, 2, if c.required { "是" } else { "" })?;
        let mut note = c.note.to_string();
        if let Some((_, values)) = choices(c.kind, codes) {
            if values.len() <= 25 {
                note.push_str(&format!("。可选：{}", values.join("、")));
            }
        }
        notes.write_string(r, 3, note)?;
    }

    let lists_sheet = book.add_worksheet();
    lists_sheet.set_name("代码表")?;
    for (i, (name, values)) in lists.iter().enumerate() {
        let i = i as u16;
        lists_sheet.set_column_width(i, 20)?;
        lists_sheet.write_string(0, i, name)?;
        for (r, v) in values.iter().enumerate() {
            lists_sheet.write_string(r as u32 + 1, i, v)?;
        }
    }
    lists_sheet.set_hidden(true);
    Ok(book)
}

/// Write the template of `kind` to `path`.
pub fn write_template(
    kind: Kind,
    codes: &CodeBook,
    path: &std::path::Path,
) -> Result<(), XlsxError> {
    template(kind, codes)?.save(path)
}

/// The template of `kind` as bytes (for a download).
pub fn template_bytes(kind: Kind, codes: &CodeBook) -> Result<Vec<u8>, XlsxError> {
    template(kind, codes)?.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(27), "AB");
    }

    #[test]
    fn templates_build_for_every_kind() {
        for k in Kind::ALL {
            let bytes = template_bytes(k, &CodeBook::defaults()).unwrap();
            assert!(bytes.starts_with(b"PK"));
        }
    }
}
