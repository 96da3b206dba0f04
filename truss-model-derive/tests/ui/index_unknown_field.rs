use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META", index(name = "GSI1", pk = "OWNER#{owner}"))]
struct Link {
    code: String,
    owner_id: Option<String>,
}

fn main() {}
