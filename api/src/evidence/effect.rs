//! One pilot's effect: the result arm compared with the baseline arm on a chosen measure.
//!
//! Formulas follow RevMan / the Cochrane Handbook (chapter 6) so that figures can be
//! checked against a Cochrane review by hand; see `docs/evidence.md`.

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal};

/// How two arms are compared (the registry's closed list, so the API and the maths share it).
pub use crate::model::EffectMeasure;

impl EffectMeasure {
    /// Ratios are pooled on the log scale, where their sampling distribution is near normal.
    pub fn is_ratio(self) -> bool {
        matches!(self, Self::Rr | Self::Or)
    }

    /// These measures are computed from events out of n, never from the recorded value.
    pub fn needs_binary(self) -> bool {
        matches!(self, Self::Rr | Self::Or | Self::Rd)
    }

    /// From the analysis scale to the reporting scale: exp for ratios, identity otherwise.
    pub fn to_reporting(self, x: f64) -> f64 {
        if self.is_ratio() { x.exp() } else { x }
    }

    /// The value meaning "no effect" on the reporting scale: 1 for ratios, 0 otherwise.
    pub fn no_effect(self) -> f64 {
        if self.is_ratio() { 1.0 } else { 0.0 }
    }

    /// The measure's name with its article, as it reads inside a sentence.
    fn in_a_sentence(self) -> &'static str {
        match self {
            Self::Md => "a mean difference",
            Self::Smd => "a standardised mean difference",
            Self::Rr => "a risk ratio",
            Self::Or => "an odds ratio",
            Self::Rd => "a risk difference",
        }
    }
}

/// One arm as recorded: its value (mean, or proportion for binary), sample size,
/// SD (continuous) or event count (binary).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arm {
    pub value: f64,
    pub n: Option<i32>,
    pub sd: Option<f64>,
    pub events: Option<i32>,
}

/// A pilot's effect on the analysis scale (log for ratios) with its sampling variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    pub y: f64,
    pub v: f64,
}

impl Effect {
    pub fn se(&self) -> f64 {
        self.v.sqrt()
    }

    /// 95% z-interval on the analysis scale.
    pub fn ci95(&self) -> (f64, f64) {
        let half_width = z_975() * self.se();
        (self.y - half_width, self.y + half_width)
    }
}

/// The 97.5% point of the standard normal, for two-sided 95% intervals.
pub(crate) fn z_975() -> f64 {
    Normal::standard().inverse_cdf(0.975)
}

/// Which arm a reason is about, so the reason can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Result,
    Baseline,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Result => "the result",
            Self::Baseline => "the baseline",
        })
    }
}

/// Why a pilot cannot enter a comparison. Pilots are excluded with this reason, never imputed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Exclusion {
    #[error("no sample size for {0}")]
    MissingSampleSize(Side),
    #[error("the sample size for {0} must be at least 1")]
    SampleSizeNotPositive(Side),
    /// Neither arm has an SD: typically a binary metric asked for a mean difference.
    #[error("a standard deviation is needed for {}", .0.in_a_sentence())]
    StandardDeviationNeeded(EffectMeasure),
    #[error("no standard deviation for {0}")]
    MissingStandardDeviation(Side),
    #[error("the standard deviation for {0} must be above 0")]
    StandardDeviationNotPositive(Side),
    #[error("the mean for {0} is not a number")]
    MeanNotFinite(Side),
    #[error("a standardised mean difference needs at least 4 people across both arms")]
    TooFewForSmd,
    /// Neither arm has events: typically a continuous metric asked for a binary measure.
    #[error("events are needed for {}", .0.in_a_sentence())]
    EventsNeeded(EffectMeasure),
    #[error("no event count for {0}")]
    MissingEvents(Side),
    #[error("the event count for {0} must be between 0 and its sample size")]
    EventsOutOfRange(Side),
    #[error("zero events in both arms: a ratio is undefined")]
    NoEventsInEitherArm,
    #[error("every person had the event in both arms: a ratio is undefined")]
    AllEventsInBothArms,
    #[error("risk difference variance is 0 (0% or 100% in both arms)")]
    RiskDifferenceVarianceZero,
    /// The figures give an effect or variance so large or small that weighing it against the
    /// other pilots would overflow; figures recorded before measures were bounded can do this.
    #[error(
        "its figures are too extreme to weigh against other pilots (effect {y:e}, variance {v:e})"
    )]
    TooExtreme { y: f64, v: f64 },
}

