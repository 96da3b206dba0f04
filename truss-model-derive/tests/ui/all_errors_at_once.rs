use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "CREATOR#{creator}", sk = "CLIP#{video}#{video}")]
struct Clip {
    creator_id: String,
    video_id: String,
}

fn main() {}
