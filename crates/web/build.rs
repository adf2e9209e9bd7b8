//! Build script of fupin-web: brings the front-end libraries the pages embed (ECharts, and Swagger UI
//! for the API reference page) from the npm
//! registry, pinned by `frontend/package-lock.json`, and copies them into `OUT_DIR` for
//! `include_bytes!` (see `src/ui/assets.rs`).
//!
//! `npm ci --ignore-scripts` runs only when `frontend/node_modules` lacks the file, so an ordinary
//! rebuild does not touch the network. Rejected alternatives: committing the minified library (a
//! megabyte of generated code in every diff, and no lockfile to say where it came from), and
//! loading it from a CDN at run time (a village office may have no internet, and no page of fupin
//! may make an external request).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Files taken from `node_modules`: (path inside node_modules, name in OUT_DIR).
const FILES: &[(&str, &str)] = &[
    ("echarts/dist/echarts.min.js", "echarts.min.js"),
    (
        "swagger-ui-dist/swagger-ui-bundle.js",
        "swagger-ui-bundle.js",
    ),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css"),
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let frontend = manifest.join("frontend");
    let modules = frontend.join("node_modules");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));

    println!("cargo:rerun-if-changed=frontend/package.json");
    println!("cargo:rerun-if-changed=frontend/package-lock.json");
    for (src, _) in FILES {
        println!("cargo:rerun-if-changed=frontend/node_modules/{src}");
    }

    if FILES.iter().any(|(src, _)| !modules.join(src).is_file()) {
        npm_ci(&frontend);
    }
    for (src, dst) in FILES {
        let from = modules.join(src);
        if let Err(e) = std::fs::copy(&from, out.join(dst)) {
            fail(&format!(
                "cannot copy {} to OUT_DIR: {e}. Remove crates/web/frontend/node_modules and build again.",
                from.display()
            ));
        }
    }
}

/// `npm ci --ignore-scripts` in `dir`: exactly the versions of the lockfile, no install scripts.
fn npm_ci(dir: &Path) {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => fail(&format!(
            "`npm ci --ignore-scripts` failed in {} ({s}). The pages embed ECharts and Swagger UI \
             from the npm registry; check that the registry is reachable.",
            dir.display()
        )),
        Err(e) => fail(&format!(
            "npm is not available ({e}). Building fupin-web needs Node.js and npm once, to fetch the \
             front-end libraries pinned in {}/package-lock.json (e.g. `apt-get install nodejs npm`).",
            dir.display()
        )),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    panic!("fupin-web build script: {msg}");
}
