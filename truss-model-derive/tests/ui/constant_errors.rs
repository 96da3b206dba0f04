use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "A#{id}",
    constant(kind = "a", "kind" = "b", label = "x"),
    checked_constant(flag = true, "" = "empty name")
)]
struct A {
    id: String,
    label: String,
}

fn main() {}
