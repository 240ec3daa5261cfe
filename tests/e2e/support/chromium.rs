//! A real browser for page tests: Debian's chromium, headless, driven by playwright-core through
//! `tests/browser/drive.mjs`, with axe-core checking each page against WCAG 2.2 AA. The
//! specification asks that no page needs JavaScript and that every page passes axe-core; only a
//! browser can show both, so these tests click through the pages as a person would.
//!
//! A journey is built step by step and run in one go, in a browser of its own (fresh profile in
//! a temporary directory, so tests run in parallel), then asserted on in Rust:
//!
//! ```ignore
//! let journey = Chromium::new()
//!     .javascript(false)
//!     .goto(app.url("/auth/login"))
//!     .click_button("Sign in as Rhodri Penhallow")
//!     .snapshot("signed in")
//!     .axe()
//!     .run()
//!     .await;
//! assert!(journey.page("signed in").header.contains("Rhodri Penhallow"));
//! ```
//!
//! `run` panics, saying which step and what the page showed, when a step cannot be done, and
//! lists every axe-core violation (rule, help, the nodes it found) when an `axe` step found any.
//! Chromium is `/usr/bin/chromium` (`REGISTRY_TEST_CHROMIUM` names another), which `.ci/run`
//! installs; the Node packages in `tests/browser` are installed here (`npm ci`) when missing or
//! older than their lockfile, as the test OpenID provider's are.

#![allow(
    dead_code,
    reason = "a toolkit for page tests: not every test uses every step, and forms come later"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Debian's chromium, unless `REGISTRY_TEST_CHROMIUM` says otherwise.
const CHROMIUM: &str = "/usr/bin/chromium";
/// A whole journey, browser start included; each step has 10 s of its own in the driver.
const JOURNEY_TIMEOUT: Duration = Duration::from_secs(120);

/// A journey to run in a fresh headless chromium; see the module documentation.
#[derive(Debug, Clone)]
#[must_use = "a journey does nothing until it is run"]
pub struct Chromium {
    javascript: bool,
    steps: Vec<Value>,
}

impl Default for Chromium {
    fn default() -> Self {
        Self::new()
    }
}

impl Chromium {
    /// A journey with JavaScript enabled and no steps yet.
    pub fn new() -> Self {
        Chromium {
            javascript: true,
            steps: Vec::new(),
        }
    }

    /// Whether pages may run JavaScript (off: as for a person whose browser has it disabled, or
    /// whose scripts failed to load).
    pub fn javascript(mut self, enabled: bool) -> Self {
        self.javascript = enabled;
        self
    }

    fn step(mut self, step: Value) -> Self {
        self.steps.push(step);
        self
    }

    /// Opens `url` and waits for it to load.
    pub fn goto(self, url: impl AsRef<str>) -> Self {
        self.step(json!({ "action": "goto", "url": url.as_ref() }))
    }

    /// Clicks the one button whose accessible name contains `name` (visually hidden text
    /// included), and waits for any page it leads to. More than one match is an error.
    pub fn click_button(self, name: &str) -> Self {
        self.step(json!({ "action": "click_button", "name": name, "exact": false }))
    }

    /// Clicks the one link whose accessible name contains `name`, and waits for the page.
    pub fn click_link(self, name: &str) -> Self {
        self.step(json!({ "action": "click_link", "name": name, "exact": false }))
    }

    /// Types `value` into the field labelled `label` (replacing what it held).
    pub fn fill(self, label: &str, value: &str) -> Self {
        self.step(json!({ "action": "fill", "label": label, "value": value, "exact": false }))
    }

    /// Ticks the checkbox (or chooses the radio button) labelled `label`.
    pub fn check(self, label: &str) -> Self {
        self.step(json!({ "action": "check", "label": label, "exact": false }))
    }

    /// Unticks the checkbox labelled `label`.
    pub fn uncheck(self, label: &str) -> Self {
        self.step(json!({ "action": "uncheck", "label": label, "exact": false }))
    }

    /// Chooses the option whose text is `option` in the select labelled `label`.
    pub fn select(self, label: &str, option: &str) -> Self {
        self.step(json!({ "action": "select", "label": label, "option": option, "exact": false }))
    }

    /// Submits the form holding the field labelled `label` by pressing Enter in it, and waits
    /// for the page it leads to.
    pub fn submit(self, label: &str) -> Self {
        self.step(json!({ "action": "submit", "label": label, "exact": false }))
    }

