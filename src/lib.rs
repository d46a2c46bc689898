//! testimony-search: ingest, analysis and faceted search of anonymized human-rights testimony in
//! Korean and English.
pub mod allocator;
pub mod analysis;
pub mod api;
pub mod bench;
pub mod config;
pub mod evaluation;
pub mod generate;
pub mod index;
pub mod ingest;
pub mod search;
pub mod taxonomy;
