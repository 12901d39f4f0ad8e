//! Replays every input under `fuzz/regressions/<target>/` (inputs that once crashed, hung or
//! exhausted memory) and `fuzz/corpus/<target>/` (the fuzz targets' minimised corpora) through
//! the entry points the fuzz targets use, `lifecircle::fuzzing`: none may panic or take more
//! than a bound of time. The fuzz targets themselves need nightly (`fuzz/README.md`).

use arbitrary::{Arbitrary, Unstructured};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../fuzz/framing.rs"]
mod framing;

/// Time allowed to each input (unoptimised build, shared machine).
const BOUND: Duration = Duration::from_secs(20);

/// The bytes `pbf_framed` builds from its input, the way `libfuzzer-sys` hands it over.
fn framed(data: &[u8]) {
    if let Ok(file) = framing::File::arbitrary_take_rest(Unstructured::new(data)) {
        lifecircle::fuzzing::pbf(&file.to_bytes());
    }
}

fn entry(target: &str) -> fn(&[u8]) {
    match target {
        "pbf" => lifecircle::fuzzing::pbf,
        "pbf_framed" => framed,
        "table" => lifecircle::fuzzing::table,
        "study" => lifecircle::fuzzing::study,
        "geojson" => lifecircle::fuzzing::geojson,
        "wkb" => lifecircle::fuzzing::wkb,
        other => panic!("no fuzz target named {other:?}"),
    }
}

fn files(kind: &str) -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind);
    let mut out = Vec::new();
    let Ok(targets) = std::fs::read_dir(&root) else {
        return out;
    };
    for t in targets {
        let t = t.unwrap().path();
        if !t.is_dir() {
            continue;
        }
        let name = t.file_name().unwrap().to_string_lossy().into_owned();
        for f in std::fs::read_dir(&t).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                out.push((name.clone(), f));
            }
        }
    }
    out.sort();
    out
}

/// Runs every file of `fuzz/<kind>/*/` through its target, each in a thread of its own, and
/// fails naming every file that panicked or overran [`BOUND`].
fn replay(kind: &str) -> usize {
    let inputs = files(kind);
    let mut failed = Vec::new();
    for (target, path) in &inputs {
        let run = entry(target);
        let data = std::fs::read(path).unwrap();
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        std::thread::Builder::new()
            .name(path.display().to_string())
            .spawn(move || {
                run(&data);
                let _ = tx.send(());
            })
            .unwrap();
        match rx.recv_timeout(BOUND) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                failed.push(format!("{}: panicked", path.display()))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => failed.push(format!(
                "{}: still running after {:?}",
                path.display(),
                start.elapsed()
            )),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    inputs.len()
}

#[test]
fn regressions_do_not_panic_or_hang() {
    replay("regressions");
}

#[test]
fn corpora_do_not_panic_or_hang() {
    let n = replay("corpus");
    assert!(n > 0, "no corpus files under fuzz/corpus");
}
