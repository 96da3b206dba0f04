//! The table definition as infrastructure code (CloudFormation / SAM
//! `AWS::DynamoDB::Table` in YAML or JSON, Terraform `aws_dynamodb_table`),
//! and the drift check of a live table against it.

use crate::foundation::error::{Error, Result};
use crate::table::schema::TableDefinition;
use crate::table::settings::{Known, SettingsSpec};
use crate::table::vectors::VectorSpec;
use aws_sdk_dynamodb::types::{AttributeDefinition, KeySchemaElement, Projection};
use std::fmt::{self, Write as _};

/// What a table is, in the terms infrastructure code and DescribeTable
/// share: the definition's side and the live side of a drift check.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec {
    name: String,
    /// `(name, S | N | B)`, sorted by name.
    attributes: Vec<(String, String)>,
    /// `(name, HASH | RANGE)`, in schema order.
    keys: Vec<(String, String)>,
    /// Sorted by name.
    indexes: Vec<IndexSpec>,
    billing: String,
    ttl: Option<String>,
    stream: Option<String>,
    settings: SettingsSpec,
    /// Sorted by name.
    vectors: Vec<VectorSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct IndexSpec {
    name: String,
    keys: Vec<(String, String)>,
    projection: String,
    /// `INCLUDE`'s attributes, sorted.
    included: Vec<String>,
}

/// One way a live table differs from its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Drift {
    /// What differs: `KeySchema`, `AttributeDefinitions.PK`,
    /// `GlobalSecondaryIndexes.GSI1`, `BillingMode`, `TimeToLive`,
    /// `StreamSpecification`.
    pub path: String,
    /// What the definition declares (`none` for nothing).
    pub expected: String,
    /// What the live table has (`none` for nothing).
    pub found: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the definition has {}, the table has {}",
            self.path, self.expected, self.found
        )
    }
}

fn keys_of(elements: &[KeySchemaElement]) -> Vec<(String, String)> {
    elements
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect()
}

fn attributes_of(definitions: &[AttributeDefinition]) -> Vec<(String, String)> {
    let mut attributes: Vec<_> = definitions
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_owned(),
                a.attribute_type().as_str().to_owned(),
            )
        })
        .collect();
    attributes.sort();
    attributes
}

fn projection_of(projection: Option<&Projection>) -> String {
    projection
        .and_then(|p| p.projection_type())
        .map_or("ALL".to_owned(), |p| p.as_str().to_owned())
}

fn included_of(projection: Option<&Projection>) -> Vec<String> {
    let mut included = projection
        .map(|p| p.non_key_attributes().to_vec())
        .unwrap_or_default();
    included.sort();
    included
}

