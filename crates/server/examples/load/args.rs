//! The command line.

use crate::orders;
use anyhow::{Context, Result, bail};

const HELP: &str = "load: measures smc serve (default: started in this process on 127.0.0.1:0)

  --scenario S        status | max | orders | audit | ws | all (default all)
  --clients N         HTTP connections / WebSocket subscribers (100)
  --rate R            open-loop requests per second in total (2000)
  --seconds S         length of each run (10)
  --ws-rate R         events per second published (10000)
  --ws-step           also step the event rate down until it is sustained
  --repeat N          run each scenario N times (1)
  --url URL           a running smc serve (http://HOST:PORT) instead
  --user U            with --url (admin)
  --password P        with --url (else $SMC_LOAD_PASSWORD)
  --server-threads N  in-process server worker threads (cores)
  --client-threads N  load-generator worker threads (cores)
  --order-path P      (/api/v1/orders)   --order-body JSON ({session} is replaced)
  --session ID        the paper session the orders go to (default: started here)
  --json              print the results as JSON on stdout (the table on stderr)";

pub struct Args {
    pub scenario: String,
    pub clients: usize,
    pub rate: f64,
    pub seconds: f64,
    pub ws_rate: f64,
    pub ws_step: bool,
    pub repeat: usize,
    pub url: Option<String>,
    pub user: String,
    pub password: Option<String>,
    pub server_threads: usize,
    pub client_threads: usize,
    pub order_path: String,
    pub order_body: String,
    pub session: Option<String>,
    pub json: bool,
}

pub fn parse() -> Result<Args> {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let mut a = Args {
        scenario: "all".into(),
        clients: 100,
        rate: 2000.0,
        seconds: 10.0,
        ws_rate: 10_000.0,
        ws_step: false,
        repeat: 1,
        url: None,
        user: "admin".into(),
        password: std::env::var("SMC_LOAD_PASSWORD").ok(),
        server_threads: cores,
        client_threads: cores,
        order_path: "/api/v1/orders".into(),
        order_body: orders::DEFAULT_BODY.into(),
        session: None,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--scenario" => a.scenario = value()?,
            "--clients" => a.clients = value()?.parse().context("--clients")?,
            "--rate" => a.rate = value()?.parse().context("--rate")?,
            "--seconds" => a.seconds = value()?.parse().context("--seconds")?,
            "--ws-rate" => a.ws_rate = value()?.parse().context("--ws-rate")?,
            "--ws-step" => a.ws_step = true,
            "--repeat" => a.repeat = value()?.parse().context("--repeat")?,
            "--url" => a.url = Some(value()?),
            "--user" => a.user = value()?,
            "--password" => a.password = Some(value()?),
            "--server-threads" => {
                a.server_threads = value()?.parse().context("--server-threads")?
            }
            "--client-threads" => {
                a.client_threads = value()?.parse().context("--client-threads")?
            }
            "--order-path" => a.order_path = value()?,
            "--order-body" => a.order_body = value()?,
            "--session" => a.session = Some(value()?),
            "--json" => a.json = true,
            "-h" | "--help" => {
                println!("{HELP}");
                std::process::exit(0);
            }
            other => bail!("unknown flag {other}\n\n{HELP}"),
        }
    }
    if a.clients == 0 || a.rate <= 0.0 || a.seconds <= 0.0 || a.ws_rate <= 0.0 {
        bail!("--clients, --rate, --seconds and --ws-rate must be positive");
    }
    Ok(a)
}
