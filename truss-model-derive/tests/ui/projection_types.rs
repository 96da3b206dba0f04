// A projection's fields are the entity's: a field the entity lacks and a
// field of another type than the entity's do not compile, and a projection
// names its entity.
use truss_model::{Entity, Projection};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "ORDER#{id}", sk = "ORDER")]
struct Order {
    id: String,
    total: i64,
}

#[derive(Projection)]
#[truss(entity = Order)]
struct WrongType {
    id: String,
    total: String,
}

#[derive(Projection)]
#[truss(entity = Order)]
struct NoSuchField {
    id: String,
    discount: i64,
}

#[derive(Projection)]
struct NoEntity {
    id: String,
}



#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "ORDER#{id}", sk = "LINE#{n}")]
struct Line {
    id: String,
    n: u32,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "USER#{id}", sk = "USER")]
struct User {
    id: String,
}

#[derive(truss_model::Collection)]
enum OrderItem {
    Order(Order),
    Line(Line),
}

#[derive(Projection)]
#[truss(entity = User)]
struct UserId {
    id: String,
}

// A variant whose entity is not one of the collection's.
#[derive(Projection)]
#[truss(collection = OrderItem)]
enum OrderCards {
    User(UserId),
}
fn main() {}
