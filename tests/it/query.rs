//! Queries against DynamoDB Local: begins_with at segment boundaries, typed
//! ranges, order, entity scoping, pagination and cursor checks.

use crate::common::*;
use futures::TryStreamExt;
use std::collections::HashSet;
use truss_model::{Cursor, Error};

#[tokio::test]
async fn begins_with_v1_does_not_return_v10() {
    let table = table("v1-v10").await;
    let clips: Vec<_> = ["v1", "v10", "v1a", "v2"]
        .iter()
        .flat_map(|v| (0..3).map(move |i| clip("c1", v, i)))
        .collect();
    put_all(&table, &clips).await;

    let v1 = table
        .query(Clip::partition("c1"))
        .key_condition(Clip::sort_key().eq("v1"))
        .all()
        .await
        .unwrap();
    assert_eq!(v1.len(), 3);
    assert!(v1.iter().all(|c| c.video_id == "v1"), "{v1:?}");
    let v10 = table
        .query(Clip::partition("c1"))
        .key_condition(Clip::sort_key().eq("v10"))
        .all()
        .await
        .unwrap();
    assert!(v10.iter().all(|c| c.video_id == "v10") && v10.len() == 3);
}

#[tokio::test]
async fn query_is_scoped_to_the_entity_in_a_shared_partition() {
    let table = table("scope").await;
    table
        .put(&Profile {
            creator_id: "c1".into(),
            name: "Ada".into(),
        })
        .await
        .unwrap();
    put_all(
        &table,
        &[
            clip("c1", "v1", 1),
            clip("c1", "v2", 2),
            clip("c2", "v1", 3),
        ],
    )
    .await;

    let clips = table.query(Clip::partition("c1")).all().await.unwrap();
    assert_eq!(
        clips.len(),
        2,
        "the profile and c2's clip are not clips of c1"
    );
    let profiles = table.query(Profile::partition("c1")).all().await.unwrap();
    assert_eq!(
        profiles,
        [Profile {
            creator_id: "c1".into(),
            name: "Ada".into()
        }]
    );
}