    /// Waits until an element matching the CSS `selector` is visible (say, what a script
    /// renders).
    pub fn wait_for(self, selector: &str) -> Self {
        self.step(json!({ "action": "wait_for", "selector": selector }))
    }

    /// Stops the journey unless the page's `main` shows `text`.
    pub fn expect_text(self, text: &str) -> Self {
        self.step(json!({ "action": "expect_text", "text": text }))
    }

    /// Stops the journey if the page's `main` shows `text`.
    pub fn expect_no_text(self, text: &str) -> Self {
        self.step(json!({ "action": "expect_no_text", "text": text }))
    }

    /// Records the page as it stands under `label`, for [`Journey::page`].
    pub fn snapshot(self, label: &str) -> Self {
        self.step(json!({ "action": "snapshot", "label": label }))
    }

    /// Saves a full-page PNG of the page as it stands to `path`.
    pub fn screenshot(self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref().to_string_lossy().into_owned();
        self.step(json!({ "action": "screenshot", "path": path }))
    }

    /// Runs axe-core (WCAG 2.2 AA) in the page as it stands; `run` fails if it finds anything.
    pub fn axe(self) -> Self {
        self.step(json!({ "action": "axe" }))
    }

    /// Runs the journey in a new browser, then panics if a step could not be done or an `axe`
    /// step found violations; otherwise returns what each step saw.
    pub async fn run(self) -> Journey {
        let journey = self.run_unchecked().await;
        if let Some(error) = &journey.error {
            panic!("{}", journey.describe_failure(error));
        }
        let report = journey.axe_report();
        if !report.is_empty() {
            panic!("axe-core (WCAG 2.2 AA) found violations:\n{report}");
        }
        journey
    }

    /// Runs the journey and returns what happened, failures and violations included, without
    /// judging it.
    pub async fn run_unchecked(self) -> Journey {
        let driver = driver();
        let chromium = chromium();
        let profile = tempfile::tempdir().expect("a temporary directory for the browser");
        let input = json!({
            "executablePath": chromium,
            "javascript": self.javascript,
            "steps": self.steps,
        });
        let mut child = Command::new("node")
            .arg(driver.join("drive.mjs"))
            .current_dir(&driver)
            // Playwright makes the browser's fresh user-data directory under TMPDIR.
            .env("TMPDIR", profile.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start node for the browser tests ({e}): install Node.js 20 or newer")
            });
        let mut stdin = child.stdin.take().expect("the driver's stdin");
        stdin
            .write_all(input.to_string().as_bytes())
            .await
            .expect("send the journey to the driver");
        drop(stdin);
        let output = tokio::time::timeout(JOURNEY_TIMEOUT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("the browser journey took over {JOURNEY_TIMEOUT:?}"))
            .expect("wait for the driver");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            panic!(
                "the browser driver failed ({}); chromium is {chromium}.\n{stderr}",
                output.status
            );
        }
        serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("the browser driver printed something unexpected ({e}):\n{stdout}\n{stderr}")
        })
    }
}

/// What a journey saw, step by step.
#[derive(Debug, Deserialize)]
pub struct Journey {
    pub steps: Vec<Step>,
    /// Why the journey stopped early, if it did (the last step is the one that failed).
    pub error: Option<String>,
}

/// One step as the driver ran it.
#[derive(Debug, Deserialize)]
pub struct Step {
    /// The step as it was asked for (`{"action": "goto", "url": …}`).
    pub step: Value,
    /// The page after the step (absent only if the browser could not say).
    pub page: Option<Page>,
    /// axe-core's violations, for an `axe` step.
    pub axe: Option<Vec<Violation>>,
}

/// A page as a person sees it.
#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    pub url: String,
    /// The HTTP status of the document last loaded.
    pub status: Option<u16>,
    pub title: String,
    /// The text of the first `h1`.
    pub heading: Option<String>,
    /// The rendered text of the page's `header` (the service name, the account links).
    pub header: Option<String>,
    /// The rendered text of `main` (of the whole body if there is none).
    pub main: String,
}

impl Page {
    /// The URL's path, for comparing with the registry's routes.
    pub fn path(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        let path = rest.find('/').map_or("/", |at| &rest[at..]);
        path.split(['?', '#']).next().unwrap_or(path)
    }

