//! Set-up shared by the store's contract tests: the region tree of 罗溪镇 with its villages 塔岗 and
//! 三房, and valid ID numbers. Each test file uses a part of it.
#![allow(dead_code)]

use fupin_core::id_number::check_char;
use fupin_core::regions::RegionRecord;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};

pub const JINXIAN: &str = "360124000000";
pub const LUOXI: &str = "360124106000";
pub const TAGANG: &str = "360124106204";
pub const SANFANG: &str = "360124106205";

/// A checksum-valid ID number of 进贤县 of someone born on `birth` (`YYYYMMDD`).
pub fn idn(birth: &str, seq: u32) -> String {
    let body = format!("360124{birth}{seq:03}");
    format!("{body}{}", check_char(body.as_bytes()) as char)
}

/// Import 江西省 › 南昌市 › 进贤县 › 罗溪镇 with its villages 塔岗 and 三房.
pub async fn luoxi_regions(s: &dyn Store) {
    let regions = [
        ("360000000000", "江西省", ""),
        ("360100000000", "南昌市", "360000000000"),
        (JINXIAN, "进贤县", "360100000000"),
        (LUOXI, "罗溪镇", JINXIAN),
        (TAGANG, "塔岗村委会", LUOXI),
        (SANFANG, "三房村委会", LUOXI),
    ];
    let recs = regions
        .iter()
        .enumerate()
        .map(|(i, (c, n, p))| {
            (
                i as u64 + 2,
                RegionRecord {
                    code: c.to_string(),
                    level: None,
                    name: n.to_string(),
                    parent_code: Some(p.to_string()),
                },
            )
        })
        .collect();
    s.import_regions(&Ctx::system("setup"), recs).await.unwrap();
}

/// A region code known to be valid.
pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}
