//! GET / and /assets/…: the search page, its script and its style sheet, compiled into the binary
//! (no CDN, no build step, works offline). The page talks to the JSON API like any client.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

/// Scripts and styles only from this server: highlights are the one piece of server HTML the page
/// inserts, and even a bug there cannot run a script.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub async fn index() -> Response {
    ([(header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-cache")], Html(include_str!("page.html")))
        .into_response()
}

pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("page.js"))
}

pub async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("page.css"))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    // no-cache: revalidated on every load, so a new binary's page never runs with an old script.
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}
