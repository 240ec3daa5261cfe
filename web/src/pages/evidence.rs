//! `/evidence`: the metric catalogue, with how many pilots the viewer can compare on each; and
//! `/evidence/{code}`: the comparison on one metric — forest plot and the same numbers as a
//! table, the pooled figures in words, and a GET form of filters, subgroups and method whose
//! address the SVG and CSV downloads share.

use askama::Template;
use axum::extract::{Path, Query, State};
use registry_api::model::{
    CareSetting, EsfTier, EvaluationDesign, PoolingMethod, Region, Spelling, SubgroupBy, metric,
};
use registry_api::service::comparisons::{self, Shown};
use registry_api::service::metrics;
use sea_orm::Iterable;

use super::{PageError, PageResult, render};
use crate::components::{Choice, Crumb};
use crate::query::ComparisonQuery;
use crate::viewer::{SignedIn, Viewer};
use crate::{WebState, forest, format, wording};

struct MetricLine {
    metric: metric::Model,
    href: String,
    pilots: String,
}

#[derive(Template)]
#[template(path = "pages/evidence_catalogue.html")]
struct CataloguePage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    metrics: Vec<MetricLine>,
}

pub async fn catalogue(State(state): State<WebState>, viewer: Viewer) -> PageResult {
    let counts = comparisons::comparable_counts(&state.db, &viewer.actor).await?;
    let metrics = metrics::list(&state.db)
        .await?
        .into_iter()
        .map(|metric| {
            let n = counts.get(&metric.id).copied().unwrap_or(0);
            MetricLine {
                href: format!("/evidence/{}", metric.code),
                pilots: format!(
                    "{} {}",
                    format::count(n),
                    if n == 1 { "pilot" } else { "pilots" }
                ),
                metric,
            }
        })
        .collect();
    render(&CataloguePage {
        viewer: viewer.signed_in,
        crumbs: vec![Crumb::new("Home", "/")],
        metrics,
    })
}

/// A row of the comparison's table.
struct PilotLine {
    title: String,
    href: Option<String>,
    host: String,
    subgroup: String,
    effect: String,
    weight: String,
}

struct ExcludedLine {
    title: String,
    href: Option<String>,
    host: String,
    reason: String,
}

struct SubgroupLine {
    key: String,
    pilots: usize,
    pooled: String,
}

/// One select of the filter form.
struct Filter {
    id: &'static str,
    label: &'static str,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "pages/evidence_comparison.html")]
struct ComparisonPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    metric: metric::Model,
    measure: &'static str,
    pooled: String,
    heterogeneity: Option<String>,
    forest: String,
    pilots: Vec<PilotLine>,
    excluded: Vec<ExcludedLine>,
    subgroups: Vec<SubgroupLine>,
    subgroup_test: Option<String>,
    filters: Vec<Filter>,
    methods: Vec<Choice>,
    technology_id: Option<String>,
    svg_href: String,
    csv_href: String,
}

/// A select's choices: "Any" and each value, in GraphQL's spelling.
fn choices<T: Spelling + Iterable + PartialEq>(
    chosen: Option<T>,
    label: impl Fn(T) -> &'static str,
    any: &str,
) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: any.to_owned(),
        selected: chosen.is_none(),
    })
    .chain(T::iter().map(|v| Choice {
        value: v.as_str().to_ascii_uppercase(),
        label: label(v).to_owned(),
        selected: chosen == Some(v),
    }))
    .collect()
}

fn shown(shown: Shown) -> (String, Option<String>, String) {
    match shown {
        Shown::Pilot { id, title, host } => (title, Some(format!("/pilots/{id}")), host),
        Shown::Withdrawn { title, host, .. } => (format!("{title} (withdrawn)"), None, host),
        Shown::Hidden => (
            "A pilot you can no longer read".to_owned(),
            None,
            String::new(),
        ),
    }
}

