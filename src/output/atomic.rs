//! Atomic file writes: nothing half-written is ever left at the target path.

use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Calls `write` with a temporary path next to `path` (same folder, same extension), then renames
/// it to `path`. On failure the temporary file is removed and `path` is untouched. The folder is
/// created when missing.
pub fn write_atomic(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::new(ErrorKind::InvalidValue, "not a file name").file(path))?
        .to_string_lossy()
        .into_owned();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}-{}.tmp{ext}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let cleanup = |tmp: &Path| {
        let _ = std::fs::remove_file(tmp);
        for side in ["-journal", "-wal", "-shm"] {
            let mut s = tmp.as_os_str().to_owned();
            s.push(side);
            let _ = std::fs::remove_file(PathBuf::from(s));
        }
    };
    match write(&tmp) {
        Ok(()) => std::fs::rename(&tmp, path).map_err(|e| {
            cleanup(&tmp);
            Error::io(path, e)
        }),
        Err(e) => {
            cleanup(&tmp);
            Err(e.file(path))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let r = write_atomic(&target, |tmp| {
            std::fs::write(tmp, "partial").unwrap();
            Err(Error::new(ErrorKind::Io, "disk full"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomic(&target, |tmp| {
            std::fs::write(tmp, "done").map_err(|e| Error::io(tmp, e))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "done");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
