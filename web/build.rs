//! Builds the front-end assets into the binary, so a deployed registry needs no files beside
//! it and nothing from another origin:
//!
//! 1. `npm ci` in `web/` when its `node_modules` is missing or older than the lockfile (the
//!    NHS.UK design system, GraphiQL and React, and Sass, all pinned by `package-lock.json`);
//! 2. the stylesheet compiled from `assets/registry.scss` with the design system's images at the
//!    registry's own versioned path and no web fonts from nhs.uk;
//! 3. every file served copied into `$OUT_DIR/assets`, and `$OUT_DIR/assets.rs` generated: a
//!    table of (path, content type, bytes) that `statics.rs` includes.
//!
//! The version in the assets' path is a hash of everything that goes into them, so each build's
//! assets can be cached for a year and a changed one is fetched at once.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

type BuildResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Files copied as they are, from `node_modules` or `assets/`, to the path they are served at.
const COPIED: &[(&str, &str)] = &[
    (
        "node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js",
        "nhsuk-frontend.min.js",
    ),
    (
        "node_modules/graphiql/graphiql.min.js",
        "graphiql/graphiql.min.js",
    ),
    (
        "node_modules/graphiql/graphiql.min.css",
        "graphiql/graphiql.min.css",
    ),
    (
        "node_modules/react/umd/react.production.min.js",
        "graphiql/react.production.min.js",
    ),
    (
        "node_modules/react-dom/umd/react-dom.production.min.js",
        "graphiql/react-dom.production.min.js",
    ),
    ("assets/graphiql-start.js", "graphiql/start.js"),
    ("assets/graphiql-page.css", "graphiql/page.css"),
    ("assets/registry.js", "registry.js"),
];

/// The design system's images, served under `images/`.
const IMAGES: &str = "node_modules/nhsuk-frontend/dist/nhsuk/assets/images";

fn main() -> BuildResult<()> {
    let web = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    for watched in ["package.json", "package-lock.json", "assets", "build.rs"] {
        println!("cargo:rerun-if-changed={watched}");
    }
    install(&web)?;

    let version = version(&web)?;
    let assets = out.join("assets");
    if assets.exists() {
        fs::remove_dir_all(&assets)?;
    }
    fs::create_dir_all(assets.join("images"))?;
    fs::create_dir_all(assets.join("graphiql"))?;
    compile_stylesheet(&web, &out, &assets, &version)?;
    for (from, to) in COPIED {
        fs::copy(web.join(from), assets.join(to))?;
    }
    for image in fs::read_dir(web.join(IMAGES))? {
        let image = image?.path();
        if let Some(name) = image.file_name() {
            fs::copy(&image, assets.join("images").join(name))?;
        }
    }
    write_table(&out, &assets, &version)?;
    println!("cargo:rustc-env=REGISTRY_ASSETS_VERSION={version}");
    Ok(())
}

/// Installs the locked packages unless `node_modules` is as new as the lockfile.
fn install(web: &Path) -> BuildResult<()> {
    let installed = web.join("node_modules/.package-lock.json");
    let lock = web.join("package-lock.json");
    let fresh = match (fs::metadata(&installed), fs::metadata(&lock)) {
        (Ok(installed), Ok(lock)) => installed.modified()? >= lock.modified()?,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(web)
        .status()
        .map_err(|e| {
            format!(
                "running npm ci in {} (is Node.js installed?): {e}",
                web.display()
            )
        })?;
    if !status.success() {
        return Err(format!("npm ci in {} failed: {status}", web.display()).into());
    }
    Ok(())
}

/// A hash of the lockfile and the registry's own asset sources.
fn version(web: &Path) -> BuildResult<String> {
    let mut hasher = Sha256::new();
    hasher.update(fs::read(web.join("package-lock.json"))?);
    let mut sources: Vec<PathBuf> = fs::read_dir(web.join("assets"))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    sources.sort();
    for source in sources {
        hasher.update(
            source
                .file_name()
                .map(|n| n.as_encoded_bytes())
                .unwrap_or_default(),
        );
        hasher.update(fs::read(&source)?);
    }
    let digest = hasher.finalize();
    Ok(digest[..6].iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    }))
}

/// Compiles `assets/registry.scss` with the design system configured for this registry.
fn compile_stylesheet(web: &Path, out: &Path, assets: &Path, version: &str) -> BuildResult<()> {
    let entry = out.join("registry-entry.scss");
    fs::write(
        &entry,
        format!(
            "// Generated by web/build.rs.\n\
             @use \"nhsuk-frontend/dist/nhsuk\" with (\n  \
               $nhsuk-assets-path: \"/assets/{version}/\",\n  \
               $nhsuk-include-font-face: false\n);\n\
             @use \"registry\";\n"
        ),
    )?;
    let status = Command::new("node")
        .arg(web.join("node_modules/sass/sass.js"))
        .arg(format!(
            "--load-path={}",
            web.join("node_modules").display()
        ))
        .arg(format!("--load-path={}", web.join("assets").display()))
        .args(["--style=compressed", "--no-source-map", "--quiet-deps"])
        .arg(&entry)
        .arg(assets.join("registry.css"))
        .status()
        .map_err(|e| format!("running Sass (is Node.js installed?): {e}"))?;
    if !status.success() {
        return Err(format!("compiling web/assets/registry.scss failed: {status}").into());
    }
    Ok(())
}

fn content_type(path: &Path) -> BuildResult<&'static str> {
    Ok(match path.extension().and_then(|e| e.to_str()) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        other => return Err(format!("no content type for {other:?} ({})", path.display()).into()),
    })
}

/// `$OUT_DIR/assets.rs`: the version and every asset, sorted by path for binary search.
fn write_table(out: &Path, assets: &Path, version: &str) -> BuildResult<()> {
    let mut files = Vec::new();
    for dir in ["", "images", "graphiql"] {
        for entry in fs::read_dir(assets.join(dir))? {
            let path = entry?.path();
            if path.is_file() {
                let served = path
                    .strip_prefix(assets)?
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((served, path.clone(), content_type(&path)?));
            }
        }
    }
    files.sort();
    let mut table = format!(
        "/// The version in every asset's path.\npub const VERSION: &str = {version:?};\n\n\
         /// (path under `/assets/VERSION/`, content type, bytes), sorted by path.\n\
         pub static FILES: &[(&str, &str, &[u8])] = &[\n"
    );
    for (served, path, kind) in files {
        let _ = writeln!(
            table,
            "    ({served:?}, {kind:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    table.push_str("];\n");
    fs::write(out.join("assets.rs"), table)?;
    Ok(())
}
