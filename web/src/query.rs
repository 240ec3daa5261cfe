//! Query-string forms of the services' filters: the parameter names and spellings of
//! bookmarkable URLs (`?care_setting=community&started_on_or_after=2024-04-01`). They are kept
//! apart from the domain types, so a change to a service filter cannot quietly change or break
//! a URL someone saved.

use registry_api::model::{
    CareSetting, EsfTier, EvaluationDesign, PilotStatus, Region, Specialty, Standard,
    TechnologyCategory, Visibility,
};
use registry_api::service::pilots::PilotFilter;
use sea_orm::prelude::{Date, Uuid};
use serde::Deserialize;

/// The pilot filter as query parameters, every one optional; values in the closed lists'
/// stored spelling.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PilotFilterParams {
    technology_id: Option<Uuid>,
    host_organisation_id: Option<Uuid>,
    status: Option<PilotStatus>,
    care_setting: Option<CareSetting>,
    specialty: Option<Specialty>,
    design: Option<EvaluationDesign>,
    region: Option<Region>,
    visibility: Option<Visibility>,
    started_on_or_after: Option<Date>,
    started_on_or_before: Option<Date>,
    category: Option<TechnologyCategory>,
    esf_tier: Option<EsfTier>,
    standard: Option<Standard>,
}

impl From<PilotFilterParams> for PilotFilter {
    fn from(p: PilotFilterParams) -> Self {
        Self {
            technology_id: p.technology_id,
            host_organisation_id: p.host_organisation_id,
            status: p.status,
            care_setting: p.care_setting,
            specialty: p.specialty,
            design: p.design,
            region: p.region,
            visibility: p.visibility,
            started_on_or_after: p.started_on_or_after,
            started_on_or_before: p.started_on_or_before,
            category: p.category,
            esf_tier: p.esf_tier,
            standard: p.standard,
        }
    }
}
