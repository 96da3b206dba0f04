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

fn main() {}
