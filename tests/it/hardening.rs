//! Bad input gets a typed error before any request and loses nothing;
//! odd but valid input round-trips exactly. Against DynamoDB Local.

use crate::common::*;
use futures::TryStreamExt;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use truss_model::{Entity, EntityKey, Error, KeyPart, Number};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "BLOB#{id}", sk = "BLOB")]
struct Blob {
    id: String,
    data: String,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "NUM#{id}", sk = "NUM")]
struct Numbers {
    id: String,
    big: u64,
    small: i64,
    real: f64,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "WIDE#{id}", sk = "WIDE")]
struct Wide {
    id: String,
    huge: u128,
}

/// The size DynamoDB counts for a Blob: names and values, keys included.
fn blob_size(id: &str, data_len: usize) -> usize {
    let pk = format!("BLOB#{id}");
    2 + pk.len() + 2 + "BLOB".len() + 2 + id.len() + 4 + data_len
}

#[tokio::test]
async fn items_over_400_kb_are_refused_before_sending() {
    let (table, counter) = counted_table("hard-size").await;
    let limit = 400 * 1024;
    let fits = limit - blob_size("a", 0);
    table
        .put(&Blob {
            id: "a".into(),
            data: "x".repeat(fits),
        })
        .await
        .unwrap();
    let stored = table.get(Blob::key("a")).await.unwrap().unwrap();
    assert_eq!(
        stored.data.len(),
        fits,
        "an item of exactly 409,600 bytes is accepted"
    );

    counter.take();
    let over = Blob {
        id: "b".into(),
        data: "é".repeat(fits / 2 + 1),
    };
    let err = table.put(&over).await.unwrap_err();
    match &err {
        Error::ItemTooLarge {
            entity,
            key,
            size,
            max,
        } => {
            assert_eq!(
                (*entity, key.as_str(), *max),
                ("Blob", "PK=BLOB#b, SK=BLOB", 409_600)
            );
            assert!(*size > *max);
        }
        other => panic!("expected ItemTooLarge, got {other:?}"),
    }
    let err = table.batch_write().put(&over).send().await.unwrap_err();
    assert!(
        matches!(err, Error::ItemTooLarge { entity: "Blob", .. }),
        "{err:?}"
    );
    let err = table.transaction().put(table.put(&over)).await.unwrap_err();
    assert!(
        matches!(err, Error::ItemTooLarge { entity: "Blob", .. }),
        "{err:?}"
    );
    assert_eq!(counter.total(), 0);
    assert_eq!(scan(&table).await.len(), 1);
}

