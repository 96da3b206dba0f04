//! ElectroDB's documented human-resources service (`tests/js/electrodb_hr.cjs`:
//! employee, task and office, five GSIs, the index collections `workplaces`
//! and `assignments`), written by ElectroDB 3 itself with values that hold
//! spaces, mixed case and punctuation, and employees without a manager.
//!
//! Declared once per entity: `string_key_format = "verbatim_lowercase"`
//! (ElectroDB writes key text raw, folded to lower case), `partial_indexes`
//! (ElectroDB writes `$taskapp#manager_` for an absent manager), checked
//! constants for `__edb_e__` / `__edb_v__`. The library reads every item,
//! gets it by its key and puts it back byte for byte (index keys included);
//! ElectroDB's own gets, index queries and collections return what the
//! library writes.

use crate::common::js::{node, node_json};
use crate::common::*;
use aws_sdk_dynamodb::types::AttributeValue;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use truss_model::{Collection, Entity, Error, KeyPart, Table};

#[derive(KeyPart, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Team {
    Development,
    Marketing,
    Finance,
    Product,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "$taskapp#employee_{employee}",
    sk = "$employee_1",
    string_key_format = "verbatim_lowercase",
    partial_indexes = [
        "gsi1pk-gsi1sk-index",
        "gsi2pk-gsi2sk-index",
        "gsi4pk-gsi4sk-index",
        "gsi5pk-gsi5sk-index"
    ],
    checked_constant(__edb_e__ = "employee", __edb_v__ = "1")
)]
#[truss(index(
    name = "gsi1pk-gsi1sk-index",
    pk_attr = "gsi1pk",
    sk_attr = "gsi1sk",
    pk = "$taskapp#office_{office}",
    sk = "$workplaces#employee_1#team_{team}#title_{title}#employee_{employee}"
))]
#[truss(index(
    name = "gsi2pk-gsi2sk-index",
    pk_attr = "gsi2pk",
    sk_attr = "gsi2sk",
    pk = "$taskapp#team_{team}",
    sk = "$employee_1#title_{title}#salary_{salary}#employee_{employee}"
))]
#[truss(index(
    name = "gsi3pk-gsi3sk-index",
    pk_attr = "gsi3pk",
    sk_attr = "gsi3sk",
    pk = "$taskapp#employee_{employee}",
    sk = "$assignments#employee_1"
))]
#[truss(index(
    name = "gsi4pk-gsi4sk-index",
    pk_attr = "gsi4pk",
    sk_attr = "gsi4sk",
    pk = "$taskapp#title_{title}",
    sk = "$employee_1#salary_{salary}#employee_{employee}"
))]
#[truss(index(
    name = "gsi5pk-gsi5sk-index",
    pk_attr = "gsi5pk",
    sk_attr = "gsi5sk",
    pk = "$taskapp#manager_{manager}",
    sk = "$employee_1#team_{team}#office_{office}#employee_{employee}"
))]
#[serde(rename_all = "camelCase")]
struct Employee {
    employee: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    office: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    team: Option<Team>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    salary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    manager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date_hired: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    birthday: Option<String>,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "$taskapp#task_{task}",
    sk = "$task_1#project_{project}#employee_{employee}",
    string_key_format = "verbatim_lowercase",
    checked_constant(__edb_e__ = "task", __edb_v__ = "1"),
    index(
        name = "gsi1pk-gsi1sk-index",
        pk_attr = "gsi1pk",
        sk_attr = "gsi1sk",
        pk = "$taskapp#project_{project}",
        sk = "$task_1#employee_{employee}#task_{task}"
    ),
    index(
        name = "gsi3pk-gsi3sk-index",
        pk_attr = "gsi3pk",
        sk_attr = "gsi3sk",
        pk = "$taskapp#employee_{employee}",
        sk = "$assignments#task_1#project_{project}#task_{task}"
    )
)]
struct Task {
    task: String,
    project: String,
    employee: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "$taskapp#country_{country}#state_{state}",
    sk = "$office_1#city_{city}#zip_{zip}#office_{office}",
    string_key_format = "verbatim_lowercase",
    checked_constant(__edb_e__ = "office", __edb_v__ = "1"),
    index(
        name = "gsi1pk-gsi1sk-index",
        pk_attr = "gsi1pk",
        sk_attr = "gsi1sk",
        pk = "$taskapp#office_{office}",
        sk = "$workplaces#office_1"
    )
)]
struct Office {
    office: String,
    country: String,
    state: String,
    city: String,
    zip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
}

