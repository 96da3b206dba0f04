// Index projections and kept timestamps are checked where they are
// declared: an unknown projection type, `projection` with `include`, an
// included field that does not exist, and a timestamp in a key template.
use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "TICKET#{id}",
    sk = "TICKET",
    index(name = "A", pk = "S#{status}", projection = "some"),
    index(name = "B", pk = "S#{status}", projection = "keys_only", include = [title]),
    index(name = "C", pk = "S#{status}", include = [title, nope])
)]
struct Ticket {
    id: String,
    status: String,
    title: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "NOTE#{id}", sk = "AT#{created}")]
struct Note {
    id: String,
    #[truss(created_at)]
    created: u64,
}

fn main() {}
