//! Boundaries for the board's map (choropleth), when the deployment supplies them: GeoJSON files in
//! the folder named by `FUPIN_GEOJSON_DIR`, named by region code. For a region `R`, the map of its
//! children is `R.geojson` (or `R.json`), a FeatureCollection of the children; failing that, the
//! children's own files (`C.geojson` for each child `C`) are put together. A feature is matched to a
//! child by `properties.code` (12 digits, or the significant prefix), or `properties.adcode` (the
//! 6-digit county codes of common published boundary files). Without boundaries the board shows
//! its table only.
//!
//! Boundaries are read from disk on each request (they are few and small, and a deployment can add
//! them without a restart). Rejected: shipping boundaries in the binary, which would be out of date
//! and are not ours to publish.

use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use fupin_core::accounts::Policy;
use fupin_core::RegionCode;
use serde_json::{json, Value};
use std::path::{Path as FsPath, PathBuf};

/// The environment variable naming the boundaries folder.
pub(crate) const GEOJSON_DIR_ENV: &str = "FUPIN_GEOJSON_DIR";

/// Largest boundary file read.
const MAX_FILE: u64 = 32 * 1024 * 1024;

/// The configured folder, if it exists.
pub(crate) fn dir() -> Option<PathBuf> {
    let d = std::env::var_os(GEOJSON_DIR_ENV)?;
    let p = PathBuf::from(d);
    p.is_dir().then_some(p)
}

fn read(path: &FsPath) -> Option<Value> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        return None;
    }
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

fn file(dir: &FsPath, code: &RegionCode) -> Option<Value> {
    ["geojson", "json"]
        .iter()
        .find_map(|ext| read(&dir.join(format!("{}.{ext}", code.as_str()))))
}

/// The features of a file: a FeatureCollection's, or a single Feature.
fn features(v: Value) -> Vec<Value> {
    match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match v.get("features") {
            Some(Value::Array(a)) => a.clone(),
            _ => vec![],
        },
        Some("Feature") => vec![v],
        _ => vec![],
    }
}

/// The 12-digit code a feature names, if any.
fn feature_code(f: &Value) -> Option<String> {
    let p = f.get("properties")?;
    let raw = match p.get("code").or_else(|| p.get("adcode"))? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 12 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{raw:0<12}"))
}

/// The children's boundaries under `parent`, each feature's `properties.code` set to the child's
/// 12-digit code; `None` when there are none.
pub(crate) fn children_map(
    dir: &FsPath,
    parent: &RegionCode,
    children: &[RegionCode],
) -> Option<Value> {
    let mut all = file(dir, parent).map(features).unwrap_or_default();
    if all.is_empty() {
        for c in children {
            if let Some(v) = file(dir, c) {
                all.extend(features(v));
            }
        }
    }
    let wanted: Vec<&str> = children.iter().map(|c| c.as_str()).collect();
    let kept: Vec<Value> = all
        .into_iter()
        .filter_map(|mut f| {
            let code = feature_code(&f)?;
            if !wanted.contains(&code.as_str()) {
                return None;
            }
            if let Some(Value::Object(p)) = f.get_mut("properties") {
                p.insert("code".into(), Value::String(code));
            }
            Some(f)
        })
        .collect();
    (!kept.is_empty()).then(|| json!({ "type": "FeatureCollection", "features": kept }))
}

/// Whether the board of `parent` can draw a map.
pub(crate) fn has_map(parent: &RegionCode, children: &[RegionCode]) -> bool {
    dir().is_some_and(|d| children_map(&d, parent, children).is_some())
}

/// `GET /geo/{code}`: the children's boundaries of a region in the caller's scope.
pub(super) async fn children_geojson(
    v: Viewer,
    State(app): State<AppState>,
    Path(code): Path<String>,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let code = RegionCode::parse(code.trim_end_matches(".json"))
        .map_err(|e| PageError::bad_request(e.message))?;
    let region = app.store.region(&ctx, &code).await?;
    let children: Vec<RegionCode> = app
        .store
        .region_children(&ctx, Some(&region.region.code))
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let map = dir()
        .and_then(|d| children_map(&d, &code, &children))
        .ok_or_else(PageError::not_found)?;
    let mut res = axum::Json(map).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn parent_file_or_children_files() {
        let d = std::env::temp_dir().join(format!("fupin-geo-test-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let square = |code: &str| {
            json!({"type": "Feature", "properties": {"adcode": code, "name": "x"},
                   "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}})
        };
        let kids = [c("360124106204"), c("360124106205")];
        assert!(children_map(&d, &c("360124106000"), &kids).is_none());
        std::fs::write(
            d.join("360124106204.geojson"),
            square("360124106204").to_string(),
        )
        .unwrap();
        let m = children_map(&d, &c("360124106000"), &kids).unwrap();
        assert_eq!(m["features"].as_array().unwrap().len(), 1);
        assert_eq!(m["features"][0]["properties"]["code"], "360124106204");
        let fc =
            json!({"type": "FeatureCollection", "features": [square("360124"), square("360125")]});
        std::fs::write(d.join("360100000000.json"), fc.to_string()).unwrap();
        let m = children_map(&d, &c("360100000000"), &[c("360124000000")]).unwrap();
        assert_eq!(m["features"].as_array().unwrap().len(), 1, "only children");
        assert_eq!(m["features"][0]["properties"]["code"], "360124000000");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
