//! Which pilots a list, count or comparison covers: the filter, and the condition it becomes.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, Iterable, prelude::Uuid, sea_query::Query};

use crate::actor::Actor;
use crate::model::{
    CareSetting, EsfTier, EvaluationDesign, OrganisationKind, PilotStatus, Region, Specialty,
    Standard, TechnologyCategory, Visibility, organisation, pilot, technology, technology_standard,
};
use crate::service::access;

/// Which pilots a list, count or comparison covers (always within what the actor may read).
/// This is the domain's filter: the web's query string and a saved comparison's stored JSON
/// are forms of their own (`registry_web`'s `query`, `comparisons::saved_filter`), so this one
/// can change without breaking bookmarked URLs or saved rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PilotFilter {
    pub technology_id: Option<Uuid>,
    pub host_organisation_id: Option<Uuid>,
    pub status: Option<PilotStatus>,
    pub care_setting: Option<CareSetting>,
    pub specialty: Option<Specialty>,
    pub design: Option<EvaluationDesign>,
    pub region: Option<Region>,
    pub visibility: Option<Visibility>,
    pub started_on_or_after: Option<NaiveDate>,
    pub started_on_or_before: Option<NaiveDate>,
    /// The tested technology's category, evidence tier and a standard it supports.
    pub category: Option<TechnologyCategory>,
    pub esf_tier: Option<EsfTier>,
    pub standard: Option<Standard>,
    /// Hosted in primary care (GP practices and primary care networks), or elsewhere.
    pub primary_care: Option<bool>,
}

/// The filter as a condition, always narrowed to what the actor may read.
pub fn condition(actor: &Actor, filter: &PilotFilter) -> Condition {
    let mut condition = Condition::all().add(access::readable_pilots(actor));
    if let Some(id) = filter.technology_id {
        condition = condition.add(pilot::Column::TechnologyId.eq(id));
    }
    if let Some(id) = filter.host_organisation_id {
        condition = condition.add(pilot::Column::HostOrganisationId.eq(id));
    }
    if let Some(status) = filter.status {
        condition = condition.add(pilot::Column::Status.eq(status));
    }
    if let Some(setting) = filter.care_setting {
        condition = condition.add(pilot::Column::CareSetting.eq(setting));
    }
    if let Some(specialty) = filter.specialty {
        condition = condition.add(pilot::Column::Specialty.eq(specialty));
    }
    if let Some(design) = filter.design {
        condition = condition.add(pilot::Column::Design.eq(design));
    }
    if let Some(visibility) = filter.visibility {
        condition = condition.add(pilot::Column::Visibility.eq(visibility));
    }
    if let Some(from) = filter.started_on_or_after {
        condition = condition.add(pilot::Column::StartDate.gte(from));
    }
    if let Some(to) = filter.started_on_or_before {
        condition = condition.add(pilot::Column::StartDate.lte(to));
    }
    let technology_where = |condition: Condition| {
        pilot::Column::TechnologyId.in_subquery(
            Query::select()
                .column(technology::Column::Id)
                .from(technology::Entity)
                .cond_where(condition)
                .to_owned(),
        )
    };
    if let Some(category) = filter.category {
        condition = condition.add(technology_where(
            Condition::all().add(technology::Column::Category.eq(category)),
        ));
    }
    if let Some(tier) = filter.esf_tier {
        condition = condition.add(technology_where(
            Condition::all().add(technology::Column::EsfTier.eq(tier)),
        ));
    }
    if let Some(standard) = filter.standard {
        condition = condition.add(
            pilot::Column::TechnologyId.in_subquery(
                Query::select()
                    .column(technology_standard::Column::TechnologyId)
                    .from(technology_standard::Entity)
                    .and_where(technology_standard::Column::Standard.eq(standard))
                    .to_owned(),
            ),
        );
    }
    if let Some(primary) = filter.primary_care {
        let kinds = OrganisationKind::iter().filter(|k| k.is_primary_care() == primary);
        condition = condition.add(
            pilot::Column::HostOrganisationId.in_subquery(
                Query::select()
                    .column(organisation::Column::Id)
                    .from(organisation::Entity)
                    .and_where(organisation::Column::Kind.is_in(kinds))
                    .to_owned(),
            ),
        );
    }
    if let Some(region) = filter.region {
        condition = condition.add(
            pilot::Column::HostOrganisationId.in_subquery(
                Query::select()
                    .column(organisation::Column::Id)
                    .from(organisation::Entity)
                    .and_where(organisation::Column::Region.eq(region))
                    .to_owned(),
            ),
        );
    }
    condition
}
