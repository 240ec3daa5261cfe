//! Inverse-variance pooling of pilots' effects: fixed effect, random effects (REML or
//! DerSimonian–Laird), heterogeneity with its uncertainty, HKSJ and prediction intervals.
//!
//! Everything here is on the analysis scale (log for ratios); see `docs/evidence.md`.

use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};

use super::effect::{Effect, z_975};

/// How the between-pilot variance τ² is estimated: REML (Viechtbauer 2005; RevMan's default
/// since 2025) or DerSimonian & Laird (1986).
pub use crate::model::PoolingMethod as Method;

/// Pooled figures, unrounded. [`pool`] gives every figure on the analysis scale (log for
/// ratios); [`Pooled::reported`] moves estimates and interval bounds to the reporting scale,
/// as the API and the pages show them, leaving standard errors, τ², τ, Q, I² (in percent) and
/// H² as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooled {
    pub k: usize,
    pub fixed_estimate: f64,
    pub fixed_se: f64,
    pub fixed_ci_lower: f64,
    pub fixed_ci_upper: f64,
    /// Cochran's Q.
    pub q: f64,
    pub q_df: usize,
    pub q_p_value: f64,
    pub tau2: f64,
    /// Q-profile 95% interval for τ².
    pub tau2_ci_lower: f64,
    pub tau2_ci_upper: f64,
    pub tau: f64,
    pub i2: f64,
    pub i2_ci_lower: f64,
    pub i2_ci_upper: f64,
    pub h2: f64,
    pub random_estimate: f64,
    pub random_se: f64,
    pub random_ci_lower: f64,
    pub random_ci_upper: f64,
    /// Hartung–Knapp–Sidik–Jonkman 95% interval.
    pub hksj_ci_lower: f64,
    pub hksj_ci_upper: f64,
    /// 95% prediction interval for a new pilot; null with fewer than three pilots.
    pub prediction_lower: Option<f64>,
    pub prediction_upper: Option<f64>,
    pub method: Method,
    /// Per-pilot weights in percent, in input order.
    pub weights_fixed: Vec<f64>,
    pub weights_random: Vec<f64>,
}

impl Pooled {
    /// Whether every figure is a number (intervals may not be NaN or infinite either).
    fn is_finite(&self) -> bool {
        [
            self.fixed_estimate,
            self.fixed_se,
            self.fixed_ci_lower,
            self.fixed_ci_upper,
            self.q,
            self.q_p_value,
            self.tau2,
            self.tau2_ci_lower,
            self.tau2_ci_upper,
            self.tau,
            self.i2,
            self.i2_ci_lower,
            self.i2_ci_upper,
            self.h2,
            self.random_estimate,
            self.random_se,
            self.random_ci_lower,
            self.random_ci_upper,
            self.hksj_ci_lower,
            self.hksj_ci_upper,
        ]
        .into_iter()
        .chain(self.prediction_lower)
        .chain(self.prediction_upper)
        .chain(self.weights_fixed.iter().copied())
        .chain(self.weights_random.iter().copied())
        .all(f64::is_finite)
    }

    /// Estimates and interval bounds on the reporting scale (`to_reporting`: exp for ratios);
    /// standard errors, τ², τ, Q, I² and H² stay as they are.
    pub fn reported(&self, to_reporting: impl Fn(f64) -> f64) -> Pooled {
        Pooled {
            fixed_estimate: to_reporting(self.fixed_estimate),
            fixed_ci_lower: to_reporting(self.fixed_ci_lower),
            fixed_ci_upper: to_reporting(self.fixed_ci_upper),
            random_estimate: to_reporting(self.random_estimate),
            random_ci_lower: to_reporting(self.random_ci_lower),
            random_ci_upper: to_reporting(self.random_ci_upper),
            hksj_ci_lower: to_reporting(self.hksj_ci_lower),
            hksj_ci_upper: to_reporting(self.hksj_ci_upper),
            prediction_lower: self.prediction_lower.map(&to_reporting),
            prediction_upper: self.prediction_upper.map(&to_reporting),
            ..self.clone()
        }
    }
}

