//! A small registry to test against: two trusts (A hosts pilots, B is another NHS body), an ICB, a supplier, metrics, a technology, and one person in each role.

use chrono::NaiveDate;
use registry_api::Actor;
use registry_api::model::*;
use registry_api::service::measures::{MeasureInput, ObservationInput};
use registry_api::service::metrics::MetricInput;
use registry_api::service::organisations::OrganisationInput;
use registry_api::service::pilots::PilotInput;
use registry_api::service::technologies::{DtacInput, TechnologyInput};
use registry_api::service::{accounts, memberships, metrics, organisations, pilots, technologies};
use sea_orm::DatabaseConnection;
use sea_orm::prelude::Uuid;

pub struct World {
    pub system: Actor,
    pub anonymous: Actor,
    pub trust_a: organisation::Model,
    pub trust_b: organisation::Model,
    pub supplier: organisation::Model,
    pub wait_minutes: metric::Model,
    pub readmission: metric::Model,
    pub phq9: metric::Model,
    pub technology: technologies::Technology,
    /// Evaluator at trust A, the host of the test pilots.
    pub evaluator_a: Actor,
    /// Evaluator at trust B: NHS, but another organisation.
    pub evaluator_b: Actor,
    /// Plain member of trust A, the host: reads its drafts, changes nothing.
    pub member_a: Actor,
    /// Plain member of trust B.
    pub member_b: Actor,
    /// Innovator at the supplier.
    pub innovator: Actor,
    /// Commissioner at the ICB.
    pub commissioner: Actor,
    /// Registry administrator (member of no organisation).
    pub admin: Actor,
}

async fn organisation(
    db: &DatabaseConnection,
    system: &Actor,
    name: &str,
    kind: OrganisationKind,
    ods: &str,
    parent: Option<Uuid>,
) -> organisation::Model {
    organisations::create(
        db,
        system,
        OrganisationInput {
            name: name.to_owned(),
            kind,
            ods_code: Some(ods.to_owned()),
            region: Some(Region::SouthWest),
            parent_icb_id: parent,
        },
    )
    .await
    .expect("create organisation")
}

async fn person(
    db: &DatabaseConnection,
    system: &Actor,
    subject: &str,
    grants: &[(Uuid, Role)],
    administrator: bool,
) -> Actor {
    let user = accounts::upsert_user(
        db,
        system,
        accounts::Identity {
            issuer: "https://idp.test".to_owned(),
            subject: subject.to_owned(),
            name: format!("Test {subject}"),
            email: Some(format!("{subject}@example.nhs.uk")),
        },
    )
    .await
    .expect("create user");
    for (organisation_id, role) in grants {
        memberships::grant(db, system, user.id, *organisation_id, *role)
            .await
            .expect("grant membership");
    }
    if administrator {
        accounts::set_administrator(db, system, user.id, true)
            .await
            .expect("appoint administrator");
    }
    accounts::actor_for_user(db, user.id, EntryPoint::Graphql, None)
        .await
        .expect("load actor")
}

pub fn metric_input(code: &str, unit: MetricUnit, kind: MetricKind) -> MetricInput {
    MetricInput {
        code: code.to_owned(),
        name: format!("Metric {code}"),
        unit,
        direction: Direction::LowerIsBetter,
        domain: MetricDomain::OperationalEfficiency,
        kind,
        definition: "A test metric.".to_owned(),
        min_value: (unit == MetricUnit::Score).then_some(0.0),
        max_value: (unit == MetricUnit::Score).then_some(27.0),
    }
}

