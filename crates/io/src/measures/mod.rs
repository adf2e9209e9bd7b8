//! Departments' lists by ID number (employment, training, pension, school, medical), imported as
//! the measures of the registered persons they name: the rows (`rows`) and the writer's checks
//! (`import`); and the services report as a sheet (`report`).

pub(crate) mod import;
pub mod report;
pub(crate) mod rows;
