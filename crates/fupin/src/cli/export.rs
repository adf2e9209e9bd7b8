//! `fupin export KIND --region CODE`: export households, incomes, profiles, regions, cadres,
//! pairings, visits or region statistics to XLSX or CSV, masked unless `--unmask --reason …` (which
//! is audited).

use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use fupin_io::export::{ExportKind, ExportOptions};
use fupin_io::FileFormat;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Options of `fupin export`.
pub struct Args {
    pub kind: String,
    pub region: String,
    pub year: Option<i32>,
    pub format: Option<String>,
    pub out: PathBuf,
    pub unmask: bool,
    pub reason: Option<String>,
}

pub async fn run(store: Arc<dyn Store>, a: Args) -> ExitCode {
    let Some(kind) = ExportKind::parse(&a.kind) else {
        eprintln!(
            "错误 [invalid_kind] 未知的导出类型 {}：应为 {} 或 stats",
            a.kind,
            super::kind_names()
        );
        return ExitCode::from(2);
    };
    let region = match RegionCode::parse(&a.region) {
        Ok(r) => r,
        Err(e) => {
            super::report(&e);
            return ExitCode::from(2);
        }
    };
    let format = match a.format.as_deref() {
        Some(f) => FileFormat::parse(f),
        None => FileFormat::from_path(&a.out).or(Some(FileFormat::Xlsx)),
    };
    let Some(format) = format else {
        eprintln!("错误 [invalid_format] 格式应为 xlsx 或 csv");
        return ExitCode::from(2);
    };
    if a.unmask && a.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        eprintln!("错误 [reason_required] --unmask 须同时用 --reason 说明理由（将记入审计日志）");
        return ExitCode::from(2);
    }
    let mut ctx = Ctx::system("system:cli");
    ctx.unmask = a.unmask;
    let opts = ExportOptions {
        kind,
        region,
        year: a.year,
        format,
        reason: a.reason.clone(),
    };
    let started = std::time::Instant::now();
    match fupin_io::export::export(store.as_ref(), &ctx, &opts, &a.out, &|_| {}).await {
        Ok(rows) => {
            println!(
                "已导出 {rows} 行到 {}（{:.1} 秒{}）",
                a.out.display(),
                started.elapsed().as_secs_f64(),
                if a.unmask {
                    "，个人信息未脱敏，已记入审计日志"
                } else {
                    "，个人信息已脱敏"
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误 {e}");
            ExitCode::FAILURE
        }
    }
}
