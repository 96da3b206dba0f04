// Fields in index templates have read-only handles, so index keys never go stale.
use truss_model::{Entity, Table};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META", index(name = "GSI1", pk = "OWNER#{owner_id}"))]
struct Link {
    code: String,
    owner_id: Option<String>,
}

async fn reassign(table: &Table) {
    let _ = table.update(Link::key("a")).set(Link::OWNER_ID, Some("b".to_string())).await;
}

fn main() {
    let _ = reassign;
}
