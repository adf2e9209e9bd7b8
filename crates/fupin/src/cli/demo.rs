//! `fupin demo`: load the demo data (塔岗村 and its neighbours in 罗溪镇, demo accounts, pairing);
//! `fupin demo --city` also the city layer of 南昌市 (see `demo_city`).

use fupin_core::store::Store;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(store: Arc<dyn Store>, city: bool) -> ExitCode {
    let lines = match crate::load_demo_all(store.as_ref()).await {
        Ok(lines) => lines,
        Err(e) => {
            super::report(&e);
            return ExitCode::FAILURE;
        }
    };
    for l in lines {
        println!("{l}");
    }
    if city {
        let ctx = fupin_core::Ctx::system("system:demo");
        match crate::demo_city::load_city_layer(store.as_ref(), &ctx).await {
            Ok(summary) => println!("{summary}"),
            Err(e) => {
                super::report(&e);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
