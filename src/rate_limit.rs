//! Per-client rate limits (GCRA, from `governor`), answering 429 with `Retry-After`. A client
//! is its network address; behind a reverse proxy, set the limit at the proxy too, where the
//! real addresses are known.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Forgetting idle clients keeps the table small; this is how many it may hold before it does.
const PRUNE_ABOVE: usize = 10_000;

/// One limit, shared by every route it guards.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    per_minute: u32,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("per_minute", &self.per_minute)
            .finish()
    }
}

impl RateLimit {
    /// `per_minute` requests a minute per client, all of which may come at once.
    pub fn per_minute(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(quota)),
            per_minute,
        }
    }
}

/// Middleware: lets the request through, or answers 429 saying when to try again.
pub async fn enforce(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if limit.limiter.len() > PRUNE_ABOVE {
        limit.limiter.retain_recent();
    }
    match limit.limiter.check_key(&client) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            metrics::counter!("registry_rate_limited_total").increment(1);
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::json!({
                    "errors": [{
                        "message": format!("Too many requests: try again in {} seconds", seconds.max(1)),
                        "extensions": { "code": "RATE_LIMITED" }
                    }]
                })
                .to_string(),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            response
        }
    }
}
