use truss_model::Entity;

// A string is no point in time DynamoDB's TTL can read.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "SESSION#{id}")]
struct Session {
    id: String,
    #[truss(ttl)]
    expires_at: String,
}

fn main() {}
