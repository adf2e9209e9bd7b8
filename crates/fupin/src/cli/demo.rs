//! `fupin demo`: load the demo data (塔岗村 and its neighbours in 罗溪镇, demo accounts, pairing).

use fupin_core::store::Store;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(store: Arc<dyn Store>) -> ExitCode {
    match crate::load_demo_all(store.as_ref()).await {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}
