//! fupin-io: import and export. Households (one row per person), incomes, village profiles,
//! regions, cadres, pairings, visits, status changes, micro-wishes, yearly verification, risk events
//! and procedure cases from CSV (UTF-8 or GBK/GB18030, detected) and XLSX,
//! streamed, every row checked with core's rules before anything is committed, every bad row
//! reported with sheet, row, column, value and reason, and an error file to correct and import
//! again. Exports of lists and statistics to CSV and XLSX, XLSX templates with drop-down lists,
//! and a generator of synthetic files.
//!
//! The entry points are [`import::import`] (a file, options and a progress callback in; an
//! [`ImportReport`] out), the functions of [`export`], [`template::write_template`] and
//! [`gen::generate`].

// `Issue` (sheet, row, column, value, code, message) is the error currency of row checks; it is
// returned by value on purpose, like `DomainError`, rather than boxed at every step.
#![allow(clippy::result_large_err)]

// The areas' readers and writers.
mod assessment;
pub mod measures;
mod pairing;
pub mod projects;
pub mod rectification;
pub mod regions;
mod registry;

// What the areas share: reading files, columns, the import driver, exports, reports, templates.
mod cells;
pub mod columns;
pub mod encoding;
pub mod export;
mod formulas;
pub mod gen;
pub mod import;
mod lines;
pub mod private;
mod records;
pub mod report;
mod rows;
pub mod source;
pub mod summary;
pub mod template;

pub use columns::Kind;
pub use encoding::TextEncoding;
pub use import::{import, ImportError, ImportOptions, Phase, Progress};
pub use regions::{read_regions, RegionLayout};
pub use report::{ImportReport, Issue, SheetRow};
pub use source::{FileFormat, ReadSeek};
