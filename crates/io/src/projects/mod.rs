//! Projects and funds as files: the funds report as offices lay it out (XLSX with a title row and
//! merged headers, or CSV one figure a line).

pub mod report;