/// Effects pooled with others stay within these magnitudes, so that every sum of powers of
/// weights in [`crate::evidence::pool`] stays finite and above the smallest normal float.
const LARGEST_EFFECT: f64 = 1e40;
const VARIANCE_RANGE: (f64, f64) = (1e-80, 1e80);

impl Effect {
    /// Whether the effect can be weighed without overflow or underflow.
    pub fn is_weighable(&self) -> bool {
        self.y.is_finite()
            && self.y.abs() <= LARGEST_EFFECT
            && self.v.is_finite()
            && (VARIANCE_RANGE.0..=VARIANCE_RANGE.1).contains(&self.v)
    }
}

/// The effect of the result against the baseline.
///
/// Subscript 1 = result, 2 = baseline. Never flipped: a positive MD means the result is
/// higher than the baseline, whichever direction counts as better for the metric.
pub fn effect_size(
    measure: EffectMeasure,
    result: &Arm,
    baseline: &Arm,
) -> Result<Effect, Exclusion> {
    let effect = unchecked_effect_size(measure, result, baseline)?;
    if effect.is_weighable() {
        Ok(effect)
    } else {
        Err(Exclusion::TooExtreme {
            y: effect.y,
            v: effect.v,
        })
    }
}

fn unchecked_effect_size(
    measure: EffectMeasure,
    result: &Arm,
    baseline: &Arm,
) -> Result<Effect, Exclusion> {
    let n1 = sample_size(result, Side::Result)?;
    let n2 = sample_size(baseline, Side::Baseline)?;
    if measure.needs_binary() {
        let (e1, e2) = events(measure, (result, n1), (baseline, n2))?;
        let table = TwoByTwo::from_events(e1, n1, e2, n2);
        match measure {
            EffectMeasure::Rr => log_risk_ratio(table),
            EffectMeasure::Or => log_odds_ratio(table),
            _ => risk_difference(table),
        }
    } else {
        let (sd1, sd2) = standard_deviations(measure, result, baseline)?;
        let one = Summary::new(finite_mean(result, Side::Result)?, sd1, n1);
        let two = Summary::new(finite_mean(baseline, Side::Baseline)?, sd2, n2);
        match measure {
            EffectMeasure::Smd => hedges_g(one, two),
            _ => Ok(mean_difference(one, two)),
        }
    }
}

/// A continuous arm once its fields are known to be usable.
#[derive(Clone, Copy)]
struct Summary {
    mean: f64,
    sd: f64,
    n: f64,
}

impl Summary {
    fn new(mean: f64, sd: f64, n: f64) -> Self {
        Self { mean, sd, n }
    }
}

/// Event counts as a 2×2 table: a, b = events and non-events in the result arm;
/// c, d the same in the baseline arm.
#[derive(Clone, Copy)]
struct TwoByTwo {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
}

impl TwoByTwo {
    fn from_events(events_1: f64, n1: f64, events_2: f64, n2: f64) -> Self {
        Self {
            a: events_1,
            b: n1 - events_1,
            c: events_2,
            d: n2 - events_2,
        }
    }

    /// Adds 0.5 to every cell of this pilot's table when any cell is empty (Cochrane
    /// Handbook section 10.4.4; RevMan), so that the log ratio and its variance are finite.
    fn with_zero_cell_correction(self) -> Self {
        let cells = [self.a, self.b, self.c, self.d];
        if cells.contains(&0.0) {
            Self {
                a: self.a + 0.5,
                b: self.b + 0.5,
                c: self.c + 0.5,
                d: self.d + 0.5,
            }
        } else {
            self
        }
    }

    /// A ratio compares nothing when neither arm, or every person in both arms, had the event.
    fn check_ratio_defined(self) -> Result<Self, Exclusion> {
        if self.a == 0.0 && self.c == 0.0 {
            Err(Exclusion::NoEventsInEitherArm)
        } else if self.b == 0.0 && self.d == 0.0 {
            Err(Exclusion::AllEventsInBothArms)
        } else {
            Ok(self)
        }
    }
}

fn sample_size(arm: &Arm, side: Side) -> Result<f64, Exclusion> {
    match arm.n {
        None => Err(Exclusion::MissingSampleSize(side)),
        Some(n) if n < 1 => Err(Exclusion::SampleSizeNotPositive(side)),
        Some(n) => Ok(f64::from(n)),
    }
}

