//! Files on a problem's progress notes, over HTTP on the full demo (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`): a township officer's progress note with a photo and a PDF,
//! what is refused (other types, a PDF that is not one, another person's note, a sign-off, the
//! eleventh file, a signed-off problem), the download's headers, the audit record, 三房's officer
//! reaching none of it, and the problem page's form posting a note with its file.

mod common;

use common::pages::{self, sign_in};
use common::{demo_app, login};
use fupin::testing::TINY_PNG;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const LUOXI: &str = "360124106000";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// An open problem of 罗溪镇 (not of 三房) from the demo.
async fn open_problem(app: &fupin::testing::TestApp, token: &str) -> i64 {
    let (_, all) = send(
        Client::new()
            .get(app.url(&format!(
                "/api/v1/problems?region={LUOXI}&status=open&per_page=500"
            )))
            .bearer_auth(token),
    )
    .await;
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            !p["region_code"]
                .as_str()
                .unwrap()
                .starts_with("360124106205")
        })
        .expect("an open problem of 罗溪镇 outside 三房")["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn progress_notes_carry_photos_and_documents_within_scope() {
    let app = demo_app().await;
    let township = login(&app, "demo-township").await;
    let county = login(&app, "demo-officer").await;
    let other = login(&app, "demo-other").await;
    let admin = login(&app, "demo-admin").await;
    let c = Client::new();
    let id = open_problem(&app, &township).await;

    let (status, p) = send(
        c.post(app.url(&format!("/api/v1/problems/{id}/steps")))
            .bearer_auth(&township)
            .json(&json!({"action": "progress", "note": "已入户核实，附照片和通知"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let (_, d) = send(
        c.get(app.url(&format!("/api/v1/problems/{id}")))
            .bearer_auth(&township),
    )
    .await;
    let seq = d["trail"].as_array().unwrap().last().unwrap()["seq"]
        .as_i64()
        .unwrap();
    let upload = |token: &str, seq: i64, name: &str, bytes: &'static [u8]| {
        c.post(app.url(&format!(
            "/api/v1/problems/{id}/trail/{seq}/attachments?name={name}"
        )))
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(bytes)
    };

    // a photo (encoded again) and a PDF (kept as sent), named from the content
    let (status, photo) = send(upload(&township, seq, "现场.png", TINY_PNG)).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    assert_eq!(
        (
            photo["content_type"].as_str(),
            photo["file_name"].as_str(),
            photo["seq"].as_i64()
        ),
        (Some("image/png"), Some("现场.png"), Some(seq))
    );
    let (status, doc) = send(upload(&township, seq, "通知", PDF)).await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    assert_eq!(
        (
            doc["content_type"].as_str(),
            doc["file_name"].as_str(),
            doc["size"].as_i64()
        ),
        (
            Some("application/pdf"),
            Some("通知.pdf"),
            Some(PDF.len() as i64)
        )
    );

    // refused: other types, a PDF that is not one, an empty file, a step that is not a note,
    // another person's note, a step that does not exist
    for (token, seq, bytes, status, code) in [
        (
            &township,
            seq,
            &b"GIF89a\x01\x00"[..],
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_attachment_type",
        ),
        (
            &township,
            seq,
            &b"%PDF-1.4 <html></html>"[..],
            StatusCode::UNPROCESSABLE_ENTITY,
            "undecodable_attachment",
        ),
        (
            &township,
            seq,
            &b""[..],
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_attachment",
        ),
        (
            &township,
            1,
            PDF,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_a_progress_note",
        ),
        (&county, seq, PDF, StatusCode::FORBIDDEN, "forbidden"),
        (&township, 999, PDF, StatusCode::NOT_FOUND, "step_not_found"),
    ] {
        let (got, body) = send(upload(token, seq, "x", bytes)).await;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{body}");
    }
    // at most ten files on a note
    for _ in 0..8 {
        let (status, body) = send(upload(&township, seq, "p.png", TINY_PNG)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = send(upload(&township, seq, "p.png", TINY_PNG)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("too_many_attachments")
        ),
        "{body}"
    );

    // listed with their step; the download is the file, a photo inline, a PDF as a download
    let (_, d) = send(
        c.get(app.url(&format!("/api/v1/problems/{id}")))
            .bearer_auth(&county),
    )
    .await;
    let step = d["trail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["seq"].as_i64() == Some(seq))
        .unwrap();
    assert_eq!(step["attachments"].as_array().unwrap().len(), 10, "{step}");
    assert_eq!(step["attachments"][1]["id"], doc["id"]);
    let res = c
        .get(app.url(&format!("/api/v1/problem-attachments/{}", doc["id"])))
        .bearer_auth(&county)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/pdf");
    let disposition = res.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("%E9%80%9A%E7%9F%A5.pdf"),
        "{disposition}"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let res = c
        .get(app.url(&format!("/api/v1/problem-attachments/{}", photo["id"])))
        .bearer_auth(&township)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[CONTENT_TYPE], "image/png");
    assert!(res.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("inline;"));
    let back = res.bytes().await.unwrap();
    assert!(back.starts_with(b"\x89PNG"), "a PNG again");

    // 三房's officer reaches neither the files nor the note
    let (status, body) = send(
        c.get(app.url(&format!("/api/v1/problem-attachments/{}", doc["id"])))
            .bearer_auth(&other),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("attachment_not_found"))
    );
    let (status, body) = send(upload(&other, seq, "x.pdf", PDF)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("problem_not_found"))
    );

    // each stored file is an audit record of the problem
    let (status, log) = send(
        c.get(app.url(&format!(
            "/api/v1/audit?action=problem.attachment&entity_id={id}&per_page=50"
        )))
        .bearer_auth(&admin),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 10, "{log}");
    assert!(items.iter().all(|e| e["actor"] == "demo-township"));

    // a close-out request carries files in the same request as its note through the page; once
    // signed off, nothing more is attached
    let s = sign_in(&app, "demo-township").await;
    let (_, page) = pages::get(&app, &s, &format!("/problems/{id}")).await;
    let form = page
        .split("<form class=\"step\"")
        .find(|f| f.contains("data-action=\"request_close\""))
        .expect("the close-out form");
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    assert!(
        form.contains("type=\"file\" name=\"file\" multiple"),
        "{form}"
    );
    let (ct, body) = multipart(
        &[
            ("csrf_token", s.csrf.as_str()),
            ("action", "request_close"),
            ("note", "整改完成，附验收单"),
        ],
        &[("验收单.pdf", PDF), ("", b"")],
    );
    let res = pages::client()
        .post(app.url(&format!("/problems/{id}/steps")))
        .header(COOKIE, &s.cookie)
        .header(CONTENT_TYPE, ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, page) = pages::get(&app, &s, &format!("/problems/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("验收单.pdf"),
        "the file is listed on the page"
    );
    assert!(
        page.contains("/api/v1/problem-attachments/"),
        "with its link"
    );
    let (_, d) = send(
        c.get(app.url(&format!("/api/v1/problems/{id}")))
            .bearer_auth(&county),
    )
    .await;
    let last = d["trail"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "request_close");
    assert_eq!(last["attachments"][0]["file_name"], "验收单.pdf");

    // a bad file refuses the whole step: the page shows why, the trail is unchanged
    let (ct, body) = multipart(
        &[
            ("csrf_token", s.csrf.as_str()),
            ("action", "progress"),
            ("note", "补充材料"),
        ],
        &[("a.doc", b"PK\x03\x04word")],
    );
    let res = pages::client()
        .post(app.url(&format!("/problems/{id}/steps")))
        .header(COOKIE, &s.cookie)
        .header(CONTENT_TYPE, ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("附件只能是 JPEG、PNG 照片或 PDF 文件"));
    let (_, again) = send(
        c.get(app.url(&format!("/api/v1/problems/{id}")))
            .bearer_auth(&county),
    )
    .await;
    assert_eq!(again["trail"], d["trail"], "nothing recorded");

    let (status, p) = send(
        c.post(app.url(&format!("/api/v1/problems/{id}/steps")))
            .bearer_auth(&county)
            .json(&json!({"action": "sign_off"})),
    )
    .await;
    assert_eq!(
        (status, p["status"].as_str()),
        (StatusCode::OK, Some("closed")),
        "{p}"
    );
    let seq = last["seq"].as_i64().unwrap();
    let (status, body) = send(upload(&township, seq, "late.pdf", PDF)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("problem_closed")),
        "{body}"
    );
}

/// A `multipart/form-data` body as a browser sends it, with files under `file` (an input left
/// empty sends a part without a name and no bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----fupinTestBoundaryQ8xk2";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (fname, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fname}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
