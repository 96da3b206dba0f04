//! Vector search end to end, on an engine that implements SearchVectors:
//! the embedded engine (DynamoDB Local 3.3.1 answers SearchVectors with
//! UnknownOperationException). When this run's engine is DynamoDB Local,
//! these tests start an embedded engine of their own, so they run, and
//! check the same, in both runs.
//!
//! 200 items of two entity types with known vectors; each search is
//! compared with a brute-force ranking computed here.

use crate::common::*;
use crate::infra::cfn_lint_ignoring;
use serde::{Deserialize, Serialize};
use truss_model::local::LocalEngine;
use truss_model::vector::Distance;
use truss_model::{Entity, Error, Projection, Table};

/// A document, in four vector indexes over `embedding`: one per distance
/// function, and one partitioned by tenant with the kind as a filter.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "DOC#{id}", sk = "META")]
#[serde(rename_all = "camelCase")]
struct Doc {
    id: String,
    tenant: String,
    kind: String,
    title: Option<String>,
    #[truss(vector(index = "by_cosine", dimensions = 4, distance = "cosine"))]
    #[truss(vector(index = "by_euclid", dimensions = 4, distance = "euclidean"))]
    #[truss(vector(index = "by_dot", dimensions = 4, distance = "dot_product"))]
    #[truss(vector(index = "by_tenant", dimensions = 4, distance = "cosine", partition = tenant, filters = [kind]))]
    embedding: Vec<f32>,
}

/// Another entity type in the same indexes: skipped by searches of `Doc`.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "NOTE#{id}", sk = "META")]
#[serde(rename_all = "camelCase")]
struct Note {
    id: String,
    tenant: String,
    kind: String,
    #[truss(vector(index = "by_cosine", dimensions = 4, distance = "cosine"))]
    #[truss(vector(index = "by_euclid", dimensions = 4, distance = "euclidean"))]
    #[truss(vector(index = "by_dot", dimensions = 4, distance = "dot_product"))]
    #[truss(vector(index = "by_tenant", dimensions = 4, distance = "cosine", partition = tenant, filters = [kind]))]
    embedding: Vec<f32>,
}

/// What a search can read from the index without reading the table.
#[derive(Projection, Debug, PartialEq)]
#[truss(entity = Doc)]
struct DocCard {
    id: String,
    kind: String,
    title: Option<String>,
}

/// A projection that wants the vector, which DynamoDB does not return.
#[derive(Projection, Debug, PartialEq)]
#[allow(dead_code)] // never decoded: the search is refused
#[truss(entity = Doc)]
struct DocVector {
    id: String,
    embedding: Vec<f32>,
}

/// The engine: this run's when it is the embedded one, else one started
/// for these tests.
fn engine() -> &'static LocalEngine {
    static OWN: std::sync::OnceLock<LocalEngine> = std::sync::OnceLock::new();
    local_engine().unwrap_or_else(|| {
        OWN.get_or_init(|| {
            LocalEngine::start()
                .unwrap_or_else(|e| panic!("the embedded engine did not start: {e}"))
        })
    })
}

fn vector(i: usize) -> Vec<f32> {
    let x = i as f32;
    vec![
        (x * 0.7).sin(),
        (x * 1.3).cos(),
        (x * 0.37 + 1.0).sin(),
        (x * 0.11).cos() * 0.5,
    ]
}

/// One item of the corpus: (is a doc, id, tenant, kind, vector).
type Row = (bool, String, String, String, Vec<f32>);

fn corpus() -> Vec<Row> {
    (0..200)
        .map(|i| {
            let doc = i % 2 == 0;
            let tenant = if i % 3 == 0 { "Big Co" } else { "acme" };
            let kind = if i % 5 < 2 { "draft" } else { "final" };
            (
                doc,
                format!("item {i:03}"),
                tenant.to_owned(),
                kind.to_owned(),
                vector(i),
            )
        })
        .collect()
}

fn doc(row: &Row) -> Doc {
    Doc {
        id: row.1.clone(),
        tenant: row.2.clone(),
        kind: row.3.clone(),
        title: None,
        embedding: row.4.clone(),
    }
}

fn score(distance: Distance, q: &[f32], s: &[f32]) -> f64 {
    let (mut dot, mut qq, mut ss, mut dd) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (a, b) in q.iter().zip(s) {
        let (a, b) = (f64::from(*a), f64::from(*b));
        dot += a * b;
        qq += a * a;
        ss += b * b;
        dd += (a - b) * (a - b);
    }
    match distance {
        Distance::Cosine => 1.0 - dot / (qq.sqrt() * ss.sqrt()),
        Distance::Euclidean => dd.sqrt(),
        Distance::DotProduct => dot,
    }
}

