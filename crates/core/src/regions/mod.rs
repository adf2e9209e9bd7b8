//! Administrative regions: 12-digit statistical division codes, levels, the code-prefix hierarchy,
//! poor-village designation and village yearly profiles.
//!
//! The code *is* the path: province (2) + city (2) + county (2) + township (3) + village (3).
//! "A region and everything below it" is therefore the closed range `[prefix000…, prefix999…]`, which
//! every store answers with a range scan on an indexed code column (no recursive walk, no closure table).

pub mod store;

mod code;
mod model;

pub use code::{Level, RegionCode};
pub use model::*;
