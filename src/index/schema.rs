//! The tantivy schema, built from index-schema/fields.toml, and the handles of the fields the code
//! uses (checked by name and type at start-up).

use serde::Deserialize;
use tantivy::schema::{Field, FieldType, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions};

use crate::taxonomy::{SchemaSource, TaxonomyError};

use super::IndexError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    tokenizer: Option<String>,
    #[serde(default)]
    positions: bool,
    /// Term frequencies without positions (implied by `positions`).
    #[serde(default)]
    freqs: bool,
    #[serde(default)]
    stored: bool,
    #[serde(default)]
    fast: bool,
    #[serde(default)]
    indexed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldsFile {
    field: Vec<FieldSpec>,
}

const TOKENIZERS: &[&str] = &["raw", "keyword", "ko_stem", "ko_bigram", "en_stem"];

/// Builds the schema declared in fields.toml.
pub fn build_schema(source: &SchemaSource) -> Result<Schema, TaxonomyError> {
    let (file, spec) = source.parse::<FieldsFile>(crate::taxonomy::FIELDS_FILE)?;
    let err = |name: &str, message: String| TaxonomyError { file: file.clone(), entry: format!("{name}: "), message };
    let mut builder = Schema::builder();
    let mut seen = std::collections::HashSet::new();
    for f in &spec.field {
        if !seen.insert(f.name.clone()) {
            return Err(err(&f.name, "duplicate field".into()));
        }
        match f.kind.as_str() {
            "text" => {
                let mut opts = TextOptions::default();
                if let Some(tok) = &f.tokenizer {
                    if !TOKENIZERS.contains(&tok.as_str()) {
                        return Err(err(
                            &f.name,
                            format!("unknown tokenizer '{tok}' (one of {})", TOKENIZERS.join(", ")),
                        ));
                    }
                    let record = if f.positions {
                        IndexRecordOption::WithFreqsAndPositions
                    } else if f.freqs {
                        IndexRecordOption::WithFreqs
                    } else {
                        IndexRecordOption::Basic
                    };
                    opts = opts
                        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tok).set_index_option(record));
                    if f.fast {
                        opts = opts.set_fast(tok.as_str());
                    }
                } else if f.fast || f.positions || f.freqs {
                    return Err(err(&f.name, "fast, positions and freqs need a tokenizer".into()));
                }
                if f.stored {
                    opts = opts.set_stored();
                }
                builder.add_text_field(&f.name, opts);
            }
            "u64" => {
                let mut opts = NumericOptions::default();
                if f.stored {
                    opts = opts.set_stored();
                }
                if f.fast {
                    opts = opts.set_fast();
                }
                if f.indexed {
                    opts = opts.set_indexed();
                }
                builder.add_u64_field(&f.name, opts);
            }
            other => return Err(err(&f.name, format!("unknown type '{other}' (text or u64)"))),
        }
    }
    Ok(builder.build())
}

/// Handles of the fields the code reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub kind: Field,
    pub testimony_id: Field,
    pub passage_id: Field,
    pub paragraph: Field,
    pub language: Field,
    pub speaker: Field,
    pub text: Field,
    pub citation: Field,
    pub access: Field,
    pub body_ko: Field,
    pub body_en: Field,
    pub location: Field,
    pub violation: Field,
    pub sdg: Field,
    pub year: Field,
    pub location_coded: Field,
    pub violation_coded: Field,
    pub sdg_coded: Field,
    pub year_coded: Field,
    pub passage_location: Field,
    pub passage_violation: Field,
    pub meta: Field,
    pub sort_year: Field,
}

/// Names of fast fields the search reads by name.
pub mod names {
    pub const TESTIMONY_ID: &str = "testimony_id";
    pub const LOCATION: &str = "location";
    pub const VIOLATION: &str = "violation";
    pub const SDG: &str = "sdg";
    pub const YEAR: &str = "year";
    pub const LOCATION_CODED: &str = "location_coded";
    pub const VIOLATION_CODED: &str = "violation_coded";
    pub const SDG_CODED: &str = "sdg_coded";
    pub const YEAR_CODED: &str = "year_coded";
    pub const ACCESS: &str = "access";
    pub const SORT_YEAR: &str = "sort_year";
}

impl Fields {
    /// Looks every needed field up, checking that it exists with the type the code expects.
    pub fn from_schema(schema: &Schema) -> Result<Fields, IndexError> {
        let get = |name: &str, want_text: bool| -> Result<Field, IndexError> {
            let field = schema
                .get_field(name)
                .map_err(|_| IndexError::Schema(format!("index-schema/fields.toml lacks the field '{name}'")))?;
            let is_text = matches!(schema.get_field_entry(field).field_type(), FieldType::Str(_));
            if is_text != want_text {
                return Err(IndexError::Schema(format!(
                    "index-schema/fields.toml: field '{name}' must be of type {}",
                    if want_text { "text" } else { "u64" }
                )));
            }
            Ok(field)
        };
        Ok(Fields {
            kind: get("kind", true)?,
            testimony_id: get(names::TESTIMONY_ID, true)?,
            passage_id: get("passage_id", true)?,
            paragraph: get("paragraph", false)?,
            language: get("language", true)?,
            speaker: get("speaker", true)?,
            text: get("text", true)?,
            citation: get("citation", true)?,
            access: get(names::ACCESS, true)?,
            body_ko: get("body_ko", true)?,
            body_en: get("body_en", true)?,
            location: get(names::LOCATION, true)?,
            violation: get(names::VIOLATION, true)?,
            sdg: get(names::SDG, true)?,
            year: get(names::YEAR, false)?,
            location_coded: get(names::LOCATION_CODED, true)?,
            violation_coded: get(names::VIOLATION_CODED, true)?,
            sdg_coded: get(names::SDG_CODED, true)?,
            year_coded: get(names::YEAR_CODED, false)?,
            passage_location: get("passage_location", true)?,
            passage_violation: get("passage_violation", true)?,
            meta: get("meta", true)?,
            sort_year: get(names::SORT_YEAR, false)?,
        })
    }
}
