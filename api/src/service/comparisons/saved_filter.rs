//! The pilot filter as a saved comparison keeps it, in the `comparisons.filter` JSON column.
//!
//! This is a storage format, apart from the domain's [`PilotFilter`]: its field names are fixed
//! for each version (`"v"`), so renaming or reshaping the domain filter cannot break rows saved
//! before. A change to the format is a new version with its own reader here, and the readers
//! of older versions stay. Rows saved before the format had a version carry no `"v"`; they are
//! version 1, whose field names are the ones they were written with.

use chrono::NaiveDate;
use sea_orm::prelude::Uuid;
use serde::{Deserialize, Serialize};

use crate::model::{
    CareSetting, EsfTier, EvaluationDesign, PilotStatus, Region, Specialty, Standard,
    TechnologyCategory, Visibility,
};
use crate::service::pilots::PilotFilter;

/// The version [`to_json`] writes.
pub const VERSION: u64 = 1;

/// Version 1 of the stored filter. Never rename, retype or remove a field: add a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct StoredPilotFilterV1 {
    v: u64,
    technology_id: Option<Uuid>,
    host_organisation_id: Option<Uuid>,
    status: Option<PilotStatus>,
    care_setting: Option<CareSetting>,
    specialty: Option<Specialty>,
    design: Option<EvaluationDesign>,
    region: Option<Region>,
    visibility: Option<Visibility>,
    started_on_or_after: Option<NaiveDate>,
    started_on_or_before: Option<NaiveDate>,
    category: Option<TechnologyCategory>,
    esf_tier: Option<EsfTier>,
    standard: Option<Standard>,
    /// Added within version 1: rows written before it lack it, and read as unset, which is
    /// what they meant.
    primary_care: Option<bool>,
}

impl Default for StoredPilotFilterV1 {
    /// An empty filter; a field a row leaves out is unset, and a missing version is 1.
    fn default() -> Self {
        StoredPilotFilterV1::from(&PilotFilter::default())
    }
}

impl From<&PilotFilter> for StoredPilotFilterV1 {
    fn from(f: &PilotFilter) -> Self {
        Self {
            v: 1,
            technology_id: f.technology_id,
            host_organisation_id: f.host_organisation_id,
            status: f.status,
            care_setting: f.care_setting,
            specialty: f.specialty,
            design: f.design,
            region: f.region,
            visibility: f.visibility,
            started_on_or_after: f.started_on_or_after,
            started_on_or_before: f.started_on_or_before,
            category: f.category,
            esf_tier: f.esf_tier,
            standard: f.standard,
            primary_care: f.primary_care,
        }
    }
}

impl From<StoredPilotFilterV1> for PilotFilter {
    fn from(s: StoredPilotFilterV1) -> Self {
        Self {
            technology_id: s.technology_id,
            host_organisation_id: s.host_organisation_id,
            status: s.status,
            care_setting: s.care_setting,
            specialty: s.specialty,
            design: s.design,
            region: s.region,
            visibility: s.visibility,
            started_on_or_after: s.started_on_or_after,
            started_on_or_before: s.started_on_or_before,
            category: s.category,
            esf_tier: s.esf_tier,
            standard: s.standard,
            primary_care: s.primary_care,
        }
    }
}

/// A stored filter that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum SavedFilterError {
    #[error("a saved comparison's filter is not version {version} of the stored format")]
    Malformed {
        version: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("a saved comparison's filter has version {0:?}, which this build cannot read")]
    UnknownVersion(serde_json::Value),
}

/// The filter as the comparisons table keeps it, in the current version.
pub fn to_json(filter: &PilotFilter) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(StoredPilotFilterV1::from(filter))
}

