use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "A#{id}",
    constant(name = "kind", value = "a"),
    constant(name = "kind", value = "b"),
    constant(name = "label", value = "x"),
    constant(name = "flag", value = true)
)]
struct A {
    id: String,
    label: String,
}

fn main() {}
