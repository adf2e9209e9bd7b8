//! fupin-io: import and export. Readers stream their input and report every bad row with its line
//! number (as `fupin_core::store::RowError`), leaving the rules themselves to `fupin-core`.

pub mod regions;

pub use regions::{read_regions, RegionLayout};
