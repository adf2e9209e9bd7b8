//! Departments' lists by ID number (employment, training, pension, school, medical), imported as
//! the measures of the registered persons they name: the rows (`rows`) and the writer's checks
//! (`import`).

pub(crate) mod import;
pub(crate) mod rows;
