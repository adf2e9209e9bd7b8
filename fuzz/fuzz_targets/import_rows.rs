//! Fuzz target: any bytes as an import file (CSV in any encoding, or XLSX) through row parsing and
//! every check that needs no database. It must never panic, and what it accepts must be importable
//! (one head per household, valid ID numbers); see `fupin_io::import::check_without_store`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fupin_io::import::fuzz_one(data);
});
