//! The service configuration: one struct read from an optional TOML file, then overridden by
//! environment variables, validated at start-up with errors that name the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::ingest::{Access, PiiCheck};
use crate::taxonomy::SchemaSource;

/// Where the index lives when nothing else is said.
pub const DEFAULT_INDEX_DIR: &str = "./data/index";
/// Where the server listens when nothing else is said.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// A configuration key with a wrong value, or a file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("while reading {path}: {message}")]
    File { path: String, message: String },
    #[error("config key {key}: {message}")]
    Key { key: String, message: String },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    index_dir: Option<PathBuf>,
    addr: Option<String>,
    default_access: Option<String>,
    schema_dir: Option<PathBuf>,
    sample_dir: Option<PathBuf>,
    writer_memory_mb: Option<usize>,
    cache_entries: Option<usize>,
    export_limit: Option<usize>,
    request_timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    /// No longer read: keys are kept as hashes (`[[api_keys]]`) or given in the environment.
    admin_key: Option<String>,
    pii_terms: Option<Vec<String>>,
    pii_terms_file: Option<PathBuf>,
    pii_redact: Option<bool>,
    #[serde(default)]
    api_keys: Vec<ApiKeyEntry>,
    min_count: Option<u64>,
    cors_origins: Option<Vec<String>>,
    rate_limit_per_minute: Option<u32>,
    max_concurrent_requests: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiKeyEntry {
    name: String,
    role: String,
    /// SHA-256 of the key, hex (`testimony-search hash-key` prints it).
    sha256: String,
}

/// What a key may do beyond the public's reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// No key: public testimonies only, small counts hidden.
    Public,
    /// Reads everything.
    Researcher,
    /// Reads everything, and ingests and deletes over HTTP.
    Admin,
}

/// An API key as the server keeps it: its name (for the audit log), role and SHA-256 hash.
#[derive(Clone)]
pub struct ApiKey {
    pub name: String,
    pub role: Role,
    pub sha256: [u8; 32],
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey").field("name", &self.name).field("role", &self.role).finish_non_exhaustive()
    }
}

/// Keys shorter than this are refused: a key is a secret, not a password to remember.
pub const MIN_KEY_CHARS: usize = 16;

/// The SHA-256 of a key. Keys are long random strings, so a plain hash is enough to keep them
/// unreadable at rest (a password would need a slow hash).
pub fn hash_key(key: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(key.trim().as_bytes()).into()
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Lower-case hex of a hash.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub index_dir: PathBuf,
    pub addr: SocketAddr,
    /// Access of records that do not say (restricted unless configured).
    pub default_access: Access,
    /// Where index-schema files are read from (embedded copies when unset).
    pub schema: SchemaSource,
    /// The demo corpus ingested by `serve` when there is no index yet.
    pub sample_dir: PathBuf,
    pub writer_memory: usize,
    /// Search answers kept until the index changes (0: no cache).
    pub cache_entries: usize,
    /// Most rows a search export (format=csv|jsonl) returns.
    pub export_limit: usize,
    pub request_timeout_secs: u64,
    pub max_body_bytes: usize,
    /// Researcher and admin keys (hashed). With none, everyone is the public and ingest and
    /// delete over HTTP are off.
    pub api_keys: Vec<ApiKey>,
    /// Disclosure control: the public sees counts under this as "<min_count".
    pub min_count: u64,
    /// Origins a browser may call the API from (CORS); none: same origin only.
    pub cors_origins: Vec<String>,
    /// Requests per minute per key (or per client address for the public); 0: no limit.
    pub rate_limit_per_minute: u32,
    /// Requests served at once; more are answered 503 at once rather than queued.
    pub max_concurrent_requests: usize,
    /// The PII check at ingest: the built-in rules plus `pii_terms` and the lines of
    /// `pii_terms_file`, compiled once; masks matches when `pii_redact` is true, else refuses
    /// the record (`--redact` and `redact=true` turn masking on per run or request).
    pub pii: PiiCheck,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            index_dir: PathBuf::from(DEFAULT_INDEX_DIR),
            addr: DEFAULT_ADDR.parse().expect("the default address parses"),
            default_access: Access::Restricted,
            schema: SchemaSource::Embedded,
            sample_dir: default_sample_dir(),
            writer_memory: crate::index::DEFAULT_WRITER_MEMORY,
            cache_entries: 4096,
            export_limit: crate::search::request::MAX_DEPTH,
            request_timeout_secs: 30,
            max_body_bytes: 16 * 1024 * 1024,
            api_keys: Vec::new(),
            min_count: crate::search::DEFAULT_MIN_COUNT,
            cors_origins: Vec::new(),
            rate_limit_per_minute: 6000,
            max_concurrent_requests: 512,
            pii: PiiCheck::default(),
        }
    }
}

