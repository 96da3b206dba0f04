use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{owner}")]
struct Link {
    code: String,
    target: String,
}

fn main() {}
