//! Sign-in and access: OpenID Connect through a real provider on loopback, sessions, CSRF,
//! demo accounts, rate limits and memberships.

mod attacks;
mod demo;
mod limits;
mod memberships;
mod provider;
mod sessions;

use registry_api::model::{login_attempt, session};

use crate::support::TestDb;

/// Live sessions and pending sign-ins, as the database holds them.
async fn sessions_and_attempts(test_db: &TestDb) -> (u64, u64) {
    (
        test_db.count::<session::Entity>().await,
        test_db.count::<login_attempt::Entity>().await,
    )
}

const VIEWER: &str =
    "{ viewer { signedIn name memberships { role source organisation { odsCode } } } }";
