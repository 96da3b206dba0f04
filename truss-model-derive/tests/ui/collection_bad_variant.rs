use truss_model::{Collection, Entity};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META")]
struct Link {
    code: String,
}

#[derive(Collection)]
enum Items {
    Link(Link),
    Nothing,
    Pair(Link, Link),
}

// With the mistakes above, using the collection adds no errors of its own.
fn main() {
    let _ = Link::partition("x").collection::<Items>();
}
