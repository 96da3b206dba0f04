use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META", index(name = "GSI1", pk_attr = "GSI1PK"))]
struct Link {
    code: String,
}

fn main() {}
