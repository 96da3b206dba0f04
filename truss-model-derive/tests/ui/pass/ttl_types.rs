use chrono::{DateTime, Utc};
use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "A#{id}")]
struct Dates {
    id: String,
    #[truss(ttl)]
    expires_at: DateTime<Utc>,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "B#{id}")]
struct Seconds {
    id: String,
    #[truss(ttl)]
    expires_at: Option<i64>,
}

fn main() {
    assert_eq!(<Dates as Entity>::TTL.map(|t| t.attribute), Some("expires_at"));
    assert_eq!(<Seconds as Entity>::TTL.map(|t| t.attribute), Some("expires_at"));
}
