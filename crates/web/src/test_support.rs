//! Helpers for the unit tests of this crate: the real store on a database of its own, and one-shot
//! requests.
//!
//! [`test_db`] opens the store `TEST_DATABASE_URL` names (a temporary SQLite file when unset, a new
//! database on the server for `postgres://…`), loads the regions from 江西省 down to 塔岗 and an
//! administrator of 江西省 (`test-admin`) who signs in with the API token [`TEST_TOKEN`]. `send` and
//! `get` sign in with that token; `send_anon` and `get_anon` do not. The HTTP tests of whole stories
//! run in `crates/fupin/tests`.

use crate::AppState;
use axum::body::Body;
use axum::http::{header, Request};
use axum::response::Response;
use axum::Router;
use fupin_core::accounts::{Grant, NewUser, Role};
use fupin_core::regions::{RegionCode, RegionRecord};
use fupin_core::store::Store;
use fupin_core::Ctx;
use std::sync::Arc;
use tower::ServiceExt;

/// The API token of `test-admin`, an administrator of 江西省.
pub(crate) const TEST_TOKEN: &str = "fupin_test-admin";

/// The village every test database holds (塔岗村委会), with its township, county, city and province.
pub(crate) const VILLAGE: &str = "360124106204";

/// The app's state over a store of its own; the database lives as long as this value.
pub(crate) struct TestDb {
    pub(crate) state: AppState,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A router over this database (cheap: the state is shared).
    pub(crate) fn router(&self) -> Router {
        crate::router(self.state.clone())
    }
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }
}

async fn open(url: &str) -> Arc<dyn Store> {
    let store: Arc<dyn Store> = if url.starts_with("postgres") {
        Arc::new(fupin_db_postgres::open(url).await.expect("open PostgreSQL"))
    } else {
        Arc::new(fupin_db_sqlite::open(url).await.expect("open SQLite"))
    };
    // audit entries are sealed with a key; any fixed one serves these tests
    store.use_audit_keys(Arc::new(fupin_core::audit::AuditKeys::new([7; 32], 0)));
    store
}

/// A fresh store with the regions of 塔岗 and `test-admin`.
pub(crate) async fn test_db() -> TestDb {
    let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    let (store, dir) = if base.starts_with("postgres") {
        let url = fupin_db_postgres::create_scratch_database(&base, "fupin_t_")
            .await
            .expect("create test database");
        (open(&url).await, None)
    } else {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        (open(&url).await, Some(dir))
    };
    let ctx = Ctx::system("system:test");
    let regions = [
        ("360000000000", "江西省", None),
        ("360100000000", "南昌市", Some("360000000000")),
        ("360124000000", "进贤县", Some("360100000000")),
        ("360124106000", "罗溪镇", Some("360124000000")),
        (VILLAGE, "塔岗村委会", Some("360124106000")),
    ];
    let records = regions
        .iter()
        .enumerate()
        .map(|(i, (code, name, parent))| {
            (
                i as u64 + 2,
                RegionRecord {
                    code: (*code).into(),
                    level: None,
                    name: (*name).into(),
                    parent_code: parent.map(Into::into),
                },
            )
        })
        .collect();
    store
        .import_regions(&ctx, records)
        .await
        .unwrap_or_else(|e| panic!("regions: {e:?}"));
    let admin = store
        .create_user(
            &ctx,
            NewUser {
                username: "test-admin".into(),
                display_name: "测试管理员".into(),
                unit: None,
                phone: None,
                // never checked: the tests sign in with the token
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
                home_region: None,
            },
        )
        .await
        .expect("create test-admin");
    let grant = Grant {
        role: Role::Admin,
        region: RegionCode::parse("360000000000").unwrap(),
    };
    store.grant(&ctx, admin.id, grant).await.expect("grant");
    store
        .create_token(&ctx, admin.id, "tests", &crate::auth::digest(TEST_TOKEN))
        .await
        .expect("token");
    TestDb {
        state: AppState::new(store),
        _dir: dir,
    }
}

/// Send as `test-admin` (unless the request brings credentials of its own).
pub(crate) async fn send(app: Router, mut req: Request<Body>) -> Response {
    let h = req.headers_mut();
    if !h.contains_key(header::AUTHORIZATION) && !h.contains_key(header::COOKIE) {
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {TEST_TOKEN}").parse().unwrap(),
        );
    }
    send_anon(app, req).await
}

/// Send without signing in.
pub(crate) async fn send_anon(app: Router, req: Request<Body>) -> Response {
    app.oneshot(req).await.expect("infallible")
}

pub(crate) async fn get(app: Router, uri: &str) -> Response {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub(crate) async fn get_anon(app: Router, uri: &str) -> Response {
    send_anon(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub(crate) async fn body_json(res: Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
}
