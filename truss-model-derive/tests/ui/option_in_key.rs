use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "OWNER#{owner_id}")]
struct Link {
    code: String,
    owner_id: Option<String>,
}

fn main() {}