fn describe_keys(keys: &[(String, String)]) -> String {
    keys.iter()
        .map(|(name, kind)| format!("{name} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl TableDefinition {
    fn spec(&self) -> Result<Spec> {
        self.check()?;
        let (attributes, keys) = self.key_schema()?;
        let mut indexes: Vec<IndexSpec> = self
            .global_secondary_indexes()?
            .iter()
            .map(|i| IndexSpec {
                name: i.index_name().to_owned(),
                keys: keys_of(i.key_schema()),
                projection: projection_of(i.projection()),
                included: included_of(i.projection()),
            })
            .collect();
        indexes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Spec {
            name: self.table.inner.name.clone(),
            attributes: attributes_of(&attributes),
            keys: keys_of(&keys),
            indexes,
            billing: "PAY_PER_REQUEST".to_owned(),
            ttl: self.ttl.map(str::to_owned),
            stream: self.stream.as_ref().map(|s| s.as_str().to_owned()),
            settings: self.settings.spec(),
            vectors: self.vector_specs(),
        })
    }

    /// The table as a CloudFormation (or SAM) template in YAML: one
    /// `AWS::DynamoDB::Table` resource named `logical_id`, with the key
    /// schema, attribute definitions, global secondary indexes and their
    /// projections, on-demand billing, TTL, the stream and the declared
    /// settings (`DeletionProtectionEnabled`,
    /// `PointInTimeRecoverySpecification`, `TableClass`, `Tags`,
    /// `OnDemandThroughput`, `WarmThroughput`), as
    /// [`create`](Self::create) makes the table.
    pub fn cloudformation_yaml(&self, logical_id: &str) -> Result<String> {
        Ok(self.template(logical_id)?.yaml(0))
    }

    /// [`cloudformation_yaml`](Self::cloudformation_yaml) in JSON.
    pub fn cloudformation_json(&self, logical_id: &str) -> Result<String> {
        let mut out = self.template(logical_id)?.json(0);
        out.push('\n');
        Ok(out)
    }

    fn template(&self, logical_id: &str) -> Result<Node> {
        let spec = self.spec()?;
        let key_list = |keys: &[(String, String)]| {
            Node::List(
                keys.iter()
                    .map(|(name, kind)| {
                        Node::map([
                            ("AttributeName", Node::str(name)),
                            ("KeyType", Node::str(kind)),
                        ])
                    })
                    .collect(),
            )
        };
        let mut properties = vec![
            ("TableName", Node::str(&spec.name)),
            ("BillingMode", Node::str(&spec.billing)),
            (
                "AttributeDefinitions",
                Node::List(
                    spec.attributes
                        .iter()
                        .map(|(name, kind)| {
                            Node::map([
                                ("AttributeName", Node::str(name)),
                                ("AttributeType", Node::str(kind)),
                            ])
                        })
                        .collect(),
                ),
            ),
            ("KeySchema", key_list(&spec.keys)),
        ];
        if !spec.indexes.is_empty() {
            properties.push((
                "GlobalSecondaryIndexes",
                Node::List(
                    spec.indexes
                        .iter()
                        .map(|i| {
                            Node::map([
                                ("IndexName", Node::str(&i.name)),
                                ("KeySchema", key_list(&i.keys)),
                                ("Projection", projection_node(i)),
                            ])
                        })
                        .collect(),
                ),
            ));
        }
        if let Some(ttl) = &spec.ttl {
            properties.push((
                "TimeToLiveSpecification",
                Node::map([
                    ("AttributeName", Node::str(ttl)),
                    ("Enabled", Node::Bool(true)),
                ]),
            ));
        }
        if let Some(view) = &spec.stream {
            properties.push((
                "StreamSpecification",
                Node::map([("StreamViewType", Node::str(view))]),
            ));
        }
        if !spec.vectors.is_empty() {
            properties.push((
                "VectorIndexes",
                Node::List(spec.vectors.iter().map(vector_node).collect()),
            ));
        }
        settings_properties(&spec.settings, &mut properties);
        Ok(Node::map([
            ("AWSTemplateFormatVersion", Node::str("2010-09-09")),
            (
                "Description",
                Node::str(&format!(
                    "DynamoDB table {} (generated by truss-model)",
                    spec.name
                )),
            ),
            (
                "Resources",
                Node::Map(vec![(
                    logical_id.to_owned(),
                    Node::map([
                        ("Type", Node::str("AWS::DynamoDB::Table")),
                        ("Properties", Node::map(properties)),
                    ]),
                )]),
            ),
        ]))
    }

    /// The table as a Terraform `aws_dynamodb_table` resource named
    /// `resource_name`. An index with more than one partition or sort
    /// attribute is an [`Error::Schema`]: the resource's
    /// `global_secondary_index` block names one `hash_key` and one
    /// `range_key`.
    pub fn terraform(&self, resource_name: &str) -> Result<String> {
        let spec = self.spec()?;
        if let Some(index) = spec.vectors.first() {
            return Err(Error::Schema {
                table: spec.name.clone(),
                entity: "the table definition",
                reason: format!(
                    "vector index `{}`: this Terraform export writes no vector indexes (the `aws_dynamodb_table` resource it targets has no block for them); use the CloudFormation export or `create`",
                    index.name
                ),
            });
        }
        let quote = |s: &str| {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '$' => out.push_str("$$"),
                    '%' => out.push_str("%%"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        };
        fn key<'k>(keys: &'k [(String, String)], kind: &str) -> Vec<&'k str> {
            keys.iter()
                .filter(|(_, k)| k == kind)
                .map(|(name, _)| name.as_str())
                .collect()
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "resource \"aws_dynamodb_table\" {} {{",
            quote(resource_name)
        );
        let _ = writeln!(out, "  name         = {}", quote(&spec.name));
        let _ = writeln!(out, "  billing_mode = {}", quote(&spec.billing));
        for (attr, kind) in [("hash_key", "HASH"), ("range_key", "RANGE")] {
            if let Some(name) = key(&spec.keys, kind).first() {
                let _ = writeln!(out, "  {attr:<12} = {}", quote(name));
            }
        }
        for (name, kind) in &spec.attributes {
            let _ = writeln!(
                out,
                "\n  attribute {{\n    name = {}\n    type = {}\n  }}",
                quote(name),
                quote(kind)
            );
        }
        for index in &spec.indexes {
            let (hash, range) = (key(&index.keys, "HASH"), key(&index.keys, "RANGE"));
            if hash.len() > 1 || range.len() > 1 {
                return Err(Error::Schema {
                    table: spec.name.clone(),
                    entity: "the table definition",
                    reason: format!(
                        "index `{}` has {} partition and {} sort attributes; Terraform's global_secondary_index takes one of each",
                        index.name,
                        hash.len(),
                        range.len()
                    ),
                });
            }
            let _ = writeln!(out, "\n  global_secondary_index {{");
            let _ = writeln!(out, "    name            = {}", quote(&index.name));
            if let Some(hash) = hash.first() {
                let _ = writeln!(out, "    hash_key        = {}", quote(hash));
            }
            if let Some(range) = range.first() {
                let _ = writeln!(out, "    range_key       = {}", quote(range));
            }
            let _ = writeln!(out, "    projection_type = {}", quote(&index.projection));
            if !index.included.is_empty() {
                let attributes: Vec<String> = index.included.iter().map(|a| quote(a)).collect();
                let _ = writeln!(out, "    non_key_attributes = [{}]", attributes.join(", "));
            }
            let _ = writeln!(out, "  }}");
        }
        if let Some(ttl) = &spec.ttl {
            let _ = writeln!(
                out,
                "\n  ttl {{\n    attribute_name = {}\n    enabled        = true\n  }}",
                quote(ttl)
            );
        }
        if let Some(view) = &spec.stream {
            let _ = writeln!(
                out,
                "\n  stream_enabled   = true\n  stream_view_type = {}",
                quote(view)
            );
        }
        terraform_settings(&spec.settings, &mut out, &quote);
        out.push_str("}\n");
        Ok(out)
    }

    /// Compares the live table (DescribeTable, DescribeTimeToLive,
    /// DescribeContinuousBackups, ListTagsOfResource) with this definition
    /// and lists every difference: key schema, key attribute types, indexes
    /// (missing, extra, other keys or projection), billing mode, TTL,
    /// stream, and the settings (deletion protection, point-in-time
    /// recovery and its window, table class, each tag, on-demand maximum,
    /// warm throughput below the declared). A setting the definition
    /// declares that the endpoint does not report (local engines lack
    /// some) is listed as `not reported`. Empty when they agree.
    pub async fn drift(&self) -> Result<Vec<Drift>> {
        let expected = self.spec()?;
        let found = self.live_spec().await?;
        Ok(compare(&expected, &found))
    }

    async fn live_spec(&self) -> Result<Spec> {
        let inner = &self.table.inner;
        let described = inner
            .client
            .describe_table()
            .table_name(&inner.name)
            .send()
            .await
            .map_err(|e| Error::dynamo("DescribeTable", e))?;
        let ttl = self.live_ttl_attribute().await?;
        let Some(table) = described.table() else {
            return Err(Error::TableNotReady {
                table: inner.name.clone(),
                message: "DescribeTable returned no table".into(),
            });
        };
        let settings = self.live_settings(table).await?;
        let mut vectors: Vec<VectorSpec> = table
            .vector_indexes()
            .iter()
            .map(VectorSpec::of_description)
            .collect();
        vectors.sort_by(|a, b| a.name.cmp(&b.name));
        let mut indexes: Vec<IndexSpec> = table
            .global_secondary_indexes()
            .iter()
            .map(|i| IndexSpec {
                name: i.index_name().unwrap_or_default().to_owned(),
                keys: keys_of(i.key_schema()),
                projection: projection_of(i.projection()),
                included: included_of(i.projection()),
            })
            .collect();
        indexes.sort_by(|a, b| a.name.cmp(&b.name));
        let stream = table
            .stream_specification()
            .filter(|s| s.stream_enabled())
            .and_then(|s| s.stream_view_type())
            .map(|v| v.as_str().to_owned());
        Ok(Spec {
            name: table.table_name().unwrap_or_default().to_owned(),
            attributes: attributes_of(table.attribute_definitions()),
            keys: keys_of(table.key_schema()),
            indexes,
            // Tables created before billing modes existed, and some local
            // servers, report no summary: provisioned.
            billing: table
                .billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .map_or("PROVISIONED".to_owned(), |b| b.as_str().to_owned()),
            ttl,
            stream,
            settings,
            vectors,
        })
    }
}

