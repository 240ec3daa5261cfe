use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::enums::{Recommendation, RevisionStatus};
use crate::model::report_revision;
use crate::service::reports;

/// A titled link to a document.
#[derive(Debug, SimpleObject)]
pub struct DocumentLink {
    title: String,
    url: String,
}

/// One revision of a pilot's evaluation report.
#[derive(Debug)]
pub struct ReportRevision(pub report_revision::Model);

#[Object]
impl ReportRevision {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 1 for the first revision; each amendment adds one.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn status(&self) -> RevisionStatus {
        self.0.status.into()
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn findings(&self) -> &str {
        &self.0.findings
    }
    async fn recommendation(&self) -> Recommendation {
        self.0.recommendation.into()
    }
    async fn barriers(&self) -> &str {
        &self.0.barriers
    }
    async fn lessons(&self) -> &str {
        &self.0.lessons
    }
    async fn costs_and_savings(&self) -> &str {
        &self.0.costs_and_savings
    }
    async fn links(&self) -> Vec<DocumentLink> {
        reports::links(&self.0)
            .into_iter()
            .map(|l| DocumentLink {
                title: l.title,
                url: l.url,
            })
            .collect()
    }
    /// Why this revision amends the one before it.
    async fn amendment_reason(&self) -> Option<&str> {
        self.0.amendment_reason.as_deref()
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
