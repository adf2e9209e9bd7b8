//! Running fupin for real, on whichever database `TEST_DATABASE_URL` names: the `fupin` binary as a
//! separate process, backed up while it writes, stopped with SIGTERM, killed with SIGKILL during a
//! stream of writes and during a large import, and restarted. After each: every acknowledged
//! write is there, nothing half-written, `fupin stats check` and `fupin audit verify` pass.

use fupin::demo_accounts::DEMO_PASSWORD;
use fupin::testing::{run_fupin, run_fupin_keyed, scalar_i64, test_store, ServerProcess, TestDb};
use fupin_core::id_number::check_char;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_fupin");
const TAGANG: &str = "360124106204";
const JINXIAN: &str = "360124000000";

fn bin() -> &'static Path {
    Path::new(BIN)
}

/// A fresh database with the whole demo loaded (regions of 进贤县, 塔岗, accounts, pairing).
async fn demo_db() -> TestDb {
    let db = test_store().await;
    fupin::load_demo_all(db.store.as_ref())
        .await
        .expect("load the demo");
    db
}

async fn login(base: &str, username: &str) -> String {
    let res = Client::new()
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": username, "password": DEMO_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::OK, "login {username}");
    let v: Value = res.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// A checksum-valid ID number, different for every `n` below 336,000.
fn idn(n: u32) -> String {
    let date = n / 1000;
    let body = format!(
        "3601241980{:02}{:02}{:03}",
        date / 28 + 1,
        date % 28 + 1,
        n % 1000
    );
    let c = check_char(body.as_bytes()) as char;
    format!("{body}{c}")
}

/// A new 塔岗 household of two, numbered from `n`.
fn household(n: u32) -> Value {
    json!({
        "household": {
            "household_number": format!("{TAGANG}{:04}", 5000 + n),
            "village_code": TAGANG,
            "attribute": "01",
            "identification_standard": "01",
            "identification_year": 2014,
            "main_cause": "因病",
        },
        "members": [
            {"name": "测试户主", "id_number": idn(2 * n), "relation": "户主"},
            {"name": "测试配偶", "id_number": idn(2 * n + 1), "relation": "配偶"},
        ],
    })
}

/// Clients creating households one after another until stopped, keeping what was acknowledged
/// (201 with the new id).
struct Writes {
    acked: Arc<Mutex<Vec<(i64, String)>>>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Writes {
    fn start(base: &str, token: &str, clients: usize) -> Writes {
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let next = Arc::new(AtomicU32::new(0));
        let tasks = (0..clients)
            .map(|_| {
                let (acked, stop, next) = (acked.clone(), stop.clone(), next.clone());
                let url = format!("{base}/api/v1/households");
                let token = token.to_string();
                tokio::spawn(async move {
                    let client = Client::builder()
                        .timeout(Duration::from_secs(30))
                        .build()
                        .unwrap();
                    while !stop.load(Ordering::SeqCst) {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        let body = household(n);
                        let number = body["household"]["household_number"]
                            .as_str()
                            .unwrap()
                            .to_string();
                        match client
                            .post(&url)
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await
                        {
                            Ok(res) if res.status() == StatusCode::CREATED => {
                                let v: Value = match res.json().await {
                                    Ok(v) => v,
                                    // the answer was cut: not acknowledged
                                    Err(_) => continue,
                                };
                                acked
                                    .lock()
                                    .unwrap()
                                    .push((v["id"].as_i64().unwrap(), number));
                            }
                            Ok(res) => {
                                let status = res.status();
                                let text = res.text().await.unwrap_or_default();
                                panic!("household {number}: {status} {text}");
                            }
                            // the server is gone (killed): try again shortly
                            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                        }
                    }
                })
            })
            .collect();
        Writes { acked, stop, tasks }
    }

    fn count(&self) -> usize {
        self.acked.lock().unwrap().len()
    }

    async fn until(&self, n: usize) {
        let start = Instant::now();
        while self.count() < n {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "only {} writes acknowledged",
                self.count()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn stop(self) -> Vec<(i64, String)> {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.tasks {
            t.await.expect("writer panicked");
        }
        let v = self.acked.lock().unwrap().clone();
        v
    }
}

/// `fupin stats check` for 塔岗 and 进贤县 in 2018 and this year, and `fupin audit verify`.
fn assert_consistent(url: &str) {
    assert_consistent_keyed(url, None);
}

/// [`assert_consistent`] with the audit key file of `data_dir` (else the suite's keys); the
/// output of `fupin audit verify`.
fn assert_consistent_keyed(url: &str, data_dir: Option<&Path>) -> String {
    let run = |args: &[&str]| match data_dir {
        None => run_fupin(bin(), url, args),
        Some(d) => {
            let mut all = vec!["--data-dir", d.to_str().unwrap()];
            all.extend_from_slice(args);
            run_fupin_keyed(bin(), url, &all, None)
        }
    };
    let this_year = fupin_core::years::today().year().to_string();
    for region in [TAGANG, JINXIAN] {
        for year in ["2018", this_year.as_str()] {
            let (code, out, err) = run(&["stats", "check", "--region", region, "--year", year]);
            assert_eq!(code, Some(0), "stats check {region} {year}: {out}{err}");
        }
    }
    let (code, out, err) = run(&["audit", "verify"]);
    assert_eq!(code, Some(0), "audit verify: {out}{err}");
    out
}

async fn households(url: &str) -> i64 {
    scalar_i64(url, "SELECT COUNT(*) FROM households").await
}

/// Every acknowledged household is in the database at `url`.
async fn assert_present(url: &str, acked: &[(i64, String)]) {
    let mut missing = Vec::new();
    for chunk in acked.chunks(200) {
        let ids: Vec<String> = chunk.iter().map(|(id, _)| id.to_string()).collect();
        let n = scalar_i64(
            url,
            &format!(
                "SELECT COUNT(*) FROM households WHERE id IN ({})",
                ids.join(",")
            ),
        )
        .await;
        if n != chunk.len() as i64 {
            missing.push(format!("{} of {}", chunk.len() as i64 - n, chunk.len()));
        }
    }
    assert!(
        missing.is_empty(),
        "acknowledged households missing: {missing:?}"
    );
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres")
}

/// A new empty database beside `url`'s: another SQLite file in `dir`, or a new PostgreSQL database.
async fn sibling_database(url: &str, dir: &Path) -> String {
    if is_postgres(url) {
        let base = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
        fupin_db_postgres::create_scratch_database(&base, "fupin_t_")
            .await
            .expect("create database")
    } else {
        format!("sqlite://{}", dir.join("restored.db").display())
    }
}

fn command(program: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The backup command of the README for the database at `url`: `fupin backup` (SQLite) or
/// `pg_dump --format=custom` (PostgreSQL).
fn take_backup(url: &str, file: &Path) {
    let f = file.to_str().unwrap();
    let (code, out) = if is_postgres(url) {
        command("pg_dump", &["--format=custom", "--file", f, url])
    } else {
        let (code, out, err) = run_fupin(bin(), url, &["backup", f]);
        (code, out + &err)
    };
    assert_eq!(code, Some(0), "backup: {out}");
}

/// The restore command of the README: `fupin restore` (SQLite) or `pg_restore` into an empty
/// database (PostgreSQL).
fn restore_backup(url: &str, file: &Path) {
    let f = file.to_str().unwrap();
    let (code, out) = if is_postgres(url) {
        command(
            "pg_restore",
            &["--no-owner", "--exit-on-error", "-d", url, f],
        )
    } else {
        let (code, out, err) = run_fupin(bin(), url, &["restore", f]);
        (code, out + &err)
    };
    assert_eq!(code, Some(0), "restore: {out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_during_writes_restores_whole() {
    let db = demo_db().await;
    let before = households(&db.url).await;
    let server = ServerProcess::start(bin(), &db.url, &[]);
    let token = login(&server.base, "demo-officer").await;
    let writes = Writes::start(&server.base, &token, 4);
    writes.until(20).await;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fupin.backup");
    let acked_at_start = writes.count();
    take_backup(&db.url, &file);
    let acked_at_end = writes.count();
    // the writes go on after the backup: the copy must not see them, nor half of any
    writes.until(acked_at_end + 20).await;
    let acked = writes.stop().await;
    server.terminate();

    let restored = sibling_database(&db.url, dir.path()).await;
    restore_backup(&restored, &file);
    let n = households(&restored).await - before;
    assert!(
        n >= acked_at_start as i64 && n <= acked_at_end as i64 + 4,
        "restored {n} new households; {acked_at_start} were acknowledged when the backup began, \
         {acked_at_end} when it ended"
    );
    assert!(
        (n as usize) < acked.len(),
        "the backup holds writes made after it"
    );
    // what was acknowledged before the backup began is in it
    assert_present(&restored, &acked[..acked_at_start]).await;
    assert_consistent(&restored);

    // the restored database serves: the demo officer signs in and reads 塔岗's statistics
    let again = ServerProcess::start(bin(), &restored, &[]);
    let token = login(&again.base, "demo-officer").await;
    let res = Client::new()
        .get(again.url(&format!("/api/v1/regions/{TAGANG}/stats?year=2018")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn restore_refuses_a_database_in_use_and_a_file_that_is_no_backup() {
    if is_postgres(&std::env::var("TEST_DATABASE_URL").unwrap_or_default()) {
        // PostgreSQL is restored with pg_restore; fupin says so instead
        let db = test_store().await;
        let (code, _, err) = run_fupin(bin(), &db.url, &["restore", "x.dump"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("pg_restore"), "{err}");
        let (code, _, err) = run_fupin(bin(), &db.url, &["backup", "x.dump"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("pg_dump"), "{err}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let file = dir.path().join("copy.db");
    drop(fupin::open_store(&url).await.unwrap());
    let f = file.to_str().unwrap();
    assert_eq!(run_fupin(bin(), &url, &["backup", f]).0, Some(0));
    // a second backup never overwrites the first
    let (code, _, err) = run_fupin(bin(), &url, &["backup", f]);
    assert_eq!(code, Some(1));
    assert!(err.contains("backup_exists"), "{err}");

    let server = ServerProcess::start(bin(), &url, &[]);
    let (code, _, err) = run_fupin(bin(), &url, &["restore", f]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("database_in_use"), "{err}");
    server.terminate();
    drop(server);

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just text").unwrap();
    let (code, _, err) = run_fupin(bin(), &url, &["restore", junk.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("invalid_backup"), "{err}");
    // the live database is untouched by the refusals
    assert_eq!(run_fupin(bin(), &url, &["audit", "verify"]).0, Some(0));
    assert!(!dir.path().join("live.db.before-restore").exists());
}

const OFFICER: &str = "ops-officer";
const OFFICER_PASSWORD: &str = "ops-officer-pass-1";
/// Households of the generated import: enough to be killed in the middle of, few enough for CI.
const IMPORT_HOUSEHOLDS: &str = "5000";

/// A database with the regions of 进贤县 and an officer of the county, and a generated households
/// file over its villages (numbers and ID numbers of its own, no demo to collide with).
async fn import_setup(dir: &Path) -> (TestDb, PathBuf) {
    let db = test_store().await;
    let regions = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/division_jinxian_360124_2023.csv"
    );
    let (code, out, err) = run_fupin(bin(), &db.url, &["region", "import", regions]);
    assert_eq!(code, Some(0), "{out}{err}");
    fupin::testing::create_user(
        db.store.as_ref(),
        OFFICER,
        OFFICER_PASSWORD,
        &[(fupin_core::accounts::Role::Officer, JINXIAN)],
    )
    .await;
    let out = dir.join("gen");
    let (code, o, e) = run_fupin(
        bin(),
        &db.url,
        &[
            "gen",
            "--households",
            IMPORT_HOUSEHOLDS,
            "--regions",
            regions,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{o}{e}");
    (db, out.join("households.csv"))
}

async fn officer_token(base: &str) -> String {
    let res = Client::new()
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": OFFICER, "password": OFFICER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// Upload `file` as an import job and wait until it has read some rows; the job's URL.
async fn import_running(base: &str, token: &str, file: &Path) -> String {
    let client = Client::new();
    let bytes = std::fs::read(file).unwrap();
    let res = client
        .post(format!("{base}/api/v1/imports"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let job: Value = res.json().await.unwrap();
    let url = format!("{base}/api/v1/jobs/{}", job["id"].as_str().unwrap());
    let start = Instant::now();
    loop {
        let v: Value = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["state"], "running", "the import ended too soon: {v}");
        if v["progress"]["rows"].as_u64().unwrap_or(0) > 0 {
            return url;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_during_writes_keeps_every_acknowledged_write() {
    let db = demo_db().await;
    let mut server = ServerProcess::start(bin(), &db.url, &[]);
    let token = login(&server.base, "demo-officer").await;
    let writes = Writes::start(&server.base, &token, 4);
    writes.until(30).await;
    server.kill();
    // the clients keep trying against the dead server; nothing more is acknowledged
    let acked = writes.stop().await;

    let again = ServerProcess::start(bin(), &db.url, &[]);
    let token = login(&again.base, "demo-officer").await;
    for (id, number) in acked.iter().step_by(7) {
        let v: Value = Client::new()
            .get(again.url(&format!("/api/v1/households/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["household_number"], number.as_str(), "{v}");
        assert_eq!(v["members"].as_array().map(Vec::len), Some(2), "{v}");
    }
    assert_present(&db.url, &acked).await;
    again.terminate();
    assert_consistent(&db.url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_during_an_import_leaves_nothing_of_it_and_the_import_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = import_setup(dir.path()).await;
    let before = households(&db.url).await;
    let mut server = ServerProcess::start(bin(), &db.url, &[]);
    let token = officer_token(&server.base).await;
    import_running(&server.base, &token, &file).await;
    server.kill();

    let n: i64 = IMPORT_HOUSEHOLDS.parse().unwrap();
    let after_kill = households(&db.url).await;
    assert_eq!(
        after_kill, before,
        "an import killed midway left households"
    );
    assert_eq!(
        scalar_i64(&db.url, "SELECT COUNT(*) FROM persons").await,
        0,
        "an import killed midway left persons"
    );
    // a restarted server is ready on the same database
    let again = ServerProcess::start(bin(), &db.url, &[]);
    let ready = Client::new()
        .get(again.url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    again.terminate();
    drop(again);
    assert_consistent(&db.url);

    let (code, out, err) = run_fupin(bin(), &db.url, &["import", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(households(&db.url).await, before + n);
    assert_consistent(&db.url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_requests_cancels_jobs_and_exits_zero() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = import_setup(dir.path()).await;
    let mut server = ServerProcess::start(bin(), &db.url, &["--shutdown-timeout", "10"]);
    let token = officer_token(&server.base).await;
    import_running(&server.base, &token, &file).await;

    // a request in flight: its head and half its body sent before the signal
    let addr = server.base.trim_start_matches("http://").to_string();
    let body = json!({"username": OFFICER, "password": OFFICER_PASSWORD}).to_string();
    let (first, rest) = body.as_bytes().split_at(10);
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/login HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(first).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.terminate();
    // no new connections once shutdown began
    let start = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(&addr).await.is_err() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still accepting connections after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // the request in flight is finished and answered
    conn.write_all(rest).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"token\""), "{answer}");

    let status = server
        .wait(Duration::from_secs(20))
        .expect("fupin serve did not exit after SIGTERM");
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let log = server.log();
    assert!(log.contains("job cancelled"), "{log}");
    assert_eq!(households(&db.url).await, 0, "a cancelled import wrote");
    assert_consistent(&db.url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drops_a_request_that_outlives_the_grace_period() {
    use tokio::io::AsyncWriteExt;
    let db = test_store().await;
    let mut server = ServerProcess::start(bin(), &db.url, &["--shutdown-timeout", "1"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    // a client that never finishes its body, on a connection the server has taken (a first
    // request answered on it), so that the request is in flight when the signal comes
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let first = read_one_response(&mut conn).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    conn.write_all(
        b"POST /api/v1/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = Instant::now();
    server.terminate();
    let status = server
        .wait(Duration::from_secs(15))
        .expect("did not exit after the grace period");
    assert_eq!(status.code(), Some(0), "{}", server.log());
    assert!(start.elapsed() >= Duration::from_millis(900));
    assert!(
        server.log().contains("dropped"),
        "the dropped request is logged: {}",
        server.log()
    );
}

/// One HTTP/1.1 response read from `conn` (head and a `content-length` body), the connection
/// left open.
async fn read_one_response(conn: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut chunk))
            .await
            .expect("no response within 10 s")
            .unwrap();
        assert!(n > 0, "connection closed before a whole response");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn readiness_needs_the_database_with_this_builds_schema() {
    let app = fupin::testing::spawn_app().await;
    let res = Client::new().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "ready");
    assert!(v["migration"].as_i64().unwrap() >= 5, "{v}");
    // a migration this build does not know: the database was migrated by a newer release
    app.db
        .raw(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             SELECT 99990101, 'from a newer release', success, checksum, execution_time \
             FROM _sqlx_migrations WHERE version = 1",
        )
        .await;
    let res = Client::new().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "schema_mismatch", "{v}");
    // liveness does not care
    let res = Client::new().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn metrics_text(url: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut req = Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_for_admins_or_the_allowed_address() {
    let db = demo_db().await;
    let server = ServerProcess::start(bin(), &db.url, &[]);
    let url = server.url("/metrics");
    let (status, _) = metrics_text(&url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let officer = login(&server.base, "demo-officer").await;
    let (status, body) = metrics_text(&url, Some(&officer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let admin = login(&server.base, "demo-admin").await;
    // some traffic: two reads of one household and a 404
    for path in ["/api/v1/households/1", "/api/v1/households/1", "/nowhere"] {
        Client::new()
            .get(server.url(path))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
    }
    // an export job, counted with its rows
    let res = Client::new()
        .post(server.url("/api/v1/exports"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "households", "region": TAGANG, "format": "csv"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let job: Value = res.json().await.unwrap();
    let job_url = server.url(&format!("/api/v1/jobs/{}", job["id"].as_str().unwrap()));
    let start = Instant::now();
    loop {
        let v: Value = Client::new()
            .get(&job_url)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["state"] == "done" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, text) = metrics_text(&url, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    for want in [
        r#"fupin_http_requests_total{method="GET",route="/api/v1/households/{id}",status="200"} 2"#,
        r#"fupin_http_requests_total{method="GET",route="(unmatched)",status="404"} 1"#,
        r#"fupin_http_request_duration_seconds_count{method="GET",route="/api/v1/households/{id}"} 2"#,
        r#"fupin_jobs_started_total{kind="export"} 1"#,
        r#"fupin_jobs_ended_total{kind="export",state="done"} 1"#,
        r#"fupin_jobs_running{kind="export"} 0"#,
        r#"fupin_db_pool_connections{state="max"}"#,
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    // the households exported: 塔岗's members, one row each
    let rows = text
        .lines()
        .find(|l| l.starts_with(r#"fupin_job_rows_total{kind="export"}"#))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no export rows in:\n{text}"));
    assert!(rows >= 14, "{rows}");
    // nothing of a household's number or a raw path in a label
    assert!(!text.contains("/api/v1/households/1\""), "{text}");
    drop(server);

    let allowed = ServerProcess::start(bin(), &db.url, &["--metrics-allow", "127.0.0.1"]);
    let (status, text) = metrics_text(&allowed.url("/metrics"), None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.ends_with("# EOF\n"));
}

#[tokio::test]
async fn json_logs_are_one_object_per_line() {
    let db = test_store().await;
    let out = std::process::Command::new(bin())
        .args(["--database-url", &db.url, "--log-format", "json", "migrate"])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no log lines");
    for line in lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["timestamp"].is_string(), "{v}");
    }
    let bad = std::process::Command::new(bin())
        .args(["--database-url", &db.url, "--log-format", "xml", "migrate"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// The release whose database the upgrade test starts from (`tests/fixtures/upgrade/make.sh`).
const FIXTURE_RELEASE: &str = "0.1.0";

/// The demo database as release `FIXTURE_RELEASE` left it, on this test's backend: the SQLite
/// file copied, or the PostgreSQL dump loaded into a new database with psql.
async fn fixture_database(dir: &Path) -> String {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade");
    let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    if is_postgres(&base) {
        let url = fupin_db_postgres::create_scratch_database(&base, "fupin_t_")
            .await
            .expect("create database");
        let dump = format!("{fixtures}/v{FIXTURE_RELEASE}-postgres.sql");
        let (code, out) = command(
            "psql",
            &["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", &dump, &url],
        );
        assert_eq!(code, Some(0), "loading {dump}: {out}");
        url
    } else {
        let file = dir.join("previous.db");
        std::fs::copy(format!("{fixtures}/v{FIXTURE_RELEASE}-sqlite.db"), &file).unwrap();
        format!("sqlite://{}", file.display())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_the_previous_release_upgrades_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = fixture_database(dir.path()).await;
    // `fupin migrate` applies what this release adds
    let (code, out, err) = run_fupin(bin(), &url, &["migrate"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let store = fupin::open_store(&url)
        .await
        .expect("open the upgraded database");
    let schema = store.schema_status().await.unwrap();
    assert!(schema.current(), "{schema:?}");
    // the article's figures of 塔岗, from the registry as the earlier release stored it
    let ctx = fupin_core::Ctx::system("test");
    let code = fupin_core::RegionCode::parse(TAGANG).unwrap();
    let s2018 = store.region_stats(&ctx, &code, 2018).await.unwrap();
    assert_eq!((s2018.households, s2018.persons), (14, 45));
    assert_eq!(s2018.per_capita_net_income_fen, Some(746_700));
    let s2016 = store.region_stats(&ctx, &code, 2016).await.unwrap();
    assert_eq!(s2016.per_capita_net_income_fen, Some(555_800));
    drop(store);
    // the audit entries of the earlier release carry no key: the key file created at the first
    // start after the upgrade keeps them as they are, and verify says so
    let data = dir.path().join("data");
    let unkeyed = scalar_i64(&url, "SELECT COUNT(*) FROM audit_log").await;
    assert!(unkeyed > 0);
    let out = assert_consistent_keyed(&url, Some(&data));
    assert!(
        out.contains(&format!("第 1–{unkeyed} 行写于启用审计密钥之前")),
        "{out}"
    );
    let key_file = std::fs::read_to_string(data.join("audit.key")).unwrap();
    assert!(
        key_file.contains(&format!("legacy-until {unkeyed}\n")),
        "{key_file}"
    );

    // accounts, pairing and assessment came through: the demo officer signs in, reads the
    // pairing report and the 2021 monitoring case of household 0003, and writes (sealed with the
    // new key, after the unkeyed entries)
    let data_arg = data.to_str().unwrap();
    let server = ServerProcess::start_keyed(bin(), &url, &["--data-dir", data_arg], None);
    let token = login(&server.base, "demo-officer").await;
    let get = |path: String| {
        let token = token.clone();
        let url = server.url(&path);
        async move {
            let res = Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.json::<Value>().await.unwrap()
        }
    };
    let report = get(format!(
        "/api/v1/regions/{TAGANG}/pairing-report?from=2015-10-01&to=2019-08-30"
    ))
    .await;
    assert!(report.to_string().contains("120000"), "{report}");
    let h: Value = get(format!("/api/v1/households/by-number/{TAGANG}0003")).await;
    let cases = get(format!("/api/v1/households/{}/cases", h["id"])).await;
    assert!(cases.as_array().is_some_and(|c| !c.is_empty()), "{cases}");
    let res = Client::new()
        .post(server.url("/api/v1/households"))
        .bearer_auth(&token)
        .json(&household(1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    server.terminate();
    drop(server);
    let out = assert_consistent_keyed(&url, Some(&data));
    assert!(out.contains("行写于启用审计密钥之前"), "{out}");
    assert!(out.contains("链头签名有效"), "{out}");
}

/// The audit key file, anchors and rotation through the binary, as an operator uses them.
#[tokio::test]
async fn audit_keys_and_anchors_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = test_store().await;
    let data = dir.path().join("data");
    let d = data.to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str()];
        all.extend_from_slice(args);
        run_fupin_keyed(bin(), &db.url, &all, None)
    };
    // the first start creates the key file, private to the server's user
    let regions = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/division_jinxian_360124_2023.csv"
    );
    let (code, out, err) = run(&["region", "import", regions]);
    assert_eq!(code, Some(0), "{out}{err}");
    let key_file = data.join("audit.key");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // the anchor, printed and written to a file
    let (code, printed, err) = run(&["audit", "anchor"]);
    assert_eq!(code, Some(0), "{err}");
    let a: Value = serde_json::from_str(printed.trim()).unwrap();
    assert!(a["seq"].as_i64().unwrap() >= 1, "{a}");
    assert!(
        a["signature"].as_str().is_some_and(|s| s.len() == 64),
        "{a}"
    );
    let anchor = dir.path().join("anchor.json");
    let af = anchor.to_str().unwrap();
    let (code, out, err) = run(&["audit", "anchor", "--out", af]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, err) = run(&["audit", "verify", "--anchor", af]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("与锚点一致"), "{out}");

    // another data directory holds no key for this log: refused, and no second key made
    let other = dir.path().join("other");
    let (code, _, err) = run_fupin_keyed(
        bin(),
        &db.url,
        &["--data-dir", other.to_str().unwrap(), "region", "counts"],
        None,
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("找不到密钥文件"), "{err}");
    assert!(!other.join("audit.key").exists());
    // nor does another key
    let (code, _, err) = run_fupin(bin(), &db.url, &["region", "counts"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("audit_key_invalid"), "{err}");

    // rotation: the new key seals, the old one still checks what it sealed
    let (code, out, err) = run(&["audit", "rotate-key"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let ring =
        fupin_core::audit::AuditKeys::parse(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    assert_eq!(ring.ids().len(), 2);
    db.store.use_audit_keys(Arc::new(ring));
    db.store
        .record_event(
            &fupin_core::Ctx::system("ops"),
            fupin_core::audit::AuditRecord::event("login", "user", None, json!({})),
        )
        .await
        .unwrap();
    let (code, out, err) = run(&["audit", "verify", "--anchor", af]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains('、'), "two keys named: {out}");

    // an anchor edited without the key fails
    let edited = dir.path().join("edited.json");
    let mut e = a.clone();
    e["seq"] = json!(a["seq"].as_i64().unwrap() - 1);
    std::fs::write(&edited, e.to_string()).unwrap();
    let (code, _, err) = run(&["audit", "verify", "--anchor", edited.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");

    // the whole log deleted and the head reset, the guard dropped first: the anchor finds it
    if db.is_postgres() {
        db.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
            .await;
    } else {
        db.raw("DROP TRIGGER audit_log_no_delete").await;
    }
    db.raw("DELETE FROM audit_log").await;
    db.raw(&format!(
        "UPDATE audit_head SET seq = 0, hash = '{}', signature = NULL",
        fupin_core::audit::GENESIS_HASH
    ))
    .await;
    let (code, _, err) = run(&["audit", "verify", "--anchor", af]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("锚点"), "{err}");
}
