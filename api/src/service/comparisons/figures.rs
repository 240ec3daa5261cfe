//! From a comparison's inputs to its figures: each pilot's effect, the exclusions with their
//! reasons, the pooled estimate, the subgroups and the test for subgroup differences. Pure, so
//! a saved comparison's figures are recomputed from its stored inputs exactly as they were.

use sea_orm::prelude::Uuid;
use serde::{Deserialize, Serialize};

use crate::error::{ServiceError, ServiceResult};
use crate::evidence::{self, Arm, Effect, Pooled, SubgroupTest};
use crate::model::{
    CareSetting, Comparator, EffectMeasure, EsfTier, EvaluationDesign, PoolingMethod, Region,
    SubgroupBy, Visibility,
};

/// One side of a measure, as used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub value: f64,
    pub n: Option<i32>,
    pub sd: Option<f64>,
    pub events: Option<i32>,
}

impl From<Observation> for Arm {
    fn from(o: Observation) -> Self {
        Arm {
            value: o.value,
            n: o.n,
            sd: o.sd,
            events: o.events,
        }
    }
}

/// What a pilot can be grouped by, recorded with its values so saved subgroups stay put.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attributes {
    pub care_setting: CareSetting,
    pub primary_care: bool,
    pub design: EvaluationDesign,
    pub esf_tier: Option<EsfTier>,
    pub region: Option<Region>,
    pub comparator: Comparator,
}

impl Attributes {
    /// The subgroup this pilot falls in, as people read it.
    pub fn subgroup(&self, by: SubgroupBy) -> String {
        match by {
            SubgroupBy::CareSetting => self.care_setting.label().to_owned(),
            SubgroupBy::CareLevel if self.primary_care => "Primary care".to_owned(),
            SubgroupBy::CareLevel => "Secondary and other care".to_owned(),
            SubgroupBy::Design => self.design.label().to_owned(),
            SubgroupBy::EsfTier => self
                .esf_tier
                .map_or("No evidence tier recorded", EsfTier::label)
                .to_owned(),
            SubgroupBy::Region => self
                .region
                .map_or("No region recorded", Region::label)
                .to_owned(),
            SubgroupBy::Comparator => self.comparator.label().to_owned(),
        }
    }
}

/// One pilot's measure on the metric, with everything the figures need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub pilot_id: Uuid,
    pub pilot_title: String,
    pub host_name: String,
    pub visibility: Visibility,
    pub measure_id: Uuid,
    pub measure_version: i32,
    pub time_frame: String,
    pub baseline: Observation,
    pub result: Observation,
    pub attributes: Attributes,
}

/// A pilot in the comparison: its effect on the reporting scale (ratios as ratios), its
/// standard error on the analysis scale, and its weight in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotEffect {
    pub input: Input,
    pub effect: f64,
    pub se: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    pub weight_fixed: f64,
    pub weight_random: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Excluded {
    pub input: Input,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subgroup {
    pub key: String,
    pub k: usize,
    /// `None` for a subgroup of one pilot.
    pub pooled: Option<Pooled>,
}

/// The figures of one comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Figured {
    pub pilots: Vec<PilotEffect>,
    pub excluded: Vec<Excluded>,
    /// `None` when fewer than two pilots can be pooled.
    pub pooled: Option<Pooled>,
    pub subgroups: Vec<Subgroup>,
    pub subgroup_test: Option<SubgroupTest>,
}

/// Longest the figures of one comparison may take. Pooling is bounded (every loop has a cap),
/// so this is a backstop: whatever the inputs, a request is answered and its worker freed.
const FIGURING_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// [`figure`], [`bounded`].
pub async fn figure_bounded(
    inputs: Vec<Input>,
    measure: EffectMeasure,
    method: PoolingMethod,
    subgroup_by: Option<SubgroupBy>,
) -> ServiceResult<Figured> {
    bounded(move || figure(&inputs, measure, method, subgroup_by)).await
}

/// Figuring on the blocking pool, off the async workers that answer requests, within
/// [`FIGURING_DEADLINE`].
pub async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ServiceResult<T> {
    match tokio::time::timeout(FIGURING_DEADLINE, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(figured)) => Ok(figured),
        Ok(Err(failed)) => Err(ServiceError::Internal(Box::new(failed))),
        Err(_) => {
            tracing::error!("figuring a comparison passed its deadline");
            Err(ServiceError::TimedOut("the comparison"))
        }
    }
}

