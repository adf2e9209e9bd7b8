//! The household page's measures (帮扶措施) over HTTP, on whichever database `TEST_DATABASE_URL`
//! names: an office adds a measure through the form — every field it cannot read reported at once
//! beside its input with what was typed kept, then the store's rules — sees an employment's
//! destination derived, changes a measure; an office of another village reaches none of it.

use fupin::testing::{spawn_app, TestApp};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

const TAGANG: &str = "360124106204";

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    fupin::load_demo_all(app.store().as_ref())
        .await
        .expect("load demo");
    app
}

fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(app: &TestApp, username: &str) -> Session {
    let res = client()
        .post(app.url("/login"))
        .form(&[("username", username), ("password", "fupin-demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username} signs in");
    let cookie = res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let info: serde_json::Value = client()
        .get(app.url("/api/v1/session"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Session {
        cookie,
        csrf: info["csrf_token"].as_str().unwrap().to_string(),
    }
}

async fn get(app: &TestApp, s: &Session, path: &str) -> (StatusCode, String) {
    let res = client()
        .get(app.url(path))
        .header(COOKIE, &s.cookie)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn post(
    app: &TestApp,
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut f: Vec<(&str, &str)> = vec![("csrf_token", s.csrf.as_str())];
    f.extend_from_slice(fields);
    client()
        .post(app.url(path))
        .header(COOKIE, &s.cookie)
        .form(&f)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_office_adds_and_changes_measures_through_the_form() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let (_, list) = get(
        &app,
        &s,
        // 万金根's household: none of the demo's measures is his
        &format!("/api/v1/households?region={TAGANG}&q={TAGANG}0004"),
    )
    .await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let hh = list["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = get(&app, &s, &format!("/api/v1/households/{hh}")).await;
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    let person = detail["members"][0]["id"].as_i64().unwrap().to_string();

    // the household page offers the form
    let (status, page) = get(&app, &s, &format!("/households/{hh}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/households/{hh}/measure\"")),
        "the add link"
    );
    let form = format!("/households/{hh}/measure");
    let (status, page) = get(&app, &s, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("就业地区划代码")
            && page.contains("培训学时")
            && page.contains("贷款期限（月）")
    );

    // three fields that cannot be read: all reported beside their inputs, what was typed kept
    let bad = [
        ("kind", "0201"),
        ("person_id", person.as_str()),
        ("start_date", "2019-03-01"),
        ("status", "active"),
        ("details.employer", ""),
        ("details.employer_region_code", "360124100000"),
        ("details.employment_form", "workshop"),
        ("details.months", "十"),
        ("details.monthly_wage_fen", "2500元整"),
    ];
    let res = post(&app, &s, &form, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    for (id, msg) in [
        ("f-details-employer-error", "就业单位不能为空"),
        ("f-details-months-error", "务工月数须为整数"),
        ("f-details-monthly_wage_fen-error", "有效金额"),
    ] {
        let at = body
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id}: {body}"));
        assert!(
            body[at..].split("</p>").next().unwrap().contains(msg),
            "{id}"
        );
    }
    assert!(body.contains("value=\"360124100000\""), "typed values kept");
    assert!(body.contains("value=\"2500元整\""));

    // the store's rule after the form's: a 13th month, named in Chinese beside its field
    let mut thirteen = bad.to_vec();
    thirteen[4] = ("details.employer", "县工业园电子厂");
    thirteen[7] = ("details.months", "13");
    thirteen[8] = ("details.monthly_wage_fen", "2500");
    let res = post(&app, &s, &form, &thirteen).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("id=\"f-details-months-error\""), "{body}");
    assert!(body.contains("1 到 12"));

    // saved: the household page lists it with its destination derived
    thirteen[7] = ("details.months", "10");
    let res = post(&app, &s, &form, &thirteen).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let to = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, page) = get(&app, &s, &to).await;
    let row = page.split("data-measure=").nth(1).expect("a measure row");
    assert!(
        row.contains("县工业园电子厂") && row.contains("县内"),
        "{row}"
    );
    let measure: String = row
        .trim_start_matches('"')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();

    // changed through the same form: the values come back, a new employer region
    let edit = format!("/households/{hh}/measure?measure={measure}");
    let (status, page) = get(&app, &s, &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"县工业园电子厂\""));
    let mut moved = thirteen.clone();
    moved[5] = ("details.employer_region_code", "44");
    moved.push(("measure_id", measure.as_str()));
    let res = post(&app, &s, &form, &moved).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &s, &format!("/households/{hh}")).await;
    assert!(page.contains("跨省"), "the destination follows the region");
    let (_, history) = get(&app, &s, &format!("/api/v1/measures/{measure}/history")).await;
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);

    // a loan form: the rate typed as a percentage, the microcredit limit beside the amount
    let loan = [
        ("kind", "0901"),
        ("person_id", person.as_str()),
        ("start_date", "2019-03-01"),
        ("status", "active"),
        ("amount_fen", "60000"),
        ("details.term_months", "36"),
        ("details.annual_rate", "4.35"),
        ("details.purpose", "养殖"),
    ];
    let res = post(&app, &s, &form, &loan).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("id=\"f-amount_fen-error\""), "{body}");

    // an office of another village reaches neither the form nor the household
    let other = sign_in(&app, "demo-other").await;
    let (status, _) = get(&app, &other, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = post(&app, &other, &form, &thirteen).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
