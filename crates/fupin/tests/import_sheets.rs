//! Rosters as offices make them in Excel or WPS, imported through the real import path on SQLite by
//! default and on PostgreSQL with `TEST_DATABASE_URL=postgres://…`: title rows above the header,
//! totals rows, full-width digits and letters, ID numbers stored as numbers, a household's cells
//! merged over its members' rows. Each file is made here, as a workbook (with merged ranges) and
//! as CSV in UTF-8 and in GBK, as a spreadsheet saves it.

mod common;

use common::sheets::{write_xlsx, Sheet};
use common::store::idn;

use fupin::testing::{test_store, TestDb};
use fupin_core::id_number::mask_id;
use fupin_core::regions::RegionRecord;
use fupin_core::store::Store;
use fupin_core::Ctx;
use fupin_io::{ImportOptions, ImportReport, Kind, SheetRow};
use std::path::PathBuf;

fn ctx() -> Ctx {
    Ctx::system("test:import")
}

/// Full-width forms of ASCII digits and letters, as a Chinese input method types them.
fn wide(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 + 0xfee0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

const V1: &str = "360124106204";
const V2: &str = "360124106205";

async fn setup() -> TestDb {
    let db = test_store().await;
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
    db.store.import_regions(&ctx(), recs).await.unwrap();
    db
}

const TITLE: &str = "进贤县罗溪镇2019年建档立卡贫困户花名册";
const FILLED_BY: &str = "填报单位：罗溪镇人民政府　　填报日期：2019年12月31日";
const HEADER: [&str; 12] = [
    "序号",
    "户编码",
    "村代码",
    "贫困户属性",
    "识别标准",
    "识别年度",
    "主要致贫原因",
    "姓名",
    "身份证号",
    "性别",
    "与户主关系",
    "健康状况",
];
/// The household columns (序号 to 主要致贫原因), merged over the members' rows in some rosters.
const HOUSEHOLD_COLS: std::ops::Range<u16> = 0..7;
const ID_COL: usize = 8;

fn row(cells: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    v.resize(HEADER.len(), String::new());
    v
}

/// Two households: H0001 in 塔岗 (3 persons), H0002 in 三房 (2 persons), the household columns on
/// the first row of each household only (as a merged roster saves to CSV).
fn members() -> Vec<Vec<String>> {
    vec![
        row(&[
            "1",
            "H0001",
            V1,
            "一般贫困户",
            "国家标准",
            "2014",
            "因病",
            "万建华",
            &idn("19650304", 11),
            "男",
            "户主",
            "健康",
        ]),
        row(&[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "李秀英",
            &idn("19670512", 22),
            "女",
            "配偶",
            "健康",
        ]),
        row(&[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "万小明",
            &idn("20050101", 33),
            "男",
            "之子",
            "健康",
        ]),
        row(&[
            "2",
            "H0002",
            V2,
            "01",
            "01",
            "2015",
            "02",
            "张三",
            &idn("19500101", 15),
            "男",
            "01",
            "健康",
        ]),
        row(&[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "王五",
            &idn("19520202", 26),
            "女",
            "02",
            "健康",
        ]),
    ]
}

/// The same two households with the household number written on every row (rosters without
/// merged cells repeat it).
fn members_numbered() -> Vec<Vec<String>> {
    let mut rows = members();
    for (r, number) in [(1, "H0001"), (2, "H0001"), (4, "H0002")] {
        rows[r][1] = number.to_string();
    }
    rows
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Utf8,
    Gbk,
    Xlsx,
}

const FORMATS: [Format; 3] = [Format::Utf8, Format::Gbk, Format::Xlsx];

/// Each `Sheet` written as UTF-8 and GBK CSV (a number cell as the row's text, a merged range as
/// its first cell's value only, as a spreadsheet saves them) and as an XLSX workbook.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, name: &str, sheet: &Sheet, format: Format) -> PathBuf {
        let ext = if format == Format::Xlsx {
            "xlsx"
        } else {
            "csv"
        };
        let path = self.dir.path().join(format!("{name}-{format:?}.{ext}"));
        match format {
            Format::Utf8 | Format::Gbk => {
                let mut text = String::new();
                for r in &sheet.rows {
                    assert!(r.iter().all(|c| !c.contains(',')));
                    text.push_str(&r.join(","));
                    text.push_str("\r\n");
                }
                let bytes = if format == Format::Gbk {
                    fupin_io::encoding::encode_gb18030(&text)
                } else {
                    format!("\u{feff}{text}").into_bytes()
                };
                std::fs::write(&path, bytes).unwrap();
            }
            Format::Xlsx => {
                write_xlsx(&path, "花名册", sheet, &["说明"]);
            }
        }
        path
    }
}

