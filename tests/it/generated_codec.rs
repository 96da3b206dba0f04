//! The codec the `Entity` and `Nested` derives generate writes exactly the
//! map serde writes and reads exactly what serde reads: property tests over
//! random values of the benchmark entities and of an entity using every
//! serde attribute the generated code follows, and over foreign items
//! (attributes missing, added, retyped, numbers and timestamps in other
//! spellings), compared with the type's own serde impls. No database: this
//! is the codec alone; every other test of the suite runs it against an
//! engine (and, in debug builds, compares it with serde on every item).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use truss_model::__private::{
    decode_untyped, encode_untyped, from_item_by_serde, to_item_by_serde,
};
use truss_model::{Codec, Entity, Item, Nested, Table};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "LINK#{code}", sk = "META")]
pub struct Link {
    pub code: String,
    pub target: String,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{created_at}#{clip_id}")]
pub struct Clip {
    pub creator_id: String,
    pub created_at: DateTime<Utc>,
    pub clip_id: String,
    pub video_id: String,
    pub title: String,
    pub virality: f64,
    pub duration_secs: u32,
    pub views: u64,
    pub published: bool,
    pub platforms: Vec<String>,
}

/// Two key fields among three names, read with a `match` (up to four
/// names): the key fields an item lacks are read in a round after the pass,
/// from the attributes recovered from its keys; and its serde twin.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "PAIR#{owner}", sk = "RANK#{rank}")]
pub struct Pair {
    pub owner: String,
    pub rank: u32,
    pub note: Option<String>,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "PAIR#{owner}", sk = "RANK#{rank}", codec = "serde")]
pub struct SerdePair {
    pub owner: String,
    pub rank: u32,
    pub note: Option<String>,
}

/// An attribute named as the table's partition key: refused on write.
#[derive(Entity, Debug, Clone, PartialEq)]
#[truss(pk = "SHADOW#{id}", sk = "SHADOW")]
pub struct Shadow {
    pub id: String,
    #[serde(rename = "PK")]
    pub shadow: String,
}

/// Keyed in two indexes, one of them sparse (`tag`), a timestamp in both.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "CLIP#{clip_id}",
    index(
        name = "GSI1",
        pk = "VIDEO#{video_id}",
        sk = "CLIP#{created_at}#{clip_id}"
    ),
    index(name = "GSI2", pk = "TAG#{tag}", sk = "{views}")
)]
pub struct IndexedClip {
    pub creator_id: String,
    pub clip_id: String,
    pub video_id: String,
    pub created_at: DateTime<Utc>,
    pub tag: Option<String>,
    pub views: u32,
}

/// Two of its names share a key (`home_city_name`, `home_town_name`: same
/// length, same first three and last four bytes), which the scattered reading's table cannot tell apart: it
/// is read with a `match` on the names instead.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "ACCOUNT#{id}", sk = "ACCOUNT")]
pub struct Account {
    pub id: String,
    pub home_city_name: String,
    pub home_town_name: Option<String>,
    pub billing_name: String,
    pub region: String,
    pub plan: String,
}

#[derive(Nested, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub sku_code: String,
    pub quantity: u32,
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_note: Option<String>,
}

/// Internally tagged.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind")]
pub enum Payment {
    Card { last4: String },
    Cash,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Amount {
    Whole(i64),
    Text(String),
}

/// Externally tagged.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Status {
    Placed,
    Shipped { carrier: String },
    Held(u8),
}

fn default_currency() -> String {
    "EUR".into()
}

/// Cents stored as a decimal text (`"12.34"`).
mod cents {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn write<S: Serializer>(cents: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}.{:02}", cents / 100, cents % 100))
    }

    pub fn read<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        let (whole, frac) = text
            .split_once('.')
            .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {text:?}")))?;
        let parse = |t: &str| t.parse::<u64>().map_err(serde::de::Error::custom);
        Ok(parse(whole)? * 100 + parse(frac)?)
    }
}

/// Every serde attribute the generated codec follows.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "ORDER#{order_id}", sk = "ORDER")]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub order_id: String,
    #[serde(rename = "Customer Name")]
    pub customer: String,
    #[serde(alias = "noteText")]
    pub note: Option<String>,
    #[serde(default)]
    pub count: u32,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
    #[serde(skip)]
    pub cache: Option<u64>,
    #[serde(skip_serializing, default)]
    pub secret: String,
    #[serde(skip_deserializing)]
    pub computed: u8,
    #[serde(with = "serde_dynamo::string_set")]
    pub tags: HashSet<String>,
    #[serde(with = "serde_dynamo::number_set")]
    pub codes: HashSet<u32>,
    #[serde(serialize_with = "cents::write", deserialize_with = "cents::read")]
    pub total: u64,
    pub part: Part,
    pub parts: Vec<Part>,
    pub boxed: Box<Part>,
    pub payment: Payment,
    pub amount: Amount,
    pub status: Status,
    pub big: i128,
    pub ratio: f32,
    pub by_name: HashMap<String, u32>,
    pub when: Option<DateTime<Utc>>,
}

