//! fupin-core: the domain of targeted poverty alleviation (精准扶贫) and relapse monitoring
//! (防返贫监测) as types and rules, with no I/O. Persistence implements [`store::Store`]; the web
//! layer and the CLI call it.

pub mod accounts;
pub mod assessment;
pub mod audit;
pub mod codes;
pub mod error;
pub mod error_codes;
pub mod id_number;
pub mod labels;
pub mod measures;
pub mod money;
pub mod offices;
pub mod paging;
pub mod pairing;
pub mod projects;
pub mod rectification;
pub mod regions;
pub mod registry;
pub mod reports;
#[cfg(feature = "openapi")]
mod schemas;
pub mod scope;
pub mod store;
pub mod years;

pub use error::{DomainError, DomainResult, ErrorKind, FieldProblem, Problems};
pub use money::{Fen, PerCapita};
pub use regions::RegionCode;
pub use scope::{Ctx, Scope};
