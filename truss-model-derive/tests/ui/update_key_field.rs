// Key fields have read-only handles: updating one is a compile error.
use truss_model::{Entity, Table};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META")]
struct Link {
    code: String,
    clicks: u64,
}

async fn rename(table: &Table) {
    let _ = table.update(Link::key("a")).set(Link::CODE, "b").await;
}

fn main() {
    let _ = rename;
}