impl Order {
    /// The value as any reading of it gives it back: the fields serde does
    /// not read at their defaults.
    fn as_read(&self) -> Order {
        Order {
            cache: None,
            secret: String::new(),
            computed: 0,
            ..self.clone()
        }
    }
}

/// Left to serde, each for its reason.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "FLAT#{id}", sk = "FLAT")]
pub struct Flat {
    pub id: String,
    #[serde(flatten)]
    pub extra: HashMap<String, String>,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "STRICT#{id}", sk = "STRICT")]
#[serde(deny_unknown_fields)]
pub struct Strict {
    pub id: String,
}

/// A hand-written `Serialize` (names in upper case), declared.
#[derive(Entity, Debug, Clone, PartialEq)]
#[truss(pk = "HAND#{id}", sk = "HAND", codec = "serde")]
pub struct Declared {
    pub id: String,
    pub name: String,
}

/// The same, not declared: the derive cannot see the impls.
#[derive(Entity, Debug, Clone, PartialEq)]
#[truss(pk = "HAND#{id}", sk = "HAND")]
pub struct Undeclared {
    pub id: String,
    pub name: String,
}

macro_rules! upper_case_serde {
    ($($ty:ident)*) => {$(
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut st = s.serialize_struct(stringify!($ty), 2)?;
                st.serialize_field("id", &self.id)?;
                st.serialize_field("NAME", &self.name)?;
                st.end()
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                struct Raw {
                    id: String,
                    #[serde(rename = "NAME")]
                    name: String,
                }
                let raw = Raw::deserialize(d)?;
                Ok($ty { id: raw.id, name: raw.name })
            }
        }
    )*};
}
upper_case_serde!(Declared Undeclared);

// ------------------------------------------------------------ strategies

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _.#%-]{1,12}",
        "\\PC{1,8}",
        Just("Ann Lee".to_owned()),
        Just("MiXeD Case".to_owned()),
    ]
}

fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    let nanos = prop_oneof![
        Just(0u32),
        (0u32..1000).prop_map(|ms| ms * 1_000_000),
        (0u32..1_000_000).prop_map(|us| us * 1000),
        0u32..1_000_000_000,
    ];
    // Years 1 to 9999, and some past it (written by chrono's own code).
    let secs = prop_oneof![
        -62_000_000_000i64..253_402_300_799,
        253_402_300_800i64..300_000_000_000,
    ];
    (secs, nanos).prop_map(|(s, n)| Utc.timestamp_opt(s, n).single().unwrap_or_default())
}

prop_compose! {
    fn clip()(
        creator_id in text(), created_at in timestamp(), clip_id in text(),
        video_id in text(), title in text(), virality in any::<f64>(),
        duration_secs in any::<u32>(), views in any::<u64>(), published in any::<bool>(),
        platforms in prop::collection::vec(text(), 0..4),
    ) -> Clip {
        Clip { creator_id, created_at, clip_id, video_id, title, virality, duration_secs, views, published, platforms }
    }
}

prop_compose! {
    fn part()(
        sku_code in text(), quantity in any::<u32>(),
        notes in prop::collection::vec(text(), 0..3), gift_note in prop::option::of(text()),
    ) -> Part {
        Part { sku_code, quantity, notes, gift_note }
    }
}

fn payment() -> impl Strategy<Value = Payment> {
    prop_oneof![
        text().prop_map(|last4| Payment::Card { last4 }),
        Just(Payment::Cash)
    ]
}

fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        any::<i64>().prop_map(Amount::Whole),
        "[a-z ]{0,6}".prop_map(Amount::Text)
    ]
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Placed),
        text().prop_map(|carrier| Status::Shipped { carrier }),
        any::<u8>().prop_map(Status::Held),
    ]
}

prop_compose! {
    fn order_head()(
        order_id in text(), customer in text(), note in prop::option::of(text()),
        count in any::<u32>(), currency in text(), coupon in prop::option::of(text()),
        cache in prop::option::of(any::<u64>()), secret in text(), computed in any::<u8>(),
        tags in prop::collection::hash_set(text(), 0..4),
        codes in prop::collection::hash_set(any::<u32>(), 0..4),
        total in any::<u64>(),
    ) -> (String, String, Option<String>, u32, String, Option<String>, Option<u64>, String, u8, HashSet<String>, HashSet<u32>, u64) {
        (order_id, customer, note, count, currency, coupon, cache, secret, computed, tags, codes, total)
    }
}

