//! The bulk load of projects, funds, assets and dividends (`fupin import DIR --kind funds`) of a
//! generated county: everything generated is there, the funds figures after the load equal their
//! recomputation from the rows at every level, the dividends are in the households' property
//! income with the registry statistics equal to theirs, the collective's share in the villages'
//! collective income, a household's trace sums exactly; a load with bad rows reports every one of
//! them and keeps nothing.

use fupin::testing::test_store;
use fupin_core::regions::Level;
use fupin_core::registry::HouseholdId;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use fupin_io::gen::{generate_with, GenOptions};
use fupin_io::projects::load::load_funds;
use fupin_io::{ImportOptions, Kind};
use std::path::Path;
use time::macros::date;

fn ctx() -> Ctx {
    Ctx::system("test")
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

const COUNTY: &str = "360124000000";

async fn import(store: &dyn Store, path: &Path, kind: Option<Kind>) {
    let f = std::fs::File::open(path).unwrap();
    let opts = ImportOptions {
        kind,
        ..Default::default()
    };
    let r = fupin_io::import(store, &ctx(), Box::new(f), &opts, &|_| {})
        .await
        .unwrap();
    assert!(
        !r.has_errors(),
        "{path:?}: {:?}",
        &r.issues[..r.issues.len().min(5)]
    );
}

/// A generated registry of 进贤县 (`households` households) loaded, and its funds files written.
async fn county(store: &dyn Store, dir: &Path, households: u64) -> fupin_io::gen::FundsGenSummary {
    let regions =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/division_jinxian_360124_2023.csv");
    import(store, &regions, Some(Kind::Regions)).await;
    let (summary, funds) = generate_with(
        std::fs::File::open(&regions).unwrap(),
        dir,
        &GenOptions {
            households,
            seed: 7,
            income_years: (2016, 2019),
            as_of: 2019,
            ..Default::default()
        },
        false,
        true,
    )
    .unwrap();
    for f in &summary.files {
        import(store, &f.path, None).await;
    }
    funds.unwrap()
}

#[tokio::test]
async fn a_generated_funds_load_keeps_every_figure() {
    let db = test_store().await;
    let store = db.store.as_ref();
    let dir = tempfile::tempdir().unwrap();
    let gen = county(store, dir.path(), 900).await;
    assert!(gen.projects >= 900 * 2 / 15, "{gen:?}");
    assert_eq!(gen.dividends, 900, "one dividend a household");
    assert!(gen.disbursements >= gen.allocations * 6 - 6);

    // the first asset is the first village's photovoltaic plant; its collective income before
    let first_village = {
        let mut r = csv::Reader::from_path(gen.dir.join("assets.csv")).unwrap();
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[4], "solar_plant");
        code(&row[2])
    };
    let collective_before = store
        .region_stats(&ctx(), &first_village, 2019)
        .await
        .unwrap()
        .collective_income_fen
        .unwrap_or(0);

    let r = load_funds(&gen.dir, &ctx(), store, false).await.unwrap();
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert!(r.committed);
    assert_eq!(
        (
            r.sources,
            r.projects,
            r.allocations,
            r.receipts,
            r.disbursements
        ),
        (
            gen.sources,
            gen.projects,
            gen.allocations,
            gen.receipts,
            gen.disbursements
        )
    );
    assert_eq!(
        (r.assets, r.asset_incomes, r.dividends),
        (gen.assets, gen.asset_incomes, gen.dividends)
    );

    // the funds figures kept after the load are what the rows give, at every level
    let (from, to) = (date!(2016 - 01 - 01), date!(2019 - 12 - 31));
    let village = first_village;
    let township = code(&format!("{}000", &village.as_str()[..9]));
    for region in [
        code("360000000000"),
        code(COUNTY),
        township,
        village.clone(),
    ] {
        let kept = store.funds_report(&ctx(), &region, from, to).await.unwrap();
        let fresh = store
            .recompute_funds_report(&ctx(), &region, from, to)
            .await
            .unwrap();
        assert_eq!(kept, fresh, "funds report of {}", region.as_str());
    }
    let report = store
        .funds_report(&ctx(), &code(COUNTY), from, to)
        .await
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert!(
        json.to_string().contains(&gen.dividends.to_string()),
        "{json}"
    );

    // the registry statistics moved with the dividends, as a recomputation gives them
    for year in 2016..=2019 {
        let kept = store
            .region_stats(&ctx(), &code(COUNTY), year)
            .await
            .unwrap();
        let fresh = store
            .recompute_region_stats(&ctx(), &code(COUNTY), year)
            .await
            .unwrap();
        assert_eq!(kept, fresh, "statistics of {year}");
    }
    // the village's plant: its collective share in the village's collective income of 2019
    let assets = store.assets(&ctx(), &village).await.unwrap();
    let plant = assets
        .iter()
        .find(|a| a.data.kind.as_str() == "solar_plant")
        .unwrap();
    let plant = store.asset(&ctx(), plant.id).await.unwrap();
    let income = plant.incomes.iter().find(|i| i.year == 2019).unwrap();
    let profile = store.region_stats(&ctx(), &village, 2019).await.unwrap();
    assert_eq!(
        profile.collective_income_fen,
        Some(collective_before + income.collective_fen)
    );

    // a household's trace: its dividend, in its property income; every disbursement to it
    let d = &income.dividends[0];
    let trace = store.household_trace(&ctx(), d.household_id).await.unwrap();
    assert_eq!(trace.dividend_fen, d.amount_fen);
    assert_eq!(trace.total_fen, trace.dividend_fen + trace.disbursed_fen);
    assert_eq!(
        trace.items.iter().map(|i| i.amount_fen).sum::<i64>(),
        trace.total_fen
    );
    let h = store.household(&ctx(), d.household_id).await.unwrap();
    let y = h.incomes.iter().find(|i| i.year == 2019).unwrap();
    assert_eq!(
        y.components.dividend_fen.map(|f| f.get()),
        Some(d.amount_fen)
    );
    // the payments to households, all of them in some trace
    let paid: i64 = sum_household_disbursements(store, &gen.dir);
    let mut traced = 0;
    for id in households_paid(&gen.dir, store).await {
        traced += store
            .household_trace(&ctx(), id)
            .await
            .unwrap()
            .disbursed_fen;
    }
    assert_eq!(traced, paid);
}

