use truss_model::KeyPart;

#[derive(KeyPart, serde::Serialize, serde::Deserialize)]
enum Shipping {
    Standard,
    Express { days: u8 },
    Pickup(String),
}

#[derive(KeyPart)]
struct Pair(String, String);

fn main() {}
