// An index holding only the keys cannot be decoded into whole entities:
// its partition says so, and the query offers `project` or `hydrate`.
use truss_model::{Entity, Table};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "TICKET#{id}",
    sk = "TICKET",
    index(name = "ByStatus", pk = "STATUS#{status}", projection = "keys_only")
)]
struct Ticket {
    id: String,
    status: String,
    body: String,
}

async fn demo(table: &Table) {
    let _ = table.query(Ticket::bystatus("open")).all().await;
}

fn main() {
    let _ = demo;
}
