use sea_orm::entity::prelude::*;

/// A draft shared before publication: the members of `organisation_id` read the pilot as its
/// host's members do (see `service::sharing`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pilot_shares")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pilot_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub organisation_id: Uuid,
    pub shared_by_user_id: Option<Uuid>,
    pub shared_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
