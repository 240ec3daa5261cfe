//! Builds search documents from the database, many at a time, each with the access tokens
//! `service::access` gives its record (a withdrawn record keeps a document that only its own
//! organisation and administrators can find, as they can still read it). A technology's rolled-up facts (how many pilots, where, the best recommendation)
//! come from its public pilots only, so its document, which everyone may find, leaks nothing
//! about drafts or NHS-only pilots.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef,
};

use crate::evidence::rate_pilot;
use crate::model::{
    IndexedKind, Recommendation, RevisionStatus, Visibility, metric, organisation, pilot,
    pilot_measure, report_revision, technology,
};
use crate::search::{FacetName, SearchDocument, key};
use crate::service::technologies::{Technology, with_attributes};
use crate::service::{access, sharing};

/// Documents for the given records, and the keys of those that should have none.
///
/// However many records are asked for, the work is a few set-based statements per
/// [`IDS_PER_STATEMENT`] records (the records, their related rows, the catalogue), never one
/// per record: the outbox worker and the rebuild hand over thousands at a time.
pub async fn build(
    db: &impl ConnectionTrait,
    kind: IndexedKind,
    ids: &[Uuid],
) -> Result<(Vec<SearchDocument>, Vec<String>), DbErr> {
    let documents = match kind {
        IndexedKind::Pilot => pilots(db, ids).await?,
        IndexedKind::Technology => technologies(db, ids).await?,
    };
    let built: BTreeSet<Uuid> = documents.iter().map(|d| d.entity_id).collect();
    let deleted = ids
        .iter()
        .filter(|id| !built.contains(id))
        .map(|id| key(kind, *id))
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

/// Ids bound in one `IN (…)`: well within SQLite's and PostgreSQL's bound-parameter limits.
pub const IDS_PER_STATEMENT: usize = 1_000;

/// Ids in bound-parameter-sized chunks, without repeats: a batch or a technology's pilots can
/// run to thousands, past what one `IN (…)` may hold.
fn chunks(ids: impl IntoIterator<Item = Uuid>) -> Vec<Vec<Uuid>> {
    let unique: BTreeSet<Uuid> = ids.into_iter().collect();
    let unique: Vec<Uuid> = unique.into_iter().collect();
    unique
        .chunks(IDS_PER_STATEMENT)
        .map(<[Uuid]>::to_vec)
        .collect()
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
    let mut found = HashMap::new();
    for chunk in chunks(ids) {
        let records = technology::Entity::find()
            .filter(technology::Column::Id.is_in(chunk))
            .all(db)
            .await?;
        for t in with_attributes(db, records).await? {
            found.insert(t.record.id, t);
        }
    }
    Ok(found)
}

async fn pilots(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<SearchDocument>, DbErr> {
    let mut pilots = Vec::with_capacity(ids.len());
    let mut shared = HashMap::new();
    let mut measures: HashMap<Uuid, Vec<pilot_measure::Model>> = HashMap::new();
    for chunk in chunks(ids.iter().copied()) {
        pilots.extend(
            pilot::Entity::find()
                .filter(pilot::Column::Id.is_in(chunk.clone()))
                .all(db)
                .await?,
        );
        for m in pilot_measure::Entity::find()
            .filter(pilot_measure::Column::PilotId.is_in(chunk.clone()))
            .all(db)
            .await?
        {
            measures.entry(m.pilot_id).or_default().push(m);
        }
        shared.extend(sharing::organisations_of(db, chunk).await?);
    }
    let technologies =
        technologies_by_id(db, pilots.iter().map(|p| p.technology_id).collect()).await?;
    let hosts =
        organisations_by_id(db, pilots.iter().map(|p| p.host_organisation_id).collect()).await?;
    let reports = latest_reports(db, pilots.iter().map(|p| p.id).collect()).await?;
    let metric_names: HashMap<Uuid, String> = metric::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut measured: HashMap<Uuid, Vec<String>> = measures
        .iter()
        .map(|(pilot_id, ms)| {
            let names = ms
                .iter()
                .filter_map(|m| metric_names.get(&m.metric_id).cloned())
                .collect();
            (*pilot_id, names)
        })
        .collect();

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

/// What a technology's public pilots add to its document, gathered per technology by the
/// database rather than by loading every pilot: a technology on a large registry has thousands.
#[derive(Debug, Default)]
struct PublicPilots {
    /// Host organisation and how many of the technology's public pilots it ran.
    hosts: BTreeMap<Uuid, i64>,
    /// The recommendations of those pilots' latest published reports.
    recommendations: BTreeSet<Recommendation>,
}

/// Public, not withdrawn pilots: the only ones a technology's document may speak of.
fn public_pilots<Q: QueryFilter>(query: Q) -> Q {
    query
        .filter(pilot::Column::Visibility.eq(Visibility::Public))
        .filter(pilot::Column::WithdrawnAt.is_null())
}

async fn public_pilots_of(
    db: &impl ConnectionTrait,
    technology_ids: &[Uuid],
) -> Result<HashMap<Uuid, PublicPilots>, DbErr> {
    let mut found: HashMap<Uuid, PublicPilots> = HashMap::new();
    for chunk in chunks(technology_ids.iter().copied()) {
        // One row per (technology, host): the count and the places, not the pilots.
        let hosts: Vec<(Uuid, Uuid, i64)> = public_pilots(pilot::Entity::find())
            .select_only()
            .column(pilot::Column::TechnologyId)
            .column(pilot::Column::HostOrganisationId)
            .column_as(Expr::col(pilot::Column::Id).count(), "pilots")
            .filter(pilot::Column::TechnologyId.is_in(chunk.clone()))
            .group_by(pilot::Column::TechnologyId)
            .group_by(pilot::Column::HostOrganisationId)
            .into_tuple()
            .all(db)
            .await?;
        for (technology_id, host, pilots) in hosts {
            found
                .entry(technology_id)
                .or_default()
                .hosts
                .insert(host, pilots);
        }
        // One row per (technology, recommendation) among the latest published revisions: a
        // published revision with no later published one of the same pilot.
        let later = Alias::new("later");
        let superseded = Query::select()
            .expr(Expr::value(1))
            .from_as(report_revision::Entity, later.clone())
            .and_where(
                Expr::col((later.clone(), report_revision::Column::PilotId))
                    .equals((report_revision::Entity, report_revision::Column::PilotId)),
            )
            .and_where(
                Expr::col((later.clone(), report_revision::Column::Status))
                    .eq(RevisionStatus::Published),
            )
            .and_where(
                Expr::col((later, report_revision::Column::Revision)).gt(Expr::col((
                    report_revision::Entity,
                    report_revision::Column::Revision,
                ))),
            )
            .to_owned();
        let recommendations: Vec<(Uuid, Recommendation)> = public_pilots(
            report_revision::Entity::find()
                .select_only()
                .column_as(
                    Expr::col((pilot::Entity, pilot::Column::TechnologyId)),
                    "technology_id",
                )
                .column(report_revision::Column::Recommendation)
                .distinct()
                .join(JoinType::InnerJoin, report_of_pilot()),
        )
        .filter(pilot::Column::TechnologyId.is_in(chunk))
        .filter(report_revision::Column::Status.eq(RevisionStatus::Published))
        .filter(Expr::exists(superseded).not())
        .into_tuple()
        .all(db)
        .await?;
        for (technology_id, recommendation) in recommendations {
            found
                .entry(technology_id)
                .or_default()
                .recommendations
                .insert(recommendation);
        }
    }
    Ok(found)
}

/// A report revision's pilot, for joining the two (the entities declare no relations).
fn report_of_pilot() -> RelationDef {
    report_revision::Entity::belongs_to(pilot::Entity)
        .from(report_revision::Column::PilotId)
        .to(pilot::Column::Id)
        .into()
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
    let public = public_pilots_of(db, ids).await?;
    let none = PublicPilots::default();
    let mut organisation_ids: Vec<Uuid> = public
        .values()
        .flat_map(|p| p.hosts.keys().copied())
        .collect();
    organisation_ids.extend(technologies.iter().map(|t| t.record.supplier_id));
    let organisations = organisations_by_id(db, organisation_ids).await?;

    Ok(technologies
        .into_iter()
        .map(|t| {
            let pilots = public.get(&t.record.id).unwrap_or(&none);
            let mut regions: Vec<String> = pilots
                .hosts
                .keys()
                .filter_map(|host| organisations.get(host).and_then(|o| o.region))
                .map(spelled)
                .collect();
            regions.sort();
            regions.dedup();
            let best = pilots
                .recommendations
                .iter()
                .copied()
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
                .hosts
                .keys()
                .filter_map(|host| organisations.get(host).map(|o| o.name.clone()))
                .collect();
            hosts.sort();
            hosts.dedup();
            let piloted: i64 = pilots.hosts.values().sum();
            body.push(format!("Piloted {piloted} times in public records."));
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
