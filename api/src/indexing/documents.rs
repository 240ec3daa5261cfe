//! Builds search documents from the database, many at a time, each with the access tokens
//! `service::access` gives its record (a withdrawn record keeps a document that only its own
//! organisation and administrators can find, as they can still read it). A technology's rolled-up facts (how many pilots, where, the best recommendation)
//! come from its public pilots only, so its document, which everyone may find, leaks nothing
//! about drafts or NHS-only pilots.

use std::collections::{BTreeMap, HashMap};

use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::evidence::rate_pilot;
use crate::model::{
    IndexedKind, Recommendation, RevisionStatus, Visibility, metric, organisation, pilot,
    pilot_measure, report_revision, technology,
};
use crate::search::{FacetName, SearchDocument, key};
use crate::service::technologies::{Technology, with_attributes};
use crate::service::{access, sharing};

/// Documents for the given records, and the keys of those that should have none.
pub async fn build(
    db: &impl ConnectionTrait,
    kind: IndexedKind,
    ids: &[Uuid],
) -> Result<(Vec<SearchDocument>, Vec<String>), DbErr> {
    let documents = match kind {
        IndexedKind::Pilot => pilots(db, ids).await?,
        IndexedKind::Technology => technologies(db, ids).await?,
    };
    let deleted = ids
        .iter()
        .map(|id| key(kind, *id))
        .filter(|k| !documents.iter().any(|d| &d.key == k))
        .collect();
    Ok((documents, deleted))
}

/// Spelling of a closed-list value as stored (snake_case).
fn spelled<T: crate::model::Spelling>(value: T) -> String {
    value.as_str().to_owned()
}

fn spelled_all<T: crate::model::Spelling>(values: &[T]) -> Vec<String> {
    values.iter().map(|v| spelled(*v)).collect()
}

/// Ids in bound-parameter-sized chunks, without repeats: a technology can have thousands of
/// pilots, past what one `IN (…)` may hold.
fn chunks(ids: Vec<Uuid>) -> Vec<Vec<Uuid>> {
    let unique: std::collections::BTreeSet<Uuid> = ids.into_iter().collect();
    let unique: Vec<Uuid> = unique.into_iter().collect();
    unique.chunks(1_000).map(<[Uuid]>::to_vec).collect()
}

/// The latest published revision of each pilot.
async fn latest_reports(
    db: &impl ConnectionTrait,
    pilot_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, report_revision::Model>, DbErr> {
    let mut latest = HashMap::new();
    for chunk in chunks(pilot_ids) {
        for revision in report_revision::Entity::find()
            .filter(report_revision::Column::PilotId.is_in(chunk))
            .filter(report_revision::Column::Status.eq(RevisionStatus::Published))
            .order_by_asc(report_revision::Column::Revision)
            .all(db)
            .await?
        {
            latest.insert(revision.pilot_id, revision);
        }
    }
    Ok(latest)
}

async fn organisations_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, organisation::Model>, DbErr> {
    let mut found = HashMap::new();
    for chunk in chunks(ids) {
        for o in organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(chunk))
            .all(db)
            .await?
        {
            found.insert(o.id, o);
        }
    }
    Ok(found)
}

