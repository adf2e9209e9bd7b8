//! Imports and exports over HTTP as jobs (SQLite, or PostgreSQL with `TEST_DATABASE_URL=…`): an
//! upload or an export request starts a job, whose progress and summary are polled and whose file
//! (the export, or an import's error file) is downloaded; jobs belong to their owner and run with
//! the owner's scope.

mod common;

use common::{demo_app, login};
use fupin::testing::{spawn_app_with, TestApp};
use reqwest::{header, Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const TAGANG: &str = "360124106204";

async fn call(app: &TestApp, token: &str, method: Method, uri: &str) -> Response {
    Client::new()
        .request(method, app.url(uri))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn export(app: &TestApp, token: &str, body: Value) -> Response {
    Client::new()
        .post(app.url("/api/v1/exports"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request")
}

async fn upload(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Response {
    Client::new()
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("request")
}

/// A started job: 202, its address in `Location`, its id in the body.
async fn started(res: Response) -> String {
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let v: Value = res.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/jobs/{id}"));
    id
}

/// Poll the job until it is no longer running.
async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..1200 {
        let res = call(app, token, Method::GET, &format!("/api/v1/jobs/{id}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = res.json().await.unwrap();
        if v["state"] != "running" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("job {id} did not finish");
}

async fn file_text(app: &TestApp, token: &str, id: &str) -> String {
    let res = call(app, token, Method::GET, &format!("/api/v1/jobs/{id}/file")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cd = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''"),
        "{cd}"
    );
    res.text().await.unwrap()
}

/// 塔岗's incomes of 2018 exported through a job, as CSV text.
async fn tagang_incomes(app: &TestApp, token: &str) -> String {
    let id = started(
        export(
            app,
            token,
            json!({"kind": "incomes", "region": TAGANG, "year": 2018, "format": "csv"}),
        )
        .await,
    )
    .await;
    let job = finished(app, token, &id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["kind"], "export");
    assert!(job["label"].as_str().unwrap().contains("2018"), "{job}");
    assert_eq!(job["progress"]["percent"], 100);
    let text = file_text(app, token, &id).await;
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    assert_eq!(job["rows"].as_u64().unwrap() + 1, lines, "rows + header");
    text
}

#[tokio::test]
async fn export_and_import_run_as_jobs_with_summary_and_error_file() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let csv = tagang_incomes(&app, &officer).await;
    assert!(csv.starts_with('\u{feff}'), "Excel needs the BOM");
    // 塔岗's 14 registered households all have an income record for 2018
    let data: Vec<&str> = csv.lines().skip(1).filter(|l| !l.is_empty()).collect();
    assert_eq!(data.len(), 14, "{csv}");

    // the export imports back unchanged (a dry run, as the page's default)
    let id = started(
        upload(
            &app,
            &officer,
            "?dry_run=true",
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await,
    )
    .await;
    let job = finished(&app, &officer, &id).await;
    assert_eq!(job["state"], "done", "{job}");
    let r = &job["report"];
    assert_eq!(r["kind"], "incomes");
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["records"], 14);
    assert_eq!(r["unchanged"], 14, "{r}");
    assert_eq!(r["rejected"], 0);
    assert!(r["error_file"].is_null(), "no server path is shown");
    assert!(job["file"].is_null(), "no error file without errors");
    assert_eq!(job["progress"]["rows"], 14);
    let res = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/jobs/{id}/file"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // two bad amounts: both reported with their lines, nothing written, an error file to fix
    let mut bad: Vec<String> = csv.lines().map(str::to_string).collect();
    let header: Vec<&str> = bad[0].trim_start_matches('\u{feff}').split(',').collect();
    let wage = header
        .iter()
        .position(|h| h.starts_with("工资性收入"))
        .expect("wage column");
    for line in [3usize, 6] {
        let mut cells: Vec<String> = bad[line - 1].split(',').map(str::to_string).collect();
        cells[wage] = "一千".into();
        bad[line - 1] = cells.join(",");
    }
    let before = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/regions/{TAGANG}/stats?year=2018"),
    )
    .await
    .text()
    .await
    .unwrap();
    let id = started(
        upload(
            &app,
            &officer,
            "?kind=incomes",
            "text/csv; charset=utf-8",
            bad.join("\n").into_bytes(),
        )
        .await,
    )
    .await;
    let job = finished(&app, &officer, &id).await;
    let r = &job["report"];
    assert_eq!(r["committed"], false, "{r}");
    assert_eq!(r["rejected"], 2);
    let lines: Vec<u64> = r["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 6]);
    assert!(r["issues"][0]["column"]
        .as_str()
        .unwrap()
        .starts_with("工资性收入"));
    let file = &job["file"];
    assert_eq!(file["url"], format!("/api/v1/jobs/{id}/file"));
    assert!(file["name"].as_str().unwrap().ends_with(".csv"));
    let errors = file_text(&app, &officer, &id).await;
    let flagged: Vec<&str> = errors.lines().filter(|l| l.contains("一千")).collect();
    assert_eq!(flagged.len(), 2, "{errors}");
    // the bad rows only, under the header: the twelve good ones are not repeated
    assert_eq!(errors.lines().count(), 1 + 2, "{errors}");
    assert!(flagged.iter().all(|l| l.contains("工资性收入")), "{errors}");
    let after = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/regions/{TAGANG}/stats?year=2018"),
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(before, after, "nothing written");

    // the owner's list holds both imports and the export, newest first
    let list: Value = call(&app, &officer, Method::GET, "/api/v1/jobs")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], id);

    // someone else sees none of it
    let other = login(&app, "demo-other").await;
    for uri in [
        format!("/api/v1/jobs/{id}"),
        format!("/api/v1/jobs/{id}/file"),
    ] {
        let res = call(&app, &other, Method::GET, &uri).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
    }
    let res = call(&app, &other, Method::DELETE, &format!("/api/v1/jobs/{id}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let list: Value = call(&app, &other, Method::GET, "/api/v1/jobs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);

    // the owner forgets a finished job: gone, with its file
    let res = call(
        &app,
        &officer,
        Method::DELETE,
        &format!("/api/v1/jobs/{id}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/jobs/{id}/file"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_job_acts_within_its_owners_scope() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let csv = tagang_incomes(&app, &officer).await;
    // raise every wage by one yuan: a real change, if it were allowed
    let header: Vec<String> = csv
        .lines()
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(str::to_string)
        .collect();
    let wage = header
        .iter()
        .position(|h| h.starts_with("工资性收入"))
        .unwrap();
    let changed: Vec<String> = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                return l.to_string();
            }
            let mut c: Vec<String> = l.split(',').map(str::to_string).collect();
            let y: f64 = c[wage].parse().unwrap_or(0.0);
            c[wage] = format!("{:.2}", y + 1.0);
            c.join(",")
        })
        .collect();
    let body = changed.join("\n").into_bytes();

    // 三房's officer: every row is outside the scope, nothing is written
    let other = login(&app, "demo-other").await;
    let id = started(
        upload(
            &app,
            &other,
            "?kind=incomes&partial=true",
            "text/csv",
            body.clone(),
        )
        .await,
    )
    .await;
    let job = finished(&app, &other, &id).await;
    let r = &job["report"];
    assert_eq!(r["rejected"], 14, "{r}");
    assert_eq!(r["updated"], 0);
    let again = tagang_incomes(&app, &officer).await;
    assert_eq!(again, csv, "塔岗's incomes unchanged");
    // nor can 三房 export 塔岗
    let res = export(
        &app,
        &other,
        json!({"kind": "households", "region": TAGANG}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // 塔岗's officer may: every household updated
    let id = started(upload(&app, &officer, "", "text/csv", body).await).await;
    let job = finished(&app, &officer, &id).await;
    assert_eq!(job["report"]["updated"], 14, "{job}");
    assert_eq!(job["report"]["committed"], true);
    assert_ne!(tagang_incomes(&app, &officer).await, csv);
}

#[tokio::test]
async fn a_form_upload_carries_its_options_as_fields() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let csv = tagang_incomes(&app, &officer).await;
    let boundary = "----fupinboundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in [("kind", "incomes"), ("dry_run", "1"), ("partial", "")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"塔岗收入.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let id = started(upload(&app, &officer, "", &ct, body).await).await;
    let job = finished(&app, &officer, &id).await;
    assert_eq!(job["label"], "塔岗收入.csv");
    assert_eq!(job["report"]["dry_run"], true);
    assert_eq!(job["report"]["unchanged"], 14, "{job}");
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_start_nothing() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let err = |v: &Value| {
        (
            v["code"].as_str().unwrap_or("").to_string(),
            v["field"].as_str().unwrap_or("").to_string(),
        )
    };

    let res = upload(
        &app,
        &officer,
        "?kind=people",
        "text/csv",
        b"a,b\n1,2\n".to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        err(&res.json().await.unwrap()),
        ("invalid_parameter".into(), "kind".into())
    );
    let res = upload(
        &app,
        &officer,
        "?colour=red",
        "text/csv",
        b"a,b\n1,2\n".to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = upload(&app, &officer, "", "text/csv", Vec::new()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        err(&res.json().await.unwrap()),
        ("file_required".into(), "file".into())
    );

    // a file that is not a table of any known kind: the job fails with the reason
    let id = started(
        upload(
            &app,
            &officer,
            "",
            "text/csv",
            "甲,乙\n1,2\n".as_bytes().to_vec(),
        )
        .await,
    )
    .await;
    let job = finished(&app, &officer, &id).await;
    assert_eq!(job["state"], "failed");
    assert_eq!(job["error"]["code"], "bad_header");
    assert!(job["error"]["message"].as_str().unwrap().contains("表头"));

    let res = export(&app, &officer, json!({"kind": "stats", "region": TAGANG})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        err(&res.json().await.unwrap()),
        ("year_required".into(), "year".into())
    );
    let res = export(&app, &officer, json!({"kind": "people", "region": TAGANG})).await;
    assert_eq!(err(&res.json().await.unwrap()).1, "kind");
    let res = export(
        &app,
        &officer,
        json!({"kind": "households", "region": "36012410620"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = export(
        &app,
        &officer,
        json!({"kind": "households", "region": TAGANG, "format": "pdf"}),
    )
    .await;
    assert_eq!(
        err(&res.json().await.unwrap()),
        ("invalid_format".into(), "format".into())
    );
    // the officer holds no view_pii: no unmasked export
    let res = export(
        &app,
        &officer,
        json!({"kind": "households", "region": TAGANG, "unmask": true, "reason": "核查"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let list: Value = call(&app, &officer, Method::GET, "/api/v1/jobs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "only the failed import was started"
    );
}

#[tokio::test]
async fn statistics_export_lists_the_region_and_its_parts() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let id = started(
        export(
            &app,
            &officer,
            json!({"kind": "stats", "region": TAGANG, "year": 2018, "format": "xlsx"}),
        )
        .await,
    )
    .await;
    let job = finished(&app, &officer, &id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert!(job["file"]["name"].as_str().unwrap().ends_with(".xlsx"));
    let res = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/jobs/{id}/file"),
    )
    .await;
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "a zip container");
    assert_eq!(bytes.len() as u64, job["file"]["bytes"].as_u64().unwrap());
}

/// The demo app with its job files under `data/jobs`, bounded as given.
async fn app_with_jobs(data: &std::path::Path, per_user: u64, total: u64) -> TestApp {
    let config = fupin_web::JobsConfig {
        dir: Some(data.join("jobs")),
        max_bytes_per_user: per_user,
        max_bytes_total: total,
    };
    let app = spawn_app_with(move |s| s.with_jobs(config).expect("job folder")).await;
    fupin::load_demo_all(app.store().as_ref())
        .await
        .expect("load the demo");
    app
}

/// The folder of job `id` under `data/jobs/run-*/`.
fn job_dir(data: &std::path::Path, id: &str) -> std::path::PathBuf {
    let runs: Vec<_> = std::fs::read_dir(data.join("jobs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(runs.len(), 1, "one run folder: {runs:?}");
    runs[0].join(id)
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn job_files_are_private_bounded_and_cleared_at_start() {
    let data = tempfile::tempdir().unwrap();
    // what a server killed with -9 left: an upload with full ID numbers, its lock not held
    let old = data.path().join("jobs/run-0123456789abcdef");
    std::fs::create_dir_all(old.join("deadjob")).unwrap();
    std::fs::write(old.join("deadjob/upload"), "36012419991231001X\n").unwrap();
    std::fs::write(data.path().join("jobs/run-0123456789abcdef.lock"), "").unwrap();

    let app = app_with_jobs(data.path(), 64 << 10, 1 << 30).await;
    assert!(!old.exists(), "leftovers are removed at start-up");
    assert_eq!(mode(&data.path().join("jobs")), 0o700);

    // an export and an import with errors: folders 0700, files 0600
    let officer = login(&app, "demo-officer").await;
    let csv = tagang_incomes(&app, &officer).await;
    let list: Value = call(&app, &officer, Method::GET, "/api/v1/jobs")
        .await
        .json()
        .await
        .unwrap();
    let export_id = list["items"][0]["id"].as_str().unwrap().to_string();
    let dir = job_dir(data.path(), &export_id);
    assert_eq!(mode(dir.parent().unwrap()), 0o700, "the run folder");
    assert_eq!(mode(&dir), 0o700, "the job folder");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "the export only");
    assert_eq!(mode(&files[0].path()), 0o600);
    let id = started(
        upload(
            &app,
            &officer,
            "?kind=incomes",
            "text/csv",
            csv.replace("2018,", "二〇一八年,").into_bytes(),
        )
        .await,
    )
    .await;
    let job = finished(&app, &officer, &id).await;
    assert!(job["report"]["rejected"].as_u64().unwrap() > 0, "{job}");
    let dir = job_dir(data.path(), &id);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["errors.csv"], "the upload is gone once read");
    assert_eq!(mode(&dir.join("errors.csv")), 0o600);

    // bounds: an upload larger than the room left is refused, and leaves nothing
    let big = vec![b'a'; 80 << 10];
    let res = upload(&app, &officer, "?kind=incomes", "text/csv", big).await;
    assert_eq!(res.status(), StatusCode::INSUFFICIENT_STORAGE);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "job_space_full");
    assert!(v["message"].as_str().unwrap().contains("剩余空间"), "{v}");
    let list: Value = call(&app, &officer, Method::GET, "/api/v1/jobs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    // fill the officer's room with exports of every household, then one more is refused
    let mut refused = None;
    for _ in 0..20 {
        let res = export(
            &app,
            &officer,
            json!({"kind": "households", "region": "360124", "format": "csv"}),
        )
        .await;
        if res.status() == StatusCode::INSUFFICIENT_STORAGE {
            refused = Some(res.json::<Value>().await.unwrap());
            break;
        }
        let id = started(res).await;
        finished(&app, &officer, &id).await;
    }
    let v = refused.expect("the officer's room runs out");
    assert_eq!(v["code"], "job_space_full");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("达到每人 64 KiB 的上限"),
        "{v}"
    );
    // another user still has room; forgetting jobs makes room again
    let admin = login(&app, "demo-admin").await;
    let res = export(
        &app,
        &admin,
        json!({"kind": "incomes", "region": TAGANG, "year": 2018, "format": "csv"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let list: Value = call(&app, &officer, Method::GET, "/api/v1/jobs")
        .await
        .json()
        .await
        .unwrap();
    for j in list["items"].as_array().unwrap() {
        let uri = format!("/api/v1/jobs/{}", j["id"].as_str().unwrap());
        call(&app, &officer, Method::DELETE, &uri).await;
    }
    let res = export(
        &app,
        &officer,
        json!({"kind": "incomes", "region": TAGANG, "year": 2018, "format": "csv"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn the_servers_room_for_job_files_is_bounded_too() {
    let data = tempfile::tempdir().unwrap();
    let app = app_with_jobs(data.path(), 1 << 30, 1).await;
    let officer = login(&app, "demo-officer").await;
    tagang_incomes(&app, &officer).await;
    let admin = login(&app, "demo-admin").await;
    let res = export(
        &app,
        &admin,
        json!({"kind": "incomes", "region": TAGANG, "year": 2018, "format": "csv"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::INSUFFICIENT_STORAGE);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "job_space_full");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("服务器上导入导出任务的文件已达"),
        "{v}"
    );
}

/// The year names an export only when the export keeps to it: a households export asked for 2018
/// holds today's households and carries no year in its label or file name; an incomes export of
/// 2018 does. Every kind, as `ExportKind::uses_year` tells (incomes, profiles, visits, statistics).
#[tokio::test]
async fn an_exports_name_carries_the_year_only_when_the_export_keeps_to_it() {
    use fupin_io::export::ExportKind;
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let mut named = Vec::new();
    for kind in ExportKind::ALL {
        let id = started(
            export(
                &app,
                &officer,
                json!({"kind": kind.as_str(), "region": TAGANG, "year": 2018, "format": "csv"}),
            )
            .await,
        )
        .await;
        let job = finished(&app, &officer, &id).await;
        assert_eq!(job["state"], "done", "{job}");
        let label = job["label"].as_str().unwrap().to_string();
        let file = job["file"]["name"].as_str().unwrap().to_string();
        assert_eq!(file, format!("{label}.csv"));
        assert_eq!(
            label.contains("2018"),
            kind.uses_year(),
            "{kind:?}: {label}"
        );
        named.push((kind, label));
    }
    let name = |k: ExportKind| named.iter().find(|(n, _)| *n == k).unwrap().1.as_str();
    assert_eq!(name(ExportKind::Households), "塔岗村委会家庭成员");
    assert_eq!(name(ExportKind::Incomes), "塔岗村委会2018年家庭收入");
    assert_eq!(name(ExportKind::Regions), "塔岗村委会行政区划");
    assert_eq!(name(ExportKind::Visits), "塔岗村委会2018年走访记录");
}

/// Households of 塔岗 a search finds (by number), through the API.
async fn found(app: &TestApp, token: &str, q: &str) -> usize {
    let v: Value = call(
        app,
        token,
        Method::GET,
        &format!("/api/v1/households?region={TAGANG}&q={q}"),
    )
    .await
    .json()
    .await
    .unwrap();
    v["items"].as_array().expect("items").len()
}

/// A GBK file of one good and one bad household, imported without `partial`: nothing is written,
/// and the job says so — its page tells the good household as one that would be created, not as
/// created, and the report names the error file by the address the job gives it. With `partial`
/// the same file writes the good household, and the page says it was created.
#[tokio::test]
async fn a_rejected_import_tells_its_counts_as_not_written() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let session = common::pages::sign_in(&app, "demo-officer").await;
    let idn = common::store::idn;
    let (good, bad) = (format!("{TAGANG}9901"), format!("{TAGANG}9902"));
    let text = format!(
        "户编码,村代码,贫困户属性,识别标准,识别年度,主要致贫原因,状态,姓名,身份证号,性别,与户主关系\n\
         {good},{TAGANG},一般贫困户,国家标准,2016,因病,未脱贫,甲某,{},男,户主\n\
         {bad},{TAGANG},一般贫困户,国家标准,2019-02-30,因病,未脱贫,乙某,{},男,户主\n",
        idn("19610203", 91),
        idn("19620304", 93)
    );
    let gbk = fupin_io::encoding::encode_gb18030(&text);
    assert_ne!(gbk, text.as_bytes(), "the file is GBK, not UTF-8");
    let id =
        started(upload(&app, &officer, "?kind=households", "text/csv", gbk.clone()).await).await;
    let job = finished(&app, &officer, &id).await;
    assert_eq!(job["state"], "done", "{job}");
    let r = &job["report"];
    assert_eq!(r["encoding"], "gb18030", "{r}");
    assert_eq!(r["committed"], false, "{r}");
    assert_eq!(
        (r["created"].as_u64(), r["rejected"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["issues"][0]["line"], 3, "{r}");
    assert_eq!(r["issues"][0]["code"], "invalid_year", "{r}");
    assert_eq!(r["error_file"], job["file"]["url"], "{job}");
    assert_eq!(r["error_file"], format!("/api/v1/jobs/{id}/file"));
    assert_eq!(found(&app, &officer, &good).await, 0, "nothing written");
    let (status, page) = common::pages::get(&app, &session, &format!("/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("未写入。"), "{page}");
    assert!(page.contains("校验通过可新增 1、可更新 0"), "{page}");
    assert!(page.contains("<dt>可新增（未写入）</dt>"), "{page}");
    assert!(!page.contains("<dt>新增</dt>"), "{page}");

    // with partial, the good household is written and told as created
    let id = started(
        upload(
            &app,
            &officer,
            "?kind=households&partial=true",
            "text/csv",
            gbk,
        )
        .await,
    )
    .await;
    let job = finished(&app, &officer, &id).await;
    let r = &job["report"];
    assert_eq!(r["committed"], true, "{r}");
    assert_eq!(
        (r["created"].as_u64(), r["rejected"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(
        found(&app, &officer, &good).await,
        1,
        "the good household is written"
    );
    assert_eq!(found(&app, &officer, &bad).await, 0);
    let (_, page) = common::pages::get(&app, &session, &format!("/jobs/{id}")).await;
    assert!(page.contains("已写入。"), "{page}");
    assert!(page.contains("<dt>新增</dt>"), "{page}");
    assert!(!page.contains("可新增"), "{page}");
}

/// A report names its kind as the API and the README do (`status_changes`), whatever name the
/// upload gave it.
#[tokio::test]
async fn a_reports_kind_is_the_documented_name() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    for given in ["status_changes", "statuses"] {
        let body = "户编码,新状态,变更日期\nNOSUCH01,已脱贫,2019-12-01\n"
            .as_bytes()
            .to_vec();
        let id = started(
            upload(
                &app,
                &officer,
                &format!("?kind={given}&dry_run=true"),
                "text/csv",
                body,
            )
            .await,
        )
        .await;
        let job = finished(&app, &officer, &id).await;
        assert_eq!(job["state"], "done", "{job}");
        assert_eq!(job["report"]["kind"], "status_changes", "{job}");
    }
}
