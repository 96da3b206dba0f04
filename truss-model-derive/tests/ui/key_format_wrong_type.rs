use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "ACCOUNT#{account}", sk = "SEQ#{seq}")]
struct Entry {
    #[truss(key_format = "width(6)")]
    account: String,
    #[truss(key_format = "rfc3339_millis")]
    seq: u32,
}

fn main() {}
