//! Whether search can be relied on, for `/readyz`. Writes are acknowledged whatever search is
//! doing (the outbox keeps them), so a broken index would otherwise go unnoticed while search
//! grows stale: the engine must answer and its index be there, and the outbox must be neither
//! failing nor lagging beyond its bounds.

use std::time::Duration;

use sea_orm::ConnectionTrait;

use super::outbox::{self, Failing, Lag};
use crate::search::SearchEngine;

/// The default of the oldest a pending change may be before search counts as degraded
/// (`registry serve --search-max-lag`). A published change is normally searchable within a
/// second, and the worker indexes thousands of documents a second, so ten seconds means it
/// cannot keep up or is stuck: a server that says ready must not be serving a search that is
/// minutes stale, as it did while a backlog of 100 000 rows drained.
pub const DEFAULT_MAX_LAG: Duration = Duration::from_secs(10);

/// How long a change the engine refused may wait before search counts as degraded, whatever
/// the lag bound: a refusal is a known failure, not a busy queue, and retries (after 1, 2,
/// 4 s…) cure a passing one well within it.
pub const MAX_FAILING: Duration = Duration::from_secs(10);

/// How search is unwell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TroubleKind {
    /// The engine does not answer (Meilisearch down).
    Unreachable,
    /// The engine answers but cannot be relied on: its index is missing or unreadable, or the
    /// outbox is failing or lagging beyond its bound.
    Degraded,
}

impl TroubleKind {
    /// The word `/readyz` reports for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::Degraded => "degraded",
        }
    }
}

/// What is wrong with search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    pub kind: TroubleKind,
    /// Why, in words fit for the response: no paths, hosts or engine errors.
    pub reason: String,
    /// The underlying error, for the log only.
    pub detail: Option<String>,
}

/// Search's readiness, with the outbox figures `/readyz` reports as detail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Readiness {
    /// `None` when search can be relied on.
    pub trouble: Option<Trouble>,
    /// How far behind search is, whether or not that is within the bound.
    pub lag: Option<Lag>,
    pub failing: Option<Failing>,
    /// The bound the lag was held to.
    pub max_lag: Duration,
}

/// Checks the engine and, when the database is up (`database_up`), the outbox, whose oldest
/// pending change must be younger than `max_lag`.
pub async fn readiness(
    db: &impl ConnectionTrait,
    engine: &SearchEngine,
    database_up: bool,
    max_lag: Duration,
) -> Readiness {
    let mut readiness = Readiness {
        max_lag,
        ..Readiness::default()
    };
    if let Err(err) = engine.check().await {
        readiness.trouble = Some(match engine {
            SearchEngine::Embedded(_) => Trouble {
                kind: TroubleKind::Degraded,
                reason: "the search index is missing or unreadable; restart the server to \
                         rebuild it from the database"
                    .to_owned(),
                detail: Some(err.to_string()),
            },
            SearchEngine::Meili(_) => Trouble {
                kind: TroubleKind::Unreachable,
                reason: "Meilisearch does not answer".to_owned(),
                detail: Some(err.to_string()),
            },
        });
    }
    if !database_up {
        return readiness;
    }
    match outbox::lag(db).await {
        Ok(lag) => readiness.lag = Some(lag),
        Err(err) => tracing::warn!(error = %err, "readiness check: could not read the outbox"),
    }
    match outbox::failing(db).await {
        Ok(failing) => readiness.failing = Some(failing),
        Err(err) => tracing::warn!(error = %err, "readiness check: could not read the outbox"),
    }
    if readiness.trouble.is_none() {
        readiness.trouble = outbox_trouble(readiness.lag, readiness.failing.as_ref(), max_lag);
    }
    readiness
}

/// Whether the outbox's figures say search is degraded: changes the engine keeps refusing, or
/// a pending change as old as `max_lag` or older.
pub fn outbox_trouble(
    lag: Option<Lag>,
    failing: Option<&Failing>,
    max_lag: Duration,
) -> Option<Trouble> {
    if let Some(failing) = failing.filter(|f| f.rows > 0)
        && failing.oldest_seconds > MAX_FAILING.as_secs_f64()
    {
        return Some(Trouble {
            kind: TroubleKind::Degraded,
            reason: format!(
                "{} pending changes keep failing to reach the search index; the oldest has \
                 waited {:.0} s (bound {} s)",
                failing.rows,
                failing.oldest_seconds,
                MAX_FAILING.as_secs()
            ),
            detail: failing.last_error.clone(),
        });
    }
    if let Some(lag) = lag.filter(|l| l.pending > 0)
        && lag.oldest_seconds >= max_lag.as_secs_f64()
    {
        return Some(Trouble {
            kind: TroubleKind::Degraded,
            reason: format!(
                "search is {:.0} s behind the database ({} pending changes; bound {} s)",
                lag.oldest_seconds,
                lag.pending,
                max_lag.as_secs_f64()
            ),
            detail: None,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_failure_or_a_short_queue_is_not_degraded() {
        let lag = Lag {
            pending: 3,
            oldest_seconds: 2.0,
        };
        let failing = Failing {
            rows: 3,
            oldest_seconds: 2.0,
            last_error: Some("engine down".into()),
        };
        assert_eq!(
            outbox_trouble(Some(lag), Some(&failing), DEFAULT_MAX_LAG),
            None
        );
        let empty = Lag {
            pending: 0,
            oldest_seconds: 0.0,
        };
        assert_eq!(outbox_trouble(Some(empty), None, Duration::ZERO), None);
    }

    #[test]
    fn a_lasting_failure_or_a_long_lag_is_degraded() {
        let failing = Failing {
            rows: 2,
            oldest_seconds: 11.0,
            last_error: Some("engine down".into()),
        };
        let trouble =
            outbox_trouble(None, Some(&failing), DEFAULT_MAX_LAG).map(|t| (t.kind, t.detail));
        assert_eq!(
            trouble,
            Some((TroubleKind::Degraded, Some("engine down".to_owned())))
        );
        let lag = Lag {
            pending: 9,
            oldest_seconds: 11.0,
        };
        assert_eq!(
            outbox_trouble(Some(lag), None, DEFAULT_MAX_LAG).map(|t| t.kind),
            Some(TroubleKind::Degraded)
        );
        assert_eq!(
            outbox_trouble(Some(lag), None, Duration::from_secs(60)),
            None,
            "the bound is the setting's"
        );
    }
}