prop_compose! {
    fn order()(
        head in order_head(), part in part(), parts in prop::collection::vec(part(), 0..3),
        boxed in part(), payment in payment(), amount in amount(), status in status(),
        big in any::<i128>(), ratio in any::<f32>(),
        by_name in prop::collection::hash_map(text(), any::<u32>(), 0..3),
        when in prop::option::of(timestamp()),
    ) -> Order {
        let (order_id, customer, note, count, currency, coupon, cache, secret, computed, tags, codes, total) = head;
        Order {
            order_id, customer, note, count, currency, coupon, cache, secret, computed, tags,
            codes, total, part, parts, boxed: Box::new(boxed), payment, amount, status, big,
            ratio, by_name, when,
        }
    }
}

// ------------------------------------------------------------ the checks

/// The generated encoder's map and size are serde's (or both fail with the
/// same message), and the generated decoder reads serde's map back to the
/// value serde reads.
fn same_write_and_read<
    E: Entity + Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
>(
    value: &E,
) -> Option<E> {
    assert_eq!(E::CODEC, Codec::Generated);
    let generated = value.__to_item(0).map_err(|e| e.to_string());
    let by_serde = to_item_by_serde(value, 0).map_err(|e| e.to_string());
    assert_eq!(generated, by_serde, "written");
    let (item, _) = by_serde.ok()?;
    same_read::<E>(item)
}

/// Both decoders give the same value, or the same error.
fn same_read<E: Entity + Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    item: Item,
) -> Option<E> {
    let generated = E::__from_item(item.clone()).map_err(|e| e.to_string());
    let by_serde = from_item_by_serde::<E>(item.clone()).map_err(|e| e.to_string());
    assert_eq!(generated, by_serde, "read from {item:?}");
    generated.ok()
}

/// Other tools' spellings and shapes of one value.
fn variants(value: &AttributeValue) -> Vec<AttributeValue> {
    use AttributeValue::*;
    let mut out = vec![Null(true), S("x".into()), N("1".into()), Bool(true)];
    match value {
        S(s) => {
            out.push(S(s.to_uppercase()));
            out.push(Ss(vec![s.clone()]));
            out.push(N(s.clone()));
            // Timestamps written by other code.
            if DateTime::parse_from_rfc3339(s).is_ok() && s.len() >= 20 {
                out.push(S(s.replace('Z', "+00:00")));
                out.push(S(s.replace('Z', "-01:30")));
                out.push(S(s.replacen('T', " ", 1)));
                out.push(S(s.replacen('T', "t", 1)));
                out.push(S(s.replace('Z', "z")));
                out.push(S(format!("{}Z", &s[..19])));
                out.push(S(format!("{}.123456789012Z", &s[..19])));
                out.push(S(format!("{}.Z", &s[..19])));
                out.push(S(format!("{}:60Z", &s[..16])));
                out.push(S(format!("2024-02-30{}", &s[10..])));
            }
        }
        N(n) => {
            for other in [
                format!("+{n}"),
                format!("{n}.0"),
                format!("0{n}"),
                format!("{n}e0"),
                format!("{n}E2"),
                format!(" {n}"),
                "1e400".into(),
                "-0".into(),
                "4294967296".into(),
                "1.5".into(),
            ] {
                out.push(N(other));
            }
            out.push(S(n.clone()));
        }
        L(l) => {
            out.push(M(HashMap::new()));
            out.push(L(l.iter().rev().cloned().collect()));
            let strings: Option<Vec<String>> = l.iter().map(|v| v.as_s().ok().cloned()).collect();
            if let Some(strings) = strings.filter(|s| !s.is_empty()) {
                out.push(Ss(strings));
            }
            out.push(L(vec![Null(true)]));
        }
        M(m) => {
            out.push(L(m.values().cloned().collect()));
            for key in m.keys() {
                let mut fewer = m.clone();
                fewer.remove(key);
                out.push(M(fewer));
            }
            let mut more = m.clone();
            more.insert("extra attribute".into(), S("x".into()));
            out.push(M(more));
        }
        Ss(s) => {
            out.push(L(s.iter().cloned().map(S).collect()));
            out.push(Ss(vec!["x".into()]));
        }
        Ns(n) => {
            out.push(Ns(vec!["1.5".into()]));
            out.push(L(n.iter().cloned().map(N).collect()));
        }
        _ => {}
    }
    out
}

/// Every attribute of `item` missing, retyped or respelled in turn, and an
/// attribute added: both decoders agree on each.
fn same_read_of_foreign_items<
    E: Entity + Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
