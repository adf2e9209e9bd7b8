//! The household page's measures (帮扶措施) over HTTP, on whichever database `TEST_DATABASE_URL`
//! names: an office adds a measure through the form — every field it cannot read reported at once
//! beside its input with what was typed kept, then the store's rules — sees an employment's
//! destination derived, changes a measure; an office of another village reaches none of it.

mod common;

use common::demo_app;
use common::pages::{beside, client, get, json, post, sign_in};
use reqwest::header::LOCATION;
use reqwest::StatusCode;

const TAGANG: &str = "360124106204";

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

    // several of the store's rules at once: each beside its field
    let mut two = thirteen.clone();
    two.push(("end_date", "2019-01-31"));
    let res = post(&app, &s, &form, &two).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    for id in ["f-details-months-error", "f-end_date-error"] {
        assert!(body.contains(&format!("id=\"{id}\"")), "{id}: {body}");
    }
    assert!(body.contains("结束日期不能早于开始日期"), "{body}");

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

/// An employer anywhere in the country: the form's picker reads the national division list (to the
/// county) whatever the caller's regions — code, name, level and path, nothing else — and a code
/// that list does not hold is refused beside its field.
#[tokio::test]
async fn an_employer_anywhere_in_the_country_is_chosen_from_the_national_list() {
    let app = demo_app().await;
    // a village's cadre reaches no county but its own village, and still reads the list
    for user in ["demo-officer", "demo-cadre"] {
        let s = sign_in(&app, user).await;
        let provinces = json(&app, &s, "/api/v1/divisions").await;
        let provinces = provinces.as_array().unwrap();
        assert_eq!(provinces.len(), 31, "{user}");
        let guangdong = json(&app, &s, "/api/v1/divisions?parent=440000000000").await;
        let dongguan = guangdong
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "东莞市")
            .expect("东莞市 under 广东省");
        // only the published list's fields
        let mut keys: Vec<&str> = dongguan
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["code", "full_name", "level", "name", "path"],
            "{dongguan}"
        );
        assert_eq!(dongguan["full_name"], "广东省 / 东莞市");
        for q in ["%E4%B8%9C%E8%8E%9E", "4419"] {
            let found = json(&app, &s, &format!("/api/v1/divisions/search?q={q}")).await;
            assert_eq!(found[0]["code"], "441900000000", "{q}: {found}");
        }
        let one = json(&app, &s, "/api/v1/divisions/440303000000").await;
        assert_eq!(one["full_name"], "广东省 / 深圳市 / 罗湖区");
        // nothing below the county: no townships of a county, no village by name or code
        let below = json(&app, &s, "/api/v1/divisions?parent=360124000000").await;
        assert_eq!(below, serde_json::json!([]));
        let tagang = json(&app, &s, "/api/v1/divisions/search?q=%E5%A1%94%E5%B2%97").await;
        assert_eq!(tagang, serde_json::json!([]));
        let (status, _) = get(&app, &s, &format!("/api/v1/divisions/{TAGANG}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let res = client()
        .get(app.url("/api/v1/divisions"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "signed in only");

    // the form's input asks the national list; a code it does not hold is refused beside it
    let s = sign_in(&app, "demo-officer").await;
    let list = json(
        &app,
        &s,
        &format!("/api/v1/households?region={TAGANG}&q={TAGANG}0004"),
    )
    .await;
    let hh = list["items"][0]["id"].as_i64().unwrap();
    let form = format!("/households/{hh}/measure");
    let (_, page) = get(&app, &s, &form).await;
    assert!(
        page.contains("data-region-picker=\"national\""),
        "the picker"
    );
    let mut fields = vec![
        ("kind", "0201"),
        ("start_date", "2019-03-01"),
        ("status", "active"),
        ("details.employer", "东莞某电子厂"),
        ("details.employer_region_code", "441999000000"),
        ("details.employment_form", "migrant_work"),
        ("details.months", "十"),
        ("details.monthly_wage_fen", "3000"),
    ];
    let res = post(&app, &s, &form, &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    let msg = beside(&body, "f-details-employer_region_code");
    assert!(
        msg.contains("441999000000") && msg.contains("不在区划代码表中"),
        "{msg}"
    );
    // shown with the form's other faults, what was typed kept
    assert!(
        body.contains("id=\"f-details-months-error\""),
        "all at once"
    );
    assert!(body.contains("value=\"441999000000\""));
    // the code the picker gives: saved, another province
    fields[4] = ("details.employer_region_code", "441900000000");
    fields[6] = ("details.months", "10");
    let res = post(&app, &s, &form, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &s, &format!("/households/{hh}")).await;
    let row = page
        .split("data-measure=")
        .find(|r| r.contains("东莞某电子厂"))
        .expect("the measure");
    assert!(row.contains("跨省"), "{row}");
}

#[tokio::test]
async fn an_office_registers_workplaces_hires_and_events_through_forms() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let (status, page) = get(&app, &s, &format!("/workplaces?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"new-workplace\""), "the register link");
    // each form carries the session's CSRF token, or a browser's post is refused
    for form in [
        format!("/workplaces/new?region={TAGANG}"),
        format!("/events/new?region={TAGANG}"),
    ] {
        let (status, page) = get(&app, &s, &form).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(&format!("name=\"csrf_token\" value=\"{}\"", s.csrf)),
            "{form}: {page}"
        );
    }

    // a post: no name, positions not a number, a duty no post has — all at once
    let bad = [
        ("kind", "post"),
        ("name", ""),
        ("region_code", TAGANG),
        ("work_type", "看门"),
        ("capacity", "两个"),
        ("opened", "2019-03-01"),
    ];
    let res = post(&app, &s, "/workplaces/new", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-name").contains("名称不能为空"));
    assert!(beside(&body, "f-capacity").contains("整数"));
    assert!(body.contains("value=\"看门\""), "typed values kept");
    // the store's rule: the duty
    let mut typed = bad.to_vec();
    typed[1] = ("name", "塔岗村护路岗（三组）");
    typed[4] = ("capacity", "1");
    let res = post(&app, &s, "/workplaces/new", &typed).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-work_type").contains("岗位类型"), "{body}");
    typed[3] = ("work_type", "护路");
    let res = post(&app, &s, "/workplaces/new", &typed).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let place = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, page) = get(&app, &s, &place).await;
    assert!(page.contains("塔岗村护路岗（三组）") && page.contains("id=\"new-hire\""));

    // a hire: nobody of that name in the household, then 万金根's
    let hire = format!("{place}/hire");
    let (_, form) = get(&app, &s, &hire).await;
    assert!(
        form.contains(&format!("name=\"csrf_token\" value=\"{}\"", s.csrf)),
        "{form}"
    );
    let res = post(
        &app,
        &s,
        &hire,
        &[
            ("person", &format!("{TAGANG}0004 张三")),
            ("hire_date", "2019-03-01"),
            ("monthly_wage_fen", "500"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-person").contains("不是在册的建档立卡人员"));
    let res = post(
        &app,
        &s,
        &hire,
        &[
            ("person", &format!("{TAGANG}0004 万金根")),
            ("hire_date", "2019-03-01"),
            ("monthly_wage_fen", "500"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &s, &place).await;
    let hires = page.split("id=\"hires\"").nth(1).expect("the hires table");
    assert!(
        hires.contains("万金根") && hires.contains("500.00"),
        "{hires}"
    );
    // the post has one position: a second labourer is refused beside the person
    let res = post(
        &app,
        &s,
        &hire,
        &[
            ("person", &format!("{TAGANG}0010 周桂香")),
            ("hire_date", "2019-04-01"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beside(&res.text().await.unwrap(), "f-person").contains("满员"));

    // an event: an unknown person line, a negative count and medicine at a job fair, at once
    let (status, page) = get(&app, &s, &format!("/events?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"new-event\""));
    let persons = format!("{TAGANG}0001 万建华\n{TAGANG}0001 无此人\n");
    let ev = [
        ("kind", "job_fair"),
        ("title", "塔岗村就业扶贫专场招聘会"),
        ("region_code", TAGANG),
        ("place", "塔岗村委会"),
        ("date", "2019-03-16"),
        ("served_total", "六十"),
        ("placed_others.in_county", "-3"),
        ("persons", persons.as_str()),
    ];
    let res = post(&app, &s, "/events/new", &ev).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-served_total").contains("整数"));
    assert!(beside(&body, "f-persons").contains("第 2 行"));
    let mut ev = ev.to_vec();
    let one = format!("{TAGANG}0001 万建华\n{TAGANG}0002 李国平");
    ev[5] = ("served_total", "60");
    ev[7] = ("persons", one.as_str());
    let res = post(&app, &s, "/events/new", &ev).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        beside(&body, "f-placed_others-in_county").contains("0 到"),
        "{body}"
    );
    ev[6] = ("placed_others.in_county", "12");
    let res = post(&app, &s, "/events/new", &ev).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, page) = get(&app, &s, &to).await;
    assert!(page.contains("万建华") && page.contains("李国平"), "{page}");
    // the services report counts it
    let (_, r) = get(
        &app,
        &s,
        &format!("/api/v1/regions/{TAGANG}/services-report?from=2019-03-01&to=2019-03-31"),
    )
    .await;
    let r: serde_json::Value = serde_json::from_str(&r).unwrap();
    assert_eq!(r["served"]["total"], 60);
    assert_eq!(r["served"]["registered"], 2);
    assert_eq!(r["employment"]["in_county"]["total"], 12);
}
