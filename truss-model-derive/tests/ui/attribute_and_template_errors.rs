use truss_model::Entity;

// A field attribute error and a template error, reported together.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{user}")]
struct User {
    #[truss(key_formt = "lowercase")]
    user_id: String,
}

fn main() {}