/// The brute-force top `k` of `rows` for `q`: the docs among them (id,
/// score) in order, and how many notes.
fn brute_force(
    rows: &[&Row],
    distance: Distance,
    q: &[f32],
    k: usize,
) -> (Vec<(String, f64)>, usize) {
    let mut scored: Vec<(f64, &Row)> = rows
        .iter()
        .map(|r| (score(distance, q, &r.4), *r))
        .collect();
    scored.sort_by(|a, b| {
        let order = a.0.total_cmp(&b.0);
        if distance.higher_is_closer() {
            order.reverse()
        } else {
            order
        }
    });
    let top = &scored[..k.min(scored.len())];
    let docs = top
        .iter()
        .filter(|(_, r)| r.0)
        .map(|(s, r)| (r.1.clone(), *s))
        .collect();
    let notes = top.iter().filter(|(_, r)| !r.0).count();
    (docs, notes)
}

async fn loaded_table(test: &str) -> (Table, Vec<Row>) {
    let table = Table::new(engine().client(), table_name(test));
    table
        .definition()
        .entity::<Doc>()
        .entity::<Note>()
        .create()
        .await
        .expect("create with vector indexes");
    let rows = corpus();
    for row in &rows {
        if row.0 {
            table.put(&doc(row)).await.expect("put doc");
        } else {
            let note = Note {
                id: row.1.clone(),
                tenant: row.2.clone(),
                kind: row.3.clone(),
                embedding: row.4.clone(),
            };
            table.put(&note).await.expect("put note");
        }
    }
    (table, rows)
}

fn assert_ranked(
    found: &truss_model::vector::VectorHits<Doc>,
    expected: &(Vec<(String, f64)>, usize),
    what: &str,
) {
    let ids: Vec<&str> = found.hits.iter().map(|h| h.item.id.as_str()).collect();
    let want: Vec<&str> = expected.0.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, want, "{what}");
    for (hit, (_, s)) in found.hits.iter().zip(&expected.0) {
        assert!(
            (hit.score - s).abs() < 1e-5,
            "{what}: score {} vs {s}",
            hit.score
        );
    }
    assert_eq!(found.skipped, expected.1, "{what}: notes skipped");
}

#[tokio::test]
async fn the_top_k_matches_a_brute_force_ranking_for_every_distance() {
    let (table, rows) = loaded_table("vector-rank").await;
    let all: Vec<&Row> = rows.iter().collect();
    for (q_seed, k) in [(1000, 10), (2024, 25), (7, 1), (55, 100)] {
        let q = vector(q_seed);
        for (distance, search) in [
            (Distance::Cosine, Doc::by_cosine(&q)),
            (Distance::Euclidean, Doc::by_euclid(&q)),
            (Distance::DotProduct, Doc::by_dot(&q)),
        ] {
            assert_eq!(search.index().distance, distance);
            let found = table.search(search.top_k(k)).await.expect("search");
            let expected = brute_force(&all, distance, &q, k as usize);
            assert_ranked(&found, &expected, &format!("{distance:?} q{q_seed} k{k}"));
            assert!(found.missing.is_empty());
            // The engine reports what the search consumed, in bytes.
            assert!(
                found.consumed_bytes.is_some_and(|b| b > 0.0),
                "{:?}",
                found.consumed_bytes
            );
            // Absent optional fields decode: no doc has a title.
            assert!(found.hits.iter().all(|h| h.item.title.is_none()));
        }
    }
    // Read as a projection from what the index returns: the same ranking,
    // the same scores, no BatchGetItem.
    let counter = truss_model::RequestCounter::new();
    let config = engine()
        .client()
        .config()
        .to_builder()
        .interceptor(counter.clone())
        .build();
    let counted = Table::new(aws_sdk_dynamodb::Client::from_conf(config), table.name());
    let q = vector(2024);
    let cards = counted
        .search(Doc::by_cosine(&q).top_k(25).project::<DocCard>())
        .await
        .expect("projected search");
    assert_eq!(counter.count("SearchVectors"), 1);
    assert_eq!(counter.count("BatchGetItem"), 0);
    let whole = counted
        .search(Doc::by_cosine(&q).top_k(25))
        .await
        .expect("search");
    assert_eq!(counter.count("SearchVectors"), 2);
    assert_eq!(counter.count("BatchGetItem"), 1);
    assert_eq!(cards.hits.len(), whole.hits.len());
    for (card, hit) in cards.hits.iter().zip(&whole.hits) {
        assert_eq!(
            card.item,
            DocCard {
                id: hit.item.id.clone(),
                kind: hit.item.kind.clone(),
                title: None
            }
        );
        assert_eq!(card.score, hit.score);
    }
    assert_eq!(cards.skipped, whole.skipped);
    match table
        .search(Doc::by_cosine(&q).project::<DocVector>())
        .await
    {
        Err(Error::InvalidQuery { reason, .. }) => {
            assert!(reason.contains("without `embedding`"), "{reason}")
        }
        other => panic!("expected InvalidQuery, got {other:?}"),
    }

    // The other type is searched the same way, skipping the docs.
    let q = vector(1000);
    let notes = table
        .search(Note::by_cosine(&q).top_k(10))
        .await
        .expect("notes");
    let expected = brute_force(&all, Distance::Cosine, &q, 10);
    assert_eq!(notes.hits.len(), 10 - expected.0.len());
    assert_eq!(notes.skipped, expected.0.len());
}