pub fn technology_input(supplier_id: Uuid, slug: &str) -> TechnologyInput {
    TechnologyInput {
        slug: slug.to_owned(),
        name: format!("Technology {slug}"),
        supplier_id,
        summary: "Remote monitoring for heart failure at home.".to_owned(),
        description: "Patients record weight and symptoms daily; a team reviews alerts.".to_owned(),
        category: TechnologyCategory::RemoteMonitoring,
        specialties: vec![Specialty::Cardiology],
        care_settings: vec![CareSetting::Community, CareSetting::Secondary],
        standards: vec![Standard::FhirR4UkCore, Standard::NhsLogin],
        device_class: DeviceClass::ClassIia,
        ukca_marked: true,
        ce_marked: false,
        mhra_registered: true,
        esf_tier: Some(EsfTier::C),
        dtac: vec![DtacInput {
            section: DtacSection::ClinicalSafety,
            status: DtacStatus::Met,
            assessed_on: NaiveDate::from_ymd_opt(2025, 3, 1),
            evidence_url: Some("https://example.org/dcb0129.pdf".to_owned()),
        }],
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

impl World {
    pub async fn build(db: &DatabaseConnection) -> World {
        let system = Actor::system(EntryPoint::Cli);
        let icb = organisation(db, &system, "Test ICB", OrganisationKind::Icb, "QT1", None).await;
        let trust_a = organisation(
            db,
            &system,
            "Trust A",
            OrganisationKind::NhsTrust,
            "RTA",
            Some(icb.id),
        )
        .await;
        let trust_b = organisation(
            db,
            &system,
            "Trust B",
            OrganisationKind::NhsTrust,
            "RTB",
            Some(icb.id),
        )
        .await;
        let supplier = organisation(
            db,
            &system,
            "Test Supplier Ltd",
            OrganisationKind::Supplier,
            "8TS01",
            None,
        )
        .await;
        let wait_minutes = metrics::create(
            db,
            &system,
            metric_input("TEST_WAIT", MetricUnit::Minutes, MetricKind::Continuous),
        )
        .await
        .expect("metric");
        let readmission = metrics::create(
            db,
            &system,
            metric_input("TEST_READMIT", MetricUnit::Proportion, MetricKind::Binary),
        )
        .await
        .expect("metric");
        let phq9 = metrics::create(
            db,
            &system,
            metric_input("TEST_PHQ9", MetricUnit::Score, MetricKind::Continuous),
        )
        .await
        .expect("metric");
        let technology =
            technologies::register(db, &system, technology_input(supplier.id, "heart-watch"))
                .await
                .expect("technology");
        let evaluator_a = person(
            db,
            &system,
            "evaluator-a",
            &[(trust_a.id, Role::Evaluator)],
            false,
        )
        .await;
        let evaluator_b = person(
            db,
            &system,
            "evaluator-b",
            &[(trust_b.id, Role::Evaluator)],
            false,
        )
        .await;
        let member_a = person(
            db,
            &system,
            "member-a",
            &[(trust_a.id, Role::Member)],
            false,
        )
        .await;
        let member_b = person(
            db,
            &system,
            "member-b",
            &[(trust_b.id, Role::Member)],
            false,
        )
        .await;
        let innovator = person(
            db,
            &system,
            "innovator",
            &[(supplier.id, Role::Innovator)],
            false,
        )
        .await;
        let commissioner = person(
            db,
            &system,
            "commissioner",
            &[(icb.id, Role::Commissioner)],
            false,
        )
        .await;
        let admin = person(db, &system, "admin", &[], true).await;
        World {
            system,
            anonymous: Actor::anonymous(EntryPoint::Graphql),
            trust_a,
            trust_b,
            supplier,
            wait_minutes,
            readmission,
            phq9,
            technology,
            evaluator_a,
            evaluator_b,
            member_a,
            member_b,
            innovator,
            commissioner,
            admin,
        }
    }

    pub fn pilot_input(&self, title: &str) -> PilotInput {
        PilotInput {
            technology_id: self.technology.record.id,
            host_organisation_id: self.trust_a.id,
            title: title.to_owned(),
            problem: "Emergency readmissions for heart failure are high.".to_owned(),
            status: PilotStatus::Completed,
            start_date: Some(date(2024, 1, 1)),
            end_date: Some(date(2024, 12, 31)),
            care_setting: CareSetting::Community,
            specialty: Specialty::Cardiology,
            population: "Adults discharged after a heart failure admission".to_owned(),
            patients: Some(240),
            staff: Some(12),
            funding_source: Some("Test fund".to_owned()),
            cost_gbp: Some(85_000),
            design: EvaluationDesign::BeforeAfter,
            evaluator_kind: EvaluatorKind::Internal,
            evaluator_name: None,
            contact_name: Some("Dr Test Contact".to_owned()),
            contact_email: Some("contact@example.nhs.uk".to_owned()),
        }
    }

    /// A pilot at trust A, registered by its evaluator, published as `visibility`.
    pub async fn pilot(
        &self,
        db: &DatabaseConnection,
        title: &str,
        visibility: Visibility,
    ) -> pilot::Model {
        let created = pilots::register(db, &self.evaluator_a, self.pilot_input(title))
            .await
            .expect("register pilot");
        if visibility == Visibility::Draft {
            return created;
        }
        pilots::publish(
            db,
            &self.evaluator_a,
            created.id,
            created.version,
            visibility,
        )
        .await
        .expect("publish pilot")
    }

    pub fn wait_measure(&self, pilot_id: Uuid) -> MeasureInput {
        let side = |value: f64| ObservationInput {
            value,
            n: Some(120),
            sd: Some(14.5),
            events: None,
            period_start: None,
            period_end: None,
        };
        MeasureInput {
            pilot_id,
            metric_id: self.wait_minutes.id,
            is_primary: true,
            time_frame: "12 weeks".to_owned(),
            comparator: Comparator::BeforeAfter,
            baseline: side(95.0),
            result: side(71.0),
            target: Some(60.0),
        }
    }
}
