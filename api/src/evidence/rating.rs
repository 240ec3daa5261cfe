//! The evidence rating of a pilot: strong, moderate or suggestive, after the AHRQ Health Care
//! Innovations Exchange's ratings of its innovation profiles. One rule, here and nowhere else;
//! `docs/evidence.md` ("Evidence rating") states it as a table, and a test below checks that
//! table against [`rate`].
//!
//! The rule reads four facts, all recorded with the pilot:
//!
//! - **design**: randomised (RCT, cluster RCT, stepped wedge); controlled (an interrupted time
//!   series, or a before-and-after pilot whose primary measure is against a concurrent control
//!   group); or neither (before and after against the service before, service evaluation,
//!   qualitative, mixed methods);
//! - **size**: the pilot's number of patients, at least [`LARGE_PILOT_PATIENTS`]; unknown
//!   counts as small. The pilot's own figure is used rather than its measures' sample sizes,
//!   which vary by measure and arm and are often left out;
//! - **independence**: whether the evaluator is independent of the team running the pilot.
//!
//! | design | ≥ 100 patients and independent | one of the two | neither |
//! | --- | --- | --- | --- |
//! | randomised | strong | moderate | suggestive |
//! | controlled | moderate | suggestive | suggestive |
//! | other | suggestive | suggestive | suggestive |

use crate::model::{
    Comparator, EvaluationDesign, EvaluatorKind, EvidenceRating, pilot, pilot_measure,
};

/// The fewest patients a pilot needs to count as large enough for a strong or moderate rating.
pub const LARGE_PILOT_PATIENTS: i32 = 100;

/// How strongly a design alone can support a conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignClass {
    /// Allocation by chance: RCT, cluster RCT, stepped wedge.
    Randomised,
    /// Quasi-experimental: an interrupted time series, or before and after against a concurrent
    /// control group.
    Controlled,
    /// Everything else: uncontrolled before and after, service evaluation, qualitative, mixed
    /// methods.
    Other,
}

/// What the rating is derived from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingInputs {
    pub design: EvaluationDesign,
    /// The pilot's number of patients, if recorded.
    pub patients: Option<i32>,
    pub evaluator_kind: EvaluatorKind,
    /// Whether a primary measure compares against a concurrent control group.
    pub concurrent_control: bool,
}

impl RatingInputs {
    /// The inputs of a pilot with the given measures (those of other pilots are ignored).
    pub fn of(pilot: &pilot::Model, measures: &[pilot_measure::Model]) -> Self {
        Self {
            design: pilot.design,
            patients: pilot.patients,
            evaluator_kind: pilot.evaluator_kind,
            concurrent_control: measures.iter().any(|m| {
                m.pilot_id == pilot.id
                    && m.is_primary
                    && m.comparator == Comparator::ConcurrentControl
            }),
        }
    }

    /// The class of the design, with a before-and-after pilot controlled only when its primary
    /// measure is against a concurrent control.
    pub fn design_class(self) -> DesignClass {
        match self.design {
            EvaluationDesign::Rct
            | EvaluationDesign::ClusterRct
            | EvaluationDesign::SteppedWedge => DesignClass::Randomised,
            EvaluationDesign::InterruptedTimeSeries => DesignClass::Controlled,
            EvaluationDesign::BeforeAfter if self.concurrent_control => DesignClass::Controlled,
            EvaluationDesign::BeforeAfter
            | EvaluationDesign::Qualitative
            | EvaluationDesign::MixedMethods
            | EvaluationDesign::ServiceEvaluation => DesignClass::Other,
        }
    }

    /// At least [`LARGE_PILOT_PATIENTS`] patients (unknown is not large).
    pub fn large(self) -> bool {
        self.patients.is_some_and(|n| n >= LARGE_PILOT_PATIENTS)
    }

    pub fn independent(self) -> bool {
        self.evaluator_kind == EvaluatorKind::Independent
    }
}

/// The rating the rule gives (see the module's table).
pub fn rate(inputs: RatingInputs) -> EvidenceRating {
    let met = u8::from(inputs.large()) + u8::from(inputs.independent());
    match (inputs.design_class(), met) {
        (DesignClass::Randomised, 2) => EvidenceRating::Strong,
        (DesignClass::Randomised, 1) | (DesignClass::Controlled, 2) => EvidenceRating::Moderate,
        _ => EvidenceRating::Suggestive,
    }
}

