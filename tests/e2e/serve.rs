//! `registry serve` on an empty data directory: migrates, loads the demo data, answers health
//! and readiness, and stops cleanly on SIGTERM.

use crate::support::process::{Server, registry};

#[tokio::test]
async fn serve_on_an_empty_data_directory_is_healthy_ready_and_populated() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data_dir = dir.path().join("fresh");
    let mut command = registry();
    command.arg("--data-dir").arg(&data_dir);
    let server = Server::start(command);
    let http = reqwest::Client::new();

    let health = http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("body"), "ok");

    let ready = http
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["checks"]["database"], "ok");

    let home = http
        .get(&server.base)
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    let demo = registry_seed::demo::data().expect("demo data");
    let public_pilots = demo
        .pilots
        .iter()
        .filter(|p| p.visibility == registry_api::model::Visibility::Public)
        .count();
    assert!(
        home.contains(&format!("and <strong>{public_pilots}</strong> pilots")),
        "the home page counts the demo data's {public_pilots} public pilots"
    );
    assert!(
        data_dir.join("registry.sqlite3").exists(),
        "the database lives in the data directory"
    );
    assert!(server.terminate(), "SIGTERM stops the server cleanly");
}
