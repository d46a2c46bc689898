//! The index folder as tantivy sees it: memory-mapped files, except the document stores, which
//! are read a block at a time with `pread`.
//!
//! The stores (the stored text and metadata of every passage) are 62% of the index (337 of 540 MB
//! at 20,000 testimonies), and a search reads only the few blocks of the hits it shows. Mapped, the
//! blocks a server has ever shown stay in its resident memory: under distinct queries `serve` grew
//! to 645 MB after load, over the 500 MB budget, while the postings it searches are 135 MB. Read
//! with `pread`, a block is copied out of the kernel's page cache, which still keeps the hot ones,
//! and the server's own memory holds only what it searches. A block read costs one system call and
//! a 16 KB copy, for about ten blocks per search.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::HasLen;

/// [`MmapDirectory`], with `.store` files read by `pread` (see the module documentation).
#[derive(Clone, Debug)]
pub struct IndexDirectory {
    mmap: MmapDirectory,
    root: PathBuf,
}

impl IndexDirectory {
    pub fn open(root: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory { mmap: MmapDirectory::open(root)?, root: root.to_path_buf() })
    }
}

/// A file read by `pread`, one range at a time.
#[derive(Debug)]
struct ReadFile {
    file: File,
    len: usize,
}

impl HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let end = range.end.min(self.len);
        let mut buffer = vec![0; end.saturating_sub(range.start)];
        if !buffer.is_empty() {
            std::os::unix::fs::FileExt::read_exact_at(&self.file, &mut buffer, range.start as u64)?;
        }
        Ok(OwnedBytes::new(buffer))
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if path.extension().is_some_and(|e| e == "store") {
            let full = self.root.join(path);
            let io_error = |e: io::Error| match e.kind() {
                io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
                _ => OpenReadError::wrap_io_error(e, path.to_path_buf()),
            };
            let file = File::open(&full).map_err(io_error)?;
            let len = file.metadata().map_err(io_error)?.len() as usize;
            return Ok(Arc::new(ReadFile { file, len }));
        }
        self.mmap.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mmap.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mmap.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mmap.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mmap.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mmap.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mmap.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mmap.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mmap.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_files_are_read_by_range_and_the_rest_mapped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.store"), b"0123456789").unwrap();
        std::fs::write(dir.path().join("a.idx"), b"abcdef").unwrap();
        let d = IndexDirectory::open(dir.path()).unwrap();
        let store = d.get_file_handle(Path::new("a.store")).unwrap();
        assert_eq!(store.len(), 10);
        assert_eq!(store.read_bytes(2..5).unwrap().as_slice(), b"234");
        assert_eq!(store.read_bytes(8..20).unwrap().as_slice(), b"89");
        assert!(store.read_bytes(4..4).unwrap().as_slice().is_empty());
        assert_eq!(d.get_file_handle(Path::new("a.idx")).unwrap().read_bytes(0..3).unwrap().as_slice(), b"abc");
        assert!(matches!(d.get_file_handle(Path::new("b.store")), Err(OpenReadError::FileDoesNotExist(_))));
    }
}
