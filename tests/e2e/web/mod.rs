//! The web front end through the running server: the design system's assets are the
//! registry's own, and every page carries the security headers.

mod assets;
