//! Test support shared by the whole suite: a fresh store per test from `TEST_DATABASE_URL`
//! (a temporary SQLite file when unset; a new database on the server for `postgres://…`), and
//! `spawn_app`, which serves the real router on port 0.

use fupin_core::store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// The audit keys of the test suite (`FUPIN_AUDIT_KEY` of the binaries it runs): every store and
/// process of a test seals with the same key, as one installation's would.
pub const TEST_AUDIT_KEYS: &str =
    "key 667570696e20746573742d7375697465206175646974206b6579202330303031";

/// [`TEST_AUDIT_KEYS`] as a ring.
pub fn test_audit_keys() -> Arc<fupin_core::audit::AuditKeys> {
    Arc::new(fupin_core::audit::AuditKeys::parse(TEST_AUDIT_KEYS).expect("test keys"))
}

/// A store on a database of its own.
pub struct TestDb {
    pub url: String,
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

/// Open a fresh, empty store for one test.
pub async fn test_store() -> TestDb {
    let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    if base.starts_with("postgres") {
        let url = fupin_db_postgres::create_scratch_database(&base, "fupin_t_")
            .await
            .expect("create test database");
        let store = crate::open_store(&url)
            .await
            .expect("open PostgreSQL test store");
        store.use_audit_keys(test_audit_keys());
        TestDb {
            url,
            store,
            _dir: None,
        }
    } else {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = crate::open_store(&url)
            .await
            .expect("open SQLite test store");
        store.use_audit_keys(test_audit_keys());
        TestDb {
            url,
            store,
            _dir: Some(dir),
        }
    }
}

/// The app served on a free local port, with its store.
pub struct TestApp {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.db.store
    }
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Serve the real router on 127.0.0.1:0 over a fresh store.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|s| s).await
}

/// [`spawn_app`] with the state set up by `configure` (e.g. job files under a given folder).
pub async fn spawn_app_with(
    configure: impl FnOnce(fupin_web::AppState) -> fupin_web::AppState,
) -> TestApp {
    let db = test_store().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = configure(fupin_web::AppState::new(db.store.clone()));
    tokio::spawn(async move {
        let _ = fupin_web::serve(listener, state, async move {
            let _ = rx.await;
        })
        .await;
    });
    TestApp {
        addr,
        base: format!("http://{addr}"),
        db,
        shutdown: Some(tx),
    }
}

impl TestDb {
    /// A backend of its own on the test database, bypassing the store.
    pub async fn backend(&self) -> Box<dyn fupin_db::sql::Backend> {
        if self.url.starts_with("postgres") {
            Box::new(
                fupin_db_postgres::PgBackend::connect(&self.url)
                    .await
                    .expect("connect"),
            )
        } else {
            Box::new(
                fupin_db_sqlite::SqliteBackend::connect(&self.url)
                    .await
                    .expect("connect"),
            )
        }
    }

    /// Run raw SQL on the test database, bypassing the store (to simulate tampering in tests).
    pub async fn raw(&self, sql: &str) {
        if let Err(e) = self.try_raw(sql).await {
            panic!("raw SQL failed: {e}");
        }
    }

    /// Like `raw`, returning the error instead of panicking.
    pub async fn try_raw(&self, sql: &str) -> Result<u64, String> {
        let backend = self.backend().await;
        let mut tx = backend.begin_write().await.map_err(|e| e.to_string())?;
        let n = tx.execute(sql, &[]).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        Ok(n)
    }

