//! The pooled figures of a comparison as the API shows them, built from the evidence module's
//! own types, so the statistics can change shape without changing the schema.

use async_graphql::SimpleObject;

use crate::evidence;
use crate::graphql::enums::PoolingMethod;

/// Pooled figures. Estimates and bounds on the reporting scale (ratios for RR and OR);
/// standard errors, `tau2` and `tau` on the analysis scale (log for ratios); I² in percent;
/// no rounding.
#[derive(Debug, SimpleObject)]
pub struct PooledEstimate {
    k: usize,
    fixed_estimate: f64,
    fixed_se: f64,
    fixed_ci_lower: f64,
    fixed_ci_upper: f64,
    /// Cochran's Q.
    q: f64,
    q_df: usize,
    q_p_value: f64,
    tau2: f64,
    /// Q-profile 95% interval for τ².
    tau2_ci_lower: f64,
    tau2_ci_upper: f64,
    tau: f64,
    i2: f64,
    i2_ci_lower: f64,
    i2_ci_upper: f64,
    h2: f64,
    random_estimate: f64,
    random_se: f64,
    random_ci_lower: f64,
    random_ci_upper: f64,
    /// Hartung–Knapp–Sidik–Jonkman 95% interval.
    hksj_ci_lower: f64,
    hksj_ci_upper: f64,
    /// 95% prediction interval for a new pilot; null with fewer than three pilots.
    prediction_lower: Option<f64>,
    prediction_upper: Option<f64>,
    method: PoolingMethod,
}

impl From<&evidence::Pooled> for PooledEstimate {
    fn from(p: &evidence::Pooled) -> Self {
        Self {
            k: p.k,
            fixed_estimate: p.fixed_estimate,
            fixed_se: p.fixed_se,
            fixed_ci_lower: p.fixed_ci_lower,
            fixed_ci_upper: p.fixed_ci_upper,
            q: p.q,
            q_df: p.q_df,
            q_p_value: p.q_p_value,
            tau2: p.tau2,
            tau2_ci_lower: p.tau2_ci_lower,
            tau2_ci_upper: p.tau2_ci_upper,
            tau: p.tau,
            i2: p.i2,
            i2_ci_lower: p.i2_ci_lower,
            i2_ci_upper: p.i2_ci_upper,
            h2: p.h2,
            random_estimate: p.random_estimate,
            random_se: p.random_se,
            random_ci_lower: p.random_ci_lower,
            random_ci_upper: p.random_ci_upper,
            hksj_ci_lower: p.hksj_ci_lower,
            hksj_ci_upper: p.hksj_ci_upper,
            prediction_lower: p.prediction_lower,
            prediction_upper: p.prediction_upper,
            method: p.method.into(),
        }
    }
}

/// The test for subgroup differences.
#[derive(Debug, SimpleObject)]
pub struct SubgroupTest {
    q: f64,
    df: usize,
    p_value: f64,
}

impl From<evidence::SubgroupTest> for SubgroupTest {
    fn from(t: evidence::SubgroupTest) -> Self {
        Self {
            q: t.q,
            df: t.df,
            p_value: t.p_value,
        }
    }
}
