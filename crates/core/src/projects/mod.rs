//! Projects, funds, assets and dividends (项目库, 资金监管, 扶贫资产, 资产收益): the project library
//! with its lifecycle, fund sources with their allocations to projects, receipts and disbursements,
//! assets with their income and dividends, cooperatives and enterprises, and the rules that trace
//! every yuan from its source to a project and on to the households.

pub mod store;

mod assets;
mod cooperatives;
mod funds;
mod lifecycle;
mod model;
mod notices;
mod report;

pub use assets::*;
pub use cooperatives::*;
pub use funds::*;
pub use lifecycle::*;
pub use model::*;
pub use notices::*;
pub use report::*;
