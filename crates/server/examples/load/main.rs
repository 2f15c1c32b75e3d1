//! Load test of `smc serve`: authenticated `GET /api/v1/status` at a fixed
//! rate (open loop) and flat out (closed loop), `POST /api/v1/orders` on a
//! paper session once the route exists, a POST that writes an audit entry,
//! and a WebSocket fan-out through the server's hub.
//!
//! `cargo run --release -p smc-server --example load -- --help`

mod args;
mod cpu;
mod http;
mod orders;
mod show;
mod stats;
mod target;
mod ws;

use anyhow::{Context, Result, bail};
use args::Args;
use http::{Call, HttpReport};
use hyper::Method;
use hyper::body::Bytes;
use serde::Serialize;
use show::{say, settle, show_http, show_ws};
use ws::WsReport;

#[derive(Serialize)]
struct Machine {
    cores: usize,
    load_average_before: String,
    mode: &'static str,
    server_threads: Option<usize>,
    client_threads: usize,
}

#[derive(Default, Serialize)]
struct Results {
    http: Vec<HttpReport>,
    ws: Vec<WsReport>,
    /// Scenarios that could not run, and why.
    skipped: Vec<(String, String)>,
}

fn main() -> Result<()> {
    let args = args::parse()?;
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .thread_name("load")
        .enable_all()
        .build()
        .context("building the client runtime")?;
    let target = match &args.url {
        Some(url) => {
            let password = args
                .password
                .clone()
                .context("--url needs --password or $SMC_LOAD_PASSWORD")?;
            client.block_on(target::remote(url, &args.user, &password))?
        }
        None => target::in_process(args.server_threads, &client)?,
    };
    let machine = Machine {
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        load_average_before: std::fs::read_to_string("/proc/loadavg").unwrap_or_default(),
        mode: if target.server.is_some() {
            "in-process"
        } else {
            "remote"
        },
        server_threads: target.server.as_ref().map(|_| args.server_threads),
        client_threads: args.client_threads,
    };
    say(
        &args,
        &format!(
            "machine: {} cores, load {}; {} server at {}",
            machine.cores,
            machine.load_average_before.trim(),
            machine.mode,
            target.base
        ),
    );
    let all = args.scenario == "all";
    let wants = |s: &str| all || args.scenario == s;
    if !["all", "status", "max", "orders", "audit", "ws"].contains(&args.scenario.as_str()) {
        bail!(
            "--scenario {}: status, max, orders, audit, ws or all",
            args.scenario
        );
    }
    let mut results = Results::default();
    let get = |path: &str| Call {
        addr: target.addr,
        method: Method::GET,
        path: path.into(),
        token: target.token.clone(),
        body: None,
        expect: None,
    };
    for _ in 0..args.repeat {
        if wants("status") {
            let before = cpu::snapshot();
            let mut r = client.block_on(http::open_loop(
                "status",
                &get("/api/v1/status"),
                args.clients,
                args.rate,
                args.seconds,
            ))?;
            settle(&mut r.cpu_seconds, cpu::since(&before));
            show_http(&args, &r);
            results.http.push(r);
        }
        if wants("max") {
            let before = cpu::snapshot();
            let mut r = client.block_on(http::closed_loop(
                "max",
                &get("/api/v1/status"),
                args.clients,
                args.seconds,
            ))?;
            settle(&mut r.cpu_seconds, cpu::since(&before));
            show_http(&args, &r);
            results.http.push(r);
        }
        if wants("audit") && (target.server.is_some() || !all) {
            // An invalid new user: refused (422) after the access layer, which
            // still appends the attempt to the audit log, as for any POST.
            let call = Call {
                method: Method::POST,
                path: "/api/v1/users".into(),
                body: Some(Bytes::from_static(b"{}")),
                expect: Some(422),
                ..get("")
            };
            let before = cpu::snapshot();
            let mut r = client.block_on(http::open_loop(
                "audit",
                &call,
                args.clients,
                args.rate,
                args.seconds,
            ))?;
            settle(&mut r.cpu_seconds, cpu::since(&before));
            show_http(&args, &r);
            results.http.push(r);
        }
        if wants("orders") {
            run_orders(&args, &target, &client, &mut results)?;
        }
        if wants("ws") {
            run_ws(&args, &target, &client, &mut results)?;
        }
    }
    if args.json {
        let doc = serde_json::json!({"machine": machine, "results": results});
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).context("serialising the results")?
        );
    }
    drop(target);
    Ok(())
}

fn run_orders(
    args: &Args,
    target: &target::Target,
    client: &tokio::runtime::Runtime,
    results: &mut Results,
) -> Result<()> {
    let call = |session: &str| Call {
        addr: target.addr,
        method: Method::POST,
        path: args.order_path.clone(),
        token: target.token.clone(),
        body: Some(Bytes::from(args.order_body.replace("{session}", session))),
        expect: None,
    };
    let probe_session = args.session.clone().unwrap_or_else(|| "default".into());
    if let orders::Probe::NotAvailable(status, body) =
        client.block_on(orders::probe(&call(&probe_session)))?
    {
        let why = format!(
            "POST {} not available: the server answers {status} {body}",
            args.order_path
        );
        say(args, &format!("orders: {why}"));
        results.skipped.push(("orders".into(), why));
        return Ok(());
    }
    // The simulator is kept until the run ends (dropped outside the runtime).
    let mut sim = None;
    let session = match &args.session {
        Some(id) => id.clone(),
        None if target.server.is_some() => {
            let s = smc_testkit::sim::TestSim::btcusdt(1.0, "");
            let id =
                client.block_on(orders::start_session(&target.base, &target.token, &s.addr))?;
            sim = Some(s);
            id
        }
        None => bail!("orders against --url need --session ID (a running paper session)"),
    };
    client.block_on(orders::wait_ready(&call(&session)))?;
    let before = cpu::snapshot();
    let mut r = client.block_on(http::open_loop(
        "orders",
        &call(&session),
        args.clients,
        args.rate,
        args.seconds,
    ))?;
    settle(&mut r.cpu_seconds, cpu::since(&before));
    show_http(args, &r);
    results.http.push(r);
    // And flat out, for the session's capacity.
    let before = cpu::snapshot();
    let mut r = client.block_on(http::closed_loop(
        "orders-max",
        &call(&session),
        args.clients,
        args.seconds,
    ))?;
    settle(&mut r.cpu_seconds, cpu::since(&before));
    show_http(args, &r);
    results.http.push(r);
    drop(sim);
    Ok(())
}

fn run_ws(
    args: &Args,
    target: &target::Target,
    client: &tokio::runtime::Runtime,
    results: &mut Results,
) -> Result<()> {
    let Some(state) = &target.state else {
        let why =
            "the fan-out publishes through the server's hub: in-process mode only".to_string();
        say(args, &format!("ws: {why}"));
        results.skipped.push(("ws".into(), why));
        return Ok(());
    };
    let mut rates = vec![args.ws_rate];
    if args.ws_step {
        rates.extend([0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05].map(|f| args.ws_rate * f));
    }
    for rate in rates {
        let before = cpu::snapshot();
        let mut r = client.block_on(ws::fan_out(
            state,
            target.addr,
            &target.token,
            args.clients,
            rate,
            args.seconds,
        ))?;
        settle(&mut r.cpu_seconds, cpu::since(&before));
        show_ws(args, &r);
        let sustained = r.sustained;
        results.ws.push(r);
        if sustained {
            break;
        }
    }
    Ok(())
}
