//! The seal of the traits only the library and its derives implement.

/// Implemented for entities (a blanket impl beside [`Entity`](crate::Entity)),
/// for collections (by the `Collection` derive) and for [`Item`](crate::Item):
/// the supertrait that keeps `QueryTarget`, `ScanTarget` and the traits
/// built on them (`ChangeTarget`, `ScanWrite`) to the library's own
/// implementations. Not public API.
pub trait Generated {}

impl Generated for super::item::Item {}
