//! Technologies and their multi-valued attributes (specialties, care settings, standards, DTAC).
//! Innovators at the supplier register and edit them; administrators withdraw them.
//!
//! `validate` holds the rules a technology's details obey, `write` the changes, `read` the
//! reads and `attributes` the tables of multi-valued attributes.

mod attributes;
mod read;
mod validate;
mod write;

use chrono::NaiveDate;
use sea_orm::prelude::Uuid;

use crate::model::{
    CareSetting, DeviceClass, DtacSection, DtacStatus, EsfTier, Specialty, Standard,
    TechnologyCategory, technology, technology_dtac,
};

pub use attributes::with_attributes;
pub use read::{count_pilots, get, get_by_slug, get_many, list, supplied_by};
pub use validate::check;
pub use write::{register, update, withdraw};

/// A technology's standing against one DTAC section, as given.
#[derive(Debug, Clone)]
pub struct DtacInput {
    pub section: DtacSection,
    pub status: DtacStatus,
    pub assessed_on: Option<NaiveDate>,
    pub evidence_url: Option<String>,
}

/// Everything about a technology, as registered or updated.
#[derive(Debug, Clone)]
pub struct TechnologyInput {
    pub slug: String,
    pub name: String,
    pub supplier_id: Uuid,
    pub summary: String,
    pub description: String,
    pub category: TechnologyCategory,
    pub specialties: Vec<Specialty>,
    pub care_settings: Vec<CareSetting>,
    pub standards: Vec<Standard>,
    pub device_class: DeviceClass,
    pub ukca_marked: bool,
    pub ce_marked: bool,
    pub mhra_registered: bool,
    pub esf_tier: Option<EsfTier>,
    pub dtac: Vec<DtacInput>,
}

/// A technology with all its attributes.
#[derive(Debug, Clone)]
pub struct Technology {
    pub record: technology::Model,
    pub specialties: Vec<Specialty>,
    pub care_settings: Vec<CareSetting>,
    pub standards: Vec<Standard>,
    pub dtac: Vec<technology_dtac::Model>,
}

/// Which technologies a list covers (always within what the actor may read); set fields
/// combine.
#[derive(Debug, Clone, Default)]
pub struct TechnologyFilter {
    pub category: Option<TechnologyCategory>,
    pub specialty: Option<Specialty>,
    pub care_setting: Option<CareSetting>,
    pub standard: Option<Standard>,
    pub esf_tier: Option<EsfTier>,
    pub supplier_id: Option<Uuid>,
}