#[tokio::test]
async fn typed_ranges_on_the_next_field() {
    let table = table("ranges").await;
    // Two videos; each a run of timestamps. Neighbouring video v1x must never
    // leak into v1's ranges.
    let mut clips = Vec::new();
    for v in ["v0", "v1", "v1x", "v2"] {
        for i in 0..10 {
            clips.push(clip("c1", v, i * 10));
        }
    }
    put_all(&table, &clips).await;
    let q = || table.query(Clip::partition("c1"));
    let secs = |cs: Vec<Clip>| -> Vec<i64> {
        cs.iter()
            .map(|c| {
                assert_eq!(c.video_id, "v1", "leaked {c:?}");
                (c.created_at - ts(0)).num_seconds()
            })
            .collect()
    };
    let v1 = || Clip::sort_key().eq("v1");
    assert_eq!(
        secs(q().key_condition(v1().gt(ts(50))).all().await.unwrap()),
        [60, 70, 80, 90]
    );
    assert_eq!(
        secs(q().key_condition(v1().ge(ts(50))).all().await.unwrap()),
        [50, 60, 70, 80, 90]
    );
    assert_eq!(
        secs(q().key_condition(v1().lt(ts(30))).all().await.unwrap()),
        [0, 10, 20]
    );
    assert_eq!(
        secs(q().key_condition(v1().le(ts(30))).all().await.unwrap()),
        [0, 10, 20, 30]
    );
    assert_eq!(
        secs(
            q().key_condition(v1().between(ts(25), ts(45)))
                .all()
                .await
                .unwrap()
        ),
        [30, 40]
    );
    assert_eq!(
        secs(
            q().key_condition(v1().between(ts(30), ts(30)))
                .all()
                .await
                .unwrap()
        ),
        [30]
    );
    assert_eq!(
        secs(q().key_condition(v1().gt(ts(90))).all().await.unwrap()),
        Vec::<i64>::new()
    );
    // Exact key.
    assert_eq!(
        secs(q().key_condition(v1().eq(ts(40))).all().await.unwrap()),
        [40]
    );
    // Newest first.
    assert_eq!(
        secs(
            q().key_condition(v1().ge(ts(70)))
                .descending()
                .all()
                .await
                .unwrap()
        ),
        [90, 80, 70]
    );

    // Ranges on the first field cover whole videos, children included.
    let videos =
        |cs: Vec<Clip>| -> HashSet<String> { cs.into_iter().map(|c| c.video_id).collect() };
    let gt_v1 = videos(
        q().key_condition(Clip::sort_key().gt("v1"))
            .all()
            .await
            .unwrap(),
    );
    assert_eq!(gt_v1, HashSet::from(["v1x".to_string(), "v2".to_string()]));
    let le_v1 = videos(
        q().key_condition(Clip::sort_key().le("v1"))
            .all()
            .await
            .unwrap(),
    );
    assert_eq!(le_v1, HashSet::from(["v0".to_string(), "v1".to_string()]));
    let lt_v1 = videos(
        q().key_condition(Clip::sort_key().lt("v1"))
            .all()
            .await
            .unwrap(),
    );
    assert_eq!(lt_v1, HashSet::from(["v0".to_string()]));
    let between = q()
        .key_condition(Clip::sort_key().between("v1", "v1x"))
        .all()
        .await
        .unwrap();
    assert_eq!(between.len(), 20);

    let err = q()
        .key_condition(v1().between(ts(50), ts(10)))
        .all()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidQuery { entity: "Clip", .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn integer_sort_keys_sort_numerically_in_dynamodb() {
    let table = table("ints").await;
    let seqs = [
        -1_000_000_000_000i64,
        -42,
        -1,
        0,
        1,
        9,
        10,
        100,
        i64::MAX,
        i64::MIN,
    ];
    let events: Vec<_> = seqs
        .iter()
        .map(|&seq| Event {
            log: "l".into(),
            seq,
            message: format!("m{seq}"),
        })
        .collect();
    put_all(&table, &events).await;
    let got: Vec<i64> = table
        .query(Event::partition("l"))
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.seq)
        .collect();
    let mut expected = seqs.to_vec();
    expected.sort();
    assert_eq!(got, expected);
    let negative: Vec<i64> = table
        .query(Event::partition("l"))
        .key_condition(Event::sort_key().lt(0))
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(negative, [i64::MIN, -1_000_000_000_000, -42, -1]);
}

/// 260 clips of one creator, plus neighbours that must never appear.
async fn seeded_clips(test: &str) -> (truss_model::Table, Vec<Clip>) {
    let table = table(test).await;
    let mine: Vec<_> = (0..260)
        .map(|i| clip("c1", &format!("v{}", i % 7), i))
        .collect();
    let mut all = mine.clone();
    all.extend((0..15).map(|i| clip("c10", "v1", i)));
    put_all(&table, &all).await;
    table
        .put(&Profile {
            creator_id: "c1".into(),
            name: "Ada".into(),
        })
        .await
        .unwrap();
    (table, mine)
}

fn sorted_keys(clips: &[Clip]) -> Vec<(String, i64)> {
    let mut keys: Vec<_> = clips
        .iter()
        .map(|c| (c.video_id.clone(), c.created_at.timestamp()))
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn cursors_walk_every_item_exactly_once() {
    let (table, mine) = seeded_clips("cursor-walk").await;
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut pages = 0;
    loop {
        let page = table
            .query(Clip::partition("c1"))
            .page_size(20)
            .after(cursor.take())
            .page()
            .await
            .unwrap();
        assert!(page.items.len() <= 20);
        pages += 1;
        seen.extend(page.items);
        match page.cursor {
            Some(next) => {
                // Cursors survive a round trip through text (an HTTP API).
                cursor = Some(next.as_str().parse().unwrap());
            }
            None => break,
        }
        assert!(pages < 100, "pagination does not end");
    }
    assert!(pages >= 13, "{pages} pages for 260 items of 20");
    assert_eq!(seen.len(), 260);
    assert_eq!(sorted_keys(&seen), sorted_keys(&mine));
    let unique: HashSet<_> = sorted_keys(&seen).into_iter().collect();
    assert_eq!(unique.len(), 260, "an item was returned twice");
}

#[tokio::test]
async fn stream_and_all_return_every_item_once_in_order() {
    let (table, mine) = seeded_clips("stream").await;
    let streamed: Vec<Clip> = table
        .query(Clip::partition("c1"))
        .page_size(20)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 260);
    assert_eq!(sorted_keys(&streamed), sorted_keys(&mine));
    let keys: Vec<_> = streamed
        .iter()
        .map(|c| (c.video_id.clone(), c.created_at))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "stream is in sort-key order");

    let pages: Vec<_> = table
        .query(Clip::partition("c1"))
        .page_size(20)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert!(pages.len() >= 13);
    assert!(pages.iter().all(|p| p.items.len() <= 20));

    let descending = table
        .query(Clip::partition("c1"))
        .descending()
        .all()
        .await
        .unwrap();
    let mut reversed = streamed.clone();
    reversed.reverse();
    assert_eq!(descending, reversed);
}

