//! The table definition as infrastructure code: the CloudFormation template
//! passes cfn-lint (installed on first use by scripts/py-deps) and matches
//! DescribeTable of the table the library created; the Terraform resource;
//! the drift check of a live table against the definition.

use crate::common::*;
use crate::shortener::{DailyStat, Link};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamViewType,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use truss_model::{Entity, Error, Table, TableDefinition};

/// A session with an expiry, in the shortener's table for these tests.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "USER#{user_id}", sk = "SESSION#{token}")]
#[serde(rename_all = "camelCase")]
struct Session {
    user_id: String,
    token: String,
    #[truss(ttl)]
    expires_at: DateTime<Utc>,
}

fn definition(table: &Table) -> TableDefinition {
    table
        .definition()
        .entity::<Link>()
        .entity::<DailyStat>()
        .entity::<Session>()
        .stream(StreamViewType::NewAndOldImages)
}

/// cfn-lint's bin folder (installed on first use).
fn python_bin() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let output = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/py-deps"))
            .output()
            .unwrap_or_else(|e| panic!("could not run scripts/py-deps: {e}"));
        assert!(
            output.status.success(),
            "scripts/py-deps failed (the cfn-lint test needs python3 and pip):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    })
}

pub(crate) fn cfn_lint(name: &str, template: &str) {
    cfn_lint_ignoring(name, template, &[]);
}

/// [`cfn_lint`] with some of its rules off (each caller says why).
pub(crate) fn cfn_lint_ignoring(name: &str, template: &str, rules: &[&str]) {
    let dir = std::env::temp_dir().join(format!("truss-cfn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, template).expect("write the template");
    let mut command = Command::new(python_bin().join("cfn-lint"));
    command.arg("--regions").arg("us-east-1");
    if !rules.is_empty() {
        command.arg("--ignore-checks").args(rules);
    }
    let output = command.arg("--").arg(&path).output().expect("run cfn-lint");
    assert!(
        output.status.success(),
        "cfn-lint rejected {name}:\n{}{}\n{template}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_cloudformation_template_passes_cfn_lint_and_matches_the_table_created() {
    let table = Table::new(client().await, table_name("infra-cfn"));
    let yaml = definition(&table)
        .cloudformation_yaml("LinksTable")
        .expect("yaml");
    let json = definition(&table)
        .cloudformation_json("LinksTable")
        .expect("json");
    cfn_lint("table.yaml", &yaml);
    cfn_lint("table.json", &json);
    definition(&table).create().await.expect("create");
    assert_eq!(definition(&table).drift().await.expect("drift"), vec![]);

    // The template against DescribeTable, field by field.
    let template: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let properties = &template["Resources"]["LinksTable"]["Properties"];
    assert_eq!(
        template["Resources"]["LinksTable"]["Type"],
        "AWS::DynamoDB::Table"
    );
    let described = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .expect("DescribeTable");
    let live = described.table().expect("a table");
    assert_eq!(properties["TableName"], table.name());
    let pairs = |value: &serde_json::Value, a: &str, b: &str| {
        let mut pairs: Vec<(String, String)> = value
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| {
                (
                    v[a].as_str().expect(a).to_owned(),
                    v[b].as_str().expect(b).to_owned(),
                )
            })
            .collect();
        pairs.sort();
        pairs
    };
    let mut live_attributes: Vec<(String, String)> = live
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_owned(),
                a.attribute_type().as_str().to_owned(),
            )
        })
        .collect();
    live_attributes.sort();
    assert_eq!(
        pairs(
            &properties["AttributeDefinitions"],
            "AttributeName",
            "AttributeType"
        ),
        live_attributes
    );
    let live_keys = |keys: &[KeySchemaElement]| {
        let mut keys: Vec<(String, String)> = keys
            .iter()
            .map(|k| {
                (
                    k.attribute_name().to_owned(),
                    k.key_type().as_str().to_owned(),
                )
            })
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(
        pairs(&properties["KeySchema"], "AttributeName", "KeyType"),
        live_keys(live.key_schema())
    );
    let indexes = properties["GlobalSecondaryIndexes"]
        .as_array()
        .expect("indexes");
    assert_eq!(indexes.len(), live.global_secondary_indexes().len());
    for index in indexes {
        let name = index["IndexName"].as_str().expect("name");
        let live_index = live
            .global_secondary_indexes()
            .iter()
            .find(|i| i.index_name() == Some(name))
            .unwrap_or_else(|| panic!("index {name} on the table"));
        assert_eq!(
            pairs(&index["KeySchema"], "AttributeName", "KeyType"),
            live_keys(live_index.key_schema())
        );
        assert_eq!(
            index["Projection"]["ProjectionType"],
            live_index
                .projection()
                .and_then(|p| p.projection_type())
                .map(|p| p.as_str())
                .expect("projection")
        );
    }
    assert_eq!(
        properties["StreamSpecification"]["StreamViewType"],
        live.stream_specification()
            .and_then(|s| s.stream_view_type())
            .map(|v| v.as_str())
            .expect("a stream")
    );
    let ttl = table
        .client()
        .describe_time_to_live()
        .table_name(table.name())
        .send()
        .await
        .expect("DescribeTimeToLive");
    assert_eq!(
        properties["TimeToLiveSpecification"]["AttributeName"],
        ttl.time_to_live_description()
            .and_then(|d| d.attribute_name())
            .expect("TTL")
    );
    assert_eq!(properties["BillingMode"], "PAY_PER_REQUEST");
    // The YAML says the same as the JSON.
    assert!(
        yaml.contains("    Type: \"AWS::DynamoDB::Table\"\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("        AttributeName: \"expiresAt\"\n"),
        "{yaml}"
    );
}

