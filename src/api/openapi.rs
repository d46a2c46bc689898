//! The OpenAPI 3.1 document of the HTTP API, served at GET /api/openapi.json. Written here, in one
//! place, by hand with serde_json rather than derived: the handlers parse raw query strings
//! strictly (see `params`), and the search and ingest layers must know nothing of HTTP, so their
//! response types are described here, not annotated where they are defined. Parameters that
//! several routes share are written once (components) and bounds come from the constants the
//! validation uses; `tests/openapi.rs` and `benches/schemathesis.sh` check it against the router.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::search::{corroborate, quotes, request};

use super::error::STATUS_OF_CODE;

/// Years a filter may name (the range `SearchRequest::validate` accepts).
const YEAR_MIN: i64 = 1900;
const YEAR_MAX: i64 = 2100;
/// Longest path id accepted (see `routes::path_id`).
const MAX_ID_CHARS: usize = 200;
/// Bounds of GET /api/suggest (served once the suggest work lands).
const SUGGEST_MAX_QUERY_CHARS: usize = 100;
const SUGGEST_DEFAULT_LIMIT: usize = 8;
const SUGGEST_MAX_LIMIT: usize = 20;

/// Statuses any route may answer, whatever it does: a key that matches none (401), the request
/// timeout (408), the rate limit (429), a failure (500), the in-flight cap (503).
const EVERY_ROUTE: &[u16] = &[401, 408, 429, 500, 503];

/// GET /api/openapi.json.
pub async fn serve() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document_bytes()).into_response()
}

/// The document as served.
pub fn document_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| serde_json::to_vec(document()).unwrap_or_default())
}

/// The document.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn param_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// The schema, or null.
fn nullable(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}

/// An object that holds exactly these properties (`required` of them always): a field the server
/// adds without documenting it fails the schemathesis run.
fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "additionalProperties": false, "required": required, "properties": properties })
}

fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn count() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}

fn text_param(name: &str, description: &str, max_chars: usize) -> Value {
    json!({
        "name": name, "in": "query", "description": description,
        "schema": { "type": "string", "maxLength": max_chars },
    })
}

fn int_param(name: &str, description: &str, min: i64, max: i64, default: Option<i64>) -> Value {
    let mut schema = json!({ "type": "integer", "minimum": min, "maximum": max });
    if let Some(d) = default {
        schema["default"] = json!(d);
    }
    json!({ "name": name, "in": "query", "description": description, "schema": schema })
}

fn enum_param(name: &str, description: &str, values: &[&str]) -> Value {
    json!({
        "name": name, "in": "query", "description": description,
        "schema": { "type": "string", "enum": values, "default": values[0] },
    })
}

/// A facet filter: may repeat (`?location=a&location=b`), values OR-ed.
fn filter_param(name: &str, description: &str, examples: &[&str]) -> Value {
    json!({
        "name": name, "in": "query", "style": "form", "explode": true,
        "description": format!("{description} May repeat (values OR-ed); a canonical id or any known label or spelling. An unknown value is a 400 invalid_filter."),
        "schema": {
            "type": "array", "maxItems": request::MAX_FILTER_VALUES,
            "items": { "type": "string", "minLength": 1, "maxLength": 200, "examples": examples },
        },
    })
}

