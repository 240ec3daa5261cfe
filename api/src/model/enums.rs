//! Every closed list of the domain, stored as snake_case text (the migration's CHECKs hold the
//! same values) and read from the demo data in the same spelling.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A closed list's values as stored: in the database, in search documents and filters, and in
/// the demo data. Generic code that spells any closed list's value asks for it here, so no
/// spelling is worked out twice (or silently comes out empty).
pub trait Spelling: Copy {
    /// The value's stored snake_case spelling.
    fn as_str(self) -> &'static str;

    /// The value a stored spelling names, if any.
    fn from_spelling(value: &str) -> Option<Self>;

    /// The label people read.
    fn label(self) -> &'static str;
}

/// Declares a closed list stored as text, with its human label for pages and errors. Each
/// value's stored spelling is written once and serves sea-orm, serde and [`Spelling`] alike.
macro_rules! closed_list {
    ($(#[$meta:meta])* $name:ident {
        $($variant:ident = $spelling:literal => $label:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum,
            Serialize, Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
        pub enum $name {
            $(
                #[sea_orm(string_value = $spelling)]
                #[serde(rename = $spelling)]
                $variant
            ),+
        }

        #[cfg(test)]
        impl $name {
            /// (serde, database, `as_str`) spellings of every value.
            pub(crate) fn spellings() -> Vec<(String, String, &'static str)> {
                use sea_orm::{ActiveEnum, Iterable};
                Self::iter()
                    .map(|v| {
                        let serde = serde_json::to_value(v)
                            .ok()
                            .and_then(|j| j.as_str().map(str::to_owned));
                        (serde.unwrap_or_default(), v.to_value(), v.as_str())
                    })
                    .collect()
            }
        }

        impl $name {
            /// The label people read.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// The value as stored (snake_case).
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $spelling),+ }
            }

            /// The value a stored spelling names, if any.
            pub fn from_str_value(value: &str) -> Option<Self> {
                match value {
                    $($spelling => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl Spelling for $name {
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn from_spelling(value: &str) -> Option<Self> {
                $name::from_str_value(value)
            }

            fn label(self) -> &'static str {
                $name::label(self)
            }
        }
    };
}

closed_list!(
    /// What sort of body an organisation is.
    OrganisationKind {
        NhsTrust = "nhs_trust" => "NHS trust",
        Icb = "icb" => "Integrated care board",
        GpPractice = "gp_practice" => "GP practice",
        Pcn = "pcn" => "Primary care network",
        CommunityProvider = "community_provider" => "Community provider",
        AmbulanceTrust = "ambulance_trust" => "Ambulance trust",
        Supplier = "supplier" => "Supplier",
        HealthInnovationNetwork = "health_innovation_network" => "Health Innovation Network",
        Other = "other" => "Other",
    }
);

impl OrganisationKind {
    /// Whether members of this kind of body read `nhs` records. Health Innovation Networks are
    /// NHS-hosted; suppliers and other bodies are not NHS.
    pub fn is_nhs(self) -> bool {
        !matches!(self, Self::Supplier | Self::Other)
    }

    /// Whether pilots can be hosted here: NHS care and commissioning bodies.
    pub fn can_host_pilots(self) -> bool {
        self.is_nhs() && self != Self::HealthInnovationNetwork
    }

    /// Primary care rather than secondary or other care.
    pub fn is_primary_care(self) -> bool {
        matches!(self, Self::GpPractice | Self::Pcn)
    }
}

closed_list!(
    /// The seven NHS England regions.
    Region {
        NorthEastAndYorkshire = "north_east_and_yorkshire" => "North East and Yorkshire",
        NorthWest = "north_west" => "North West",
        Midlands = "midlands" => "Midlands",
        EastOfEngland = "east_of_england" => "East of England",
        London = "london" => "London",
        SouthEast = "south_east" => "South East",
        SouthWest = "south_west" => "South West",
    }
);

closed_list!(
    /// A member's role within one organisation.
    Role {
        Member = "member" => "Member",
        Innovator = "innovator" => "Innovator",
        Evaluator = "evaluator" => "Evaluator",
        Commissioner = "commissioner" => "Commissioner",
    }
);

closed_list!(
    /// Where a membership came from: granted by an administrator (or an accepted invitation),
    /// or read from the identity provider's organisation claim at sign-in (and kept in step
    /// with it at every sign-in).
    MembershipSource {
        Administrator = "administrator" => "Granted by an administrator",
        Claim = "claim" => "From the identity provider",
    }
);

closed_list!(
    /// Who may read a pilot or report.
    Visibility {
        Draft = "draft" => "Draft (own organisation only)",
        Nhs = "nhs" => "NHS (signed-in NHS staff)",
        Public = "public" => "Public",
    }
);

closed_list!(
    TechnologyCategory {
        RemoteMonitoring = "remote_monitoring" => "Remote monitoring",
        VirtualWard = "virtual_ward" => "Virtual ward",
        AiDiagnostics = "ai_diagnostics" => "AI diagnostics",
        DigitalTherapeutics = "digital_therapeutics" => "Digital therapeutics",
        OnlineConsultation = "online_consultation" => "Online consultation",
        PatientFlow = "patient_flow" => "Patient flow",
        ClinicalDecisionSupport = "clinical_decision_support" => "Clinical decision support",
        MedicinesManagement = "medicines_management" => "Medicines management",
        PointOfCareTesting = "point_of_care_testing" => "Point-of-care testing",
        Workforce = "workforce" => "Workforce",
        PatientEngagement = "patient_engagement" => "Patient engagement",
        PopulationHealth = "population_health" => "Population health",
        Imaging = "imaging" => "Imaging",
        CareCoordination = "care_coordination" => "Care coordination",
    }
);

closed_list!(
    Specialty {
        Cardiology = "cardiology" => "Cardiology",
        Dermatology = "dermatology" => "Dermatology",
        Respiratory = "respiratory" => "Respiratory",
        DiabetesEndocrinology = "diabetes_endocrinology" => "Diabetes and endocrinology",
        MentalHealth = "mental_health" => "Mental health",
        Radiology = "radiology" => "Radiology",
        Ophthalmology = "ophthalmology" => "Ophthalmology",
        Oncology = "oncology" => "Oncology",
        EmergencyMedicine = "emergency_medicine" => "Emergency medicine",
        GeneralPractice = "general_practice" => "General practice",
        Musculoskeletal = "musculoskeletal" => "Musculoskeletal",
        Neurology = "neurology" => "Neurology",
        Paediatrics = "paediatrics" => "Paediatrics",
        Maternity = "maternity" => "Maternity",
        Frailty = "frailty" => "Frailty",
        Renal = "renal" => "Renal",
        Gastroenterology = "gastroenterology" => "Gastroenterology",
        Pathology = "pathology" => "Pathology",
        Pharmacy = "pharmacy" => "Pharmacy",
        Stroke = "stroke" => "Stroke",
        Surgery = "surgery" => "Surgery",
        Urology = "urology" => "Urology",
        CriticalCare = "critical_care" => "Critical care",
        PalliativeCare = "palliative_care" => "Palliative care",
    }
);

closed_list!(
    CareSetting {
        Primary = "primary" => "Primary care",
        Secondary = "secondary" => "Secondary care",
        Community = "community" => "Community care",
        MentalHealth = "mental_health" => "Mental health",
        UrgentAndEmergency = "urgent_and_emergency" => "Urgent and emergency care",
        SocialCare = "social_care" => "Social care",
    }
);

closed_list!(
    /// Interoperability standards a technology supports.
    Standard {
        FhirR4UkCore = "fhir_r4_uk_core" => "FHIR R4 UK Core",
        Hl7V2 = "hl7_v2" => "HL7 v2",
        Dicom = "dicom" => "DICOM",
        SnomedCt = "snomed_ct" => "SNOMED CT",
        Dmd = "dmd" => "dm+d",
        GpConnect = "gp_connect" => "GP Connect",
        Im1 = "im1" => "IM1",
        Pds = "pds" => "PDS",
        NhsLogin = "nhs_login" => "NHS login",
        Cis2 = "cis2" => "CIS2",
        Mesh = "mesh" => "MESH",
        Ers = "ers" => "e-Referral Service",
    }
);

closed_list!(
    /// Medical device classification under UK MDR.
    DeviceClass {
        NotADevice = "not_a_device" => "Not a medical device",
        ClassI = "class_i" => "Class I",
        ClassIia = "class_iia" => "Class IIa",
        ClassIib = "class_iib" => "Class IIb",
        ClassIii = "class_iii" => "Class III",
    }
);

closed_list!(
    /// NICE Evidence Standards Framework tier.
    EsfTier {
        A = "a" => "Tier A",
        B = "b" => "Tier B",
        C = "c" => "Tier C",
    }
);

closed_list!(
    /// Sections of the Digital Technology Assessment Criteria.
    DtacSection {
        ClinicalSafety = "clinical_safety" => "Clinical safety",
        DataProtection = "data_protection" => "Data protection",
        TechnicalSecurity = "technical_security" => "Technical security",
        Interoperability = "interoperability" => "Interoperability",
        UsabilityAccessibility = "usability_accessibility" => "Usability and accessibility",
    }
);

closed_list!(
    DtacStatus {
        NotAssessed = "not_assessed" => "Not assessed",
        InProgress = "in_progress" => "In progress",
        Met = "met" => "Met",
    }
);

closed_list!(
    PilotStatus {
        Planned = "planned" => "Planned",
        Live = "live" => "Live",
        Completed = "completed" => "Completed",
        Stopped = "stopped" => "Stopped",
        ScaledUp = "scaled_up" => "Scaled up",
    }
);

closed_list!(
    EvaluationDesign {
        BeforeAfter = "before_after" => "Before and after",
        InterruptedTimeSeries = "interrupted_time_series" => "Interrupted time series",
        Rct = "rct" => "Randomised controlled trial",
        ClusterRct = "cluster_rct" => "Cluster randomised controlled trial",
        SteppedWedge = "stepped_wedge" => "Stepped wedge",
        Qualitative = "qualitative" => "Qualitative",
        MixedMethods = "mixed_methods" => "Mixed methods",
        ServiceEvaluation = "service_evaluation" => "Service evaluation",
    }
);

closed_list!(
    EvaluatorKind {
        Internal = "internal" => "Internal",
        Independent = "independent" => "Independent",
    }
);

closed_list!(
    /// How far a pilot's evaluation can be relied on, after the AHRQ Innovations Exchange's
    /// evidence ratings; derived by `evidence::rating` (never stored), and listed strongest
    /// first.
    EvidenceRating {
        Strong = "strong" => "Strong",
        Moderate = "moderate" => "Moderate",
        Suggestive = "suggestive" => "Suggestive",
    }
);

closed_list!(
    /// The unit a metric is measured in; it bounds the values a measure may take.
    MetricUnit {
        Proportion = "proportion" => "proportion",
        Percent = "percent" => "%",
        Count = "count" => "count",
        Minutes = "minutes" => "minutes",
        Hours = "hours" => "hours",
        Days = "days" => "days",
        Gbp = "gbp" => "£",
        Score = "score" => "score",
        RatePerThousand = "rate_per_thousand" => "per 1,000",
    }
);

impl MetricUnit {
    /// The values a reading in this unit can plausibly take, whatever the metric. A metric's
    /// own bounds narrow this range; nothing widens it. Past these, a figure is a typing
    /// error (minutes for hours, pounds for pence), and it would swamp every comparison.
    pub fn plausible_range(self) -> (f64, f64) {
        match self {
            Self::Proportion => (0.0, 1.0),
            Self::Percent => (0.0, 100.0),
            // Waits and turnaround times in minutes stay within a day.
            Self::Minutes => (0.0, 1_440.0),
            // Within a (leap) year.
            Self::Hours => (0.0, 8_784.0),
            // Within ten years.
            Self::Days => (0.0, 3_660.0),
            // Up to £10 billion: an ICB's whole budget is a few billion.
            Self::Gbp => (0.0, 1e10),
            Self::Count => (0.0, 1e9),
            Self::RatePerThousand => (0.0, 1e6),
            // Scales are given their own bounds by the catalogue; this only keeps them finite.
            Self::Score => (-1e6, 1e6),
        }
    }
}

closed_list!(
    Direction {
        HigherIsBetter = "higher_is_better" => "Higher is better",
        LowerIsBetter = "lower_is_better" => "Lower is better",
    }
);

closed_list!(
    MetricDomain {
        ClinicalOutcome = "clinical_outcome" => "Clinical outcome",
        PatientExperience = "patient_experience" => "Patient experience",
        StaffExperience = "staff_experience" => "Staff experience and workload",
        OperationalEfficiency = "operational_efficiency" => "Operational efficiency",
        Financial = "financial" => "Financial",
        Safety = "safety" => "Safety",
        EquityAccess = "equity_access" => "Equity and access",
    }
);

closed_list!(
    /// Continuous metrics report a mean with SD; binary ones events out of n.
    MetricKind {
        Continuous = "continuous" => "Continuous",
        Binary = "binary" => "Binary",
    }
);

closed_list!(
    /// How a pilot's result is compared with its baseline, across pilots.
    EffectMeasure {
        Md = "md" => "Mean difference",
        Smd = "smd" => "Standardised mean difference (Hedges' g)",
        Rr = "rr" => "Risk ratio",
        Or = "or" => "Odds ratio",
        Rd = "rd" => "Risk difference (percentage points)",
    }
);

closed_list!(
    /// The estimator of between-pilot variance (τ²) for the random-effects pooled estimate.
    PoolingMethod {
        Reml = "reml" => "Restricted maximum likelihood (REML)",
        Dl = "dl" => "DerSimonian and Laird",
    }
);

impl Default for PoolingMethod {
    /// REML, RevMan's default since 2025.
    fn default() -> Self {
        PoolingMethod::Reml
    }
}

closed_list!(
    /// What a comparison's pilots may be split into subgroups by.
    SubgroupBy {
        CareSetting = "care_setting" => "Care setting",
        CareLevel = "care_level" => "Primary or secondary care",
        Design = "design" => "Evaluation design",
        EsfTier = "esf_tier" => "NICE evidence standards tier",
        Region = "region" => "NHS England region",
        Comparator = "comparator" => "Comparator",
    }
);

closed_list!(
    /// What a measure's baseline is.
    Comparator {
        BeforeAfter = "before_after" => "The service before the pilot",
        ConcurrentControl = "concurrent_control" => "A concurrent control group",
    }
);

closed_list!(
    Recommendation {
        Adopt = "adopt" => "Adopt",
        AdoptWithConditions = "adopt_with_conditions" => "Adopt with conditions",
        ExtendPilot = "extend_pilot" => "Extend the pilot",
        DoNotAdopt = "do_not_adopt" => "Do not adopt",
    }
);

closed_list!(
    RevisionStatus {
        Draft = "draft" => "Draft",
        Published = "published" => "Published",
    }
);

closed_list!(
    /// Where a change came from, for the audit log.
    EntryPoint {
        Graphql = "graphql" => "GraphQL API",
        Web = "web" => "Web",
        Cli = "cli" => "Command line",
        Seed = "seed" => "Seed",
        Worker = "worker" => "Worker",
    }
);

closed_list!(
    /// What kind of record a revision in `record_revisions` is of (reports keep their own).
    RecordKind {
        Pilot = "pilot" => "Pilot",
        Technology = "technology" => "Technology",
    }
);

closed_list!(
    /// What a change to a pilot or technology did, as its revision records it.
    RevisionAction {
        Register = "register" => "Registered",
        Update = "update" => "Updated",
        Publish = "publish" => "Published",
        Withdraw = "withdraw" => "Withdrawn",
    }
);

closed_list!(
    /// What a search document describes.
    IndexedKind {
        Technology = "technology" => "Technology",
        Pilot = "pilot" => "Pilot",
    }
);

closed_list!(
    TokenScope {
        Read = "read" => "Read",
        ReadWrite = "read_write" => "Read and write",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo data spells values as serde does, the database as sea-orm does, and search
    /// documents and filters as `as_str` does: all three must agree, and none may be empty.
    #[test]
    fn serde_the_database_and_as_str_spell_every_value_alike() {
        let all = [
            OrganisationKind::spellings(),
            Region::spellings(),
            Role::spellings(),
            MembershipSource::spellings(),
            EffectMeasure::spellings(),
            PoolingMethod::spellings(),
            SubgroupBy::spellings(),
            Visibility::spellings(),
            TechnologyCategory::spellings(),
            Specialty::spellings(),
            CareSetting::spellings(),
            Standard::spellings(),
            DeviceClass::spellings(),
            EsfTier::spellings(),
            DtacSection::spellings(),
            DtacStatus::spellings(),
            PilotStatus::spellings(),
            EvaluationDesign::spellings(),
            EvaluatorKind::spellings(),
            EvidenceRating::spellings(),
            MetricUnit::spellings(),
            Direction::spellings(),
            MetricDomain::spellings(),
            MetricKind::spellings(),
            Comparator::spellings(),
            Recommendation::spellings(),
            RevisionStatus::spellings(),
            EntryPoint::spellings(),
            IndexedKind::spellings(),
            RecordKind::spellings(),
            RevisionAction::spellings(),
            TokenScope::spellings(),
        ];
        for (serde, database, spelled) in all.into_iter().flatten() {
            assert!(!spelled.is_empty());
            assert_eq!(serde, database);
            assert_eq!(serde, spelled);
        }
        assert_eq!(
            IndexedKind::from_str_value("technology"),
            Some(IndexedKind::Technology)
        );
        assert_eq!(IndexedKind::from_str_value("Technology"), None);
    }
}
