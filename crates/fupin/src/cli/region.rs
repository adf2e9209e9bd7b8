//! `fupin region import FILE`: read a division-code CSV and import it, all or nothing.

use fupin_core::store::{RowError, Store};
use fupin_core::Ctx;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

fn print_errors(errors: &[RowError]) {
    for e in errors.iter().take(200) {
        let field = e
            .error
            .field
            .as_deref()
            .map(|f| format!("（{f}）"))
            .unwrap_or_default();
        eprintln!(
            "第 {} 行{field}：[{}] {}",
            e.line, e.error.code, e.error.message
        );
    }
    if errors.len() > 200 {
        eprintln!("……共 {} 处错误，仅显示前 200 处", errors.len());
    }
}

pub async fn import(store: Arc<dyn Store>, file: &Path) -> ExitCode {
    let f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误 [file_unreadable] 无法打开 {}：{e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let records = match fupin_io::read_regions(std::io::BufReader::new(f)) {
        Ok(r) => r,
        Err(errors) => {
            print_errors(&errors);
            eprintln!("未导入任何区划：请改正以上错误后重新导入");
            return ExitCode::FAILURE;
        }
    };
    match store
        .import_regions(&Ctx::system("system:cli"), records)
        .await
    {
        Ok(s) => {
            println!(
                "区划导入完成：共 {} 行，新增 {}，更新 {}，未变 {}",
                s.rows, s.inserted, s.updated, s.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            print_errors(&errors);
            eprintln!("未导入任何区划：请改正以上错误后重新导入");
            ExitCode::FAILURE
        }
    }
}