fn parameters() -> Value {
    let d_search = request::DEFAULT_PER_PAGE as i64;
    json!({
        "q": text_param("q", "The query: words in Korean or English; \"phrases\" in quotes. Control characters are a 400.", request::MAX_QUERY_CHARS),
        "q_required": {
            "name": "q", "in": "query", "required": true,
            "description": "The query whose matching sentences are quoted (must not be blank).",
            "schema": { "type": "string", "minLength": 1, "maxLength": request::MAX_QUERY_CHARS },
        },
        "lang": enum_param("lang", "Language of the query (auto: detected).", &["auto", "ko", "en"]),
        "location": filter_param("location", "Place filter: a gazetteer path such as kp/north-hamgyong/hoeryong.", &["kp/north-hamgyong/hoeryong", "kp/ryanggang/hyesan", "cn/jilin/yanji"]),
        "violation": filter_param("violation", "Violation filter: a taxonomy code such as detention/arbitrary.", &["detention/arbitrary", "life/public-execution"]),
        "sdg": filter_param("sdg", "SDG filter: a goal or target such as 16 or 16.1.", &["16", "16.1"]),
        "year_from": int_param("year_from", "First year of the events (inclusive); not after year_to.", YEAR_MIN, YEAR_MAX, None),
        "year_to": int_param("year_to", "Last year of the events (inclusive).", YEAR_MIN, YEAR_MAX, None),
        "group": enum_param("group", "One hit per passage, or per testimony (its best passage).", &["passage", "testimony"]),
        "page": int_param("page", "Page, from 1; page × per_page may not pass the paging depth (400 page_too_deep).", 1, request::MAX_DEPTH as i64, Some(1)),
        "per_page": int_param("per_page", "Hits per page (0: facets and totals only).", 0, request::MAX_PER_PAGE as i64, Some(d_search)),
        "sort": enum_param("sort", "Order of hits.", &["relevance", "year"]),
        "provenance": enum_param("provenance", "Filter and count on coded and extracted facet values (all) or coded ones only.", &["all", "coded"]),
        "facets": {
            "name": "facets", "in": "query",
            "description": "Facets to count: all, none, or a comma-separated list of location, violation, sdg, year.",
            "schema": { "type": "string", "default": "all", "pattern": "^(all|none|(location|violation|sdg|year)(,(location|violation|sdg|year))*)$" },
        },
        "format": enum_param("format", "json (default) or an export streamed as CSV or JSON Lines with citations (every page, up to the configured export limit, for search).", &["json", "csv", "jsonl"]),
        "quotes_per_page": int_param("per_page", "Quotes in all.", 1, quotes::MAX_QUOTES as i64, Some(quotes::DEFAULT_QUOTES as i64)),
        "quotes_per_testimony": int_param("per_testimony", "Quotes per testimony at most.", 1, quotes::MAX_PER_TESTIMONY as i64, Some(quotes::DEFAULT_PER_TESTIMONY as i64)),
        "year_window": int_param("year_window", "Years either side that still count as the same period.", 0, corroborate::MAX_YEAR_WINDOW as i64, Some(corroborate::DEFAULT_YEAR_WINDOW as i64)),
        "corroborate_per_page": int_param("per_page", "Corroborating passages in all.", 1, corroborate::MAX_PER_PAGE as i64, Some(corroborate::DEFAULT_PER_PAGE as i64)),
        "corroborate_per_testimony": int_param("per_testimony", "Passages per corroborating testimony.", 1, corroborate::MAX_PER_TESTIMONY as i64, Some(corroborate::DEFAULT_PER_TESTIMONY as i64)),
        "provenance_facets": enum_param("provenance", "Count coded and extracted values (all) or coded ones only.", &["all", "coded"]),
        "suggest_q": {
            "name": "q", "in": "query", "required": true,
            "description": "The text typed so far (blank: no completions).",
            "schema": { "type": "string", "maxLength": SUGGEST_MAX_QUERY_CHARS },
        },
        "suggest_lang": enum_param("lang", "Script of the completions (auto: both).", &["auto", "ko", "en"]),
        "suggest_limit": int_param("limit", "Completions at most.", 1, SUGGEST_MAX_LIMIT as i64, Some(SUGGEST_DEFAULT_LIMIT as i64)),
        "testimony_id": {
            "name": "id", "in": "path", "required": true, "description": "A testimony id, such as KR-2016-0031.",
            "schema": { "type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS, "examples": ["KR-2012-0007"] },
        },
        "passage_id": {
            "name": "id", "in": "path", "required": true,
            "description": "A passage id, {testimony_id}#{paragraph} (the # percent-encoded as %23).",
            "schema": { "type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS, "examples": ["EN-2022-0016#5"] },
        },
    })
}

/// The parameters of the search, as the search parses them, and the `format` of an export.
fn search_param_names() -> Vec<&'static str> {
    super::params::SEARCH_PARAMS.iter().copied().chain(["format"]).collect()
}

fn refs(names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| param_ref(n)).collect())
}

fn error_schema(codes: &[&str], details: Option<Value>) -> Value {
    let mut inner = object(
        &["code", "message"],
        json!({
            "code": { "type": "string", "enum": codes, "description": "Stable snake_case code." },
            "message": { "type": "string" },
        }),
    );
    inner["properties"]["details"] =
        details.unwrap_or_else(|| json!({ "description": "Structured detail, when there is one." }));
    object(&["error"], json!({ "error": inner }))
}

