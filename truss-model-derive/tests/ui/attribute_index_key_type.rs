//! A field whose type DynamoDB cannot key on is reported at the field.
use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "TASK#{id}", index(name = "ByDone", partition = [done]))]
struct Task {
    id: String,
    done: bool,
}

fn main() {}
