//! Yearly verification (两不愁三保障核实), risk events and procedure cases files: each row read and
//! checked with what the file alone tells (`rows`), and matched against the household, its history
//! and its stored records, replayed through core's procedures and written through the import
//! session (`import`).

pub(crate) mod import;
pub(crate) mod rows;
