//! The web front end through the running server: the design system's assets are the
//! registry's own, every page carries the security headers, and in a real browser every page
//! passes axe-core and works without JavaScript.

mod assets;
mod browser;
mod forms;
mod pages;
