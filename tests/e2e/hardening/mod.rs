//! Hostile and unlucky input: no request, however deep, large, slow or strange, may crash,
//! hang or wedge the server, and whatever is stored, every document it writes stays
//! well-formed. Each test reproduces a failure the registry once had.

mod connections;
mod cost;
mod cursors;
mod documents;
mod measures;
mod text;
