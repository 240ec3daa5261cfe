//! A metric compared across pilots, for people and spreadsheets: the forest plot
//! (`/evidence/{code}/forest.svg`) and the figures as CSV (`/evidence/{code}/comparison.csv`).
//! Both take the pilot filter and the comparison's options as query parameters in GraphQL's
//! spellings (`?effectMeasure=RR&method=DL&subgroupBy=REGION&careSetting=COMMUNITY`, see
//! [`query`](crate::query)), and show only what the viewer may see, exactly as
//! `metricComparison` does. They accept an API token as well as a session.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use registry_api::ServiceError;
use registry_api::auth::credentials;
use registry_api::evidence::Pooled;
use registry_api::model::{EffectMeasure, EntryPoint, PoolingMethod};
use registry_api::service::comparisons::{self, Comparison};
use serde::Serialize;

use crate::query::{ComparisonQuery, legacy_to_current};
use crate::{WebState, forest};

/// The comparison for a request, or the response that says why not.
pub async fn comparison_for(
    state: &WebState,
    headers: &HeaderMap,
    code: String,
    pairs: &[(String, String)],
) -> Result<Comparison, Response> {
    let query = ComparisonQuery::parse(pairs)
        .map_err(|reasons| (StatusCode::BAD_REQUEST, reasons.join("\n")).into_response())?;
    // A read changes nothing, so it needs no CSRF token.
    let actor = credentials::caller(&state.db, state.sign_in.policy, headers, EntryPoint::Web)
        .await
        .map_err(|e| refusal(&e.into()))?
        .into_actor();
    comparisons::compare(&state.db, &actor, &query.question(code))
        .await
        .map_err(|e| refusal(&e))
}

/// The first downloads' addresses (`/metrics/{code}/forest.svg?effect_measure=rr`) lead to
/// their current ones, with the query in the current spellings.
pub async fn moved(
    Path((code, file)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if !matches!(file.as_str(), "forest.svg" | "comparison.csv") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(legacy_to_current(&pairs));
    let query = query.finish();
    let code: String = form_urlencoded::byte_serialize(code.as_bytes()).collect();
    let target = if query.is_empty() {
        format!("/evidence/{code}/{file}")
    } else {
        format!("/evidence/{code}/{file}?{query}")
    };
    Redirect::permanent(&target).into_response()
}

fn refusal(err: &ServiceError) -> Response {
    match err {
        ServiceError::Invalid(errors) => {
            let text = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            let status = if errors.iter().any(|e| e.field == "metricCode") {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_REQUEST
            };
            (status, text).into_response()
        }
        ServiceError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "The API token is not valid: it may be mistyped, expired or revoked",
        )
            .into_response(),
        ServiceError::TimedOut(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, err.to_string()).into_response()
        }
        other => crate::problem(other),
    }
}

/// The forest plot as SVG.
pub async fn forest_svg(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    match comparison_for(&state, &headers, code, &pairs).await {
        Ok(comparison) => match forest::render(&comparison) {
            Ok(svg) => (
                [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
                svg,
            )
                .into_response(),
            Err(err) => {
                tracing::error!(error = %err, "rendering a forest plot");
                crate::unavailable()
            }
        },
        Err(response) => response,
    }
}

/// One row of the CSV: a pilot, an excluded pilot, the pooled estimate or a subgroup's.
#[derive(Debug, Default, Serialize)]
struct Row {
    row: &'static str,
    pilot_id: Option<String>,
    pilot: Option<String>,
    host: Option<String>,
    subgroup: Option<String>,
    baseline_value: Option<f64>,
    baseline_n: Option<i32>,
    baseline_sd: Option<f64>,
    baseline_events: Option<i32>,
    result_value: Option<f64>,
    result_n: Option<i32>,
    result_sd: Option<f64>,
    result_events: Option<i32>,
    effect_measure: &'static str,
    effect: Option<f64>,
    se: Option<f64>,
    ci_lower: Option<f64>,
    ci_upper: Option<f64>,
    weight_fixed_percent: Option<f64>,
    weight_random_percent: Option<f64>,
    excluded_reason: Option<String>,
    k: Option<usize>,
    method: Option<&'static str>,
    fixed_estimate: Option<f64>,
    fixed_se: Option<f64>,
    fixed_ci_lower: Option<f64>,
    fixed_ci_upper: Option<f64>,
    q: Option<f64>,
    q_df: Option<usize>,
    q_p_value: Option<f64>,
    tau2: Option<f64>,
    tau2_ci_lower: Option<f64>,
    tau2_ci_upper: Option<f64>,
    tau: Option<f64>,
    i2: Option<f64>,
    i2_ci_lower: Option<f64>,
    i2_ci_upper: Option<f64>,
    h2: Option<f64>,
    hksj_ci_lower: Option<f64>,
    hksj_ci_upper: Option<f64>,
    prediction_lower: Option<f64>,
    prediction_upper: Option<f64>,
}

/// Text a spreadsheet would otherwise run as a formula is kept as text.
fn cell(text: &str) -> Option<String> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    Some(if risky {
        format!("'{text}")
    } else {
        text.to_owned()
    })
}