pub async fn comparison(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let query = ComparisonQuery::parse(&pairs).map_err(PageError::BadRequest)?;
    let comparison = comparisons::compare(&state.db, &viewer.actor, &query.question(code))
        .await
        .map_err(|err| match err {
            // An unknown metric is a missing page, not a bad address.
            registry_api::ServiceError::Invalid(ref errors)
                if errors.iter().any(|e| e.field == "metricCode") =>
            {
                PageError::NotFound
            }
            other => other.into(),
        })?;
    let figured = &comparison.figured;
    let subgroup_of = |input: &comparisons::Input| {
        comparison
            .subgroup_by
            .map(|by| input.attributes.subgroup(by))
            .unwrap_or_default()
    };
    let pilots = figured
        .pilots
        .iter()
        .map(|p| {
            let (title, href, host) = shown(comparison.shown(&p.input));
            PilotLine {
                title,
                href,
                host,
                subgroup: subgroup_of(&p.input),
                effect: wording::with_interval(p.effect, p.ci_lower, p.ci_upper),
                weight: format!("{}%", format::number(p.weight_random, 1)),
            }
        })
        .collect();
    let excluded = figured
        .excluded
        .iter()
        .map(|e| {
            let (title, href, host) = shown(comparison.shown(&e.input));
            ExcludedLine {
                title,
                href,
                host,
                reason: e.reason.clone(),
            }
        })
        .collect();
    let subgroups = figured
        .subgroups
        .iter()
        .map(|s| SubgroupLine {
            key: s.key.clone(),
            pilots: s.k,
            pooled: s.pooled.as_ref().map_or_else(
                || "One pilot: no pooled estimate".to_owned(),
                |p| wording::with_interval(p.random_estimate, p.random_ci_lower, p.random_ci_upper),
            ),
        })
        .collect();
    let subgroup_test = figured.subgroup_test.as_ref().map(|t| {
        format!(
            "Test for subgroup differences: Q = {} on {} degrees of freedom, {}.",
            format::figure(t.q),
            t.df,
            format::p_value(t.p_value)
        )
    });
    let heterogeneity = figured.pooled.as_ref().map(|p| {
        format!(
            "τ² = {}, I² = {}% (95% CI {}% to {}%), Q = {} on {} degrees of freedom ({}). \
             The 95% prediction interval for a new pilot is {}.",
            format::figure(p.tau2),
            format::number(p.i2, 0),
            format::number(p.i2_ci_lower, 0),
            format::number(p.i2_ci_upper, 0),
            format::figure(p.q),
            p.q_df,
            format::p_value(p.q_p_value),
            match (p.prediction_lower, p.prediction_upper) {
                (Some(l), Some(u)) => format!("{} to {}", format::figure(l), format::figure(u)),
                _ => "not given with fewer than three pilots".to_owned(),
            }
        )
    });
    let forest = forest::render(&comparison)?;
    let f = &query.filter;
    let filters = vec![
        Filter {
            id: "region",
            label: "NHS England region",
            choices: choices::<Region>(f.region, Region::label, "Any region"),
        },
        Filter {
            id: "careSetting",
            label: "Care setting",
            choices: choices::<CareSetting>(f.care_setting, CareSetting::label, "Any care setting"),
        },
        Filter {
            id: "primaryCare",
            label: "Primary or secondary care",
            choices: [
                ("", "Any"),
                ("true", "Primary care"),
                ("false", "Secondary and other care"),
            ]
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
                selected: f.primary_care.map(|p| p.to_string()).unwrap_or_default() == value,
            })
            .collect(),
        },
        Filter {
            id: "design",
            label: "Evaluation design",
            choices: choices::<EvaluationDesign>(f.design, EvaluationDesign::label, "Any design"),
        },
        Filter {
            id: "esfTier",
            label: "NICE evidence standards tier",
            choices: choices::<EsfTier>(f.esf_tier, EsfTier::label, "Any tier"),
        },
        Filter {
            id: "subgroupBy",
            label: "Show subgroups by",
            choices: choices::<SubgroupBy>(query.subgroup_by, SubgroupBy::label, "No subgroups"),
        },
    ];
    let methods = PoolingMethod::iter()
        .map(|m| Choice {
            value: m.as_str().to_ascii_uppercase(),
            label: match m {
                PoolingMethod::Reml => "Restricted maximum likelihood (REML)".to_owned(),
                PoolingMethod::Dl => "DerSimonian and Laird".to_owned(),
            },
            selected: query.method == m,
        })
        .collect();
    let code = comparison.metric.code.clone();
    let q = query.to_query();
    render(&ComparisonPage {
        viewer: viewer.signed_in,
        crumbs: vec![
            Crumb::new("Home", "/"),
            Crumb::new("Compare outcomes", "/evidence"),
        ],
        measure: comparison.effect_measure.label(),
        pooled: wording::comparison_sentence(&comparison),
        heterogeneity,
        forest,
        pilots,
        excluded,
        subgroups,
        subgroup_test,
        filters,
        methods,
        technology_id: f.technology_id.map(|id| id.to_string()),
        svg_href: format!("/evidence/{code}/forest.svg{q}"),
        csv_href: format!("/evidence/{code}/comparison.csv{q}"),
        metric: comparison.metric.clone(),
    })
}
