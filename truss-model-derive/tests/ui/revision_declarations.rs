//! Mistakes in declaring a schema revision, all reported at once.
use truss_model::Entity;

#[derive(serde::Deserialize)]
struct ProfileV1 {
    id: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{id}", sk = "PROFILE", revision(2, from(2 = ProfileV1, 0 = ProfileV1)))]
struct NotOlder {
    id: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{id}", sk = "PROFILE", revision(3, from(1 = ProfileV1, 1 = ProfileV1)))]
struct Twice {
    id: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{id}", sk = "PROFILE", revision(2, write_back))]
struct NothingToWriteBack {
    id: String,
}

/// The revision is not the optimistic-locking version.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{id}", sk = "PROFILE", revision(2, attr = "version"))]
struct ConfusedWithVersion {
    id: String,
    #[truss(version)]
    version: u64,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{id}", sk = "PROFILE", revision(2, from(1 = ProfileV1), rename = "x"))]
struct UnknownSetting {
    id: String,
}

fn main() {}
