//! Rectification's files: the ledger (整改台账) as county offices keep it, one row per problem, and
//! the department lists read for comparison (数据比对).

pub(crate) mod compare;
pub mod ledger;
