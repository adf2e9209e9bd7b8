//! `fupin audit verify`: walk the hash chain; exit 0 when intact, 1 naming the first broken row.

use fupin_core::store::Store;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn verify(store: Arc<dyn Store>) -> ExitCode {
    match store.verify_audit().await {
        Ok(Ok(n)) => {
            println!("审计日志完整：共 {n} 行，哈希链校验通过");
            ExitCode::SUCCESS
        }
        Ok(Err(b)) => {
            eprintln!("审计日志被改动：第 {} 行起校验失败（{}）", b.seq, b.reason);
            ExitCode::FAILURE
        }
        Err(e) => {
            super::report(&e);
            ExitCode::from(2)
        }
    }
}