    /// The first column of a query's rows, as text (catalogue queries in tests).
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        let rows = self
            .backend()
            .await
            .fetch_all(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("query failed: {e}"));
        rows.iter()
            .map(|r| r.text(0).expect("a text column"))
            .collect()
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

/// Create an account with `grants` (role, 12-digit region code) directly in the store, as the CLI
/// would; for tests that need users other than the demo ones.
pub async fn create_user(
    store: &dyn Store,
    username: &str,
    password: &str,
    grants: &[(fupin_core::accounts::Role, &str)],
) -> fupin_core::accounts::User {
    use fupin_core::accounts::{hash_password, Grant, NewUserInput};
    let ctx = fupin_core::Ctx::system("system:test");
    let input = NewUserInput {
        username: username.to_string(),
        display_name: format!("测试用户 {username}"),
        unit: None,
        phone: None,
        password: password.to_string(),
        region: None,
    };
    let new = input
        .validate(|p| hash_password(p, &rand::random()))
        .expect("valid test user");
    let mut user = store.create_user(&ctx, new).await.expect("create user");
    for (role, region) in grants {
        let grant = Grant {
            role: *role,
            region: fupin_core::RegionCode::parse(region).expect("region code"),
        };
        user = store.grant(&ctx, user.id, grant).await.expect("grant");
    }
    user
}

/// [`spawn_app`] with the demo loaded: the regions of 进贤县, 塔岗 and its neighbours' households,
/// and the demo accounts (`crate::demo_accounts`, password `fupin-demo`).
pub async fn spawn_demo_app() -> TestApp {
    let app = spawn_app().await;
    let ctx = fupin_core::Ctx::system("system:demo");
    crate::demo::load_demo(app.store().as_ref(), &ctx)
        .await
        .expect("load demo");
    crate::demo_accounts::create_demo_accounts(app.store().as_ref(), &ctx)
        .await
        .expect("demo accounts");
    app
}

/// A valid 1×1 PNG, for photo uploads in tests.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The start of a GIF, which photo uploads must refuse (only JPEG and PNG are accepted).
pub const TINY_GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// A PNG of `width`×`height` pixels whose colours vary across it (so that scaling shows).
pub fn test_png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG encodes");
    out.into_inner()
}

/// The latitude a phone wrote into [`jpeg_with_gps`]'s EXIF: 28°41′ N, as rational numbers.
pub const GPS_LATITUDE: [u32; 6] = [28, 1, 41, 1, 0, 1];

