//! testimony-search: ingest, analysis and faceted search of anonymized human-rights testimony in
//! Korean and English.
pub mod analysis;
pub mod ingest;
pub mod taxonomy;
