//! The front-end assets, compiled into the binary by `build.rs` and served at
//! `/assets/<version>/…`. The version is a hash of their sources, so a response can be cached
//! for a year: a changed asset has a new path.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

mod table {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// The version in every asset's path.
pub const VERSION: &str = table::VERSION;

/// The path an asset is served at, for templates: `/assets/<version>/<name>`.
pub fn path(name: &str) -> String {
    format!("/assets/{VERSION}/{name}")
}

/// `GET /assets/{version}/{*file}`. Another build's version is a 404: its files may differ.
pub async fn serve(Path((version, file)): Path<(String, String)>) -> Response {
    let found = (version == VERSION)
        .then(|| table::FILES.binary_search_by(|(name, _, _)| (*name).cmp(file.as_str())))
        .and_then(Result::ok)
        .and_then(|index| table::FILES.get(index));
    match found {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::table::FILES;

    #[test]
    fn the_table_is_sorted_and_holds_what_pages_link_to() {
        assert!(FILES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        for needed in [
            "registry.css",
            "registry.js",
            "nhsuk-frontend.min.js",
            "graphiql/graphiql.min.js",
            "graphiql/start.js",
            "images/favicon.svg",
        ] {
            assert!(
                FILES
                    .iter()
                    .any(|(name, _, bytes)| *name == needed && !bytes.is_empty()),
                "{needed} is built in"
            );
        }
        let css = FILES
            .iter()
            .find(|(name, _, _)| *name == "registry.css")
            .map(|(_, _, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default();
        assert!(
            !css.contains("assets.nhs.uk"),
            "no font or image from another origin"
        );
        assert!(css.contains(&format!("/assets/{}/images/", super::VERSION)));
    }
}
