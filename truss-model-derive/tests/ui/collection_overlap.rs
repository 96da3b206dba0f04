use truss_model::{Collection, Entity};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "STAT#{date}")]
struct DailyStat {
    code: String,
    date: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "LINK#{code}", sk = "STAT#{day}")]
struct OtherStat {
    code: String,
    day: String,
}

#[derive(Collection)]
enum Items {
    Daily(DailyStat),
    Other(OtherStat),
}

fn main() {}
