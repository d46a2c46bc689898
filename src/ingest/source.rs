//! Reading records from JSON Lines files, JSON files and folders of Markdown/text files with YAML
//! front matter. Every record comes back with where it was found; a bad line never stops the rest.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::Value;

/// Where a record was read from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub file: String,
    /// 1-based line of a JSON Lines record or of the front matter's opening line.
    pub line: usize,
}

/// A record as parsed, or why it could not be parsed.
#[derive(Debug)]
pub struct RawRecord {
    pub origin: Origin,
    pub value: Result<Value, String>,
}

/// A file or folder that could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("while reading {path}: {message}")]
pub struct SourceError {
    pub path: String,
    pub message: String,
}

/// File endings read as JSON Lines, JSON, and front-matter documents.
const JSONL: &[&str] = &["jsonl", "ndjson"];
const JSON: &[&str] = &["json"];
const DOCUMENTS: &[&str] = &["md", "markdown", "txt"];

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// The record files under a path: the file itself, or every readable file below a folder (sorted,
/// hidden files and folders skipped). Files of other kinds in a folder are passed over.
pub fn record_files(path: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| SourceError { path: path.display().to_string(), message: e.to_string() })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = entry.map_err(|e| SourceError { path: path.display().to_string(), message: e.to_string() })?;
        if entry.file_type().is_file() {
            let ext = extension(entry.path());
            if JSONL.contains(&ext.as_str()) || JSON.contains(&ext.as_str()) || DOCUMENTS.contains(&ext.as_str()) {
                files.push(entry.into_path());
            }
        }
    }
    Ok(files)
}

/// Reads every record of one file. I/O errors on the file as a whole are returned; a bad line or
/// document becomes a record with an error.
pub fn read_file(path: &Path) -> Result<Vec<RawRecord>, SourceError> {
    let file_name = path.display().to_string();
    let err = |e: std::io::Error| SourceError { path: file_name.clone(), message: e.to_string() };
    let ext = extension(path);
    if DOCUMENTS.contains(&ext.as_str()) {
        let bytes = std::fs::read(path).map_err(err)?;
        let origin = Origin { file: file_name.clone(), line: 1 };
        let value = match String::from_utf8(bytes) {
            Ok(text) => parse_document(&text),
            Err(_) => Err("the file is not valid UTF-8".to_string()),
        };
        return Ok(vec![RawRecord { origin, value }]);
    }
    if JSON.contains(&ext.as_str()) {
        let bytes = std::fs::read(path).map_err(err)?;
        let origin = |line| Origin { file: file_name.clone(), line };
        return Ok(match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Array(items)) => {
                items.into_iter().map(|v| RawRecord { origin: origin(1), value: Ok(v) }).collect()
            }
            Ok(v) => vec![RawRecord { origin: origin(1), value: Ok(v) }],
            Err(e) => vec![RawRecord { origin: origin(e.line()), value: Err(format!("invalid JSON: {e}")) }],
        });
    }
    let file = std::fs::File::open(path).map_err(err)?;
    read_jsonl(BufReader::new(file), &file_name).map_err(err)
}

/// Reads JSON Lines from any reader (a file or an HTTP body): one record per non-blank line.
pub fn read_jsonl(reader: impl BufRead, file_name: &str) -> std::io::Result<Vec<RawRecord>> {
    JsonLines::new(reader, file_name).collect()
}

/// JSON Lines read lazily, one record per non-blank line, so that a file of any size streams
/// through in constant memory.
pub struct JsonLines<R> {
    reader: R,
    file_name: String,
    line_no: usize,
    buf: Vec<u8>,
    bytes: Arc<AtomicU64>,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(reader: R, file_name: &str) -> Self {
        JsonLines { reader, file_name: file_name.to_string(), line_no: 0, buf: Vec::new(), bytes: Arc::default() }
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = std::io::Result<RawRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(n) => {
                    self.bytes.fetch_add(n as u64, Ordering::Relaxed);
                }
                Err(e) => return Some(Err(e)),
            }
            self.line_no += 1;
            let mut bytes = self.buf.as_slice();
            if self.line_no == 1 {
                bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            }
            let origin = Origin { file: self.file_name.clone(), line: self.line_no };
            let Ok(line) = std::str::from_utf8(bytes) else {
                return Some(Ok(RawRecord { origin, value: Err("the line is not valid UTF-8".into()) }));
            };
            if line.trim().is_empty() {
                continue;
            }
            let value = serde_json::from_str::<Value>(line.trim()).map_err(|e| format!("invalid JSON: {e}"));
            return Some(Ok(RawRecord { origin, value }));
        }
    }
}

/// The records under many paths, read lazily file by file (JSON Lines line by line). A path or
/// file that cannot be read comes out as a record with an error at line 0, and the rest is still
/// read.
pub struct RecordStream {
    paths: std::vec::IntoIter<PathBuf>,
    files: std::vec::IntoIter<PathBuf>,
    lines: Option<JsonLines<BufReader<std::fs::File>>>,
    pending: std::collections::VecDeque<RawRecord>,
    files_read: usize,
    /// Bytes of the files already finished plus the bytes read of the current one.
    bytes_done: Arc<AtomicU64>,
}

impl RecordStream {
    pub fn new(paths: &[impl AsRef<Path>]) -> Self {
        RecordStream {
            paths: paths.iter().map(|p| p.as_ref().to_path_buf()).collect::<Vec<_>>().into_iter(),
            files: Vec::new().into_iter(),
            lines: None,
            pending: Default::default(),
            files_read: 0,
            bytes_done: Arc::default(),
        }
    }

