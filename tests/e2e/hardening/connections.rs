//! Slow and greedy clients cannot wedge the server: 600 half-sent requests from one client once
//! left `/healthz` unanswered for 40 s. Attackers here connect from 127.0.0.2, a loopback
//! address of their own, so the caps per client can tell them from everyone else.

use std::net::SocketAddr;
use std::time::Duration;

use registry::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::{self, app::Options};

/// A connection from 127.0.0.2 that sends half a request and stops.
async fn half_sent(server: SocketAddr) -> Option<TcpStream> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind("127.0.0.2:0".parse().ok()?).ok()?;
    let mut stream = socket.connect(server).await.ok()?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: registry\r\nX-Slow: ")
        .await
        .ok()?;
    Some(stream)
}

/// Whether the server closes the connection within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 512];
    matches!(
        tokio::time::timeout(within, stream.read(&mut buffer)).await,
        Ok(Ok(0) | Err(_))
    )
}

async fn server() -> (support::TestDb, support::app::TestApp, SocketAddr) {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let app = test_db
        .app_with(Options {
            connection_limits: Some(ConnectionLimits {
                header_timeout: Duration::from_secs(2),
                ..ConnectionLimits::default()
            }),
            ..Options::default()
        })
        .await;
    let addr = app
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    (test_db, app, addr)
}

#[tokio::test]
async fn healthz_answers_under_a_slowloris_from_one_address() {
    let (test_db, app, addr) = server().await;
    let mut held = Vec::new();
    for _ in 0..600 {
        if let Some(stream) = half_sent(addr).await {
            held.push(stream);
        }
    }
    assert!(held.len() >= 100, "the attacker opened its connections");
    let health = app
        .http
        .get(format!("{}/healthz", app.base))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("/healthz answers while one address holds 600 half-sent requests");
    assert_eq!(health.status(), 200);
    drop(held);
    app.stop();
    test_db.finish().await;
}

#[tokio::test]
async fn connections_over_the_per_client_cap_close_at_once_and_slow_headers_time_out() {
    let (test_db, app, addr) = server().await;
    let per_client = ConnectionLimits::default().per_client;
    let mut held = Vec::new();
    for _ in 0..per_client {
        held.push(half_sent(addr).await.expect("connect"));
    }
    // Let the server admit them all before the one over the cap.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = half_sent(addr).await.expect("connect");
    assert!(
        closed_within(&mut over, Duration::from_secs(1)).await,
        "a connection over the cap is closed at once"
    );
    // The held ones are closed when their header deadline (2 s here) passes.
    assert!(
        closed_within(&mut held[0], Duration::from_secs(6)).await,
        "a request whose headers never finish is closed"
    );
    app.stop();
    test_db.finish().await;
}