/// Σ of the disbursements of the file that name a household.
fn sum_household_disbursements(_: &dyn Store, dir: &Path) -> i64 {
    let mut r = csv::Reader::from_path(dir.join("movements.csv")).unwrap();
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| &x[1] == "disbursement" && !x[5].is_empty())
        .map(|x| x[2].parse::<i64>().unwrap())
        .sum()
}

/// The households the file pays, each once.
async fn households_paid(dir: &Path, store: &dyn Store) -> Vec<HouseholdId> {
    let mut r = csv::Reader::from_path(dir.join("movements.csv")).unwrap();
    let mut numbers: Vec<String> = r
        .records()
        .map(|x| x.unwrap())
        .filter(|x| !x[5].is_empty())
        .map(|x| x[5].to_string())
        .collect();
    numbers.sort();
    numbers.dedup();
    let mut out = Vec::new();
    for n in numbers {
        out.push(
            store
                .household_by_number(&ctx(), &n)
                .await
                .unwrap()
                .household
                .id,
        );
    }
    out
}

/// Rewrite one cell of a generated file: the `col`-th cell of data row `row` (0-based).
fn set_cell(path: &Path, row: usize, col: usize, value: &str) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let mut cells: Vec<String> = rows[row].iter().map(str::to_string).collect();
    cells[col] = value.to_string();
    rows[row] = csv::StringRecord::from(cells);
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&headers).unwrap();
    for x in rows {
        w.write_record(&x).unwrap();
    }
    w.flush().unwrap();
}

