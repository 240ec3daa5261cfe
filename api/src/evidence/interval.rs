//! A 95% confidence interval for one side of a measure on its own (the baseline, or the
//! result), as a pilot's page draws it beside the figure. Comparisons across pilots use the
//! effect of the result against the baseline instead ([`super::effect_size`]); these
//! intervals describe each side's own uncertainty and say nothing about the difference.
//!
//! - Continuous metrics: the mean ± z·SD/√n (normal approximation, z the 97.5% point of the
//!   standard normal, 1.96), needing an SD and at least two people.
//! - Binary metrics: the Wilson score interval for events out of n (Wilson 1927; Newcombe
//!   1998, method 3), which stays within 0–1 and behaves at 0 and n events, where the simple
//!   Wald interval collapses to a point.
//!
//! No figure is imputed: without what the method needs there is no interval.

use super::effect::{Arm, z_975};
use crate::model::MetricKind;

/// A two-sided 95% confidence interval, lower ≤ upper, both finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    fn checked(lower: f64, upper: f64) -> Option<Self> {
        (lower.is_finite() && upper.is_finite() && lower <= upper).then_some(Self { lower, upper })
    }
}

/// The interval of a mean: mean ± z·SD/√n. `None` for fewer than two people, or an SD that
/// is negative or not a number.
pub fn mean_interval(mean: f64, sd: f64, n: i32) -> Option<Interval> {
    if n < 2 || !(sd.is_finite() && sd >= 0.0) || !mean.is_finite() {
        return None;
    }
    let half_width = z_975() * sd / f64::from(n).sqrt();
    Interval::checked(mean - half_width, mean + half_width)
}

/// The Wilson score interval of a proportion, `events` out of `n`. `None` unless
/// 0 ≤ events ≤ n and n ≥ 1.
pub fn wilson_interval(events: i32, n: i32) -> Option<Interval> {
    if n < 1 || !(0..=n).contains(&events) {
        return None;
    }
    let (x, n) = (f64::from(events), f64::from(n));
    let z = z_975();
    let z2 = z * z;
    let p = x / n;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half_width = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Rounding can put an end a hair outside 0–1 at 0 or n events.
    Interval::checked(
        (centre - half_width).max(0.0),
        (centre + half_width).min(1.0),
    )
}

/// The interval of one side as recorded, by the metric's kind: a mean's from its SD and n,
/// a proportion's from its events and n. `None` where the figures needed were not recorded.
pub fn side_interval(kind: MetricKind, side: &Arm) -> Option<Interval> {
    match kind {
        MetricKind::Continuous => mean_interval(side.value, side.sd?, side.n?),
        MetricKind::Binary => wilson_interval(side.events?, side.n?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: Option<Interval>, lower: f64, upper: f64) {
        let got = got.unwrap_or_else(|| panic!("an interval, expected [{lower}, {upper}]"));
        assert!(
            (got.lower - lower).abs() < 5e-5 && (got.upper - upper).abs() < 5e-5,
            "{got:?}, expected [{lower}, {upper}]"
        );
    }

    /// Worked values: Newcombe (1998), Statistics in Medicine 17:857–872, table I, method 3
    /// (81/263, 15/148, 0/20, 1/29), and 8/10 and 10/10 as R's `prop.test(correct = FALSE)`
    /// and `binom::binom.wilson` give them.
    #[test]
    fn wilson_intervals_match_published_values() {
        close(wilson_interval(81, 263), 0.2553, 0.3662);
        close(wilson_interval(15, 148), 0.0624, 0.1605);
        close(wilson_interval(0, 20), 0.0, 0.1611);
        close(wilson_interval(1, 29), 0.0061, 0.1718);
        close(wilson_interval(8, 10), 0.4902, 0.9433);
        close(wilson_interval(10, 10), 0.7225, 1.0);
    }

    #[test]
    fn wilson_needs_events_within_a_sample() {
        assert_eq!(wilson_interval(0, 0), None);
        assert_eq!(wilson_interval(-1, 10), None);
        assert_eq!(wilson_interval(11, 10), None);
    }

    /// 100 people, mean 50, SD 10: 50 ± 1.959964 × 1 = [48.04, 51.96].
    #[test]
    fn a_mean_interval_is_the_normal_approximation() {
        close(mean_interval(50.0, 10.0, 100), 48.040036, 51.959964);
        close(mean_interval(-3.0, 0.0, 5), -3.0, -3.0);
        assert_eq!(
            mean_interval(50.0, 10.0, 1),
            None,
            "one person has no spread"
        );
        assert_eq!(mean_interval(50.0, -1.0, 10), None);
        assert_eq!(mean_interval(50.0, f64::NAN, 10), None);
        assert_eq!(mean_interval(f64::INFINITY, 1.0, 10), None);
    }

    #[test]
    fn a_side_uses_the_method_of_its_metrics_kind() {
        let side = Arm {
            value: 0.8,
            n: Some(10),
            sd: None,
            events: Some(8),
        };
        close(side_interval(MetricKind::Binary, &side), 0.4902, 0.9433);
        assert_eq!(side_interval(MetricKind::Continuous, &side), None);
        let without_events = Arm {
            events: None,
            ..side
        };
        assert_eq!(side_interval(MetricKind::Binary, &without_events), None);
    }
}