async fn import_with(
    store: &dyn Store,
    path: &PathBuf,
    opts: ImportOptions,
) -> Result<ImportReport, fupin_io::ImportError> {
    let f = std::fs::File::open(path).unwrap();
    fupin_io::import(store, &ctx(), Box::new(f), &opts, &|_| {}).await
}

async fn import(store: &dyn Store, path: &PathBuf) -> ImportReport {
    import_with(store, path, ImportOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn sheet_name(format: Format) -> Option<String> {
    (format == Format::Xlsx).then(|| "花名册".to_string())
}

/// The members of a stored household: (name, masked ID number, relation).
async fn members_of(store: &dyn Store, number: &str) -> Vec<(String, String, String)> {
    let d = store.household_by_number(&ctx(), number).await.unwrap();
    d.members
        .iter()
        .map(|m| (m.name.clone(), m.id_number.clone(), m.relation.clone()))
        .collect()
}

async fn household_count(store: &dyn Store) -> u64 {
    store
        .list_households(&ctx(), fupin_core::registry::HouseholdFilter::default())
        .await
        .unwrap()
        .total
        .expect("counted on a page reached by number")
}

#[tokio::test]
async fn the_header_is_found_below_title_rows_and_named_in_the_report() {
    let files = Files::new();
    let mut rows = vec![row(&[TITLE]), row(&[FILLED_BY]), row(&HEADER)];
    rows.extend(members_numbered());
    let sheet = Sheet {
        rows,
        merges: vec![(0, 0, 0, 11), (1, 0, 1, 11)],
        ..Sheet::default()
    };
    // the same roster whose header lacks 与户主关系: the error names the header row, not the title
    let mut broken = Sheet {
        rows: sheet.rows.clone(),
        merges: sheet.merges.clone(),
        ..Sheet::default()
    };
    broken.rows[2][10] = "备注".to_string();
    for format in FORMATS {
        let db = setup().await;
        let store = db.store.as_ref();
        let r = import(store, &files.write("title", &sheet, format)).await;
        assert!(!r.has_errors(), "{format:?}: {:?}", r.issues);
        assert_eq!((r.created, r.rows, r.committed), (2, 5, true), "{format:?}");
        assert_eq!(
            r.header_rows,
            [SheetRow {
                sheet: sheet_name(format),
                line: 3,
                text: None
            }],
            "{format:?}"
        );
        assert!(
            r.summary().contains("表头取自") && r.summary().contains("第 3 行"),
            "{format:?}: {}",
            r.summary()
        );
        assert_eq!(r.ignored_columns, ["序号"], "{format:?}");
        assert_eq!(members_of(store, "H0001").await.len(), 3, "{format:?}");
        assert_eq!(members_of(store, "H0002").await.len(), 2, "{format:?}");

        let db = setup().await;
        let store = db.store.as_ref();
        let e = import_with(
            store,
            &files.write("broken", &broken, format),
            ImportOptions::default(),
        )
        .await
        .expect_err("a header without 与户主关系");
        let msg = e.to_string();
        assert!(
            msg.contains("第 3 行") && msg.contains("缺少必需的列：与户主关系"),
            "{format:?}: {msg}"
        );
        assert_eq!(household_count(store).await, 0);
    }
}

#[tokio::test]
async fn a_header_in_row_one_is_reported_as_before() {
    let files = Files::new();
    let mut rows = vec![row(&HEADER)];
    rows.extend(members_numbered());
    let sheet = Sheet {
        rows,
        ..Sheet::default()
    };
    for format in FORMATS {
        let db = setup().await;
        let r = import(db.store.as_ref(), &files.write("plain", &sheet, format)).await;
        assert_eq!((r.created, r.committed), (2, true), "{format:?}");
        assert_eq!(r.header_rows.len(), 1);
        assert_eq!(r.header_rows[0].line, 1);
        assert!(!r.summary().contains("表头取自"), "{}", r.summary());
        assert!(r.skipped_rows.is_empty() && r.skipped_total == 0);
    }
}

#[tokio::test]
async fn totals_rows_are_skipped_and_listed() {
    let files = Files::new();
    let m = members_numbered();
    let mut rows = vec![row(&[TITLE]), row(&HEADER)];
    rows.extend(m[..3].iter().cloned());
    rows.push(row(&["小计", "", "", "", "", "", "", "3人"]));
    rows.extend(m[3..].iter().cloned());
    rows.push(row(&["合　计", "", "", "", "", "", "", "2户5人"]));
    rows.push(row(&["", "总计：2户"]));
    let sheet = Sheet {
        rows,
        merges: vec![(0, 0, 0, 11)],
        ..Sheet::default()
    };
    for format in FORMATS {
        let db = setup().await;
        let store = db.store.as_ref();
        let r = import(store, &files.write("totals", &sheet, format)).await;
        assert!(!r.has_errors(), "{format:?}: {:?}", r.issues);
        assert_eq!((r.created, r.rows, r.committed), (2, 5, true), "{format:?}");
        let skipped: Vec<(u64, &str)> = r
            .skipped_rows
            .iter()
            .map(|s| (s.line, s.text.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            skipped,
            [(6, "小计"), (9, "合　计"), (10, "总计：2户")],
            "{format:?}"
        );
        assert!(r.skipped_rows.iter().all(|s| s.sheet == sheet_name(format)));
        assert_eq!(r.skipped_total, 3);
        assert!(
            r.summary().contains("跳过合计行 3 行"),
            "{format:?}: {}",
            r.summary()
        );
        assert_eq!(members_of(store, "H0001").await.len(), 3);
    }

    // incomes read the same way: title, header, rows, a totals row
    let sheet = Sheet {
        rows: vec![
            vec!["2019年家庭收入".into()],
            "户编码,年度,工资性收入(元),生产经营性收入(元),财产性收入(元),转移性收入(元),生产经营性支出(元)"
                .split(',')
                .map(String::from)
                .collect(),
            "H0001,2019,12000,3000,0,2400,500"
                .split(',')
                .map(String::from)
                .collect(),
            "合计,,12000,3000,0,2400,500"
                .split(',')
                .map(String::from)
                .collect(),
        ],
        ..Sheet::default()
    };
    for format in FORMATS {
        let db = setup().await;
        let store = db.store.as_ref();
        let mut households = vec![row(&HEADER)];
        households.extend(members_numbered());
        let h = Sheet {
            rows: households,
            ..Sheet::default()
        };
        import(store, &files.write("h", &h, format)).await;
        let r = import(store, &files.write("incomes", &sheet, format)).await;
        assert_eq!(r.kind, Some(Kind::Incomes));
        assert!(!r.has_errors(), "{format:?}: {:?}", r.issues);
        assert_eq!(
            (r.created, r.rows, r.skipped_total),
            (1, 1, 1),
            "{format:?}"
        );
        assert_eq!(r.header_rows[0].line, 2);
        assert_eq!(r.skipped_rows[0].line, 4);
    }
}

#[tokio::test]
async fn full_width_digits_and_letters_are_read_as_ascii() {
    let files = Files::new();
    let mut m = members_numbered();
    // H0002 typed with a Chinese input method: number, village, year, codes and ID numbers
    for r in &mut m[3..] {
        for c in [1, 2, 3, 4, 5, 6, ID_COL, 10] {
            r[c] = wide(&r[c]);
        }
        r[ID_COL] = format!("\u{3000}{}", r[ID_COL]);
    }
    assert_eq!(m[3][1], "Ｈ０００２");
    let mut rows = vec![row(&HEADER)];
    rows.extend(m);
    let sheet = Sheet {
        rows,
        ..Sheet::default()
    };
    // a full-width ID number one digit short: its length is told in characters
    let mut short = Sheet {
        rows: sheet.rows.clone(),
        ..Sheet::default()
    };
    short.rows[4][ID_COL] = wide(&idn("19500101", 15)[..17]);
    for format in FORMATS {
        let db = setup().await;
        let store = db.store.as_ref();
        let r = import(store, &files.write("wide", &sheet, format)).await;
        assert!(!r.has_errors(), "{format:?}: {:?}", r.issues);
        assert_eq!((r.created, r.committed), (2, true), "{format:?}");
        let d = store.household_by_number(&ctx(), "H0002").await.unwrap();
        assert_eq!(d.household.village_code.as_str(), V2);
        assert_eq!(d.household.identification_year, 2015);
        assert_eq!(
            members_of(store, "H0002").await,
            [
                (
                    "张三".to_string(),
                    mask_id(&idn("19500101", 15)),
                    "01".to_string()
                ),
                (
                    "王五".to_string(),
                    mask_id(&idn("19520202", 26)),
                    "02".to_string()
                ),
            ],
            "{format:?}"
        );

        let db = setup().await;
        let store = db.store.as_ref();
        let r = import(store, &files.write("short", &short, format)).await;
        assert!(!r.committed);
        assert_eq!(r.issues.len(), 1, "{format:?}: {:?}", r.issues);
        let i = &r.issues[0];
        assert_eq!((i.line, i.code.as_str()), (5, "invalid_id_number"));
        assert_eq!(i.column.as_deref(), Some("身份证号"));
        assert!(
            i.message.contains("实际 17 位"),
            "{format:?}: {}",
            i.message
        );
        assert_eq!(household_count(store).await, 0);
    }
}

#[tokio::test]
async fn id_numbers_stored_as_numbers_are_explained_per_row() {
    let files = Files::new();
    let mut m = members_numbered();
    // 李秀英's ID number went through a number cell: a workbook holds 15 significant digits, a
    // CSV file saved from it the scientific form
    let lost = idn("19670512", 22);
    m[1][ID_COL] = "3.60124E+17".to_string();
    // 王五's is an old 15-digit number, which a number cell keeps whole
    let old15 = "360124520202262";
    m[4][ID_COL] = old15.to_string();
    let mut rows = vec![row(&HEADER)];
    rows.extend(m);
    let sheet = Sheet {
        rows,
        numbers: vec![
            (
                2,
                ID_COL as u16,
                lost[..15].parse::<f64>().unwrap() * 1000.0,
            ),
            (5, ID_COL as u16, old15.parse::<f64>().unwrap()),
        ],
        ..Sheet::default()
    };
    for format in FORMATS {
        let db = setup().await;
        let store = db.store.as_ref();
        let opts = ImportOptions {
            partial: true,
            ..ImportOptions::default()
        };
        let r = import_with(store, &files.write("numbers", &sheet, format), opts)
            .await
            .unwrap();
        assert_eq!(
            (r.created, r.rejected, r.rejected_rows),
            (1, 1, 3),
            "{format:?}: {:?}",
            r.issues
        );
        // one issue, on the row, saying what happened and what to do; no check-digit complaint
        assert_eq!(r.issues.len(), 1, "{format:?}: {:?}", r.issues);
        let i = &r.issues[0];
        assert_eq!(
            (i.line, i.column.as_deref(), i.code.as_str()),
            (3, Some("身份证号"), "stored_as_number"),
            "{format:?}"
        );
        assert!(
            i.message.contains("15 位有效数字") && i.message.contains("文本"),
            "{}",
            i.message
        );
        assert!(store.household_by_number(&ctx(), "H0001").await.is_err());
        let h2 = members_of(store, "H0002").await;
        assert_eq!(h2.len(), 2);
        // the old number was upgraded to 18 digits
        assert!(h2[1].1.starts_with("3601") && h2[1].1.len() == 18, "{h2:?}");
    }
}

#[tokio::test]
async fn merged_household_cells_cover_their_member_rows() {
    let files = Files::new();
    let mut rows = vec![row(&[TITLE]), row(&HEADER)];
    rows.extend(members());
    // the household columns merged over the members' rows (rows 3–5 and 6–7 of the sheet)
    let mut merges = vec![(0, 0, 0, 11)];
    for c in HOUSEHOLD_COLS {
        merges.push((2, c, 4, c));
        merges.push((5, c, 6, c));
    }
    let sheet = Sheet {
        rows,
        merges,
        numbers: vec![(2, 5, 2014.0), (5, 5, 2015.0)],
    };
    let db = setup().await;
    let store = db.store.as_ref();
    let r = import(store, &files.write("merged", &sheet, Format::Xlsx)).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    assert_eq!((r.created, r.rows, r.committed), (2, 5, true));
    let h1 = members_of(store, "H0001").await;
    assert_eq!(
        h1.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
        ["万建华", "李秀英", "万小明"]
    );
    let d = store.household_by_number(&ctx(), "H0002").await.unwrap();
    assert_eq!(d.household.village_code.as_str(), V2);
    assert_eq!(d.household.identification_year, 2015);
    assert_eq!(d.members.len(), 2);

    // without the merges (as the sheet saves to CSV) the member rows have no household number:
    // each is reported, nothing is written
    let unmerged = Sheet {
        rows: sheet.rows.clone(),
        ..Sheet::default()
    };
    let db = setup().await;
    let store = db.store.as_ref();
    let r = import(store, &files.write("unmerged", &unmerged, Format::Xlsx)).await;
    assert!(!r.committed && r.has_errors());
    assert_eq!(household_count(store).await, 0);
}