#[tokio::test]
async fn drift_lists_an_added_index_a_changed_key_type_and_a_missing_ttl() {
    // The live table, made by hand: SK is a number, no index, no TTL.
    let table = Table::new(client().await, table_name("infra-drift"));
    let attribute = |name: &str, kind: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .expect("attribute")
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key")
    };
    table
        .client()
        .create_table()
        .table_name(table.name())
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("PK", ScalarAttributeType::S))
        .attribute_definitions(attribute("SK", ScalarAttributeType::N))
        .key_schema(key("PK", KeyType::Hash))
        .key_schema(key("SK", KeyType::Range))
        .send()
        .await
        .expect("create by hand");
    let drift = table
        .definition()
        .entity::<Link>()
        .entity::<Session>()
        .drift()
        .await
        .expect("drift");
    let found: Vec<(String, String, String)> = drift
        .iter()
        .map(|d| (d.path.clone(), d.expected.clone(), d.found.clone()))
        .collect();
    let expect = |path: &str, expected: &str, live: &str| {
        (path.to_owned(), expected.to_owned(), live.to_owned())
    };
    assert_eq!(
        found,
        vec![
            expect("AttributeDefinitions.GSI1PK", "S", "none"),
            expect("AttributeDefinitions.GSI1SK", "S", "none"),
            expect("AttributeDefinitions.SK", "S", "N"),
            expect(
                "GlobalSecondaryIndexes.GSI1",
                "(GSI1PK HASH, GSI1SK RANGE; projection ALL)",
                "none"
            ),
            expect("TimeToLive", "expiresAt", "none"),
        ]
    );
    assert_eq!(
        drift[2].to_string(),
        "AttributeDefinitions.SK: the definition has S, the table has N"
    );
}

#[test]
fn terraform_declares_the_same_table() {
    let table = offline_table("links");
    let hcl = definition(&table).terraform("links").expect("terraform");
    for line in [
        "resource \"aws_dynamodb_table\" \"links\" {",
        "  name         = \"links\"",
        "  billing_mode = \"PAY_PER_REQUEST\"",
        "  hash_key     = \"PK\"",
        "  range_key    = \"SK\"",
        "    name = \"GSI1PK\"",
        "    hash_key        = \"GSI1PK\"",
        "    range_key       = \"GSI1SK\"",
        "    projection_type = \"ALL\"",
        "    attribute_name = \"expiresAt\"",
        "  stream_view_type = \"NEW_AND_OLD_IMAGES\"",
    ] {
        assert!(
            hcl.lines().any(|l| l == line),
            "missing `{line}` in:\n{hcl}"
        );
    }
    assert_eq!(hcl.matches("attribute {").count(), 4, "{hcl}");
}

/// An order indexed by two partition attributes: CloudFormation takes it,
/// Terraform's resource cannot.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "ORDER#{id}",
    sk = "META",
    index(name = "ByTenant", partition = [tenant_id, region], sort = [placed_at])
)]
struct Order {
    id: String,
    tenant_id: String,
    region: String,
    placed_at: u64,
}

#[test]
fn an_index_of_several_partition_attributes_is_refused_by_the_terraform_export() {
    let table = offline_table("orders");
    let yaml = table
        .definition()
        .entity::<Order>()
        .cloudformation_yaml("Orders")
        .expect("yaml");
    assert!(yaml.contains("AttributeName: \"region\""), "{yaml}");
    match table.definition().entity::<Order>().terraform("orders") {
        Err(Error::Schema { reason, .. }) => assert!(reason.contains("ByTenant"), "{reason}"),
        other => panic!("expected a schema error, got {other:?}"),
    }
}
