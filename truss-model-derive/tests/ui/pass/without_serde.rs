//! An entity without serde impls of its own compiles, with serde's field
//! and container attributes read by the `Entity` derive alone, and can be
//! stored: its codec is the generated one.
use truss_model::{Codec, Entity, Table};

#[derive(Entity, Debug, Clone, PartialEq)]
#[truss(pk = "NOTE#{owner}", sk = "NOTE#{created_at}")]
#[serde(rename_all = "camelCase")]
pub struct Note {
    owner: String,
    created_at: u64,
    #[serde(rename = "Body Text", default)]
    body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned: Option<bool>,
}

fn store(table: &Table, note: &Note) -> truss_model::Result<truss_model::Item> {
    table.to_item(note)
}

fn main() {
    assert_eq!(Note::CODEC, Codec::Generated);
    let _ = store;
}