#[tokio::test]
async fn cursor_resumes_a_descending_narrowed_query() {
    let (table, _) = seeded_clips("cursor-desc").await;
    let q = || {
        table
            .query(Clip::partition("c1"))
            .key_condition(Clip::sort_key().eq("v3"))
            .descending()
            .page_size(10)
    };
    let first = q().page().await.unwrap();
    let second = q()
        .after(first.cursor.clone().unwrap())
        .page()
        .await
        .unwrap();
    let all = q().all().await.unwrap();
    assert_eq!(all.len(), 37);
    assert_eq!([first.items, second.items].concat(), all[..20]);
}

#[tokio::test]
async fn tampered_and_foreign_cursors_are_typed_errors() {
    let (table, _) = seeded_clips("cursor-bad").await;
    let page = table
        .query(Clip::partition("c1"))
        .page_size(5)
        .page()
        .await
        .unwrap();
    let cursor = page.cursor.unwrap();

    let text = cursor.as_str();
    let mut flipped = text.as_bytes().to_vec();
    flipped[text.len() / 2] = if flipped[text.len() / 2] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let tampered = [
        Cursor::new(String::from_utf8(flipped).unwrap()),
        Cursor::new(&text[..text.len() - 3]),
        Cursor::new(format!("{text}AA")),
        Cursor::new("eyJQSyI6IkNSRUFUT1IjYzIifQ"),
        Cursor::new(""),
    ];
    for bad in tampered {
        let err = table
            .query(Clip::partition("c1"))
            .after(bad.clone())
            .page()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidCursor { .. }),
            "{bad:?}: {err:?}"
        );
    }

    // A valid cursor of creator c1 used on c10's partition.
    let err = table
        .query(Clip::partition("c10"))
        .after(cursor.clone())
        .page()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another partition"), "{err}");

    // A valid cursor outside the query's sort range (all clips vs video v3).
    let err = table
        .query(Clip::partition("c1"))
        .key_condition(Clip::sort_key().eq("v3"))
        .after(cursor.clone())
        .page()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("sort-key range"), "{err}");

    // A clip cursor on the profile query of the same partition.
    let err = table
        .query(Profile::partition("c1"))
        .after(cursor.clone())
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor { .. }), "{err:?}");

    // The genuine cursor still works.
    let next = table
        .query(Clip::partition("c1"))
        .page_size(5)
        .after(cursor)
        .page()
        .await
        .unwrap();
    assert_eq!(next.items.len(), 5);
}