#[tokio::test]
async fn a_funds_load_with_bad_rows_reports_each_and_keeps_nothing() {
    let db = test_store().await;
    let store = db.store.as_ref();
    let dir = tempfile::tempdir().unwrap();
    let gen = county(store, dir.path(), 150).await;
    let d = &gen.dir;
    // a project at a stage that does not exist; a receipt beyond its allocation; a dividend to a
    // household that is not registered; an asset income whose shares exceed it
    set_cell(&d.join("projects.csv"), 3, 13, "半完工");
    set_cell(&d.join("movements.csv"), 0, 2, "500000000");
    set_cell(&d.join("dividends.csv"), 2, 2, "3601240000009999");
    set_cell(&d.join("asset_incomes.csv"), 0, 3, "100000000");
    let r = load_funds(d, &ctx(), store, false).await.unwrap();
    assert!(!r.committed);
    let found: Vec<(String, u64, String)> = r
        .issues
        .iter()
        .map(|i| (i.file.clone(), i.line, i.code.clone()))
        .collect();
    for want in [
        ("projects.csv", 5, "unknown_stage"),
        ("allocations.csv", 2, "exceeds_allocation"),
        ("dividends.csv", 4, "household_not_found"),
        ("asset_incomes.csv", 2, "distribution_exceeds_income"),
    ] {
        assert!(
            found.contains(&(want.0.to_string(), want.1, want.2.to_string())),
            "{want:?} in {found:?}"
        );
    }
    let i = r.issues.iter().find(|i| i.code == "unknown_stage").unwrap();
    assert_eq!(i.column.as_deref(), Some("stage"));
    assert!(i.message.contains("半完工"), "{}", i.message);
    // nothing kept
    let (from, to) = (date!(2016 - 01 - 01), date!(2019 - 12 - 31));
    let report = store
        .funds_report(&ctx(), &code(COUNTY), from, to)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        serde_json::to_value(
            store
                .recompute_funds_report(&ctx(), &code(COUNTY), from, to)
                .await
                .unwrap()
        )
        .unwrap()
    );
    assert!(store
        .assets(&ctx(), &code(COUNTY))
        .await
        .unwrap()
        .is_empty());
    // a dry run of good files checks them and writes nothing
    let good = tempfile::tempdir().unwrap();
    let db2 = test_store().await;
    let gen2 = county(db2.store.as_ref(), good.path(), 150).await;
    let r = load_funds(&gen2.dir, &ctx(), db2.store.as_ref(), true)
        .await
        .unwrap();
    assert!(r.issues.is_empty() && !r.committed, "{:?}", r.issues);
    assert_eq!(r.projects, gen2.projects);
    assert!(db2
        .store
        .assets(&ctx(), &code(COUNTY))
        .await
        .unwrap()
        .is_empty());
}

/// A funds ledger is the county's to load: a township's office gets `step_for_higher_office` on
/// every source and project of its township (and `out_of_scope` on the rest) and nothing is kept;
/// the county's office loads the same files.
#[tokio::test]
async fn a_funds_ledger_is_loaded_by_the_county() {
    let db = test_store().await;
    let store = db.store.as_ref();
    let dir = tempfile::tempdir().unwrap();
    let gen = county(store, dir.path(), 150).await;
    // the township of the first project
    let mut rd = csv::Reader::from_path(gen.dir.join("projects.csv")).unwrap();
    let col = rd
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "village_code")
        .unwrap();
    let first = rd.records().next().unwrap().unwrap()[col].to_string();
    let township = code(&first).at_level(Level::Township).unwrap();
    let office = Ctx::within("township-office", vec![township]);
    let r = load_funds(&gen.dir, &office, store, false).await.unwrap();
    assert!(!r.committed);
    let higher: Vec<_> = r
        .issues
        .iter()
        .filter(|i| i.code == "step_for_higher_office")
        .collect();
    assert!(
        higher.iter().any(|i| i.file == "projects.csv"
            && i.line == 2
            && i.column.as_deref() == Some("village_code")),
        "{:?}",
        r.issues
    );
    assert!(higher.iter().all(|i| i.message.contains("县级")));
    assert!(store
        .projects(
            &ctx(),
            &code(COUNTY),
            Default::default(),
            &fupin_core::paging::Keyset::all()
        )
        .await
        .unwrap()
        .items
        .is_empty());
    let county_office = Ctx::within("county-office", vec![code(COUNTY)]);
    let r = load_funds(&gen.dir, &county_office, store, false)
        .await
        .unwrap();
    assert!(r.committed, "{:?}", r.issues);
    assert_eq!(r.projects, gen.projects);
}
