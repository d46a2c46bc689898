//! The search page in a real browser: headless Chromium, driven through chromedriver (WebDriver)
//! against the real router over the sample corpus on a loopback port. Walks what a user does:
//! types Korean, picks a completion with the keyboard, ticks a facet and sees the counts change,
//! opens a testimony at the passage, copies a quote with its citation, switches the interface to
//! Korean, reloads the shared URL, goes back. Screenshots go to target/browser-screenshots/.
//!
//! Needs `chromium` and `chromium-driver` (Debian): tests/run.sh installs them. The test fails,
//! not skips, when the browser cannot start. CHROME and CHROMEDRIVER override the binaries.

mod common;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const INSTALL: &str =
    "install Chromium and its WebDriver: `apt-get update && apt-get install -y chromium chromium-driver` \
                       (tests/run.sh does this), or point CHROME and CHROMEDRIVER at the binaries";

/// chromedriver, stopped when the test ends however it ends.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

fn binary(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    candidates.iter().find_map(|name| {
        std::env::split_paths(&path).chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/lib/chromium")]).find_map(
            |dir| {
                let p = dir.join(name);
                p.is_file().then_some(p)
            },
        )
    })
}

fn start_driver() -> Driver {
    let exe = binary("CHROMEDRIVER", &["chromedriver"]).unwrap_or_else(|| panic!("chromedriver not found: {INSTALL}"));
    let port = free_port();
    let child = Command::new(&exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL}", exe.display()));
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "chromedriver did not listen within 30 s; {INSTALL}");
        std::thread::sleep(Duration::from_millis(50));
    }
    driver
}

async fn start_browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let chrome = binary("CHROME", &["chromium", "chromium-browser", "google-chrome"])
        .unwrap_or_else(|| panic!("chromium not found: {INSTALL}"));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chrome,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=en-US",
                "--window-size=1280,900", format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("the browser could not start: {e}; {INSTALL}"))
}