/// The rating of a pilot with its measures.
pub fn rate_pilot(pilot: &pilot::Model, measures: &[pilot_measure::Model]) -> EvidenceRating {
    rate(RatingInputs::of(pilot, measures))
}

#[cfg(test)]
#[expect(
    clippy::expect_used,
    reason = "a test that cannot go on should stop and say why"
)]
mod tests {
    use sea_orm::Iterable;

    use super::*;
    use crate::model::EvaluationDesign as D;
    use crate::model::EvaluatorKind::{Independent, Internal};
    use crate::model::EvidenceRating::{Moderate, Strong, Suggestive};

    fn rated(
        design: D,
        patients: Option<i32>,
        kind: EvaluatorKind,
        control: bool,
    ) -> EvidenceRating {
        rate(RatingInputs {
            design,
            patients,
            evaluator_kind: kind,
            concurrent_control: control,
        })
    }

    const RANDOMISED: [D; 3] = [D::Rct, D::ClusterRct, D::SteppedWedge];
    const OTHER: [D; 4] = [
        D::Qualitative,
        D::MixedMethods,
        D::ServiceEvaluation,
        D::BeforeAfter,
    ];

    #[test]
    fn randomised_large_and_independent_is_strong() {
        for d in RANDOMISED {
            assert_eq!(rated(d, Some(100), Independent, false), Strong, "{d:?}");
            assert_eq!(rated(d, Some(5_000), Independent, true), Strong, "{d:?}");
        }
    }

    #[test]
    fn randomised_missing_one_is_moderate_and_missing_both_suggestive() {
        for d in RANDOMISED {
            assert_eq!(rated(d, Some(99), Independent, false), Moderate, "{d:?}");
            assert_eq!(rated(d, None, Independent, false), Moderate, "{d:?}");
            assert_eq!(rated(d, Some(100), Internal, false), Moderate, "{d:?}");
            assert_eq!(rated(d, Some(99), Internal, true), Suggestive, "{d:?}");
            assert_eq!(rated(d, None, Internal, false), Suggestive, "{d:?}");
        }
    }

    #[test]
    fn controlled_large_and_independent_is_moderate_else_suggestive() {
        for (d, control) in [
            (D::InterruptedTimeSeries, false),
            (D::InterruptedTimeSeries, true),
            (D::BeforeAfter, true),
        ] {
            assert_eq!(rated(d, Some(100), Independent, control), Moderate, "{d:?}");
            assert_eq!(
                rated(d, Some(99), Independent, control),
                Suggestive,
                "{d:?}"
            );
            assert_eq!(rated(d, None, Independent, control), Suggestive, "{d:?}");
            assert_eq!(rated(d, Some(100), Internal, control), Suggestive, "{d:?}");
        }
    }

    #[test]
    fn other_designs_are_suggestive_however_large_or_independent() {
        for d in OTHER {
            assert_eq!(
                rated(d, Some(100_000), Independent, false),
                Suggestive,
                "{d:?}"
            );
        }
        // A concurrent control lifts only a before-and-after pilot.
        for d in [D::Qualitative, D::MixedMethods, D::ServiceEvaluation] {
            assert_eq!(
                rated(d, Some(100_000), Independent, true),
                Suggestive,
                "{d:?}"
            );
        }
    }

    #[test]
    fn every_design_has_a_class() {
        let classes: Vec<DesignClass> = D::iter()
            .map(|design| {
                RatingInputs {
                    design,
                    patients: None,
                    evaluator_kind: Internal,
                    concurrent_control: false,
                }
                .design_class()
            })
            .collect();
        assert_eq!(
            classes
                .iter()
                .filter(|c| **c == DesignClass::Randomised)
                .count(),
            3
        );
        assert_eq!(
            classes
                .iter()
                .filter(|c| **c == DesignClass::Controlled)
                .count(),
            1
        );
        assert_eq!(
            classes.iter().filter(|c| **c == DesignClass::Other).count(),
            4
        );
    }

