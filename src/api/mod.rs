//! The HTTP API (axum): routes, the shared state, JSON errors for every failure, request logging
//! and metrics, and start-up (open the index, or build the demo index from the sample corpus).
//! Handlers only translate between HTTP and the search and index layers.

mod admin;
pub mod auth;
pub mod error;
mod export;
mod metrics;
mod openapi;
mod page;
pub mod params;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::config::Config;
use crate::index::{IndexError, TestimonyIndex};
use crate::ingest::IngestReport;
use crate::search::SearchEngine;
use crate::taxonomy::{Taxonomy, TaxonomyError};

pub use error::ApiError;

/// What every handler shares.
pub struct AppState {
    pub engine: SearchEngine,
    pub config: Config,
    pub metrics: metrics::Metrics,
    /// Rate limits and the cap on requests in flight.
    pub limits: auth::Limits,
    /// One index writer at a time within this process.
    pub write_lock: std::sync::Mutex<()>,
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Taxonomy(#[from] TaxonomyError),
    #[error("{0}")]
    Index(#[from] IndexError),
    #[error("the demo corpus at {dir} could not be ingested: {message}")]
    Demo { dir: String, message: String },
}

impl AppState {
    /// Loads the taxonomy and opens the index; when there is no index yet, builds one from the
    /// sample corpus first (the demo). Returns the report of that build, if one ran.
    pub fn open(config: Config) -> Result<(Arc<AppState>, Option<IngestReport>), StartupError> {
        let taxonomy = Arc::new(Taxonomy::load(&config.schema)?);
        let fresh = !TestimonyIndex::exists(&config.index_dir);
        let index = Arc::new(TestimonyIndex::open_or_create(&config.index_dir, &config.schema)?);
        let mut report = None;
        if fresh {
            tracing::info!(dir = %config.sample_dir.display(), "no index yet: building the demo index from the sample corpus");
            let rules = crate::ingest::IngestRules::new(&taxonomy, &config.pii);
            let batch = crate::ingest::collect(&[&config.sample_dir], rules, &mut |_| {});
            let r = index.write_batch(batch, config.default_access, config.writer_memory)?;
            if r.accepted() == 0 {
                return Err(StartupError::Demo {
                    dir: config.sample_dir.display().to_string(),
                    message: format!("no record could be ingested ({} rejected)", r.rejected.len()),
                });
            }
            report = Some(r);
        }
        crate::analysis::language::warm_up();
        let engine = SearchEngine::new(index, taxonomy).with_cache(config.cache_entries);
        // Not fatal: a search builds what it lacks; this only spares the first searches. The
        // completion table is built in the background, so that start-up waits only for what
        // searches need.
        if let Err(e) = engine.warm_search() {
            tracing::warn!(error = %e, "could not warm the search tables");
        }
        let state = AppState::with_engine(engine, config);
        let background = state.clone();
        std::thread::spawn(move || {
            if let Err(e) = background.engine.completions() {
                tracing::warn!(error = %e, "could not build the completion table");
            }
        });
        Ok((state, report))
    }

    /// State over an index that is already open (tests, embedding).
    pub fn with_engine(engine: SearchEngine, config: Config) -> Arc<AppState> {
        Arc::new(AppState {
            engine,
            limits: auth::Limits::new(&config),
            config,
            metrics: metrics::Metrics::default(),
            write_lock: std::sync::Mutex::new(()),
        })
    }
}

/// Turns any error response that is not already ours (axum's 405 and 413, the timeout layer's
/// 408, …) into the JSON error shape, and records metrics.
async fn json_errors(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let status = response.status();
    state.metrics.record(&route, status.as_u16(), started.elapsed());
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let mut e = ApiError::from_status(status).into_response();
        *e.status_mut() = status;
        return e;
    }
    response
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    ApiError::new("internal", "the request could not be completed").into_response()
}

async fn not_found(request: Request) -> ApiError {
    ApiError::new("not_found", format!("no route for {} {}", request.method(), request.uri().path()))
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new("method_not_allowed", format!("{} is not allowed on {}", request.method(), request.uri().path()))
}

/// Cross-origin calls from the configured origins only (none: same origin only).
fn cors(config: &Config) -> tower_http::cors::CorsLayer {
    let origins: Vec<HeaderValue> = config.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    tower_http::cors::CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::HeaderName::from_static("x-api-key")])
}

/// The application's router.
pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/search", get(routes::search_get).post(routes::search_post))
        .route("/facets", get(routes::facets))
        .route("/quotes", get(routes::quotes))
        .route("/suggest", get(routes::suggest))
        .route("/testimonies/{id}", get(routes::testimony).delete(admin::delete))
        .route("/passages/{id}", get(routes::passage))
        .route("/passages/{id}/corroborate", get(routes::corroborate_passage))
        .route("/corroborate", axum::routing::post(routes::corroborate_text))
        .route("/openapi.json", get(openapi::serve))
        .layer(DefaultBodyLimit::max(64 * 1024));
    let ingest = Router::new()
        .route("/testimonies", axum::routing::post(admin::ingest))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes));
    Router::new()
        .nest("/api", api.merge(ingest))
        .route("/", get(page::index))
        .route("/assets/page.js", get(page::script))
        .route("/assets/page.css", get(page::style))
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/metrics", get(routes::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), auth::gate))
        .layer(middleware::from_fn_with_state(state.clone(), json_errors))
        .layer(cors(&state.config))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.config.request_timeout_secs),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            // The path only: a query string is what someone searched for, which the logs keep
                // for no one.
                TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, letting requests in flight finish.
pub async fn serve(state: Arc<AppState>) -> std::io::Result<()> {
    let addr = state.config.addr;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving on http://{addr}");
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
