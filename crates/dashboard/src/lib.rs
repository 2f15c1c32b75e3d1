//! The web dashboard's static files, embedded at compile time from
//! `dashboard/dist` (built by `npm run build` in `dashboard/`). A binary
//! compiled before the dashboard was built has none and says so.

#![forbid(unsafe_code)]

use std::borrow::Cow;

#[derive(rust_embed::Embed)]
#[folder = "../../dashboard/dist"]
#[allow_missing = true]
struct Dist;

/// One embedded file.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Cow<'static, [u8]>,
    /// The Content-Type to serve it with.
    pub mime: String,
    /// A strong validator (the file's SHA-256), for `ETag`.
    pub etag: String,
    /// Vite's hashed build output: safe to cache for ever.
    pub immutable: bool,
}

/// The file at `path` (no leading slash), if the dashboard has it.
pub fn asset(path: &str) -> Option<Asset> {
    let file = Dist::get(path)?;
    let hash: String = file
        .metadata
        .sha256_hash()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(Asset {
        mime: file.metadata.mimetype().to_string(),
        etag: format!("\"{}\"", &hash[..32]),
        immutable: path.starts_with("assets/"),
        bytes: file.data,
    })
}

/// Whether this binary was built with the dashboard.
pub fn built() -> bool {
    Dist::get("index.html").is_some()
}

/// Every embedded path (for the build report and tests).
pub fn paths() -> Vec<String> {
    Dist::iter().map(|p| p.into_owned()).collect()
}

/// The page served at `/` by a binary built without the dashboard.
pub const NOT_BUILT_PAGE: &str = include_str!("not_built.html");
