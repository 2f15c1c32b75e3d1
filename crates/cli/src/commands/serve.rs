//! `smc serve`: the agent as a service (REST and WebSocket API, metrics)
//! until Ctrl-C or SIGTERM, which stop its sessions cleanly.

use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ServeArgs {
    /// config.yaml (the `api` section: limits, TLS, allowlist, data folder).
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// Address to listen on (default: the config's api.listen, else 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<String>,
    /// The server's database (default: the config's storage.database_url,
    /// else sqlite://smc.db).
    #[arg(long)]
    db: Option<String>,
    /// Serve the API without hosting sessions: read them from Redis
    /// (storage.redis_url or REDIS_URL, required) as the primary on the
    /// same --db writes them; session-changing requests answer 409.
    #[arg(long)]
    replica: bool,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let options = smc_server::ServeOptions {
        config: args.config,
        listen: args.listen,
        db: args.db,
        admin_password: env("SMC_ADMIN_PASSWORD"),
        master_key: env("SMC_MASTER_KEY"),
        metrics_token: env("SMC_METRICS_TOKEN"),
        replica: args.replica,
    };
    let (state, generated) = smc_server::build_state(&options)?;
    if let Some(password) = generated {
        // Shown once: only its hash is kept.
        eprintln!("first start: created user `admin` with password {password}");
        eprintln!("(shown only now; set SMC_ADMIN_PASSWORD to choose it instead)");
    }
    let addr = smc_server::listen_addr(&options, &state)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr()?;
        let scheme = if state.config_read(|c| c.api.tls.is_some()) {
            "https"
        } else {
            "http"
        };
        tracing::info!(
            "smc serve listening on {scheme}://{local} (API under /api/v1, docs at /api/openapi.json)"
        );
        smc_server::serve(state, listener, shutdown_signal()).await?;
        anyhow::Ok(())
    })
}

async fn shutdown_signal() {
    super::termination().await;
    tracing::info!("stopping: sessions finish their step and stop");
}
