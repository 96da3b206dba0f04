//! A vector index on a field that holds no list of numbers.
use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "DOC#{id}", sk = "META")]
struct Doc {
    id: String,
    #[truss(vector(index = "by_text", dimensions = 3, distance = "cosine"))]
    text: String,
}

fn main() {}
