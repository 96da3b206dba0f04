use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "ORDER#{order_id}", sk = "LINE#{line}")]
struct OrderLine {
    order_id: String,
    #[truss(key_format = "unpadded")]
    line: u32,
}

fn main() {
    // Equality is fine: it needs no order.
    let _ = OrderLine::sort_key().eq(3u32);
    // `10` sorts before `9` unpadded: a range would select the wrong lines.
    let _ = OrderLine::sort_key().gt(9u32);
}
