//! Time the poverty measures through the store (as the API answers
//! `GET /api/v1/regions/{code}/measures`), for the benchmark script:
//! `measures_timing DATABASE_URL YEAR RUNS REGION…` prints, per region, the persons measured, H, M0
//! and the time in milliseconds of the first run (cold when the script emptied the kept facts
//! before, `village_measure_facts`) and the minimum, median and largest of the others (warm: the
//! facts the first run kept).

use fupin_core::{Ctx, RegionCode};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: measures_timing DATABASE_URL YEAR RUNS REGION…");
        std::process::exit(2);
    }
    let store = fupin::open_store(&args[1]).await.expect("open store");
    let year: i32 = args[2].parse().expect("year");
    let runs: usize = args[3].parse().expect("runs");
    let ctx = Ctx::system("bench");
    for region in &args[4..] {
        let code = RegionCode::parse(region).expect("region code");
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let m = store
                .measures(&ctx, &code, year, &Default::default())
                .await
                .expect("measures");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(m);
        }
        let m = last.expect("one run");
        let mut warm = times[1..].to_vec();
        warm.sort_by(f64::total_cmp);
        println!(
            "measures {} {} {year}: {} households, {} persons, H {:.4}, Gini {:.4}, Sen {:.4}; {} {}/{} complete, M0 {:.4}",
            m.region.code,
            m.region.name,
            m.households,
            m.persons,
            m.headcount_ratio,
            m.gini,
            m.sen,
            m.mpi.config,
            m.mpi.complete,
            m.mpi.persons,
            m.mpi.m0
        );
        if warm.is_empty() {
            println!("  first run (ms): {:.1}", times[0]);
        } else {
            println!(
                "  first run (ms): {:.1}; warm, {} runs (ms): min {:.1}, median {:.1}, max {:.1}",
                times[0],
                warm.len(),
                warm[0],
                warm[warm.len() / 2],
                warm[warm.len() - 1]
            );
        }
    }
}
