//! The query shapes DynamoDB refuses on an index over attributes do not
//! compile: a partition attribute left out, a sort attribute skipped or
//! given after a range, a range on a timestamp (stored as text that does
//! not sort by time), `begins_with` on a number.
use chrono::{DateTime, Utc};
use truss_model::{Entity, SortCondition};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "ORDER#{id}",
    sk = "META",
    index(name = "ByTenant", partition = [tenant_id, region], sort = [placed_at, total]),
    index(name = "ByDay", partition = [tenant_id], sort = [created_at])
)]
struct Order {
    id: String,
    tenant_id: String,
    region: String,
    placed_at: u64,
    total: u32,
    created_at: DateTime<Utc>,
}

fn main() {
    // Allowed: every partition attribute; sort attributes left to right,
    // one range on the last one given.
    let _ = Order::bytenant("t1", "eu");
    let _: SortCondition<Order> = Order::bytenant_sort_key().eq(1).eq(2).into();
    let _ = Order::bytenant_sort_key().eq(1).gt(2);
    let _ = Order::byday_sort_key().begins_with("2026-05");

    // A partition attribute left out.
    let _ = Order::bytenant("t1");
    // Nothing after a range.
    let _ = Order::bytenant_sort_key().gt(1).eq(2);
    // No third sort attribute.
    let _ = Order::bytenant_sort_key().eq(1).eq(2).eq(3);
    // A range on a timestamp.
    let _ = Order::byday_sort_key().gt(DateTime::<Utc>::MIN_UTC);
    // `begins_with` on a number.
    let _ = Order::bytenant_sort_key().begins_with("1");
}
