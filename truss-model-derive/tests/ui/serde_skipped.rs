use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META")]
struct Link {
    #[serde(skip)]
    code: String,
    target: String,
}

fn main() {}
