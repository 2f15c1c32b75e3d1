//! Rebuilds the crate when the dashboard's build output changes, so the
//! binary always embeds the `dashboard/dist` it was compiled next to.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dist = Path::new("../../dashboard/dist");
    if dist.is_dir() {
        println!("cargo:rerun-if-changed=../../dashboard/dist");
        println!("cargo:rustc-cfg=dashboard_built");
    } else {
        // Not built: notice when `npm run build` creates dist (cargo walks
        // the folder; it has no node_modules on a machine without Node).
        println!("cargo:rerun-if-changed=../../dashboard");
    }
    println!("cargo::rustc-check-cfg=cfg(dashboard_built)");
}