/// Fisher scoring and root finding stop when a step moves τ² by less than this, relative
/// to max(1, τ²) so that outcomes on large scales (e.g. percentage points) still converge.
const TOLERANCE: f64 = 1e-10;
const MAX_ITERATIONS: usize = 1000;
/// Step halvings in one Fisher-scoring step: 2⁻²⁰⁰ of any finite step is below any tolerance.
const MAX_HALVINGS: usize = 200;

/// Pools the pilots' effects.
///
/// None when fewer than 2 effects (k = 1 shows the one pilot and no pooled figure), and
/// also when an effect cannot be weighed ([`Effect::is_weighable`], which every effect from
/// `effect_size` is), or when a figure comes out non-finite all the same: the caller reports
/// the latter, and every loop here has a cap, so pooling always returns.
pub fn pool(effects: &[Effect], method: Method) -> Option<Pooled> {
    let k = effects.len();
    if k < 2 || !effects.iter().all(Effect::is_weighable) {
        return None;
    }
    let pooled = pool_weighable(effects, method)?;
    pooled.is_finite().then_some(pooled)
}

fn pool_weighable(effects: &[Effect], method: Method) -> Option<Pooled> {
    let k = effects.len();
    let df = k - 1;
    let z = z_975();
    let t = StudentsT::new(0.0, 1.0, df as f64).ok()?.inverse_cdf(0.975);
    let chi2 = ChiSquared::new(df as f64).ok()?;

    let fixed = WeightedMean::at(effects, 0.0);
    let q = fixed.q;
    let q_p_value = chi2.sf(q);
    let typical_variance = typical_within_variance(effects);

    let tau2 = match method {
        Method::Dl => dersimonian_laird(effects, q),
        Method::Reml => reml(effects, dersimonian_laird(effects, q)),
    };
    let (i2, h2) = match method {
        // The usual Q-based forms; at the DL estimate they equal the τ²-based ones below.
        Method::Dl => (i2_from_q(q, df), (q / df as f64).max(1.0)),
        Method::Reml => (
            i2_from_tau2(tau2, typical_variance),
            (tau2 + typical_variance) / typical_variance,
        ),
    };
    let (tau2_ci_lower, tau2_ci_upper) = q_profile_interval(effects, &chi2);

    let random = WeightedMean::at(effects, tau2);
    let hksj_se = (random.q / (df as f64 * random.sum_of_weights)).sqrt();
    let prediction_half_width = (k >= 3).then(|| t * (tau2 + random.se.powi(2)).sqrt());

    Some(Pooled {
        k,
        fixed_estimate: fixed.estimate,
        fixed_se: fixed.se,
        fixed_ci_lower: fixed.estimate - z * fixed.se,
        fixed_ci_upper: fixed.estimate + z * fixed.se,
        q,
        q_df: df,
        q_p_value,
        tau2,
        tau2_ci_lower,
        tau2_ci_upper,
        tau: tau2.sqrt(),
        i2,
        i2_ci_lower: i2_from_tau2(tau2_ci_lower, typical_variance),
        i2_ci_upper: i2_from_tau2(tau2_ci_upper, typical_variance),
        h2,
        random_estimate: random.estimate,
        random_se: random.se,
        random_ci_lower: random.estimate - z * random.se,
        random_ci_upper: random.estimate + z * random.se,
        hksj_ci_lower: random.estimate - t * hksj_se,
        hksj_ci_upper: random.estimate + t * hksj_se,
        prediction_lower: prediction_half_width.map(|h| random.estimate - h),
        prediction_upper: prediction_half_width.map(|h| random.estimate + h),
        method,
        weights_fixed: fixed.weights_percent(),
        weights_random: random.weights_percent(),
    })
}

/// The test for subgroup differences: Cochran's Q between subgroups, its degrees of freedom
/// and its p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SubgroupTest {
    pub q: f64,
    pub df: usize,
    pub p_value: f64,
}