/// A response for each error status, its codes taken from the one table that maps them.
fn error_responses() -> Map<String, Value> {
    let mut statuses: Vec<u16> = STATUS_OF_CODE.iter().map(|(_, s)| *s).collect();
    statuses.sort_unstable();
    statuses.dedup();
    let mut out = Map::new();
    for status in statuses {
        let codes: Vec<&str> = STATUS_OF_CODE.iter().filter(|(_, s)| *s == status).map(|(c, _)| *c).collect();
        let reason =
            axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
        let mut response = json!({
            "description": reason,
            "content": { "application/json": { "schema": error_schema(&codes, None) } },
        });
        if status == 429 {
            response["headers"] = json!({
                "Retry-After": { "description": "Seconds to wait.", "schema": { "type": "integer", "minimum": 1 } },
            });
        }
        out.insert(format!("E{status}"), response);
    }
    out
}

/// Responses of an operation: its 200 and its error statuses, plus those of every route.
fn responses(ok: Value, errors: &[u16]) -> Value {
    let mut out = Map::new();
    out.insert("200".into(), ok);
    let mut statuses: Vec<u16> = errors.iter().chain(EVERY_ROUTE).copied().collect();
    statuses.sort_unstable();
    statuses.dedup();
    for s in statuses {
        out.insert(s.to_string(), json!({ "$ref": format!("#/components/responses/E{s}") }));
    }
    Value::Object(out)
}

fn json_ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// A 200 that is JSON, or an export when `format` asks for one.
fn exportable_ok(description: &str, schema: Value) -> Value {
    json!({
        "description": description,
        "content": {
            "application/json": { "schema": schema },
            "text/csv": { "schema": { "type": "string", "description": "A header row, then one row per item, with citations." } },
            "application/x-ndjson": { "schema": { "type": "string", "description": "One JSON object per line." } },
        },
    })
}

fn json_body(schema: Value, description: &str) -> Value {
    json!({ "required": false, "description": description, "content": { "application/json": { "schema": schema } } })
}

struct Op<'a> {
    id: &'a str,
    tag: &'a str,
    summary: &'a str,
    parameters: Value,
    body: Option<Value>,
    responses: Value,
    /// Admin only: a key is required (no anonymous alternative).
    admin: bool,
}

impl Op<'_> {
    fn into_value(self) -> Value {
        let mut op = json!({
            "operationId": self.id, "tags": [self.tag], "summary": self.summary,
            "parameters": self.parameters, "responses": self.responses,
        });
        if let Some(b) = self.body {
            op["requestBody"] = b;
        }
        if self.admin {
            op["security"] = json!([{ "bearer": [] }, { "apiKey": [] }]);
        }
        op
    }
}

