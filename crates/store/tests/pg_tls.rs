//! TLS to PostgreSQL with a private CA: a throwaway cluster switched to
//! `ssl=on` with a server certificate signed by a CA made here (rcgen),
//! then `sslmode=verify-full|verify-ca` with `sslrootcert` naming that CA
//! connects, another CA is refused with an error that says why, and
//! verify-full refuses a host the certificate does not name while
//! verify-ca (chain only) accepts it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../testkit/src/postgres.rs"]
mod cluster;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use smc_store::PgStore;
use std::path::Path;
use std::process::Command;

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Writes `text` where the server (maybe another user) can read it.
fn write(dir: &Path, name: &str, text: &str, mode: u32) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    if is_root() {
        let ok = Command::new("chown")
            .arg("postgres:")
            .arg(&path)
            .status()
            .unwrap();
        assert!(ok.success());
    }
    path.display().to_string()
}

#[test]
fn verify_full_with_the_private_ca_connects_and_another_ca_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let Some(pg) = cluster::Cluster::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let ca = ca("smc test CA");
    // The certificate names 127.0.0.1 only, not `localhost`.
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let cert = write(dir.path(), "server.crt", &server.pem(), 0o644);
    let key = write(dir.path(), "server.key", &server_key.serialize_pem(), 0o600);
    let ca_file = write(dir.path(), "ca.pem", &ca.pem(), 0o644);
    let other_file = write(
        dir.path(),
        "other.pem",
        &self::ca("another CA").pem(),
        0o644,
    );

    let plain = pg.database();
    let mut admin = postgres::Client::connect(&plain, postgres::NoTls).unwrap();
    // One statement at a time: ALTER SYSTEM refuses a multi-statement batch.
    for sql in [
        format!("ALTER SYSTEM SET ssl_cert_file = '{cert}'"),
        format!("ALTER SYSTEM SET ssl_key_file = '{key}'"),
        "ALTER SYSTEM SET ssl = on".to_string(),
        "SELECT pg_reload_conf()".to_string(),
    ] {
        admin.batch_execute(&sql).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(500));

    let with = |url: &str, query: &str| format!("{url}?{query}");
    let full = with(
        &plain,
        &format!("sslmode=verify-full&sslrootcert={ca_file}"),
    );
    let store = PgStore::open(&full).unwrap_or_else(|e| panic!("verify-full: {e}"));
    assert_eq!(store.user_count().unwrap(), 0);
    // The server sees the store's connections encrypted (the pool's, and
    // perhaps the migration's still closing) and not the admin's.
    let encrypted: i64 = admin
        .query_one("SELECT count(*) FROM pg_stat_ssl WHERE ssl", &[])
        .unwrap()
        .get(0);
    assert!(encrypted >= 1, "{encrypted} encrypted connections");
    let admin_encrypted: bool = admin
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(!admin_encrypted);
    drop(store);

    let wrong = with(
        &plain,
        &format!("sslmode=verify-full&sslrootcert={other_file}"),
    );
    let err = PgStore::open(&wrong).unwrap_err().to_string();
    assert!(
        err.contains("cannot connect") && err.contains("invalid peer certificate: UnknownIssuer"),
        "a clear refusal: {err}"
    );

    let by_name = plain.replace("127.0.0.1", "localhost");
    let full_by_name = with(
        &by_name,
        &format!("sslmode=verify-full&sslrootcert={ca_file}"),
    );
    let err = PgStore::open(&full_by_name).unwrap_err().to_string();
    assert!(err.contains("not valid for name \"localhost\""), "{err}");
    let ca_by_name = with(
        &by_name,
        &format!("sslmode=verify-ca&sslrootcert={ca_file}"),
    );
    PgStore::open(&ca_by_name).unwrap_or_else(|e| panic!("verify-ca by name: {e}"));
    let wrong_ca = with(
        &by_name,
        &format!("sslmode=verify-ca&sslrootcert={other_file}"),
    );
    assert!(
        PgStore::open(&wrong_ca).is_err(),
        "verify-ca still checks the chain"
    );
}
