//! Import and export of files, on SQLite by default and on PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`: UTF-8, GBK and XLSX files; every bad row reported with its
//! row number and nothing written; `partial`; idempotent re-import; an annual update of statuses and
//! incomes; export → import round trip; codes and labels alike. The same for cadres (units created
//! by name), pairings (at most two cadres per household) and visits.

mod common;

use common::store::idn;

use fupin::testing::{test_store, TestDb};
use fupin_core::audit::AuditRecord;
use fupin_core::regions::RegionRecord;
use fupin_core::registry::{HouseholdFilter, HouseholdStatus};
use fupin_core::store::{AuditFilter, Store};
use fupin_core::{Ctx, RegionCode};
use fupin_io::export::{ExportKind, ExportOptions};
use fupin_io::{FileFormat, ImportOptions, ImportReport, Kind};
use std::path::{Path, PathBuf};

fn ctx() -> Ctx {
    Ctx::system("test:import")
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

const V1: &str = "360124106204";
const V2: &str = "360124106205";

async fn with_regions(store: &dyn Store) {
    let rows = [
        ("360000000000", "province", "江西省", ""),
        ("360100000000", "city", "南昌市", "360000000000"),
        ("360124000000", "county", "进贤县", "360100000000"),
        ("360124106000", "township", "罗溪镇", "360124000000"),
        (V1, "village", "塔岗村委会", "360124106000"),
        (V2, "village", "三房村委会", "360124106000"),
    ];
    let recs = rows
        .iter()
        .enumerate()
        .map(|(i, (c, l, n, p))| {
            (
                i as u64 + 2,
                RegionRecord {
                    code: c.to_string(),
                    level: Some(l.to_string()),
                    name: n.to_string(),
                    parent_code: Some(p.to_string()),
                },
            )
        })
        .collect();
    store.import_regions(&ctx(), recs).await.unwrap();
}

const HEADER: &str = "户编码,村代码,贫困户属性,识别标准,识别年度,主要致贫原因,其他致贫原因,联系电话,状态,状态日期,脱贫年度,姓名,身份证号,性别,与户主关系,健康状况,劳动能力";

/// Three households, 7 persons: H1 (3 persons, labels), H2 (2, codes), H3 (2).
fn good_rows() -> Vec<String> {
    vec![
        format!("H0001,{V1},一般贫困户,国家标准,2014,因病,缺资金、因学,13800138000,未脱贫,,,万建华,{},男,户主,长期慢性病,普通劳动力", idn("19650304", 11)),
        format!("H0001,,,,,,,,,,,李秀英,{},女,配偶,健康,普通劳动力", idn("19670512", 22)),
        format!("H0001,,,,,,,,,,,万小明,{},男,之子,健康,", idn("20050101", 33)),
        format!("H0002,{V1},01,01,2015,02,,,poor,,,张三,{},,01,03,04", idn("19500101", 15)),
        format!("H0002,{V1},01,01,2015,02,,,poor,,,王五,{},,02,01,", idn("19520202", 26)),
        format!("H0003,{V2},低保贫困户,国家标准,2014,缺劳动力,,,已脱贫,2018-12-20,2018,赵六,{},男,户主,健康,弱劳动力或半劳动力", idn("19400101", 17)),
        format!("H0003,,,,,,,,,,,钱七,{},女,之女,健康,普通劳动力", idn("19800808", 28)),
    ]
}

fn csv(header: &str, rows: &[String]) -> String {
    let mut s = String::from(header);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

async fn import_with(store: &dyn Store, path: &Path, opts: ImportOptions) -> ImportReport {
    let f = std::fs::File::open(path).unwrap();
    fupin_io::import(store, &ctx(), Box::new(f), &opts, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"))
}

async fn import(store: &dyn Store, path: &Path) -> ImportReport {
    import_with(store, path, ImportOptions::default()).await
}

async fn household_count(store: &dyn Store) -> u64 {
    store
        .list_households(&ctx(), HouseholdFilter::default())
        .await
        .unwrap()
        .total
        .expect("counted on a page reached by number")
}

async fn setup() -> TestDb {
    let db = test_store().await;
    with_regions(db.store.as_ref()).await;
    db
}

/// The aggregates agree with a recomputation from the rows, for the county and every year.
async fn stats_consistent(store: &dyn Store) {
    for year in 2014..=2020 {
        let c = code("360124000000");
        let kept = store.region_stats(&ctx(), &c, year).await.unwrap();
        let fresh = store
            .recompute_region_stats(&ctx(), &c, year)
            .await
            .unwrap();
        assert_eq!(kept, fresh, "aggregates of {year}");
    }
}

#[tokio::test]
async fn utf8_gbk_and_xlsx_files_import_alike() {
    let files = Files::new();
    let text = csv(HEADER, &good_rows());
    let utf8 = files.write("h.csv", format!("\u{feff}{text}").as_bytes());
    let gbk = files.write("h_gbk.csv", &fupin_io::encoding::encode_gb18030(&text));
    // the same rows as a workbook, with the ID numbers as text and years as numbers
    let xlsx = files.path("h.xlsx");
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("家庭成员").unwrap();
        for (r, line) in std::iter::once(HEADER.to_string())
            .chain(good_rows())
            .enumerate()
        {
            for (c, v) in line.split(',').enumerate() {
                if r > 0 && c == 4 && !v.is_empty() {
                    ws.write_number(r as u32, c as u16, v.parse::<f64>().unwrap())
                        .unwrap();
                } else if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
        book.add_worksheet().set_name("说明").unwrap();
        book.save(&xlsx).unwrap();
    }
    let mut details = Vec::new();
    for (path, format) in [
        (&utf8, FileFormat::Csv),
        (&gbk, FileFormat::Csv),
        (&xlsx, FileFormat::Xlsx),
    ] {
        let db = setup().await;
        let store = db.store.as_ref();
        let r = import(store, path).await;
        assert!(!r.has_errors(), "{path:?}: {:?}", r.issues);
        assert_eq!((r.created, r.rows, r.committed), (3, 7, true), "{path:?}");
        assert_eq!(r.format, Some(format));
        assert_eq!(household_count(store).await, 3);
        let mut d = store.household_by_number(&ctx(), "H0001").await.unwrap();
        assert_eq!(d.members.len(), 3);
        assert_eq!(d.household.main_cause, "01");
        assert_eq!(d.household.other_causes, ["09", "03"]);
        d.household.created_at = time::OffsetDateTime::UNIX_EPOCH;
        d.household.updated_at = time::OffsetDateTime::UNIX_EPOCH;
        details.push((
            d.household.household_number.clone(),
            d.members
                .iter()
                .map(|m| {
                    (
                        m.name.clone(),
                        m.id_number.clone(),
                        m.relation.clone(),
                        m.health.clone(),
                    )
                })
                .collect::<Vec<_>>(),
        ));
        let exited = store.household_by_number(&ctx(), "H0003").await.unwrap();
        assert_eq!(exited.household.status, HouseholdStatus::Exited);
        assert_eq!(exited.household.exit_year, Some(2018));
        assert_eq!(
            exited
                .status_history
                .iter()
                .map(|s| s.to_status)
                .collect::<Vec<_>>(),
            [HouseholdStatus::Poor, HouseholdStatus::Exited],
            "entered as exited: poor from the identification year, then exited"
        );
        stats_consistent(store).await;
    }
    assert_eq!(details[0], details[1], "GBK reads like UTF-8");
    assert_eq!(details[0], details[2], "XLSX reads like CSV");
    let gbk_report = {
        let db = setup().await;
        import(db.store.as_ref(), &gbk).await
    };
    assert_eq!(gbk_report.encoding, Some(fupin_io::TextEncoding::Gb18030));
}

#[tokio::test]
async fn every_bad_row_is_reported_and_nothing_is_written() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    let mut rows = good_rows();
    // line numbers: header is line 1, rows[i] is line i + 2
    let bad_check = {
        let mut s = idn("19650304", 11);
        s.pop();
        s.push(if s.ends_with('1') { '2' } else { '1' });
        s
    };
    rows[1] = rows[1].replace(&idn("19670512", 22), &bad_check); // line 3: check digit (ID wrong)
    rows[4] = rows[4].replace(",02,01,", ",01,01,"); // line 6: a second head in H0002
    rows[5] = rows[5].replace(V2, "360124106299"); // line 7: unknown village
    rows.push(format!(
        "H0004,{V2},一般贫困户,国家标准,2016,因病,,,,,,孙八,{},女,户主,健康,",
        idn("19650304", 11)
    )); // line 9: ID of line 2, sex
    rows.push(format!(
        "H0005,{V2},一般贫困户,国家标准,二〇一六,因病,,,,,,周九,{},男,户主,健康,",
        idn("19700101", 31)
    )); // line 10: year
    rows.push(format!(
        "H0006,{V2},一般贫困户,国家标准,2016,因懒,,,,,,吴十,{},男,户主,健康,",
        idn("19700102", 31)
    )); // line 11: cause
    let path = files.write("bad.csv", csv(HEADER, &rows).as_bytes());
    let error_file = files.path("bad.错误.csv");
    let r = import_with(
        store,
        &path,
        ImportOptions {
            error_file: Some(error_file.clone()),
            ..Default::default()
        },
    )
    .await;
    let found: Vec<(u64, &str)> = r.issues.iter().map(|i| (i.line, i.code.as_str())).collect();
    assert_eq!(
        found,
        [
            (3, "invalid_check_digit"),
            (6, "multiple_heads"),
            (7, "unknown_village"),
            (9, "sex_mismatch"),
            (10, "invalid_year"),
            (11, "unknown_code"),
        ],
        "{:#?}",
        r.issues
    );
    let i = &r.issues[0];
    assert_eq!(i.column.as_deref(), Some("身份证号"));
    assert!(
        !i.value.as_deref().unwrap().contains("19670512"),
        "ID numbers are masked in reports"
    );
    assert_eq!(r.issues[2].column.as_deref(), Some("村代码"));
    // a cell's message names its column in Chinese, as the column does
    assert_eq!(r.issues[4].column.as_deref(), Some("识别年度"));
    assert_eq!(r.issues[4].message, "识别年度 须为四位年份：二〇一六");
    assert!(!r.committed);
    assert_eq!(household_count(store).await, 0, "nothing written");
    // the error file: the rejected rows only (every row of a rejected household), each with its
    // reason, importable again once fixed
    let text = std::fs::read_to_string(&error_file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() as u64, r.rejected_rows + 1, "{text}");
    assert!(lines[0].ends_with(",错误原因"));
    assert!(
        lines[1..].iter().all(|l| !l.ends_with(',')),
        "every row has its reason: {text}"
    );
    assert!(lines[2].contains("校验位"), "{}", lines[2]);
    assert!(lines[1].contains("同一户的其他行有错误"), "{}", lines[1]);
    assert!(lines[3].contains("同一户的其他行有错误"), "{}", lines[3]);
    // a duplicate ID within the file is found once the first row is good
    let mut dup = good_rows();
    dup.push(format!(
        "H0004,{V2},一般贫困户,国家标准,2016,因病,,,,,,孙八,{},,户主,健康,",
        idn("19650304", 11)
    ));
    let path = files.write("dup.csv", csv(HEADER, &dup).as_bytes());
    let r = import(store, &path).await;
    assert_eq!(r.issues.len(), 1);
    assert_eq!(
        (r.issues[0].line, r.issues[0].code.as_str()),
        (9, "repeated_id_number")
    );
    assert!(
        r.issues[0].message.contains("第 2 行"),
        "{}",
        r.issues[0].message
    );
    assert_eq!(household_count(store).await, 0);
}

#[tokio::test]
async fn partial_writes_exactly_the_good_households() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    let mut rows = good_rows();
    rows[2] = rows[2].replace(",男,之子,", ",女,之子,"); // H0001 line 4: sex mismatch → H0001 rejected
    let path = files.write("p.csv", csv(HEADER, &rows).as_bytes());
    let error_file = files.path("p.错误.csv");
    let r = import_with(
        store,
        &path,
        ImportOptions {
            partial: true,
            error_file: Some(error_file.clone()),
            ..Default::default()
        },
    )
    .await;
    assert!(r.committed);
    assert_eq!((r.created, r.rejected, r.rejected_rows), (2, 1, 3));
    assert_eq!(household_count(store).await, 2);
    assert!(store.household_by_number(&ctx(), "H0001").await.is_err());
    assert_eq!(
        store
            .household_by_number(&ctx(), "H0002")
            .await
            .unwrap()
            .members
            .len(),
        2
    );
    // the error file holds exactly the rejected household's rows; fixed, it imports
    let text = std::fs::read_to_string(&error_file).unwrap();
    assert_eq!(text.lines().count(), 1 + 3);
    let fixed = text.replace(",女,之子,", ",男,之子,");
    let fixed_path = files.write("p_fixed.csv", fixed.as_bytes());
    let r = import(store, &fixed_path).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    assert_eq!(r.created, 1);
    assert_eq!(household_count(store).await, 3);
    stats_consistent(store).await;
}

async fn audit_count(store: &dyn Store, action: &str) -> u64 {
    store
        .audit_log(
            &ctx(),
            AuditFilter {
                action: Some(action.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .total
        .expect("counted on a page reached by number")
}

#[tokio::test]
async fn reimport_changes_nothing() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    let path = files.write("h.csv", csv(HEADER, &good_rows()).as_bytes());
    assert_eq!(import(store, &path).await.created, 3);
    let before = store.household_by_number(&ctx(), "H0001").await.unwrap();
    let stats = store
        .region_stats(&ctx(), &code("360124000000"), 2019)
        .await
        .unwrap();
    let audits = audit_count(store, "household.import").await;
    assert_eq!(audits, 3, "one audit record per created household");
    let r = import(store, &path).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 3));
    let after = store.household_by_number(&ctx(), "H0001").await.unwrap();
    assert_eq!(before, after, "nothing changed, not even the update time");
    assert_eq!(
        stats,
        store
            .region_stats(&ctx(), &code("360124000000"), 2019)
            .await
            .unwrap()
    );
    assert_eq!(audit_count(store, "household.import").await, audits);
    assert_eq!(
        audit_count(store, "import").await,
        2,
        "one summary record per import"
    );
    // a dry run checks and writes nothing
    let mut changed = good_rows();
    changed[0] = changed[0].replace("13800138000", "13900139000");
    let path2 = files.write("h2.csv", csv(HEADER, &changed).as_bytes());
    let r = import_with(
        store,
        &path2,
        ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!((r.updated, r.committed), (1, false));
    assert_eq!(
        store.household_by_number(&ctx(), "H0001").await.unwrap(),
        before
    );
}

const INCOME_HEADER: &str = "户编码,年度,工资性收入(元),生产经营性收入(元),财产性收入(元),转移性收入(元),生产经营性支出(元)";

#[tokio::test]
async fn annual_update_moves_statuses_and_incomes_with_history() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    import(
        store,
        &files.write("h.csv", csv(HEADER, &good_rows()).as_bytes()),
    )
    .await;
    let inc = files.write(
        "i2018.csv",
        csv(
            INCOME_HEADER,
            &[
                "H0001,2018,12000,3000.5,0,2400,500".into(),
                "H0002,2018,8000,0,100,3000,0".into(),
            ],
        )
        .as_bytes(),
    );
    let r = import(store, &inc).await;
    assert_eq!((r.created, r.issues_total), (2, 0));
    // the next year's file: H0001 exits, H0002 becomes … nothing new; a newborn joins H0002
    let header = format!("{HEADER},加入方式,加入日期");
    let mut rows: Vec<String> = good_rows().into_iter().map(|r| format!("{r},,")).collect();
    rows[0] = rows[0].replace(",未脱贫,,,", ",已脱贫,2019-12-01,2019,");
    rows.insert(
        5,
        format!(
            "H0002,{V1},01,01,2015,02,,,poor,,,王小,{},,之孙女,健康,,新生儿,2019-05-01",
            idn("20190501", 42)
        ),
    );
    let update = files.write("h2019.csv", csv(&header, &rows).as_bytes());
    let r = import(store, &update).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    assert_eq!(
        (r.updated, r.unchanged, r.status_changes, r.members_added),
        (2, 1, 1, 1)
    );
    let inc2 = files.write(
        "i2019.csv",
        csv(
            INCOME_HEADER,
            &[
                "H0001,2019,15000,3000,0,2400,500".into(),
                "H0002,2018,8000,0,100,3100,0".into(),
            ],
        )
        .as_bytes(),
    );
    let r = import(store, &inc2).await;
    assert_eq!((r.created, r.updated, r.issues_total), (1, 1, 0));
    let h1 = store.household_by_number(&ctx(), "H0001").await.unwrap();
    assert_eq!(h1.household.status, HouseholdStatus::Exited);
    assert_eq!(h1.household.exit_year, Some(2019));
    let hist: Vec<_> = h1
        .status_history
        .iter()
        .map(|s| (s.to_status, s.date.to_string()))
        .collect();
    assert_eq!(
        hist,
        [
            (HouseholdStatus::Poor, "2014-01-01".to_string()),
            (HouseholdStatus::Exited, "2019-12-01".to_string())
        ]
    );
    assert_eq!(
        h1.incomes.iter().map(|i| i.year).collect::<Vec<_>>(),
        [2018, 2019]
    );
    let h2 = store.household_by_number(&ctx(), "H0002").await.unwrap();
    assert_eq!(h2.members.len(), 3);
    assert_eq!(h2.member_changes.len(), 1, "the newborn's join is recorded");
    assert_eq!(h2.incomes[0].components.transfer_fen.get(), 310_000);
    assert_eq!(
        h2.incomes[0].persons, 2,
        "the newborn of 2019 is not counted in 2018"
    );
    assert_eq!(audit_count(store, "household.import_status").await, 1);
    assert_eq!(audit_count(store, "income.import").await, 4);
    stats_consistent(store).await;
    // a transition the rules forbid is a rejected row
    let mut back = rows.clone();
    back[0] = back[0].replace(",已脱贫,2019-12-01,2019,", ",新识别,2020-01-01,,");
    let r = import(
        store,
        &files.write("back.csv", csv(&header, &back).as_bytes()),
    )
    .await;
    assert_eq!(r.issues[0].code, "invalid_status_transition");
    assert_eq!(r.issues[0].line, 2);
}

#[tokio::test]
async fn export_then_import_preserves_the_data() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    let header = format!("{HEADER},住房面积(平方米),是否饮水安全,是否易地扶贫搬迁,安置方式");
    let rows: Vec<String> = good_rows()
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            if i == 0 {
                format!("{r},85.5,是,是,集中")
            } else {
                format!("{r},,,,")
            }
        })
        .collect();
    import(store, &files.write("h.csv", csv(&header, &rows).as_bytes())).await;
    import(
        store,
        &files.write(
            "i.csv",
            csv(
                INCOME_HEADER,
                &["H0001,2018,12000,3000.5,0,2400,500".into()],
            )
            .as_bytes(),
        ),
    )
    .await;
    store
        .record_event(
            &ctx(),
            AuditRecord::event("test", "test", None, serde_json::json!({})),
        )
        .await
        .unwrap();
    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        let mut unmasked = ctx();
        unmasked.unmask = true;
        let out = files.path(&format!("export.{}", format.extension()));
        let inc_out = files.path(&format!("incomes.{}", format.extension()));
        for (kind, path) in [
            (ExportKind::Households, &out),
            (ExportKind::Incomes, &inc_out),
        ] {
            let n = fupin_io::export::export(
                store,
                &unmasked,
                &ExportOptions {
                    kind,
                    region: code("360124000000"),
                    year: None,
                    format,
                    reason: Some("测试往返".into()),
                },
                path,
                &|_| {},
            )
            .await
            .unwrap();
            assert!(n > 0);
        }
        // back into the same store: nothing changes
        let r = import(store, &out).await;
        assert_eq!(
            (r.unchanged, r.issues_total),
            (3, 0),
            "{format:?}: {:?}",
            r.issues
        );
        assert_eq!(import(store, &inc_out).await.unchanged, 1);
        // into a fresh store: the same households
        let fresh = setup().await;
        let r = import(fresh.store.as_ref(), &out).await;
        assert_eq!((r.created, r.issues_total), (3, 0), "{:?}", r.issues);
        assert_eq!(import(fresh.store.as_ref(), &inc_out).await.created, 1);
        for n in ["H0001", "H0002", "H0003"] {
            let mut a = store.household_by_number(&unmasked, n).await.unwrap();
            let mut b = fresh.store.household_by_number(&unmasked, n).await.unwrap();
            for d in [&mut a, &mut b] {
                d.household.id = fupin_core::registry::HouseholdId(0);
                d.household.created_at = time::OffsetDateTime::UNIX_EPOCH;
                d.household.updated_at = time::OffsetDateTime::UNIX_EPOCH;
                for m in &mut d.members {
                    m.id = fupin_core::registry::PersonId(0);
                    m.household_id = fupin_core::registry::HouseholdId(0);
                }
                for i in &mut d.incomes {
                    i.household_id = fupin_core::registry::HouseholdId(0);
                    i.updated_at = time::OffsetDateTime::UNIX_EPOCH;
                }
            }
            assert_eq!(a.household, b.household, "{n} {format:?}");
            assert_eq!(a.members, b.members, "{n} {format:?}");
            assert_eq!(a.incomes, b.incomes, "{n} {format:?}");
        }
    }
    assert!(
        audit_count(store, "export.unmask").await >= 4,
        "unmasked exports are audited"
    );
    // a masked export does not contain full ID numbers
    let out = files.path("masked.csv");
    fupin_io::export::export(
        store,
        &ctx(),
        &ExportOptions {
            kind: ExportKind::Households,
            region: code("360124000000"),
            year: None,
            format: FileFormat::Csv,
            reason: None,
        },
        &out,
        &|_| {},
    )
    .await
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains(&idn("19650304", 11)));
    assert!(text.contains("3601**********"));
    // statistics of the county and its townships
    let st = files.path("stats.csv");
    let n = fupin_io::export::export(
        store,
        &ctx(),
        &ExportOptions {
            kind: ExportKind::Stats,
            region: code("360124000000"),
            year: Some(2018),
            format: FileFormat::Csv,
            reason: None,
        },
        &st,
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(n, 2, "the county and its one township");
}

