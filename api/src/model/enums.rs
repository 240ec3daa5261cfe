//! Every closed list of the domain, stored as snake_case text (the migration's CHECKs hold the
//! same values) and read from the demo data in the same spelling.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a closed list stored as text, with its human label for pages and errors.
macro_rules! closed_list {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum,
            Serialize, Deserialize, async_graphql::Enum,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))", rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        #[cfg(test)]
        impl $name {
            /// Pairs of (serde spelling, database spelling) for every value.
            pub(crate) fn spellings() -> Vec<(String, String)> {
                use sea_orm::{ActiveEnum, Iterable};
                Self::iter()
                    .map(|v| {
                        let serde = serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_owned));
                        (serde.unwrap_or_default(), v.to_value())
                    })
                    .collect()
            }
        }

        impl $name {
            /// The label people read.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
        }
    };
}

closed_list!(
    /// What sort of body an organisation is.
    OrganisationKind {
        NhsTrust => "NHS trust",
        Icb => "Integrated care board",
        GpPractice => "GP practice",
        Pcn => "Primary care network",
        CommunityProvider => "Community provider",
        AmbulanceTrust => "Ambulance trust",
        Supplier => "Supplier",
        HealthInnovationNetwork => "Health Innovation Network",
        Other => "Other",
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
        NorthEastAndYorkshire => "North East and Yorkshire",
        NorthWest => "North West",
        Midlands => "Midlands",
        EastOfEngland => "East of England",
        London => "London",
        SouthEast => "South East",
        SouthWest => "South West",
    }
);

closed_list!(
    /// A member's role within one organisation.
    Role {
        Member => "Member",
        Innovator => "Innovator",
        Evaluator => "Evaluator",
        Commissioner => "Commissioner",
    }
);

closed_list!(
    /// Where a membership came from: granted by an administrator (or an accepted invitation),
    /// or read from the identity provider's organisation claim at sign-in (and kept in step
    /// with it at every sign-in).
    MembershipSource {
        Administrator => "Granted by an administrator",
        Claim => "From the identity provider",
    }
);

closed_list!(
    /// Who may read a pilot or report.
    Visibility {
        Draft => "Draft (own organisation only)",
        Nhs => "NHS (signed-in NHS staff)",
        Public => "Public",
    }
);

closed_list!(
    TechnologyCategory {
        RemoteMonitoring => "Remote monitoring",
        VirtualWard => "Virtual ward",
        AiDiagnostics => "AI diagnostics",
        DigitalTherapeutics => "Digital therapeutics",
        OnlineConsultation => "Online consultation",
        PatientFlow => "Patient flow",
        ClinicalDecisionSupport => "Clinical decision support",
        MedicinesManagement => "Medicines management",
        PointOfCareTesting => "Point-of-care testing",
        Workforce => "Workforce",
        PatientEngagement => "Patient engagement",
        PopulationHealth => "Population health",
        Imaging => "Imaging",
        CareCoordination => "Care coordination",
    }
);

closed_list!(
    Specialty {
        Cardiology => "Cardiology",
        Dermatology => "Dermatology",
        Respiratory => "Respiratory",
        DiabetesEndocrinology => "Diabetes and endocrinology",
        MentalHealth => "Mental health",
        Radiology => "Radiology",
        Ophthalmology => "Ophthalmology",
        Oncology => "Oncology",
        EmergencyMedicine => "Emergency medicine",
        GeneralPractice => "General practice",
        Musculoskeletal => "Musculoskeletal",
        Neurology => "Neurology",
        Paediatrics => "Paediatrics",
        Maternity => "Maternity",
        Frailty => "Frailty",
        Renal => "Renal",
        Gastroenterology => "Gastroenterology",
        Pathology => "Pathology",
        Pharmacy => "Pharmacy",
        Stroke => "Stroke",
        Surgery => "Surgery",
        Urology => "Urology",
        CriticalCare => "Critical care",
        PalliativeCare => "Palliative care",
    }
);

closed_list!(
    CareSetting {
        Primary => "Primary care",
        Secondary => "Secondary care",
        Community => "Community care",
        MentalHealth => "Mental health",
        UrgentAndEmergency => "Urgent and emergency care",
        SocialCare => "Social care",
    }
);

closed_list!(
    /// Interoperability standards a technology supports.
    Standard {
        FhirR4UkCore => "FHIR R4 UK Core",
        Hl7V2 => "HL7 v2",
        Dicom => "DICOM",
        SnomedCt => "SNOMED CT",
        Dmd => "dm+d",
        GpConnect => "GP Connect",
        Im1 => "IM1",
        Pds => "PDS",
        NhsLogin => "NHS login",
        Cis2 => "CIS2",
        Mesh => "MESH",
        Ers => "e-Referral Service",
    }
);

closed_list!(
    /// Medical device classification under UK MDR.
    DeviceClass {
        NotADevice => "Not a medical device",
        ClassI => "Class I",
        ClassIia => "Class IIa",
        ClassIib => "Class IIb",
        ClassIii => "Class III",
    }
);