>(
    item: &Item,
) -> usize {
    let mut checked = 0;
    let mut extra = item.clone();
    extra.insert("writtenBy".into(), AttributeValue::S("another tool".into()));
    same_read::<E>(extra);
    for (name, value) in item {
        let mut missing = item.clone();
        missing.remove(name);
        same_read::<E>(missing);
        for variant in variants(value) {
            let mut changed = item.clone();
            changed.insert(name.clone(), variant);
            same_read::<E>(changed);
            checked += 1;
        }
    }
    checked
}

/// The in-place key check of a read (`__keys_are`) against the keys the
/// entity writes: it accepts `(pk, sk)` only when they are those keys, and
/// it accepts the written keys whenever no field needs an escape (for the
/// others it may leave the answer to the writing, which compares).
fn key_check_agrees<E: Entity>(
    value: &E,
    pk: &str,
    sk: &str,
    plain: bool,
) -> Result<(), TestCaseError> {
    let (mut written_pk, mut written_sk) = (String::new(), String::new());
    let written =
        value.__write_pk(&mut written_pk).is_ok() && value.__write_sk(&mut written_sk).is_ok();
    if value.__keys_are(pk, Some(sk)) {
        prop_assert!(written);
        prop_assert_eq!((written_pk.as_str(), written_sk.as_str()), (pk, sk));
    }
    if written && plain {
        prop_assert!(value.__keys_are(&written_pk, Some(&written_sk)));
    }
    Ok(())
}

/// Variants of a written key: cut, extended, one byte changed, a segment
/// escaped or unescaped.
fn near(key: &str) -> Vec<String> {
    let mut keys = vec![
        key.to_owned(),
        format!("{key}#"),
        format!("{key}x"),
        key.replace("%23", "#"),
        key.replace('#', "%23"),
        key.to_lowercase(),
    ];
    if let Some((cut, _)) = key.char_indices().last() {
        keys.push(key[..cut].to_owned());
    }
    keys
}

/// The tables a plain entity's paths are compared in: the usual one, one
/// with other key names, and one without a sort key (every write and read
/// of an entity with a sort-key template refused).
fn tables() -> [Table; 3] {
    [
        Table::new(offline_client(), "t"),
        Table::new(offline_client(), "t")
            .with_partition_key("pk")
            .with_sort_key("Sort Key"),
        Table::new(offline_client(), "t").without_sort_key(),
    ]
}

/// `item` as other tools may hold it: reordered, with an attribute added,
/// each attribute missing, retyped or respelled in turn, each string (the
/// keys among them) cut, extended or changed.
fn foreign(item: &Item) -> Vec<Item> {
    let mut items = vec![item.clone(), reordered(item)];
    let mut extra = item.clone();
    extra.insert("writtenBy".into(), AttributeValue::S("another tool".into()));
    items.push(extra);
    for (name, value) in item {
        let mut missing = item.clone();
        missing.remove(name);
        items.push(missing);
        let mut changed: Vec<AttributeValue> = variants(value);
        if let AttributeValue::S(text) = value {
            changed.extend(near(text).into_iter().map(AttributeValue::S));
        }
        for variant in changed {
            let mut item = item.clone();
            item.insert(name.clone(), variant);
            items.push(item);
        }
    }
    items
}

