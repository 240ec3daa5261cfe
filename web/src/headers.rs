//! Security headers on every response: a Content-Security-Policy that allows nothing from
//! another origin and no inline script, no framing, no MIME sniffing, a strict referrer policy.
//! The registry serves its own assets (see `statics`), so the policy costs no page anything.

use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// `'self'` for everything the pages load; `data:` for the fonts GraphiQL's stylesheet embeds
/// and the SVG images the design system's CSS uses. Inline styles stay refused: React sets
/// styles through the CSSOM, which the policy allows.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The layers that set the headers, for the whole application (existing values win, so a
/// response that needs its own policy can set it).
pub fn layers() -> [SetResponseHeaderLayer<HeaderValue>; 5] {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    [
        header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        header(header::X_FRAME_OPTIONS, "DENY"),
        header(header::REFERRER_POLICY, "same-origin"),
        header(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ]
}
