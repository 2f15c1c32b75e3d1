//! Build information for `GET /api/v1/system`: the git commit the server
//! is built from and the compiler's version, each left out when it cannot
//! be asked (no git, a source tarball). Reruns when HEAD moves.

use std::process::Command;

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(git_dir) = output("git", &["rev-parse", "--absolute-git-dir"]) {
        let head = format!("{git_dir}/HEAD");
        println!("cargo:rerun-if-changed={head}");
        if let Ok(text) = std::fs::read_to_string(&head)
            && let Some(reference) = text.trim().strip_prefix("ref: ")
        {
            println!("cargo:rerun-if-changed={git_dir}/{reference}");
            println!("cargo:rerun-if-changed={git_dir}/packed-refs");
        }
        if let Some(commit) = output("git", &["rev-parse", "--short=12", "HEAD"]) {
            println!("cargo:rustc-env=SMC_GIT_COMMIT={commit}");
        }
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Some(version) = output(&rustc, &["--version"]) {
        println!("cargo:rustc-env=SMC_RUSTC_VERSION={version}");
    }
}
