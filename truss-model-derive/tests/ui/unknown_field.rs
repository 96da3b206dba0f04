use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "CREATOR#{creatr_id}", sk = "CLIP#{created_at}")]
struct Clip {
    creator_id: String,
    created_at: u64,
}

fn main() {}