#[tokio::test]
async fn numbers_dynamodb_cannot_store_are_typed_errors() {
    let (table, counter) = counted_table("hard-numbers").await;
    let exact = Numbers {
        id: "ok".into(),
        big: u64::MAX,
        small: i64::MIN,
        real: -1.2345678901234567e-100,
    };
    table.put(&exact).await.unwrap();
    assert_eq!(
        table.get(Numbers::key("ok")).consistent().await.unwrap(),
        Some(exact.clone())
    );

    counter.take();
    let n = |id: &str, real: f64| Numbers {
        id: id.into(),
        big: 1,
        small: 1,
        real,
    };
    for bad in [
        n("nan", f64::NAN),
        n("inf", f64::INFINITY),
        n("ninf", f64::NEG_INFINITY),
        n("huge", 1e300),
    ] {
        let err = table.put(&bad).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Encode {
                    entity: "Numbers",
                    ..
                }
            ),
            "{}: {err:?}",
            bad.id
        );
    }
    // u128::MAX has 39 digits, one more than DynamoDB stores: a typed error.
    let err = table
        .put(&Wide {
            id: "w".into(),
            huge: u128::MAX,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Encode { entity: "Wide", .. }),
        "{err:?}"
    );
    let err = table
        .update(Numbers::key("ok"))
        .set(Numbers::REAL, f64::NAN)
        .await
        .unwrap_err();
    // The error names the key being written (it was empty).
    assert!(
        matches!(&err, Error::Encode { key, .. } if key.as_str().starts_with("PK=NUM#ok")),
        "{err:?}"
    );
    let err = table
        .update(Numbers::key("ok"))
        .add(Numbers::BIG, 1)
        .condition(Numbers::REAL.lt(f64::INFINITY))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Encode { key, .. } if key.as_str().starts_with("PK=NUM#ok")),
        "{err:?}"
    );
    // The same conditions inside a transaction name their key too.
    let key_named = |err: &Error| matches!(err, Error::Encode { key, .. } if key.as_str().starts_with("PK=NUM#ok"));
    let err = table
        .transaction()
        .put(table.put(&exact).condition(Numbers::REAL.lt(f64::NAN)))
        .await
        .unwrap_err();
    assert!(key_named(&err), "{err:?}");
    let err = table
        .transaction()
        .delete(
            table
                .delete(Numbers::key("ok"))
                .condition(Numbers::REAL.gt(f64::NAN)),
        )
        .await
        .unwrap_err();
    assert!(key_named(&err), "{err:?}");
    let err = table
        .transaction()
        .check(Numbers::key("ok"), Numbers::REAL.eq(f64::INFINITY))
        .await
        .unwrap_err();
    assert!(key_named(&err), "{err:?}");
    assert_eq!(counter.total(), 0, "nothing sent");
    assert_eq!(
        table.get(Numbers::key("ok")).consistent().await.unwrap(),
        Some(exact)
    );
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "LEDGER#{id}", sk = "LEDGER")]
struct Ledger {
    id: String,
    balance: Number,
    history: Vec<Number>,
    huge: u128,
}

const DIGITS_38: &str = "12345678901234567890123456789012345678";
const FRACTION_38: &str = "-0.12345678901234567890123456789012345678";

