use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "PAIR#{a}#{a}")]
struct Pair {
    a: String,
}

fn main() {}
