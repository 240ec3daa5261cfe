//! The first build of the domain model: organisations and people, technologies with their
//! multi-valued attributes, pilots, the metric catalogue, measures, report revisions, the audit
//! log, the search outbox and API tokens.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A text column that only accepts the given values, so the database guards closed lists too.
fn one_of(column: impl IntoIden, len: u32, values: &[&str]) -> ColumnDef {
    let column = column.into_iden();
    let check = Expr::col(column.clone()).is_in(values.iter().copied());
    string_len(column, len).check(check).take()
}

fn one_of_null(column: impl IntoIden, len: u32, values: &[&str]) -> ColumnDef {
    let column = column.into_iden();
    let check = Expr::col(column.clone()).is_in(values.iter().copied());
    string_len_null(column, len).check(check).take()
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(on_delete)
        .take()
}

const VISIBILITY: &[&str] = &["draft", "nhs", "public"];
const CARE_SETTINGS: &[&str] = &[
    "primary",
    "secondary",
    "community",
    "mental_health",
    "urgent_and_emergency",
    "social_care",
];
const SPECIALTIES: &[&str] = &[
    "cardiology",
    "dermatology",
    "respiratory",
    "diabetes_endocrinology",
    "mental_health",
    "radiology",
    "ophthalmology",
    "oncology",
    "emergency_medicine",
    "general_practice",
    "musculoskeletal",
    "neurology",
    "paediatrics",
    "maternity",
    "frailty",
    "renal",
    "gastroenterology",
    "pathology",
    "pharmacy",
    "stroke",
    "surgery",
    "urology",
    "critical_care",
    "palliative_care",
];
const OBSERVATIONS: [&str; 2] = ["baseline", "result"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        // SQLite migrations run outside a transaction unless asked: all or nothing on both.
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(pk_uuid(Organisations::Id))
                    .col(string_len(Organisations::Name, 200))
                    .col(one_of(
                        Organisations::Kind,
                        40,
                        &[
                            "nhs_trust",
                            "icb",
                            "gp_practice",
                            "pcn",
                            "community_provider",
                            "ambulance_trust",
                            "supplier",
                            "health_innovation_network",
                            "other",
                        ],
                    ))
                    .col(string_len_null(Organisations::OdsCode, 10).unique_key())
                    .col(one_of_null(
                        Organisations::Region,
                        40,
                        &[
                            "north_east_and_yorkshire",
                            "north_west",
                            "midlands",
                            "east_of_england",
                            "london",
                            "south_east",
                            "south_west",
                        ],
                    ))
                    .col(uuid_null(Organisations::ParentIcbId))
                    .col(integer(Organisations::Version))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .foreign_key(&mut fk(
                        Organisations::Table,
                        Organisations::ParentIcbId,
                        Organisations::Table,
                        Organisations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len(Users::Issuer, 300))
                    .col(string_len(Users::Subject, 255))
                    .col(string_len(Users::Name, 200))
                    .col(string_len_null(Users::Email, 320))
                    .col(boolean(Users::IsAdministrator).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .index(
                        Index::create()
                            .name("users_issuer_subject_key")
                            .col(Users::Issuer)
                            .col(Users::Subject)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(pk_uuid(Memberships::Id))
                    .col(uuid(Memberships::UserId))
                    .col(uuid(Memberships::OrganisationId))
                    .col(one_of(
                        Memberships::Role,
                        20,
                        &["member", "innovator", "evaluator", "commissioner"],
                    ))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .foreign_key(&mut fk(
                        Memberships::Table,
                        Memberships::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Memberships::Table,
                        Memberships::OrganisationId,
                        Organisations::Table,
                        Organisations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .index(
                        Index::create()
                            .name("memberships_user_organisation_role_key")
                            .col(Memberships::UserId)
                            .col(Memberships::OrganisationId)
                            .col(Memberships::Role)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Technologies::Table)
                    .col(pk_uuid(Technologies::Id))
                    .col(string_len(Technologies::Slug, 80).unique_key())
                    .col(string_len(Technologies::Name, 200))
                    .col(uuid(Technologies::SupplierId))
                    .col(string_len(Technologies::Summary, 280))
                    .col(text(Technologies::Description))
                    .col(one_of(
                        Technologies::Category,
                        40,
                        &[
                            "remote_monitoring",
                            "virtual_ward",
                            "ai_diagnostics",
                            "digital_therapeutics",
                            "online_consultation",
                            "patient_flow",
                            "clinical_decision_support",
                            "medicines_management",
                            "point_of_care_testing",
                            "workforce",
                            "patient_engagement",
                            "population_health",
                            "imaging",
                            "care_coordination",
                        ],
                    ))
                    .col(one_of(
                        Technologies::DeviceClass,
                        20,
                        &[
                            "not_a_device",
                            "class_i",
                            "class_iia",
                            "class_iib",
                            "class_iii",
                        ],
                    ))
                    .col(boolean(Technologies::UkcaMarked))
                    .col(boolean(Technologies::CeMarked))
                    .col(boolean(Technologies::MhraRegistered))
                    .col(one_of_null(Technologies::EsfTier, 1, &["a", "b", "c"]))
                    .col(timestamp_with_time_zone_null(Technologies::WithdrawnAt))
                    .col(text_null(Technologies::WithdrawnReason))
                    .col(integer(Technologies::Version))
                    .col(timestamp_with_time_zone(Technologies::CreatedAt))
                    .col(timestamp_with_time_zone(Technologies::UpdatedAt))
                    .foreign_key(&mut fk(
                        Technologies::Table,
                        Technologies::SupplierId,
                        Organisations::Table,
                        Organisations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        for (table, column, len, values) in [
            (
                TechnologySpecialties::Table.into_iden(),
                TechnologySpecialties::Specialty.into_iden(),
                40,
                SPECIALTIES,
            ),
            (
                TechnologyCareSettings::Table.into_iden(),
                TechnologyCareSettings::CareSetting.into_iden(),
                40,
                CARE_SETTINGS,
            ),
            (
                TechnologyStandards::Table.into_iden(),
                TechnologyStandards::Standard.into_iden(),
                40,
                &[
                    "fhir_r4_uk_core",
                    "hl7_v2",
                    "dicom",
                    "snomed_ct",
                    "dmd",
                    "gp_connect",
                    "im1",
                    "pds",
                    "nhs_login",
                    "cis2",
                    "mesh",
                    "ers",
                ][..],
            ),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table.clone())
                        .col(uuid(Attribute::TechnologyId))
                        .col(one_of(column.clone(), len, values))
                        .primary_key(
                            Index::create()
                                .col(Attribute::TechnologyId)
                                .col(column.clone()),
                        )
                        .foreign_key(&mut fk(
                            table.clone(),
                            Attribute::TechnologyId,
                            Technologies::Table,
                            Technologies::Id,
                            ForeignKeyAction::Cascade,
                        ))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("{table}_{column}_idx"))
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(TechnologyDtac::Table)
                    .col(uuid(TechnologyDtac::TechnologyId))
                    .col(one_of(
                        TechnologyDtac::Section,
                        40,
                        &[
                            "clinical_safety",
                            "data_protection",
                            "technical_security",
                            "interoperability",
                            "usability_accessibility",
                        ],
                    ))
                    .col(one_of(
                        TechnologyDtac::Status,
                        20,
                        &["not_assessed", "in_progress", "met"],
                    ))
                    .col(date_null(TechnologyDtac::AssessedOn))
                    .col(string_len_null(TechnologyDtac::EvidenceUrl, 2000))
                    .primary_key(
                        Index::create()
                            .col(TechnologyDtac::TechnologyId)
                            .col(TechnologyDtac::Section),
                    )
                    .foreign_key(&mut fk(
                        TechnologyDtac::Table,
                        TechnologyDtac::TechnologyId,
                        Technologies::Table,
                        Technologies::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Metrics::Table)
                    .col(pk_uuid(Metrics::Id))
                    .col(string_len(Metrics::Code, 40).unique_key())
                    .col(string_len(Metrics::Name, 200))
                    .col(one_of(
                        Metrics::Unit,
                        20,
                        &[
                            "proportion",
                            "percent",
                            "count",
                            "minutes",
                            "hours",
                            "days",
                            "gbp",
                            "score",
                            "rate_per_thousand",
                        ],
                    ))
                    .col(one_of(
                        Metrics::Direction,
                        20,
                        &["higher_is_better", "lower_is_better"],
                    ))
                    .col(one_of(
                        Metrics::Domain,
                        30,
                        &[
                            "clinical_outcome",
                            "patient_experience",
                            "staff_experience",
                            "operational_efficiency",
                            "financial",
                            "safety",
                            "equity_access",
                        ],
                    ))
                    .col(one_of(Metrics::Kind, 20, &["continuous", "binary"]))
                    .col(text(Metrics::Definition))
                    .col(double_null(Metrics::MinValue))
                    .col(double_null(Metrics::MaxValue))
                    .col(integer(Metrics::Version))
                    .col(timestamp_with_time_zone(Metrics::CreatedAt))
                    .col(timestamp_with_time_zone(Metrics::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Pilots::Table)
                    .col(pk_uuid(Pilots::Id))
                    .col(uuid(Pilots::TechnologyId))
                    .col(uuid(Pilots::HostOrganisationId))
                    .col(string_len(Pilots::Title, 200))
                    .col(text(Pilots::Problem))
                    .col(one_of(
                        Pilots::Status,
                        20,
                        &["planned", "live", "completed", "stopped", "scaled_up"],
                    ))
                    .col(date_null(Pilots::StartDate))
                    .col(date_null(Pilots::EndDate))
                    .col(one_of(Pilots::CareSetting, 40, CARE_SETTINGS))
                    .col(one_of(Pilots::Specialty, 40, SPECIALTIES))
                    .col(text(Pilots::Population))
                    .col(integer_null(Pilots::Patients))
                    .col(integer_null(Pilots::Staff))
                    .col(string_len_null(Pilots::FundingSource, 200))
                    .col(big_integer_null(Pilots::CostGbp))
                    .col(one_of(
                        Pilots::Design,
                        30,
                        &[
                            "before_after",
                            "interrupted_time_series",
                            "rct",
                            "cluster_rct",
                            "stepped_wedge",
                            "qualitative",
                            "mixed_methods",
                            "service_evaluation",
                        ],
                    ))
                    .col(one_of(
                        Pilots::EvaluatorKind,
                        20,
                        &["internal", "independent"],
                    ))
                    .col(string_len_null(Pilots::EvaluatorName, 200))
                    .col(string_len_null(Pilots::ContactName, 200))
                    .col(string_len_null(Pilots::ContactEmail, 320))
                    .col(one_of(Pilots::Visibility, 10, VISIBILITY))
                    .col(timestamp_with_time_zone_null(Pilots::PublishedAt))
                    .col(timestamp_with_time_zone_null(Pilots::WithdrawnAt))
                    .col(text_null(Pilots::WithdrawnReason))
                    .col(integer(Pilots::Version))
                    .col(timestamp_with_time_zone(Pilots::CreatedAt))
                    .col(timestamp_with_time_zone(Pilots::UpdatedAt))
                    .foreign_key(&mut fk(
                        Pilots::Table,
                        Pilots::TechnologyId,
                        Technologies::Table,
                        Technologies::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Pilots::Table,
                        Pilots::HostOrganisationId,
                        Organisations::Table,
                        Organisations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .index(
                        Index::create()
                            .name("pilots_host_title_key")
                            .col(Pilots::HostOrganisationId)
                            .col(Pilots::Title)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        for column in [Pilots::TechnologyId, Pilots::Visibility, Pilots::Status] {
            manager
                .create_index(
                    Index::create()
                        .name(format!("pilots_{}_idx", column.to_string()))
                        .table(Pilots::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        let mut measures = Table::create();
        measures
            .table(PilotMeasures::Table)
            .col(pk_uuid(PilotMeasures::Id))
            .col(uuid(PilotMeasures::PilotId))
            .col(uuid(PilotMeasures::MetricId))
            .col(boolean(PilotMeasures::IsPrimary))
            .col(string_len(PilotMeasures::TimeFrame, 100))
            .col(one_of(
                PilotMeasures::Comparator,
                30,
                &["before_after", "concurrent_control"],
            ));
        for prefix in OBSERVATIONS {
            measures
                .col(double(Alias::new(format!("{prefix}_value"))))
                .col(integer_null(Alias::new(format!("{prefix}_n"))))
                .col(double_null(Alias::new(format!("{prefix}_sd"))))
                .col(integer_null(Alias::new(format!("{prefix}_events"))))
                .col(date_null(Alias::new(format!("{prefix}_period_start"))))
                .col(date_null(Alias::new(format!("{prefix}_period_end"))));
        }
        measures
            .col(double_null(PilotMeasures::Target))
            .col(integer(PilotMeasures::Version))
            .col(timestamp_with_time_zone(PilotMeasures::CreatedAt))
            .col(timestamp_with_time_zone(PilotMeasures::UpdatedAt))
            .foreign_key(&mut fk(
                PilotMeasures::Table,
                PilotMeasures::PilotId,
                Pilots::Table,
                Pilots::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                PilotMeasures::Table,
                PilotMeasures::MetricId,
                Metrics::Table,
                Metrics::Id,
                ForeignKeyAction::Restrict,
            ))
            .index(
                Index::create()
                    .name("pilot_measures_pilot_metric_time_frame_key")
                    .col(PilotMeasures::PilotId)
                    .col(PilotMeasures::MetricId)
                    .col(PilotMeasures::TimeFrame)
                    .unique(),
            );
        manager.create_table(measures.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("pilot_measures_metric_id_idx")
                    .table(PilotMeasures::Table)
                    .col(PilotMeasures::MetricId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReportRevisions::Table)
                    .col(pk_uuid(ReportRevisions::Id))
                    .col(uuid(ReportRevisions::PilotId))
                    .col(integer(ReportRevisions::Revision))
                    .col(text(ReportRevisions::Summary))
                    .col(text(ReportRevisions::Findings))
                    .col(one_of(
                        ReportRevisions::Recommendation,
                        30,
                        &[
                            "adopt",
                            "adopt_with_conditions",
                            "extend_pilot",
                            "do_not_adopt",
                        ],
                    ))
                    .col(text(ReportRevisions::Barriers))
                    .col(text(ReportRevisions::Lessons))
                    .col(text(ReportRevisions::CostsAndSavings))
                    .col(json(ReportRevisions::Links))
                    .col(text_null(ReportRevisions::AmendmentReason))
                    .col(one_of(ReportRevisions::Status, 20, &["draft", "published"]))
                    .col(timestamp_with_time_zone_null(ReportRevisions::PublishedAt))
                    .col(uuid_null(ReportRevisions::AuthorId))
                    .col(integer(ReportRevisions::Version))
                    .col(timestamp_with_time_zone(ReportRevisions::CreatedAt))
                    .col(timestamp_with_time_zone(ReportRevisions::UpdatedAt))
                    .foreign_key(&mut fk(
                        ReportRevisions::Table,
                        ReportRevisions::PilotId,
                        Pilots::Table,
                        Pilots::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ReportRevisions::Table,
                        ReportRevisions::AuthorId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .index(
                        Index::create()
                            .name("report_revisions_pilot_revision_key")
                            .col(ReportRevisions::PilotId)
                            .col(ReportRevisions::Revision)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(uuid_null(AuditLog::ActorUserId))
                    .col(string_len(AuditLog::ActorLabel, 200))
                    .col(one_of(
                        AuditLog::EntryPoint,
                        20,
                        &["graphql", "web", "cli", "seed", "worker"],
                    ))
                    .col(string_len(AuditLog::Action, 60))
                    .col(string_len(AuditLog::EntityKind, 40))
                    .col(uuid(AuditLog::EntityId))
                    .col(json(AuditLog::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_log_entity_idx")
                    .table(AuditLog::Table)
                    .col(AuditLog::EntityKind)
                    .col(AuditLog::EntityId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(big_pk_auto(SearchOutbox::Id))
                    .col(one_of(
                        SearchOutbox::EntityKind,
                        20,
                        &["technology", "pilot"],
                    ))
                    .col(uuid(SearchOutbox::EntityId))
                    .col(timestamp_with_time_zone(SearchOutbox::CreatedAt))
                    .col(timestamp_with_time_zone(SearchOutbox::AvailableAt))
                    .col(integer(SearchOutbox::Attempts).default(0))
                    .col(text_null(SearchOutbox::LastError))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("search_outbox_available_at_idx")
                    .table(SearchOutbox::Table)
                    .col(SearchOutbox::AvailableAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(pk_uuid(ApiTokens::Id))
                    .col(uuid(ApiTokens::UserId))
                    .col(string_len(ApiTokens::Name, 100))
                    .col(string_len(ApiTokens::TokenHash, 64).unique_key())
                    .col(one_of(ApiTokens::Scope, 20, &["read", "read_write"]))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone(ApiTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .foreign_key(&mut fk(
                        ApiTokens::Table,
                        ApiTokens::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables: [DynIden; 15] = [
            ApiTokens::Table.into_iden(),
            SearchOutbox::Table.into_iden(),
            AuditLog::Table.into_iden(),
            ReportRevisions::Table.into_iden(),
            PilotMeasures::Table.into_iden(),
            Pilots::Table.into_iden(),
            Metrics::Table.into_iden(),
            TechnologyDtac::Table.into_iden(),
            TechnologyStandards::Table.into_iden(),
            TechnologyCareSettings::Table.into_iden(),
            TechnologySpecialties::Table.into_iden(),
            Technologies::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Organisations::Table.into_iden(),
        ];
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    Kind,
    OdsCode,
    Region,
    ParentIcbId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Issuer,
    Subject,
    Name,
    Email,
    IsAdministrator,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    UserId,
    OrganisationId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Technologies {
    Table,
    Id,
    Slug,
    Name,
    SupplierId,
    Summary,
    Description,
    Category,
    DeviceClass,
    UkcaMarked,
    CeMarked,
    MhraRegistered,
    EsfTier,
    WithdrawnAt,
    WithdrawnReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

/// The column shared by every multi-valued attribute table of a technology.
#[derive(DeriveIden)]
enum Attribute {
    TechnologyId,
}

#[derive(DeriveIden)]
enum TechnologySpecialties {
    Table,
    Specialty,
}

#[derive(DeriveIden)]
enum TechnologyCareSettings {
    Table,
    CareSetting,
}

#[derive(DeriveIden)]
enum TechnologyStandards {
    Table,
    Standard,
}

#[derive(DeriveIden)]
enum TechnologyDtac {
    Table,
    TechnologyId,
    Section,
    Status,
    AssessedOn,
    EvidenceUrl,
}

#[derive(DeriveIden)]
enum Metrics {
    Table,
    Id,
    Code,
    Name,
    Unit,
    Direction,
    Domain,
    Kind,
    Definition,
    MinValue,
    MaxValue,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Pilots {
    Table,
    Id,
    TechnologyId,
    HostOrganisationId,
    Title,
    Problem,
    Status,
    StartDate,
    EndDate,
    CareSetting,
    Specialty,
    Population,
    Patients,
    Staff,
    FundingSource,
    CostGbp,
    Design,
    EvaluatorKind,
    EvaluatorName,
    ContactName,
    ContactEmail,
    Visibility,
    PublishedAt,
    WithdrawnAt,
    WithdrawnReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PilotMeasures {
    Table,
    Id,
    PilotId,
    MetricId,
    IsPrimary,
    TimeFrame,
    Comparator,
    Target,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReportRevisions {
    Table,
    Id,
    PilotId,
    Revision,
    Summary,
    Findings,
    Recommendation,
    Barriers,
    Lessons,
    CostsAndSavings,
    Links,
    AmendmentReason,
    Status,
    PublishedAt,
    AuthorId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorLabel,
    EntryPoint,
    Action,
    EntityKind,
    EntityId,
    Detail,
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    EntityKind,
    EntityId,
    CreatedAt,
    AvailableAt,
    Attempts,
    LastError,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Scope,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}
