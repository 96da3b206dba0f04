use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "DOC#{id}")]
struct Doc {
    id: String,
    #[truss(version)]
    version: i32,
}

fn main() {}
