use truss_model::{Entity, Nested};

// `codec` takes "serde" only.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "META", codec = "fast")]
struct Link {
    code: String,
}

#[derive(Nested, serde::Serialize, serde::Deserialize)]
#[truss(codec = "generated")]
struct Address {
    city: String,
}

// A nested struct without Deserialize: the generated codec needs both
// serde impls (as serde's own path does), and says so at the type.
#[derive(Nested, serde::Serialize)]
struct WriteOnly {
    city: String,
}

fn main() {}
