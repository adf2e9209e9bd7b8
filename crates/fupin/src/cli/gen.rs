//! `fupin gen`: write deterministic synthetic import files (households, incomes, profiles) for
//! villages drawn from a region list — for demonstrations and benchmarks. Needs no database.

use fupin_io::gen::{generate, GenOptions};
use std::path::Path;
use std::process::ExitCode;

pub fn run(
    households: u64,
    seed: u64,
    regions: &Path,
    out: &Path,
    years: Option<&str>,
) -> ExitCode {
    let mut opts = GenOptions {
        households,
        seed,
        ..Default::default()
    };
    if let Some(y) = years {
        let parsed = y
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
            .or_else(|| y.trim().parse().ok().map(|v| (v, v)));
        match parsed {
            Some((a, b)) if a <= b => {
                opts.income_years = (a, b);
                opts.as_of = opts.as_of.max(b);
            }
            _ => {
                eprintln!("错误 [invalid_years] 收入年度应写作 2016-2019 或 2019");
                return ExitCode::from(2);
            }
        }
    }
    let f = match std::fs::File::open(regions) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => {
            eprintln!("错误 [file_unreadable] 无法打开 {}：{e}", regions.display());
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    match generate(f, out, &opts) {
        Ok(s) => {
            println!(
                "已生成 {} 户 {} 人（{} 个村）、{} 条年度收入、{} 条村情，用时 {:.1} 秒：",
                s.households,
                s.persons,
                s.villages,
                s.incomes,
                s.profiles,
                started.elapsed().as_secs_f64()
            );
            for f in &s.files {
                println!("  {}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误 {e}");
            ExitCode::FAILURE
        }
    }
}
