use super::{from_item, to_item, to_value};
use crate::foundation::number::Number;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Dot,
    Circle(f64),
    Pair(u8, String),
    Rect { w: u32, h: u32 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    label: String,
    weights: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Everything {
    text: String,
    empty: String,
    ch: char,
    yes: bool,
    small: i8,
    big: u64,
    negative: i64,
    ratio: f64,
    missing: Option<String>,
    present: Option<u16>,
    unit: (),
    list: Vec<Inner>,
    tuple: (u8, String, bool),
    by_name: BTreeMap<String, i32>,
    by_id: BTreeMap<u32, String>,
    shapes: Vec<Shape>,
    #[serde(with = "serde_dynamo::string_set")]
    tags: Vec<String>,
    #[serde(with = "serde_dynamo::number_set")]
    scores: Vec<u32>,
    nested: HashMap<String, Vec<Option<bool>>>,
    #[serde(flatten)]
    extra: Inner,
}

fn everything() -> Everything {
    Everything {
        text: "héllo # % {x} \u{0}".into(),
        empty: String::new(),
        ch: 'é',
        yes: true,
        small: -8,
        big: u64::MAX,
        negative: i64::MIN,
        ratio: -0.125,
        missing: None,
        present: Some(7),
        unit: (),
        list: vec![Inner {
            label: "a".into(),
            weights: vec![0.1, 2.5],
        }],
        tuple: (1, "two".into(), false),
        by_name: BTreeMap::from([("x".into(), 1), ("y".into(), -2)]),
        by_id: BTreeMap::from([(3, "three".into())]),
        shapes: vec![
            Shape::Dot,
            Shape::Circle(1.5),
            Shape::Pair(2, "p".into()),
            Shape::Rect { w: 3, h: 4 },
        ],
        tags: vec!["b".into(), "a".into()],
        scores: vec![10, 20],
        nested: HashMap::from([("k".into(), vec![Some(true), None])]),
        extra: Inner {
            label: "flat".into(),
            weights: vec![],
        },
    }
}

#[test]
fn writes_what_serde_dynamo_writes() {
    let value = everything();
    let (ours, _) = to_item(&value, 0).unwrap();
    let theirs: HashMap<String, AttributeValue> = serde_dynamo::to_item(&value).unwrap();
    assert_eq!(ours, theirs);
}

#[derive(Serialize)]
struct Sets {
    #[serde(with = "serde_dynamo::binary_set")]
    blobs: Vec<Vec<u8>>,
    #[serde(with = "serde_dynamo::number_set")]
    reals: Vec<f64>,
    bytes: Vec<u8>,
    wide: u128,
    exact: Number,
}

#[test]
fn size_is_counted_while_serializing() {
    let (item, size) = to_item(&everything(), 0).unwrap();
    assert_eq!(size, crate::foundation::size::item_size(&item));
    // Integers are sized from itoa's text: zeros, signs, trailing zeros.
    let ints: BTreeMap<String, i64> = [0, -1000, 100, 1200, -7, i64::MIN, 10]
        .into_iter()
        .map(|n| (n.to_string(), n))
        .collect();
    let (item, size) = to_item(&ints, 0).unwrap();
    assert_eq!(size, crate::foundation::size::item_size(&item));
    let sets = Sets {
        blobs: vec![vec![1, 2, 3], vec![], vec![255]],
        reals: vec![0.5, -12.25, 1e20],
        bytes: vec![0, 10, 200],
        wide: 10u128.pow(37),
        exact: "-0.000120".parse().unwrap(),
    };
    let (item, size) = to_item(&sets, 0).unwrap();
    assert_eq!(
        item["blobs"],
        AttributeValue::Bs(vec![
            Blob::new(vec![1, 2, 3]),
            Blob::new(vec![]),
            Blob::new(vec![255])
        ])
    );
    assert_eq!(size, crate::foundation::size::item_size(&item));
    // serde_dynamo's binary sets take serde_bytes values; ours also take
    // plain Vec<u8> (a list of numbers). The other sets match it exactly.
    #[derive(Serialize)]
    struct TheirSets {
        #[serde(with = "serde_dynamo::number_set")]
        reals: Vec<f64>,
        #[serde(with = "serde_dynamo::string_set")]
        names: Vec<String>,
    }
    let theirs = TheirSets {
        reals: sets.reals.clone(),
        names: vec!["a".into(), "b".into()],
    };
    let (item, size) = to_item(&theirs, 0).unwrap();
    let expected: HashMap<String, AttributeValue> = serde_dynamo::to_item(&theirs).unwrap();
    assert_eq!(item, expected);
    assert_eq!(size, crate::foundation::size::item_size(&item));
}

#[test]
fn reads_what_serde_dynamo_writes_and_the_reverse() {
    let value = everything();
    let theirs: HashMap<String, AttributeValue> = serde_dynamo::to_item(&value).unwrap();
    assert_eq!(from_item::<Everything>(theirs).unwrap(), value);
    let (ours, _) = to_item(&value, 0).unwrap();
    assert_eq!(
        serde_dynamo::from_item::<_, Everything>(ours).unwrap(),
        value
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Money {
    amount: Number,
    amounts: Vec<Number>,
    optional: Option<Number>,
}

#[test]
fn numbers_keep_all_38_digits_both_ways() {
    let digits = [
        "12345678901234567890123456789012345678",
        "-0.12345678901234567890123456789012345678",
        "9.9999999999999999999999999999999999999E+125",
        "1E-130",
        "0",
    ];
    for text in digits {
        let money = Money {
            amount: text.parse().unwrap(),
            amounts: vec![text.parse().unwrap(), Number::from(1u8)],
            optional: Some(text.parse().unwrap()),
        };
        let (item, _) = to_item(&money, 0).unwrap();
        assert_eq!(item["amount"], AttributeValue::N(text.into()));
        assert_eq!(
            item["amounts"],
            AttributeValue::L(vec![
                AttributeValue::N(text.into()),
                AttributeValue::N("1".into())
            ])
        );
        let back: Money = from_item(item).unwrap();
        assert_eq!(back, money);
        assert_eq!(back.amount.as_str(), text);
    }
}

#[test]
fn numbers_dynamodb_cannot_store_are_refused() {
    for text in [
        "NaN",
        "inf",
        "123456789012345678901234567890123456789",
        "1e126",
        "1e-131",
        "",
        "12a",
        "0x10",
    ] {
        assert!(text.parse::<Number>().is_err(), "{text}");
    }
    // A stored N that is not a valid number (written by another tool) is a
    // decode error naming the field, not a panic.
    let item = HashMap::from([
        ("amount".to_owned(), AttributeValue::N("1e999".into())),
        ("amounts".to_owned(), AttributeValue::L(vec![])),
    ]);
    let err = from_item::<Money>(item).unwrap_err();
    assert_eq!(err.path().as_deref(), Some("amount"));
}

#[derive(Debug, Serialize, Deserialize)]
struct Floats {
    inner: Vec<Wrapper>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Wrapper {
    value: f64,
}

#[test]
fn unstorable_floats_fail_with_their_path() {
    for (bad, why) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
        (1e200, "range"),
        (1e-200, "range"),
    ] {
        let floats = Floats {
            inner: vec![Wrapper { value: 1.0 }, Wrapper { value: bad }],
        };
        let err = to_item(&floats, 0).unwrap_err();
        assert_eq!(err.path().as_deref(), Some("inner[1].value"), "{why}");
        assert!(
            err.to_string().starts_with("attribute `inner[1].value`: "),
            "{err}"
        );
    }
    assert!(to_value(&f32::NEG_INFINITY).is_err());
    assert_eq!(to_value(&0.1f32).unwrap(), AttributeValue::N("0.1".into()));
}

#[test]
fn wide_integers_up_to_38_digits() {
    let max38 = 99_999_999_999_999_999_999_999_999_999_999_999_999u128;
    let value = to_value(&max38).unwrap();
    assert_eq!(value, AttributeValue::N(max38.to_string()));
    let back = u128::deserialize(super::de::Deserializer(value)).unwrap();
    assert_eq!(back, max38);
    assert!(to_value(&u128::MAX).is_err(), "39 digits");
    assert!(to_value(&i128::MIN).is_err(), "39 digits");
    assert_eq!(
        to_value(&(i128::from(i64::MIN) * 1000)).unwrap(),
        AttributeValue::N("-9223372036854775808000".into())
    );
}

#[test]
fn decode_errors_name_the_path() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        list: Vec<Inner>,
    }
    let item = HashMap::from([(
        "list".to_owned(),
        AttributeValue::L(vec![AttributeValue::M(HashMap::from([
            ("label".to_owned(), AttributeValue::N("1".into())),
            ("weights".to_owned(), AttributeValue::L(vec![])),
        ]))]),
    )]);
    let err = from_item::<Outer>(item).unwrap_err();
    assert_eq!(err.path().as_deref(), Some("list[0].label"));
    assert_eq!(err.message(), "expected a string (S), found a number (N)");

    let err = from_item::<Outer>(HashMap::new()).unwrap_err();
    assert_eq!(
        err.path().as_deref(),
        Some("list"),
        "a missing field is named"
    );

    let item = HashMap::from([("small".to_owned(), AttributeValue::N("300".into()))]);
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Small {
        small: u8,
    }
    let err = from_item::<Small>(item).unwrap_err();
    assert_eq!(err.message(), "the number `300` does not fit in u8");
}

#[test]
fn top_level_must_be_a_map() {
    assert!(to_item(&5u8, 0).is_err());
    assert!(to_item(&vec![1u8], 0).is_err());
}
