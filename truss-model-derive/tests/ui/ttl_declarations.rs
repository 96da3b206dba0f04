use truss_model::Entity;

// Two expiries: a table's TTL reads one attribute.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "SESSION#{id}")]
struct Twice {
    id: String,
    #[truss(ttl)]
    expires_at: u64,
    #[truss(ttl)]
    deleted_at: u64,
}

// The version is not an expiry.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "SESSION#{id}")]
struct VersionToo {
    id: String,
    #[truss(version, ttl)]
    version: u64,
}

// Written and read under different names.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "SESSION#{id}")]
struct Renamed {
    id: String,
    #[truss(ttl)]
    #[serde(rename(serialize = "ttl", deserialize = "expires"))]
    expires_at: u64,
}

fn main() {}