/// ElectroDB's `assignments` collection: an employee and their tasks share
/// a gsi3 partition, while their table partitions differ.
#[derive(Collection, Debug, PartialEq)]
#[truss(index = "gsi3pk-gsi3sk-index")]
enum Assignments {
    Employee(Employee),
    Task(Task),
}

/// ElectroDB's `workplaces` collection: an office and its employees on gsi1.
#[derive(Collection, Debug, PartialEq)]
#[truss(index = "gsi1pk-gsi1sk-index")]
enum Workplaces {
    Employee(Employee),
    Office(Office),
}

/// The same employees without the manager's index in `partial_indexes`:
/// an item ElectroDB keeps in gsi5 with `$taskapp#manager_` is refused, not
/// read as out of the index (a put-back would delete its index keys).
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "$taskapp#employee_{employee}",
    sk = "$employee_1",
    string_key_format = "verbatim_lowercase",
    checked_constant(__edb_e__ = "employee", __edb_v__ = "1"),
    index(
        name = "gsi5pk-gsi5sk-index",
        pk_attr = "gsi5pk",
        sk_attr = "gsi5sk",
        pk = "$taskapp#manager_{manager}",
        sk = "$employee_1#team_{team}#office_{office}#employee_{employee}"
    )
)]
#[serde(rename_all = "camelCase")]
struct SparseEmployee {
    employee: String,
    #[serde(default)]
    office: Option<String>,
    #[serde(default)]
    team: Option<Team>,
    #[serde(default)]
    manager: Option<String>,
}

async fn hr_table(test: &str) -> Table {
    let table = Table::new(client().await, table_name(test))
        .with_partition_key("pk")
        .with_sort_key("sk");
    table
        .definition()
        .entity::<Employee>()
        .entity::<Task>()
        .entity::<Office>()
        .create()
        .await
        .expect("create table");
    node("electrodb_hr.cjs", &["seed", table.name()]);
    table
}

fn electrodb(args: &[&str]) -> serde_json::Value {
    node_json("electrodb_hr.cjs", args)
}

/// Items by their keys, for comparing whole tables.
fn by_key(
    items: Vec<HashMap<String, AttributeValue>>,
) -> Vec<(String, String, HashMap<String, AttributeValue>)> {
    let mut keyed: Vec<_> = items
        .into_iter()
        .map(|i| {
            let key = |a: &str| i[a].as_s().cloned().unwrap_or_default();
            (key("pk"), key("sk"), i)
        })
        .collect();
    keyed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    keyed
}

