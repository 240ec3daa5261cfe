//! A measure's validation against its metric (`service::measures::check_against`), then the
//! evidence maths on what it accepts: `evidence::effect_size` of the result against the
//! baseline, and `evidence::pool` of that effect with an ordinary one, by REML and by
//! DerSimonian–Laird.
//!
//! Never a panic; an accepted measure's readings are finite and within the metric's range;
//! an effect that `effect_size` returns is weighable; a pool is `None` or every figure in it
//! finite. libFuzzer's per-input timeout catches an iteration that does not stop.

#![no_main]

use arbitrary::Arbitrary;
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use registry_api::evidence::{Arm, Effect, EffectMeasure, Method, Pooled, effect_size, pool};
use registry_api::model::{Comparator, Direction, MetricDomain, MetricKind, MetricUnit, metric};
use registry_api::service::measures::{MeasureInput, ObservationInput, check_against};
use sea_orm::Iterable;
use sea_orm::prelude::Uuid;

/// A number as the fuzzer gives it: raw bits (NaN, infinities, subnormals, huge), a special
/// value, or a point of the metric's range, so that plausible figures are common too.
#[derive(Debug, Clone, Copy, Arbitrary)]
enum Number {
    Raw(f64),
    Special(u8),
    /// A fraction of the way across the metric's plausible range.
    InRange(u32),
    /// A small whole number.
    Whole(i16),
    /// events / n plus a small offset in units of 10⁻⁴ (binary metrics only; else `Whole`).
    FromEvents(i8),
}

const SPECIALS: [f64; 18] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    5e-324,
    f64::EPSILON,
    1e-300,
    1e300,
    1e10,
    1e9,
    1e6,
];

#[derive(Debug, Arbitrary)]
struct Observation {
    value: Number,
    n: Option<i32>,
    sd: Option<Number>,
    events: Option<i32>,
    /// Days from 2024-01-01.
    period_start: Option<i16>,
    period_end: Option<i16>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    unit: u8,
    binary: bool,
    min_value: Option<Number>,
    max_value: Option<Number>,
    /// `None` is an ordinary time frame.
    time_frame: Option<String>,
    concurrent_control: bool,
    is_primary: bool,
    baseline: Observation,
    result: Observation,
    target: Option<Number>,
}

fn pick<T: Iterable + Copy>(index: u8) -> T {
    let all: Vec<T> = T::iter().collect();
    all[usize::from(index) % all.len()]
}

fn number(n: Number, unit: MetricUnit, obs: Option<(Option<i32>, Option<i32>)>) -> f64 {
    let (low, high) = unit.plausible_range();
    match n {
        Number::Raw(x) => x,
        Number::Special(i) => SPECIALS[usize::from(i) % SPECIALS.len()],
        Number::InRange(x) => low + (high - low) * (f64::from(x) / f64::from(u32::MAX)),
        Number::Whole(x) => f64::from(x),
        Number::FromEvents(offset) => match obs {
            Some((Some(events), Some(n))) if n != 0 => {
                f64::from(events) / f64::from(n) + f64::from(offset) * 1e-4
            }
            _ => f64::from(offset),
        },
    }
}

fn date(days: Option<i16>) -> Option<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1)?;
    start.checked_add_signed(chrono::Duration::days(i64::from(days?)))
}

fn observation(obs: &Observation, unit: MetricUnit) -> ObservationInput {
    ObservationInput {
        value: number(obs.value, unit, Some((obs.events, obs.n))),
        n: obs.n,
        sd: obs.sd.map(|sd| number(sd, unit, None)),
        events: obs.events,
        period_start: date(obs.period_start),
        period_end: date(obs.period_end),
    }
}

fn arm(obs: &ObservationInput) -> Arm {
    Arm {
        value: obs.value,
        n: obs.n,
        sd: obs.sd,
        events: obs.events,
    }
}

