//! Time `region_stats` through the store (as the API answers `GET /api/v1/regions/{code}/stats`),
//! for the benchmark script: `stats_timing DATABASE_URL REGION YEAR [RUNS]` prints every run and the
//! median in milliseconds.

use fupin_core::{Ctx, RegionCode};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: stats_timing DATABASE_URL REGION YEAR [RUNS]");
        std::process::exit(2);
    }
    let store = fupin::open_store(&args[1]).await.expect("open store");
    let code = RegionCode::parse(&args[2]).expect("region code");
    let year: i32 = args[3].parse().expect("year");
    let runs: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(20);
    let ctx = Ctx::system("bench");
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let s = store.region_stats(&ctx, &code, year).await.expect("stats");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        last = Some(s);
    }
    let s = last.expect("one run");
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "region_stats {} {year}: {} households, {} persons, per-capita net {:?} fen",
        s.region.name, s.households, s.persons, s.per_capita_net_income_fen
    );
    println!(
        "runs (ms): first {:.2}, min {:.2}, median {:.2}, max {:.2}",
        times[0],
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
}