/// Computes every figure from the inputs, in the inputs' order.
pub fn figure(
    inputs: &[Input],
    measure: EffectMeasure,
    method: PoolingMethod,
    subgroup_by: Option<SubgroupBy>,
) -> Figured {
    let mut included: Vec<(Input, Effect)> = Vec::new();
    let mut excluded = Vec::new();
    for input in inputs {
        match evidence::effect_size(measure, &input.result.into(), &input.baseline.into()) {
            Ok(effect) => included.push((input.clone(), effect)),
            Err(reason) => excluded.push(Excluded {
                input: input.clone(),
                reason: reason.to_string(),
            }),
        }
    }
    let effects: Vec<Effect> = included.iter().map(|(_, e)| *e).collect();
    let pooled = evidence::pool(&effects, method);
    if pooled.is_none() && effects.len() >= 2 {
        // Every included effect is weighable, so this is a defect in the maths, not the data.
        tracing::error!(
            k = effects.len(),
            "pooling weighable effects gave no finite estimate"
        );
    }
    let pilots = included
        .iter()
        .enumerate()
        .map(|(i, (input, effect))| {
            let (lower, upper) = effect.ci95();
            let (weight_fixed, weight_random) = pooled.as_ref().map_or((100.0, 100.0), |p| {
                (p.weights_fixed[i], p.weights_random[i])
            });
            PilotEffect {
                input: input.clone(),
                effect: measure.to_reporting(effect.y),
                se: effect.se(),
                ci_lower: measure.to_reporting(lower),
                ci_upper: measure.to_reporting(upper),
                weight_fixed,
                weight_random,
            }
        })
        .collect();

    let (subgroups, subgroup_test) = match subgroup_by {
        Some(by) => subgroups_of(&included, by, measure, method),
        None => (Vec::new(), None),
    };
    Figured {
        pilots,
        excluded,
        pooled: pooled.map(|p| p.reported(|x| measure.to_reporting(x))),
        subgroups,
        subgroup_test,
    }
}

/// The pooled estimate alone (on the reporting scale) and how many inputs could be weighed:
/// the figures of a summary, without each pilot's.
pub fn pooled_only(
    inputs: &[Input],
    measure: EffectMeasure,
    method: PoolingMethod,
) -> (usize, Option<Pooled>) {
    let effects: Vec<Effect> = inputs
        .iter()
        .filter_map(|i| evidence::effect_size(measure, &i.result.into(), &i.baseline.into()).ok())
        .collect();
    let pooled = evidence::pool(&effects, method).map(|p| p.reported(|x| measure.to_reporting(x)));
    (effects.len(), pooled)
}

/// Each subgroup pooled on its own, in order of first appearance, and the test for
/// differences between them (on each subgroup's random-effects estimate; a subgroup of one
/// enters with its pilot's own effect).
fn subgroups_of(
    included: &[(Input, Effect)],
    by: SubgroupBy,
    measure: EffectMeasure,
    method: PoolingMethod,
) -> (Vec<Subgroup>, Option<SubgroupTest>) {
    let mut groups: Vec<(String, Vec<Effect>)> = Vec::new();
    for (input, effect) in included {
        let key = input.attributes.subgroup(by);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, effects)) => effects.push(*effect),
            None => groups.push((key, vec![*effect])),
        }
    }
    let mut subgroups = Vec::with_capacity(groups.len());
    let mut estimates = Vec::with_capacity(groups.len());
    for (key, effects) in groups {
        let pooled = evidence::pool(&effects, method);
        match (&pooled, effects.first()) {
            (Some(p), _) => estimates.push((p.random_estimate, p.random_se)),
            (None, Some(only)) => estimates.push((only.y, only.se())),
            (None, None) => {}
        }
        subgroups.push(Subgroup {
            key,
            k: effects.len(),
            pooled: pooled.map(|p| p.reported(|x| measure.to_reporting(x))),
        });
    }
    (subgroups, evidence::subgroup_test(&estimates))
}
