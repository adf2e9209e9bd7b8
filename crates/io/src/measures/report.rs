//! The services report (帮扶成效) as a sheet: one line per figure in the order the article reports
//! them — public employment services, employment by destination, workshops and posts, training,
//! education, pension, loans, health, leaflets, then every kind of measure — each with its total,
//! its registered part where the report keeps one, and its unit.

use crate::export::{ExportError, TableWriter, Value};
use crate::source::FileFormat;
use fupin_core::measures::{Count, ServicesReport};
use std::path::Path;

/// The sheet's columns: header and width.
pub const SERVICES_COLUMNS: &[(&str, f64)] = &[
    ("类别", 12.0),
    ("项目", 30.0),
    ("合计", 16.0),
    ("其中建档立卡", 16.0),
    ("单位", 8.0),
];

/// One line of the sheet.
struct Line {
    group: &'static str,
    item: String,
    total: Value,
    registered: Value,
    unit: &'static str,
}

fn count(group: &'static str, item: &str, c: Count, unit: &'static str) -> Line {
    Line {
        group,
        item: item.to_string(),
        total: Value::Int(c.total),
        registered: Value::Int(c.registered),
        unit,
    }
}

fn int(group: &'static str, item: &str, n: i64, unit: &'static str) -> Line {
    Line {
        group,
        item: item.to_string(),
        total: Value::Int(n),
        registered: Value::Empty,
        unit,
    }
}

/// Registered only (the measures of registered persons): the figure in both columns.
fn registered(group: &'static str, item: &str, n: i64, unit: &'static str) -> Line {
    Line {
        group,
        item: item.to_string(),
        total: Value::Int(n),
        registered: Value::Int(n),
        unit,
    }
}

fn yuan(group: &'static str, item: &str, fen: i64) -> Line {
    Line {
        group,
        item: item.to_string(),
        total: Value::Yuan(fen),
        registered: Value::Empty,
        unit: "元",
    }
}

fn lines(r: &ServicesReport) -> Vec<Line> {
    let e = &r.employment;
    let mut v = vec![
        count("就业服务", "公共就业服务", r.served, "人次"),
        count("务工就业", "县内就业", e.in_county, "人"),
        count("务工就业", "县外省内就业", e.in_province, "人"),
        count("务工就业", "跨省就业", e.cross_province, "人"),
        count("务工就业", "就业合计", e.total, "人"),
        registered("务工就业", "其中扶贫车间就业", e.in_workshops, "人"),
        registered("务工就业", "其中公益性岗位就业", e.on_posts, "人"),
        yuan("务工就业", "务工收入（月工资×月数）", e.wages_fen),
    ];
    for (group, f) in [("扶贫车间", &r.workshops), ("扶贫专岗", &r.posts)] {
        v.push(int(group, "个数", f.total, "个"));
        v.push(int(group, "其中在贫困村", f.in_poor_villages, "个"));
        v.push(int(group, "岗位数", f.positions, "个"));
        v.push(registered(group, "吸纳建档立卡劳动力", f.employed, "人"));
        v.push(registered(
            group,
            "其中在贫困村",
            f.employed_in_poor_villages,
            "人",
        ));
    }
    let t = &r.training;
    v.extend([
        count("技能培训", "培训人数", t.trained, "人"),
        registered("技能培训", "取得证书", t.certificates, "人"),
        yuan("技能培训", "培训补贴", t.subsidy_fen),
        yuan("技能培训", "生活补贴", t.living_allowance_fen),
    ]);
    let ed = &r.education;
    v.extend([
        registered("教育帮扶", "资助学生", ed.students, "人"),
        registered("教育帮扶", "免学费学生", ed.tuition_waived_students, "人"),
        yuan("教育帮扶", "免学费金额", ed.tuition_waived_fen),
        yuan("教育帮扶", "助学金及雨露计划补助", ed.grants_fen),
        registered("教育帮扶", "辍学", ed.dropouts, "人"),
    ]);
    let p = &r.pension;
    v.extend([
        registered("养老保险", "参保", p.enrolled, "人"),
        registered("养老保险", "领取养老金", p.receiving, "人"),
        registered("养老保险", "政府代缴", p.paid_by_government, "人"),
        yuan("养老保险", "政府代缴金额", p.paid_by_government_fen),
    ]);
    let l = &r.loans;
    v.extend([
        registered("金融帮扶", "扶贫小额信贷", l.microcredit, "笔"),
        yuan("金融帮扶", "扶贫小额信贷金额", l.microcredit_fen),
        registered("金融帮扶", "创业担保贷款", l.startup, "笔"),
        yuan("金融帮扶", "创业担保贷款金额", l.startup_fen),
        yuan("金融帮扶", "贴息", l.interest_subsidy_fen),
    ]);
    let h = &r.health;
    v.extend([
        registered("健康帮扶", "家庭医生签约", h.signed_doctor, "人"),
        registered("健康帮扶", "大病救治", h.serious_illness, "人"),
        yuan("健康帮扶", "医疗救助", h.medical_assistance_fen),
        yuan("健康帮扶", "个人自付", h.out_of_pocket_fen),
        int("健康帮扶", "义诊送药", h.outreach_events, "次"),
        count("健康帮扶", "义诊服务", h.outreach_served, "人次"),
        yuan("健康帮扶", "送药价值", h.medicine_fen),
        int("宣传", "发放宣传资料", r.leaflets, "份"),
    ]);
    for k in &r.by_kind {
        v.push(registered("各类措施", &k.label, k.measures, "项"));
        v.push(yuan("各类措施", &format!("{}金额", k.label), k.amount_fen));
    }
    v
}

/// Write the report to `path` (a title line names the region and period); returns the rows written.
pub fn write_services_report(
    r: &ServicesReport,
    region_name: &str,
    path: &Path,
    format: FileFormat,
) -> Result<u64, ExportError> {
    let mut w = TableWriter::create(path, format, "帮扶成效", SERVICES_COLUMNS)?;
    w.row(&[
        Value::Text("报表".into()),
        Value::Text(format!(
            "{region_name}（{}）帮扶成效 {} 至 {}",
            r.region_code.as_str(),
            r.from,
            r.to
        )),
        Value::Empty,
        Value::Empty,
        Value::Empty,
    ])?;
    for l in lines(r) {
        w.row(&[
            Value::Text(l.group.to_string()),
            Value::Text(l.item),
            l.total,
            l.registered,
            Value::Text(l.unit.to_string()),
        ])?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fupin_core::measures::ServicesReport;
    use fupin_core::RegionCode;
    use time::macros::date;

    #[test]
    fn the_article_order_with_totals_and_registered() {
        let mut r = ServicesReport::from_tallies(
            RegionCode::parse("360100000000").unwrap(),
            date!(2019 - 01 - 01),
            date!(2019 - 12 - 31),
            &[],
        );
        r.served = Count {
            total: 44_142,
            registered: 735,
        };
        r.employment.in_county = Count {
            total: 19_809,
            registered: 512,
        };
        r.pension.paid_by_government_fen = 548_650_000;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let n = write_services_report(&r, "南昌市", &path, FileFormat::Csv).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(n as usize + 1, rows.len(), "a header line and the rows");
        assert!(rows[1].contains("南昌市（360100000000）帮扶成效 2019-01-01 至 2019-12-31"));
        assert_eq!(rows[2], "就业服务,公共就业服务,44142,735,人次");
        assert_eq!(rows[3], "务工就业,县内就业,19809,512,人");
        assert!(
            text.contains("养老保险,政府代缴金额,5486500.00,,元"),
            "{text}"
        );
    }
}