fn compare(expected: &Spec, found: &Spec) -> Vec<Drift> {
    let mut drifts = Vec::new();
    let mut differ = |path: String, expected: String, found: String| {
        if expected != found {
            drifts.push(Drift {
                path,
                expected,
                found,
            });
        }
    };
    let none = || "none".to_owned();
    differ(
        "KeySchema".into(),
        describe_keys(&expected.keys),
        describe_keys(&found.keys),
    );
    let mut names: Vec<&String> = expected
        .attributes
        .iter()
        .chain(&found.attributes)
        .map(|(n, _)| n)
        .collect();
    names.sort();
    names.dedup();
    let type_of = |spec: &Spec, name: &str| {
        spec.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(none, |(_, t)| t.clone())
    };
    for name in names {
        differ(
            format!("AttributeDefinitions.{name}"),
            type_of(expected, name),
            type_of(found, name),
        );
    }
    let mut index_names: Vec<&String> = expected
        .indexes
        .iter()
        .chain(&found.indexes)
        .map(|i| &i.name)
        .collect();
    index_names.sort();
    index_names.dedup();
    let index_of = |spec: &Spec, name: &str| {
        spec.indexes
            .iter()
            .find(|i| i.name == name)
            .map_or_else(none, |i| {
                let included = match i.included.as_slice() {
                    [] => String::new(),
                    attributes => format!(" {}", attributes.join(", ")),
                };
                format!(
                    "({}; projection {}{included})",
                    describe_keys(&i.keys),
                    i.projection
                )
            })
    };
    for name in index_names {
        differ(
            format!("GlobalSecondaryIndexes.{name}"),
            index_of(expected, name),
            index_of(found, name),
        );
    }
    differ(
        "BillingMode".into(),
        expected.billing.clone(),
        found.billing.clone(),
    );
    differ(
        "TimeToLive".into(),
        expected.ttl.clone().unwrap_or_else(none),
        found.ttl.clone().unwrap_or_else(none),
    );
    differ(
        "StreamSpecification".into(),
        expected.stream.clone().unwrap_or_else(none),
        found.stream.clone().unwrap_or_else(none),
    );
    let mut vector_names: Vec<&String> = expected
        .vectors
        .iter()
        .chain(&found.vectors)
        .map(|v| &v.name)
        .collect();
    vector_names.sort();
    vector_names.dedup();
    let vector_of = |spec: &Spec, name: &str| {
        spec.vectors
            .iter()
            .find(|v| v.name == name)
            .map_or_else(none, VectorSpec::describe)
    };
    for name in vector_names {
        differ(
            format!("VectorIndexes.{name}"),
            vector_of(expected, name),
            vector_of(found, name),
        );
    }
    for (path, expected, found) in
        crate::table::settings::compare(&expected.settings, &found.settings)
    {
        drifts.push(Drift {
            path,
            expected,
            found,
        });
    }
    drifts
}

