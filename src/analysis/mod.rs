//! Text analysis: language detection (lingua, Korean and English only), normalisation, and the
//! tokenizers of the analysed fields. Knows nothing of the index layout, the taxonomy or HTTP.
//!
//! Three analysed fields are queried together: `ko_stem` (Hangul words without particles and
//! endings; Latin words folded), `ko_bigram` (Hangul bigrams for compounds and spacing) and
//! `en_stem` (Latin words folded, stopwords removed, Porter-stemmed).

pub mod korean;
pub mod language;
pub mod names;
pub mod normalize;
pub mod shelf;
pub mod tokenizers;

pub use language::{detect, Detection, Lang};
pub use names::{NameField, NameTerms};
pub use tokenizers::{
    analyze, analyzer, concept_key, concept_tokens, passage_concept_tokens, register_tokenizers, AnalyzedToken,
};