/// data/sample beside the crate (the bundled demo corpus).
pub fn default_sample_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample"))
}

fn key_err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Key { key: key.to_string(), message: message.into() }
}

impl Config {
    /// Reads the file (if given), then the environment (`TESTIMONY_INDEX`, `TESTIMONY_ADDR`,
    /// `TESTIMONY_DEFAULT_ACCESS`, `TESTIMONY_SCHEMA_DIR`, `TESTIMONY_SAMPLE_DIR`, `TESTIMONY_ADMIN_KEY`,
    /// `TESTIMONY_PII_TERMS_FILE`, `TESTIMONY_PII_REDACT`).
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_with_env(file, |k| std::env::var(k).ok())
    }

    /// As [`Config::load`], with the environment given as a function (tests).
    pub fn load_with_env(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let parsed: ConfigFile = match file {
            None => ConfigFile::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::File { path: path.display().to_string(), message: e.to_string() })?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError::File { path: path.display().to_string(), message: e.to_string() })?
            }
        };
        let mut c = Config::default();
        if let Some(d) = parsed.index_dir {
            c.index_dir = d;
        }
        if let Some(a) = env("TESTIMONY_INDEX").filter(|s| !s.is_empty()) {
            c.index_dir = PathBuf::from(a);
        }
        let addr = env("TESTIMONY_ADDR").filter(|s| !s.is_empty()).or(parsed.addr);
        if let Some(a) = addr {
            c.addr = a.parse().map_err(|_| key_err("addr", format!("{a:?} is not HOST:PORT (e.g. 127.0.0.1:8080)")))?;
        }
        let access = env("TESTIMONY_DEFAULT_ACCESS").filter(|s| !s.is_empty()).or(parsed.default_access);
        if let Some(a) = access {
            c.default_access = Access::parse(&a)
                .ok_or_else(|| key_err("default_access", format!("must be public or restricted, got {a:?}")))?;
        }
        if let Some(d) = env("TESTIMONY_SCHEMA_DIR").filter(|s| !s.is_empty()).map(PathBuf::from).or(parsed.schema_dir)
        {
            if !d.is_dir() {
                return Err(key_err("schema_dir", format!("{} is not a folder", d.display())));
            }
            c.schema = SchemaSource::Dir(d);
        }
        if let Some(d) = env("TESTIMONY_SAMPLE_DIR").filter(|s| !s.is_empty()).map(PathBuf::from).or(parsed.sample_dir)
        {
            c.sample_dir = d;
        }
        if let Some(mb) = parsed.writer_memory_mb {
            if !(32..=4096).contains(&mb) {
                return Err(key_err("writer_memory_mb", "must be from 32 to 4096"));
            }
            c.writer_memory = mb * 1024 * 1024;
        }
        if let Some(n) = parsed.cache_entries {
            if n > 100_000 {
                return Err(key_err("cache_entries", "must be from 0 to 100000"));
            }
            c.cache_entries = n;
        }
        if let Some(n) = parsed.export_limit {
            if !(1..=crate::search::request::MAX_DEPTH).contains(&n) {
                return Err(key_err("export_limit", "must be from 1 to 10000"));
            }
            c.export_limit = n;
        }
        if let Some(s) = parsed.request_timeout_secs {
            if !(1..=600).contains(&s) {
                return Err(key_err("request_timeout_secs", "must be from 1 to 600"));
            }
            c.request_timeout_secs = s;
        }
        if let Some(b) = parsed.max_body_bytes {
            if !(1024..=1024 * 1024 * 1024).contains(&b) {
                return Err(key_err("max_body_bytes", "must be from 1 KiB to 1 GiB"));
            }
            c.max_body_bytes = b;
        }
        if parsed.admin_key.is_some() {
            return Err(key_err(
                "admin_key",
                "keys are no longer kept in plain text: use [[api_keys]] with name, role and sha256 \
                 (testimony-search hash-key prints it), or TESTIMONY_ADMIN_KEY",
            ));
        }
        for (i, entry) in parsed.api_keys.into_iter().enumerate() {
            let key = format!("api_keys[{i}]");
            let role = match entry.role.as_str() {
                "researcher" => Role::Researcher,
                "admin" => Role::Admin,
                other => {
                    return Err(key_err(&format!("{key}.role"), format!("must be researcher or admin, got {other:?}")))
                }
            };
            let sha256 = parse_hex32(&entry.sha256)
                .ok_or_else(|| key_err(&format!("{key}.sha256"), "must be 64 hex digits (the SHA-256 of the key)"))?;
            if entry.name.trim().is_empty() {
                return Err(key_err(&format!("{key}.name"), "must not be empty"));
            }
            c.api_keys.push(ApiKey { name: entry.name, role, sha256 });
        }
        for (var, role) in [("TESTIMONY_ADMIN_KEY", Role::Admin), ("TESTIMONY_RESEARCHER_KEY", Role::Researcher)] {
            if let Some(k) = env(var).filter(|s| !s.is_empty()) {
                if k.trim().chars().count() < MIN_KEY_CHARS {
                    return Err(key_err(var, format!("must have at least {MIN_KEY_CHARS} characters")));
                }
                c.api_keys.push(ApiKey { name: var.to_ascii_lowercase(), role, sha256: hash_key(&k) });
            }
        }
        if let Some(k) = parsed.min_count {
            if !(1..=100).contains(&k) {
                return Err(key_err("min_count", "must be from 1 to 100"));
            }
            c.min_count = k;
        }
        if let Some(origins) = parsed.cors_origins {
            for o in &origins {
                if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/') {
                    return Err(key_err("cors_origins", format!("{o:?} is not an origin like https://example.org")));
                }
            }
            c.cors_origins = origins;
        }
        let rate = env("TESTIMONY_RATE_LIMIT").filter(|s| !s.is_empty());
        if let Some(r) = rate {
            c.rate_limit_per_minute =
                r.parse().map_err(|_| key_err("TESTIMONY_RATE_LIMIT", "must be a number of requests per minute"))?;
        } else if let Some(r) = parsed.rate_limit_per_minute {
            c.rate_limit_per_minute = r;
        }
        if let Some(n) = parsed.max_concurrent_requests {
            if !(1..=100_000).contains(&n) {
                return Err(key_err("max_concurrent_requests", "must be from 1 to 100000"));
            }
            c.max_concurrent_requests = n;
        }
        let terms_file =
            env("TESTIMONY_PII_TERMS_FILE").filter(|s| !s.is_empty()).map(PathBuf::from).or(parsed.pii_terms_file);
        c.pii = pii_check(parsed.pii_terms.unwrap_or_default(), terms_file.as_deref())?;
        let redact = match env("TESTIMONY_PII_REDACT").filter(|s| !s.is_empty()) {
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" => Some(false),
                _ => return Err(key_err("pii_redact", format!("must be true or false, got {v:?}"))),
            },
            None => parsed.pii_redact,
        };
        c.pii = c.pii.redacting(redact.unwrap_or(false));
        Ok(c)
    }
}

