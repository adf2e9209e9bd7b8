//! Projects and funds as files: the funds report as offices lay it out (XLSX with a title row and
//! merged headers, or CSV one figure a line), and the bulk load of a province's projects, funds,
//! assets and dividends (`load`).

pub mod load;
pub mod report;