#[tokio::test]
async fn a_partitioned_search_sees_only_its_partition_and_filters() {
    let (table, rows) = loaded_table("vector-partition").await;
    let q = vector(31);
    for tenant in ["Big Co", "acme"] {
        let in_tenant: Vec<&Row> = rows.iter().filter(|r| r.2 == tenant).collect();
        let found = table
            .search(Doc::by_tenant(tenant, &q).top_k(20))
            .await
            .expect("partitioned search");
        assert!(!found.hits.is_empty());
        assert!(found.hits.iter().all(|h| h.item.tenant == tenant));
        assert_ranked(
            &found,
            &brute_force(&in_tenant, Distance::Cosine, &q, 20),
            tenant,
        );

        let drafts: Vec<&Row> = in_tenant
            .iter()
            .copied()
            .filter(|r| r.3 == "draft")
            .collect();
        let found = table
            .search(
                Doc::by_tenant(tenant, &q)
                    .filter(Doc::KIND, "draft")
                    .top_k(20),
            )
            .await
            .expect("filtered search");
        assert!(found
            .hits
            .iter()
            .all(|h| h.item.kind == "draft" && h.item.tenant == tenant));
        assert_ranked(
            &found,
            &brute_force(&drafts, Distance::Cosine, &q, 20),
            "drafts",
        );
    }
    // A tenant nobody has: nothing.
    let none = table
        .search(Doc::by_tenant("Nobody Inc", &q))
        .await
        .expect("search");
    assert!(none.hits.is_empty() && none.skipped == 0);
}

#[tokio::test]
async fn an_item_updated_with_a_new_vector_is_found_by_it() {
    let (table, rows) = loaded_table("vector-update").await;
    let q = vec![0.25f32, -0.5, 0.75, 0.125];
    let before = table
        .search(Doc::by_cosine(&q).top_k(1))
        .await
        .expect("search");
    assert_ne!(
        before.hits.first().map(|h| h.item.id.as_str()),
        Some("item 042")
    );
    let mut moved = doc(&rows[42]);
    moved.embedding = q.clone();
    table.put(&moved).await.expect("put the new vector");
    let after = table
        .search(Doc::by_cosine(&q).top_k(1))
        .await
        .expect("search");
    assert_eq!(after.hits.len(), 1);
    assert_eq!(after.hits[0].item, moved);
    assert!(after.hits[0].score.abs() < 1e-6, "{}", after.hits[0].score);
    // Euclidean: distance 0 too.
    let euclid = table
        .search(Doc::by_euclid(&q).top_k(1))
        .await
        .expect("search");
    assert_eq!(euclid.hits[0].item.id, "item 042");
    assert!(euclid.hits[0].score.abs() < 1e-6);
}