/// Compiles the PII check from the configured terms and the terms file (one term per line;
/// blank lines and lines starting with '#' are skipped). Errors name the key and the entry or
/// line, never the term itself: it is a name that must not reach logs.
fn pii_check(terms: Vec<String>, file: Option<&Path>) -> Result<PiiCheck, ConfigError> {
    let mut all = Vec::with_capacity(terms.len());
    for (i, t) in terms.iter().enumerate() {
        all.push(
            crate::ingest::pii::normalize_term(t).map_err(|m| key_err("pii_terms", format!("entry {} {m}", i + 1)))?,
        );
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_err("pii_terms_file", format!("while reading {}: {e}", path.display())))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            all.push(
                crate::ingest::pii::normalize_term(line)
                    .map_err(|m| key_err("pii_terms_file", format!("{} line {} {m}", path.display(), n + 1)))?,
            );
        }
    }
    PiiCheck::with_terms(&all).map_err(|m| key_err(if file.is_some() { "pii_terms_file" } else { "pii_terms" }, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_environment() {
        let c = Config::load_with_env(None, |_| None).unwrap();
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(c.default_access, Access::Restricted);
        let c = Config::load_with_env(None, |k| (k == "TESTIMONY_ADDR").then(|| "0.0.0.0:9000".into())).unwrap();
        assert_eq!(c.addr.port(), 9000);
    }

    #[test]
    fn wrong_values_name_the_key() {
        let e = Config::load_with_env(None, |k| (k == "TESTIMONY_ADDR").then(|| "nowhere".into())).unwrap_err();
        assert!(e.to_string().contains("addr"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "default_access = \"open\"\n").unwrap();
        let e = Config::load_with_env(Some(&f), |_| None).unwrap_err();
        assert!(e.to_string().contains("default_access"), "{e}");
        std::fs::write(&f, "colour = 1\n").unwrap();
        let e = Config::load_with_env(Some(&f), |_| None).unwrap_err();
        assert!(e.to_string().contains("c.toml"), "{e}");
    }

    #[test]
    fn pii_terms_from_the_list_and_the_file_and_redaction() {
        let dir = tempfile::tempdir().unwrap();
        let terms = dir.path().join("terms.txt");
        std::fs::write(&terms, "# names to refuse\n박순자\n\nKim Young-hee\n").unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, format!("pii_terms = [\"Lee Sun-ok\"]\npii_terms_file = {:?}\npii_redact = true\n", terms))
            .unwrap();
        let c = Config::load_with_env(Some(&f), |_| None).unwrap();
        assert_eq!(c.pii.term_count(), 3);
        assert!(c.pii.redacts());
        assert_eq!(c.pii.scan("I met kim young-hee.").len(), 1);
        let c = Config::load_with_env(Some(&f), |k| (k == "TESTIMONY_PII_REDACT").then(|| "false".into())).unwrap();
        assert!(!c.pii.redacts());
        let d = Config::load_with_env(None, |_| None).unwrap();
        assert_eq!((d.pii.term_count(), d.pii.redacts()), (0, false));
    }

    #[test]
    fn wrong_pii_settings_name_the_key_and_not_the_term() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "pii_terms = [\"Lee Sun-ok\", \"x\"]\n").unwrap();
        let e = Config::load_with_env(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("pii_terms") && e.contains("entry 2"), "{e}");
        let terms = dir.path().join("terms.txt");
        std::fs::write(&terms, "박순자\n \t김\n").unwrap();
        std::fs::write(&f, format!("pii_terms_file = {:?}\n", terms)).unwrap();
        let e = Config::load_with_env(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("pii_terms_file") && e.contains("line 2") && !e.contains("박순자"), "{e}");
        let e = Config::load_with_env(None, |k| (k == "TESTIMONY_PII_TERMS_FILE").then(|| "/nonexistent/t.txt".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("pii_terms_file"), "{e}");
        let e = Config::load_with_env(None, |k| (k == "TESTIMONY_PII_REDACT").then(|| "maybe".into())).unwrap_err();
        assert!(e.to_string().contains("pii_redact"), "{e}");
    }
}