fn paths() -> Value {
    let search_params = refs(&search_param_names());
    let mut quotes_params: Vec<Value> =
        search_param_names().into_iter().filter(|n| !matches!(*n, "q" | "per_page")).map(param_ref).collect();
    quotes_params.insert(0, param_ref("q_required"));
    quotes_params.push(param_ref("quotes_per_page"));
    quotes_params.push(param_ref("quotes_per_testimony"));
    let search_errors = &[400];
    let search = Op {
        id: "search",
        tag: "search",
        summary: "Search passages, with facet counts (multi-select: each facet counted without its own filter).",
        parameters: search_params,
        body: None,
        responses: responses(
            exportable_ok("The hits and facets, or the export.", schema_ref("SearchResponse")),
            search_errors,
        ),
        admin: false,
    };
    let search_post = Op {
        id: "searchPost",
        tag: "search",
        summary: "The search, its parameters as a JSON body (none in the URL; an empty body is the default search).",
        parameters: json!([]),
        body: Some(json_body(schema_ref("SearchRequest"), "Search parameters (at most 64 KiB).")),
        responses: responses(json_ok("The hits and facets.", schema_ref("SearchResponse")), &[400, 413]),
        admin: false,
    };
    let quotes = Op {
        id: "quotes",
        tag: "search",
        summary: "Sentence-level quotes matching the query, highlighted, each with its citation.",
        parameters: Value::Array(quotes_params),
        body: None,
        responses: responses(
            exportable_ok("The quotes, or their export.", schema_ref("QuotesResponse")),
            search_errors,
        ),
        admin: false,
    };
    let facets = Op {
        id: "facets",
        tag: "search",
        summary: "Every facet value with its counts (the taxonomy browser).",
        parameters: refs(&["provenance_facets"]),
        body: None,
        responses: responses(json_ok("The facet values.", schema_ref("FacetResults")), &[400]),
        admin: false,
    };
    let suggest = Op {
        id: "suggest",
        tag: "search",
        summary: "Completions of what was typed: places, violation labels and frequent terms, in both languages.",
        parameters: refs(&["suggest_q", "suggest_lang", "suggest_limit"]),
        body: None,
        responses: responses(json_ok("The completions.", schema_ref("SuggestResponse")), &[400]),
        admin: false,
    };
    let testimony = Op {
        id: "getTestimony",
        tag: "read",
        summary: "One testimony: metadata and passages, as the caller's role allows (restricted ones are a 404 to the public).",
        parameters: refs(&["testimony_id"]),
        body: None,
        responses: responses(json_ok("The testimony.", schema_ref("TestimonyView")), &[400, 404]),
        admin: false,
    };
    let delete = Op {
        id: "deleteTestimony",
        tag: "admin",
        summary: "Delete a testimony (admin).",
        parameters: refs(&["testimony_id"]),
        body: None,
        responses: responses(
            json_ok("Deleted.", object(&["deleted"], json!({ "deleted": string() }))),
            &[400, 401, 403, 404, 409],
        ),
        admin: true,
    };
    let ingest = Op {
        id: "ingestTestimonies",
        tag: "admin",
        summary: "Ingest records (admin): one JSON object, a JSON array of them, or JSON Lines; an id that exists is replaced.",
        parameters: json!([]),
        body: Some(json!({
            "required": true,
            "description": "Records (up to the configured body limit).",
            "content": {
                "application/json": { "schema": { "anyOf": [schema_ref("Record"), array(schema_ref("Record"))] } },
                "application/x-ndjson": { "schema": { "type": "string", "description": "One record (JSON object) per line." } },
            },
        })),
        responses: responses(
            json_ok("The ingest report (some records may still be rejected).", schema_ref("IngestReport")),
            &[400, 401, 403, 409, 413],
        ),
        admin: true,
    };
    let passage = Op {
        id: "getPassage",
        tag: "read",
        summary: "One passage with its neighbours.",
        parameters: refs(&["passage_id"]),
        body: None,
        responses: responses(json_ok("The passage.", schema_ref("PassageContext")), &[400, 404]),
        admin: false,
    };
    let corroborate_passage = Op {
        id: "corroboratePassage",
        tag: "corroborate",
        summary: "Passages of other testimonies on the same place, period and violation type, ranked, with why.",
        parameters: refs(&[
            "passage_id",
            "location",
            "violation",
            "sdg",
            "year_from",
            "year_to",
            "year_window",
            "corroborate_per_page",
            "corroborate_per_testimony",
        ]),
        body: None,
        responses: responses(json_ok("The corroborating passages.", schema_ref("CorroborateResponse")), &[400, 404]),
        admin: false,
    };
    let corroborate_text = Op {
        id: "corroborateText",
        tag: "corroborate",
        summary: "Corroborate a quoted text (or filters alone): passages of other testimonies, ranked, with why.",
        parameters: json!([]),
        body: Some(json_body(schema_ref("CorroborateRequest"), "The text and filters (at most 64 KiB).")),
        responses: responses(
            json_ok("The corroborating passages.", schema_ref("CorroborateResponse")),
            &[400, 404, 413],
        ),
        admin: false,
    };
    let openapi = Op {
        id: "openapi",
        tag: "ops",
        summary: "This document.",
        parameters: json!([]),
        body: None,
        responses: responses(json_ok("The OpenAPI document.", json!({ "type": "object" })), &[]),
        admin: false,
    };
    let health = |status: &str, testimonies: bool| {
        let mut props = json!({ "status": { "const": status } });
        let mut required = vec!["status"];
        if testimonies {
            props["testimonies"] = count();
            required.push("testimonies");
        }
        object(&required, props)
    };
    let healthz = Op {
        id: "healthz",
        tag: "ops",
        summary: "Liveness.",
        parameters: json!([]),
        body: None,
        responses: responses(json_ok("Alive.", health("ok", false)), &[]),
        admin: false,
    };
    let readyz = Op {
        id: "readyz",
        tag: "ops",
        summary: "Readiness: the index can be read.",
        parameters: json!([]),
        body: None,
        responses: responses(json_ok("Ready.", health("ready", true)), &[]),
        admin: false,
    };
    let metrics = Op {
        id: "metrics",
        tag: "ops",
        summary: "Prometheus metrics: requests by route and status, their durations, testimonies.",
        parameters: json!([]),
        body: None,
        responses: responses(
            json!({ "description": "Metrics.", "content": { "text/plain": { "schema": string() } } }),
            &[],
        ),
        admin: false,
    };
    let page = Op {
        id: "page",
        tag: "ops",
        summary: "The web search page.",
        parameters: json!([]),
        body: None,
        responses: responses(
            json!({ "description": "The page.", "content": { "text/html": { "schema": string() } } }),
            &[],
        ),
        admin: false,
    };
    json!({
        "/api/search": { "get": search.into_value(), "post": search_post.into_value() },
        "/api/quotes": { "get": quotes.into_value() },
        "/api/facets": { "get": facets.into_value() },
        "/api/suggest": { "get": suggest.into_value() },
        "/api/testimonies": { "post": ingest.into_value() },
        "/api/testimonies/{id}": { "get": testimony.into_value(), "delete": delete.into_value() },
        "/api/passages/{id}": { "get": passage.into_value() },
        "/api/passages/{id}/corroborate": { "get": corroborate_passage.into_value() },
        "/api/corroborate": { "post": corroborate_text.into_value() },
        "/api/openapi.json": { "get": openapi.into_value() },
        "/healthz": { "get": healthz.into_value() },
        "/readyz": { "get": readyz.into_value() },
        "/metrics": { "get": metrics.into_value() },
        "/": { "get": page.into_value() },
    })
}