/// Serves the real router over the sample corpus on a free loopback port.
async fn start_server() -> SocketAddr {
    let router = common::sample_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

/// Evaluates `script` (a JavaScript expression) until it is truthy; fails after 20 s saying `what`.
async fn until(c: &Client, script: &str, what: &str) -> Value {
    let started = Instant::now();
    loop {
        let v = c.execute(&format!("return ({script});"), vec![]).await.expect("script runs");
        let truthy = match &v {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return v;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "timed out waiting for: {what} ({script})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(&format!("return ({script});"), vec![]).await.expect("script runs")
}

async fn screenshot(c: &Client, name: &str) {
    let dir = common::repo_path("target/browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

async fn press(c: &Client, key: Key) {
    c.find(Locator::Id("q")).await.expect("search box").send_keys(&char::from(key).to_string()).await.expect("key");
}

/// The counts shown in a facet panel, in order.
async fn panel_counts(c: &Client, facet: &str) -> Value {
    js(c, &format!("[...document.querySelectorAll('#facet-{facet} .count')].map(e => e.textContent).join(' ')")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_page_works_in_chromium() {
    let addr = start_server().await;
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("profile folder");
    let c = start_browser(&driver, profile.path()).await;
    // The walk runs as a task so that the browser is closed even when an assertion fails.
    let walker = c.clone();
    let outcome = tokio::spawn(async move { walk(&walker, &format!("http://{addr}/")).await }).await;
    let _ = c.close().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn walk(c: &Client, home: &str) {
    c.goto(home).await.expect("open the page");
    until(c, "document.querySelector('#facet-location .tree input')", "facet panels on the start page").await;
    assert_eq!(js(c, "document.getElementById('q-label').textContent").await, "Search testimonies");
    screenshot(c, "01-start").await;

    // Type Korean; the completions list opens with Hoeryong; pick it with the arrow keys and Enter.
    let q = c.find(Locator::Id("q")).await.expect("search box");
    q.click().await.expect("focus the box");
    q.send_keys("회").await.expect("type");
    let hoeryong = "#suggestions li[data-value='kp/north-hamgyong/hoeryong']";
    until(c, &format!("document.querySelector(\"{hoeryong}\")"), "the completion 회령").await;
    assert_eq!(js(c, "document.getElementById('q').getAttribute('aria-expanded')").await, "true");
    screenshot(c, "02-suggestions").await;
    let index = js(
        c,
        &format!("[...document.querySelectorAll('#suggestions li')].indexOf(document.querySelector(\"{hoeryong}\"))"),
    )
    .await
    .as_u64()
    .expect("index of the option") as usize;
    for _ in 0..=index {
        press(c, Key::Down).await;
    }
    assert_eq!(
        js(c, "document.getElementById('q').getAttribute('aria-activedescendant')").await,
        format!("sg-{index}")
    );
    press(c, Key::Enter).await;
    until(c, "document.querySelectorAll('#hits li.hit').length > 0", "results for 회령").await;
    assert_eq!(js(c, "document.getElementById('q').value").await, "회령");
    assert_eq!(js(c, "new URLSearchParams(location.search).get('q')").await, "회령");
    assert!(js(c, "document.querySelector('#hits mark') !== null").await.as_bool().unwrap(), "highlighted passages");
    assert!(js(c, "document.getElementById('suggestions').hidden").await.as_bool().unwrap(), "the list closed");
    // Arrow down opens the list again; Escape closes it and leaves the text alone.
    press(c, Key::Down).await;
    until(c, "!document.getElementById('suggestions').hidden", "the list opens again").await;
    press(c, Key::Escape).await;
    until(c, "document.getElementById('suggestions').hidden", "Escape closes the list").await;
    assert_eq!(js(c, "document.getElementById('q').value").await, "회령");
    screenshot(c, "03-results").await;

    // Tick the violation that narrows the result most: the place counts change.
    let summary_before = js(c, "document.getElementById('summary').textContent").await;
    let places_before = panel_counts(c, "location").await;
    let value = js(
        c,
        "(() => { const total = Math.max(...[...document.querySelectorAll('#facet-location .tree > li > .node .count')].map(e => parseInt(e.textContent.slice(1)))); \
           const boxes = [...document.querySelectorAll('#facet-violation input')].map(b => [b.dataset.value, parseInt(b.parentElement.querySelector('.count').textContent.slice(1))]).filter(([, n]) => n > 0 && n < total); \
           boxes.sort((a, b) => a[1] - b[1]); return boxes.length ? boxes[0][0] : null; })()",
    )
    .await;
    let value = value.as_str().expect("a violation that narrows the result").to_string();
    let selector = format!("#facet-violation input[data-value='{value}']");
    c.find(Locator::Css(&selector)).await.expect("checkbox").click().await.expect("tick");
    until(
        c,
        &format!("document.querySelector(\"{selector}\") && document.querySelector(\"{selector}\").checked"),
        "ticked box",
    )
    .await;
    until(c, &format!("document.getElementById('summary').textContent !== {summary_before}"), "new totals").await;
    assert_ne!(panel_counts(c, "location").await, places_before, "the place counts follow the violation filter");
    assert_eq!(js(c, "new URLSearchParams(location.search).getAll('violation').join()").await, value.as_str());
    assert!(
        js(c, "document.activeElement && document.activeElement.dataset.value").await == value.as_str(),
        "focus stays"
    );
    assert!(js(c, "document.querySelector('#active-filters .chip') !== null").await.as_bool().unwrap());
    let filtered_url = c.current_url().await.expect("url").to_string();
    screenshot(c, "04-filtered").await;

    // Open the first hit in its testimony: the passage is marked and focused.
    let citation = js(c, "document.querySelector('#hits li.hit cite').textContent").await;
    let citation = citation.as_str().expect("citation").to_string();
    let passage = js(c, "document.querySelector('#hits li.hit').dataset.passage").await;
    let paragraph = passage.as_str().and_then(|p| p.rsplit('#').next()).expect("passage id").to_string();
    c.find(Locator::Css("#hits li.hit button.open")).await.expect("open button").click().await.expect("open");
    until(c, "document.querySelector('#testimony:not([hidden]) li.target')", "the testimony view").await;
    assert_eq!(js(c, "document.querySelector('#testimony li.target').id").await, format!("p-{paragraph}"));
    assert_eq!(js(c, "document.activeElement.id").await, format!("p-{paragraph}"));
    assert!(js(c, "document.getElementById('hits').hidden").await.as_bool().unwrap());
    screenshot(c, "05-testimony").await;

    // Copy the quote with its citation.
    c.find(Locator::Css("#testimony li.target button.copy")).await.expect("copy button").click().await.expect("copy");
    let copied = until(c, "window.lastCopiedQuote", "a copied quote").await;
    let copied = copied.as_str().unwrap();
    assert!(copied.contains(&citation), "{copied:?} lacks {citation:?}");
    assert!(copied.starts_with('“'), "{copied:?}");
    until(c, "document.getElementById('toast').textContent !== ''", "the copy notice").await;

    // The browser's back button returns to the filtered results.
    c.back().await.expect("back");
    until(
        c,
        "document.getElementById('testimony').hidden && document.querySelectorAll('#hits li.hit').length > 0",
        "results again",
    )
    .await;
    assert_eq!(c.current_url().await.expect("url").to_string(), filtered_url);

    // Switch the interface to Korean: labels change, the URL remembers it.
    c.find(Locator::Id("ui-lang")).await.expect("language switch").click().await.expect("switch");
    until(c, "document.getElementById('q-label').textContent === '증언 검색'", "Korean labels").await;
    assert_eq!(js(c, "document.documentElement.lang").await, "ko");
    assert_eq!(js(c, "document.getElementById('h-location').textContent").await, "지역");
    let shared = c.current_url().await.expect("url").to_string();
    assert!(shared.contains("ui=ko"), "{shared}");
    screenshot(c, "06-korean").await;

    // The shared URL restores everything on a fresh load.
    c.goto("about:blank").await.expect("leave");
    c.goto(&shared).await.expect("reload the shared link");
    until(c, "document.querySelectorAll('#hits li.hit').length > 0", "results after reload").await;
    assert_eq!(js(c, "document.getElementById('q').value").await, "회령");
    until(
        c,
        &format!("document.querySelector(\"{selector}\") && document.querySelector(\"{selector}\").checked"),
        "filter restored",
    )
    .await;
    assert_eq!(js(c, "document.getElementById('q-label').textContent").await, "증언 검색");

    // At phone width nothing runs off the side.
    c.set_window_size(375, 812).await.expect("phone width");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let overflow = js(c, "document.documentElement.scrollWidth - document.documentElement.clientWidth").await;
    assert!(overflow.as_i64().unwrap_or(1) <= 0, "horizontal overflow of {overflow} px at 375 px");
    screenshot(c, "07-phone").await;
}