fn pooled_row(
    row: &'static str,
    subgroup: Option<String>,
    effect_measure: &'static str,
    f: &Pooled,
) -> Row {
    Row {
        row,
        subgroup,
        effect_measure,
        effect: Some(f.random_estimate),
        se: Some(f.random_se),
        ci_lower: Some(f.random_ci_lower),
        ci_upper: Some(f.random_ci_upper),
        k: Some(f.k),
        method: Some(method_code(f.method)),
        fixed_estimate: Some(f.fixed_estimate),
        fixed_se: Some(f.fixed_se),
        fixed_ci_lower: Some(f.fixed_ci_lower),
        fixed_ci_upper: Some(f.fixed_ci_upper),
        q: Some(f.q),
        q_df: Some(f.q_df),
        q_p_value: Some(f.q_p_value),
        tau2: Some(f.tau2),
        tau2_ci_lower: Some(f.tau2_ci_lower),
        tau2_ci_upper: Some(f.tau2_ci_upper),
        tau: Some(f.tau),
        i2: Some(f.i2),
        i2_ci_lower: Some(f.i2_ci_lower),
        i2_ci_upper: Some(f.i2_ci_upper),
        h2: Some(f.h2),
        hksj_ci_lower: Some(f.hksj_ci_lower),
        hksj_ci_upper: Some(f.hksj_ci_upper),
        prediction_lower: f.prediction_lower,
        prediction_upper: f.prediction_upper,
        ..Row::default()
    }
}

pub fn measure_code(m: EffectMeasure) -> &'static str {
    match m {
        EffectMeasure::Md => "MD",
        EffectMeasure::Smd => "SMD",
        EffectMeasure::Rr => "RR",
        EffectMeasure::Or => "OR",
        EffectMeasure::Rd => "RD",
    }
}

pub fn method_code(m: PoolingMethod) -> &'static str {
    match m {
        PoolingMethod::Reml => "REML",
        PoolingMethod::Dl => "DL",
    }
}

fn csv_of(comparison: &Comparison) -> Result<Vec<u8>, csv::Error> {
    let measure = measure_code(comparison.effect_measure);
    let subgroup_of = |input: &comparisons::Input| {
        comparison
            .subgroup_by
            .map(|by| input.attributes.subgroup(by))
    };
    let input_row = |row: &'static str, i: &comparisons::Input| Row {
        row,
        pilot_id: Some(i.pilot_id.to_string()),
        pilot: cell(&i.pilot_title),
        host: cell(&i.host_name),
        subgroup: subgroup_of(i),
        baseline_value: Some(i.baseline.value),
        baseline_n: i.baseline.n,
        baseline_sd: i.baseline.sd,
        baseline_events: i.baseline.events,
        result_value: Some(i.result.value),
        result_n: i.result.n,
        result_sd: i.result.sd,
        result_events: i.result.events,
        effect_measure: measure,
        ..Row::default()
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    for p in &comparison.figured.pilots {
        out.serialize(Row {
            effect: Some(p.effect),
            se: Some(p.se),
            ci_lower: Some(p.ci_lower),
            ci_upper: Some(p.ci_upper),
            weight_fixed_percent: Some(p.weight_fixed),
            weight_random_percent: Some(p.weight_random),
            ..input_row("pilot", &p.input)
        })?;
    }
    for e in &comparison.figured.excluded {
        out.serialize(Row {
            excluded_reason: Some(e.reason.clone()),
            ..input_row("excluded", &e.input)
        })?;
    }
    if let Some(pooled) = &comparison.figured.pooled {
        out.serialize(pooled_row("pooled", None, measure, pooled))?;
    }
    for s in &comparison.figured.subgroups {
        if let Some(pooled) = &s.pooled {
            out.serialize(pooled_row("subgroup", cell(&s.key), measure, pooled))?;
        }
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The per-pilot and pooled figures as CSV, at full precision.
pub async fn comparison_csv(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let comparison = match comparison_for(&state, &headers, code, &pairs).await {
        Ok(comparison) => comparison,
        Err(response) => return response,
    };
    match csv_of(&comparison) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-comparison.csv\"",
                        comparison.metric.code.to_ascii_lowercase()
                    ),
                ),
            ],
            body,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "writing a comparison as CSV");
            crate::unavailable()
        }
    }
}