/// A facet filter in a JSON body: one value, a list, or null.
fn one_or_many() -> Value {
    json!({
        "anyOf": [
            { "type": "string", "minLength": 1, "maxLength": 200 },
            { "type": "array", "maxItems": request::MAX_FILTER_VALUES, "items": { "type": "string", "minLength": 1, "maxLength": 200 } },
            { "type": "null" },
        ],
    })
}

fn opt_int(min: i64, max: i64) -> Value {
    json!({ "type": ["integer", "null"], "minimum": min, "maximum": max })
}

fn opt_enum(values: &[&str]) -> Value {
    let mut v: Vec<Value> = values.iter().map(|s| json!(s)).collect();
    v.push(Value::Null);
    json!({ "enum": v })
}

fn merge<const N: usize>(parts: [Value; N]) -> Value {
    let mut out = Map::new();
    for part in parts {
        if let Value::Object(m) = part {
            out.extend(m);
        }
    }
    Value::Object(out)
}

fn schemas() -> Value {
    let lang = || nullable(schema_ref("Lang"));
    let speaker = || nullable(schema_ref("Speaker"));
    let labelled = || {
        object(&["id", "label_en", "label_ko"], json!({ "id": string(), "label_en": string(), "label_ko": string() }))
    };
    // In parts: one json! of them all passes the macro recursion limit.
    merge([
        json!({
            "Lang": { "type": "string", "enum": ["ko", "en"] },
            "Speaker": { "type": "string", "enum": ["Q", "A"], "description": "Interviewer (Q) or witness (A)." },
            "Access": { "type": "string", "enum": ["public", "restricted"] },
            "Provenance": { "type": "string", "enum": ["coded", "extracted"] },
            "Count": {
                "description": "A count of testimonies, or \"<k\" where disclosure control hides a number under k from the public.",
                "anyOf": [count(), { "type": "string", "pattern": "^<[0-9]+$" }],
            },
            "SearchRequest": {
                "type": "object", "additionalProperties": false,
                "properties": {
                    "q": { "type": ["string", "null"], "maxLength": request::MAX_QUERY_CHARS },
                    "lang": opt_enum(&["auto", "ko", "en"]),
                    "location": one_or_many(), "violation": one_or_many(), "sdg": one_or_many(),
                    "year_from": opt_int(YEAR_MIN, YEAR_MAX), "year_to": opt_int(YEAR_MIN, YEAR_MAX),
                    "group": opt_enum(&["passage", "testimony"]),
                    "page": opt_int(1, request::MAX_DEPTH as i64),
                    "per_page": opt_int(0, request::MAX_PER_PAGE as i64),
                    "sort": opt_enum(&["relevance", "year"]),
                    "provenance": opt_enum(&["all", "coded"]),
                    "facets": { "type": ["string", "null"] },
                },
            },
            "CorroborateRequest": {
                "type": "object", "additionalProperties": false,
                "description": "A text to corroborate, or at least one filter.",
                "properties": {
                    "text": { "type": ["string", "null"], "maxLength": corroborate::MAX_TEXT_CHARS },
                    "testimony_id": { "type": ["string", "null"], "description": "The testimony the text comes from: never returned (404 if unknown)." },
                    "location": one_or_many(), "violation": one_or_many(), "sdg": one_or_many(),
                    "year_from": opt_int(YEAR_MIN, YEAR_MAX), "year_to": opt_int(YEAR_MIN, YEAR_MAX),
                    "year_window": opt_int(0, corroborate::MAX_YEAR_WINDOW as i64),
                    "per_page": opt_int(1, corroborate::MAX_PER_PAGE as i64),
                    "per_testimony": opt_int(1, corroborate::MAX_PER_TESTIMONY as i64),
                },
            },
        }),
        json!({
            "TaggedValue": object(&["id", "label_en", "label_ko", "provenance"], json!({
                "id": string(), "label_en": string(), "label_ko": string(), "provenance": schema_ref("Provenance"),
            })),
            "Hit": object(
                &["passage_id", "testimony_id", "paragraph", "language", "speaker", "text", "highlight", "score", "places", "years", "violations", "sdg", "citation"],
                json!({
                    "passage_id": string(), "testimony_id": string(),
                    "paragraph": { "type": "integer", "minimum": 1 },
                    "language": lang(), "speaker": speaker(),
                    "text": string(),
                    "highlight": { "type": "string", "description": "The text, HTML-escaped, with matched terms in <mark>." },
                    "score": { "type": "number" },
                    "places": array(schema_ref("TaggedValue")),
                    "years": array(count()),
                    "violations": array(schema_ref("TaggedValue")),
                    "sdg": array(schema_ref("TaggedValue")),
                    "citation": string(),
                }),
            ),
            "Expansion": object(&["kind", "id", "label_en", "label_ko", "matched"], json!({
                "kind": { "type": "string", "enum": ["location", "violation", "term"] },
                "id": string(), "label_en": string(), "label_ko": string(), "matched": string(),
            })),
            "Filters": object(&["location", "violation", "sdg", "years"], json!({
                "location": array(string()), "violation": array(string()), "sdg": array(string()),
                "years": nullable(json!({ "type": "array", "items": count(), "minItems": 2, "maxItems": 2 })),
            })),
            "QueryInfo": object(&["text", "lang", "expansions", "filters"], json!({
                "text": string(), "lang": lang(), "expansions": array(schema_ref("Expansion")), "filters": schema_ref("Filters"),
            })),
            "FacetCount": object(&["value", "label_en", "label_ko", "count", "coded", "extracted"], json!({
                "value": { "type": ["string", "integer"], "description": "An id or code; a year is an integer." },
                "label_en": string(), "label_ko": string(),
                "count": schema_ref("Count"), "coded": schema_ref("Count"), "extracted": schema_ref("Count"),
                "parent": string(),
                "selected": { "type": "boolean" },
            })),
            "Disclosure": object(&["min_count", "facets_suppressed"], json!({
                "min_count": count(), "facets_suppressed": { "type": "boolean" },
            })),
            "FacetResults": object(&["location", "year", "violation", "sdg"], json!({
                "location": array(schema_ref("FacetCount")), "year": array(schema_ref("FacetCount")),
                "violation": array(schema_ref("FacetCount")), "sdg": array(schema_ref("FacetCount")),
                "disclosure": schema_ref("Disclosure"),
            })),
            "SearchResponse": object(
                &["total", "testimonies", "took_ms", "page", "per_page", "group", "sort", "query", "hits", "facets"],
                json!({
                    "total": count(), "testimonies": count(), "took_ms": { "type": "number", "minimum": 0 },
                    "page": { "type": "integer", "minimum": 1 }, "per_page": count(),
                    "group": { "type": "string", "enum": ["passage", "testimony"] },
                    "sort": { "type": "string", "enum": ["relevance", "year"] },
                    "query": schema_ref("QueryInfo"),
                    "hits": array(schema_ref("Hit")),
                    "facets": schema_ref("FacetResults"),
                }),
            ),
        }),
        json!({
            "Citation": object(&["plain", "markdown", "csl"], json!({
                "plain": string(), "markdown": string(), "csl": { "type": "object", "description": "CSL-JSON." },
            })),
            "Quote": object(
                &["text", "highlight", "context_before", "context_after", "passage_id", "testimony_id", "paragraph", "sentence", "citation"],
                json!({
                    "text": string(), "highlight": string(),
                    "context_before": { "type": ["string", "null"] }, "context_after": { "type": ["string", "null"] },
                    "passage_id": string(), "testimony_id": string(),
                    "paragraph": { "type": "integer", "minimum": 1 }, "sentence": { "type": "integer", "minimum": 1 },
                    "citation": schema_ref("Citation"),
                    "also_in": array(string()),
                }),
            ),
            "QuotesResponse": object(&["total_passages", "took_ms", "per_testimony", "quotes"], json!({
                "total_passages": count(), "took_ms": { "type": "number", "minimum": 0 },
                "per_testimony": { "type": "integer", "minimum": 1 }, "quotes": array(schema_ref("Quote")),
            })),
            "Labelled": labelled(),
            "SourceProfile": object(&["places", "violations", "years", "from"], json!({
                "passage_id": string(), "testimony_id": string(), "citation": string(),
                "places": array(schema_ref("Labelled")), "violations": array(schema_ref("Labelled")), "years": array(count()),
                "from": array(json!({ "type": "string", "enum": ["text", "context", "events", "testimony", "filters"] })),
            })),
            "Shared": object(&["id", "label_en", "label_ko", "relation", "level"], json!({
                "id": string(), "label_en": string(), "label_ko": string(),
                "relation": { "type": "string", "enum": ["same", "broader", "narrower"] },
                "level": { "type": "string", "enum": ["passage", "testimony"] },
            })),
            "Why": object(&["places", "violations", "years", "terms"], json!({
                "places": array(schema_ref("Shared")), "violations": array(schema_ref("Shared")),
                "years": array(count()), "terms": array(string()),
            })),
            "Independence": object(
                &["different_testimony", "interview_year", "same_interview_year", "origin_province", "same_origin_province", "other_language"],
                json!({
                    "different_testimony": { "type": "boolean" },
                    "interview_year": { "type": ["integer", "null"] },
                    "same_interview_year": { "type": ["boolean", "null"] },
                    "origin_province": { "type": ["string", "null"] },
                    "same_origin_province": { "type": ["boolean", "null"] },
                    "other_language": { "type": ["boolean", "null"] },
                }),
            ),
            "Corroboration": object(
                &["passage_id", "testimony_id", "paragraph", "language", "speaker", "text", "highlight", "citation", "score", "overlap", "similarity", "why", "independence"],
                json!({
                    "passage_id": string(), "testimony_id": string(), "paragraph": { "type": "integer", "minimum": 1 },
                    "language": lang(), "speaker": speaker(), "text": string(), "highlight": string(), "citation": string(),
                    "score": { "type": "number" }, "overlap": { "type": "number" }, "similarity": { "type": "number" },
                    "why": schema_ref("Why"), "independence": schema_ref("Independence"),
                }),
            ),
            "CorroborateResponse": object(&["source", "year_window", "testimonies", "took_ms", "hits"], json!({
                "source": schema_ref("SourceProfile"), "year_window": count(), "testimonies": count(),
                "took_ms": { "type": "number", "minimum": 0 }, "hits": array(schema_ref("Corroboration")),
            })),
        }),
        json!({
            "FacetValue": object(&["value", "provenance"], json!({
                "value": string(), "provenance": schema_ref("Provenance"),
                "passages": { "type": "array", "items": { "type": "integer", "minimum": 1 }, "description": "For extracted values: the paragraphs it was found in." },
            })),
            "Facets": object(&["location", "year", "violation", "sdg"], json!({
                "location": array(schema_ref("FacetValue")), "year": array(schema_ref("FacetValue")),
                "violation": array(schema_ref("FacetValue")), "sdg": array(schema_ref("FacetValue")),
            })),
            "Passage": object(
                &["passage_id", "testimony_id", "paragraph", "language", "speaker", "text", "citation", "access", "facets"],
                json!({
                    "passage_id": string(), "testimony_id": string(), "paragraph": { "type": "integer", "minimum": 1 },
                    "language": lang(), "speaker": speaker(), "text": string(), "citation": string(),
                    "access": schema_ref("Access"), "facets": schema_ref("Facets"),
                }),
            ),
            "TestimonySummary": object(&["id", "title", "interview_date", "passages"], json!({
                "id": string(), "title": { "type": ["string", "null"] }, "interview_date": { "type": ["string", "null"] },
                "passages": count(),
            })),
            "PassageContext": object(&["passage", "previous", "next", "testimony"], json!({
                "passage": schema_ref("Passage"), "previous": nullable(schema_ref("Passage")),
                "next": nullable(schema_ref("Passage")), "testimony": schema_ref("TestimonySummary"),
            })),
            "Interviewee": object(&[], json!({ "gender": string(), "birth_decade": string(), "origin_province": string() })),
            "Event": object(&[], json!({
                "violation": string(), "location": string(),
                "year": { "type": "integer", "minimum": 0, "maximum": 65535 }, "year_to": { "type": "integer", "minimum": 0, "maximum": 65535 },
            })),
            "TestimonyView": object(&["id", "access", "events", "facets", "passages", "passage_list"], json!({
                "id": string(), "title": string(), "language": schema_ref("Lang"), "interview_date": string(),
                "access": schema_ref("Access"),
                "interviewee": { "allOf": [schema_ref("Interviewee")], "description": "Never shown to the public." },
                "origin_place": { "type": "string", "description": "The interviewee's origin province as a gazetteer id; never shown to the public." },
                "events": array(schema_ref("Event")), "facets": schema_ref("Facets"), "passages": count(),
                "passage_list": array(schema_ref("Passage")),
            })),
        }),
        json!({
            "Record": {
                "type": "object", "required": ["id", "transcript"],
                "description": "A testimony record (see the record format in the README).",
                "properties": {
                    "id": string(), "language": { "type": "string", "enum": ["ko", "en"] }, "title": string(),
                    "interview_date": { "type": "string", "description": "YYYY-MM-DD" },
                    "access": schema_ref("Access"),
                    "interviewee": { "type": "object", "properties": { "gender": string(), "birth_decade": string(), "origin_province": string() } },
                    "events": array(json!({ "type": "object", "properties": {
                        "violation": string(), "location": string(), "year": { "type": "integer" }, "year_to": { "type": "integer" },
                    } })),
                    "transcript": { "type": "string", "description": "Paragraphs separated by a blank line." },
                },
            },
            "Rejection": object(&["file", "line", "reason"], json!({ "file": string(), "line": count(), "id": string(), "reason": string() })),
            "Warning": object(&["file", "line", "id", "message"], json!({ "file": string(), "line": count(), "id": string(), "message": string() })),
            "UnresolvedReport": object(&["kind", "label", "count", "testimonies"], json!({
                "kind": string(), "label": string(), "count": count(), "testimonies": array(string()), "candidates": array(string()),
            })),
            "IngestReport": object(
                &["files", "records", "added", "replaced", "passages", "rejected", "warnings", "unresolved", "committed"],
                json!({
                    "files": count(), "records": count(), "added": count(), "replaced": count(), "passages": count(),
                    "rejected": array(schema_ref("Rejection")), "warnings": array(schema_ref("Warning")),
                    "unresolved": array(schema_ref("UnresolvedReport")), "committed": { "type": "boolean" },
                }),
            ),
            "Suggestion": object(&["text", "kind", "value", "label_en", "label_ko"], json!({
                "text": string(),
                "kind": { "type": "string", "enum": ["place", "violation", "term"] },
                "value": { "type": "string", "description": "The place id or violation code (a filter value), or the word." },
                "label_en": string(), "label_ko": string(),
                "count": schema_ref("Count"),
                "filter": { "type": "string", "enum": ["location", "violation"], "description": "The filter parameter that takes value." },
            })),
            "SuggestResponse": object(&["q", "suggestions"], json!({ "q": string(), "suggestions": array(schema_ref("Suggestion")) })),
        }),
    ])
}