/// An entity that declares nothing past its table keys is written and read
/// by a typed path (`encode_plain`, `decode_plain`): it gives what the
/// untyped body every entity can take gives, the same item or the same
/// error, on write and on every foreign reading of the item. Returns how
/// many readings were compared, and how many of them failed.
fn same_on_both_paths<E: Entity + PartialEq + std::fmt::Debug>(
    value: &E,
) -> Result<(usize, usize), TestCaseError> {
    let (mut compared, mut failed) = (0, 0);
    let text = |r: truss_model::Result<Item>| r.map_err(|e| e.to_string());
    for table in tables() {
        let typed = table.to_item(value);
        prop_assert_eq!(text(typed.clone()), text(encode_untyped(&table, value)));
        let Ok(item) = typed else { continue };
        for item in foreign(&item) {
            let typed = table
                .from_item::<E>(item.clone())
                .map_err(|e| e.to_string());
            let untyped = decode_untyped::<E>(&table, item).map_err(|e| e.to_string());
            failed += usize::from(typed.is_err());
            prop_assert_eq!(typed, untyped);
            compared += 1;
        }
    }
    Ok((compared, failed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn plain_entities_take_a_typed_path_that_is_the_untyped_one(
        code in text(), target in text(), clip in clip(),
    ) {
        let (compared, failed) = same_on_both_paths(&Link { code, target })?;
        // Two tables take the item; in each, the keys cut or changed fail.
        prop_assert!(compared >= 40 && failed >= 10 && failed < compared, "{compared} {failed}");
        let (compared, failed) = same_on_both_paths(&clip)?;
        prop_assert!(compared == 0 || (failed >= 10 && failed < compared), "{compared} {failed}");
    }

    #[test]
    fn index_keys_are_checked_in_place_only_as_written(
        creator_id in text(), clip_id in text(), video_id in text(), created_at in timestamp(),
        tag in prop::option::of(text()), views in any::<u32>(), other in text(),
    ) {
        let clip = IndexedClip { creator_id, clip_id, video_id, created_at, tag, views };
        for index in 0..2 {
            let (mut pk, mut sk) = (String::new(), String::new());
            let in_index = clip.__write_index(index, &mut pk, &mut sk);
            let mut keys = vec![(pk.clone(), sk.clone())];
            keys.extend(near(&pk).into_iter().map(|p| (p, sk.clone())));
            keys.extend(near(&sk).into_iter().map(|s| (pk.clone(), s)));
            keys.push((format!("TAG#{other}"), sk.clone()));
            for (stored_pk, stored_sk) in keys {
                if clip.__index_keys_are(index, &stored_pk, Some(&stored_sk)) {
                    prop_assert!(matches!(in_index, Ok(true)), "accepted keys of an index the value is out of");
                    prop_assert_eq!((stored_pk.as_str(), stored_sk.as_str()), (pk.as_str(), sk.as_str()));
                }
            }
            // With nothing to escape, the written keys pass in place.
            let plain = |t: &str| !t.bytes().any(|b| b <= b'%' || b == 0xF4);
            if matches!(in_index, Ok(true)) && plain(&clip.video_id) && plain(&clip.clip_id)
                && clip.tag.as_deref().is_none_or(plain)
            {
                prop_assert!(clip.__index_keys_are(index, &pk, Some(&sk)));
            }
        }
        prop_assert!(!clip.__index_keys_are(2, "x", Some("y")));
    }

    #[test]
    fn keys_are_checked_in_place_only_as_written(code in text(), other in text(), clip in clip()) {
        let link = Link { code: code.clone(), target: "t".into() };
        let plain = !code.bytes().any(|b| b <= b'%' || b == 0xF4);
        for pk in near(&format!("LINK#{code}")).into_iter().chain(near(&format!("LINK#{other}"))) {
            for sk in ["META", "META#", "meta", ""] {
                key_check_agrees(&link, &pk, sk, plain && pk == format!("LINK#{code}") && sk == "META")?;
            }
        }
        let (mut pk, mut sk) = (String::new(), String::new());
        if clip.__write_pk(&mut pk).is_ok() && clip.__write_sk(&mut sk).is_ok() {
            // Timestamps are written and compared: every written key passes.
            key_check_agrees(&clip, &pk, &sk, true)?;
            for (pk, sk) in near(&pk).iter().flat_map(|pk| near(&sk).into_iter().map(move |sk| (pk.clone(), sk))) {
                key_check_agrees(&clip, &pk, &sk, false)?;
            }
        }
    }

    #[test]
    fn links_are_written_and_read_as_serde_does(code in text(), target in text()) {
        let link = Link { code, target };
        prop_assert_eq!(same_write_and_read(&link), Some(link));
    }

    #[test]
    fn clips_are_written_and_read_as_serde_does(clip in clip()) {
        // A number DynamoDB cannot store (not finite, or beyond its range
        // of 1e-130 to 1e126) is refused by both.
        let storable = to_item_by_serde(&clip, 0).is_ok();
        let read = same_write_and_read(&clip);
        prop_assert_eq!(read, storable.then_some(clip));
    }

    #[test]
    fn every_followed_serde_attribute_writes_and_reads_as_serde_does(order in order()) {
        // Empty sets, numbers past 38 digits or out of range: refused by
        // both.
        let storable = to_item_by_serde(&order, 0).is_ok();
        let read = same_write_and_read(&order);
        prop_assert_eq!(read, storable.then(|| order.as_read()));
    }

    #[test]
    fn foreign_clips_read_the_same_on_both_paths(clip in clip()) {
        if let Ok((item, _)) = to_item_by_serde(&clip, 0) {
            prop_assert!(same_read_of_foreign_items::<Clip>(&item) >= 40);
        }
    }

    #[test]
    fn foreign_orders_read_the_same_on_both_paths(order in order()) {
        if let Ok((item, _)) = to_item_by_serde(&order, 0) {
            prop_assert!(same_read_of_foreign_items::<Order>(&item) >= 80);
        }
    }
}

/// Nested maps written by other tools: a part missing its optional note, a
/// note under its alias, numbers in other spellings.
#[test]
fn hand_made_foreign_orders_read_the_same_on_both_paths() {
    let order = Order {
        order_id: "o 1".into(),
        customer: "Ann Lee".into(),
        note: None,
        count: 2,
        currency: "USD".into(),
        coupon: None,
        cache: None,
        secret: String::new(),
        computed: 0,
        tags: HashSet::from(["gift".into()]),
        codes: HashSet::from([7]),
        total: 1234,
        part: Part {
            sku_code: "A-1".into(),
            quantity: 1,
            notes: vec![],
            gift_note: None,
        },
        parts: vec![],
        boxed: Box::new(Part {
            sku_code: "B 2".into(),
            quantity: 3,
            notes: vec!["fragile".into()],
            gift_note: Some("for you".into()),
        }),
        payment: Payment::Cash,
        amount: Amount::Text("ten".into()),
        status: Status::Held(3),
        big: -99_999_999_999_999_999_999_999_999_999_999_999_999,
        ratio: 0.1,
        by_name: HashMap::from([("a b".into(), 1)]),
        when: Some(Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).unwrap()),
    };
    let (mut item, _) = to_item_by_serde(&order, 0).unwrap();
    assert_eq!(same_read::<Order>(item.clone()), Some(order.clone()));
    // Optional and defaulted attributes absent, as other tools leave them.
    for name in ["note", "count", "currency", "when"] {
        item.remove(name);
    }
    let read = same_read::<Order>(item.clone()).unwrap();
    assert_eq!(
        (read.count, read.currency.as_str(), read.when),
        (0, "EUR", None)
    );
    // The note under its alias; under both names, serde's error.
    item.insert("noteText".into(), AttributeValue::S("hi".into()));
    assert_eq!(
        same_read::<Order>(item.clone()).unwrap().note.as_deref(),
        Some("hi")
    );
    item.insert("note".into(), AttributeValue::S("again".into()));
    assert_eq!(same_read::<Order>(item.clone()), None);
    let error = Order::__from_item(item).unwrap_err().to_string();
    assert!(error.contains("duplicate field `note`"), "{error}");
}

#[test]
fn the_codec_in_use_is_visible() {
    assert_eq!(Link::CODEC, Codec::Generated);
    assert_eq!(Order::CODEC, Codec::Generated);
    assert_eq!(Flat::CODEC, Codec::Serde("`#[serde(flatten)]` on `extra`"));
    assert_eq!(
        Strict::CODEC,
        Codec::Serde("`#[serde(deny_unknown_fields)]` on the type")
    );
    assert_eq!(
        Declared::CODEC,
        Codec::Serde("`#[truss(codec = \"serde\")]`")
    );
    // Left to serde, they still write what serde writes.
    let table = Table::new(offline_client(), "t");
    let flat = Flat {
        id: "f".into(),
        extra: HashMap::from([("color".into(), "red".into())]),
    };
    let item = table.to_item(&flat).unwrap();
    assert_eq!(item["color"], AttributeValue::S("red".into()));
    assert_eq!(table.from_item::<Flat>(item).unwrap(), flat);
}

/// An item lacking one key-field attribute, the other or both (as the AWS
/// CLI writes items) reads with them recovered from its keys, as the serde
/// codec reads it; an attribute the item holds is not replaced by the one
/// recovered (a disagreeing one is refused by the key check), and a key
/// segment that does not parse is the same error on both codecs.
#[test]
fn key_fields_an_item_lacks_are_read_after_the_pass() {
    let table = Table::new(offline_client(), "t");
    let pair = Pair {
        owner: "Ann Lee".into(),
        rank: 7,
        note: Some("a note".into()),
    };
    let twin = SerdePair {
        owner: pair.owner.clone(),
        rank: pair.rank,
        note: pair.note.clone(),
    };
    assert_eq!(Pair::CODEC, Codec::Generated);
    let item = table.to_item(&pair).unwrap();
    assert_eq!(item, table.to_item(&twin).unwrap());
    for lacking in [&["owner"][..], &["rank"], &["owner", "rank"]] {
        let mut bare = item.clone();
        for name in lacking {
            bare.remove(*name).expect("written");
        }
        assert_eq!(
            table.from_item::<Pair>(bare.clone()).unwrap(),
            pair,
            "{lacking:?}"
        );
        assert_eq!(
            table.from_item::<SerdePair>(bare).unwrap(),
            twin,
            "{lacking:?}"
        );
    }
    let errors = |item: Item| {
        let generated = table
            .from_item::<Pair>(item.clone())
            .unwrap_err()
            .to_string();
        let by_serde = table.from_item::<SerdePair>(item).unwrap_err().to_string();
        assert_eq!(generated, by_serde.replace("SerdePair", "Pair"));
        generated
    };
    // The item holds `owner`, another than its key's: not overwritten by
    // the recovered one, so the key check refuses it.
    let mut disagreeing = item.clone();
    disagreeing.remove("rank");
    disagreeing.insert("owner".into(), AttributeValue::S("Bob".into()));
    let error = errors(disagreeing);
    assert!(error.contains("gives `Bob`"), "{error}");
    // `rank` recovered from a sort key whose segment is no number.
    let mut unparsed = item.clone();
    unparsed.remove("rank");
    unparsed.insert("SK".into(), AttributeValue::S("RANK#seven".into()));
    let error = errors(unparsed);
    assert!(error.contains("rank") && error.contains("seven"), "{error}");
}

/// A hand-written Serialize is used when declared; undeclared, a debug
/// build refuses the write and the read rather than bypass it.
#[test]
fn hand_written_serde_is_never_bypassed_silently() {
    let table = Table::new(offline_client(), "t");
    let declared = Declared {
        id: "h".into(),
        name: "Ann".into(),
    };
    let item = table.to_item(&declared).unwrap();
    assert_eq!(item["NAME"], AttributeValue::S("Ann".into()));
    assert_eq!(table.from_item::<Declared>(item.clone()).unwrap(), declared);

    let undeclared = Undeclared {
        id: "h".into(),
        name: "Ann".into(),
    };
    if cfg!(debug_assertions) {
        let error = table.to_item(&undeclared).unwrap_err().to_string();
        assert!(
            error.contains("#[truss(codec = \"serde\")]") && error.contains("NAME"),
            "{error}"
        );
        let error = table.from_item::<Undeclared>(item).unwrap_err().to_string();
        assert!(error.contains("#[truss(codec = \"serde\")]"), "{error}");
    }
}

/// A client that is never called: the codec needs a table, not a network.
fn offline_client() -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// The same entries in a new map: a map's order comes from its own seed,
/// so each copy is read in another order.
fn reordered(item: &Item) -> Item {
    item.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[test]
fn names_sharing_a_key_read_as_serde_does() {
    let account = Account {
        id: "a 1".into(),
        home_city_name: "New York".into(),
        home_town_name: Some("Ithaca".into()),
        billing_name: "Ann Lee".into(),
        region: "eu".into(),
        plan: "pro".into(),
    };
    let (item, _) = to_item_by_serde(&account, 0).unwrap();
    for _ in 0..20 {
        assert_eq!(
            same_read::<Account>(reordered(&item)),
            Some(account.clone())
        );
    }
    let mut without = item.clone();
    without.remove("home_town_name");
    let read = same_read::<Account>(without).unwrap();
    assert_eq!(
        (read.home_town_name, read.home_city_name.as_str()),
        (None, "New York")
    );
    assert!(same_read_of_foreign_items::<Account>(&item) >= 40);
}

/// An attribute of another tool whose name has the key of a field's name
/// (`creabcr_id` and `creator_id`: ten bytes, `cre`, `r_id`) lands in that
/// field's place and is told apart from it, whichever of the two the map
/// holds first, or when the field is absent.
#[test]
fn a_foreign_name_with_a_fields_key_is_told_apart() {
    let clip = IndexedClip {
        creator_id: "Creator One".into(),
        clip_id: "c 1".into(),
        video_id: "v1".into(),
        created_at: Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).unwrap(),
        tag: Some("Funny".into()),
        views: 7,
    };
    let (mut item, _) = to_item_by_serde(&clip, 0).unwrap();
    item.insert(
        "creabcr_id".into(),
        AttributeValue::S("not the creator".into()),
    );
    for _ in 0..20 {
        assert_eq!(
            same_read::<IndexedClip>(reordered(&item)),
            Some(clip.clone())
        );
    }
    item.remove("creator_id");
    let error = IndexedClip::__from_item(item.clone())
        .unwrap_err()
        .to_string();
    assert!(error.contains("missing field `creator_id`"), "{error}");
    assert_eq!(same_read::<IndexedClip>(item), None);
}

/// A checked constant whose attribute name has the key of a field's name
/// (`home_town_name`, `home_city_name`): found in the field's place, or in
/// the place the item leaves empty, it still reaches the constant's check.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "HOME#{id}",
    sk = "HOME",
    checked_constant(home_town_name = "Ithaca")
)]
pub struct Home {
    pub id: String,
    pub home_city_name: Option<String>,
    pub street: String,
    pub number: u32,
    pub owner: String,
}

