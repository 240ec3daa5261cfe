//! Runs the real `registry` binary, as an operator would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The `registry` binary with a clean environment for database settings.
pub fn registry() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_registry"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("REGISTRY_DATA_DIR")
        .env_remove("REGISTRY_ADDR")
        .env_remove("PUBLIC_URL")
        .env_remove("OIDC_ISSUER_URL")
        .env("RUST_LOG", "warn");
    command
}

/// A running server and its base URL.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Starts `registry serve` on a free loopback port and waits until it listens.
    pub fn start(mut command: Command) -> Server {
        command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("start registry serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => {
                    let status = child.wait().expect("wait");
                    panic!("registry serve exited before listening: {status}");
                }
            }
        };
        Server { child, base }
    }

    /// Sends SIGTERM and returns whether the server then exited cleanly.
    pub fn terminate(mut self) -> bool {
        signal(&self.child, "TERM");
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().expect("poll") {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Sends a signal by name (`TERM`, `KILL`) to a child process.
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} failed");
}
