//! The registry's files: households, one row per person (`households`: cells to core's inputs, the
//! checks of a household as a whole, what changes for one already registered), and household
//! status changes (`statuses`: each row read; `import_statuses`: checked against the stored history
//! and written).

pub(crate) mod households;
pub(crate) mod import_statuses;
pub(crate) mod statuses;
