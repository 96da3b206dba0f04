//! An older revision's type must convert into the entity: the error
//! points at the type listed.
use truss_model::Entity;

#[derive(serde::Deserialize)]
struct ProfileV1 {
    id: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{id}", sk = "PROFILE", revision(2, from(1 = ProfileV1)))]
struct Profile {
    id: String,
    plan: String,
}

fn main() {}
