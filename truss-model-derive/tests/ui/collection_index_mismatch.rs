use truss_model::{Collection, Entity};

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "EMPLOYEE#{id}", sk = "META", index(name = "ByOffice", pk = "OFFICE#{office}", sk = "EMPLOYEE#{id}"))]
struct Employee {
    id: String,
    office: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "OFFICE#{office}", sk = "META", index(name = "ByOffice", pk = "SITE#{office}", sk = "OFFICE"))]
struct Office {
    office: String,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "TASK#{id}", sk = "META")]
struct Task {
    id: String,
}

// Office keys its index partition another way; Task has no such index.
#[derive(Collection)]
#[truss(index = "ByOffice")]
enum Workplace {
    Employee(Employee),
    Office(Office),
    Task(Task),
}

fn main() {}