fn build() -> Value {
    let mut responses = error_responses();
    // The ingest refuses a batch of which nothing could be ingested with its report as details.
    responses.insert(
        "E400Ingest".into(),
        json!({
            "description": "Bad Request",
            "content": { "application/json": { "schema": error_schema(
                &STATUS_OF_CODE.iter().filter(|(_, s)| *s == 400).map(|(c, _)| *c).collect::<Vec<_>>(),
                Some(schema_ref("IngestReport")),
            ) } },
        }),
    );
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "testimony-search",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Search over anonymized human-rights testimony in Korean and English. Every error is JSON {\"error\":{\"code\",\"message\",\"details\"?}} with a 4xx (5xx only for a failure of the server). Without a key a caller is the public: public testimonies only, counts under k shown as \"<k\", no interviewee descriptors. A key that matches none is a 401.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
        },
        "servers": [{ "url": "/" }],
        "tags": [
            { "name": "search" }, { "name": "read" }, { "name": "corroborate" },
            { "name": "admin", "description": "Admin key only." }, { "name": "ops" },
        ],
        "security": [{}, { "bearer": [] }, { "apiKey": [] }],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "A researcher or admin key: Authorization: Bearer KEY." },
                "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "The same key in X-API-Key." },
            },
            "parameters": parameters(),
            "schemas": schemas(),
            "responses": Value::Object(responses),
        },
    });
    doc["paths"]["/api/testimonies"]["post"]["responses"]["400"] =
        json!({ "$ref": "#/components/responses/E400Ingest" });
    doc
}