/// A JPEG of `width`×`height` pixels as a phone writes it: an EXIF segment right after the start
/// with orientation 6 (the camera was turned: show the pixels rotated 90° clockwise) and a GPS
/// position (latitude [`GPS_LATITUDE`] N, longitude 115°53′ E).
pub fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        }
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .expect("a JPEG encodes");
    let jpeg = jpeg.into_inner();
    // TIFF structure, big-endian: IFD0 (orientation, GPS pointer) at 8, the GPS IFD at 38, its
    // rationals at 92 and 116
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_be_bytes());
        t.extend(ty.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    };
    t.extend(2u16.to_be_bytes());
    entry(&mut t, 0x0112, 3, 1, [0, 6, 0, 0]); // Orientation = 6
    entry(&mut t, 0x8825, 4, 1, 38u32.to_be_bytes()); // GPS IFD
    t.extend(0u32.to_be_bytes());
    t.extend(4u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0"); // GPSLatitudeRef
    entry(&mut t, 0x0002, 5, 3, 92u32.to_be_bytes()); // GPSLatitude
    entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0"); // GPSLongitudeRef
    entry(&mut t, 0x0004, 5, 3, 116u32.to_be_bytes()); // GPSLongitude
    t.extend(0u32.to_be_bytes());
    for n in GPS_LATITUDE.into_iter().chain([115, 1, 53, 1, 0, 1]) {
        t.extend(n.to_be_bytes());
    }
    assert_eq!(t.len(), 140);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// Whether a JPEG or PNG holds EXIF data (a JPEG's APP1 segment or a PNG's eXIf chunk) or the
/// GPS latitude of [`jpeg_with_gps`] anywhere.
pub fn has_exif(bytes: &[u8]) -> bool {
    let latitude: Vec<u8> = GPS_LATITUDE.iter().flat_map(|n| n.to_be_bytes()).collect();
    bytes.windows(6).any(|w| w == b"Exif\0\0")
        || bytes.windows(4).any(|w| w == b"eXIf")
        || bytes.windows(latitude.len()).any(|w| w == latitude)
}

/// A PNG of a few dozen bytes that declares an image of `width`×`height` grey pixels (its data
/// one row of zeros): what a decompression bomb looks like before its pixels are inflated.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit grey, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    // a zlib stream of one stored block: the filter byte and 16 zero pixels
    let row = [0u8; 17];
    let mut idat = vec![0x78, 0x01, 0x01];
    idat.extend((row.len() as u16).to_le_bytes());
    idat.extend((!(row.len() as u16)).to_le_bytes());
    idat.extend(row);
    // Adler-32 of 17 zeros: a stays 1, b adds a 17 times
    idat.extend(((17u32 << 16) | 1).to_be_bytes());
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// An HTML page behind a PNG signature: what a browser could be made to render if it were served
/// as uploaded.
pub const HTML_AFTER_PNG_SIGNATURE: &[u8] =
    b"\x89PNG\r\n\x1a\n<html><body><script>alert(document.cookie)</script></body></html>";

/// The first column of the first row of `sql` on the database at `url`, as an integer (counts in
/// tests that run the binary on a database).
pub async fn scalar_i64(url: &str, sql: &str) -> i64 {
    let backend: Box<dyn fupin_db::sql::Backend> = if url.starts_with("postgres") {
        Box::new(
            fupin_db_postgres::PgBackend::connect(url)
                .await
                .expect("connect"),
        )
    } else {
        Box::new(
            fupin_db_sqlite::SqliteBackend::connect(url)
                .await
                .expect("connect"),
        )
    };
    let rows = backend
        .fetch_all(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows[0].i64(0).expect("an integer")
}

/// A `fupin` binary run to completion, with the suite's audit keys: exit status, standard output
/// and error.
pub fn run_fupin(bin: &std::path::Path, url: &str, args: &[&str]) -> (Option<i32>, String, String) {
    run_fupin_keyed(bin, url, args, Some(TEST_AUDIT_KEYS))
}

/// [`run_fupin`] with `FUPIN_AUDIT_KEY` set to `keys`, or unset (`None`: the key file of the data
/// directory, which `args` should give with `--data-dir`).
pub fn run_fupin_keyed(
    bin: &std::path::Path,
    url: &str,
    args: &[&str],
    keys: Option<&str>,
) -> (Option<i32>, String, String) {
    let mut cmd = std::process::Command::new(bin);
    match keys {
        Some(k) => cmd.env(crate::audit_keys::KEY_ENV, k),
        None => cmd.env_remove(crate::audit_keys::KEY_ENV),
    };
    let out = cmd
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run fupin");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `fupin serve` as a separate process on a port of its own (for tests that kill it), its log
/// (standard error) collected.
pub struct ServerProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    log: Arc<std::sync::Mutex<String>>,
    /// The data directory, when the test gave none (`--data-dir`): a folder of its own, never the
    /// working directory.
    _data: Option<tempfile::TempDir>,
}

impl ServerProcess {
    /// Start `bin serve` on `url` with `args` and the suite's audit keys, and wait until it
    /// listens.
    pub fn start(bin: &std::path::Path, url: &str, args: &[&str]) -> ServerProcess {
        Self::start_keyed(bin, url, args, Some(TEST_AUDIT_KEYS))
    }

    /// [`ServerProcess::start`] with `FUPIN_AUDIT_KEY` set to `keys`, or unset (`None`: the key
    /// file of the data directory).
    pub fn start_keyed(
        bin: &std::path::Path,
        url: &str,
        args: &[&str],
        keys: Option<&str>,
    ) -> ServerProcess {
        use std::io::BufRead;
        let data = (!args.contains(&"--data-dir")).then(|| tempfile::tempdir().expect("data dir"));
        let mut cmd = std::process::Command::new(bin);
        match keys {
            Some(k) => cmd.env(crate::audit_keys::KEY_ENV, k),
            None => cmd.env_remove(crate::audit_keys::KEY_ENV),
        };
        if let Some(d) = &data {
            cmd.arg("--data-dir").arg(d.path());
        }
        let mut child = cmd
            .arg("--database-url")
            .arg(url)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "info,sqlx=warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start fupin serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("fupin 已启动：http://").nth(1) {
                    let addr: String = rest.chars().take_while(|c| *c != '（').collect();
                    let _ = tx.send(addr);
                }
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let addr = match rx.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("fupin serve did not start:\n{}", log.lock().unwrap());
            }
        };
        ServerProcess {
            child,
            base: format!("http://{addr}"),
            log,
            _data: data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM: a graceful shutdown.
    pub fn terminate(&self) {
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "kill -TERM failed");
    }

    /// Wait up to `limit` for the process to exit; its exit code (None: still running, or killed
    /// by a signal).
    pub fn wait(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let until = std::time::Instant::now() + limit;
        while std::time::Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