/// A vector index as CloudFormation's `VectorIndexes` entry.
fn vector_node(index: &VectorSpec) -> Node {
    let mut entries = vec![
        ("IndexName", Node::str(&index.name)),
        (
            "VectorAttribute",
            Node::map([("AttributeName", Node::str(&index.attribute))]),
        ),
        ("Dimensions", Node::Num(index.dimensions)),
        ("DistanceFunction", Node::str(&index.distance)),
    ];
    if !index.schema.is_empty() {
        entries.push((
            "SearchSchema",
            Node::List(
                index
                    .schema
                    .iter()
                    .map(|(name, kind)| {
                        Node::map([
                            ("AttributeName", Node::str(name)),
                            ("SearchSchemaElementType", Node::str(kind)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    let mut projection = vec![("ProjectionType", Node::str(&index.projection))];
    if !index.included.is_empty() {
        projection.push((
            "NonKeyAttributes",
            Node::List(index.included.iter().map(|a| Node::str(a)).collect()),
        ));
    }
    entries.push(("Projection", Node::map(projection)));
    Node::map(entries)
}

/// The declared settings as CloudFormation properties (the definition's
/// side is always known).
fn settings_properties(settings: &SettingsSpec, properties: &mut Vec<(&'static str, Node)>) {
    if let Known::Is(true) = settings.deletion_protection {
        properties.push(("DeletionProtectionEnabled", Node::Bool(true)));
    }
    if let Known::Is(Some(days)) = settings.recovery_days {
        properties.push((
            "PointInTimeRecoverySpecification",
            Node::map([
                ("PointInTimeRecoveryEnabled", Node::Bool(true)),
                ("RecoveryPeriodInDays", Node::Num(days)),
            ]),
        ));
    }
    if let Known::Is(class) = &settings.class {
        if class != "STANDARD" {
            properties.push(("TableClass", Node::str(class)));
        }
    }
    if let Known::Is((read, write)) = settings.on_demand {
        let limits: Vec<(&'static str, Node)> = [
            ("MaxReadRequestUnits", read),
            ("MaxWriteRequestUnits", write),
        ]
        .into_iter()
        .filter_map(|(name, n)| n.map(|n| (name, Node::Num(n))))
        .collect();
        if !limits.is_empty() {
            properties.push(("OnDemandThroughput", Node::map(limits)));
        }
    }
    if let Known::Is(Some((read, write))) = settings.warm {
        properties.push((
            "WarmThroughput",
            Node::map([
                ("ReadUnitsPerSecond", Node::Num(read)),
                ("WriteUnitsPerSecond", Node::Num(write)),
            ]),
        ));
    }
    if let Known::Is(tags) = &settings.tags {
        if !tags.is_empty() {
            properties.push((
                "Tags",
                Node::List(
                    tags.iter()
                        .map(|(k, v)| Node::map([("Key", Node::str(k)), ("Value", Node::str(v))]))
                        .collect(),
                ),
            ));
        }
    }
}

/// The declared settings as the arguments and blocks of Terraform's
/// `aws_dynamodb_table`.
fn terraform_settings(settings: &SettingsSpec, out: &mut String, quote: &dyn Fn(&str) -> String) {
    if let Known::Is(true) = settings.deletion_protection {
        let _ = writeln!(out, "\n  deletion_protection_enabled = true");
    }
    if let Known::Is(Some(days)) = settings.recovery_days {
        let _ = writeln!(
            out,
            "\n  point_in_time_recovery {{\n    enabled                 = true\n    recovery_period_in_days = {days}\n  }}"
        );
    }
    if let Known::Is(class) = &settings.class {
        if class != "STANDARD" {
            let _ = writeln!(out, "\n  table_class = {}", quote(class));
        }
    }
    if let Known::Is((read, write)) = settings.on_demand {
        if read.is_some() || write.is_some() {
            let _ = writeln!(out, "\n  on_demand_throughput {{");
            if let Some(read) = read {
                let _ = writeln!(out, "    max_read_request_units  = {read}");
            }
            if let Some(write) = write {
                let _ = writeln!(out, "    max_write_request_units = {write}");
            }
            let _ = writeln!(out, "  }}");
        }
    }
    if let Known::Is(Some((read, write))) = settings.warm {
        let _ = writeln!(
            out,
            "\n  warm_throughput {{\n    read_units_per_second  = {read}\n    write_units_per_second = {write}\n  }}"
        );
    }
    if let Known::Is(tags) = &settings.tags {
        if !tags.is_empty() {
            let _ = writeln!(out, "\n  tags = {{");
            for (key, value) in tags {
                let _ = writeln!(out, "    {} = {}", quote(key), quote(value));
            }
            let _ = writeln!(out, "  }}");
        }
    }
}

/// An index's `Projection`: its type and, for `INCLUDE`, the attributes.
fn projection_node(index: &IndexSpec) -> Node {
    let mut entries = vec![("ProjectionType", Node::str(&index.projection))];
    if !index.included.is_empty() {
        entries.push((
            "NonKeyAttributes",
            Node::List(index.included.iter().map(|a| Node::str(a)).collect()),
        ));
    }
    Node::map(entries)
}

/// A JSON-shaped tree, written as JSON or as YAML.
enum Node {
    Str(String),
    Bool(bool),
    Num(i64),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    fn str(s: &str) -> Node {
        Node::Str(s.to_owned())
    }

    fn map(entries: impl IntoIterator<Item = (&'static str, Node)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    fn json(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent + 1);
        let end = "  ".repeat(indent);
        match self {
            Node::Str(s) => quoted(s),
            Node::Bool(b) => b.to_string(),
            Node::Num(n) => n.to_string(),
            Node::List(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|i| format!("{pad}{}", i.json(indent + 1)))
                    .collect();
                format!("[\n{}\n{end}]", items.join(",\n"))
            }
            Node::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{pad}{}: {}", quoted(k), v.json(indent + 1)))
                    .collect();
                format!("{{\n{}\n{end}}}", entries.join(",\n"))
            }
        }
    }

    /// Block YAML; strings double-quoted with JSON's escapes (valid YAML).
    fn yaml(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent);
        let mut out = String::new();
        match self {
            Node::Map(entries) => {
                for (key, value) in entries {
                    match value {
                        Node::Map(_) | Node::List(_) => {
                            let _ =
                                write!(out, "{pad}{}:\n{}", yaml_key(key), value.yaml(indent + 1));
                        }
                        scalar => {
                            let _ = writeln!(
                                out,
                                "{pad}{}: {}",
                                yaml_key(key),
                                scalar.yaml(0).trim_end()
                            );
                        }
                    }
                }
            }
            Node::List(items) => {
                for item in items {
                    let body = item.yaml(indent + 1);
                    // The first line of the item goes after the dash.
                    let body = body.trim_start_matches(' ');
                    let _ = write!(out, "{pad}- {body}");
                    if !body.ends_with('\n') {
                        out.push('\n');
                    }
                }
            }
            Node::Str(s) => out.push_str(&quoted(s)),
            Node::Bool(b) => out.push_str(&b.to_string()),
            Node::Num(n) => out.push_str(&n.to_string()),
        }
        out
    }
}

/// A mapping key: bare when it is a plain name (CloudFormation's property
/// names, logical ids), quoted otherwise.
fn yaml_key(key: &str) -> String {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        key.to_owned()
    } else {
        quoted(key)
    }
}

/// A JSON string literal.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
