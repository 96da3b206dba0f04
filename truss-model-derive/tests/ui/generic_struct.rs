use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "BOX#{id}")]
struct Boxed<T> {
    id: String,
    value: T,
}

fn main() {}
