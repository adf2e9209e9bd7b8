//! `fupin demo`: load the demo data (塔岗村 and its neighbours in 罗溪镇).

use fupin_core::store::Store;
use fupin_core::Ctx;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(store: Arc<dyn Store>) -> ExitCode {
    match crate::demo::load_demo(store.as_ref(), &Ctx::system("system:demo")).await {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}
