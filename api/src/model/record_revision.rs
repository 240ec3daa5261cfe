use sea_orm::entity::prelude::*;

use super::enums::{EntryPoint, RecordKind, RevisionAction, Visibility};

/// One change to a pilot or a technology, kept for its history: who made it, when, through
/// which entry point and why, and the record's fields as people read them after it (see
/// `service::revisions`). Never edited once written.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "record_revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub record_kind: RecordKind,
    pub record_id: Uuid,
    /// 1 for the first revision of the record; each change adds one.
    pub revision: i32,
    pub action: RevisionAction,
    /// A pilot's visibility after the change, which decides who may read the revision.
    pub visibility: Option<Visibility>,
    /// `[{"field": …, "label": …, "value": … | null, "long": bool}]`
    pub snapshot: Json,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub entry_point: EntryPoint,
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