async fn technologies_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Technology>, DbErr> {
    let records = technology::Entity::find()
        .filter(technology::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let loaded = with_attributes(db, records).await?;
    Ok(loaded.into_iter().map(|t| (t.record.id, t)).collect())
}

async fn pilots(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<SearchDocument>, DbErr> {
    let pilots = pilot::Entity::find()
        .filter(pilot::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let technologies =
        technologies_by_id(db, pilots.iter().map(|p| p.technology_id).collect()).await?;
    let hosts =
        organisations_by_id(db, pilots.iter().map(|p| p.host_organisation_id).collect()).await?;
    let reports = latest_reports(db, pilots.iter().map(|p| p.id).collect()).await?;
    let shared = sharing::organisations_of(db, ids.to_vec()).await?;
    let metric_names: HashMap<Uuid, String> = metric::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut measured: HashMap<Uuid, Vec<String>> = HashMap::new();
    let mut measures: HashMap<Uuid, Vec<pilot_measure::Model>> = HashMap::new();
    for m in pilot_measure::Entity::find()
        .filter(pilot_measure::Column::PilotId.is_in(ids.to_vec()))
        .all(db)
        .await?
    {
        if let Some(name) = metric_names.get(&m.metric_id) {
            measured.entry(m.pilot_id).or_default().push(name.clone());
        }
        measures.entry(m.pilot_id).or_default().push(m);
    }

    Ok(pilots
        .into_iter()
        .map(|p| {
            let technology = technologies.get(&p.technology_id);
            let host = hosts.get(&p.host_organisation_id);
            let report = reports.get(&p.id);
            let mut facets = BTreeMap::new();
            facets.insert(FacetName::CareSetting, vec![spelled(p.care_setting)]);
            facets.insert(FacetName::Specialty, vec![spelled(p.specialty)]);
            facets.insert(FacetName::Status, vec![spelled(p.status)]);
            facets.insert(FacetName::Design, vec![spelled(p.design)]);
            let rating = rate_pilot(&p, measures.get(&p.id).map_or(&[][..], Vec::as_slice));
            facets.insert(FacetName::EvidenceRating, vec![spelled(rating)]);
            if let Some(region) = host.and_then(|h| h.region) {
                facets.insert(FacetName::Region, vec![spelled(region)]);
            }
            if let Some(t) = technology {
                facets.insert(FacetName::Category, vec![spelled(t.record.category)]);
                facets.insert(FacetName::Standard, spelled_all(&t.standards));
                if let Some(tier) = t.record.esf_tier {
                    facets.insert(FacetName::EsfTier, vec![spelled(tier)]);
                }
            }
            if let Some(r) = report {
                facets.insert(FacetName::Recommendation, vec![spelled(r.recommendation)]);
            }
            let mut body = vec![p.problem.clone(), p.population.clone()];
            if let Some(t) = technology {
                body.extend([t.record.name.clone(), t.record.summary.clone()]);
            }
            if let Some(h) = host {
                body.push(h.name.clone());
            }
            if let Some(r) = report {
                body.extend([r.summary.clone(), r.findings.clone(), r.lessons.clone()]);
            }
            body.extend(measured.remove(&p.id).unwrap_or_default());
            SearchDocument {
                key: key(IndexedKind::Pilot, p.id),
                kind: IndexedKind::Pilot,
                entity_id: p.id,
                title: p.title.clone(),
                body: body.join("\n"),
                facets,
                access: access::pilot_tokens(&p, shared.get(&p.id).map_or(&[][..], Vec::as_slice)),
                published: p.published_at.map_or(0, |at| at.timestamp()),
            }
        })
        .collect())
}

/// Best first: the recommendation a technology's evidence most strongly supports.
fn strength(recommendation: Recommendation) -> u8 {
    match recommendation {
        Recommendation::Adopt => 3,
        Recommendation::AdoptWithConditions => 2,
        Recommendation::ExtendPilot => 1,
        Recommendation::DoNotAdopt => 0,
    }
}

async fn technologies(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<SearchDocument>, DbErr> {
    let mut technologies: Vec<Technology> = technologies_by_id(db, ids.to_vec())
        .await?
        .into_values()
        .collect();
    technologies.sort_by_key(|t| t.record.id);
    let public_pilots = pilot::Entity::find()
        .filter(pilot::Column::TechnologyId.is_in(ids.to_vec()))
        .filter(pilot::Column::Visibility.eq(Visibility::Public))
        .filter(pilot::Column::WithdrawnAt.is_null())
        .all(db)
        .await?;
    let mut organisation_ids: Vec<Uuid> = public_pilots
        .iter()
        .map(|p| p.host_organisation_id)
        .collect();
    organisation_ids.extend(technologies.iter().map(|t| t.record.supplier_id));
    let organisations = organisations_by_id(db, organisation_ids).await?;
    let reports = latest_reports(db, public_pilots.iter().map(|p| p.id).collect()).await?;

    Ok(technologies
        .into_iter()
        .map(|t| {
            let pilots: Vec<&pilot::Model> = public_pilots
                .iter()
                .filter(|p| p.technology_id == t.record.id)
                .collect();
            let mut regions: Vec<String> = pilots
                .iter()
                .filter_map(|p| {
                    organisations
                        .get(&p.host_organisation_id)
                        .and_then(|o| o.region)
                })
                .map(spelled)
                .collect();
            regions.sort();
            regions.dedup();
            let best = pilots
                .iter()
                .filter_map(|p| reports.get(&p.id).map(|r| r.recommendation))
                .max_by_key(|r| strength(*r));
            let mut facets = BTreeMap::new();
            facets.insert(FacetName::Category, vec![spelled(t.record.category)]);
            facets.insert(FacetName::CareSetting, spelled_all(&t.care_settings));
            facets.insert(FacetName::Specialty, spelled_all(&t.specialties));
            facets.insert(FacetName::Standard, spelled_all(&t.standards));
            facets.insert(FacetName::Region, regions);
            if let Some(tier) = t.record.esf_tier {
                facets.insert(FacetName::EsfTier, vec![spelled(tier)]);
            }
            if let Some(best) = best {
                facets.insert(FacetName::Recommendation, vec![spelled(best)]);
            }
            let mut body = vec![t.record.summary.clone(), t.record.description.clone()];
            if let Some(supplier) = organisations.get(&t.record.supplier_id) {
                body.push(supplier.name.clone());
            }
            let mut hosts: Vec<String> = pilots
                .iter()
                .filter_map(|p| {
                    organisations
                        .get(&p.host_organisation_id)
                        .map(|o| o.name.clone())
                })
                .collect();
            hosts.sort();
            hosts.dedup();
            body.push(format!("Piloted {} times in public records.", pilots.len()));
            body.extend(hosts);
            SearchDocument {
                key: key(IndexedKind::Technology, t.record.id),
                kind: IndexedKind::Technology,
                entity_id: t.record.id,
                title: t.record.name.clone(),
                body: body.join("\n"),
                facets,
                access: access::technology_tokens(&t.record),
                published: t.record.created_at.timestamp(),
            }
        })
        .collect())
}