#[test]
fn a_constant_with_a_fields_key_is_still_checked() {
    let table = Table::new(offline_client(), "t");
    let home = Home {
        id: "h1".into(),
        home_city_name: Some("New York".into()),
        street: "Main St".into(),
        number: 7,
        owner: "Ann".into(),
    };
    let mut item = table.to_item(&home).unwrap();
    assert_eq!(item["home_town_name"], AttributeValue::S("Ithaca".into()));
    for _ in 0..20 {
        assert_eq!(table.from_item::<Home>(reordered(&item)).unwrap(), home);
    }
    item.remove("home_city_name");
    let without = Home {
        home_city_name: None,
        ..home
    };
    for _ in 0..20 {
        assert_eq!(table.from_item::<Home>(reordered(&item)).unwrap(), without);
    }
    item.insert("home_town_name".into(), AttributeValue::S("Albany".into()));
    let error = table.from_item::<Home>(item).unwrap_err().to_string();
    assert!(error.contains("home_town_name"), "{error}");
}

/// More attributes that are no field than the places kept for them (the
/// table's and both indexes' keys, and eight of another tool's): the rest
/// go to a list, and the index keys are still checked.
#[test]
fn many_other_attributes_keep_their_checks() {
    let table = Table::new(offline_client(), "t");
    let clip = IndexedClip {
        creator_id: "c1".into(),
        clip_id: "k1".into(),
        video_id: "v1".into(),
        created_at: Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).unwrap(),
        tag: Some("t".into()),
        views: 3,
    };
    let mut item = table.to_item(&clip).unwrap();
    assert!(item.contains_key("GSI2PK"), "{item:?}");
    for i in 0..8 {
        item.insert(format!("other {i}"), AttributeValue::N(i.to_string()));
    }
    for _ in 0..20 {
        assert_eq!(
            table.from_item::<IndexedClip>(reordered(&item)).unwrap(),
            clip
        );
    }
    item.insert(
        "GSI2PK".into(),
        AttributeValue::S("TAG#someone else".into()),
    );
    for _ in 0..20 {
        let error = table
            .from_item::<IndexedClip>(reordered(&item))
            .unwrap_err()
            .to_string();
        assert!(error.contains("GSI2"), "{error}");
    }
}

