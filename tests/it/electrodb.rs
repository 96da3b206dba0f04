//! ElectroDB interop: ElectroDB 3 (run with `node`, see
//! `tests/js/electrodb.cjs`) writes a service of two entities in one
//! collection with its default key format and type attributes; truss-model
//! entities declared to match read them singly and as a collection, create
//! and update items, and ElectroDB reads those back with `get` and its
//! collection query.
//!
//! The mapping (also in the guide, "Adopting an existing table"):
//! ElectroDB's `$taskapp#officeid_gwinn` is the template
//! `$taskapp#officeid_{office_id}` with the field in `lowercase` format;
//! `$office#employee_1#employeeid_jlowe` is
//! `$office#employee_1#employeeid_{employee_id}`; `__edb_e__` and
//! `__edb_v__` are checked constants.

use crate::common::js::{node, node_json};
use crate::common::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use truss_model::{Collection, Entity, Table};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "$taskapp#officeid_{office_id}",
    sk = "$office#employee_1#employeeid_{employee_id}",
    checked_constant(__edb_e__ = "employee", __edb_v__ = "1")
)]
#[serde(rename_all = "camelCase")]
struct Employee {
    #[truss(key_format = "lowercase")]
    office_id: String,
    #[truss(key_format = "lowercase")]
    employee_id: String,
    name: String,
    salary: u64,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "$taskapp#officeid_{office_id}",
    sk = "$office#task_1#taskid_{task_id}",
    checked_constant(__edb_e__ = "task", __edb_v__ = "1")
)]
#[serde(rename_all = "camelCase")]
struct Task {
    #[truss(key_format = "lowercase")]
    office_id: String,
    #[truss(key_format = "lowercase")]
    task_id: String,
    title: String,
    points: u32,
}

/// ElectroDB's `office` collection.
#[derive(Collection, Debug, PartialEq)]
enum Office {
    Employee(Employee),
    Task(Task),
}

/// A table with ElectroDB's key attribute names, created by the library.
async fn electrodb_table(test: &str) -> Table {
    let table = Table::new(client().await, table_name(test))
        .with_partition_key("pk")
        .with_sort_key("sk");
    table
        .definition()
        .entity::<Employee>()
        .entity::<Task>()
        .create()
        .await
        .expect("create table");
    table
}

fn electrodb(args: &[&str]) -> serde_json::Value {
    node_json("electrodb.cjs", args)
}

#[tokio::test]
async fn electrodb_items_read_singly_and_as_a_collection() {
    let table = electrodb_table("electrodb-read").await;
    node("electrodb.cjs", &["seed", table.name()]);

    // Keys fold to lower case, so the value as the application has it
    // finds the item; the attributes keep the original text.
    let jane = table
        .get(Employee::key("Gwinn", "JLowe"))
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        jane,
        Employee {
            office_id: "Gwinn".into(),
            employee_id: "JLowe".into(),
            name: "Jane Lowe".into(),
            salary: 100,
        }
    );
    let office = table
        .query(Employee::partition("Gwinn").collection::<Office>())
        .all()
        .await
        .expect("collection");
    assert_eq!(office.len(), 3);
    assert_eq!(office[0], Office::Employee(jane));
    assert!(matches!(&office[1], Office::Employee(e) if e.employee_id == "TDavis"));
    assert!(matches!(&office[2], Office::Task(t) if t.task_id == "T-1" && t.points == 3));
    // Entity queries stay in their lane.
    let employees = table
        .query(Employee::partition("gwinn"))
        .all()
        .await
        .expect("query");
    assert_eq!(employees.len(), 2);
    let tasks = table
        .query(Task::partition("GWINN"))
        .all()
        .await
        .expect("query");
    assert_eq!(tasks.len(), 1);
}

#[tokio::test]
async fn items_the_library_writes_are_read_by_electrodb() {
    let table = electrodb_table("electrodb-write").await;
    node("electrodb.cjs", &["seed", table.name()]);

    table
        .create(&Employee {
            office_id: "Gwinn".into(),
            employee_id: "AKhan".into(),
            name: "Ana Khan".into(),
            salary: 120,
        })
        .await
        .expect("create");
    table
        .update(Employee::key("Gwinn", "JLowe"))
        .set(Employee::SALARY, 110u64)
        .must_exist()
        .await
        .expect("update an ElectroDB item");
    // An update that creates the item writes its keys' fields and the type
    // attributes, so ElectroDB owns it.
    table
        .update(Task::key("Gwinn", "T-2"))
        .set(Task::TITLE, "Paint the door")
        .set(Task::POINTS, 5u32)
        .await
        .expect("upsert");
    assert_eq!(
        scan(&table).await.len(),
        5,
        "one item per write, none duplicated"
    );

    assert_eq!(
        electrodb(&["get-employee", table.name(), "Gwinn", "AKhan"]),
        json!({"officeId": "Gwinn", "employeeId": "AKhan", "name": "Ana Khan", "salary": 120})
    );
    assert_eq!(
        electrodb(&["get-employee", table.name(), "Gwinn", "JLowe"])["salary"],
        110
    );
    assert_eq!(
        electrodb(&["get-task", table.name(), "Gwinn", "T-2"]),
        json!({"officeId": "Gwinn", "taskId": "T-2", "title": "Paint the door", "points": 5})
    );
    let office = electrodb(&["office", table.name(), "Gwinn"]);
    let ids = |kind: &str, id: &str| -> Vec<String> {
        let mut ids: Vec<String> = office[kind]
            .as_array()
            .unwrap_or_else(|| panic!("no {kind} in {office}"))
            .iter()
            .map(|i| i[id].as_str().unwrap_or_default().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("employee", "employeeId"), ["AKhan", "JLowe", "TDavis"]);
    assert_eq!(ids("task", "taskId"), ["T-1", "T-2"]);

    // And the library reads all of it back as the same collection.
    let office = table
        .query(Task::partition("Gwinn").collection::<Office>())
        .all()
        .await
        .expect("collection");
    assert_eq!(office.len(), 5);
}