closed_list!(
    /// NICE Evidence Standards Framework tier.
    EsfTier {
        A => "Tier A",
        B => "Tier B",
        C => "Tier C",
    }
);

closed_list!(
    /// Sections of the Digital Technology Assessment Criteria.
    DtacSection {
        ClinicalSafety => "Clinical safety",
        DataProtection => "Data protection",
        TechnicalSecurity => "Technical security",
        Interoperability => "Interoperability",
        UsabilityAccessibility => "Usability and accessibility",
    }
);

closed_list!(
    DtacStatus {
        NotAssessed => "Not assessed",
        InProgress => "In progress",
        Met => "Met",
    }
);

closed_list!(
    PilotStatus {
        Planned => "Planned",
        Live => "Live",
        Completed => "Completed",
        Stopped => "Stopped",
        ScaledUp => "Scaled up",
    }
);

closed_list!(
    EvaluationDesign {
        BeforeAfter => "Before and after",
        InterruptedTimeSeries => "Interrupted time series",
        Rct => "Randomised controlled trial",
        ClusterRct => "Cluster randomised controlled trial",
        SteppedWedge => "Stepped wedge",
        Qualitative => "Qualitative",
        MixedMethods => "Mixed methods",
        ServiceEvaluation => "Service evaluation",
    }
);

closed_list!(
    EvaluatorKind {
        Internal => "Internal",
        Independent => "Independent",
    }
);

closed_list!(
    /// The unit a metric is measured in; it bounds the values a measure may take.
    MetricUnit {
        Proportion => "proportion",
        Percent => "%",
        Count => "count",
        Minutes => "minutes",
        Hours => "hours",
        Days => "days",
        Gbp => "£",
        Score => "score",
        RatePerThousand => "per 1,000",
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
        HigherIsBetter => "Higher is better",
        LowerIsBetter => "Lower is better",
    }
);

closed_list!(
    MetricDomain {
        ClinicalOutcome => "Clinical outcome",
        PatientExperience => "Patient experience",
        StaffExperience => "Staff experience and workload",
        OperationalEfficiency => "Operational efficiency",
        Financial => "Financial",
        Safety => "Safety",
        EquityAccess => "Equity and access",
    }
);

closed_list!(
    /// Continuous metrics report a mean with SD; binary ones events out of n.
    MetricKind {
        Continuous => "Continuous",
        Binary => "Binary",
    }
);

closed_list!(
    /// How a pilot's result is compared with its baseline, across pilots.
    EffectMeasure {
        Md => "Mean difference",
        Smd => "Standardised mean difference (Hedges' g)",
        Rr => "Risk ratio",
        Or => "Odds ratio",
        Rd => "Risk difference (percentage points)",
    }
);

closed_list!(
    /// The estimator of between-pilot variance (τ²) for the random-effects pooled estimate.
    PoolingMethod {
        Reml => "Restricted maximum likelihood (REML)",
        Dl => "DerSimonian and Laird",
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
        CareSetting => "Care setting",
        CareLevel => "Primary or secondary care",
        Design => "Evaluation design",
        EsfTier => "NICE evidence standards tier",
        Region => "NHS England region",
        Comparator => "Comparator",
    }
);

closed_list!(
    /// What a measure's baseline is.
    Comparator {
        BeforeAfter => "The service before the pilot",
        ConcurrentControl => "A concurrent control group",
    }
);

closed_list!(
    Recommendation {
        Adopt => "Adopt",
        AdoptWithConditions => "Adopt with conditions",
        ExtendPilot => "Extend the pilot",
        DoNotAdopt => "Do not adopt",
    }
);

closed_list!(
    RevisionStatus {
        Draft => "Draft",
        Published => "Published",
    }
);

closed_list!(
    /// Where a change came from, for the audit log.
    EntryPoint {
        Graphql => "GraphQL API",
        Web => "Web",
        Cli => "Command line",
        Seed => "Seed",
        Worker => "Worker",
    }
);

impl IndexedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Technology => "technology",
            Self::Pilot => "pilot",
        }
    }

    pub fn from_str_value(value: &str) -> Option<Self> {
        match value {
            "technology" => Some(Self::Technology),
            "pilot" => Some(Self::Pilot),
            _ => None,
        }
    }
}

closed_list!(
    /// What a search document describes.
    IndexedKind {
        Technology => "Technology",
        Pilot => "Pilot",
    }
);

closed_list!(
    TokenScope {
        Read => "Read",
        ReadWrite => "Read and write",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo data and the API spell values as serde does; the database as sea-orm does.
    #[test]
    fn serde_and_the_database_spell_every_value_alike() {
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
            MetricUnit::spellings(),
            Direction::spellings(),
            MetricDomain::spellings(),
            MetricKind::spellings(),
            Comparator::spellings(),
            Recommendation::spellings(),
            RevisionStatus::spellings(),
            EntryPoint::spellings(),
            IndexedKind::spellings(),
            TokenScope::spellings(),
        ];
        for (serde, database) in all.into_iter().flatten() {
            assert_eq!(serde, database);
        }
    }
}
