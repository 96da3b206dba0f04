//! Table settings in the definition: deletion protection, point-in-time
//! recovery and its window, the table class, tags, the on-demand maximum
//! and warm throughput. Both exports carry them (cfn-lint checks the
//! CloudFormation template), bad values are refused before any request,
//! `create` sets them, and the drift check finds each one changed on a
//! live table where the engine reports it, and says `not reported` where
//! it does not (the engines' differences are spelled out per engine).

use crate::common::*;
use crate::infra::cfn_lint;
use crate::shortener::Link;
use aws_sdk_dynamodb::types::{OnDemandThroughput, TableClass, Tag};
use truss_model::{Error, Table, TableDefinition};

/// Every setting, with awkward tag values (spaces, mixed case, `:/+@=`).
fn settled(table: &Table) -> TableDefinition {
    table
        .definition()
        .entity::<Link>()
        .deletion_protection()
        .point_in_time_recovery(7)
        .table_class(TableClass::StandardInfrequentAccess)
        .tag("team", "Growth Team")
        .tag("Cost Center", "cc:42/a+b@x=y")
        .max_on_demand_throughput(Some(100), Some(50))
        .warm_throughput(13_000, 5_000)
}

#[test]
fn every_setting_reaches_both_exports_and_passes_cfn_lint() {
    let table = offline_table("settled");
    let yaml = settled(&table)
        .cloudformation_yaml("Settled")
        .expect("yaml");
    let json = settled(&table)
        .cloudformation_json("Settled")
        .expect("json");
    cfn_lint("settled.yaml", &yaml);
    cfn_lint("settled.json", &json);
    let template: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let p = &template["Resources"]["Settled"]["Properties"];
    assert_eq!(p["DeletionProtectionEnabled"], true);
    assert_eq!(
        p["PointInTimeRecoverySpecification"],
        serde_json::json!({"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 7})
    );
    assert_eq!(p["TableClass"], "STANDARD_INFREQUENT_ACCESS");
    assert_eq!(
        p["Tags"],
        serde_json::json!([
            {"Key": "Cost Center", "Value": "cc:42/a+b@x=y"},
            {"Key": "team", "Value": "Growth Team"}
        ])
    );
    assert_eq!(
        p["OnDemandThroughput"],
        serde_json::json!({"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50})
    );
    assert_eq!(
        p["WarmThroughput"],
        serde_json::json!({"ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 5000})
    );
    assert!(yaml.contains("    RecoveryPeriodInDays: 7\n"), "{yaml}");

    let hcl = settled(&table).terraform("settled").expect("terraform");
    for line in [
        "  deletion_protection_enabled = true",
        "  point_in_time_recovery {",
        "    enabled                 = true",
        "    recovery_period_in_days = 7",
        "  table_class = \"STANDARD_INFREQUENT_ACCESS\"",
        "  on_demand_throughput {",
        "    max_read_request_units  = 100",
        "    max_write_request_units = 50",
        "  warm_throughput {",
        "    read_units_per_second  = 13000",
        "    write_units_per_second = 5000",
        "  tags = {",
        "    \"Cost Center\" = \"cc:42/a+b@x=y\"",
        "    \"team\" = \"Growth Team\"",
    ] {
        assert!(
            hcl.lines().any(|l| l == line),
            "missing `{line}` in:\n{hcl}"
        );
    }

    // Nothing declared, nothing exported: the defaults stay implicit.
    let plain = table.definition().entity::<Link>();
    let json = plain.cloudformation_json("Plain").expect("json");
    for absent in [
        "DeletionProtectionEnabled",
        "PointInTimeRecoverySpecification",
        "TableClass",
        "Tags",
        "OnDemandThroughput",
        "WarmThroughput",
    ] {
        assert!(!json.contains(absent), "{absent} in {json}");
    }
    // Only reads capped: only reads exported.
    let reads = table
        .definition()
        .entity::<Link>()
        .max_on_demand_throughput(Some(7), None)
        .cloudformation_json("Reads")
        .expect("json");
    let reads: serde_json::Value = serde_json::from_str(&reads).expect("JSON");
    assert_eq!(
        reads["Resources"]["Reads"]["Properties"]["OnDemandThroughput"],
        serde_json::json!({"MaxReadRequestUnits": 7})
    );
}

#[tokio::test]
async fn settings_dynamodb_refuses_are_refused_before_any_request() {
    let (client, counter) = counted_client().await;
    let table = Table::new(client, table_name("settings-refused"));
    let cases: Vec<(&str, TableDefinition, &str)> = vec![
        (
            "no window",
            table
                .definition()
                .entity::<Link>()
                .point_in_time_recovery(0),
            "1 to 35",
        ),
        (
            "too long a window",
            table
                .definition()
                .entity::<Link>()
                .point_in_time_recovery(36),
            "1 to 35",
        ),
        (
            "empty tag key",
            table.definition().entity::<Link>().tag("", "x"),
            "1 to 128",
        ),
        (
            "long tag key",
            table
                .definition()
                .entity::<Link>()
                .tag("k".repeat(129), "x"),
            "1 to 128",
        ),
        (
            "long tag value",
            table
                .definition()
                .entity::<Link>()
                .tag("k", "v".repeat(257)),
            "up to 256",
        ),
        (
            "AWS's prefix",
            table.definition().entity::<Link>().tag("aws:owner", "me"),
            "AWS's own",
        ),
        (
            "a delimiter",
            table.definition().entity::<Link>().tag("team", "a#b"),
            "letters, digits",
        ),
        (
            "a quote",
            table.definition().entity::<Link>().tag("te\"am", "x"),
            "letters, digits",
        ),
        (
            "a key twice",
            table
                .definition()
                .entity::<Link>()
                .tag("team", "a")
                .tag("team", "b"),
            "twice",
        ),
        (
            "zero reads",
            table
                .definition()
                .entity::<Link>()
                .max_on_demand_throughput(Some(0), None),
            "1 or more",
        ),
        (
            "zero warm writes",
            table.definition().entity::<Link>().warm_throughput(10, 0),
            "1 or more",
        ),
    ];
    let mut many = table.definition().entity::<Link>();
    for n in 0..51 {
        many = many.tag(format!("t{n}"), "v");
    }
    let cases = cases
        .into_iter()
        .chain([("51 tags", many, "more than 50 tags")]);
    for (case, definition, says) in cases {
        match definition.create().await {
            Err(Error::Schema { reason, .. }) => {
                assert!(reason.contains(says), "{case}: {reason}")
            }
            other => panic!("{case}: expected a schema error, got {other:?}"),
        }
    }
    assert!(counter.take().is_empty(), "no request was sent");
    // The boundaries are accepted: 1 and 35 days, 50 tags, 128 and 256
    // characters.
    let mut fifty = table.definition().entity::<Link>();
    for n in 0..50 {
        fifty = fifty.tag(format!("t{n}"), "v");
    }
    for accepted in [
        table
            .definition()
            .entity::<Link>()
            .point_in_time_recovery(1),
        table
            .definition()
            .entity::<Link>()
            .point_in_time_recovery(35),
        table
            .definition()
            .entity::<Link>()
            .tag("k".repeat(128), "v".repeat(256)),
        fifty,
    ] {
        accepted.cloudformation_json("Accepted").expect("accepted");
    }
}

/// The drifts as (path, expected, found).
async fn drifts(definition: &TableDefinition) -> Vec<(String, String, String)> {
    definition
        .drift()
        .await
        .expect("drift")
        .into_iter()
        .map(|d| (d.path, d.expected, d.found))
        .collect()
}

fn drift(path: &str, expected: &str, found: &str) -> (String, String, String) {
    (path.to_owned(), expected.to_owned(), found.to_owned())
}

#[tokio::test]
async fn the_drift_check_finds_each_setting_changed_on_the_live_table() {
    let table = Table::new(client().await, table_name("settings-drift"));
    // What both engines take on CreateTable (recovery and warm throughput
    // are below).
    let definition = || {
        table
            .definition()
            .entity::<Link>()
            .deletion_protection()
            .table_class(TableClass::StandardInfrequentAccess)
            .tag("team", "Growth Team")
            .tag("Cost Center", "cc:42/a+b@x=y")
            .max_on_demand_throughput(Some(100), Some(50))
    };
    definition().create().await.expect("create");
    let embedded = engine() == Engine::Embedded;
    // As created: no drift where the engine reports the setting.
    let mut as_created = Vec::new();
    if !embedded {
        // DynamoDB Local reports no table class and has no tagging.
        as_created.push(drift(
            "TableClass",
            "STANDARD_INFREQUENT_ACCESS",
            "not reported (DescribeTable gives no TableClassSummary)",
        ));
        as_created.push(drift(
            "Tags",
            "Cost Center=`cc:42/a+b@x=y`, team=`Growth Team`",
            "not reported (ListTagsOfResource: UnknownOperationException)",
        ));
    }
    assert_eq!(drifts(&definition()).await, as_created);

    // Deletion protection holds on both engines.
    let refused = table
        .client()
        .delete_table()
        .table_name(table.name())
        .send()
        .await
        .expect_err("protected against deletion");
    assert!(
        format!("{refused:?}").contains("protected against deletion"),
        "{refused:?}"
    );

    // Changed behind the definition's back (the table class only where
    // the engine reports it).
    table
        .client()
        .update_table()
        .table_name(table.name())
        .deletion_protection_enabled(false)
        .on_demand_throughput(
            OnDemandThroughput::builder()
                .max_read_request_units(200)
                .max_write_request_units(50)
                .build(),
        )
        .set_table_class(embedded.then_some(TableClass::Standard))
        .send()
        .await
        .expect("UpdateTable");
    let mut changed = vec![drift("DeletionProtectionEnabled", "true", "false")];
    if embedded {
        changed.push(drift(
            "TableClass",
            "STANDARD_INFREQUENT_ACCESS",
            "STANDARD",
        ));
    }
    changed.push(drift(
        "OnDemandThroughput",
        "max reads 100, max writes 50",
        "max reads 200, max writes 50",
    ));
    let arn = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .expect("DescribeTable")
        .table()
        .and_then(|t| t.table_arn())
        .expect("an ARN")
        .to_owned();
    if embedded {
        table
            .client()
            .tag_resource()
            .resource_arn(&arn)
            .tags(
                Tag::builder()
                    .key("team")
                    .value("Platform")
                    .build()
                    .expect("tag"),
            )
            .send()
            .await
            .expect("TagResource");
        table
            .client()
            .untag_resource()
            .resource_arn(&arn)
            .tag_keys("Cost Center")
            .send()
            .await
            .expect("UntagResource");
        changed.insert(0, drift("Tags.Cost Center", "`cc:42/a+b@x=y`", "none"));
        changed.push(drift("Tags.team", "`Growth Team`", "`Platform`"));
    } else {
        changed.extend(as_created.iter().cloned());
    }
    changed.sort();
    let mut found = drifts(&definition()).await;
    found.sort();
    assert_eq!(found, changed);
    // The drift reads as a sentence.
    let first = definition().drift().await.expect("drift");
    assert!(first.iter().any(|d| d.to_string()
        == "DeletionProtectionEnabled: the definition has true, the table has false"));

    // Declared but not reported by either engine: point-in-time recovery
    // (neither has DescribeContinuousBackups) and warm throughput
    // (DescribeTable gives none). `create` of a definition with recovery
    // fails on them after creating the table, naming the operation.
    let other = Table::new(client().await, table_name("settings-unreported"));
    let unreported = || {
        other
            .definition()
            .entity::<Link>()
            .point_in_time_recovery(7)
            .warm_throughput(13_000, 5_000)
    };
    match unreported().create().await {
        Err(Error::Dynamo {
            operation, message, ..
        }) => {
            assert_eq!(operation, "UpdateContinuousBackups");
            assert!(message.contains("UnknownOperationException"), "{message}");
        }
        other => panic!("expected UpdateContinuousBackups to fail here, got {other:?}"),
    }
    let mut found = drifts(&unreported()).await;
    found.sort();
    assert_eq!(
        found,
        vec![
            drift(
                "PointInTimeRecoverySpecification",
                "on, 7 days",
                "not reported (DescribeContinuousBackups: UnknownOperationException)"
            ),
            drift(
                "WarmThroughput",
                "13000 reads/s, 5000 writes/s",
                "not reported (DescribeTable gives no WarmThroughput)"
            ),
        ]
    );
    // A definition declaring none of them has no drift on that table.
    assert_eq!(drifts(&other.definition().entity::<Link>()).await, vec![]);
}
