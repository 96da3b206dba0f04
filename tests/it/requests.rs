//! Request counts per operation, from the SDK interceptor: each access
//! pattern costs what it should, and refused input costs nothing.

use crate::common::*;
use futures::TryStreamExt;
use std::collections::BTreeMap;
use truss_model::key_part::KeyPartError;
use truss_model::{Cursor, Error};

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[tokio::test]
async fn each_operation_is_one_request() {
    let (table, counter) = counted_table("req-ops").await;
    let l = link("one");
    table.put(&l).await.unwrap();
    assert_eq!(counter.take(), counts(&[("PutItem", 1)]));
    table.get(Link::key("one")).await.unwrap();
    assert_eq!(counter.take(), counts(&[("GetItem", 1)]));
    table
        .query(DailyStat::partition("one"))
        .page_size(5)
        .page()
        .await
        .unwrap();
    assert_eq!(counter.take(), counts(&[("Query", 1)]));
    table.delete(Link::key("one")).await.unwrap();
    assert_eq!(counter.take(), counts(&[("DeleteItem", 1)]));
}

#[tokio::test]
async fn stream_makes_one_request_per_page() {
    let (table, counter) = counted_table("req-stream").await;
    let clips: Vec<_> = (0..45).map(|i| clip("c1", "v1", i)).collect();
    put_all(&table, &clips).await;
    counter.take();
    let all: Vec<Clip> = table
        .query(Clip::partition("c1"))
        .page_size(10)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 45);
    // 5 pages of items; the fifth has 5 items and no LastEvaluatedKey.
    assert_eq!(counter.take(), counts(&[("Query", 5)]));

    // Lazy: taking the first item sends only the first request.
    let mut stream = Box::pin(table.query(Clip::partition("c1")).page_size(10).items());
    stream.try_next().await.unwrap().unwrap();
    assert_eq!(counter.take(), counts(&[("Query", 1)]));
}

#[tokio::test]
async fn refused_input_sends_no_request() {
    let (table, counter) = counted_table("req-refused").await;
    let empty = |err: Error, entity: &str, field: &str| {
        assert!(
            matches!(&err, Error::InvalidKey { entity: e, field: f, reason: KeyPartError::Empty }
                if *e == entity && *f == field),
            "{err:?}"
        )
    };
    empty(
        table.put(&clip("", "v", 1)).await.unwrap_err(),
        "Clip",
        "creator_id",
    );
    empty(
        table.get(Clip::key("c", "", ts(1))).await.unwrap_err(),
        "Clip",
        "video_id",
    );
    empty(
        table.delete(Link::key("")).await.unwrap_err(),
        "Link",
        "code",
    );
    let err = table
        .put(&clip(&"x".repeat(3000), "v", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::KeyTooLong {
                entity: "Clip",
                len: 3008,
                max: 2048,
                ..
            }
        ),
        "{err:?}"
    );
    let err = table
        .query(Clip::partition("c1"))
        .after(Cursor::new("forged"))
        .page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor { .. }));
    let err = table
        .query(Clip::partition("c1"))
        .page_size(0)
        .all()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidQuery { entity: "Clip", .. }),
        "{err:?}"
    );
    assert_eq!(counter.total(), 0, "{:?}", counter.snapshot());
}
