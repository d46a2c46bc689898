//! Query-string parameters parsed into requests, strictly: an unknown, repeated or malformed
//! parameter is a 400 that names it (repeatable facet filters may of course repeat).

use crate::search::suggest::SuggestRequest;
use crate::search::{CorroborateRequest, OneOrMany, SearchRequest};

use super::error::ApiError;

/// Parameters of /api/search.
pub(super) const SEARCH_PARAMS: &[&str] = &[
    "q",
    "lang",
    "location",
    "violation",
    "sdg",
    "year_from",
    "year_to",
    "group",
    "page",
    "per_page",
    "sort",
    "provenance",
    "facets",
];
const REPEATABLE: &[&str] = &["location", "violation", "sdg"];

fn unknown(key: &str, allowed: &[&str]) -> ApiError {
    ApiError::new("unknown_parameter", format!("unknown parameter {key:?}; this endpoint takes {}", allowed.join(", ")))
}

fn integer(key: &str, value: &str) -> Result<i64, ApiError> {
    value.trim().parse::<i64>().map_err(|_| {
        ApiError::new("invalid_parameter", format!("invalid parameter {key}: must be an integer, got {value:?}"))
    })
}

/// Walks a query string: every key must be allowed, only the repeatable ones may repeat, and
/// empty values mean "not given" (except for the keys in `keep_empty`).
fn each_param(
    query: Option<&str>,
    allowed: &[&str],
    keep_empty: &[&str],
    mut take: impl FnMut(&str, String) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let key = key.as_ref();
        if !allowed.contains(&key) {
            return Err(unknown(key, allowed));
        }
        if !REPEATABLE.contains(&key) {
            if seen.iter().any(|k| k == key) {
                return Err(ApiError::new(
                    "invalid_parameter",
                    format!("invalid parameter {key}: given more than once"),
                ));
            }
            seen.push(key.to_string());
        }
        if value.trim().is_empty() && !keep_empty.contains(&key) {
            continue;
        }
        take(key, value.into_owned())?;
    }
    Ok(())
}

/// Parses the query string of /api/search.
pub fn search_request(query: Option<&str>) -> Result<SearchRequest, ApiError> {
    let mut r = SearchRequest::default();
    let mut lists: [Vec<String>; 3] = Default::default();
    each_param(query, SEARCH_PARAMS, &["q"], |key, value| {
        match key {
            "q" => r.q = Some(value),
            "lang" => r.lang = Some(value),
            "group" => r.group = Some(value),
            "sort" => r.sort = Some(value),
            "provenance" => r.provenance = Some(value),
            "facets" => r.facets = Some(value),
            "year_from" => r.year_from = Some(integer(key, &value)?),
            "year_to" => r.year_to = Some(integer(key, &value)?),
            "page" => r.page = Some(integer(key, &value)?),
            "per_page" => r.per_page = Some(integer(key, &value)?),
            "location" => lists[0].push(value),
            "violation" => lists[1].push(value),
            _ => lists[2].push(value),
        }
        Ok(())
    })?;
    [r.location, r.violation, r.sdg] = lists.map(OneOrMany::Many);
    Ok(r)
}

/// Parameters of GET /api/passages/{id}/corroborate.
const CORROBORATE_PARAMS: &[&str] =
    &["location", "violation", "sdg", "year_from", "year_to", "year_window", "per_page", "per_testimony"];

/// Parses the query string of GET /api/passages/{id}/corroborate.
pub fn corroborate_request(query: Option<&str>) -> Result<CorroborateRequest, ApiError> {
    let mut r = CorroborateRequest::default();
    let mut lists: [Vec<String>; 3] = Default::default();
    each_param(query, CORROBORATE_PARAMS, &[], |key, value| {
        match key {
            "location" => lists[0].push(value),
            "violation" => lists[1].push(value),
            "sdg" => lists[2].push(value),
            "year_from" => r.year_from = Some(integer(key, &value)?),
            "year_to" => r.year_to = Some(integer(key, &value)?),
            "year_window" => r.year_window = Some(integer(key, &value)?),
            "per_page" => r.per_page = Some(integer(key, &value)?),
            _ => r.per_testimony = Some(integer(key, &value)?),
        }
        Ok(())
    })?;
    [r.location, r.violation, r.sdg] = lists.map(OneOrMany::Many);
    Ok(r)
}

/// Parses a query string that may only hold the given parameters, each at most once.
pub fn simple(query: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if !allowed.contains(&key.as_ref()) {
            return Err(unknown(&key, allowed));
        }
        if out.iter().any(|(k, _)| k == key.as_ref()) {
            return Err(ApiError::new("invalid_parameter", format!("invalid parameter {key}: given more than once")));
        }
        out.push((key.into_owned(), value.into_owned()));
    }
    Ok(out)
}

/// Takes one parameter (given at most once) out of a query string: the rest, and its value.
pub fn take(query: Option<&str>, name: &str) -> Result<(String, Option<String>), ApiError> {
    let mut taken = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if key != name {
            rest.append_pair(&key, &value);
        } else if taken.replace(value.into_owned()).is_some() {
            return Err(ApiError::new("invalid_parameter", format!("invalid parameter {name}: given more than once")));
        }
    }
    Ok((rest.finish(), taken))
}

/// Parses the query string of /api/quotes: the parameters of /api/search plus `per_testimony`.
pub fn quotes_request(query: Option<&str>) -> Result<(SearchRequest, Option<i64>), ApiError> {
    let (rest, per_testimony) = take(query, "per_testimony")?;
    let per_testimony = per_testimony.map(|v| integer("per_testimony", &v)).transpose()?;
    Ok((search_request(Some(&rest))?, per_testimony))
}

/// Parses the query string of /api/suggest: `q` (required; blank answers no completions), `lang`, `limit`.
pub fn suggest_request(query: Option<&str>) -> Result<SuggestRequest, ApiError> {
    let p = simple(query, &["q", "lang", "limit"])?;
    let get = |name: &str| p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let q = get("q").ok_or_else(|| ApiError::new("invalid_parameter", "missing parameter q: the text typed so far"))?;
    let limit = get("limit").filter(|v| !v.trim().is_empty()).map(|v| integer("limit", v)).transpose()?;
    Ok(SuggestRequest::new(q, get("lang"), limit)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_filters_and_scalars() {
        let r =
            search_request(Some("q=%EC%88%98%EC%9A%A9%EC%86%8C&location=a&location=b&per_page=5&year_from=")).unwrap();
        assert_eq!(r.q.as_deref(), Some("수용소"));
        assert_eq!(r.location, OneOrMany::Many(vec!["a".into(), "b".into()]));
        assert_eq!(r.per_page, Some(5));
        assert_eq!(r.year_from, None);
    }

    #[test]
    fn errors_name_the_parameter() {
        assert!(search_request(Some("qq=1")).unwrap_err().message.contains("\"qq\""));
        assert!(search_request(Some("page=two")).unwrap_err().message.contains("page"));
        assert!(search_request(Some("q=a&q=b")).unwrap_err().message.contains("more than once"));
    }
}