#[tokio::test]
async fn bad_searches_are_refused_before_any_request() {
    let counter = truss_model::RequestCounter::new();
    let config = engine()
        .client()
        .config()
        .to_builder()
        .interceptor(counter.clone())
        .build();
    let table = Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table_name("vector-bad"),
    );
    let q = [0.1f32, 0.2, 0.3, 0.4];
    let cases = [
        (
            "three components",
            Doc::by_cosine(&q[..3]),
            "has 4 dimensions",
        ),
        (
            "five components",
            Doc::by_cosine(&[0.1, 0.2, 0.3, 0.4, 0.5]),
            "has 4 dimensions",
        ),
        (
            "NaN",
            Doc::by_cosine(&[0.1, f32::NAN, 0.3, 0.4]),
            "component 1",
        ),
        (
            "infinity",
            Doc::by_euclid(&[0.1, 0.2, f32::INFINITY, 0.4]),
            "finite numbers only",
        ),
        ("top_k 0", Doc::by_dot(&q).top_k(0), "1 to 100"),
        ("top_k 101", Doc::by_dot(&q).top_k(101), "1 to 100"),
        (
            "not a filter",
            Doc::by_tenant("acme", &q).filter(Doc::ID, "x"),
            "not one of its filters",
        ),
        (
            "no filters",
            Doc::by_cosine(&q).filter(Doc::KIND, "draft"),
            "it has none",
        ),
    ];
    for (case, search, says) in cases {
        match table.search(search).await {
            Err(Error::InvalidQuery { reason, .. }) => {
                assert!(reason.contains(says), "{case}: {reason}")
            }
            other => panic!("{case}: expected InvalidQuery, got {other:?}"),
        }
    }
    assert!(counter.take().is_empty(), "no request was sent");
}

#[tokio::test]
async fn vector_indexes_reach_cloudformation_and_the_drift_check() {
    let table = Table::new(engine().client(), table_name("vector-infra"));
    let definition = || table.definition().entity::<Doc>().entity::<Note>();
    let json = definition().cloudformation_json("Docs").expect("json");
    let yaml = definition().cloudformation_yaml("Docs").expect("yaml");
    // cfn-lint 1.58 (the newest) checks that AttributeDefinitions are the
    // attributes of KeySchema, GlobalSecondaryIndexes and
    // LocalSecondaryIndexes (E3039) and does not know that a vector index's
    // SearchSchema attributes must be defined too (DynamoDB refuses a
    // search schema attribute that is not, "One element in SearchSchema is
    // not defined in attribute definitions", as the embedded engine does;
    // it creates this table below). With that one rule off, it accepts
    // both forms.
    cfn_lint_ignoring("vectors.json", &json, &["E3039"]);
    cfn_lint_ignoring("vectors.yaml", &yaml, &["E3039"]);
    let template: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let p = &template["Resources"]["Docs"]["Properties"];
    let indexes = p["VectorIndexes"].as_array().expect("VectorIndexes");
    assert_eq!(indexes.len(), 4);
    let tenant = indexes
        .iter()
        .find(|i| i["IndexName"] == "by_tenant")
        .expect("by_tenant");
    assert_eq!(
        tenant,
        &serde_json::json!({
            "IndexName": "by_tenant",
            "VectorAttribute": {"AttributeName": "embedding"},
            "Dimensions": 4,
            "DistanceFunction": "COSINE",
            "SearchSchema": [
                {"AttributeName": "kind", "SearchSchemaElementType": "INLINE_FILTER"},
                {"AttributeName": "tenant", "SearchSchemaElementType": "HASH"}
            ],
            "Projection": {"ProjectionType": "ALL"}
        })
    );
    // The search schema's attributes are defined; the vector is not.
    let defined: Vec<&str> = p["AttributeDefinitions"]
        .as_array()
        .expect("definitions")
        .iter()
        .map(|d| d["AttributeName"].as_str().expect("name"))
        .collect();
    assert!(
        defined.contains(&"tenant") && defined.contains(&"kind"),
        "{defined:?}"
    );
    assert!(!defined.contains(&"embedding"), "{defined:?}");
    match definition().terraform("docs") {
        Err(Error::Schema { reason, .. }) => {
            assert!(reason.contains("no vector indexes"), "{reason}")
        }
        other => panic!("expected the Terraform export to refuse, got {other:?}"),
    }

    definition().create().await.expect("create");
    assert_eq!(definition().drift().await.expect("drift"), vec![]);
    // A definition that wants another distance for `by_dot` drifts.
    #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[truss(pk = "DOC#{id}", sk = "META")]
    struct Other {
        id: String,
        tenant: String,
        kind: String,
        #[truss(vector(index = "by_cosine", dimensions = 4, distance = "cosine"))]
        #[truss(vector(index = "by_euclid", dimensions = 4, distance = "euclidean"))]
        #[truss(vector(index = "by_dot", dimensions = 4, distance = "cosine"))]
        #[truss(vector(index = "by_tenant", dimensions = 4, distance = "cosine", partition = tenant, filters = [kind]))]
        embedding: Vec<f32>,
    }
    let drift = table
        .definition()
        .entity::<Other>()
        .drift()
        .await
        .expect("drift");
    let paths: Vec<(&str, &str, &str)> = drift
        .iter()
        .map(|d| (d.path.as_str(), d.expected.as_str(), d.found.as_str()))
        .collect();
    assert_eq!(
        paths,
        vec![(
            "VectorIndexes.by_dot",
            "(embedding 4 dimensions COSINE; schema []; projection ALL)",
            "(embedding 4 dimensions DOT_PRODUCT; schema []; projection ALL)"
        )]
    );
    // Two entities declaring one index differently: refused.
    match table
        .definition()
        .entity::<Doc>()
        .entity::<Other>()
        .create()
        .await
    {
        Err(Error::Schema { reason, .. }) => assert!(reason.contains("by_dot"), "{reason}"),
        other => panic!("expected a schema error, got {other:?}"),
    }
}