/// Test for subgroup differences (as RevMan, on each subgroup's random-effects estimate and SE):
/// Q_between = Σ w_g (μ_g − μ̄)², w_g = 1/SE_g², μ̄ the w-weighted mean, df = G − 1, p from χ².
/// A subgroup with one pilot enters with that pilot's own y and se.
/// None when fewer than 2 subgroups, or when a subgroup's estimate or SE is unusable.
pub fn subgroup_test(groups: &[(f64, f64)]) -> Option<SubgroupTest> {
    let usable = |&(estimate, se): &(f64, f64)| estimate.is_finite() && se.is_finite() && se > 0.0;
    if groups.len() < 2 || !groups.iter().all(usable) {
        return None;
    }
    let as_effects: Vec<Effect> = groups
        .iter()
        .map(|&(estimate, se)| Effect {
            y: estimate,
            v: se.powi(2),
        })
        .collect();
    let q = WeightedMean::at(&as_effects, 0.0).q;
    let df = groups.len() - 1;
    let p_value = ChiSquared::new(df as f64).ok()?.sf(q);
    Some(SubgroupTest { q, df, p_value })
}

/// The inverse-variance weighted mean of the effects with τ² added to each variance
/// (τ² = 0 gives the fixed-effect mean), with the quantities built from its weights.
struct WeightedMean {
    weights: Vec<f64>,
    sum_of_weights: f64,
    estimate: f64,
    se: f64,
    /// Σ w (y − estimate)²: Cochran's Q at τ² = 0, the generalised Q otherwise.
    q: f64,
}

impl WeightedMean {
    fn at(effects: &[Effect], tau2: f64) -> Self {
        let weights: Vec<f64> = effects.iter().map(|e| 1.0 / (e.v + tau2)).collect();
        let sum_of_weights: f64 = weights.iter().sum();
        let estimate = weighted_sum(&weights, effects, |e| e.y) / sum_of_weights;
        let q = weighted_sum(&weights, effects, |e| (e.y - estimate).powi(2));
        Self {
            se: sum_of_weights.sqrt().recip(),
            weights,
            sum_of_weights,
            estimate,
            q,
        }
    }

    fn weights_percent(&self) -> Vec<f64> {
        self.weights
            .iter()
            .map(|w| 100.0 * w / self.sum_of_weights)
            .collect()
    }
}

fn weighted_sum(weights: &[f64], effects: &[Effect], f: impl Fn(&Effect) -> f64) -> f64 {
    weights.iter().zip(effects).map(|(w, e)| w * f(e)).sum()
}

/// The "typical" within-pilot variance s² = (k−1)·Σw / ((Σw)² − Σw²) (Higgins & Thompson
/// 2002), against which τ² is expressed as I² and H².
fn typical_within_variance(effects: &[Effect]) -> f64 {
    let weights: Vec<f64> = effects.iter().map(|e| 1.0 / e.v).collect();
    let sum: f64 = weights.iter().sum();
    let sum_of_squares: f64 = weights.iter().map(|w| w * w).sum();
    (effects.len() - 1) as f64 * sum / (sum * sum - sum_of_squares)
}

/// I² = 100·(Q − df)/Q, floored at 0 (Higgins & Thompson 2002).
fn i2_from_q(q: f64, df: usize) -> f64 {
    let df = df as f64;
    if q > df { 100.0 * (q - df) / q } else { 0.0 }
}

/// I² = 100·τ²/(τ² + s²): the share of total variance that is between pilots.
fn i2_from_tau2(tau2: f64, typical_variance: f64) -> f64 {
    100.0 * tau2 / (tau2 + typical_variance)
}

/// τ² = max(0, (Q − df) / (Σw − Σw²/Σw)) (DerSimonian & Laird 1986).
fn dersimonian_laird(effects: &[Effect], q: f64) -> f64 {
    let weights: Vec<f64> = effects.iter().map(|e| 1.0 / e.v).collect();
    let sum: f64 = weights.iter().sum();
    let sum_of_squares: f64 = weights.iter().map(|w| w * w).sum();
    let df = (effects.len() - 1) as f64;
    ((q - df) / (sum - sum_of_squares / sum)).max(0.0)
}

