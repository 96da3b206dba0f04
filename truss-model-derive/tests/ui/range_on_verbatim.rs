use truss_model::Entity;

// Keys as DynamoDB-Toolbox writes them: `POKEMON#Mr Mime`, `LEVEL#Mr Mime`.
#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "TRAINER#{trainer}", sk = "POKEMON#{name}", string_key_format = "verbatim")]
struct Pokemon {
    trainer: String,
    name: String,
}

fn main() {
    // Equality is exact: the segment ends at the delimiter.
    let _ = Pokemon::sort_key().eq("Mr Mime");
    // A space sorts below `#`: verbatim text does not keep order.
    let _ = Pokemon::sort_key().gt("Mr Mime");
}
