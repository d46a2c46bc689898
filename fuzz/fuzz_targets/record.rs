//! JSON Lines bytes (a file or an HTTP ingest body) through reading, validation and preparation:
//! no panic; accepted records satisfy what validation promises; passages numbered densely.
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    invariants::json_lines(data);
});