#[tokio::test]
async fn codes_and_labels_alike_and_bad_amounts_reported() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    import(
        store,
        &files.write("h.csv", csv(HEADER, &good_rows()).as_bytes()),
    )
    .await;
    let h1 = store.household_by_number(&ctx(), "H0001").await.unwrap();
    let h2 = store.household_by_number(&ctx(), "H0002").await.unwrap();
    assert_eq!(
        h1.household.attribute, h2.household.attribute,
        "一般贫困户 and 01"
    );
    let head2 = h2.members.iter().find(|m| m.name == "张三").unwrap();
    assert_eq!(
        (
            head2.relation.as_str(),
            head2.health.as_deref(),
            head2.labour_ability.as_deref()
        ),
        ("01", Some("03"), Some("04"))
    );
    let inc = files.write(
        "i.csv",
        csv(
            INCOME_HEADER,
            &[
                "H0001,2018,一万,0,0,0,0".into(),
                "H0002,2018,100.123,0,0,0,0".into(),
                "H9999,2018,1,0,0,0,0".into(),
                "H0003,2018,1,0,0,0,0".into(),
            ],
        )
        .as_bytes(),
    );
    let r = import_with(
        store,
        &inc,
        ImportOptions {
            kind: Some(Kind::Incomes),
            ..Default::default()
        },
    )
    .await;
    let found: Vec<(u64, &str)> = r.issues.iter().map(|i| (i.line, i.code.as_str())).collect();
    assert_eq!(
        found,
        [
            (2, "not_an_amount"),
            (3, "too_many_decimals"),
            (4, "unknown_household")
        ]
    );
    assert_eq!(r.issues[0].column.as_deref(), Some("工资性收入(元)"));
    // the messages name the columns in Chinese, not by the fields' English keys
    assert_eq!(
        r.issues[0].message,
        "工资性收入(元) 不是有效金额（单位：元）：一万"
    );
    assert_eq!(
        r.issues[1].message,
        "工资性收入(元) 最多两位小数（单位：元）：100.123"
    );
    assert!(!r.committed);
    let r = import_with(
        store,
        &files.write(
            "y.csv",
            csv(INCOME_HEADER, &["H0001,19,0,0,0,0,0".into()]).as_bytes(),
        ),
        ImportOptions {
            kind: Some(Kind::Incomes),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.issues[0].code, "invalid_year");
    assert_eq!(r.issues[0].column.as_deref(), Some("年度"));
    assert_eq!(r.issues[0].message, "年度 须为四位年份：19");
    assert!(store
        .household_by_number(&ctx(), "H0003")
        .await
        .unwrap()
        .incomes
        .is_empty());
    // village profiles
    let prof = files.write(
        "v.csv",
        format!(
            "村代码,年度,村集体经济收入(元),农村人口\n{V1},2018,70000,1296\n{V2},2018,abc,10\n"
        )
        .as_bytes(),
    );
    let r = import_with(
        store,
        &prof,
        ImportOptions {
            partial: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!((r.created, r.rejected), (1, 1));
    assert_eq!(r.issues[0].line, 3);
    assert_eq!(
        r.issues[0].message,
        "村集体经济收入(元) 不是有效金额（单位：元）：abc"
    );
    let s = store.region_stats(&ctx(), &code(V1), 2018).await.unwrap();
    assert_eq!(s.collective_income_fen, Some(7_000_000));
}

#[tokio::test]
async fn a_generated_load_keeps_the_statistics_consistent() {
    let db = test_store().await;
    let store = db.store.as_ref();
    let regions = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/division_jinxian_360124_2023.csv");
    let files = Files::new();
    let r = import_with(
        store,
        &regions,
        ImportOptions {
            kind: Some(Kind::Regions),
            ..Default::default()
        },
    )
    .await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    let gen = fupin_io::gen::generate(
        std::fs::File::open(&regions).unwrap(),
        files.dir.path(),
        &fupin_io::gen::GenOptions {
            households: 600,
            seed: 3,
            income_years: (2017, 2019),
            as_of: 2019,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        gen.persons > 1500 && gen.persons < 2500,
        "about 3.3 persons per household"
    );
    for f in &gen.files {
        let r = import(store, &f.path).await;
        assert!(
            !r.has_errors(),
            "{f:?}: {:?}",
            &r.issues[..r.issues.len().min(5)]
        );
        assert_eq!((r.kind, r.rows), (Some(f.kind), f.rows), "{f:?}");
        match f.kind {
            Kind::StatusChanges => assert_eq!(r.status_changes, f.rows, "{f:?}"),
            // the exits of the registry, recorded with their procedures: no status changes again
            Kind::Cases => assert_eq!((r.created, r.status_changes), (f.rows, 0), "{f:?}"),
            _ => assert!(r.created > 0, "{f:?}"),
        }
    }
    assert_eq!(household_count(store).await, 600);
    stats_consistent(store).await;
    // the same files again: nothing changes
    for f in &gen.files {
        let r = import(store, &f.path).await;
        assert_eq!((r.created, r.updated), (0, 0), "{f:?}");
    }
    stats_consistent(store).await;
}

/// Indexes and constraints of the database, each with its definition.
async fn schema_objects(db: &TestDb) -> Vec<String> {
    if db.is_postgres() {
        db.texts(
            "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() \
             UNION ALL SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) ORDER BY 1",
        )
        .await
    } else {
        db.texts("SELECT name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY 1")
            .await
    }
}

/// What shows that a load dropped indexes and built them again: on PostgreSQL, new identities of
/// an index, a unique constraint, a foreign key and the primary key of the statistics' causes
/// (filled from empty with their key built at the end); on SQLite, the statistics of the persons table
/// that only a large load gathers.
async fn rebuild_marks(db: &TestDb) -> Vec<String> {
    if db.is_postgres() {
        db.texts(
            "SELECT relname || ' ' || oid::text FROM pg_class WHERE relname = 'persons_name' \
             UNION ALL SELECT conname || ' ' || oid::text FROM pg_constraint \
             WHERE conname IN ('households_household_number_key', 'persons_household_id_fkey', \
             'village_year_causes_pkey') ORDER BY 1",
        )
        .await
    } else {
        db.texts("SELECT tbl || ' ' || COALESCE(idx, '') FROM sqlite_stat1 WHERE tbl = 'persons' ORDER BY 1")
            .await
    }
}

/// A load large enough to be planned (the tables outgrow what they held) drops indexes and
/// constraints, and builds every one of them again before it commits: same definitions as before,
/// enforced again, statistics equal to a recomputation, audit chain intact, and a second import of
/// the file finds every household.
#[tokio::test]
async fn a_large_load_builds_its_indexes_and_constraints_again() {
    let db = test_store().await;
    let store = db.store.as_ref();
    let regions = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/division_jinxian_360124_2023.csv");
    let r = import_with(
        store,
        &regions,
        ImportOptions {
            kind: Some(Kind::Regions),
            ..Default::default()
        },
    )
    .await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    let before = schema_objects(&db).await;
    // what the import's look-ups use, named in the bulk load's plan (kept when tables hold rows)
    let mut lookups = vec![
        "persons_active_id_number",
        "persons_household",
        "status_history_household",
    ];
    if db.is_postgres() {
        lookups.push("households_household_number_key");
    }
    for name in lookups {
        assert!(
            before.iter().any(|o| o.starts_with(&format!("{name}: "))),
            "{name} is in the schema"
        );
    }
    let marks_before = if db.is_postgres() {
        rebuild_marks(&db).await
    } else {
        Vec::new()
    };
    let files = Files::new();
    let gen = fupin_io::gen::generate(
        std::fs::File::open(&regions).unwrap(),
        files.dir.path(),
        &fupin_io::gen::GenOptions {
            households: 12_000,
            seed: 5,
            income_years: (2018, 2019),
            as_of: 2019,
            ..Default::default()
        },
    )
    .unwrap();
    let households = files.path("households.csv");
    // the plan starts at an estimated 50,000 person rows (about 100 bytes each)
    assert!(std::fs::metadata(&households).unwrap().len() > 6_000_000);
    let r = import(store, &households).await;
    assert!(!r.has_errors(), "{:?}", &r.issues[..r.issues.len().min(5)]);
    assert_eq!((r.created, r.records), (12_000, 12_000));
    assert!(gen.persons > 35_000);

    assert_eq!(
        schema_objects(&db).await,
        before,
        "every index and constraint is back"
    );
    let marks = rebuild_marks(&db).await;
    if db.is_postgres() {
        assert_eq!(marks.len(), 4);
        for m in &marks {
            assert!(!marks_before.contains(m), "{m} was built again");
        }
    } else {
        assert!(!marks.is_empty(), "the large load gathered statistics");
    }
    // enforced again: a second household with a stored number, a member of no household
    let dup = db
        .try_raw(
            "INSERT INTO households (household_number, village_code, attribute, identification_standard, \
             identification_year, main_cause, status, status_date, created_at, updated_at, created_by, updated_by) \
             SELECT household_number, village_code, attribute, identification_standard, identification_year, \
             main_cause, status, status_date, created_at, updated_at, created_by, updated_by FROM households \
             WHERE id = (SELECT MIN(id) FROM households)",
        )
        .await;
    assert!(dup.is_err(), "household numbers are unique again");
    let orphan = db
        .try_raw("UPDATE persons SET household_id = -1 WHERE id = (SELECT MIN(id) FROM persons)")
        .await;
    assert!(orphan.is_err(), "members belong to stored households again");

    stats_consistent(store).await;
    assert!(store.verify_audit().await.unwrap().is_ok());
    let r = import(store, &households).await;
    assert_eq!(
        (r.created, r.updated, r.unchanged),
        (0, 0, 12_000),
        "the second import finds every household"
    );
}

/// A load that grows a table many times over keeps the planner's statistics of it current as it
/// goes (each time the table has grown about fourfold), so that its batches' look-ups of the rows
/// loaded before them use the indexes: the incomes of households measured when the table held a
/// few hundred rows, then an incomes file of about 24,000 rows. Afterwards the planner's count of
/// the table (`pg_class.reltuples`, the row count in `sqlite_stat1`) is within a factor four of
/// the rows (on PostgreSQL within a quarter: measured once more before commit); before, it
/// stayed at the few hundred.
#[tokio::test]
async fn a_load_keeps_the_statistics_of_the_tables_it_grows() {
    let db = test_store().await;
    let store = db.store.as_ref();
    if db.is_postgres() {
        // only the load measures the table (not the background's autovacuum)
        db.raw("ALTER TABLE incomes SET (autovacuum_enabled = false)")
            .await;
    }
    let regions = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/division_jinxian_360124_2023.csv");
    let r = import_with(
        store,
        &regions,
        ImportOptions {
            kind: Some(Kind::Regions),
            ..Default::default()
        },
    )
    .await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    let files = Files::new();
    let gen = fupin_io::gen::generate(
        std::fs::File::open(&regions).unwrap(),
        files.dir.path(),
        &fupin_io::gen::GenOptions {
            households: 6_000,
            seed: 7,
            income_years: (2016, 2019),
            as_of: 2019,
            ..Default::default()
        },
    )
    .unwrap();
    let file = |kind: Kind| {
        gen.files
            .iter()
            .find(|f| f.kind == kind)
            .unwrap_or_else(|| panic!("{kind:?} generated"))
            .clone()
    };
    let households = file(Kind::Households);
    let r = import(store, &households.path).await;
    assert!(!r.has_errors(), "{:?}", &r.issues[..r.issues.len().min(5)]);
    // the first 400 incomes, measured
    let incomes = file(Kind::Incomes);
    assert!(incomes.rows > 20_000, "{} income rows", incomes.rows);
    let text = std::fs::read_to_string(&incomes.path).unwrap();
    let first: Vec<&str> = text.lines().take(401).collect();
    let head = files.write("incomes-first.csv", (first.join("\n") + "\n").as_bytes());
    let r = import(store, &head).await;
    assert_eq!((r.created, r.issues.len()), (400, 0), "{:?}", r.issues);
    db.raw("ANALYZE incomes").await;
    let planned = || async {
        let backend = db.backend().await;
        let mut tx = backend.begin_read().await.unwrap();
        tx.planned_rows("incomes").await.unwrap()
    };
    let measured = planned().await;
    assert!(
        measured.is_some_and(|n| (300..=500).contains(&n)),
        "measured at 400 rows: {measured:?}"
    );
    // the whole file: the other rows are new
    let r = import(store, &incomes.path).await;
    assert!(!r.has_errors(), "{:?}", &r.issues[..r.issues.len().min(5)]);
    assert_eq!(r.created, incomes.rows - 400);
    let rows = db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM incomes").await;
    let rows: u64 = rows[0].parse().unwrap();
    assert_eq!(rows, incomes.rows);
    let planned = planned().await.expect("measured");
    assert!(
        planned * 4 > rows && planned < rows * 4,
        "the planner counts {planned} of {rows} income rows"
    );
    if db.is_postgres() {
        // measured once more before commit (a sample of the whole table at this size)
        assert!(
            planned * 5 >= rows * 4 && planned * 4 <= rows * 5,
            "the planner counts {planned} of {rows} income rows"
        );
    }
    stats_consistent(store).await;
}

// ---- cadres, pairings and visits ----------------------------------------------------------------

const CADRE_HEADER: &str = "帮扶单位,单位级别,干部姓名,职级,联系电话,管理区划代码";

/// Five cadres of two units: 张三 twice in 进贤县人社局 (told apart by phone), 南昌市农业局 created
/// by line 4 (level as a label; line 3 gives the level as a code, line 5 leaves it blank).
fn cadre_rows() -> Vec<String> {
    vec![
        "进贤县人社局,县,张三,科级,13800138001,360124000000".into(), // line 2
        "进贤县人社局,04,李四,,13800138002,360124000000".into(),     // line 3
        "南昌市农业局,市,王五,处级,,360124106000".into(),            // line 4
        "南昌市农业局,,赵六,,13800138004,360124106000".into(),       // line 5
        "进贤县人社局,,张三,,13800138009,360124000000".into(),       // line 6
    ]
}

const PAIRING_HEADER: &str = "户编号,帮扶单位,帮扶干部,干部联系电话,开始日期";

/// H0001 with 张三 (the first, by phone) and 王五; H0002 with 李四; H0003 with 赵六. Dates in four
/// spellings.
fn pairing_rows() -> Vec<String> {
    vec![
        "H0001,进贤县人社局,张三,13800138001,2016-03-01".into(),
        "H0001,南昌市农业局,王五,,2016/3/1".into(),
        "H0002,进贤县人社局,李四,,2017年5月1日".into(),
        "H0003,南昌市农业局,赵六,,20180101".into(),
    ]
}

const VISIT_HEADER: &str =
    "户编码,走访日期,走访类型,参加干部,帮扶单位,收入情况,发现问题,帮扶措施,慰问金(元),慰问品,慰问品价值(元)";

/// Four visits; the second names 张三, told apart by the household's pairing.
fn visit_rows() -> Vec<String> {
    vec![
        "H0001,2018-05-01,慰问,王五,,务工收入稳定,住房漏雨,联系危房改造,500,大米、食用油,200.50"
            .into(),
        "H0001,2018-06-01,01,王五、张三,,,,宣讲政策,,,".into(),
        "H0002,2018-05-02,走访,李四,进贤县人社局,,,了解务工意愿,,,".into(),
        "H0003,2019-01-10,政策宣讲,赵六,南昌市农业局,,,讲解产业奖补,0,,".into(),
    ]
}

/// Regions, the three households and the five cadres.
async fn with_cadres(store: &dyn Store, files: &Files) {
    let r = import(
        store,
        &files.write("h.csv", csv(HEADER, &good_rows()).as_bytes()),
    )
    .await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    let r = import(
        store,
        &files.write("c.csv", csv(CADRE_HEADER, &cadre_rows()).as_bytes()),
    )
    .await;
    assert!(!r.has_errors(), "{:?}", r.issues);
}

async fn household_id(store: &dyn Store, number: &str) -> fupin_core::registry::HouseholdId {
    store
        .household_by_number(&ctx(), number)
        .await
        .unwrap()
        .household
        .id
}

async fn import_as(store: &dyn Store, ctx: &Ctx, path: &Path, opts: ImportOptions) -> ImportReport {
    let f = std::fs::File::open(path).unwrap();
    fupin_io::import(store, ctx, Box::new(f), &opts, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"))
}

fn lines_and_codes(r: &ImportReport) -> Vec<(u64, &str)> {
    r.issues.iter().map(|i| (i.line, i.code.as_str())).collect()
}

#[tokio::test]
async fn cadres_pairings_and_visits_import_and_reimport_unchanged() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    import(
        store,
        &files.write("h.csv", csv(HEADER, &good_rows()).as_bytes()),
    )
    .await;

    // cadres: units created by name, labels and codes alike
    let cadres = files.write("c.csv", csv(CADRE_HEADER, &cadre_rows()).as_bytes());
    let r = import(store, &cadres).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    assert_eq!(r.kind, Some(Kind::Cadres), "detected from the header");
    assert_eq!(
        (r.created, r.units_created, r.committed),
        (5, 2, true),
        "{}",
        r.summary()
    );
    let units = store
        .list_units(&ctx(), &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    let level = |n: &str| units.iter().find(|u| u.name == n).unwrap().level.clone();
    assert_eq!(
        (level("进贤县人社局"), level("南昌市农业局")),
        ("04".into(), "03".into())
    );
    let mut unmasked = ctx();
    unmasked.unmask = true;
    let list = store
        .list_cadres(&unmasked, None, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    assert_eq!(list.len(), 5);
    let zhang: Vec<_> = list.iter().filter(|c| c.name == "张三").collect();
    assert_eq!(zhang.len(), 2);
    assert_eq!(zhang[0].rank.as_deref(), Some("科级"));
    assert_eq!(zhang[0].region_code, Some(code("360124000000")));
    assert_eq!(audit_count(store, "cadre.import").await, 5);
    assert_eq!(audit_count(store, "unit.import").await, 2);
    let r = import(store, &cadres).await;
    assert_eq!(
        (r.created, r.updated, r.unchanged, r.units_created),
        (0, 0, 5, 0)
    );
    assert_eq!(
        store
            .list_units(&ctx(), &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(
        audit_count(store, "cadre.import").await,
        5,
        "nothing new to audit"
    );
    // a changed rank updates the one cadre
    let mut changed = cadre_rows();
    changed[1] = changed[1].replace(",04,李四,,", ",04,李四,副科级,");
    let r = import(
        store,
        &files.write("c2.csv", csv(CADRE_HEADER, &changed).as_bytes()),
    )
    .await;
    assert_eq!((r.updated, r.unchanged), (1, 4));
    let li = store
        .list_cadres(&ctx(), None, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    let li = li.iter().find(|c| c.name == "李四").unwrap();
    assert_eq!(li.rank.as_deref(), Some("副科级"));
    assert_eq!(audit_count(store, "cadre.import").await, 6);

    // pairings
    let pairings = files.write("p.csv", csv(PAIRING_HEADER, &pairing_rows()).as_bytes());
    let r = import(store, &pairings).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    assert_eq!((r.kind, r.created), (Some(Kind::Pairings), 4));
    let h1 = household_id(store, "H0001").await;
    let p1 = store
        .household_pairings(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    assert_eq!(p1.len(), 2);
    assert_eq!(p1[0].cadre_id, zhang[0].id, "the 张三 with that phone");
    assert_eq!(p1[0].start_date, time::macros::date!(2016 - 03 - 01));
    assert_eq!(audit_count(store, "pairing.import").await, 4);
    let r = import(store, &pairings).await;
    assert_eq!((r.created, r.unchanged, r.issues_total), (0, 4, 0));
    assert_eq!(
        store
            .household_pairings(&ctx(), h1, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );

    // visits
    let visits = files.write("v.csv", csv(VISIT_HEADER, &visit_rows()).as_bytes());
    let r = import(store, &visits).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    assert_eq!((r.kind, r.created), (Some(Kind::Visits), 4));
    let v1 = store
        .household_visits(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    assert_eq!(v1.len(), 2);
    let may = v1
        .iter()
        .find(|v| v.date.month() == time::Month::May)
        .unwrap();
    assert_eq!(may.kind, "02", "慰问 stored as its code");
    assert_eq!(
        (may.condolence_money_fen, may.goods_value_fen),
        (50_000, 20_050),
        "yuan to fen"
    );
    assert_eq!(may.goods[0].description, "大米、食用油");
    assert_eq!(may.findings.income.as_deref(), Some("务工收入稳定"));
    assert_eq!(may.problems.as_deref(), Some("住房漏雨"));
    let june = v1
        .iter()
        .find(|v| v.date.month() == time::Month::June)
        .unwrap();
    assert_eq!(june.kind, "01");
    let present: Vec<_> = june.cadres.iter().map(|(id, _)| *id).collect();
    assert!(present.contains(&zhang[0].id), "张三 paired with H0001");
    assert_eq!(present.len(), 2);
    assert_eq!(audit_count(store, "visit.import").await, 4);
    let r = import(store, &visits).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 4));
    // codes instead of labels: the same visits
    let coded: Vec<String> = visit_rows()
        .iter()
        .map(|l| {
            l.replace(",慰问,", ",02,")
                .replace(",走访,", ",01,")
                .replace(",政策宣讲,", ",03,")
        })
        .collect();
    let r = import(
        store,
        &files.write("v2.csv", csv(VISIT_HEADER, &coded).as_bytes()),
    )
    .await;
    assert_eq!((r.unchanged, r.issues_total), (4, 0), "{:?}", r.issues);
    assert_eq!(audit_count(store, "visit.import").await, 4);
    // a changed finding updates the visit in a real run, not in a dry run
    let mut changed = visit_rows();
    changed[0] = changed[0].replace("住房漏雨", "屋顶漏雨");
    let path = files.write("v3.csv", csv(VISIT_HEADER, &changed).as_bytes());
    let r = import_with(
        store,
        &path,
        ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!((r.updated, r.unchanged, r.committed), (1, 3, false));
    let again = store
        .household_visits(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    assert_eq!(again, v1, "a dry run writes nothing");
    let r = import(store, &path).await;
    assert_eq!((r.updated, r.unchanged, r.committed), (1, 3, true));
    let again = store
        .household_visits(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    let may2 = again.iter().find(|v| v.id == may.id).unwrap();
    assert_eq!(may2.problems.as_deref(), Some("屋顶漏雨"));
    assert_eq!(may2.goods, may.goods);
    assert_eq!(audit_count(store, "visit.import").await, 5);
    assert_eq!(
        audit_count(store, "import").await,
        10,
        "one summary record per committed import, none for the dry run"
    );
    // the pairing report counts the imported visits (a county's, by calendar year)
    let mut visits = (0, 0);
    for y in [2018, 2019] {
        let rep = store
            .pairing_year_report(&ctx(), &code("360124000000"), y)
            .await
            .unwrap();
        visits.0 += rep.visits_total;
        visits.1 += rep.condolence_money_fen;
        // the bulk import kept the maintained figures in step
        assert_eq!(
            store
                .pairing_figures(&ctx(), &code("360124000000"), y)
                .await
                .unwrap(),
            store
                .recompute_pairing_figures(&ctx(), &code("360124000000"), y)
                .await
                .unwrap(),
            "{y}"
        );
    }
    assert_eq!(visits, (4, 50_000));
    assert_eq!(
        store
            .pairing_report(
                &ctx(),
                &code("360124000000"),
                time::macros::date!(2018 - 01 - 01),
                time::macros::date!(2019 - 12 - 31),
            )
            .await
            .unwrap_err()
            .code,
        "period_not_calendar_year"
    );
    // the audit records of the bulk writes keep the hash chain intact
    assert!(store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn bad_cadre_pairing_and_visit_rows_are_all_reported_and_nothing_written() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    with_cadres(store, &files).await;
    let h1 = household_id(store, "H0001").await;

    // pairings: header is line 1
    let rows: Vec<String> = vec![
        "H0001,进贤县人社局,张三,13800138001,2016-03-01".into(), // 2: good
        "H9999,进贤县人社局,李四,,2016-03-01".into(),            // 3: unknown household
        "H0002,进贤县人社局,钱七,,2016-03-01".into(),            // 4: unknown cadre
        "H0002,进贤县人社局,张三,,2016-03-01".into(),            // 5: two 张三, no phone
        "H0002,进贤县人社局,李四,,2016-13-01".into(),            // 6: bad date
        "H0001,进贤县人社局,张三,13800138001,2016-03-01".into(), // 7: repeats line 2
        "H0001,南昌市农业局,王五,,2016-04-01".into(),            // 8: good, the second cadre
        "H0001,南昌市农业局,赵六,,2016-05-01".into(),            // 9: a third cadre
        "H0002,进贤县人社局,李四,,2040-01-01".into(),            // 10: too far ahead
        "H0002,进贤县人社局,张三,13800138001,2016-03-01".into(), // 11: good
    ];
    let path = files.write("p.csv", csv(PAIRING_HEADER, &rows).as_bytes());
    let error_file = files.path("p.错误.csv");
    let r = import_with(
        store,
        &path,
        ImportOptions {
            error_file: Some(error_file.clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        lines_and_codes(&r),
        [
            (3, "unknown_household"),
            (4, "unknown_cadre"),
            (5, "ambiguous_cadre"),
            (6, "invalid_date"),
            (7, "duplicate_pairing"),
            (9, "too_many_cadres"),
            (10, "date_out_of_range"),
        ],
        "{:#?}",
        r.issues
    );
    let col = |line: u64| {
        r.issues
            .iter()
            .find(|i| i.line == line)
            .and_then(|i| i.column.clone())
            .unwrap_or_default()
    };
    assert_eq!(col(3), "户编号", "the file's own header");
    assert_eq!(col(4), "帮扶干部");
    assert_eq!(col(6), "开始日期");
    assert_eq!(col(9), "户编号");
    assert!(
        r.issues[4].message.contains("第 2 行"),
        "{}",
        r.issues[4].message
    );
    assert!(
        r.issues[5].message.contains("最多 2 名"),
        "{}",
        r.issues[5].message
    );
    assert_eq!((r.created, r.rejected, r.committed), (3, 7, false));
    assert!(store
        .household_pairings(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .is_empty());
    let text = std::fs::read_to_string(&error_file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // the seven rejected rows only, in file order, each with its reason
    assert_eq!(lines.len(), 7 + 1, "{text}");
    assert!(lines[0].ends_with(",错误原因"));
    assert!(
        lines[1].contains("【户编号】户编码 H9999 不存在"),
        "{}",
        lines[1]
    );
    assert!(lines[1..].iter().all(|l| !l.ends_with(',')), "{text}");

    // visits
    let rows: Vec<String> = vec![
        "H0001,2018-05-01,慰问,王五,,,,,500,,".into(), // 2: good
        "H0001,2099-01-01,走访,王五,,,,,,,".into(),    // 3: in the future
        "H0001,2018-05-02,喝茶,王五,,,,,,,".into(),    // 4: unknown kind
        "H0001,2018-05-03,走访,王五,,,,,五百,,".into(), // 5: money not a number
        "H0001,2018-05-01,02,王五,,,,,100,,".into(),   // 6: the visit of line 2 again
        "H0001,2018-05-04,走访,无名氏,,,,,,,".into(),  // 7: unknown cadre
        "H0002,2018-05-04,走访,张三,,,,,,,".into(),    // 8: two 张三, H0002 paired with neither
        "H8888,2018-05-04,走访,李四,,,,,,,".into(),    // 9: unknown household
        "H0002,2018/5/5,走访,李四,,,,,-5,,".into(),    // 10: negative money
        "H0002,2018-05-06,走访,李四,,,,宣讲政策,,,".into(), // 11: good
    ];
    let path = files.write("v.csv", csv(VISIT_HEADER, &rows).as_bytes());
    let r = import(store, &path).await;
    assert_eq!(
        lines_and_codes(&r),
        [
            (3, "date_in_future"),
            (4, "unknown_code"),
            (5, "not_an_amount"),
            (6, "duplicate_visit"),
            (7, "unknown_cadre"),
            (8, "ambiguous_cadre"),
            (9, "unknown_household"),
            (10, "negative_amount"),
        ],
        "{:#?}",
        r.issues
    );
    let col = |line: u64| {
        r.issues
            .iter()
            .find(|i| i.line == line)
            .and_then(|i| i.column.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        [col(3), col(4), col(5), col(7), col(10)],
        [
            "走访日期",
            "走访类型",
            "慰问金(元)",
            "参加干部",
            "慰问金(元)"
        ]
    );
    assert_eq!(r.issues[2].value.as_deref(), Some("五百"));
    assert!(!r.committed);
    assert!(store
        .household_visits(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .is_empty());

    // cadres
    let rows: Vec<String> = vec![
        "新单位,,孙八,,,360124000000".into(), // 2: a new unit needs a level
        "进贤县人社局,市,李四,,,".into(),     // 3: not the unit's level
        "进贤县人社局,,张三,科级,,".into(),   // 4: two 张三, no phone
        "进贤县人社局,,周九,,139****0000,360124000000".into(), // 5: masked phone, new cadre
        "进贤县人社局,,吴十,,,360199000000".into(), // 6: no such region
        "进贤县人社局,,郑十一,,123,360124000000".into(), // 7: not a phone
        "进贤县人社局,,王十二,,,".into(),     // 8: no region for a new cadre
        "进贤县人社局,,吴十,,,360124000000".into(), // 9: line 6 again
        "进贤县人社局,县,冯十三,,,360124000000".into(), // 10: good
    ];
    let path = files.write("c.csv", csv(CADRE_HEADER, &rows).as_bytes());
    let r = import(store, &path).await;
    assert_eq!(
        lines_and_codes(&r),
        [
            (2, "required"),
            (3, "unit_level_mismatch"),
            (4, "ambiguous_cadre"),
            (5, "masked_phone"),
            (6, "unknown_region"),
            (7, "invalid_format"),
            (8, "required"),
            (9, "duplicate_cadre"),
        ],
        "{:#?}",
        r.issues
    );
    let col = |line: u64| {
        r.issues
            .iter()
            .find(|i| i.line == line)
            .and_then(|i| i.column.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        [col(2), col(3), col(5), col(6), col(7), col(8)],
        [
            "单位级别",
            "单位级别",
            "联系电话",
            "管理区划代码",
            "联系电话",
            "管理区划代码"
        ]
    );
    assert_eq!(r.issues[5].value.as_deref(), Some("***"), "phones masked");
    assert!(!r.committed);
    assert_eq!(
        store
            .list_cadres(&ctx(), None, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        5
    );
    assert_eq!(
        store
            .list_units(&ctx(), &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

#[tokio::test]
async fn partial_writes_exactly_the_good_pairings_and_visits() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    with_cadres(store, &files).await;
    let (h1, h2, h3) = (
        household_id(store, "H0001").await,
        household_id(store, "H0002").await,
        household_id(store, "H0003").await,
    );
    // a third cadre for H0001 is rejected; the limit counts the rows accepted before it
    let mut rows = pairing_rows();
    rows.insert(2, "H0001,进贤县人社局,李四,,2016-06-01".into()); // line 4
    rows.push("H0002,进贤县人社局,无此人,,2016-06-01".into()); // line 7
    let path = files.write("p.csv", csv(PAIRING_HEADER, &rows).as_bytes());
    let error_file = files.path("p.错误.csv");
    let r = import_with(
        store,
        &path,
        ImportOptions {
            partial: true,
            error_file: Some(error_file.clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        lines_and_codes(&r),
        [(4, "too_many_cadres"), (7, "unknown_cadre")]
    );
    assert_eq!((r.created, r.rejected, r.committed), (4, 2, true));
    assert_eq!(
        store
            .household_pairings(&ctx(), h1, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(
        store
            .household_pairings(&ctx(), h2, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        store
            .household_pairings(&ctx(), h3, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let text = std::fs::read_to_string(&error_file).unwrap();
    assert_eq!(
        text.lines().count(),
        1 + 2,
        "only the rejected rows: {text}"
    );
    // corrected (李四 pairs H0003 from 2019; the second 张三 by phone), the error file imports
    let fixed = text
        .replace(
            "H0001,进贤县人社局,李四,,2016-06-01",
            "H0003,进贤县人社局,李四,,2019-01-01",
        )
        .replace("无此人,,", "张三,13800138009,");
    let r = import(store, &files.write("p_fixed.csv", fixed.as_bytes())).await;
    assert_eq!((r.created, r.issues_total), (2, 0), "{:?}", r.issues);
    assert_eq!(
        store
            .household_pairings(&ctx(), h3, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );

    // an officer of 塔岗村 (V1) imports visits: H0003 (三房村) is outside their scope
    let officer = Ctx::within("officer-v1", vec![code(V1)]);
    let mut rows = visit_rows();
    rows.push("H0001,2018-07-01,走访,王五、赵六,,,,,abc,,".into()); // line 6: bad money
                                                                    // lines 7 and 8: numbers of households nobody registered, one in 三房村 (V2, another office's
                                                                    // village: the same answer as a stored household there, so that an import does not tell who
                                                                    // is registered outside one's regions), one in 塔岗村 (the officer's own: not stored)
    rows.push(format!("{V2}9999,2018-07-02,走访,王五,,,,,,,"));
    rows.push(format!("{V1}9999,2018-07-02,走访,王五,,,,,,,"));
    let path = files.write("v.csv", csv(VISIT_HEADER, &rows).as_bytes());
    let r = import_as(
        store,
        &officer,
        &path,
        ImportOptions {
            partial: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        lines_and_codes(&r),
        [
            (5, "out_of_scope"),
            (6, "not_an_amount"),
            (7, "out_of_scope"),
            (8, "unknown_household")
        ]
    );
    assert_eq!((r.created, r.rejected, r.committed), (3, 4, true));
    assert_eq!(
        store
            .household_visits(&ctx(), h1, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(
        store
            .household_visits(&ctx(), h2, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(store
        .household_visits(&ctx(), h3, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .is_empty());
    // without --partial the same file writes nothing more
    let r = import_as(store, &officer, &path, ImportOptions::default()).await;
    assert_eq!((r.unchanged, r.rejected, r.committed), (3, 4, false));
    // the officer's pairings of H0003 are rejected too
    let path = files.write(
        "p3.csv",
        csv(
            PAIRING_HEADER,
            &["H0003,进贤县人社局,李四,,2019-01-01".into()],
        )
        .as_bytes(),
    );
    let r = import_as(store, &officer, &path, ImportOptions::default()).await;
    assert_eq!(lines_and_codes(&r), [(2, "out_of_scope")]);
}

#[tokio::test]
async fn cadres_pairings_and_visits_export_then_import_round_trip() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    with_cadres(store, &files).await;
    import(
        store,
        &files.write("p.csv", csv(PAIRING_HEADER, &pairing_rows()).as_bytes()),
    )
    .await;
    import(
        store,
        &files.write("v.csv", csv(VISIT_HEADER, &visit_rows()).as_bytes()),
    )
    .await;
    let export = |kind: ExportKind, format: FileFormat, unmask: bool, path: PathBuf| async move {
        let mut c = ctx();
        c.unmask = unmask;
        fupin_io::export::export(
            store,
            &c,
            &ExportOptions {
                kind,
                region: code("360124000000"),
                year: None,
                format,
                reason: unmask.then(|| "测试往返".to_string()),
            },
            &path,
            &|_| {},
        )
        .await
        .unwrap()
    };
    let comparable = |mut v: Vec<fupin_core::pairing::Cadre>| {
        v.iter_mut().for_each(|c| {
            c.id = fupin_core::pairing::CadreId(0);
            c.unit_id = fupin_core::pairing::UnitId(0);
        });
        v.sort_by(|a, b| (&a.unit_name, &a.name, &a.phone).cmp(&(&b.unit_name, &b.name, &b.phone)));
        v
    };
    let mut unmasked = ctx();
    unmasked.unmask = true;
    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        let ext = format.extension();
        // masked (the default): phones like 138****8001 still find their cadres
        let masked = files.path(&format!("cadres_masked.{ext}"));
        assert_eq!(
            export(ExportKind::Cadres, format, false, masked.clone()).await,
            5
        );
        if format == FileFormat::Csv {
            let text = std::fs::read_to_string(&masked).unwrap();
            assert!(!text.contains("13800138001"), "{text}");
            assert!(text.contains("138****8001"), "{text}");
            assert!(
                text.contains("南昌市农业局,市,王五,处级,,360124106000"),
                "{text}"
            );
        }
        let r = import(store, &masked).await;
        assert_eq!(
            (r.unchanged, r.issues_total),
            (5, 0),
            "{format:?}: {:?}",
            r.issues
        );
        let before = comparable(
            store
                .list_cadres(&unmasked, None, &fupin_core::paging::Keyset::all())
                .await
                .unwrap()
                .items,
        );
        // unmasked, into a fresh store: the same cadres and units
        let full = files.path(&format!("cadres.{ext}"));
        export(ExportKind::Cadres, format, true, full.clone()).await;
        let fresh = setup().await;
        let r = import(fresh.store.as_ref(), &full).await;
        assert_eq!(
            (r.created, r.units_created, r.issues_total),
            (5, 2, 0),
            "{:?}",
            r.issues
        );
        let after = comparable(
            fresh
                .store
                .list_cadres(&unmasked, None, &fupin_core::paging::Keyset::all())
                .await
                .unwrap()
                .items,
        );
        assert_eq!(before, after, "{format:?}");
        let levels = |u: Vec<fupin_core::pairing::HelpingUnit>| {
            let mut v: Vec<_> = u.into_iter().map(|u| (u.name, u.level)).collect();
            v.sort();
            v
        };
        assert_eq!(
            levels(
                store
                    .list_units(&ctx(), &fupin_core::paging::Keyset::all())
                    .await
                    .unwrap()
                    .items
            ),
            levels(
                fresh
                    .store
                    .list_units(&ctx(), &fupin_core::paging::Keyset::all())
                    .await
                    .unwrap()
                    .items
            )
        );
        // pairings and visits back into the same store: nothing changes
        for (kind, n) in [(ExportKind::Pairings, 4), (ExportKind::Visits, 4)] {
            let path = files.path(&format!("{kind:?}.{ext}"));
            assert_eq!(export(kind, format, false, path.clone()).await, n);
            let r = import(store, &path).await;
            assert_eq!(
                (r.unchanged, r.issues_total),
                (n, 0),
                "{kind:?} {format:?}: {:?}",
                r.issues
            );
        }
    }
}

/// An officer of 三房 imports a household whose member is already active in a 塔岗 household, and
/// one with the number of a 塔岗 household: both refused, and the errors name no 塔岗 household
/// and no region (a household of their own is still named).
#[tokio::test]
async fn duplicates_outside_the_scope_are_refused_without_naming_the_other_household() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    let r = import(
        store,
        &files.write("h.csv", csv(HEADER, &good_rows()).as_bytes()),
    )
    .await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    let officer = Ctx::within("officer-v2", vec![code(V2)]);
    let rows = vec![
        // line 2: 万建华 of H0001 (塔岗) again, in a new household of 三房
        format!(
            "H0009,{V2},01,01,2015,02,,,poor,,,万建华,{},,01,01,",
            idn("19650304", 11)
        ),
        // line 3: 钱七 of H0003 (三房) again: that household may be named
        format!(
            "H0010,{V2},01,01,2015,02,,,poor,,,钱七,{},,01,01,",
            idn("19800808", 28)
        ),
        // line 4: the number of a 塔岗 household
        format!(
            "H0002,{V2},01,01,2015,02,,,poor,,,孙八,{},,01,01,",
            idn("19600101", 37)
        ),
    ];
    let path = files.write("dup.csv", csv(HEADER, &rows).as_bytes());
    let r = import_as(store, &officer, &path, ImportOptions::default()).await;
    assert_eq!(
        lines_and_codes(&r),
        [
            (2, "duplicate_id_number"),
            (3, "duplicate_id_number"),
            (4, "duplicate_household_number")
        ],
        "{:?}",
        r.issues
    );
    for i in &r.issues[..] {
        for word in ["H0001", "H0002", V1, "塔岗", "管辖范围"] {
            if i.line == 4 && word == "H0002" {
                continue; // the number the file itself gives
            }
            assert!(!i.message.contains(word), "{word}: {}", i.message);
        }
    }
    assert!(
        r.issues[0].message.contains("另一户"),
        "{}",
        r.issues[0].message
    );
    assert!(
        r.issues[1].message.contains("H0003"),
        "{}",
        r.issues[1].message
    );
    assert_eq!(household_count(store).await, 3, "nothing written");
}

/// The cells of a CSV file as read back (the byte order mark taken off).
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Text that a spreadsheet would run as a formula (a member named `=1+2`, an address
/// `=HYPERLINK(…)`) comes out of a CSV export and out of an import's error file with a quote in
/// front, and such a file imports back to the same text; amounts are numbers and are written as
/// they are, a negative net income too.
#[tokio::test]
async fn formula_like_text_is_quoted_in_csv_files_and_amounts_are_not() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    let link = r#"=HYPERLINK("http://x","y")"#;
    let header = format!("{HEADER},家庭住址");
    let rows: Vec<String> = good_rows()
        .into_iter()
        .enumerate()
        .map(|(i, r)| match i {
            0 => format!(
                "{},\"{}\"",
                r.replace(",万建华,", ",=1+2,"),
                link.replace('"', "\"\"")
            ),
            _ => format!("{r},"),
        })
        .collect();
    let input = csv(&header, &rows);
    let r = import(store, &files.write("h.csv", input.as_bytes())).await;
    assert_eq!((r.created, r.issues_total), (3, 0), "{:?}", r.issues);
    let h1 = store.household_by_number(&ctx(), "H0001").await.unwrap();
    assert_eq!(h1.household.address.as_deref(), Some(link));
    assert!(h1.members.iter().any(|m| m.name == "=1+2"));
    // business costs above the business income: a negative net income
    let r = import(
        store,
        &files.write(
            "i.csv",
            csv(INCOME_HEADER, &["H0001,2018,0,1000,0,0,3000".into()]).as_bytes(),
        ),
    )
    .await;
    assert_eq!((r.created, r.issues_total), (1, 0), "{:?}", r.issues);

    let mut unmasked = ctx();
    unmasked.unmask = true;
    let export = |kind: ExportKind, path: PathBuf| {
        let unmasked = unmasked.clone();
        async move {
            fupin_io::export::export(
                store,
                &unmasked,
                &ExportOptions {
                    kind,
                    region: code(V1),
                    year: None,
                    format: FileFormat::Csv,
                    reason: Some("测试公式".into()),
                },
                &path,
                &|_| {},
            )
            .await
            .unwrap();
            std::fs::read_to_string(&path).unwrap()
        }
    };
    let out = files.path("export.csv");
    let text = export(ExportKind::Households, out.clone()).await;
    let cells = csv_cells(&text);
    let col = |h: &str| cells[0].iter().position(|c| c == h).unwrap();
    let head = cells.iter().find(|r| r[col("户编码")] == "H0001").unwrap();
    assert_eq!(head[col("家庭住址")], format!("'{link}"), "{text}");
    assert!(cells.iter().any(|r| r[col("姓名")] == "'=1+2"), "{text}");
    assert_eq!(head[col("户主姓名")], "'=1+2", "{text}");
    assert!(
        cells
            .iter()
            .flatten()
            .all(|c| !c.starts_with(['=', '+', '-', '@'])),
        "no cell is a formula: {text}"
    );
    // the export (塔岗's H0001 and H0002) imports back unchanged: the quote is taken off again
    let r = import(store, &out).await;
    assert_eq!((r.unchanged, r.issues_total), (2, 0), "{:?}", r.issues);

    let text = export(ExportKind::Incomes, files.path("incomes.csv")).await;
    let cells = csv_cells(&text);
    let col = |h: &str| cells[0].iter().position(|c| c == h).unwrap();
    assert_eq!(cells[1][col("户主姓名")], "'=1+2", "{text}");
    assert_eq!(
        cells[1][col("家庭纯收入(元)")],
        "-2000.00",
        "a number stays a number: {text}"
    );
    assert_eq!(cells[1][col("生产经营性支出(元)")], "3000.00", "{text}");

    // an error file echoes the uploaded cells: guarded the same way, and imports once corrected
    let bad = input.replace(",男,之子,", ",女,之子,"); // H0001 rejected: sex of its third member
    let error_file = files.path("bad.错误.csv");
    let r = import_with(
        store,
        &files.write("bad.csv", bad.as_bytes()),
        ImportOptions {
            error_file: Some(error_file.clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!((r.rejected, r.rejected_rows, r.committed), (1, 3, false));
    let text = std::fs::read_to_string(&error_file).unwrap();
    let cells = csv_cells(&text);
    assert_eq!(cells.len(), 1 + 3, "{text}");
    let col = |h: &str| cells[0].iter().position(|c| c == h).unwrap();
    assert_eq!(cells[1][col("姓名")], "'=1+2", "{text}");
    assert_eq!(cells[1][col("家庭住址")], format!("'{link}"), "{text}");
    assert_eq!(cells[1][col("识别年度")], "2014", "{text}");
    let fixed = text.replace(",女,之子,", ",男,之子,");
    let r = import(store, &files.write("fixed.csv", fixed.as_bytes())).await;
    assert_eq!((r.unchanged, r.issues_total), (1, 0), "{:?}", r.issues);
    let h1 = store.household_by_number(&ctx(), "H0001").await.unwrap();
    assert_eq!(h1.household.address.as_deref(), Some(link));
}

/// The household list's total for `region` (unfiltered: from the villages' kept counts), checked
/// against the rows counted status by status.
async fn village_total(store: &dyn Store, region: &str) -> u64 {
    let filter = |status| HouseholdFilter {
        region: Some(region.to_string()),
        status,
        ..Default::default()
    };
    let total = store
        .list_households(&ctx(), filter(None))
        .await
        .unwrap()
        .total
        .unwrap();
    let mut by_status = 0;
    for s in HouseholdStatus::ALL {
        by_status += store
            .list_households(&ctx(), filter(Some(s)))
            .await
            .unwrap()
            .total
            .unwrap();
    }
    assert_eq!(total, by_status, "{region}");
    total
}

#[tokio::test]
async fn village_totals_follow_imports_that_add_and_move_households() {
    let db = setup().await;
    let store = db.store.as_ref();
    let files = Files::new();
    import(
        store,
        &files.write("h.csv", csv(HEADER, &good_rows()).as_bytes()),
    )
    .await;
    assert_eq!(village_total(store, V1).await, 2);
    assert_eq!(village_total(store, V2).await, 1);
    // again, with H0003 moved to V1 and two new households, one in each village: the villages
    // already counted gain their new households, the move is counted on both sides
    let mut rows = good_rows();
    rows[5] = rows[5].replace(&format!("H0003,{V2},"), &format!("H0003,{V1},"));
    rows.push(format!(
        "H0004,{V2},一般贫困户,国家标准,2014,因病,,,未脱贫,,,孙八,{},男,户主,健康,普通劳动力",
        idn("19700101", 51)
    ));
    rows.push(format!(
        "H0005,{V1},一般贫困户,国家标准,2014,因病,,,未脱贫,,,周九,{},男,户主,健康,普通劳动力",
        idn("19710101", 71)
    ));
    let r = import(store, &files.write("h2.csv", csv(HEADER, &rows).as_bytes())).await;
    assert_eq!(r.issues_total, 0, "{:?}", r.issues);
    assert_eq!(village_total(store, V1).await, 4);
    assert_eq!(village_total(store, V2).await, 1);
    assert_eq!(village_total(store, "360124106000").await, 5);
    assert_eq!(household_count(store).await, 5);
    // a rebuild of the figures counts the same
    store
        .rebuild_aggregates(&Ctx::system("system:test"))
        .await
        .unwrap();
    assert_eq!(village_total(store, V1).await, 4);
    assert_eq!(village_total(store, V2).await, 1);
}
