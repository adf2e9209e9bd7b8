//! The city layer of the demo over HTTP (SQLite, or PostgreSQL with `TEST_DATABASE_URL=postgres://…`):
//! after the demo and `fupin demo --city`'s loader, the services report of 南昌市 for January 2018 to
//! June 2019 gives every city-wide figure of the seed article, each listed here as the article
//! states it; the layer is generated deterministically and a second load is skipped.

mod common;

use common::{demo_app, login};
use reqwest::{Client, StatusCode};
use serde_json::Value;

const NANCHANG: &str = "360100000000";

async fn get_json(c: &Client, url: String, token: &str) -> Value {
    let res = c.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| &v[k])
}

#[tokio::test]
async fn the_city_layer_reproduces_the_articles_city_figures() {
    let app = demo_app().await;
    let ctx = fupin_core::Ctx::system("test:city");
    let loaded = fupin::demo_city::load_city_layer(app.store().as_ref(), &ctx)
        .await
        .expect("load the city layer");
    assert!(!loaded.skipped && loaded.households > 0, "{loaded}");
    let token = login(&app, "demo-admin").await;
    let c = Client::new();
    let r = get_json(
        &c,
        app.url(&format!(
            "/api/v1/regions/{NANCHANG}/services-report?from=2018-01-01&to=2019-06-30"
        )),
        &token,
    )
    .await;

    // (the article's words, the report's figure, the article's number)
    let figures: &[(&str, &str, i64)] = &[
        ("为44142人提供公共就业创业服务", "served.total", 44_142),
        ("其中建档立卡贫困人员735人", "served.registered", 735),
        ("实现县内就业19809人", "employment.in_county.total", 19_809),
        (
            "其中建档立卡贫困人员512人",
            "employment.in_county.registered",
            512,
        ),
        (
            "县外省内转移就业3409人",
            "employment.in_province.total",
            3_409,
        ),
        (
            "其中建档立卡贫困人员114人",
            "employment.in_province.registered",
            114,
        ),
        (
            "实现跨省转移就业3044人",
            "employment.cross_province.total",
            3_044,
        ),
        (
            "其中建档立卡贫困人员101人",
            "employment.cross_province.registered",
            101,
        ),
        ("共发放春风卡等宣传资料13.69万份", "leaflets", 136_900),
        ("搭建就业扶贫车间96个", "workshops.total", 96),
        ("其中在贫困村扶贫车间29个", "workshops.in_poor_villages", 29),
        ("共吸纳建档立卡贫困劳动力321人", "workshops.employed", 321),
        ("设置扶贫就业专岗1686个", "posts.total", 1_686),
        (
            "其中在贫困村设置扶贫专岗111个",
            "posts.in_poor_villages",
            111,
        ),
        ("吸纳就业人数1686人", "posts.employed", 1_686),
        ("累计培训1486人", "training.trained.total", 1_486),
        ("建档立卡贫困学生868人", "education.students", 868),
        (
            "累计免学费金额10.9万元",
            "education.tuition_waived_fen",
            10_900_000,
        ),
        ("累计发放助学金8.7万元", "education.grants_fen", 8_700_000),
        (
            "86311名贫困人员参加了居民养老保险",
            "pension.enrolled",
            86_311,
        ),
        (
            "其中已享受养老金待遇人员32472人",
            "pension.receiving",
            32_472,
        ),
        (
            "已由县、区政府代缴保险金人员54667名",
            "pension.paid_by_government",
            54_667,
        ),
        (
            "全市政府代缴保险金额为548.65万元",
            "pension.paid_by_government_fen",
            548_650_000,
        ),
    ];
    let mut wrong = Vec::new();
    for (words, path, want) in figures {
        let got = at(&r, path).as_i64();
        if got != Some(*want) {
            wrong.push(format!("{words}: {path} = {got:?}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}\n{r}", wrong.join("\n"));
    // 拨付培训补贴4万余元（含生活费补贴）
    let subsidies = at(&r, "training.subsidy_fen").as_i64().unwrap()
        + at(&r, "training.living_allowance_fen").as_i64().unwrap();
    assert!((4_000_000..5_000_000).contains(&subsidies), "{subsidies}");
    assert!(at(&r, "training.living_allowance_fen").as_i64().unwrap() > 0);
    // every one of the 1,686 posts has its labourer, each a registered person
    assert!(at(&r, "posts.positions").as_i64().unwrap() >= 1_686);

    // the report of a county of the layer is part of the city's
    let county = get_json(
        &c,
        app.url("/api/v1/regions/360121000000/services-report?from=2018-01-01&to=2019-06-30"),
        &token,
    )
    .await;
    let part = at(&county, "pension.enrolled").as_i64().unwrap();
    assert!(part > 0 && part < 86_311, "{part}");

    // the household list's totals after the layer's import (more than 500 villages, counted in
    // one pass over their range): the unfiltered total, from the villages' maintained counts,
    // equals the rows counted by status, for the city and for one of its counties
    for region in [NANCHANG, "360121000000"] {
        let total = |status: Option<&str>| {
            let url = app.url(&format!(
                "/api/v1/households?region={region}&per_page=1{}",
                status.map(|s| format!("&status={s}")).unwrap_or_default()
            ));
            let (c, token) = (&c, &token);
            async move { get_json(c, url, token).await["total"].as_i64().unwrap() }
        };
        let all = total(None).await;
        let mut by_status = 0;
        for s in fupin_core::registry::HouseholdStatus::ALL {
            by_status += total(Some(s.as_str())).await;
        }
        assert!(all > 1_000, "{region}: {all}");
        assert_eq!(all, by_status, "{region}");
    }

    // loaded once
    let again = fupin::demo_city::load_city_layer(app.store().as_ref(), &ctx)
        .await
        .unwrap();
    assert!(again.skipped);
}
