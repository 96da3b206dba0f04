//! Mistakes in declaring an index over attributes, all reported at once.
use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "ORDER#{id}",
    sk = "META",
    partial_indexes = ["NoPartition", "Unknown", "Nowhere"],
    index(name = "TooWide", partition = [a, b, c, d, e]),
    index(name = "Unknown", partition = [tenant]),
    index(name = "Twice", partition = [a], sort = [b, a]),
    index(name = "Custom", partition = [written_by_hand]),
    index(name = "Mixed", partition = [a], pk = "A#{a}"),
    index(name = "NoPartition", sort = [a]),
    index(name = "TooWide", partition = [b])
)]
struct Order {
    id: String,
    a: String,
    b: String,
    c: String,
    d: String,
    e: String,
    tenant_id: String,
    #[serde(with = "as_text")]
    written_by_hand: u64,
}

mod as_text {
    pub fn serialize<S: serde::Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn main() {}
