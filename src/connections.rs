//! Accepting connections, with the limits that keep slow or greedy clients from wedging the
//! server: a deadline for each request's headers (which also closes a kept-alive connection
//! left idle), and caps on open connections in total and per client address. A connection
//! over a cap is closed at once, before it costs a task or a buffer, so `/healthz` and every
//! other client are still answered while one address holds hundreds of half-sent requests.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::Service;

use crate::rate_limit::client_of;

/// How many connections may be open, and how long a client may take to send its headers.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Open connections altogether.
    pub total: usize,
    /// Open connections from one client (an IPv4 address, or an IPv6 /64).
    pub per_client: usize,
    /// Time to send a request's headers, counted from when the server waits for them: on a
    /// kept-alive connection, from the end of the previous response, so it is the idle
    /// timeout too.
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            total: 1024,
            per_client: 64,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// How long requests in flight may take to finish once shutdown starts.
const DRAIN_DEADLINE: Duration = Duration::from_secs(30);

/// Open connections per client, shared by the accept loop and the connections' permits.
type OpenPerClient = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One admitted connection's place under both caps, given back when it closes.
struct Admission {
    _total: OwnedSemaphorePermit,
    open: OpenPerClient,
    client: IpAddr,
}

impl Drop for Admission {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock()
            && let Some(count) = open.get_mut(&self.client)
        {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

fn admit(
    total: &Arc<Semaphore>,
    open: &OpenPerClient,
    client: IpAddr,
    per_client: usize,
) -> Option<Admission> {
    let permit = total.clone().try_acquire_owned().ok()?;
    let mut counts = open.lock().ok()?;
    let count = counts.entry(client).or_insert(0);
    if *count >= per_client {
        return None;
    }
    *count += 1;
    Some(Admission {
        _total: permit,
        open: open.clone(),
        client,
    })
}

/// Serves HTTP/1.1 until `shutdown` completes, then lets requests in flight finish (for at
/// most [`DRAIN_DEADLINE`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Rate limits key on the client's address, which the connection info carries.
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let total = Arc::new(Semaphore::new(limits.total));
    let open = OpenPerClient::default();
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(admission) = admit(&total, &open, client_of(remote.ip()), limits.per_client)
        else {
            metrics::counter!("registry_connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = match make_service.call(remote).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let served = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = served.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(admission);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_DEADLINE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the drain deadline; stopping anyway");
    }
    Ok(())
}
