// Paths and DynamoDB's expression functions are typed: a nested field that
// does not exist, `get` into a type with no nested fields, `contains` on a
// number, `size` of a number, set members on a string and `add` on text
// do not compile.
use std::collections::HashSet;
use truss_model::{Entity, Nested, Table};

#[derive(Nested, serde::Serialize, serde::Deserialize)]
struct Address {
    city: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "ORDER#{id}", sk = "ORDER")]
struct Order {
    id: String,
    total: i64,
    status: String,
    address: Address,
    tags: HashSet<String>,
}

async fn demo(table: &Table) {
    let _ = Order::ADDRESS.get(Address::ZIP);
    let _ = Order::STATUS.get(Address::CITY);
    let _ = Order::TOTAL.contains(4);
    let _ = Order::TOTAL.size();
    let _ = table
        .update(Order::key("a"))
        .add_members(Order::STATUS, ["x".to_string()])
        .await;
    let _ = table.update(Order::key("a")).add(Order::STATUS, "x".to_string()).await;
}

fn main() {
    let _ = demo;
}
