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

// Left to serde (by the attribute, or by one the generated code does not
// follow) without serde impls: the error is at what chose serde.
#[derive(Entity)]
#[truss(pk = "PLAIN#{id}", sk = "PLAIN", codec = "serde")]
struct Plain {
    id: String,
}

#[derive(Entity)]
#[truss(pk = "FLAT#{id}", sk = "FLAT")]
struct Flat {
    id: String,
    #[serde(flatten)]
    extra: std::collections::HashMap<String, String>,
}

fn main() {}
