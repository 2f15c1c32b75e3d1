//! `GET /api/v1/reports/daily?date=D` and `GET /api/v1/reports/weekly?date=D`:
//! the daily and weekly reports of the hosted sessions, read from each
//! session's journal through a reader connection (the session itself is
//! never touched), as one HTML page with a section per session or as JSON
//! figures. `session=ID` narrows it to one session; `timezone=TZ` sets the
//! zone whose midnights bound the period (default UTC). A replica reports
//! the sessions the primary hosts, from the same journals.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::host::SessionState;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use smc_runtime::period_report::{
    Period, PeriodFigures, PeriodKind, ReportOptions, Tz, parse_date, period_figures, read_facts,
    timezone, today,
};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The day (YYYY-MM-DD), or a day of the ISO week (default: today in the zone).
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
    /// One session (default: every hosted session that has started).
    pub session: Option<String>,
    /// `html` (default) or `json`.
    #[param(pattern = "^(html|json)$")]
    pub format: Option<String>,
    /// The IANA time zone whose midnights bound the period (default UTC).
    pub timezone: Option<String>,
}

/// One session's figures, as the JSON answer lists them.
#[derive(Debug, Serialize)]
pub struct SessionFigures {
    pub session: String,
    pub figures: PeriodFigures,
}

/// The JSON answer.
#[derive(Debug, Serialize)]
pub struct ReportBody {
    pub kind: PeriodKind,
    pub period: String,
    pub timezone: String,
    pub title: String,
    pub sessions: Vec<SessionFigures>,
}

enum Format {
    Html,
    Json,
}

fn parse(q: &ReportQuery, kind: PeriodKind) -> ApiResult<(Period, Format)> {
    let tz = match &q.timezone {
        Some(name) => timezone(name).map_err(|e| ApiError::invalid("timezone", e.to_string()))?,
        None => Tz::UTC,
    };
    let date = match &q.date {
        Some(d) => parse_date(d).map_err(|e| ApiError::invalid("date", e.to_string()))?,
        None => today(tz),
    };
    let format = match q.format.as_deref() {
        None | Some("html") => Format::Html,
        Some("json") => Format::Json,
        Some(other) => {
            return Err(ApiError::invalid(
                "format",
                format!("`{other}`: give html or json"),
            ));
        }
    };
    let period =
        Period::of(kind, date, tz).map_err(|e| ApiError::invalid("date", e.to_string()))?;
    Ok((period, format))
}

/// The hosted sessions to report on, by id: those that have started (a
/// session only defined has no journal). A replica knows them from the
/// cache the primary writes, and reads the same journals.
async fn sessions(state: &AppState, wanted: Option<&str>) -> ApiResult<Vec<String>> {
    let mut ids: Vec<String> = match &state.replica {
        Some(replica) => replica
            .sessions()
            .await?
            .into_iter()
            .filter(|s| s.summary["info"]["state"] != "ready")
            .filter(|s| wanted.is_none_or(|w| w == s.id))
            .map(|s| s.id)
            .collect(),
        None => state.host.with_sessions(|s| {
            s.values()
                .filter(|h| h.state != SessionState::Ready)
                .filter(|h| wanted.is_none_or(|w| w == h.id))
                .map(|h| h.id.clone())
                .collect()
        }),
    };
    ids.sort();
    match (wanted, ids.is_empty()) {
        (Some(id), true) => Err(ApiError::not_found(format!("no started session `{id}`"))),
        _ => Ok(ids),
    }
}

async fn report(
    state: AppState,
    kind: PeriodKind,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let (period, format) = parse(&q, kind)?;
    let (label, tz) = (period.label.clone(), period.tz);
    let ids = sessions(&state, q.session.as_deref()).await?;
    // Paper sessions start with the config's balance; live ones' journals
    // keep what the account held.
    let starting_cash = state.config_read(|c| c.trading.initial_balance);
    let journals: Vec<(String, String)> = ids
        .into_iter()
        .map(|id| {
            let url = crate::state::session_journal_url(&state, &id);
            (id, url)
        })
        .collect();
    let sessions = tokio::task::spawn_blocking(move || {
        journals
            .into_iter()
            .map(|(id, url)| {
                let options = ReportOptions {
                    starting_cash: Some(starting_cash),
                    source: Some(format!("session {id}")),
                    ..ReportOptions::default()
                };
                let facts = read_facts(&url, &options)
                    .map_err(|e| ApiError::internal("reading a session's journal", e))?;
                Ok(SessionFigures {
                    session: id,
                    figures: period_figures(&facts, &period),
                })
            })
            .collect::<ApiResult<Vec<SessionFigures>>>()
    })
    .await
    .map_err(|e| ApiError::internal("the report", e))??;
    let title = format!(
        "{} report {label} ({})",
        match kind {
            PeriodKind::Daily => "Daily",
            PeriodKind::Weekly => "Weekly",
        },
        tz.name()
    );
    Ok(match format {
        Format::Json => axum::Json(ReportBody {
            kind,
            period: label,
            timezone: tz.name().to_string(),
            title,
            sessions,
        })
        .into_response(),
        Format::Html => {
            let pages: Vec<(String, PeriodFigures)> = sessions
                .into_iter()
                .map(|s| (s.session, s.figures))
                .collect();
            let html = smc_runtime::period_report::sessions_page(&title, &pages, tz);
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
    })
}

/// The daily report of the hosted sessions: P&L (realized, unrealized,
/// fees, funding), closed trades and win rate, drawdown, exposure, breaker
/// events, the equity chart and a table per symbol.
#[utoipa::path(get, path = "/api/v1/reports/daily", tag = "sessions", params(ReportQuery),
    responses((status = 200, content((String = "text/html"), (Object = "application/json"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn daily(
    State(state): State<AppState>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    report(state, PeriodKind::Daily, q).await
}

/// The weekly report (the ISO week, Monday to Sunday, that contains the date).
#[utoipa::path(get, path = "/api/v1/reports/weekly", tag = "sessions", params(ReportQuery),
    responses((status = 200, content((String = "text/html"), (Object = "application/json"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn weekly(
    State(state): State<AppState>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    report(state, PeriodKind::Weekly, q).await
}
