//! Assistance measures (帮扶措施, 一户一策) and department services: the catalogue of measure kinds
//! as data, measure records per household or person with the fields each kind needs (employment
//! with its derived destination, training, loans with the microcredit limits, education, health,
//! 低保 / 特困, resident pension), the rules for their input, and the services report summed from
//! aggregates kept with every write.

pub mod services_store;
pub mod store;

mod catalogue;
mod employment;
mod events;
mod model;
mod report;
mod signals;
mod workplaces;

pub use catalogue::*;
pub use employment::*;
pub use events::*;
pub use model::*;
pub use report::*;
pub use signals::*;
pub use workplaces::*;
