use truss_model::Entity;

#[derive(serde::Serialize, serde::Deserialize)]
struct Score(f32);

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "BOARD#{board}", sk = "SCORE#{score}")]
struct Entry {
    board: String,
    score: Score,
}

fn main() {}
