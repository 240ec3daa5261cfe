//! The API's enums. The domain's closed lists and the services' enums carry no GraphQL
//! derivation: each is mirrored here value for value, with conversions both ways. The names,
//! order and descriptions here are the API's (`api/schema.graphql`), and adding or renaming a
//! domain value fails to compile here instead of changing the schema unseen.

/// A GraphQL enum and the domain enum it mirrors.
pub trait Mirror: Copy + Into<Self::Domain> {
    type Domain: Into<Self>;
}

/// Declares each GraphQL enum with its domain enum, and the conversions between them.
macro_rules! mirror {
    ($(
        $(#[$meta:meta])*
        $name:ident = $domain:ty {
            $($(#[$variant_meta:meta])* $variant:ident),+ $(,)?
        }
    )+) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
            pub enum $name {
                $($(#[$variant_meta])* $variant),+
            }

            impl From<$name> for $domain {
                fn from(value: $name) -> Self {
                    match value {
                        $($name::$variant => Self::$variant),+
                    }
                }
            }

            impl From<$domain> for $name {
                fn from(value: $domain) -> Self {
                    type Domain = $domain;
                    match value {
                        $(Domain::$variant => Self::$variant),+
                    }
                }
            }

            impl Mirror for $name {
                type Domain = $domain;
            }
        )+
    };
}

mirror!(
    /// What sort of body an organisation is.
    OrganisationKind = crate::model::OrganisationKind {
        NhsTrust,
        Icb,
        GpPractice,
        Pcn,
        CommunityProvider,
        AmbulanceTrust,
        Supplier,
        HealthInnovationNetwork,
        Other,
    }

    /// The seven NHS England regions.
    Region = crate::model::Region {
        NorthEastAndYorkshire,
        NorthWest,
        Midlands,
        EastOfEngland,
        London,
        SouthEast,
        SouthWest,
    }

    /// A member's role within one organisation.
    Role = crate::model::Role {
        Member,
        Innovator,
        Evaluator,
        Commissioner,
    }

    /// Where a membership came from: granted by an administrator (or an accepted invitation),
    /// or read from the identity provider's organisation claim at sign-in (and kept in step
    /// with it at every sign-in).
    MembershipSource = crate::model::MembershipSource {
        Administrator,
        Claim,
    }

    /// Who may read a pilot or report.
    Visibility = crate::model::Visibility {
        Draft,
        Nhs,
        Public,
    }

    TechnologyCategory = crate::model::TechnologyCategory {
        RemoteMonitoring,
        VirtualWard,
        AiDiagnostics,
        DigitalTherapeutics,
        OnlineConsultation,
        PatientFlow,
        ClinicalDecisionSupport,
        MedicinesManagement,
        PointOfCareTesting,
        Workforce,
        PatientEngagement,
        PopulationHealth,
        Imaging,
        CareCoordination,
    }

    Specialty = crate::model::Specialty {
        Cardiology,
        Dermatology,
        Respiratory,
        DiabetesEndocrinology,
        MentalHealth,
        Radiology,
        Ophthalmology,
        Oncology,
        EmergencyMedicine,
        GeneralPractice,
        Musculoskeletal,
        Neurology,
        Paediatrics,
        Maternity,
        Frailty,
        Renal,
        Gastroenterology,
        Pathology,
        Pharmacy,
        Stroke,
        Surgery,
        Urology,
        CriticalCare,
        PalliativeCare,
    }

    CareSetting = crate::model::CareSetting {
        Primary,
        Secondary,
        Community,
        MentalHealth,
        UrgentAndEmergency,
        SocialCare,
    }

    /// Interoperability standards a technology supports.
    Standard = crate::model::Standard {
        FhirR4UkCore,
        Hl7V2,
        Dicom,
        SnomedCt,
        Dmd,
        GpConnect,
        Im1,
        Pds,
        NhsLogin,
        Cis2,
        Mesh,
        Ers,
    }

    /// Medical device classification under UK MDR.
    DeviceClass = crate::model::DeviceClass {
        NotADevice,
        ClassI,
        ClassIia,
        ClassIib,
        ClassIii,
    }

    /// NICE Evidence Standards Framework tier.
    EsfTier = crate::model::EsfTier {
        A,
        B,
        C,
    }

    /// Sections of the Digital Technology Assessment Criteria.
    DtacSection = crate::model::DtacSection {
        ClinicalSafety,
        DataProtection,
        TechnicalSecurity,
        Interoperability,
        UsabilityAccessibility,
    }

    DtacStatus = crate::model::DtacStatus {
        NotAssessed,
        InProgress,
        Met,
    }

    PilotStatus = crate::model::PilotStatus {
        Planned,
        Live,
        Completed,
        Stopped,
        ScaledUp,
    }

    EvaluationDesign = crate::model::EvaluationDesign {
        BeforeAfter,
        InterruptedTimeSeries,
        Rct,
        ClusterRct,
        SteppedWedge,
        Qualitative,
        MixedMethods,
        ServiceEvaluation,
    }

    EvaluatorKind = crate::model::EvaluatorKind {
        Internal,
        Independent,
    }

    /// How far a pilot's evaluation can be relied on (strong, moderate or suggestive), by the
    /// rule in `docs/evidence.md`, "Evidence rating": from its design, its number of patients
    /// and its evaluator's independence.
    EvidenceRating = crate::model::EvidenceRating {
        Strong,
        Moderate,
        Suggestive,
    }

    /// The unit a metric is measured in; it bounds the values a measure may take.
    MetricUnit = crate::model::MetricUnit {
        Proportion,
        Percent,
        Count,
        Minutes,
        Hours,
        Days,
        Gbp,
        Score,
        RatePerThousand,
    }

    Direction = crate::model::Direction {
        HigherIsBetter,
        LowerIsBetter,
    }

    MetricDomain = crate::model::MetricDomain {
        ClinicalOutcome,
        PatientExperience,
        StaffExperience,
        OperationalEfficiency,
        Financial,
        Safety,
        EquityAccess,
    }

    /// Continuous metrics report a mean with SD; binary ones events out of n.
    MetricKind = crate::model::MetricKind {
        Continuous,
        Binary,
    }

    /// How a pilot's result is compared with its baseline, across pilots.
    EffectMeasure = crate::model::EffectMeasure {
        Md,
        Smd,
        Rr,
        Or,
        Rd,
    }

    /// The estimator of between-pilot variance (τ²) for the random-effects pooled estimate.
    PoolingMethod = crate::model::PoolingMethod {
        Reml,
        Dl,
    }

    /// What a comparison's pilots may be split into subgroups by.
    SubgroupBy = crate::model::SubgroupBy {
        CareSetting,
        CareLevel,
        Design,
        EsfTier,
        Region,
        Comparator,
    }

    /// What a measure's baseline is.
    Comparator = crate::model::Comparator {
        BeforeAfter,
        ConcurrentControl,
    }

    Recommendation = crate::model::Recommendation {
        Adopt,
        AdoptWithConditions,
        ExtendPilot,
        DoNotAdopt,
    }

    RevisionStatus = crate::model::RevisionStatus {
        Draft,
        Published,
    }

    /// What a search document describes.
    IndexedKind = crate::model::IndexedKind {
        Technology,
        Pilot,
    }

    TokenScope = crate::model::TokenScope {
        Read,
        ReadWrite,
    }

    /// What kind of record a revision is of.
    RecordKind = crate::model::RecordKind {
        Pilot,
        Technology,
    }

    /// What a change to a pilot or technology did.
    RevisionAction = crate::model::RevisionAction {
        Register,
        Update,
        Publish,
        Withdraw,
    }

    /// The door a change came in by.
    EntryPoint = crate::model::EntryPoint {
        /// The GraphQL API.
        Graphql,
        /// The web pages.
        Web,
        /// The command line.
        Cli,
        /// The demo data set.
        Seed,
        /// A background worker.
        Worker,
    }

    /// The kind of view a restricted record was opened through, as its audited read says.
    ReadDoor = crate::service::reads::Door {
        /// A page of the web front end.
        Page,
        /// The GraphQL API.
        Graphql,
        /// A file of the record, downloaded.
        Download,
    }

    /// What a run of text did between two revisions.
    DiffSegmentKind = crate::service::revisions::SegmentKind {
        /// In both revisions.
        Equal,
        /// Only in the revision compared to (`to`).
        Inserted,
        /// Only in the revision compared from (`from`).
        Deleted,
    }

    /// The order of a list. Ties are broken by id (UUIDv7, so creation order), so pages are stable.
    Sort = crate::service::Sort {
        /// Oldest first.
        Created,
        /// Newest first.
        Newest,
        /// By name or title, A to Z.
        Name,
        /// By start date, earliest first (pilots; others by creation).
        StartDate,
    }

    SearchSort = crate::search::SearchSort {
        /// Best match first (ties newest first).
        Relevance,
        /// Most recently published first.
        Newest,
    }

    /// The facets a search counts and filters on.
    FacetName = crate::search::FacetName {
        Kind,
        Category,
        CareSetting,
        Specialty,
        Region,
        Status,
        EsfTier,
        Standard,
        Recommendation,
        Design,
        EvidenceRating,
    }
);

mirror!(
    /// How a saved comparison's input stands now.
    SinceSaved = crate::service::comparisons::SinceSaved {
        /// As it was when saved.
        Unchanged,
        /// The measure has been amended since.
        Amended,
        /// The pilot has been withdrawn since.
        Withdrawn,
        /// The measure no longer exists.
        Removed,
    }
);

/// Defaults for arguments that may be left out, the domain's own.
macro_rules! default_from_domain {
    ($($name:ident),+) => {
        $(impl Default for $name {
            fn default() -> Self {
                <$name as Mirror>::Domain::default().into()
            }
        })+
    };
}

default_from_domain!(Sort, SearchSort, PoolingMethod);

/// The domain values of a list of API values.
pub fn domain_all<T: Mirror>(values: Vec<T>) -> Vec<T::Domain> {
    values.into_iter().map(Into::into).collect()
}

/// The API values of a list of domain values.
pub fn api_all<T: Mirror>(values: &[T::Domain]) -> Vec<T>
where
    T::Domain: Copy,
{
    values.iter().map(|&v| v.into()).collect()
}