    fn pilot(design: D) -> pilot::Model {
        let now = chrono::Utc::now();
        pilot::Model {
            id: sea_orm::prelude::Uuid::now_v7(),
            technology_id: sea_orm::prelude::Uuid::now_v7(),
            host_organisation_id: sea_orm::prelude::Uuid::now_v7(),
            title: "Pilot".into(),
            problem: "Problem".into(),
            status: crate::model::PilotStatus::Completed,
            start_date: None,
            end_date: None,
            care_setting: crate::model::CareSetting::Community,
            specialty: crate::model::Specialty::Cardiology,
            population: "Adults".into(),
            patients: Some(150),
            staff: None,
            funding_source: None,
            cost_gbp: None,
            design,
            evaluator_kind: Independent,
            evaluator_name: None,
            contact_name: None,
            contact_email: None,
            visibility: crate::model::Visibility::Public,
            published_at: None,
            withdrawn_at: None,
            withdrawn_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn measure(
        pilot_id: sea_orm::prelude::Uuid,
        primary: bool,
        comparator: Comparator,
    ) -> pilot_measure::Model {
        let now = chrono::Utc::now();
        pilot_measure::Model {
            id: sea_orm::prelude::Uuid::now_v7(),
            pilot_id,
            metric_id: sea_orm::prelude::Uuid::now_v7(),
            is_primary: primary,
            time_frame: "12 months".into(),
            comparator,
            baseline_value: 1.0,
            baseline_n: None,
            baseline_sd: None,
            baseline_events: None,
            baseline_period_start: None,
            baseline_period_end: None,
            result_value: 1.0,
            result_n: None,
            result_sd: None,
            result_events: None,
            result_period_start: None,
            result_period_end: None,
            target: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// Only a primary measure of the pilot itself against a concurrent control makes a
    /// before-and-after pilot controlled.
    #[test]
    fn a_before_and_after_pilot_is_controlled_by_its_primary_concurrent_control() {
        let p = pilot(D::BeforeAfter);
        let other = pilot(D::BeforeAfter);
        assert_eq!(rate_pilot(&p, &[]), Suggestive);
        assert_eq!(
            rate_pilot(&p, &[measure(p.id, true, Comparator::BeforeAfter)]),
            Suggestive
        );
        assert_eq!(
            rate_pilot(&p, &[measure(p.id, false, Comparator::ConcurrentControl)]),
            Suggestive
        );
        assert_eq!(
            rate_pilot(
                &p,
                &[measure(other.id, true, Comparator::ConcurrentControl)]
            ),
            Suggestive
        );
        assert_eq!(
            rate_pilot(
                &p,
                &[
                    measure(p.id, false, Comparator::BeforeAfter),
                    measure(p.id, true, Comparator::ConcurrentControl)
                ]
            ),
            Moderate
        );
        assert_eq!(rate_pilot(&pilot(D::Rct), &[]), Strong);
    }

    /// The table in `docs/evidence.md` says what the code does: each row's design names
    /// map to the ratings in its columns.
    #[test]
    fn the_documented_table_agrees_with_the_rule() {
        let doc = include_str!("../../../docs/evidence.md");
        let section = doc
            .split("## Evidence rating")
            .nth(1)
            .expect("docs/evidence.md has an \"Evidence rating\" section");
        let rows: Vec<Vec<&str>> = section
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter(|l| l.starts_with("| `"))
            .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        let mut seen = 0;
        for row in &rows {
            let [design, both, one, neither] = row[..] else {
                panic!("a rating row has four cells: {row:?}");
            };
            let spelled = design
                .split('`')
                .nth(1)
                .expect("the design cell names a value in backticks");
            let (name, control) = match spelled.strip_suffix(" + CONCURRENT_CONTROL") {
                Some(name) => (name, true),
                None => (spelled, false),
            };
            let design = D::iter()
                .find(|d| d.as_str().eq_ignore_ascii_case(name))
                .unwrap_or_else(|| panic!("{name} is an evaluation design"));
            let label = |r: EvidenceRating| r.as_str().to_owned();
            assert_eq!(
                [both, one, one, neither].map(str::to_lowercase),
                [
                    label(rated(design, Some(100), Independent, control)),
                    label(rated(design, Some(99), Independent, control)),
                    label(rated(design, Some(100), Internal, control)),
                    label(rated(design, None, Internal, control)),
                ],
                "the row for {spelled}"
            );
            seen += 1;
        }
        // Every design once, and before and after twice (with and without a control).
        assert_eq!(seen, D::iter().count() + 1);
    }
}
