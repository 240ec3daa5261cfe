//! The tests' own Node.js packages (a folder under `tests/` with a `package.json` and its
//! `package-lock.json`), installed with `npm ci` when `node_modules` is missing or older than the
//! lockfile: so the README's test command does all set-up on a fresh clone, and `.ci/run`'s own
//! `npm ci` makes this a no-op there.

use std::path::{Path, PathBuf};

/// `tests/<name>`, with its locked packages installed, once, under a lock so tests running in
/// parallel do not install over each other.
pub fn package(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name);
    let lock = std::fs::File::create(std::env::temp_dir().join(format!("registry-{name}.lock")))
        .expect("create the install lock");
    lock.lock().expect("take the install lock");
    let installed = std::fs::metadata(dir.join("node_modules/.package-lock.json"))
        .and_then(|m| m.modified())
        .ok();
    let locked = std::fs::metadata(dir.join("package-lock.json"))
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("tests/{name}/package-lock.json: {e}"));
    if installed.is_none_or(|installed| installed < locked) {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!("cannot run npm ci in tests/{name} ({e}): install Node.js and npm")
            });
        assert!(status.success(), "npm ci in tests/{name} failed");
    }
    lock.unlock().expect("release the install lock");
    dir
}
