//! Cadres, pairings, visits and micro-wishes files: each row read and checked with what the file
//! alone tells (`rows`), and matched against what is stored and written through the import session
//! (`import` for cadres, pairings and visits; `import_wishes` for wishes and their steps).

pub(crate) mod import;
pub(crate) mod import_wishes;
pub(crate) mod rows;
