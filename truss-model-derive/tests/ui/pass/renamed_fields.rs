//! Keys over renamed fields, raw identifiers and every integer width compile,
//! and the generated API has the documented shape.
use truss_model::key_part::Keyed;
use truss_model::{Entity, EntityKey, Partition, SortKey};

#[derive(Entity, serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "T#{type}#{owner_id}",
    sk = "N#{a}#{b}#{c}#{d}#{e}#{f}#{g}#{h}#{flag}",
    name = "Wide",
    index(name = "by-note", pk = "NOTE#{note}", sk = "A#{a}", pk_attr = "notePK")
)]
#[serde(rename_all = "camelCase")]
pub struct Everything {
    r#type: String,
    #[serde(rename = "owner")]
    owner_id: String,
    a: u8,
    b: u16,
    c: u32,
    d: u64,
    e: i8,
    f: i16,
    g: i32,
    h: i64,
    flag: bool,
    note: Option<String>,
}

fn main() {
    let key: EverythingKey = Everything::key("t", "o", 1u8, 2u16, 3u32, 4u64, -1i8, -2i16, -3i32, -4i64, true);
    let mut pk = String::new();
    key.__write_pk(&mut pk).unwrap();
    assert_eq!(pk, "T#t#o");
    let _: Partition<Everything> = Everything::partition("t", "o");
    let _: SortKey<
        Everything,
        (Keyed<u8>, (Keyed<u16>, (Keyed<u32>, (Keyed<u64>, (Keyed<i8>, (Keyed<i16>, (Keyed<i32>, (Keyed<i64>, (Keyed<bool>, ()))))))))),
    > = Everything::sort_key();
    assert_eq!(<Everything as Entity>::NAME, "Wide");
    let fields: Vec<_> = <Everything as Entity>::PK.fields().map(|f| f.attribute).collect();
    assert_eq!(fields, ["type", "owner"]);
    let index = <Everything as Entity>::INDEXES[0];
    assert_eq!((index.name, index.pk_attribute, index.sk_attribute), ("by-note", "notePK", Some("by-noteSK")));
    let _: Partition<Everything> = Everything::by_note("some note");
    let _: SortKey<Everything, (Keyed<u8>, ())> = Everything::by_note_sort_key();
}
