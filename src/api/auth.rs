//! Who is calling, and how much they may ask: API keys (kept as SHA-256 hashes, compared in
//! constant time) mapped to roles, no key being the public; per-caller rate limiting and a cap on
//! requests in flight, both answered with a JSON error; and the audit log (tracing target
//! `audit`) of admin actions and of restricted reads.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::{hash_key, ApiKey, Config, Role};
use crate::search::Viewer;

use super::error::ApiError;
use super::AppState;

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    /// The key's name, for the audit log; None for the public.
    pub key: Option<String>,
}

impl Caller {
    pub const PUBLIC: Caller = Caller { role: Role::Public, key: None };

    /// What this caller may read.
    pub fn viewer(&self, config: &Config) -> Viewer {
        match self.role {
            Role::Public => Viewer::Public { min_count: config.min_count },
            Role::Researcher | Role::Admin => Viewer::Trusted,
        }
    }

    pub fn require(&self, role: Role, action: &str) -> Result<(), ApiError> {
        if self.role >= role {
            return Ok(());
        }
        Err(match self.role {
            Role::Public => {
                ApiError::new("unauthorized", format!("{action} needs an API key (Authorization: Bearer …)"))
            }
            _ => ApiError::new("forbidden", format!("{action} needs the {role:?} role").to_lowercase()),
        })
    }
}

/// Compares every byte of both, so that the time taken does not tell how much matched.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The key a request carries: `Authorization: Bearer KEY` or `X-API-Key: KEY`.
fn given_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok())).map(str::trim)
}

/// Finds the caller: no key is the public; a key that matches no configured one is refused
/// (rather than quietly served as the public, which would hide a misconfigured client).
pub fn identify(keys: &[ApiKey], headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(given) = given_key(headers).filter(|k| !k.is_empty()) else {
        return Ok(Caller::PUBLIC);
    };
    let hash = hash_key(given);
    // Every key is compared, whichever matches.
    let mut found: Option<&ApiKey> = None;
    for k in keys {
        if same(&k.sha256, &hash) {
            found = Some(k);
        }
    }
    match found {
        Some(k) => Ok(Caller { role: k.role, key: Some(k.name.clone()) }),
        None => {
            tracing::warn!(target: "audit", event = "rejected_key", "a request came with a key that matches none");
            Err(ApiError::new("unauthorized", "the API key is not valid"))
        }
    }
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Caller, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        identify(&state.config.api_keys, &parts.headers)
    }
}

type KeyedLimiter = governor::DefaultKeyedRateLimiter<String>;

/// Per-caller rate limits and the cap on requests in flight.
pub struct Limits {
    rate: Option<KeyedLimiter>,
    in_flight: tokio::sync::Semaphore,
}

impl Limits {
    pub fn new(config: &Config) -> Limits {
        let rate = NonZeroU32::new(config.rate_limit_per_minute).map(|n| {
            // A burst of a tenth of the minute's allowance, so a page's few requests never wait.
            let burst = NonZeroU32::new((n.get() / 10).max(1)).expect("at least 1");
            governor::RateLimiter::keyed(governor::Quota::per_minute(n).allow_burst(burst))
        });
        Limits { rate, in_flight: tokio::sync::Semaphore::new(config.max_concurrent_requests) }
    }
}

/// Identifies the caller, applies its rate limit and the in-flight cap, and hands the caller
/// to the handlers (as a request extension).
pub async fn gate(State(state): State<Arc<AppState>>, mut request: Request, next: Next) -> Response {
    let caller = match identify(&state.config.api_keys, request.headers()) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if let Some(limiter) = &state.limits.rate {
        let who = match &caller.key {
            Some(name) => format!("key:{name}"),
            None => match request.extensions().get::<ConnectInfo<SocketAddr>>() {
                Some(ConnectInfo(addr)) => format!("ip:{}", addr.ip()),
                None => "public".to_string(),
            },
        };
        if let Err(not_until) = limiter.check_key(&who) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            let mut response =
                ApiError::new("rate_limited", "too many requests; slow down and retry after the given seconds")
                    .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
    }
    let Ok(_permit) = state.limits.in_flight.try_acquire() else {
        let mut response = ApiError::new("overloaded", "the server is busy; retry in a moment").into_response();
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        return response;
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// Records, in the audit log, that a trusted caller was given restricted testimonies.
pub fn audit_restricted_read<'a>(caller: &Caller, route: &str, testimonies: impl Iterator<Item = &'a str>) {
    let mut ids: Vec<&str> = testimonies.collect();
    if ids.is_empty() {
        return;
    }
    ids.sort_unstable();
    ids.dedup();
    tracing::info!(
        target: "audit",
        event = "restricted_read",
        key = caller.key.as_deref().unwrap_or("-"),
        role = ?caller.role,
        route,
        testimonies = ?ids,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn keys_map_to_roles_and_unknown_keys_are_refused() {
        let keys = vec![
            ApiKey { name: "r".into(), role: Role::Researcher, sha256: hash_key("researcher-key-0123456789") },
            ApiKey { name: "a".into(), role: Role::Admin, sha256: hash_key("admin-key-0123456789abc") },
        ];
        assert_eq!(identify(&keys, &headers(&[])).unwrap().role, Role::Public);
        let r = identify(&keys, &headers(&[("authorization", "Bearer researcher-key-0123456789")])).unwrap();
        assert_eq!((r.role, r.key.as_deref()), (Role::Researcher, Some("r")));
        let a = identify(&keys, &headers(&[("x-api-key", "admin-key-0123456789abc")])).unwrap();
        assert_eq!(a.role, Role::Admin);
        assert!(identify(&keys, &headers(&[("authorization", "Bearer wrong-key-0123456789")])).is_err());
        assert!(a.require(Role::Admin, "ingest").is_ok());
        assert_eq!(r.require(Role::Admin, "ingest").unwrap_err().code, "forbidden");
        assert_eq!(Caller::PUBLIC.require(Role::Researcher, "x").unwrap_err().code, "unauthorized");
    }
}
