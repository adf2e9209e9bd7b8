//! `fupin migrate`: opening the store applies the migrations; this reports that it did.

use crate::config::redact_url;
use fupin_core::store::Store;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(store: Arc<dyn Store>, url: &str) -> ExitCode {
    match store.ping().await {
        Ok(()) => {
            println!(
                "数据库已是最新结构：{}（{}）",
                redact_url(url),
                store.backend()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}
