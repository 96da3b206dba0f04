use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{}", sk = "META")]
struct Link {
    code: String,
}

fn main() {}
