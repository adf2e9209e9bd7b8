//! Rectification (整改销号): problems found by inspections, audits, complaints, data-quality rules and
//! comparison with other departments' lists, each tracked step by step until it is signed off by a
//! second person (four-eyes) or reopened; campaigns (整改行动) that group them; the data-quality
//! rules kept as data and the reconciliation of their findings with the problems already recorded.

pub mod store;

mod attachment;
mod comparison;
mod model;
mod rules;
mod workflow;

pub use attachment::*;
pub use comparison::*;
pub use model::*;
pub use rules::*;
pub use workflow::*;
