//! Pairing and visits (结对帮扶): helping units and their designated villages, work teams and
//! first secretaries, cadres, household–cadre pairings with history, visits with condolence money
//! and goods, micro-wishes, and the compliance and totals that offices report.

pub mod store;

mod compliance;
mod figures;
mod model;
mod photo;
mod wish;

pub use compliance::*;
pub use figures::*;
pub use model::*;
pub use photo::*;
pub use wish::*;
