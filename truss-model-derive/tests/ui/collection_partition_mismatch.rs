use truss_model::{Collection, Entity};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META")]
struct Link {
    code: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "OWNER#{owner}", sk = "PROFILE")]
struct Owner {
    owner: String,
}

#[derive(Collection)]
enum Items {
    Link(Link),
    Owner(Owner),
}

fn main() {}
