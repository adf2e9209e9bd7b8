//! `fupin import FILE`: import households, incomes, village profiles, regions, cadres, pairings or
//! visits from CSV or XLSX, every row checked first; prints a summary and writes an error file for
//! the rejected rows.

use fupin_core::store::Store;
use fupin_core::Ctx;
use fupin_io::{ImportOptions, Kind, Phase, Progress, TextEncoding};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Exit code when rows were rejected (the import itself ran).
pub const EXIT_REJECTED: u8 = 1;
/// Exit code when the file could not be imported at all.
pub const EXIT_FAILED: u8 = 2;

/// Options of `fupin import`.
pub struct Args {
    pub file: PathBuf,
    pub kind: Option<String>,
    pub dry_run: bool,
    pub partial: bool,
    pub encoding: Option<String>,
    pub error_file: Option<PathBuf>,
}

/// `<dir>/<stem>.错误.<ext>` beside the input.
fn default_error_file(file: &Path, ext: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("import");
    file.with_file_name(format!("{stem}.错误.{ext}"))
}

/// A progress display: a bar with rows/s and ETA on a terminal, a line every few seconds otherwise.
pub(crate) fn progress_display(what: &'static str) -> Arc<dyn Fn(&Progress) + Send + Sync> {
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {percent:>3}% {elapsed_precise} 剩余 {eta}",
            )
            .expect("template")
            .progress_chars("=> "),
        );
        let started = Instant::now();
        Arc::new(move |p: &Progress| {
            let (pos, len) = if p.bytes > 0 {
                (p.bytes, p.total)
            } else {
                (p.rows, p.total)
            };
            bar.set_length(len.max(pos));
            bar.set_position(pos);
            let rate = p.rows as f64 / started.elapsed().as_secs_f64().max(0.001);
            let phase = match p.phase {
                Phase::Importing => what,
                Phase::Finishing => "提交",
                Phase::ErrorFile => "写错误文件",
                Phase::Done => "完成",
            };
            bar.set_message(format!(
                "{phase} {} 行 {rate:.0} 行/秒 错误 {}",
                p.rows, p.issues
            ));
            if p.phase == Phase::Done {
                bar.finish_and_clear();
            }
        })
    } else {
        let last = Mutex::new(Instant::now());
        let started = Instant::now();
        Arc::new(move |p: &Progress| {
            let mut l = last.lock().expect("lock");
            if l.elapsed().as_secs() >= 5 || matches!(p.phase, Phase::Finishing | Phase::Done) {
                *l = Instant::now();
                let secs = started.elapsed().as_secs_f64().max(0.001);
                let pct = if p.total > 0 && p.bytes > 0 {
                    format!("，{:.0}%", p.bytes as f64 * 100.0 / p.total as f64)
                } else {
                    String::new()
                };
                eprintln!(
                    "{what}：{:?} 已读 {} 行（{:.0} 行/秒{pct}），错误 {}",
                    p.phase,
                    p.rows,
                    p.rows as f64 / secs,
                    p.issues
                );
            }
        })
    }
}

