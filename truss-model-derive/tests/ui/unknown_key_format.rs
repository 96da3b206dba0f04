use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{created_at}", string_key_format = "raw")]
struct Clip {
    creator_id: String,
    #[truss(key_format = "rfc3339_ms")]
    created_at: u64,
    #[truss(key_format = "lowercase")]
    title: String,
    #[truss(key_format = "width(0)")]
    views: u64,
}

fn main() {}
