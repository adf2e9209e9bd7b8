//! `fupin template KIND [--out FILE]`: write the XLSX import template of a kind, with drop-down
//! lists from the store's code tables.

use fupin_core::store::Store;
use fupin_io::Kind;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(store: Arc<dyn Store>, kind: &str, out: Option<PathBuf>) -> ExitCode {
    let Some(kind) = Kind::parse(kind) else {
        eprintln!(
            "错误 [invalid_kind] 未知的模板类型 {kind}：应为 {}",
            super::kind_names()
        );
        return ExitCode::from(2);
    };
    let codes = match store.code_book().await {
        Ok(c) => c,
        Err(e) => {
            super::report(&e);
            return ExitCode::FAILURE;
        }
    };
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}导入模板.xlsx", kind.label())));
    match fupin_io::template::write_template(kind, &codes, &out) {
        Ok(()) => {
            println!("模板已写入 {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误 无法写入模板：{e}");
            ExitCode::FAILURE
        }
    }
}
