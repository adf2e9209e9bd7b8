//! `fupin gen`: write deterministic synthetic import files for villages drawn from a region list —
//! the registry (households, incomes, profiles) and the areas built on it (status changes, cadres,
//! pairings, visits, micro-wishes …) — for demonstrations and benchmarks. Needs no database.

use fupin_io::gen::{generate_with, GenOptions};
use std::path::Path;
use std::process::ExitCode;

/// A year range as written on the command line: `2016-2019` or `2019`.
fn years(y: &str) -> Option<(i32, i32)> {
    y.split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .or_else(|| y.trim().parse().ok().map(|v| (v, v)))
        .filter(|(a, b)| a <= b)
}

/// The department's list to write besides (or instead of) the world's files.
pub struct CompareArgs {
    pub rows: u64,
    /// deaths or vehicles.
    pub kind: String,
    pub matches_per_mille: u32,
    /// Only the list, from the registry file already written.
    pub only: bool,
}

/// Write the list to compare; prints what was written.
fn write_compare_list(out: &Path, seed: u64, year: i32, c: &CompareArgs) -> ExitCode {
    let kind = match c.kind.as_str() {
        "deaths" => fupin_io::Kind::CompareDeaths,
        "vehicles" => fupin_io::Kind::CompareVehicles,
        other => {
            eprintln!("错误 [invalid_kind] 比对名单类型 {other} 应为 deaths 或 vehicles");
            return ExitCode::from(2);
        }
    };
    if c.matches_per_mille > 1000 {
        eprintln!("错误 [out_of_range] --compare-matches 为千分比，应在 0–1000 之间");
        return ExitCode::from(2);
    }
    let started = std::time::Instant::now();
    let opts = fupin_io::gen::CompareListOptions {
        kind,
        rows: c.rows,
        matches_per_mille: c.matches_per_mille,
        seed,
        year,
    };
    match fupin_io::gen::compare_list(out, &opts) {
        Ok(s) => {
            println!(
                "  {}（{}，{} 行，其中 {} 行为在册人员），用时 {:.1} 秒",
                s.file.path.display(),
                s.file.kind.label(),
                s.file.rows,
                s.matched,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误 {e}");
            ExitCode::FAILURE
        }
    }
}

/// Which files besides the registry's.
pub struct Parts {
    /// The areas built on the registry (status changes, pairing, cases, measures).
    pub areas: bool,
    /// Projects, funds, assets and dividends.
    pub funds: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    households: u64,
    seed: u64,
    regions: &Path,
    out: &Path,
    income_years: Option<&str>,
    activity_years: Option<&str>,
    compare: Option<CompareArgs>,
    parts: Parts,
) -> ExitCode {
    let mut opts = GenOptions {
        households,
        seed,
        ..Default::default()
    };
    if let Some(y) = income_years {
        match years(y) {
            Some((a, b)) => {
                opts.income_years = (a, b);
                opts.as_of = opts.as_of.max(b);
            }
            None => {
                eprintln!("错误 [invalid_years] 收入年度应写作 2016-2019 或 2019");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(y) = activity_years {
        match years(y) {
            Some(r) => opts.activity_years = Some(r),
            None => {
                eprintln!("错误 [invalid_years] 走访等工作年度应写作 2018-2019 或 2019");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(c) = compare.as_ref().filter(|c| c.only) {
        return write_compare_list(out, seed, opts.income_years.1, c);
    }
    let f = match std::fs::File::open(regions) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => {
            eprintln!("错误 [file_unreadable] 无法打开 {}：{e}", regions.display());
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    match generate_with(f, out, &opts, parts.areas, parts.funds) {
        Ok((s, funds)) => {
            println!(
                "已生成 {} 户 {} 人（{} 个村）、{} 条年度收入、{} 条村情及其他各区域数据，用时 {:.1} 秒（按以下顺序导入）：",
                s.households,
                s.persons,
                s.villages,
                s.incomes,
                s.profiles,
                started.elapsed().as_secs_f64()
            );
            for f in &s.files {
                println!(
                    "  {}（{}，{} 行）",
                    f.path.display(),
                    f.kind.label(),
                    f.rows
                );
            }
            if let Some(f) = funds {
                println!(
                    "项目资金（{}，以 fupin import {} --kind funds 导入）：{} 个资金来源、{} 个项目、{} 笔资金下达、{} 笔到账、{} 笔支付、{} 项资产、{} 条资产收益、{} 条分红",
                    f.dir.display(),
                    f.dir.display(),
                    f.sources,
                    f.projects,
                    f.allocations,
                    f.receipts,
                    f.disbursements,
                    f.assets,
                    f.asset_incomes,
                    f.dividends
                );
            }
            match &compare {
                Some(c) => write_compare_list(out, seed, opts.income_years.1, c),
                None => ExitCode::SUCCESS,
            }
        }
        Err(e) => {
            eprintln!("错误 {e}");
            ExitCode::FAILURE
        }
    }
}