/// A raw item as plain JSON (every attribute here is a string).
fn plain(item: &HashMap<String, AttributeValue>) -> serde_json::Value {
    item.iter()
        .map(|(k, v)| {
            (
                k.clone(),
                serde_json::Value::String(v.as_s().expect("a string").clone()),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[tokio::test]
async fn every_item_is_read_got_by_its_key_and_put_back_byte_for_byte() {
    let table = hr_table("edb-hr-roundtrip").await;
    let before = by_key(scan(&table).await);
    assert_eq!(before.len(), 8);
    // Declared correctly, the audit finds nothing to rewrite.
    for audit in [
        table.scan::<Employee>().audit().await.unwrap(),
        table.scan::<Task>().audit().await.unwrap(),
        table.scan::<Office>().audit().await.unwrap(),
    ] {
        assert!(audit.is_clean(), "{audit}");
        assert_eq!(audit.scanned, 8);
    }
    let employees = table.scan::<Employee>().audit().await.unwrap();
    assert_eq!(employees.entities["Employee"].exact, 3);

    let employees: Vec<Employee> = table
        .scan::<Employee>()
        .items()
        .try_collect()
        .await
        .unwrap();
    let tasks: Vec<Task> = table.scan::<Task>().items().try_collect().await.unwrap();
    let offices: Vec<Office> = table.scan::<Office>().items().try_collect().await.unwrap();
    assert_eq!((employees.len(), tasks.len(), offices.len()), (3, 3, 2));
    let carol = employees.iter().find(|e| e.employee == "CBaskin").unwrap();
    assert_eq!(carol.title.as_deref(), Some("Junior Software Engineer"));
    assert_eq!(carol.manager, None);

    for e in &employees {
        let got = table.get(e.to_key()).await.unwrap();
        assert_eq!(got.as_ref(), Some(e));
        table.put(e).await.unwrap();
    }
    for t in &tasks {
        assert_eq!(table.get(t.to_key()).await.unwrap().as_ref(), Some(t));
        table.put(t).await.unwrap();
    }
    for o in &offices {
        assert_eq!(table.get(o.to_key()).await.unwrap().as_ref(), Some(o));
        table.put(o).await.unwrap();
    }
    // Mixed case in, ElectroDB's lower-case key text out: the same item.
    let by_mixed_case = table.get(Employee::key("cbaskin")).await.unwrap();
    assert_eq!(
        by_mixed_case.map(|e| e.employee),
        Some("CBaskin".to_owned())
    );

    let after = by_key(scan(&table).await);
    assert_eq!(
        after, before,
        "every attribute of every item, index keys included"
    );
}

#[tokio::test]
async fn electrodb_index_queries_and_collections_return_what_the_library_writes() {
    let table = hr_table("edb-hr-queries").await;
    // A new employee with a space in every key value and no manager.
    let mimi = Employee {
        employee: "MMimi".into(),
        first_name: Some("Mimi".into()),
        last_name: None,
        office: Some("Big Cat Rescue".into()),
        title: Some("Junior Software Engineer".into()),
        team: Some(Team::Development),
        salary: Some("90,000".into()),
        manager: None,
        date_hired: Some("2026-01-05".into()),
        birthday: None,
    };
    table.create(&mimi).await.unwrap();
    // Byte for byte what ElectroDB itself writes for these values.
    let raw = table
        .client()
        .get_item()
        .table_name(table.name())
        .key("pk", s("$taskapp#employee_mmimi"))
        .key("sk", s("$employee_1"))
        .send()
        .await
        .unwrap()
        .item
        .expect("written");
    let values = serde_json::to_string(&mimi).unwrap();
    assert_eq!(plain(&raw), electrodb(&["employee-item", &values]));

    // ElectroDB's get and its index queries find it.
    let got = electrodb(&["get-employee", table.name(), "MMimi"]);
    assert_eq!(got["title"], "Junior Software Engineer");
    let roles = electrodb(&["roles", table.name(), "Junior Software Engineer"]);
    let names: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["employee"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{roles}");
    assert!(names.contains(&"MMimi") && names.contains(&"CBaskin"));
    // The library's own query of that index: the same two.
    let ours = table
        .query(Employee::gsi4pk_gsi4sk_index("Junior Software Engineer"))
        .all()
        .await
        .unwrap();
    assert_eq!(ours.len(), 2);

    // A typed update; ElectroDB reads it.
    table
        .update(Employee::key("JExotic"))
        .set(Employee::FIRST_NAME, Some("Joseph".to_owned()))
        .must_exist()
        .await
        .unwrap();
    let joe = electrodb(&["get-employee", table.name(), "JExotic"]);
    assert_eq!(joe["firstName"], "Joseph");
    let reports = electrodb(&["reports", table.name(), "JExotic"]);
    assert_eq!(reports.as_array().unwrap().len(), 1);
    assert_eq!(reports[0]["employee"], "SSaffery");

    // ElectroDB's index collections hold the library's items.
    let workplace = electrodb(&["workplaces", table.name(), "Big Cat Rescue"]);
    assert_eq!(
        workplace["employees"].as_array().unwrap().len(),
        2,
        "{workplace}"
    );
    assert_eq!(
        workplace["offices"].as_array().unwrap().len(),
        1,
        "{workplace}"
    );
    let assignments = electrodb(&["assignments", table.name(), "CBaskin"]);
    assert_eq!(
        assignments["employees"].as_array().unwrap().len(),
        1,
        "{assignments}"
    );
    assert_eq!(
        assignments["tasks"].as_array().unwrap().len(),
        2,
        "{assignments}"
    );
}

#[tokio::test]
async fn what_electrodb_keys_cannot_hold_is_refused_with_nothing_written() {
    let table = hr_table("edb-hr-refused").await;
    let before = scan(&table).await;
    let mut bad = Employee {
        employee: "Hash".into(),
        first_name: None,
        last_name: None,
        office: Some("Big Cat Rescue".into()),
        title: Some("C# Developer".into()),
        team: Some(Team::Development),
        salary: Some("1".into()),
        manager: None,
        date_hired: None,
        birthday: None,
    };
    // `#` would split the key: refused.
    let refused = table.put(&bad).await;
    assert!(
        matches!(&refused, Err(Error::InvalidKey { field: "title", .. })),
        "{refused:?}"
    );
    // A key with some fields absent and others present: ElectroDB refuses
    // it too ("Incomplete composite attributes").
    bad.title = None;
    let refused = table.put(&bad).await;
    assert!(
        matches!(&refused, Err(Error::InvalidKey { field: "title", .. })),
        "{refused:?}"
    );
    assert_eq!(scan(&table).await.len(), before.len(), "nothing written");
}

#[tokio::test]
async fn an_index_key_the_model_would_rewrite_is_refused_on_read() {
    let table = hr_table("edb-hr-index-check").await;
    // ElectroDB keeps CBaskin in gsi5 under `$taskapp#manager_`; a model
    // that would take it out of the index refuses to read it.
    let err = table
        .get(SparseEmployee::key("CBaskin"))
        .await
        .expect_err("refused");
    match err {
        Error::Decode { message, .. } => {
            assert!(message.contains("index `gsi5pk-gsi5sk-index`"), "{message}");
            assert!(message.contains("partial"), "{message}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    // One with a manager reads.
    let joe = table
        .get(SparseEmployee::key("JExotic"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(joe.manager.as_deref(), Some("JLowe"));
    // The escaped format (the library's default) renders `junior%20software…`:
    // refused, naming the index and the field.
    #[derive(Entity, Serialize, Deserialize, Debug)]
    #[truss(
        pk = "$taskapp#employee_{employee}",
        sk = "$employee_1",
        checked_constant(__edb_e__ = "employee", __edb_v__ = "1"),
        index(
            name = "gsi4pk-gsi4sk-index",
            pk_attr = "gsi4pk",
            sk_attr = "gsi4sk",
            pk = "$taskapp#title_{title}",
            sk = "$employee_1#salary_{salary}#employee_{employee}"
        )
    )]
    struct Escaped {
        #[truss(key_format = "lowercase")]
        employee: String,
        #[truss(key_format = "lowercase")]
        title: String,
        #[truss(key_format = "lowercase")]
        salary: String,
    }
    let err = table
        .get(Escaped::key("CBaskin"))
        .await
        .expect_err("refused");
    match err {
        Error::Decode { field, message, .. } => {
            assert_eq!(field.as_deref(), Some("title"), "{message}");
            assert!(message.contains("index `gsi4pk-gsi4sk-index`"), "{message}");
            assert!(
                message.contains("junior%20software%20engineer"),
                "{message}"
            );
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn index_collections_read_electrodbs_collections_in_pages() {
    let table = hr_table("edb-hr-collections").await;
    let all = table
        .query(Employee::gsi3pk_gsi3sk_index("CBaskin").collection::<Assignments>())
        .all()
        .await
        .unwrap();
    let employees = all
        .iter()
        .filter(|a| matches!(a, Assignments::Employee(_)))
        .count();
    let tasks: Vec<&str> = all
        .iter()
        .filter_map(|a| match a {
            Assignments::Task(t) => Some(t.task.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(employees, 1);
    assert_eq!(tasks, ["Feed Tigers", "Fill Water Bowls"]);
    // The same partition a page at a time, resumed from cursors.
    let mut cursor = None;
    let mut paged = Vec::new();
    loop {
        let page = table
            .query(Employee::gsi3pk_gsi3sk_index("CBaskin").collection::<Assignments>())
            .page_size(1)
            .after(cursor)
            .page()
            .await
            .unwrap();
        paged.extend(page.items);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, all);
    // What ElectroDB's own collection query returns, item for item.
    let theirs = electrodb(&["assignments", table.name(), "CBaskin"]);
    assert_eq!(theirs["tasks"].as_array().unwrap().len(), tasks.len());

    let zoo = table
        .query(Office::gsi1pk_gsi1sk_index("GW Zoo").collection::<Workplaces>())
        .all()
        .await
        .unwrap();
    let offices = zoo
        .iter()
        .filter(|w| matches!(w, Workplaces::Office(_)))
        .count();
    assert_eq!((zoo.len(), offices), (3, 1), "{zoo:?}");

    // A collection on an index is not read from a table partition.
    let refused = table
        .query(Employee::partition("CBaskin").collection::<Assignments>())
        .all()
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidQuery { .. })),
        "{refused:?}"
    );
}