/// A memo whose vector is optional and of `f64`: an item without one is
/// not indexed, and a hit comes back with its vector exactly as stored.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "MEMO#{id}", sk = "META")]
struct Memo {
    id: String,
    #[truss(vector(index = "memo_meaning", dimensions = 3, distance = "euclidean"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    embedding: Option<Vec<f64>>,
}

#[tokio::test]
async fn optional_f64_vectors_are_indexed_when_present_and_read_back_exactly() {
    let table = Table::new(engine().client(), table_name("vector-optional"));
    table
        .definition()
        .entity::<Memo>()
        .create()
        .await
        .expect("create");
    // More digits than an f32 holds: the table keeps them, the index an f32
    // copy; the hit is read from the table.
    let precise = Memo {
        id: "precise".into(),
        embedding: Some(vec![0.123_456_789_012_345_6, -1.000_000_000_1, 2.5]),
    };
    let far = Memo {
        id: "far".into(),
        embedding: Some(vec![9.0, 9.0, 9.0]),
    };
    let none = Memo {
        id: "without".into(),
        embedding: None,
    };
    for memo in [&precise, &far, &none] {
        table.put(memo).await.expect("put");
    }
    let found = table
        .search(Memo::memo_meaning(&[0.12, -1.0, 2.5]).top_k(10))
        .await
        .expect("search");
    let ids: Vec<&str> = found.hits.iter().map(|h| h.item.id.as_str()).collect();
    assert_eq!(
        ids,
        ["precise", "far"],
        "the memo without a vector is not indexed"
    );
    assert_eq!(found.hits[0].item, precise, "the f64 vector, every digit");
}

/// Fault injection: drops the first key from the next BatchGetItem, so the
/// read finds no item for it, as if it had been deleted between the
/// search and the read (no engine deletes on cue between two requests).
#[derive(Debug, Clone, Default)]
struct DropFirstKey(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl aws_smithy_runtime_api::client::interceptors::Intercept for DropFirstKey {
    fn name(&self) -> &'static str {
        "test fault injection: a key dropped from a batch read"
    }

    fn modify_before_serialization(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextMut<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput;
        if let Some(input) = context.input_mut().downcast_mut::<BatchGetItemInput>() {
            if !self.0.swap(true, std::sync::atomic::Ordering::SeqCst) {
                if let Some(keys) = input
                    .request_items
                    .iter_mut()
                    .flat_map(|m| m.values_mut())
                    .next()
                {
                    keys.keys.remove(0);
                }
            }
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_hit_gone_from_the_table_is_reported_missing() {
    let (table, _) = loaded_table("vector-missing").await;
    let config = engine()
        .client()
        .config()
        .to_builder()
        .interceptor(DropFirstKey::default())
        .build();
    let faulty = Table::new(aws_sdk_dynamodb::Client::from_conf(config), table.name());
    let q = vector(77);
    let whole = table
        .search(Doc::by_cosine(&q).top_k(10))
        .await
        .expect("search");
    let found = faulty
        .search(Doc::by_cosine(&q).top_k(10))
        .await
        .expect("search");
    assert_eq!(found.missing.len(), 1, "{:?}", found.missing);
    assert_eq!(found.hits.len(), whole.hits.len() - 1);
    let first = &whole.hits[0].item;
    assert_eq!(
        found.missing[0].to_string(),
        format!("PK=DOC#{}, SK=META", first.id.replace(' ', "%20"))
    );
    assert!(found.hits.iter().all(|h| h.item.id != first.id));
}
