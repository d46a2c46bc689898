//! GET /: a small search page embedded in the binary (no CDN, no build step). The full bilingual
//! page with facet panels and autocomplete replaces it in the web-page work.

use axum::response::Html;

pub async fn index() -> Html<&'static str> {
    Html(include_str!("page.html"))
}
