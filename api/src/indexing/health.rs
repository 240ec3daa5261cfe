//! Whether search can be relied on, for `/readyz`. Writes are acknowledged whatever search is
//! doing (the outbox keeps them), so a broken index would otherwise go unnoticed while search
//! grows stale: the engine must answer and its index be there, and the outbox must be neither
//! failing nor lagging beyond its bounds.

use std::time::Duration;

use sea_orm::ConnectionTrait;

use super::outbox::{self, Failing, Lag};
use crate::search::SearchEngine;

/// The oldest a pending change may be before search counts as degraded. A published change is
/// normally searchable within a second; a minute means the worker cannot keep up or is stuck.
pub const MAX_LAG: Duration = Duration::from_secs(60);

/// How long a change the engine refused may wait before search counts as degraded. Shorter
/// than [`MAX_LAG`]: a refusal is a known failure, not a busy queue, and retries (after 1, 2,
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
    pub lag: Option<Lag>,
    pub failing: Option<Failing>,
}

/// Checks the engine and, when the database is up (`database_up`), the outbox.
pub async fn readiness(
    db: &impl ConnectionTrait,
    engine: &SearchEngine,
    database_up: bool,
) -> Readiness {
    let mut readiness = Readiness::default();
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
        readiness.trouble = outbox_trouble(readiness.lag, readiness.failing.as_ref());
    }
    readiness
}

/// Whether the outbox's figures say search is degraded.
pub fn outbox_trouble(lag: Option<Lag>, failing: Option<&Failing>) -> Option<Trouble> {
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
    if let Some(lag) = lag
        && lag.oldest_seconds > MAX_LAG.as_secs_f64()
    {
        return Some(Trouble {
            kind: TroubleKind::Degraded,
            reason: format!(
                "search is {:.0} s behind the database ({} pending changes; bound {} s)",
                lag.oldest_seconds,
                lag.pending,
                MAX_LAG.as_secs()
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
        assert_eq!(outbox_trouble(Some(lag), Some(&failing)), None);
    }

    #[test]
    fn a_lasting_failure_or_a_long_lag_is_degraded() {
        let failing = Failing {
            rows: 2,
            oldest_seconds: 11.0,
            last_error: Some("engine down".into()),
        };
        let trouble = outbox_trouble(None, Some(&failing)).map(|t| (t.kind, t.detail));
        assert_eq!(
            trouble,
            Some((TroubleKind::Degraded, Some("engine down".to_owned())))
        );
        let lag = Lag {
            pending: 9,
            oldest_seconds: 61.0,
        };
        assert_eq!(
            outbox_trouble(Some(lag), None).map(|t| t.kind),
            Some(TroubleKind::Degraded)
        );
    }
}