/// Every figure of a pool is a number, and the few that have a sign have the right one.
fn assert_sound(pooled: &Pooled, effects: &[Effect]) {
    let figures = [
        pooled.fixed_estimate,
        pooled.fixed_se,
        pooled.fixed_ci_lower,
        pooled.fixed_ci_upper,
        pooled.q,
        pooled.q_p_value,
        pooled.tau2,
        pooled.tau2_ci_lower,
        pooled.tau2_ci_upper,
        pooled.tau,
        pooled.i2,
        pooled.i2_ci_lower,
        pooled.i2_ci_upper,
        pooled.h2,
        pooled.random_estimate,
        pooled.random_se,
        pooled.random_ci_lower,
        pooled.random_ci_upper,
        pooled.hksj_ci_lower,
        pooled.hksj_ci_upper,
    ];
    assert!(
        figures
            .iter()
            .chain(pooled.prediction_lower.iter())
            .chain(pooled.prediction_upper.iter())
            .chain(pooled.weights_fixed.iter())
            .chain(pooled.weights_random.iter())
            .all(|x| x.is_finite()),
        "a pooled figure is not finite: {pooled:?} from {effects:?}"
    );
    assert_eq!(pooled.k, effects.len());
    assert!(
        pooled.tau2 >= 0.0,
        "negative tau2: {pooled:?} from {effects:?}"
    );
    assert!(pooled.q >= 0.0, "negative Q: {pooled:?} from {effects:?}");
    assert_eq!(pooled.weights_fixed.len(), effects.len());
    assert_eq!(pooled.weights_random.len(), effects.len());
}

fuzz_target!(|input: Input| {
    let unit: MetricUnit = pick(input.unit);
    let kind = if input.binary {
        MetricKind::Binary
    } else {
        MetricKind::Continuous
    };
    let metric = metric::Model {
        id: Uuid::nil(),
        code: "fuzz".to_owned(),
        name: "Fuzzed metric".to_owned(),
        unit,
        direction: Direction::LowerIsBetter,
        domain: MetricDomain::ClinicalOutcome,
        kind,
        definition: "A metric made up by the fuzzer".to_owned(),
        min_value: input.min_value.map(|n| number(n, unit, None)),
        max_value: input.max_value.map(|n| number(n, unit, None)),
        retired_at: None,
        version: 1,
        created_at: Default::default(),
        updated_at: Default::default(),
    };
    let measure = MeasureInput {
        pilot_id: Uuid::nil(),
        metric_id: Uuid::nil(),
        is_primary: input.is_primary,
        time_frame: input
            .time_frame
            .clone()
            .unwrap_or_else(|| "12 weeks".to_owned()),
        comparator: if input.concurrent_control {
            Comparator::ConcurrentControl
        } else {
            Comparator::BeforeAfter
        },
        baseline: observation(&input.baseline, unit),
        result: observation(&input.result, unit),
        target: input.target.map(|n| number(n, unit, None)),
    };

    if check_against(&metric, &measure).is_err() {
        return;
    }

    // What acceptance promises, checked independently.
    let (low, high) = unit.plausible_range();
    for obs in [&measure.baseline, &measure.result] {
        assert!(
            obs.value.is_finite() && obs.value >= low && obs.value <= high,
            "accepted a value outside {low}..={high}: {measure:?} for {metric:?}"
        );
        if let Some(n) = obs.n {
            assert!(n >= 1, "accepted a sample size below 1: {measure:?}");
        }
        match kind {
            MetricKind::Continuous => {
                assert!(
                    obs.events.is_none(),
                    "accepted events for a continuous metric"
                );
                if let Some(sd) = obs.sd {
                    assert!(sd.is_finite() && sd > 0.0, "accepted SD {sd}: {measure:?}");
                }
            }
            MetricKind::Binary => {
                assert!(obs.sd.is_none(), "accepted an SD for a binary metric");
                if let (Some(events), Some(n)) = (obs.events, obs.n) {
                    assert!((0..=n).contains(&events), "accepted {events} events of {n}");
                }
            }
        }
    }

    let measures: &[EffectMeasure] = match kind {
        MetricKind::Continuous => &[EffectMeasure::Md, EffectMeasure::Smd],
        MetricKind::Binary => &[EffectMeasure::Rr, EffectMeasure::Or, EffectMeasure::Rd],
    };
    let (result, baseline) = (arm(&measure.result), arm(&measure.baseline));
    for &effect_measure in measures {
        let Ok(effect) = effect_size(effect_measure, &result, &baseline) else {
            continue;
        };
        assert!(
            effect.is_weighable() && effect.v > 0.0,
            "{effect_measure:?} gave an unweighable effect {effect:?} from {result:?} vs {baseline:?}"
        );
        // An ordinary second pilot on the same scale.
        let ordinary = if effect_measure.is_ratio() {
            Effect { y: -0.2, v: 0.04 }
        } else {
            Effect { y: 1.5, v: 0.8 }
        };
        for effects in [vec![effect, ordinary], vec![effect, effect, ordinary]] {
            for method in [Method::Reml, Method::Dl] {
                if let Some(pooled) = pool(&effects, method) {
                    assert_sound(&pooled, &effects);
                    let _ = pooled.reported(|x| effect_measure.to_reporting(x));
                }
            }
        }
    }
});