/// REML τ² by Fisher scoring (Viechtbauer 2005, as in metafor's `rma`), started from `start`.
///
/// Each step is truncated at 0, since a variance cannot be negative, and halved while it
/// would lower the restricted likelihood, so the iteration cannot overshoot and diverge.
/// As in metafor, τ² = 0 is taken instead if the likelihood is higher there (the
/// iteration can settle on a local maximum when the global one is on the boundary).
fn reml(effects: &[Effect], start: f64) -> f64 {
    let mut tau2 = start.max(0.0);
    let mut likelihood = restricted_log_likelihood(effects, tau2);
    for _ in 0..MAX_ITERATIONS {
        let mut step = fisher_scoring_step(effects, tau2);
        if !step.is_finite() || !likelihood.is_finite() {
            break;
        }
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let next = (tau2 + step).max(0.0);
            let next_likelihood = restricted_log_likelihood(effects, next);
            let precision_floor = 1e-12 * likelihood.abs().max(1.0);
            if next_likelihood >= likelihood - precision_floor || step.abs() < f64::EPSILON {
                accepted = Some((next, next_likelihood));
                break;
            }
            step /= 2.0;
        }
        let Some((next, next_likelihood)) = accepted else {
            break;
        };
        let converged = (next - tau2).abs() <= TOLERANCE * tau2.max(1.0);
        tau2 = next;
        likelihood = next_likelihood;
        if converged {
            break;
        }
    }
    if restricted_log_likelihood(effects, 0.0) > likelihood {
        0.0
    } else {
        tau2
    }
}

/// Intercept-only form of metafor's (y'PPy − tr P) / tr(PP), with P = W − w w'/Σw.
fn fisher_scoring_step(effects: &[Effect], tau2: f64) -> f64 {
    let mean = WeightedMean::at(effects, tau2);
    let w = &mean.weights;
    let sum = mean.sum_of_weights;
    let sum_squares: f64 = w.iter().map(|w| w.powi(2)).sum();
    let sum_cubes: f64 = w.iter().map(|w| w.powi(3)).sum();
    let y_pp_y = weighted_sum(
        &w.iter().map(|w| w.powi(2)).collect::<Vec<_>>(),
        effects,
        |e| (e.y - mean.estimate).powi(2),
    );
    let trace_p = sum - sum_squares / sum;
    let trace_pp = sum_squares - 2.0 * sum_cubes / sum + (sum_squares / sum).powi(2);
    (y_pp_y - trace_p) / trace_pp
}

/// The restricted log-likelihood of τ², up to a constant.
fn restricted_log_likelihood(effects: &[Effect], tau2: f64) -> f64 {
    let mean = WeightedMean::at(effects, tau2);
    let log_variances: f64 = effects.iter().map(|e| (e.v + tau2).ln()).sum();
    -0.5 * (log_variances + mean.sum_of_weights.ln() + mean.q)
}

/// Q-profile 95% interval for τ² (Viechtbauer 2007): the τ² at which the generalised Q
/// equals χ²'s 97.5% point (lower bound) and 2.5% point (upper bound), each 0 when Q at
/// τ² = 0 is already below its target. Q is decreasing in τ², so bisection finds each root.
fn q_profile_interval(effects: &[Effect], chi2: &ChiSquared) -> (f64, f64) {
    let generalised_q = |tau2: f64| WeightedMean::at(effects, tau2).q;
    let lower = solve_decreasing(generalised_q, chi2.inverse_cdf(0.975));
    let upper = solve_decreasing(generalised_q, chi2.inverse_cdf(0.025));
    (lower, upper)
}

/// The τ² ≥ 0 where a decreasing function reaches `target`, or 0 if it starts below it.
fn solve_decreasing(f: impl Fn(f64) -> f64, target: f64) -> f64 {
    if f(0.0) <= target {
        return 0.0;
    }
    let (mut low, mut high) = (0.0, 1.0);
    let mut doublings = 0;
    while f(high) > target {
        low = high;
        high *= 2.0;
        doublings += 1;
        if doublings > MAX_ITERATIONS {
            return high;
        }
    }
    for _ in 0..MAX_ITERATIONS {
        if high - low <= TOLERANCE * high.max(f64::MIN_POSITIVE) {
            break;
        }
        let middle = low + (high - low) / 2.0;
        if f(middle) > target {
            low = middle;
        } else {
            high = middle;
        }
    }
    low + (high - low) / 2.0
}