/// `fupin import DIR --kind funds`: the projects, funds, assets and dividends of a folder as
/// `fupin gen --funds` writes them, in one session; every fault listed, nothing kept unless all
/// rows are good.
async fn funds(store: Arc<dyn Store>, dir: &Path, dry_run: bool) -> ExitCode {
    let started = Instant::now();
    let ctx = Ctx::system("system:cli");
    match fupin_io::projects::load::load_funds(dir, &ctx, store.as_ref(), dry_run).await {
        Err(e) => {
            eprintln!("错误 {e}");
            ExitCode::from(EXIT_FAILED)
        }
        Ok(r) => {
            for i in &r.issues {
                eprintln!(
                    "{} 第 {} 行{}：[{}] {}",
                    i.file,
                    i.line,
                    i.column
                        .as_deref()
                        .map(|c| format!(" 列 {c}"))
                        .unwrap_or_default(),
                    i.code,
                    i.message
                );
            }
            println!(
                "项目资金{}：{} 个资金来源、{} 个项目、{} 笔下达、{} 笔到账、{} 笔支付、{} 项资产、{} 条资产收益、{} 条分红；错误 {} 处，用时 {:.1} 秒",
                if r.committed {
                    "已导入"
                } else if dry_run && r.issues_total == 0 {
                    "检查通过（未写入）"
                } else {
                    "未导入"
                },
                r.sources,
                r.projects,
                r.allocations,
                r.receipts,
                r.disbursements,
                r.assets,
                r.asset_incomes,
                r.dividends,
                r.issues_total,
                started.elapsed().as_secs_f64()
            );
            if r.issues_total > 0 {
                ExitCode::from(EXIT_REJECTED)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

pub async fn run(store: Arc<dyn Store>, a: Args) -> ExitCode {
    if a.kind.as_deref() == Some("funds") {
        return funds(store, &a.file, a.dry_run).await;
    }
    let kind = match a.kind.as_deref().map(|k| (k, Kind::parse(k))) {
        None => None,
        Some((_, Some(k))) => Some(k),
        Some((k, None)) => {
            eprintln!(
                "错误 [invalid_kind] 未知的导入类型 {k}：应为 {}",
                super::kind_names()
            );
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let encoding = match a.encoding.as_deref().map(|e| (e, TextEncoding::parse(e))) {
        None => None,
        Some((_, Some(e))) => Some(e),
        Some((e, None)) => {
            eprintln!("错误 [invalid_encoding] 未知的编码 {e}：应为 utf-8 或 gbk");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let f = match std::fs::File::open(&a.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误 [file_unreadable] 无法打开 {}：{e}", a.file.display());
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let mut head = [0u8; 4];
    let format = {
        use std::io::Read;
        let mut probe = match std::fs::File::open(&a.file) {
            Ok(p) => p,
            Err(_) => return ExitCode::from(EXIT_FAILED),
        };
        let n = probe.read(&mut head).unwrap_or(0);
        fupin_io::FileFormat::sniff(&head[..n])
    };
    let error_file = a
        .error_file
        .clone()
        .unwrap_or_else(|| default_error_file(&a.file, format.extension()));
    let opts = ImportOptions {
        kind,
        format: Some(format),
        encoding,
        dry_run: a.dry_run,
        partial: a.partial,
        error_file: Some(error_file),
        // a compared list is recorded under its file's name
        list_name: a.file.file_name().map(|n| n.to_string_lossy().into_owned()),
        ..Default::default()
    };
    let progress = progress_display("导入");
    let ctx = Ctx::system("system:cli");
    let input = Box::new(std::io::BufReader::with_capacity(1 << 20, f));
    let report = match fupin_io::import(store.as_ref(), &ctx, input, &opts, progress.as_ref()).await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误 {e}");
            if matches!(&e, fupin_io::ImportError::Header(m) if m.starts_with("无法判断文件内容"))
            {
                eprintln!("用 --kind 指定文件内容：{}", super::kind_names());
            }
            eprintln!("未导入任何数据");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    for i in report.issues.iter().take(100) {
        eprintln!("{i}");
    }
    if report.issues_total > 100 {
        eprintln!(
            "……共 {} 处错误，仅显示前 100 处（全部见错误文件）",
            report.issues_total
        );
    }
    print!("{}", report.summary());
    println!(
        "用时 {:.1} 秒{}",
        report.elapsed_ms as f64 / 1000.0,
        report
            .encoding
            .map(|e| format!("，编码 {}", e.label()))
            .unwrap_or_default()
    );
    if let Some(p) = &report.error_file {
        println!("错误文件：{p}（改正“错误原因”列所指的问题后可直接重新导入）");
    }
    if report.has_errors() {
        ExitCode::from(EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    }
}