fn events(
    measure: EffectMeasure,
    (result, n1): (&Arm, f64),
    (baseline, n2): (&Arm, f64),
) -> Result<(f64, f64), Exclusion> {
    let in_range = |arm: &Arm, n: f64, side: Side| match arm.events {
        None => Err(Exclusion::MissingEvents(side)),
        Some(e) if e < 0 || f64::from(e) > n => Err(Exclusion::EventsOutOfRange(side)),
        Some(e) => Ok(f64::from(e)),
    };
    if result.events.is_none() && baseline.events.is_none() {
        return Err(Exclusion::EventsNeeded(measure));
    }
    Ok((
        in_range(result, n1, Side::Result)?,
        in_range(baseline, n2, Side::Baseline)?,
    ))
}

fn standard_deviations(
    measure: EffectMeasure,
    result: &Arm,
    baseline: &Arm,
) -> Result<(f64, f64), Exclusion> {
    let positive = |arm: &Arm, side: Side| match arm.sd {
        None => Err(Exclusion::MissingStandardDeviation(side)),
        Some(sd) if sd.is_finite() && sd > 0.0 => Ok(sd),
        Some(_) => Err(Exclusion::StandardDeviationNotPositive(side)),
    };
    if result.sd.is_none() && baseline.sd.is_none() {
        return Err(Exclusion::StandardDeviationNeeded(measure));
    }
    Ok((
        positive(result, Side::Result)?,
        positive(baseline, Side::Baseline)?,
    ))
}

fn finite_mean(arm: &Arm, side: Side) -> Result<f64, Exclusion> {
    if arm.value.is_finite() {
        Ok(arm.value)
    } else {
        Err(Exclusion::MeanNotFinite(side))
    }
}

/// MD = m1 − m2, var = sd1²/n1 + sd2²/n2 (Cochrane Handbook 6.5.1.1).
fn mean_difference(one: Summary, two: Summary) -> Effect {
    Effect {
        y: one.mean - two.mean,
        v: one.sd.powi(2) / one.n + two.sd.powi(2) / two.n,
    }
}

/// Hedges' g with RevMan's approximate small-sample correction J = 1 − 3/(4N − 9) and
/// variance N/(n1·n2) + g²/(2(N − 3.94)) (Hedges 1981; Deeks & Higgins, RevMan methods).
fn hedges_g(one: Summary, two: Summary) -> Result<Effect, Exclusion> {
    let total = one.n + two.n;
    // Below 4 people the pooled SD or the variance's g² term is undefined or negative.
    if total < 4.0 {
        return Err(Exclusion::TooFewForSmd);
    }
    let pooled_variance =
        ((one.n - 1.0) * one.sd.powi(2) + (two.n - 1.0) * two.sd.powi(2)) / (total - 2.0);
    let correction = 1.0 - 3.0 / (4.0 * total - 9.0);
    let g = correction * (one.mean - two.mean) / pooled_variance.sqrt();
    Ok(Effect {
        y: g,
        v: total / (one.n * two.n) + g.powi(2) / (2.0 * (total - 3.94)),
    })
}

/// ln RR, var = 1/a − 1/n1 + 1/c − 1/n2 (n counted after any zero-cell correction).
fn log_risk_ratio(table: TwoByTwo) -> Result<Effect, Exclusion> {
    let TwoByTwo { a, b, c, d } = table.check_ratio_defined()?.with_zero_cell_correction();
    let (n1, n2) = (a + b, c + d);
    Ok(Effect {
        y: ((a / n1) / (c / n2)).ln(),
        v: 1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2,
    })
}

/// ln OR, var = 1/a + 1/b + 1/c + 1/d (Woolf).
fn log_odds_ratio(table: TwoByTwo) -> Result<Effect, Exclusion> {
    let TwoByTwo { a, b, c, d } = table.check_ratio_defined()?.with_zero_cell_correction();
    Ok(Effect {
        y: ((a * d) / (b * c)).ln(),
        v: 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d,
    })
}

/// RD in percentage points, 100·(p1 − p2), var = 10⁴·[p1(1−p1)/n1 + p2(1−p2)/n2];
/// no correction, as in RevMan, so 0% or 100% in both arms leaves nothing to weight by.
fn risk_difference(table: TwoByTwo) -> Result<Effect, Exclusion> {
    let TwoByTwo { a, b, c, d } = table;
    let (n1, n2) = (a + b, c + d);
    let (p1, p2) = (a / n1, c / n2);
    let v = 1.0e4 * (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2);
    if v > 0.0 {
        Ok(Effect {
            y: 100.0 * (p1 - p2),
            v,
        })
    } else {
        Err(Exclusion::RiskDifferenceVarianceZero)
    }
}
