use truss_model::{Entity, Table};

mod as_text {
    pub fn serialize<S: serde::Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "ITEM#{id}", sk = "META")]
struct Item {
    id: String,
    #[serde(with = "as_text")]
    stock: u64,
}

async fn demo(table: Table) {
    // `set` writes through `as_text`, as a put does.
    let _ = table.update(Item::key("a")).set(Item::STOCK, 3u64).await;
    // What `as_text` stores for a delta is not known: this does not compile.
    let _ = table.update(Item::key("a")).add(Item::STOCK, 1).await;
}

fn main() {
    let _ = demo;
}
