//! Offices' ledgers of projects and funds (项目库台账, 资金台账) imported through the real import
//! path, on SQLite by default and on PostgreSQL with `TEST_DATABASE_URL=postgres://…`. The files
//! are made here as offices make them: a workbook with a title row, 单位：万元 above the table, a
//! header of two rows under merged cells, dates as the workbook's day numbers and typed several
//! ways, a totals row; a GBK CSV in 元 with decimals. A good load moves the funds figures (equal to
//! a recomputation from the rows); each kind of bad row is reported with its line, column and
//! code and nothing is kept; a village outside the importer's regions is refused on its row; the
//! same file imported again changes nothing.

mod common;

use common::sheets::{write_xlsx, Sheet};
use common::store::{code, idn, luoxi_regions, JINXIAN, SANFANG, TAGANG};
use fupin::testing::test_store;
use fupin_core::assessment::Action;
use fupin_core::projects::*;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::Ctx;
use fupin_io::{ImportOptions, ImportReport, Kind};
use std::path::PathBuf;
use time::macros::date;

fn office() -> Ctx {
    Ctx::within("county-office", vec![code(JINXIAN)])
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn xlsx(dir: &tempfile::TempDir, name: &str, sheet: &Sheet) -> PathBuf {
    let path = dir.path().join(format!("{name}.xlsx"));
    write_xlsx(&path, "项目库", sheet, &[]);
    path
}

/// A CSV file in GBK as a spreadsheet in Chinese Windows saves it.
fn gbk_csv(dir: &tempfile::TempDir, name: &str, rows: &[Vec<String>]) -> PathBuf {
    let path = dir.path().join(format!("{name}.csv"));
    let mut text = String::new();
    for r in rows {
        text.push_str(&r.join(","));
        text.push_str("\r\n");
    }
    std::fs::write(&path, fupin_io::encoding::encode_gb18030(&text)).unwrap();
    path
}

async fn import_as(
    s: &dyn Store,
    ctx: &Ctx,
    path: &PathBuf,
    kind: Option<Kind>,
    partial: bool,
) -> ImportReport {
    let f = std::fs::File::open(path).unwrap();
    let opts = ImportOptions {
        kind,
        partial,
        today: Some(date!(2019 - 12 - 31)),
        ..Default::default()
    };
    fupin_io::import(s, ctx, Box::new(f), &opts, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

async fn import(s: &dyn Store, path: &PathBuf) -> ImportReport {
    import_as(s, &office(), path, None, false).await
}

/// The household of 塔岗 that the road benefits.
async fn household(s: &dyn Store) -> HouseholdId {
    let new = NewHousehold {
        household: HouseholdInput {
            household_number: "3601241062040001".into(),
            village_code: TAGANG.into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "01".into(),
            ..Default::default()
        },
        members: vec![MemberInput {
            name: "万建华".into(),
            id_number: idn("19650304", 11),
            relation: "01".into(),
            ..Default::default()
        }],
        initial_status: None,
    };
    s.create_household(&Ctx::system("setup"), new)
        .await
        .unwrap()
        .household
        .id
}

const LEDGER_COLS: usize = 15;

fn ledger_row(cells: &[&str]) -> Vec<String> {
    let mut v = strings(cells);
    v.resize(LEDGER_COLS, String::new());
    v
}

/// The project library ledger of 进贤县 for 2019 as its office keeps it in Excel: a title merged
/// across the table, "单位：万元" above it, the header in two rows (计划时间 over 开工 | 完工,
/// 资金规模 over 合计 | 其中：财政资金, the other names merged down both rows), a start date as
/// the workbook's day number, amounts as numbers, a totals row.
fn project_ledger(extra: &[Vec<String>]) -> Sheet {
    let mut rows = vec![
        ledger_row(&["进贤县2019年脱贫攻坚项目库台账"]),
        ledger_row(&["", "", "", "", "", "", "", "", "", "", "", "", "单位：万元"]),
        ledger_row(&[
            "序号",
            "所在村代码",
            "项目名称",
            "项目类别",
            "建设内容",
            "实施单位",
            "责任人",
            "计划时间",
            "",
            "绩效目标",
            "受益户",
            "带贫方式",
            "资金规模",
            "",
            "项目状态",
        ]),
        ledger_row(&[
            "序号",
            "所在村代码",
            "项目名称",
            "项目类别",
            "建设内容",
            "实施单位",
            "责任人",
            "开工",
            "完工",
            "绩效目标",
            "受益户",
            "带贫方式",
            "合计",
            "其中：财政资金",
            "项目状态",
        ]),
        ledger_row(&[
            "1",
            TAGANG,
            "塔岗村组道路硬化",
            "基础设施类",
            "硬化村组道路3公里",
            "罗溪镇人民政府",
            "王主任",
            "43525",
            "2019年10月31日",
            "受益贫困户：14户；硬化道路：3公里",
            "3601241062040001",
            "公共服务",
            "176.5",
            "150",
            "纳入年度计划",
        ]),
        ledger_row(&[
            "2",
            SANFANG,
            "三房村光伏电站",
            "产业发展",
            "建设村级光伏电站60千瓦",
            "罗溪镇人民政府",
            "李站长",
            "2019/4/1",
            "20191231",
            "村集体年收入：6万元",
            "",
            "",
            "40.123456",
            "40",
            "",
        ]),
    ];
    rows.extend(extra.iter().cloned());
    let totals = rows.len();
    rows.push(ledger_row(&[
        "合计",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "216.623456",
    ]));
    let mut merges = vec![(0, 0, 0, 14), (2, 7, 2, 8), (2, 12, 2, 13)];
    for c in [0u16, 1, 2, 3, 4, 5, 6, 9, 10, 11, 14] {
        merges.push((2, c, 3, c));
    }
    Sheet {
        rows,
        merges,
        numbers: vec![
            (4, 7, 43525.0),
            (4, 12, 176.5),
            (4, 13, 150.0),
            (5, 12, 40.123456),
            (5, 13, 40.0),
            (totals as u32, 12, 216.623456),
        ],
    }
}

fn funds_header() -> Vec<String> {
    strings(&[
        "序号",
        "业务类型",
        "资金来源",
        "指标文号",
        "资金区划代码",
        "项目所在村代码",
        "项目名称",
        "金额（元）",
        "拨付日期",
        "收款单位",
        "凭证号",
        "备注",
    ])
}

const DOC: &str = "赣财农指〔2019〕12号";
const DOC2: &str = "进财农〔2019〕30号";

fn funds_row(cells: &[&str]) -> Vec<String> {
    let mut v = strings(cells);
    v.resize(12, String::new());
    v
}

/// The funds ledger: a central source of the county, 600,000.50 元 of it allocated to the road,
/// received, and (when `paid`) 250,000.25 元 paid to the road builder.
fn funds_ledger(paid: bool) -> Vec<Vec<String>> {
    let mut rows = vec![
        funds_row(&["进贤县2019年财政专项扶贫资金台账"]),
        funds_header(),
        funds_row(&[
            "1",
            "来源",
            "中央财政资金",
            DOC,
            JINXIAN,
            "",
            "",
            "1000000.00",
            "2019-02-15",
        ]),
        funds_row(&[
            "2",
            "下达",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "600000.50",
            "2019/3/10",
        ]),
        funds_row(&[
            "3",
            "到账",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "600000.50",
            "2019年3月20日",
            "",
            "",
            "县财政拨入",
        ]),
    ];
    if paid {
        rows.push(funds_row(&[
            "4",
            "支付",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "250000.25",
            "20190501",
            "进贤县路桥公司",
            "记-0501",
        ]));
    }
    rows.push(funds_row(&["小计", "", "", "", "", "", "", "", ""]));
    rows
}

fn year_2019() -> (time::Date, time::Date) {
    (date!(2019 - 01 - 01), date!(2019 - 12 - 31))
}

/// The kept funds figures of each level equal a recomputation from the rows; the county's.
async fn report_checked(s: &dyn Store) -> FundsReport {
    let (from, to) = year_2019();
    for r in [JINXIAN, TAGANG, SANFANG] {
        assert_eq!(
            s.funds_report(&office(), &code(r), from, to).await.unwrap(),
            s.recompute_funds_report(&office(), &code(r), from, to)
                .await
                .unwrap(),
            "{r}"
        );
    }
    s.funds_report(&office(), &code(JINXIAN), from, to)
        .await
        .unwrap()
}

fn codes(r: &ImportReport) -> Vec<(u64, Option<String>, String)> {
    r.issues
        .iter()
        .map(|i| (i.line, i.column.clone(), i.code.clone()))
        .collect()
}

#[tokio::test]
async fn project_and_fund_ledgers_load_move_the_figures_and_load_again_unchanged() {
    let db = test_store().await;
    let s = db.store.as_ref();
    luoxi_regions(s).await;
    let hh = household(s).await;
    let dir = tempfile::tempdir().unwrap();

    // the project library ledger, kind found from its header
    let book = xlsx(&dir, "项目库台账", &project_ledger(&[]));
    let r = import(s, &book).await;
    assert_eq!(r.kind, Some(Kind::ProjectLedger));
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert_eq!((r.created, r.unchanged, r.rejected), (2, 0, 0));
    assert!(r.committed);
    assert_eq!(r.skipped_total, 1, "the totals row");
    let list = s
        .projects(
            &office(),
            &code(JINXIAN),
            ProjectFilter::default(),
            &Default::default(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(list.len(), 2);
    let road = list
        .iter()
        .find(|p| p.data.village_code == code(TAGANG))
        .unwrap();
    assert_eq!(road.data.budget_fen, 176_500_000, "176.5 万元");
    assert_eq!(road.data.category, Category::Infrastructure);
    assert_eq!(road.data.planned_start, date!(2019 - 03 - 01));
    assert_eq!(road.data.planned_end, date!(2019 - 10 - 31));
    assert_eq!(road.data.year, 2019);
    assert_eq!(road.data.targets.len(), 2);
    assert_eq!(road.data.beneficiaries[0].household_id, hh);
    assert_eq!(road.data.beneficiaries[0].mode, BenefitMode::PublicService);
    assert_eq!(road.stage, Stage::AnnualPlan);
    let pv = list
        .iter()
        .find(|p| p.data.village_code == code(SANFANG))
        .unwrap();
    assert_eq!(pv.data.budget_fen, 40_123_456, "40.123456 万元 to the fen");
    assert_eq!(pv.data.category, Category::Industry);
    assert_eq!(pv.stage, Stage::Library, "a library ledger's default");
    assert_eq!(pv.data.planned_end, date!(2019 - 12 - 31));
    let f = report_checked(s).await;
    assert_eq!(f.projects_total.projects, 2);
    assert_eq!(f.projects_total.budget_fen, 176_500_000 + 40_123_456);
    // every step of the road's lifecycle dated and attributed to the importer
    let d = s.project(&office(), road.id).await.unwrap();
    assert!(d.workflow.history().len() >= 5);

    // the same workbook again: nothing new
    let again = import(s, &book).await;
    assert_eq!((again.created, again.unchanged, again.rejected), (0, 2, 0));
    assert_eq!(report_checked(s).await, f);

    // the funds ledger as a GBK CSV in 元: source, allocation, receipt
    let csv = gbk_csv(&dir, "资金台账", &funds_ledger(false));
    let r = import(s, &csv).await;
    assert_eq!(r.kind, Some(Kind::FundLedger));
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert_eq!((r.created, r.unchanged), (3, 0));
    let f = report_checked(s).await;
    assert_eq!(f.sources_total.amount_fen, 100_000_000);
    assert_eq!(f.sources_total.allocated_fen, 60_000_050);
    assert_eq!(f.sources_total.received_fen, 60_000_050);
    assert_eq!(f.sources_total.disbursed_fen, 0);
    let sources = s
        .fund_sources(&office(), &code(JINXIAN), None)
        .await
        .unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].data.kind, SourceKind::Central);
    assert_eq!(sources[0].data.document.as_deref(), Some(DOC));
    assert_eq!(sources[0].allocated_fen, 60_000_050);

    // money is paid once the county has recorded the funds allocated (资金已下达)
    s.project_action(
        &office(),
        road.id,
        Action::Complete {
            note: None,
            evidence: None,
        },
        date!(2019 - 04 - 01),
    )
    .await
    .unwrap();
    let paid = gbk_csv(&dir, "资金台账-支付", &funds_ledger(true));
    let r = import(s, &paid).await;
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert_eq!((r.created, r.unchanged), (1, 3));
    let f = report_checked(s).await;
    assert_eq!(f.sources_total.disbursed_fen, 25_000_025);
    let funds = s.project_funds(&office(), road.id).await.unwrap();
    assert_eq!(
        (funds.allocated_fen, funds.received_fen, funds.disbursed_fen),
        (60_000_050, 60_000_050, 25_000_025)
    );
    let m = funds
        .movements
        .iter()
        .find(|m| m.kind == "disbursement")
        .unwrap();
    assert_eq!(m.voucher.as_deref(), Some("记-0501"));
    assert_eq!(m.payee.as_deref(), Some("进贤县路桥公司"));
    assert_eq!(m.date, date!(2019 - 05 - 01));

    // and again: unchanged, the figures too
    let again = import(s, &paid).await;
    assert_eq!((again.created, again.unchanged, again.rejected), (0, 4, 0));
    assert_eq!(report_checked(s).await, f);
}

#[tokio::test]
async fn every_bad_row_is_reported_on_its_column_and_nothing_is_kept() {
    let db = test_store().await;
    let s = db.store.as_ref();
    luoxi_regions(s).await;
    household(s).await;
    let dir = tempfile::tempdir().unwrap();
    let good = xlsx(&dir, "项目库台账", &project_ledger(&[]));
    assert!(import(s, &good).await.committed);
    let before = report_checked(s).await;

    // the project ledger with bad rows below the good ones (rows 7 … of the sheet)
    let bad = project_ledger(&[
        // no performance targets: no entry
        ledger_row(&[
            "3",
            TAGANG,
            "塔岗产业路",
            "基础设施",
            "修路",
            "罗溪镇",
            "王主任",
            "2019-03-01",
            "2019-06-30",
            "",
            "",
            "",
            "10",
        ]),
        // ends before it starts
        ledger_row(&[
            "4",
            TAGANG,
            "塔岗水渠",
            "基础设施",
            "修渠",
            "罗溪镇",
            "王主任",
            "2019-06-01",
            "2019-03-01",
            "灌溉：100亩",
            "",
            "",
            "10",
        ]),
        // more precision than a fen (万元 to seven decimals)
        ledger_row(&[
            "5",
            TAGANG,
            "塔岗路灯",
            "基础设施",
            "路灯",
            "罗溪镇",
            "王主任",
            "2019-03-01",
            "2019-06-30",
            "路灯：20盏",
            "",
            "",
            "1.2345678",
        ]),
        // a household the registry does not have
        ledger_row(&[
            "6",
            TAGANG,
            "塔岗养牛",
            "产业",
            "养牛",
            "罗溪镇",
            "王主任",
            "2019-03-01",
            "2019-06-30",
            "带动：5户",
            "3601241062049999",
            "带动生产",
            "10",
        ]),
        // beyond the stages a ledger may bring without money
        ledger_row(&[
            "7",
            TAGANG,
            "塔岗茶园",
            "产业",
            "茶园",
            "罗溪镇",
            "王主任",
            "2019-03-01",
            "2019-06-30",
            "茶园：50亩",
            "",
            "",
            "10",
            "",
            "实施中",
        ]),
        // the same project twice in the file
        ledger_row(&[
            "8",
            TAGANG,
            "塔岗茶园",
            "产业",
            "茶园",
            "罗溪镇",
            "王主任",
            "2019-03-01",
            "2019-06-30",
            "茶园：50亩",
            "",
            "",
            "10",
        ]),
        // a date no calendar has
        ledger_row(&[
            "10",
            TAGANG,
            "塔岗广场",
            "其他",
            "广场",
            "罗溪镇",
            "王主任",
            "2019-02-30",
            "2019-06-30",
            "广场：1处",
            "",
            "",
            "10",
        ]),
        // a village the regions do not have
        ledger_row(&[
            "11",
            "360124106299",
            "无此村项目",
            "其他",
            "内容",
            "罗溪镇",
            "王主任",
            "2019-03-01",
            "2019-06-30",
            "目标：1",
            "",
            "",
            "10",
        ]),
    ]);
    let book = xlsx(&dir, "项目库台账-错误", &bad);
    let r = import(s, &book).await;
    assert!(!r.committed);
    let col = |c: &str| Some(c.to_string());
    assert_eq!(
        codes(&r),
        vec![
            (7, col("绩效目标"), "required".into()),
            (8, col("计划时间/完工"), "end_before_start".into()),
            (9, col("资金规模/合计"), "too_many_decimals".into()),
            (10, col("受益户"), "unknown_household".into()),
            (11, col("项目状态"), "no_allocation".into()),
            (12, col("项目名称"), "duplicate_ledger_row".into()),
            (13, col("计划时间/开工"), "invalid_date".into()),
            (14, col("所在村代码"), "unknown_village".into()),
        ]
    );
    assert!(r
        .issues
        .iter()
        .all(|i| !i.message.is_empty() && !i.message.is_ascii()));
    assert_eq!(
        (r.created, r.unchanged),
        (0, 2),
        "the two good rows are stored already"
    );
    assert_eq!(report_checked(s).await, before, "nothing kept");

    // a stored project that the ledger now says otherwise is refused, naming the column
    let mut changed = project_ledger(&[]);
    changed.rows[5][12] = "45".into();
    changed.numbers.retain(|n| (n.0, n.1) != (5, 12));
    let r = import(s, &xlsx(&dir, "项目库台账-改", &changed)).await;
    assert_eq!(
        codes(&r),
        vec![(6, col("资金规模/合计"), "ledger_differs".into())]
    );
    assert!(
        r.issues[0].message.contains("资金规模"),
        "{}",
        r.issues[0].message
    );
    assert_eq!(report_checked(s).await, before, "nothing kept");

    // the funds ledger with a row of each fault; the good source row above them is not kept
    let mut rows = vec![funds_header()];
    let r0 = |cells: &[&str]| funds_row(cells);
    rows.extend([
        r0(&[
            "1",
            "来源",
            "中央财政资金",
            DOC,
            JINXIAN,
            "",
            "",
            "1000000",
            "2019-02-15",
        ]),
        r0(&[
            "2",
            "来源",
            "县级财政资金",
            DOC2,
            JINXIAN,
            "",
            "",
            "100",
            "2019-02-15",
        ]),
        r0(&[
            "3",
            "退款",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "100",
            "2019-03-01",
        ]),
        r0(&[
            "4",
            "下达",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "12.345",
            "2019-03-01",
        ]),
        r0(&[
            "5",
            "下达",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "100",
            "2019-13-01",
        ]),
        r0(&[
            "6",
            "下达",
            "",
            DOC,
            "",
            TAGANG,
            "没有的项目",
            "100",
            "2019-03-01",
        ]),
        r0(&[
            "7",
            "下达",
            "",
            "无此文号",
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "100",
            "2019-03-01",
        ]),
        r0(&[
            "8",
            "下达",
            "",
            DOC2,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "100.01",
            "2019-03-01",
        ]),
        r0(&[
            "9",
            "下达",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "500000",
            "2019-03-01",
        ]),
        r0(&[
            "10",
            "到账",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "500000.01",
            "2019-03-02",
        ]),
        r0(&[
            "11",
            "支付",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "100",
            "2019-03-03",
            "路桥公司",
            "记-1",
        ]),
        r0(&[
            "12",
            "支付",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "100",
            "2019-03-03",
            "路桥公司",
            "",
        ]),
        r0(&[
            "13",
            "来源",
            "彩票公益金",
            "赣财〔2019〕1号",
            JINXIAN,
            "",
            "",
            "100",
            "2019-02-15",
        ]),
        r0(&[
            "14",
            "下达",
            "",
            DOC,
            "",
            SANFANG,
            "三房村光伏电站",
            "100",
            "2019-03-01",
        ]),
        r0(&[
            "15",
            "到账",
            "",
            DOC,
            "",
            TAGANG,
            "塔岗村组道路硬化",
            "100",
            "2019-02-01",
        ]),
    ]);
    let csv = gbk_csv(&dir, "资金台账-错误", &rows);
    let r = import(s, &csv).await;
    assert!(!r.committed);
    assert_eq!(
        codes(&r),
        vec![
            (4, col("业务类型"), "unknown_ledger_entry".into()),
            (5, col("金额（元）"), "too_many_decimals".into()),
            (6, col("拨付日期"), "invalid_date".into()),
            (7, col("项目名称"), "unknown_project".into()),
            (8, col("指标文号"), "unknown_source".into()),
            (9, col("金额（元）"), "exceeds_source".into()),
            (11, col("金额（元）"), "exceeds_allocation".into()),
            (12, col("项目名称"), "disbursement_not_allowed".into()),
            (13, col("凭证号"), "required".into()),
            (14, col("资金来源"), "unknown_source_kind".into()),
            (15, col("项目名称"), "allocation_not_allowed".into()),
            (16, col("拨付日期"), "date_before_previous".into()),
        ]
    );
    assert_eq!(r.rejected, 12);
    assert!(s
        .fund_sources(&office(), &code(JINXIAN), None)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(report_checked(s).await, before, "nothing kept");
}

#[tokio::test]
async fn rows_of_villages_outside_the_importers_regions_are_refused() {
    let db = test_store().await;
    let s = db.store.as_ref();
    luoxi_regions(s).await;
    let dir = tempfile::tempdir().unwrap();
    // a village's own ledger as a GBK CSV in 元 (the unit in the header)
    let rows = vec![
        strings(&[
            "所在村代码",
            "项目名称",
            "项目类别",
            "建设内容",
            "实施单位",
            "责任人",
            "计划开工",
            "计划完工",
            "绩效目标",
            "资金规模（元）",
            "项目状态",
        ]),
        strings(&[
            TAGANG,
            "塔岗村民小组活动室",
            "其他",
            "新建活动室",
            "塔岗村委会",
            "村主任",
            "2019-03-01",
            "2019-08-31",
            "活动室：1处",
            "85000.50",
            "村级申报",
        ]),
        strings(&[
            SANFANG,
            "三房村道",
            "基础设施",
            "修路",
            "三房村委会",
            "村主任",
            "2019-03-01",
            "2019-08-31",
            "道路：1公里",
            "100000",
            "村级申报",
        ]),
        strings(&[
            TAGANG,
            "塔岗村灌溉渠",
            "基础设施",
            "修渠",
            "塔岗村委会",
            "村主任",
            "2019-03-01",
            "2019-08-31",
            "灌溉：100亩",
            "50000",
            "已入库",
        ]),
    ];
    let csv = gbk_csv(&dir, "塔岗项目", &rows);
    let tagang = Ctx::within("tagang-officer", vec![code(TAGANG)]);
    let r = import_as(s, &tagang, &csv, Some(Kind::ProjectLedger), false).await;
    let col = |c: &str| Some(c.to_string());
    assert_eq!(
        codes(&r),
        vec![
            // 三房 is not 塔岗's officer's
            (3, col("所在村代码"), "out_of_scope".to_string()),
            // the library is the county's: a village's ledger brings proposals
            (4, col("项目状态"), "step_for_higher_office".to_string()),
        ]
    );
    assert!(!r.committed);
    assert_eq!(report_checked(s).await.projects_total.projects, 0);
    // with --partial the village's own proposal is kept
    let r = import_as(s, &tagang, &csv, Some(Kind::ProjectLedger), true).await;
    assert_eq!((r.created, r.rejected), (1, 2));
    assert!(r.committed);
    let f = report_checked(s).await;
    assert_eq!(f.projects_total.projects, 1);
    assert_eq!(f.projects_total.budget_fen, 8_500_050);
    // a source held by the county is outside a village officer's regions too
    let csv = gbk_csv(&dir, "资金台账", &funds_ledger(false));
    let r = import_as(s, &tagang, &csv, None, false).await;
    assert_eq!(r.issues[0].code, "out_of_scope");
    assert_eq!(r.issues[0].line, 3);
    assert_eq!(r.issues[0].column.as_deref(), Some("资金区划代码"));
    assert!(!r.committed);
    // registering the county's source is the county's write: a township's office is refused
    let township = Ctx::within("luoxi-office", vec![code(common::store::LUOXI)]);
    let mut rows = vec![funds_header()];
    rows.push(funds_row(&[
        "1",
        "来源",
        "县级财政资金",
        DOC2,
        common::store::LUOXI,
        "",
        "",
        "100",
        "2019-02-15",
    ]));
    let r = import_as(
        s,
        &township,
        &gbk_csv(&dir, "罗溪镇资金", &rows),
        None,
        false,
    )
    .await;
    assert_eq!(
        codes(&r),
        vec![(
            2,
            Some("资金区划代码".to_string()),
            "step_for_higher_office".to_string()
        )]
    );
}
