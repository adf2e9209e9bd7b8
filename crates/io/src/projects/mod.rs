//! Projects and funds as files: the funds report as offices lay it out (XLSX with a title row and
//! merged headers, or CSV one figure a line), and the bulk load of a province's projects, funds,
//! assets and dividends (`load`), and the offices' ledgers of projects and funds imported as any
//! other file (`ledger`, `ledger_import`).

pub(crate) mod ledger;
pub(crate) mod ledger_import;
pub mod load;
pub mod report;