/// The typed path's failures are the untyped body's: a key past DynamoDB's
/// limit, an item past 400 KB, an attribute named as the table's key, a
/// table whose key schema the entity does not fit.
#[test]
fn plain_entities_fail_on_the_typed_path_as_on_the_untyped_one() {
    fn both<E: Entity>(table: &Table, value: &E) -> [Result<Item, String>; 2] {
        [table.to_item(value), encode_untyped(table, value)].map(|r| r.map_err(|e| e.to_string()))
    }
    let [table, _, without_sort_key] = tables();
    let link = |code: String, target: String| Link { code, target };
    let shadow = Shadow {
        id: "a".into(),
        shadow: "b".into(),
    };
    let cases = [
        (both(&table, &link("c".repeat(2100), "t".into())), "2048"),
        (
            both(&table, &link("c".into(), "t".repeat(410_000))),
            "409600",
        ),
        (both(&table, &shadow), "the table's key attribute"),
        (
            both(&without_sort_key, &link("c".into(), "t".into())),
            "sort",
        ),
    ];
    for ([typed, untyped], says) in cases {
        let error = typed.clone().expect_err("refused");
        assert!(error.contains(says), "{error}");
        assert_eq!(typed, untyped);
    }
}

/// A list writes each element in its place; an element that cannot be
/// written fails the write naming the first such element, as serde's
/// writing does, and the lists around it change nothing.
#[test]
fn a_list_element_that_cannot_be_written_is_named() {
    #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[truss(pk = "READINGS#{id}")]
    struct Readings {
        id: String,
        labels: Vec<String>,
        values: Vec<f64>,
        counts: Vec<u32>,
    }
    let [_, _, table] = tables();
    let good = Readings {
        id: "r 1".into(),
        labels: vec!["a".into(), String::new(), "Mixed Case".into()],
        values: vec![1.5, -0.0, 1e-130],
        counts: vec![0, u32::MAX],
    };
    let item = table.to_item(&good).expect("written");
    assert_eq!(
        item["labels"],
        AttributeValue::L(vec![
            AttributeValue::S("a".into()),
            AttributeValue::S(String::new()),
            AttributeValue::S("Mixed Case".into()),
        ])
    );
    assert_eq!(
        item["counts"],
        AttributeValue::L(vec![
            AttributeValue::N("0".into()),
            AttributeValue::N(u32::MAX.to_string()),
        ])
    );
    assert_eq!(table.from_item::<Readings>(item).expect("read"), good);
    let bad = Readings {
        values: vec![2.0, f64::NAN, f64::INFINITY],
        ..good
    };
    let error = table.to_item(&bad).expect_err("refused").to_string();
    assert!(error.contains("values[1]"), "{error}");
    let by_serde = to_item_by_serde(&bad, 0).expect_err("refused by serde too");
    assert!(by_serde.to_string().contains("values[1]"), "{by_serde}");
}
