//! Any text through the tokenizers, segmentation, normalisation, paragraph and sentence splitting:
//! no panic, token offsets inside the text and on char boundaries, positions growing.
#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    invariants::analyzers(&String::from_utf8_lossy(data));
});
