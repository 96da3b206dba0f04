use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META", index(name = "GSI1", sk = "LINK#{code}"))]
struct Link {
    code: String,
}

fn main() {}