/// Reads a stored filter of any version this build knows; no `"v"` is version 1.
pub fn from_json(stored: &serde_json::Value) -> Result<PilotFilter, SavedFilterError> {
    let version = match stored.get("v") {
        None => 1,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| SavedFilterError::UnknownVersion(v.clone()))?,
    };
    match version {
        1 => serde_json::from_value::<StoredPilotFilterV1>(stored.clone())
            .map(PilotFilter::from)
            .map_err(|source| SavedFilterError::Malformed { version, source }),
        _ => Err(SavedFilterError::UnknownVersion(version.into())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn every_field() -> PilotFilter {
        PilotFilter {
            technology_id: Some(Uuid::from_u128(1)),
            host_organisation_id: Some(Uuid::from_u128(2)),
            status: Some(PilotStatus::ScaledUp),
            care_setting: Some(CareSetting::UrgentAndEmergency),
            specialty: Some(Specialty::MentalHealth),
            design: Some(EvaluationDesign::SteppedWedge),
            region: Some(Region::NorthEastAndYorkshire),
            visibility: Some(Visibility::Nhs),
            started_on_or_after: NaiveDate::from_ymd_opt(2024, 4, 1),
            started_on_or_before: NaiveDate::from_ymd_opt(2025, 3, 31),
            category: Some(TechnologyCategory::AiDiagnostics),
            esf_tier: Some(EsfTier::B),
            standard: Some(Standard::FhirR4UkCore),
            primary_care: Some(true),
        }
    }

    /// Version 1 as written: the names and spellings saved rows hold. If this test has to
    /// change, the change needs a new version instead.
    fn every_field_v1() -> serde_json::Value {
        json!({
            "v": 1,
            "technology_id": "00000000-0000-0000-0000-000000000001",
            "host_organisation_id": "00000000-0000-0000-0000-000000000002",
            "status": "scaled_up",
            "care_setting": "urgent_and_emergency",
            "specialty": "mental_health",
            "design": "stepped_wedge",
            "region": "north_east_and_yorkshire",
            "visibility": "nhs",
            "started_on_or_after": "2024-04-01",
            "started_on_or_before": "2025-03-31",
            "category": "ai_diagnostics",
            "esf_tier": "b",
            "standard": "fhir_r4_uk_core",
            "primary_care": true,
        })
    }

    type Outcome = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn a_filter_is_stored_as_version_1() -> Outcome {
        let stored = to_json(&every_field())?;
        assert_eq!(stored, every_field_v1());
        assert_eq!(from_json(&stored)?, every_field());
        Ok(())
    }

    #[test]
    fn a_row_saved_before_versions_reads_as_version_1() -> Outcome {
        let mut unversioned = every_field_v1();
        if let Some(fields) = unversioned.as_object_mut() {
            fields.remove("v");
        }
        assert_eq!(from_json(&unversioned)?, every_field());

        // Rows written by the unversioned code held every field, unset ones as null.
        let sparse = json!({
            "technology_id": null, "host_organisation_id": null, "status": "live",
            "care_setting": null, "specialty": null, "design": null, "region": "london",
            "visibility": null, "started_on_or_after": null, "started_on_or_before": null,
            "category": null, "esf_tier": null, "standard": null,
        });
        assert_eq!(
            from_json(&sparse)?,
            PilotFilter {
                status: Some(PilotStatus::Live),
                region: Some(Region::London),
                ..PilotFilter::default()
            }
        );
        assert_eq!(from_json(&json!({}))?, PilotFilter::default());
        Ok(())
    }

    #[test]
    fn an_unknown_or_broken_row_is_an_error_not_an_empty_filter() {
        assert!(matches!(
            from_json(&json!({ "v": 2, "status": "live" })),
            Err(SavedFilterError::UnknownVersion(_))
        ));
        assert!(matches!(
            from_json(&json!({ "v": "one" })),
            Err(SavedFilterError::UnknownVersion(_))
        ));
        assert!(matches!(
            from_json(&json!({ "status": "no_such_status" })),
            Err(SavedFilterError::Malformed { version: 1, .. })
        ));
    }
}