    /// Files opened so far.
    pub fn files_read(&self) -> usize {
        self.files_read
    }

    /// A counter of the bytes read so far, readable from elsewhere (a progress bar).
    pub fn bytes_read(&self) -> Arc<AtomicU64> {
        self.bytes_done.clone()
    }

    /// Bytes of every record file under `paths` (for a progress bar); unreadable paths count 0.
    pub fn total_bytes(paths: &[impl AsRef<Path>]) -> u64 {
        paths
            .iter()
            .flat_map(|p| record_files(p.as_ref()).unwrap_or_default())
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum()
    }

    fn unreadable(e: SourceError) -> RawRecord {
        RawRecord { origin: Origin { file: e.path, line: 0 }, value: Err(e.message) }
    }

    /// Opens the next file: JSON Lines as a lazy reader, other kinds whole (one document each).
    fn open(&mut self, file: PathBuf) {
        self.files_read += 1;
        let name = file.display().to_string();
        let ext = extension(&file);
        if JSONL.contains(&ext.as_str()) {
            match std::fs::File::open(&file) {
                Ok(f) => {
                    let mut lines = JsonLines::new(BufReader::with_capacity(1 << 20, f), &name);
                    lines.bytes = self.bytes_done.clone();
                    self.lines = Some(lines);
                }
                Err(e) => self.pending.push_back(Self::unreadable(SourceError { path: name, message: e.to_string() })),
            }
            return;
        }
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        match read_file(&file) {
            Ok(records) => self.pending.extend(records),
            Err(e) => self.pending.push_back(Self::unreadable(e)),
        }
        self.bytes_done.fetch_add(size, Ordering::Relaxed);
    }
}

impl Iterator for RecordStream {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(r);
            }
            if let Some(lines) = &mut self.lines {
                match lines.next() {
                    Some(Ok(record)) => return Some(record),
                    Some(Err(e)) => {
                        let origin = Origin { file: lines.file_name.clone(), line: lines.line_no + 1 };
                        self.lines = None;
                        return Some(RawRecord {
                            origin,
                            value: Err(format!("the file could not be read further: {e}")),
                        });
                    }
                    None => self.lines = None,
                }
                continue;
            }
            if let Some(file) = self.files.next() {
                self.open(file);
                continue;
            }
            let path = self.paths.next()?;
            match record_files(&path) {
                Ok(files) => self.files = files.into_iter(),
                Err(e) => self.pending.push_back(Self::unreadable(e)),
            }
        }
    }
}

/// Splits a Markdown/text document into YAML front matter and body; the body is the transcript.
pub fn parse_document(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err("missing YAML front matter: the file must start with a line '---'".into());
    }
    let mut yaml = String::new();
    let mut consumed = first.len();
    let mut closed = false;
    for line in lines {
        consumed += line.len();
        if matches!(line.trim_end(), "---" | "...") {
            closed = true;
            break;
        }
        yaml.push_str(line);
    }
    if !closed {
        return Err("front matter is not closed by a line '---'".into());
    }
    let front: Value = if yaml.trim().is_empty() {
        Value::Object(Default::default())
    } else {
        serde_norway::from_str(&yaml).map_err(|e| format!("invalid YAML front matter: {e}"))?
    };
    let Value::Object(mut map) = front else {
        return Err("front matter must be a mapping of fields".into());
    };
    let body = &text[consumed..];
    if map.contains_key("transcript") && !body.trim().is_empty() {
        return Err("transcript is given both in the front matter and as the body".into());
    }
    if !map.contains_key("transcript") {
        map.insert("transcript".into(), Value::String(body.trim().to_string()));
    }
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn front_matter_and_body() {
        let v = parse_document("---\nid: KR-1\nevents:\n  - year: 2008\n---\n\nQ: hello\n\nA: hi\n").unwrap();
        assert_eq!(v["id"], "KR-1");
        assert_eq!(v["events"][0]["year"], 2008);
        assert_eq!(v["transcript"], "Q: hello\n\nA: hi");
    }

    #[test]
    fn documents_without_front_matter_are_refused() {
        assert!(parse_document("just text").unwrap_err().contains("front matter"));
        assert!(parse_document("---\nid: x\n").unwrap_err().contains("not closed"));
        assert!(parse_document("---\n- a\n---\nbody").unwrap_err().contains("mapping"));
        assert!(parse_document("---\nid: [unclosed\n---\nbody").unwrap_err().contains("YAML"));
    }

    #[test]
    fn jsonl_lines_are_numbered_and_bad_lines_kept_as_errors() {
        let input = b"{\"id\":\"a\"}\n\nnot json\n\xff\xfe\n{\"id\":\"b\"}";
        let r = read_jsonl(&input[..], "f.jsonl").unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].origin.line, 1);
        assert!(r[1].value.as_ref().unwrap_err().contains("invalid JSON"));
        assert_eq!(r[1].origin.line, 3);
        assert!(r[2].value.as_ref().unwrap_err().contains("UTF-8"));
        assert_eq!(r[3].origin.line, 5);
    }

    proptest! {
        #[test]
        fn document_parsing_never_panics(text in "(---\n)?[a-z: \n\\-\\[\\]{}\"']{0,120}") {
            let _ = parse_document(&text);
        }

        #[test]
        fn jsonl_reading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = read_jsonl(&bytes[..], "x");
        }
    }
}
