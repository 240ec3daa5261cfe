//! Evidence across pilots: per-pilot effect sizes and their inverse-variance pooling.
//!
//! [`effect_size`] turns a pilot's result and baseline arms into an effect on the analysis
//! scale (log for ratios) with its sampling variance, or an [`Exclusion`] saying in plain
//! English why it cannot. [`pool()`] combines two or more effects (fixed effect, random
//! effects by REML or DerSimonian–Laird, heterogeneity, HKSJ and prediction intervals) and
//! [`subgroup_test()`] compares subgroups' pooled estimates. [`interval`] gives one side's
//! own 95% interval (a mean's, or a proportion's by Wilson), for showing a pilot's figures.
//! [`rate_pilot`] gives each pilot its evidence rating (strong, moderate, suggestive) by one
//! rule. The methods, the rule and their references are in `docs/evidence.md`.

pub mod effect;
pub mod interval;
pub mod pool;
pub mod rating;

pub use effect::{Arm, Effect, EffectMeasure, Exclusion, Side, effect_size};
pub use interval::{Interval, side_interval};
pub use pool::{Method, Pooled, SubgroupTest, pool, subgroup_test};
pub use rating::{RatingInputs, rate, rate_pilot};

#[cfg(test)]
mod tests;