#[tokio::test]
async fn numbers_with_38_significant_digits_round_trip_exactly() {
    let table = table("hard-38-digits").await;
    let ledger = Ledger {
        id: "l".into(),
        balance: DIGITS_38.parse().unwrap(),
        history: vec![FRACTION_38.parse().unwrap(), "1E-130".parse().unwrap()],
        huge: 99_999_999_999_999_999_999_999_999_999_999_999_999,
    };
    table.put(&ledger).await.unwrap();
    let stored = raw_get(table.client(), table.name(), "LEDGER#l", "LEDGER").await;
    assert_eq!(stored["balance"].as_n().unwrap(), DIGITS_38);
    assert_eq!(stored["huge"].as_n().unwrap(), &"9".repeat(38));
    let back = table.get(Ledger::key("l")).consistent().await.unwrap();
    assert_eq!(back.as_ref(), Some(&ledger), "every digit survives");
    assert_eq!(back.unwrap().history[0].as_str(), FRACTION_38);

    // DynamoDB's own arithmetic on the 38th digit, and conditions on it.
    let updated = table
        .update(Ledger::key("l"))
        .add(Ledger::BALANCE, Number::from(1u8))
        .condition(Ledger::BALANCE.eq(DIGITS_38.parse::<Number>().unwrap()))
        .return_new()
        .await
        .unwrap();
    assert_eq!(
        updated.balance.as_str(),
        "12345678901234567890123456789012345679"
    );
    let err = table
        .update(Ledger::key("l"))
        .add(Ledger::BALANCE, Number::from(1u8))
        .condition(Ledger::BALANCE.eq(DIGITS_38.parse::<Number>().unwrap()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
}

#[tokio::test]
async fn hostile_key_values_round_trip_exactly() {
    let table = table("hard-keys").await;
    let values = [
        "a#b",
        "a%23b",
        "100%",
        "{id}",
        "tab\there",
        "new\nline",
        "nul\0byte",
        "\u{1}\u{1f}",
        "日本語#キー",
        "emoji 🦀",
        "$",
        " ",
        "CLIP#v1#2026",
        "%",
        "%%25",
    ];
    for v in values {
        table.put(&clip(v, v, 1)).await.unwrap();
    }
    for v in values {
        let got = table
            .get(Clip::key(v, v, ts(1)))
            .consistent()
            .await
            .unwrap();
        assert_eq!(got, Some(clip(v, v, 1)), "{v:?}");
        let all = table.query(Clip::partition(v)).all().await.unwrap();
        assert_eq!(
            all,
            [clip(v, v, 1)],
            "partition of {v:?} holds only its item"
        );
    }
    let raw = scan(&table).await;
    assert_eq!(raw.len(), values.len(), "no two values shared a key");
    for item in &raw {
        let pk = item["PK"].as_s().unwrap();
        assert!(
            !pk["CREATOR#".len()..].contains('#'),
            "delimiter escaped: {pk}"
        );
        assert!(
            !pk.chars().any(char::is_control),
            "no raw control characters: {pk:?}"
        );
    }
}

#[tokio::test]
async fn sort_key_limit_is_measured_in_utf8_bytes() {
    let (table, counter) = counted_table("hard-sk-limit").await;
    // SK = "CLIP#" + video + "#" + 30-byte timestamp: 36 bytes around the video.
    let room = 1024 - 36;
    let at_limit = "日".repeat(room / 3) + &"v".repeat(room % 3);
    assert_eq!(at_limit.len(), room);
    table.put(&clip("c", &at_limit, 1)).await.unwrap();
    let over = format!("{at_limit}v");
    counter.take();
    let err = table.put(&clip("c", &over, 1)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyTooLong {
                len: 1025,
                max: 1024,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(counter.total(), 0);
    assert_eq!(
        table
            .get(Clip::key("c", at_limit.as_str(), ts(1)))
            .await
            .unwrap()
            .unwrap()
            .video_id,
        at_limit
    );
}

#[tokio::test]
async fn escaped_and_unescaped_values_never_reach_each_other() {
    let table = table("hard-isolation").await;
    for (creator, video) in [("a", "b"), ("a#b", "x"), ("a%23b", "x"), ("a", "b#x")] {
        table.put(&clip(creator, video, 1)).await.unwrap();
    }
    let creators = |cs: Vec<Clip>| {
        cs.into_iter()
            .map(|c| (c.creator_id, c.video_id))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        creators(table.query(Clip::partition("a")).all().await.unwrap()),
        [
            ("a".to_string(), "b".to_string()),
            ("a".to_string(), "b#x".to_string())
        ]
    );
    assert_eq!(
        creators(table.query(Clip::partition("a#b")).all().await.unwrap()).len(),
        1
    );
    assert_eq!(
        creators(table.query(Clip::partition("a%23b")).all().await.unwrap()).len(),
        1
    );
    let only_b = table
        .query(Clip::partition("a"))
        .key_condition(Clip::sort_key().eq("b"))
        .all()
        .await
        .unwrap();
    assert_eq!(
        creators(only_b),
        [("a".to_string(), "b".to_string())],
        "`b#x` is not under `b`"
    );
}

fn render(key: &ClipKey) -> (String, String) {
    let (mut pk, mut sk) = (String::new(), String::new());
    key.__write_pk(&mut pk).unwrap();
    key.__write_sk(&mut sk).unwrap();
    (pk, sk)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Render -> parse round-trips, and distinct keys never render alike.
    #[test]
    fn keys_round_trip_and_never_collide(
        a in "\\PC{1,12}", b in "\\PC{1,12}", c in "\\PC{1,12}", d in "\\PC{1,12}", t1 in 0i64..10_000, t2 in 0i64..10_000,
    ) {
        let k1 = Clip::key(a.as_str(), b.as_str(), ts(t1));
        let k2 = Clip::key(c.as_str(), d.as_str(), ts(t2));
        let (pk1, sk1) = render(&k1);
        let (pk2, sk2) = render(&k2);
        prop_assert_eq!(k1 == k2, (&pk1, &sk1) == (&pk2, &sk2));
        let pk_values = <Clip as Entity>::PK.match_key(&pk1).unwrap();
        prop_assert_eq!(String::decode_key(pk_values[0]).unwrap(), a);
        let sk_template = <Clip as Entity>::SK.unwrap();
        let sk_values = sk_template.match_key(&sk1).unwrap();
        prop_assert_eq!(String::decode_key(sk_values[0]).unwrap(), b);
        prop_assert_eq!(chrono::DateTime::<chrono::Utc>::decode_key(sk_values[1]).unwrap(), ts(t1));
    }
}

#[tokio::test]
async fn filters_narrow_a_query_and_never_widen_it() {
    let (table, counter) = counted_table("hard-filter").await;
    table
        .put(&Profile {
            creator_id: "c1".into(),
            name: "Ada".into(),
        })
        .await
        .unwrap();
    let hostile = [
        ") OR attribute_exists(PK",
        "' OR '1'='1",
        ":pk",
        "#pk",
        ":v0",
        "#n0",
        "CREATOR#c2",
    ];
    let mut clips: Vec<Clip> = (0..10).map(|i| clip("c1", "v1", i)).collect();
    clips.extend((0..10).map(|i| clip("c2", "v1", i)));
    for (i, title) in hostile.iter().enumerate() {
        let mut c = clip("c1", "v2", i as i64);
        c.title = (*title).to_owned();
        clips.push(c);
    }
    put_all(&table, &clips).await;
    let c1 = |c: &Clip| c.creator_id == "c1";

    counter.take();
    let hot = table
        .query(Clip::partition("c1"))
        .filter(Clip::VIRALITY.ge(0.05))
        .filter(Clip::VIDEO_ID.eq("v1"))
        .all()
        .await
        .unwrap();
    assert_eq!(hot.len(), 5, "{hot:?}");
    assert!(hot
        .iter()
        .all(|c| c1(c) && c.video_id == "v1" && c.virality >= 0.05));
    assert_eq!(counter.take().get("Query"), Some(&1));

    // A filter true for every item still returns only this partition's clips.
    let every = table
        .query(Clip::partition("c1"))
        .filter(Clip::TITLE.exists() | Clip::TITLE.not_exists())
        .all()
        .await
        .unwrap();
    assert_eq!(every.len(), 10 + hostile.len());
    assert!(every.iter().all(c1), "no clip of c2, no profile");

    // Hostile strings are only ever values: each matches its own clip.
    for title in hostile {
        let found = table
            .query(Clip::partition("c1"))
            .filter(Clip::TITLE.eq(title))
            .all()
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{title}");
        assert_eq!(found[0].title, title);
    }
    // A key field filtered to another partition's value finds nothing.
    let foreign = table
        .query(Clip::partition("c1"))
        .filter(Clip::CREATOR_ID.eq("c2"))
        .all()
        .await
        .unwrap();
    assert!(foreign.is_empty(), "{foreign:?}");

    // Limit applies before the filter: pages may be short, nothing is lost.
    counter.take();
    let pages: Vec<_> = table
        .query(Clip::partition("c1"))
        .filter(Clip::VIRALITY.ge(0.05))
        .page_size(4)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let found: usize = pages.iter().map(|p| p.items.len()).sum();
    assert_eq!(found, 5 + 2, "v1 clips 5..9 and hostile clips 5 and 6");
    assert!(pages.iter().any(|p| p.items.len() < 4));
    assert_eq!(counter.take().get("Query"), Some(&pages.len()));

    // A filter value DynamoDB cannot store is refused before any request.
    let err = table
        .query(Clip::partition("c1"))
        .filter(Clip::VIRALITY.lt(f32::NAN))
        .page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err:?}");
    assert_eq!(counter.total(), 0);
}