#[tokio::test]
async fn zero_limit_is_a_typed_error() {
    let table = table("limit-zero").await;
    for query in [
        table.query(Clip::partition("c1")).page_size(0),
        table.query(Clip::partition("c1")).limit(0),
    ] {
        let err = query.page().await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidQuery { entity: "Clip", .. }),
            "{err:?}"
        );
    }
}

/// `limit` caps the items returned across pages; `page_size` sizes the
/// pages. Requests ask for no more than what is left.
#[tokio::test]
async fn limit_caps_the_items_returned_and_page_size_sizes_the_pages() {
    let (table, counter) = counted_table("limit-cap").await;
    let clips: Vec<_> = (0..45).map(|i| clip("c1", "v1", i)).collect();
    put_all(&table, &clips).await;
    counter.take();
    let first_30 = table
        .query(Clip::partition("c1"))
        .limit(30)
        .all()
        .await
        .unwrap();
    assert_eq!(first_30.len(), 30);
    assert_eq!(
        counter.take().get("Query"),
        Some(&1),
        "one request of 30 (+1)"
    );
    let paged: Vec<_> = table
        .query(Clip::partition("c1"))
        .limit(30)
        .page_size(20)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = paged
        .iter()
        .map(|p| (p.items.len(), p.cursor.is_some()))
        .collect();
    assert_eq!(
        sizes,
        [(20, true), (10, true)],
        "the last page keeps its cursor: 15 more follow"
    );
    assert_eq!(counter.take().get("Query"), Some(&2));
    let items: Vec<_> = paged.into_iter().flat_map(|p| p.items).collect();
    assert_eq!(items, first_30);
    // Without a limit, every item; with one above the count, every item.
    assert_eq!(
        table
            .query(Clip::partition("c1"))
            .page_size(20)
            .all()
            .await
            .unwrap()
            .len(),
        45
    );
    assert_eq!(
        table
            .query(Clip::partition("c1"))
            .limit(100)
            .all()
            .await
            .unwrap()
            .len(),
        45
    );
    counter.take();
    // A page is capped too.
    let page = table
        .query(Clip::partition("c1"))
        .limit(5)
        .page()
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.cursor.is_some()), (5, true));
}

#[tokio::test]
async fn an_exactly_full_last_page_has_no_cursor_and_no_empty_page_follows() {
    let (table, counter) = counted_table("full-last-page").await;
    for secs in 0..6 {
        table.put(&clip("c1", "v1", secs)).await.unwrap();
    }
    counter.take();
    let pages: Vec<_> = table
        .query(Clip::partition("c1"))
        .page_size(3)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = pages
        .iter()
        .map(|p| (p.items.len(), p.cursor.is_some()))
        .collect();
    assert_eq!(sizes, [(3, true), (3, false)], "no third, empty page");
    assert_eq!(counter.take().get("Query"), Some(&2));

    // One page holding everything; descending; a filter all items pass.
    for query in [
        table.query(Clip::partition("c1")).page_size(6),
        table.query(Clip::partition("c1")).page_size(6).descending(),
        table
            .query(Clip::partition("c1"))
            .page_size(6)
            .filter(Clip::VIRALITY.ge(0.0)),
    ] {
        let page = query.page().await.unwrap();
        assert_eq!((page.items.len(), page.cursor.is_some()), (6, false));
    }
    // A cursor in the middle still resumes right after the page.
    let first = table
        .query(Clip::partition("c1"))
        .page_size(4)
        .page()
        .await
        .unwrap();
    let rest = table
        .query(Clip::partition("c1"))
        .page_size(4)
        .after(first.cursor.expect("two more follow"))
        .page()
        .await
        .unwrap();
    let secs: Vec<_> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|c| c.created_at)
        .collect();
    assert_eq!(secs, (0..6).map(ts).collect::<Vec<_>>());
    assert!(rest.cursor.is_none());
}
