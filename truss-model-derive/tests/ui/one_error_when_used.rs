// A template mistake gives one message, not a cascade at every use site.
use truss_model::{Entity, Table};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{cod}", sk = "META")]
struct Link {
    code: String,
}

async fn save(table: &Table, link: &Link) {
    let _ = table.put(link).await;
}

fn main() {
    let _ = save;
}
