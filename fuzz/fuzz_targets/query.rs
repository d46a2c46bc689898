//! The query parser and search requests. The first byte picks the case: a query as typed (no
//! language, Korean or English forced), or a JSON request body run on the sample index (search
//! and quotes): no panic, and no failure that is not the caller's mistake.
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

use testimony_search::analysis::Lang;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 5 {
        0 => invariants::query_text(&String::from_utf8_lossy(rest), None),
        1 => invariants::query_text(&String::from_utf8_lossy(rest), Some(Lang::Ko)),
        2 => invariants::query_text(&String::from_utf8_lossy(rest), Some(Lang::En)),
        3 => invariants::search(testimony_search::search::SearchRequest {
            q: Some(String::from_utf8_lossy(rest).into_owned()),
            ..Default::default()
        }),
        _ => invariants::search_request(rest),
    }
});
