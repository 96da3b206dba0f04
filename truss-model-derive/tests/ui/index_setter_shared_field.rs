// `owner_id` feeds two indexes: only the setter that recomputes both exists,
// so neither index can go stale.
use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "LINK#{code}",
    sk = "META",
    index(name = "GSI1", pk = "OWNER#{owner_id}"),
    index(name = "GSI2", pk = "TEAM#{team}", sk = "OWNER#{owner_id}")
)]
struct Link {
    code: String,
    owner_id: String,
    team: String,
}

fn main() {
    let _both = Link::set_gsi1_and_gsi2("o".to_string(), "t".to_string());
    let _one = Link::set_gsi1("o".to_string());
}