    /// The header's text, empty when the page has no header.
    pub fn header(&self) -> &str {
        self.header.as_deref().unwrap_or("")
    }
}

/// One axe-core rule the page breaks, and where.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    pub help_url: String,
    pub nodes: Vec<Node>,
}

/// An element that breaks a rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// CSS selectors that lead to it (more than one through frames).
    pub target: Vec<String>,
    pub html: String,
    pub failure_summary: String,
}

impl Journey {
    /// The page recorded by `snapshot(label)`.
    pub fn page(&self, label: &str) -> &Page {
        self.steps
            .iter()
            .find(|s| s.step["action"] == "snapshot" && s.step["label"] == label)
            .and_then(|s| s.page.as_ref())
            .unwrap_or_else(|| panic!("the journey has no snapshot {label:?}"))
    }

    /// The page the journey ended on.
    pub fn last(&self) -> &Page {
        self.steps
            .iter()
            .rev()
            .find_map(|s| s.page.as_ref())
            .expect("the journey saw a page")
    }

    /// Every `axe` step's page and violations, in order.
    pub fn axe_results(&self) -> Vec<(&Page, &[Violation])> {
        self.steps
            .iter()
            .filter_map(|s| Some((s.page.as_ref()?, s.axe.as_deref()?)))
            .collect()
    }

    /// The pages axe-core checked, by URL.
    pub fn checked_urls(&self) -> Vec<&str> {
        self.axe_results()
            .into_iter()
            .map(|(page, _)| page.url.as_str())
            .collect()
    }

    /// Each violation with its page, rule, help and nodes; empty when there are none.
    pub fn axe_report(&self) -> String {
        let mut report = String::new();
        for (page, violations) in self.axe_results() {
            for violation in violations {
                let _ = writeln!(
                    report,
                    "{} ({}): {} [{}] {}",
                    page.url,
                    page.title,
                    violation.id,
                    violation.impact.as_deref().unwrap_or("?"),
                    violation.help
                );
                let _ = writeln!(report, "  {}", violation.help_url);
                for node in &violation.nodes {
                    let _ = writeln!(report, "  - {}: {}", node.target.join(" >> "), node.html);
                    for line in node.failure_summary.lines() {
                        let _ = writeln!(report, "      {line}");
                    }
                }
            }
        }
        report
    }

    fn describe_failure(&self, error: &str) -> String {
        let mut message = String::from("the browser journey stopped:\n");
        for (at, step) in self.steps.iter().enumerate() {
            let _ = writeln!(message, "  {}. {}", at + 1, step.step);
        }
        let _ = writeln!(message, "at the last step: {error}");
        if let Some(page) = self.steps.last().and_then(|s| s.page.as_ref()) {
            let _ = writeln!(
                message,
                "the page: {} ({:?}, status {:?})\n{}",
                page.url, page.title, page.status, page.main
            );
        }
        message
    }
}

/// The browser to drive: it must exist, or the tests say how to get it.
fn chromium() -> String {
    let path = std::env::var("REGISTRY_TEST_CHROMIUM")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| CHROMIUM.to_owned());
    assert!(
        Path::new(&path).exists(),
        "the browser tests need chromium at {path}: `apt-get install chromium` on Debian \
         (.ci/run installs it), or set REGISTRY_TEST_CHROMIUM to a Chromium or Chrome binary"
    );
    path
}

/// `tests/browser`, with its locked packages installed (`npm ci`) when `node_modules` is
/// missing or older than the lockfile, once, under a lock so tests running in parallel do not
/// install over each other.
fn driver() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let lock = std::fs::File::create(std::env::temp_dir().join("registry-browser-driver.lock"))
        .expect("create the install lock");
    lock.lock().expect("take the install lock");
    let installed = std::fs::metadata(dir.join("node_modules/.package-lock.json"))
        .and_then(|m| m.modified())
        .ok();
    let locked = std::fs::metadata(dir.join("package-lock.json"))
        .and_then(|m| m.modified())
        .expect("tests/browser/package-lock.json");
    if installed.is_none_or(|installed| installed < locked) {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!("cannot run npm ci in tests/browser ({e}): install Node.js and npm")
            });
        assert!(status.success(), "npm ci in tests/browser failed");
    }
    lock.unlock().expect("release the install lock");
    dir
}
