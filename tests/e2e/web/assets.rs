//! Nothing from another origin on any page: the NHS.UK design system's styles, scripts and
//! images and GraphiQL are served from the registry's own versioned path, cached for a year, and
//! a Content-Security-Policy with no inline script forbids anything else. (GraphiQL once loaded
//! React and its code from a public CDN, so on a closed network it never loaded.)

use reqwest::header;

use crate::support;

/// The `src` and `href` values of a page, crudely but enough for our own templates.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_owned());
            }
        }
    }
    found
}

#[tokio::test]
async fn pages_and_graphiql_load_only_the_registrys_own_assets() {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let app = test_db.app().await;
    for (path, accept) in [
        ("/", "text/html"),
        ("/graphql", "text/html"),
        ("/auth/login", "text/html"),
    ] {
        let response = app
            .http
            .get(format!("{}{path}", app.base))
            .header(header::ACCEPT, accept)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "{path}");
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            policy.contains("default-src 'self'")
                && policy.contains("script-src 'self'")
                && policy.contains("frame-ancestors 'none'")
                && !policy.contains("unsafe-inline"),
            "{path}: {policy}"
        );
        assert_eq!(
            response.headers()[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff"
        );
        assert_eq!(response.headers()[header::REFERRER_POLICY], "same-origin");
        let html = response.text().await.expect("body");
        assert!(!html.contains("<script>"), "{path}: no inline script");
        let assets: Vec<String> = references(&html)
            .into_iter()
            .filter(|r| r.starts_with("/assets/"))
            .collect();
        assert!(!assets.is_empty(), "{path} links to its assets");
        for reference in references(&html) {
            assert!(
                reference.starts_with('/') && !reference.starts_with("//")
                    || reference.starts_with('#'),
                "{path}: {reference} is the registry's own"
            );
        }
        for asset in assets {
            let response = app
                .http
                .get(format!("{}{asset}", app.base))
                .send()
                .await
                .expect("GET asset");
            assert_eq!(response.status(), 200, "{asset}");
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "public, max-age=31536000, immutable",
                "{asset}"
            );
            let body = response.bytes().await.expect("asset body");
            assert!(!body.is_empty(), "{asset}");
        }
    }
    // Another build's assets are not these: a stale path is a 404, not another file.
    let stale = app
        .http
        .get(format!("{}/assets/0000/registry.css", app.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(stale.status(), 404);
    app.stop();
    test_db.finish().await;
}
