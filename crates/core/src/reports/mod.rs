//! Region statistics: what each household contributes to the per-(village, year) aggregates, how
//! those sum up a code prefix, and the figures a region reports for a year.
//!
//! Definitions (year Y, scope = a region and everything below it):
//! - **households**: households of the scope whose identification year ≤ Y and whose status at the end
//!   of Y is not `removed`;
//! - **persons**: members of those households present on 31 December Y;
//! - **by status / by main cause**: the same households (and their persons) split by status at the end
//!   of Y and by current main poverty cause;
//! - **per-capita net income of the scope**: Σ net income ÷ Σ persons over the households that have an
//!   income record for Y and at least one person that year (a weighted mean, not a mean of means),
//!   rounded half away from zero to whole fen;
//! - **growth** between Y0 and Y: (pc(Y) − pc(Y0)) ÷ pc(Y0), in per cent with one decimal.
//!
//! Stores keep one aggregate row per (village, year) for every year from a household's first year to
//! the store's horizon (the current year), and a row per (village, year, main cause); writes apply the
//! difference of a household's contributions before and after, in the same transaction.

pub mod store;

mod contributions;
mod stats;
pub mod summary;

pub use contributions::*;
pub use stats::*;
