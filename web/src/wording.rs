//! Figures in words: how a value with its unit, an effect with its interval and a pooled
//! estimate read on the pages, so every page says them the same way.

use registry_api::evidence::Pooled;
use registry_api::model::{Direction, EffectMeasure, MetricUnit, metric};
use registry_api::service::comparisons::{Comparison, MetricEvidence};

use crate::format;

/// A value in its unit: "£1,200", "12.5%", "3.2 days", "0.42".
pub fn value(x: f64, unit: MetricUnit) -> String {
    let n = format::figure(x);
    match unit {
        MetricUnit::Gbp => match n.strip_prefix('−') {
            Some(rest) => format!("−£{rest}"),
            None => format!("£{n}"),
        },
        MetricUnit::Percent => format!("{n}%"),
        MetricUnit::Proportion | MetricUnit::Count | MetricUnit::Score => n,
        other => format!("{n} {}", other.label()),
    }
}

/// An effect with its 95% interval: "−1.2 (95% CI −1.6 to −0.8)".
pub fn with_interval(estimate: f64, lower: f64, upper: f64) -> String {
    format!(
        "{} (95% CI {} to {})",
        format::figure(estimate),
        format::figure(lower),
        format::figure(upper)
    )
}

/// Whether an interval on the reporting scale lies wholly on the metric's better side of "no
/// effect", wholly on its worse side, or crosses it.
pub fn verdict(
    measure: EffectMeasure,
    direction: Direction,
    lower: f64,
    upper: f64,
) -> &'static str {
    let none = measure.no_effect();
    let (higher, lower_side) = (lower > none, upper < none);
    match (direction, higher, lower_side) {
        (Direction::HigherIsBetter, true, _) | (Direction::LowerIsBetter, _, true) => {
            "better than the baseline"
        }
        (Direction::HigherIsBetter, _, true) | (Direction::LowerIsBetter, true, _) => {
            "worse than the baseline"
        }
        _ => "no clear difference from the baseline",
    }
}

/// A pooled estimate over `weighed` pilots in one sentence, or why there is none.
pub fn pooled_sentence(
    metric: &metric::Model,
    measure: EffectMeasure,
    weighed: usize,
    pooled: Option<&Pooled>,
) -> String {
    match pooled {
        Some(p) => pooled_words(metric, measure, p),
        None if weighed == 1 => {
            "Only one pilot can be weighed, so there is no pooled estimate yet.".to_owned()
        }
        None => "No pilot you can read reported this metric with the numbers needed to weigh it."
            .to_owned(),
    }
}

/// What a technology's pooled outcomes found, in one sentence: on how many metrics its pilots
/// came out better than the baseline, with no clear difference, or worse.
pub fn outcomes(evidence: &[MetricEvidence]) -> String {
    if evidence.is_empty() {
        return "No outcomes recorded yet.".to_owned();
    }
    let verdicts: Vec<&str> = evidence
        .iter()
        .filter_map(|e| {
            let p = e.pooled.as_ref()?;
            Some(verdict(
                e.effect_measure,
                e.metric.direction,
                p.random_ci_lower,
                p.random_ci_upper,
            ))
        })
        .collect();
    let metrics = |n: usize| format!("{n} {}", if n == 1 { "metric" } else { "metrics" });
    if verdicts.is_empty() {
        return format!(
            "Outcomes recorded on {}, from too few pilots to pool yet.",
            metrics(evidence.len())
        );
    }
    let found: Vec<String> = [
        ("better than the baseline", "better than the baseline"),
        (
            "no clear difference from the baseline",
            "no clear difference",
        ),
        ("worse than the baseline", "worse"),
    ]
    .into_iter()
    .filter_map(|(verdict, said)| {
        let n = verdicts.iter().filter(|v| **v == verdict).count();
        (n > 0).then(|| format!("{said} on {}", metrics(n)))
    })
    .collect();
    format!("Pooled across its pilots: {}.", found.join(", "))
}

/// [`pooled_sentence`] of a comparison.
pub fn comparison_sentence(comparison: &Comparison) -> String {
    pooled_sentence(
        &comparison.metric,
        comparison.effect_measure,
        comparison.figured.pilots.len(),
        comparison.figured.pooled.as_ref(),
    )
}

fn pooled_words(metric: &metric::Model, measure: EffectMeasure, p: &Pooled) -> String {
    format!(
        "Across {} pilots, the pooled {} (random effects, {}) is {}: {}. Heterogeneity I² is {}%.",
        p.k,
        measure.label().to_lowercase(),
        crate::evidence::method_code(comparison_method(p)),
        with_interval(p.random_estimate, p.random_ci_lower, p.random_ci_upper),
        verdict(
            measure,
            metric.direction,
            p.random_ci_lower,
            p.random_ci_upper
        ),
        format::number(p.i2, 0),
    )
}

fn comparison_method(p: &Pooled) -> registry_api::model::PoolingMethod {
    match p.method {
        registry_api::evidence::Method::Dl => registry_api::model::PoolingMethod::Dl,
        registry_api::evidence::Method::Reml => registry_api::model::PoolingMethod::Reml,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_in_their_units() {
        assert_eq!(value(1200.0, MetricUnit::Gbp), "£1200");
        assert_eq!(value(-45.5, MetricUnit::Gbp), "−£45.5");
        assert_eq!(value(12.5, MetricUnit::Percent), "12.5%");
        assert_eq!(value(3.25, MetricUnit::Days), "3.25 days");
    }

    #[test]
    fn an_interval_on_the_better_side_reads_as_better() {
        let v = |d, l, u| verdict(EffectMeasure::Md, d, l, u);
        assert_eq!(
            v(Direction::LowerIsBetter, -2.0, -1.0),
            "better than the baseline"
        );
        assert_eq!(
            v(Direction::HigherIsBetter, -2.0, -1.0),
            "worse than the baseline"
        );
        assert_eq!(
            v(Direction::LowerIsBetter, -2.0, 1.0),
            "no clear difference from the baseline"
        );
        assert_eq!(
            verdict(EffectMeasure::Rr, Direction::LowerIsBetter, 0.5, 0.9),
            "better than the baseline"
        );
    }
}
