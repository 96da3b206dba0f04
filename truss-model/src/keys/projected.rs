//! What a query can read from a partition: whole items, or, on an index
//! that projects only some attributes (`projection = "keys_only"`,
//! `include = [...]`), part of each item, which a projection reads or
//! hydration completes.

/// Partitions of the table, and of indexes projecting every attribute:
/// queries decode whole entities.
#[derive(Debug, Clone, Copy)]
pub enum Whole {}

/// Partitions of an index projecting only some attributes: queries read a
/// [`Projection`](crate::Projection) fitting what the index holds
/// ([`Query::project`](crate::Query::project)) or fetch the items
/// ([`Query::hydrate`](crate::Query::hydrate)).
#[derive(Debug, Clone, Copy)]
pub enum Partial {}

/// What a query decodes whole entities from: [`Whole`] partitions only.
#[diagnostic::on_unimplemented(
    message = "this index holds only some of the entity's attributes (`projection = \"keys_only\"` or `include = [...]`): a whole entity cannot be decoded from it",
    label = "an index projecting only some attributes",
    note = "read a projection of what the index holds with `.project::<P>()`, or fetch the whole items with `.hydrate()` (one BatchGetItem per page)"
)]
pub trait Complete: sealed::Sealed {}
impl Complete for Whole {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Whole {}
}
