//! CPU per item, no network: key rendering + encoding to an AttributeValue
//! map + decoding back, for a tiny item (2 attributes), a profile of six
//! (`mid`), a typical clip (10 attributes) and a wide item (60 attributes with nested lists and
//! maps). Side by side, in one run:
//!
//! - (a) hand-written `HashMap<String, AttributeValue>` code producing the
//!   identical map (the limit),
//! - (b) serde_dynamo with hand-written `format!` keys,
//! - (c) modyne 0.3 for the same entity (its map also holds `entity_type`;
//!   its `into_item` consumes the entity, so its loop clones first; the
//!   `clone_only` line measures that clone alone),
//! - truss-model (`Table::to_item` + `Table::from_item`),
//!
//! plus encode-only and decode-only lines for (a) and truss-model, and a
//! `timestamp` group comparing chrono's own `Deserialize` with the
//! `parse_from_rfc3339` the hand-written clip code calls. Two more decode
//! lines measure what reading data written by other tools costs:
//! `decode_only_truss_model_keys_unchecked` skips the check that an
//! entity's keys are its item's (the difference is that check's cost), and
//! `decode_only_truss_model_recovered` reads an item without its key-field
//! attributes (as the AWS CLI writes them), recovering them from the keys.
//!
//! The `tiny_read` and `tiny_write` groups take the tiny item's read and
//! write apart: hand-written, the generated parts alone, the whole.
//!
//! `cargo bench --bench codec` (no database needed).

use aws_sdk_dynamodb::types::AttributeValue;
use criterion::{criterion_group, BatchSize, BenchmarkGroup, Criterion};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hint::black_box;
use truss_model::{Entity, Table};

mod support;
use support::*;

// ---------------------------------------------------------------- tiny

#[derive(Entity, modyne::EntityDef, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "LINK#{code}", sk = "META")]
pub struct Link {
    pub code: String,
    pub target: String,
}

fn link() -> Link {
    Link {
        code: "aK9xQ2z".into(),
        target: "https://example.com/a/long/path?with=query".into(),
    }
}

fn link_hand_encode(l: &Link) -> Item {
    let mut item = HashMap::with_capacity(4);
    item.insert("PK".into(), AttributeValue::S(format!("LINK#{}", l.code)));
    item.insert("SK".into(), s("META"));
    item.insert("code".into(), s(&l.code));
    item.insert("target".into(), s(&l.target));
    item
}

fn link_hand_decode(mut item: Item) -> Option<Link> {
    Some(Link {
        code: take_s(&mut item, "code")?,
        target: take_s(&mut item, "target")?,
    })
}

fn link_serde_encode(l: &Link) -> Item {
    let mut item: Item = serde_dynamo::to_item(l).unwrap();
    item.insert("PK".into(), AttributeValue::S(format!("LINK#{}", l.code)));
    item.insert("SK".into(), s("META"));
    item
}

// ---------------------------------------------------------------- mid

/// Six names (a user profile): just past the four names up to which the
/// generated read keeps its one-pass `match`.
#[derive(Entity, modyne::EntityDef, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "USER#{username}", sk = "PROFILE")]
pub struct Profile {
    pub username: String,
    pub name: String,
    pub email: String,
    pub plan: String,
    pub country: String,
    pub logins: u32,
}

fn profile() -> Profile {
    Profile {
        username: "ann.lee".into(),
        name: "Ann Lee".into(),
        email: "ann@example.com".into(),
        plan: "pro".into(),
        country: "NZ".into(),
        logins: 42,
    }
}

fn profile_hand_encode(p: &Profile) -> Item {
    let mut item = HashMap::with_capacity(8);
    item.insert(
        "PK".into(),
        AttributeValue::S(format!("USER#{}", p.username)),
    );
    item.insert("SK".into(), s("PROFILE"));
    item.insert("username".into(), s(&p.username));
    item.insert("name".into(), s(&p.name));
    item.insert("email".into(), s(&p.email));
    item.insert("plan".into(), s(&p.plan));
    item.insert("country".into(), s(&p.country));
    item.insert("logins".into(), AttributeValue::N(p.logins.to_string()));
    item
}

fn profile_hand_decode(mut item: Item) -> Option<Profile> {
    Some(Profile {
        username: take_s(&mut item, "username")?,
        name: take_s(&mut item, "name")?,
        email: take_s(&mut item, "email")?,
        plan: take_s(&mut item, "plan")?,
        country: take_s(&mut item, "country")?,
        logins: take_n(&mut item, "logins")?,
    })
}

fn profile_serde_encode(p: &Profile) -> Item {
    let mut item: Item = serde_dynamo::to_item(p).unwrap();
    item.insert(
        "PK".into(),
        AttributeValue::S(format!("USER#{}", p.username)),
    );
    item.insert("SK".into(), s("PROFILE"));
    item
}

// ---------------------------------------------------------------- wide

#[derive(truss_model::Nested, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Part {
    pub sku: String,
    pub quantity: u32,
    pub notes: Vec<String>,
}

/// 60 attributes: an id, 20 strings, 20 numbers, 9 booleans, 5 lists of
/// strings and 5 nested maps (each with a list inside).
macro_rules! wide {
    (
        strings: $($s:ident)*;
        numbers: $($n:ident)*;
        bools: $($b:ident)*;
        lists: $($l:ident)*;
        maps: $($m:ident)*;
    ) => {
        #[derive(Entity, modyne::EntityDef, Serialize, Deserialize, Debug, Clone, PartialEq)]
        #[truss(pk = "ORDER#{id}", sk = "ORDER")]
        pub struct Wide {
            pub id: String,
            $(pub $s: String,)*
            $(pub $n: u64,)*
            $(pub $b: bool,)*
            $(pub $l: Vec<String>,)*
            $(pub $m: Part,)*
        }

        fn wide() -> Wide {
            let mut i = 0u64;
            let mut next = || { i += 1; i };
            Wide {
                id: "order-000042".into(),
                $($s: format!("{} value {}", stringify!($s), next()),)*
                $($n: next() * 1_000_003,)*
                $($b: next() % 2 == 0,)*
                $($l: vec![format!("{}-a", stringify!($l)), format!("{}-b", stringify!($l)), "c".into()],)*
                $($m: Part {
                    sku: format!("SKU-{}", next()),
                    quantity: next() as u32,
                    notes: vec!["fragile".into(), "gift".into()],
                },)*
            }
        }

        fn part_value(p: &Part) -> AttributeValue {
            let mut m = HashMap::with_capacity(3);
            m.insert("sku".to_owned(), s(&p.sku));
            m.insert("quantity".to_owned(), AttributeValue::N(p.quantity.to_string()));
            m.insert("notes".to_owned(), strings(&p.notes));
            AttributeValue::M(m)
        }

        fn take_part(item: &mut Item, k: &str) -> Option<Part> {
            match item.remove(k) {
                Some(AttributeValue::M(mut m)) => Some(Part {
                    sku: take_s(&mut m, "sku")?,
                    quantity: take_n(&mut m, "quantity")?,
                    notes: take_strings(&mut m, "notes")?,
                }),
                _ => None,
            }
        }

        fn wide_hand_encode(w: &Wide) -> Item {
            let mut item = HashMap::with_capacity(62);
            item.insert("PK".into(), AttributeValue::S(format!("ORDER#{}", w.id)));
            item.insert("SK".into(), s("ORDER"));
            item.insert("id".into(), s(&w.id));
            $(item.insert(stringify!($s).into(), s(&w.$s));)*
            $(item.insert(stringify!($n).into(), AttributeValue::N(w.$n.to_string()));)*
            $(item.insert(stringify!($b).into(), AttributeValue::Bool(w.$b));)*
            $(item.insert(stringify!($l).into(), strings(&w.$l));)*
            $(item.insert(stringify!($m).into(), part_value(&w.$m));)*
            item
        }

        fn wide_hand_decode(mut item: Item) -> Option<Wide> {
            Some(Wide {
                id: take_s(&mut item, "id")?,
                $($s: take_s(&mut item, stringify!($s))?,)*
                $($n: take_n(&mut item, stringify!($n))?,)*
                $($b: take_bool(&mut item, stringify!($b))?,)*
                $($l: take_strings(&mut item, stringify!($l))?,)*
                $($m: take_part(&mut item, stringify!($m))?,)*
            })
        }
    };
}

wide! {
    strings: s01 s02 s03 s04 s05 s06 s07 s08 s09 s10 s11 s12 s13 s14 s15 s16 s17 s18 s19 s20;
    numbers: n01 n02 n03 n04 n05 n06 n07 n08 n09 n10 n11 n12 n13 n14 n15 n16 n17 n18 n19 n20;
    bools: b01 b02 b03 b04 b05 b06 b07 b08 b09;
    lists: l01 l02 l03 l04 l05;
    maps: m01 m02 m03 m04 m05;
}

fn wide_serde_encode(w: &Wide) -> Item {
    let mut item: Item = serde_dynamo::to_item(w).unwrap();
    item.insert("PK".into(), AttributeValue::S(format!("ORDER#{}", w.id)));
    item.insert("SK".into(), s("ORDER"));
    item
}

// ---------------------------------------------------------------- modyne

mod with_modyne {
    use super::{clip_sk, Clip, Link, Profile, Wide};
    use modyne::{keys, Entity};

    /// modyne needs a table type; the client is never called.
    pub struct App;

    impl modyne::Table for App {
        type PrimaryKey = keys::Primary;
        type IndexKeys = ();
        fn table_name(&self) -> &str {
            "bench"
        }
        fn client(&self) -> &aws_sdk_dynamodb::Client {
            unreachable!("the CPU benchmark sends no request")
        }
    }

    impl Entity for Link {
        type KeyInput<'a> = &'a str;
        type Table = App;
        type IndexKeys = ();
        fn primary_key(code: &str) -> keys::Primary {
            keys::Primary {
                hash: format!("LINK#{code}"),
                range: "META".into(),
            }
        }
        fn full_key(&self) -> keys::FullKey<keys::Primary, ()> {
            keys::FullKey {
                primary: Self::primary_key(&self.code),
                indexes: (),
            }
        }
    }

    impl Entity for Clip {
        type KeyInput<'a> = &'a Clip;
        type Table = App;
        type IndexKeys = ();
        fn primary_key(c: &Clip) -> keys::Primary {
            keys::Primary {
                hash: format!("CREATOR#{}", c.creator_id),
                range: clip_sk(c),
            }
        }
        fn full_key(&self) -> keys::FullKey<keys::Primary, ()> {
            keys::FullKey {
                primary: Self::primary_key(self),
                indexes: (),
            }
        }
    }

    impl Entity for Profile {
        type KeyInput<'a> = &'a str;
        type Table = App;
        type IndexKeys = ();
        fn primary_key(username: &str) -> keys::Primary {
            keys::Primary {
                hash: format!("USER#{username}"),
                range: "PROFILE".into(),
            }
        }
        fn full_key(&self) -> keys::FullKey<keys::Primary, ()> {
            keys::FullKey {
                primary: Self::primary_key(&self.username),
                indexes: (),
            }
        }
    }

    impl Entity for Wide {
        type KeyInput<'a> = &'a str;
        type Table = App;
        type IndexKeys = ();
        fn primary_key(id: &str) -> keys::Primary {
            keys::Primary {
                hash: format!("ORDER#{id}"),
                range: "ORDER".into(),
            }
        }
        fn full_key(&self) -> keys::FullKey<keys::Primary, ()> {
            keys::FullKey {
                primary: Self::primary_key(&self.id),
                indexes: (),
            }
        }
    }
}

// ---------------------------------------------------------------- runs

/// A table on a client that is never called: encoding and decoding need
/// the table's key attribute names only.
fn bench_table() -> Table {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .build();
    Table::new(aws_sdk_dynamodb::Client::from_conf(config), "bench")
}

/// Checks that every variant produces the same map (modyne: plus its
/// `entity_type`) and reads it back to the same value, then measures them
/// side by side.
fn group<E>(
    c: &mut Criterion,
    name: &str,
    table: &Table,
    value: E,
    hand_encode: fn(&E) -> Item,
    hand_decode: fn(Item) -> Option<E>,
    serde_encode: fn(&E) -> Item,
) where
    E: truss_model::Entity
        + modyne::Entity
        + Serialize
        + for<'de> Deserialize<'de>
        + Clone
        + PartialEq
        + std::fmt::Debug,
{
    use modyne::{EntityExt, ProjectionExt};
    let ours = table.to_item(&value).unwrap();
    assert_eq!(ours, hand_encode(&value), "{name}: identical maps");
    assert_eq!(ours, serde_encode(&value), "{name}: identical maps");
    let mut theirs = value.clone().into_item();
    assert!(theirs.remove("entity_type").is_some());
    assert_eq!(ours, theirs, "{name}: modyne writes the same map");
    assert_eq!(table.from_item::<E>(ours).unwrap(), value);
    assert_eq!(hand_decode(hand_encode(&value)).unwrap(), value);
    assert_eq!(
        serde_dynamo::from_item::<_, E>(serde_encode(&value)).unwrap(),
        value
    );
    assert_eq!(E::from_item(value.clone().into_item()).unwrap(), value);

    let mut g: BenchmarkGroup<_> = c.benchmark_group(name);
    g.bench_function("a_hand_written", |b| {
        b.iter(|| hand_decode(hand_encode(black_box(&value))))
    });
    g.bench_function("b_serde_dynamo_format_keys", |b| {
        b.iter(|| serde_dynamo::from_item::<_, E>(serde_encode(black_box(&value))).unwrap())
    });
    g.bench_function("c_modyne", |b| {
        b.iter(|| E::from_item(black_box(&value).clone().into_item()).unwrap())
    });
    g.bench_function("c_modyne_clone_only", |b| {
        b.iter(|| black_box(&value).clone())
    });
    g.bench_function("encode_only_a_hand_written", |b| {
        b.iter(|| hand_encode(black_box(&value)))
    });
    g.bench_function("encode_only_truss_model", |b| {
        b.iter(|| table.to_item(black_box(&value)).unwrap())
    });
    g.bench_function("decode_only_a_hand_written", |b| {
        b.iter_batched(
            || hand_encode(&value),
            |item| hand_decode(black_box(item)),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("decode_only_truss_model", |b| {
        b.iter_batched(
            || hand_encode(&value),
            |item| table.from_item::<E>(black_box(item)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("decode_only_truss_model_keys_unchecked", |b| {
        b.iter_batched(
            || hand_encode(&value),
            |item| {
                truss_model::__private::decode_without_key_check::<E>(table, black_box(item))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    let bare = {
        let mut item = hand_encode(&value);
        for field in E::PK.fields().chain(E::SK.iter().flat_map(|t| t.fields())) {
            item.remove(field.attribute);
        }
        item
    };
    assert_eq!(
        table.from_item::<E>(bare.clone()).unwrap(),
        value,
        "{name}: recovered"
    );
    g.bench_function("decode_only_truss_model_recovered", |b| {
        b.iter_batched(
            || bare.clone(),
            |item| table.from_item::<E>(black_box(item)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("truss_model", |b| {
        b.iter(|| {
            table
                .from_item::<E>(table.to_item(black_box(&value)).unwrap())
                .unwrap()
        })
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let table = bench_table();
    group(
        c,
        "tiny",
        &table,
        link(),
        link_hand_encode,
        link_hand_decode,
        link_serde_encode,
    );
    group(
        c,
        "mid",
        &table,
        profile(),
        profile_hand_encode,
        profile_hand_decode,
        profile_serde_encode,
    );
    group(
        c,
        "clip",
        &table,
        clip(),
        clip_hand_encode,
        clip_hand_decode,
        clip_serde_encode,
    );
    group(
        c,
        "wide",
        &table,
        wide(),
        wide_hand_encode,
        wide_hand_decode,
        wide_serde_encode,
    );
}

/// The clip's timestamp read back two ways: chrono's own `Deserialize`
/// (what any serde codec calls for a `DateTime<Utc>` field) and the
/// `parse_from_rfc3339` the hand-written code calls. The difference is part
/// of the clip's gap and is chrono's, not the codec's.
fn timestamp(c: &mut Criterion) {
    use serde::de::value::{Error, StrDeserializer};
    let text = ts(&clip().created_at);
    let mut g = c.benchmark_group("timestamp");
    g.bench_function("chrono_deserialize", |b| {
        b.iter(|| {
            <chrono::DateTime<chrono::Utc>>::deserialize(StrDeserializer::<Error>::new(black_box(
                &text,
            )))
            .unwrap()
        })
    });
    g.bench_function("chrono_parse_from_rfc3339", |b| {
        b.iter(|| {
            chrono::DateTime::parse_from_rfc3339(black_box(&text))
                .unwrap()
                .with_timezone(&chrono::Utc)
        })
    });
    g.finish();
}

/// A clip keyed in two GSIs (by video and by creator's time line, as the
/// creator SaaS example keys them).
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "CLIP#{clip_id}",
    index(
        name = "GSI1",
        pk = "VIDEO#{video_id}",
        sk = "CLIP#{created_at}#{clip_id}"
    ),
    index(name = "Activity", sk = "T#{created_at}#CLIP#{clip_id}")
)]
#[serde(rename_all = "camelCase")]
pub struct IndexedClip {
    creator_id: String,
    clip_id: String,
    video_id: String,
    created_at: chrono::DateTime<chrono::Utc>,
    title: String,
    views: u64,
}

/// What the index-key check costs on every read: decoding an item of an
/// entity with two indexes with the check (`checked`), without it
/// (`index_keys_unchecked`, table keys still checked), and with no key
/// check at all.
/// What a generated decoder (issue: a derive-generated codec) could save
/// on the clip's fields alone, keys already taken out: serde's derived
/// struct visitor over the item, against one removal and one value decode
/// per field (what a generated `match`-free decoder does), and the same
/// with the timestamp parsed by `parse_from_rfc3339` instead of chrono's
/// `Deserialize`. All three read the same value.
fn field_decoding(c: &mut Criterion) {
    use truss_model::__private::{key_field, upgrade};
    type Field<T> = Result<T, (Option<String>, String)>;
    fn per_field(mut item: Item, fast_time: bool) -> Field<Clip> {
        let created_at = if fast_time {
            match item.remove("created_at") {
                Some(AttributeValue::S(text)) => chrono::DateTime::parse_from_rfc3339(&text)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .map_err(|e| (Some("created_at".into()), e.to_string()))?,
                _ => return Err((Some("created_at".into()), "missing".into())),
            }
        } else {
            key_field(&mut item, "created_at")?
        };
        Ok(Clip {
            creator_id: key_field(&mut item, "creator_id")?,
            created_at,
            clip_id: key_field(&mut item, "clip_id")?,
            video_id: key_field(&mut item, "video_id")?,
            title: key_field(&mut item, "title")?,
            virality: key_field(&mut item, "virality")?,
            duration_secs: key_field(&mut item, "duration_secs")?,
            views: key_field(&mut item, "views")?,
            published: key_field(&mut item, "published")?,
            platforms: key_field(&mut item, "platforms")?,
        })
    }
    let value = clip();
    let mut fields = clip_hand_encode(&value);
    fields.remove("PK");
    fields.remove("SK");
    assert_eq!(upgrade::<Clip, Clip>(fields.clone()).unwrap(), value);
    assert_eq!(per_field(fields.clone(), false).unwrap(), value);
    assert_eq!(per_field(fields.clone(), true).unwrap(), value);
    let mut g = c.benchmark_group("clip_fields");
    g.bench_function("serde_struct_visitor", |b| {
        b.iter_batched(
            || fields.clone(),
            |item| upgrade::<Clip, Clip>(black_box(item)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("per_field_serde_values", |b| {
        b.iter_batched(
            || fields.clone(),
            |item| per_field(black_box(item), false).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("per_field_fast_timestamp", |b| {
        b.iter_batched(
            || fields.clone(),
            |item| per_field(black_box(item), true).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("hand_written", |b| {
        b.iter_batched(
            || clip_hand_encode(&value),
            |item| clip_hand_decode(black_box(item)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn indexed_clip() -> IndexedClip {
    IndexedClip {
        creator_id: "creator-0001".into(),
        clip_id: "clip-000042".into(),
        video_id: "video-0007".into(),
        created_at: chrono::DateTime::from_timestamp(1_779_613_200, 123_000_000).unwrap(),
        title: "A clip".into(),
        views: 42,
    }
}

fn index_check(c: &mut Criterion) {
    let table = bench_table();
    let value = indexed_clip();
    let item = table.to_item(&value).unwrap();
    assert_eq!(item.len(), 12, "two index keys each");
    assert_eq!(table.from_item::<IndexedClip>(item.clone()).unwrap(), value);
    let mut g = c.benchmark_group("index_check");
    g.bench_function("checked", |b| {
        b.iter_batched(
            || item.clone(),
            |item| table.from_item::<IndexedClip>(black_box(item)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let lenient = truss_model::__private::without_index_check(&table);
    g.bench_function("index_keys_unchecked", |b| {
        b.iter_batched(
            || item.clone(),
            |item| lenient.from_item::<IndexedClip>(black_box(item)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("keys_unchecked", |b| {
        b.iter_batched(
            || item.clone(),
            |item| {
                truss_model::__private::decode_without_key_check::<IndexedClip>(
                    &table,
                    black_box(item),
                )
                .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// The tiny read taken apart (`BENCHMARKS.md` §1, "The read of a few
/// names"): the hand-written decode (two removals); the same read written
/// by hand as a loop over the entries with a `match` on the names, the
/// keys kept and checked against the fields; the generated loop alone
/// (other attributes dropped, nothing checked); the whole read.
fn tiny_read(c: &mut Criterion) {
    fn hand_loop(item: Item) -> Option<Link> {
        let (mut pk, mut sk, mut code, mut target) = (None, None, None, None);
        for (name, value) in item {
            let AttributeValue::S(value) = value else {
                return None;
            };
            match name.as_str() {
                "PK" => pk = Some(value),
                "SK" => sk = Some(value),
                "code" => code = Some(value),
                "target" => target = Some(value),
                _ => {}
            }
        }
        let (pk, sk, code, target) = (pk?, sk?, code?, target?);
        (pk.strip_prefix("LINK#")? == code && sk == "META").then_some(Link { code, target })
    }
    fn generated_loop(item: Item) -> Option<Link> {
        let mut keys = truss_model::__private::ItemKeys::detached();
        <Link as Entity>::__from_item_keyed(item, &mut keys).ok()
    }
    let table = bench_table();
    let value = link();
    let item = || link_hand_encode(&value);
    assert_eq!(hand_loop(item()).as_ref(), Some(&value));
    assert_eq!(generated_loop(item()).as_ref(), Some(&value));
    let mut tampered = item();
    tampered.insert("PK".into(), s("LINK#other"));
    assert_eq!(
        hand_loop(tampered),
        None,
        "the hand-written loop checks the key"
    );
    let mut g = c.benchmark_group("tiny_read");
    type Read = fn(Item) -> Option<Link>;
    let reads: [(&str, Read); 3] = [
        ("a_hand_written", link_hand_decode),
        ("b_hand_written_loop", hand_loop),
        ("c_generated_loop", generated_loop),
    ];
    for (name, read) in reads {
        g.bench_function(name, |b| {
            b.iter_batched(item, |item| read(black_box(item)), BatchSize::SmallInput)
        });
    }
    g.bench_function("d_truss_model", |b| {
        b.iter_batched(
            item,
            |item| table.from_item::<Link>(black_box(item)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// The tiny write taken apart: the hand-written encode; the generated
/// parts alone (the writer, the two keys rendered, inserted; nothing
/// checked or counted); the same with the key attributes' names copied at
/// a length known only at run time, as a table holds them (a `memcpy`
/// the map's hash then waits for); the whole write.
fn tiny_write(c: &mut Criterion) {
    fn generated_parts(l: &Link) -> Item {
        let (mut item, _) = l.__to_item(2).unwrap();
        let (mut pk, mut sk) = (String::with_capacity(64), String::with_capacity(64));
        l.__write_pk(&mut pk).unwrap();
        l.__write_sk(&mut sk).unwrap();
        item.insert("PK".to_owned(), AttributeValue::S(pk));
        item.insert("SK".to_owned(), AttributeValue::S(sk));
        item
    }
    fn runtime_names(l: &Link, names: &(String, String)) -> Item {
        let (mut item, _) = l.__to_item(2).unwrap();
        let (mut pk, mut sk) = (String::with_capacity(64), String::with_capacity(64));
        l.__write_pk(&mut pk).unwrap();
        l.__write_sk(&mut sk).unwrap();
        item.insert(names.0.as_str().to_owned(), AttributeValue::S(pk));
        item.insert(names.1.as_str().to_owned(), AttributeValue::S(sk));
        item
    }
    let names = ("PK".to_owned(), "SK".to_owned());
    let table = bench_table();
    let value = link();
    assert_eq!(generated_parts(&value), link_hand_encode(&value));
    assert_eq!(runtime_names(&value, &names), link_hand_encode(&value));
    let mut g = c.benchmark_group("tiny_write");
    g.bench_function("a_hand_written", |b| {
        b.iter(|| link_hand_encode(black_box(&value)))
    });
    g.bench_function("b_generated_parts", |b| {
        b.iter(|| generated_parts(black_box(&value)))
    });
    g.bench_function("b1_runtime_names", |b| {
        b.iter(|| runtime_names(black_box(&value), black_box(&names)))
    });
    g.bench_function("c_truss_model", |b| {
        b.iter(|| table.to_item(black_box(&value)).unwrap())
    });
    g.finish();
}

criterion_group!(
    benches,
    bench,
    timestamp,
    index_check,
    field_decoding,
    tiny_read,
    tiny_write
);

/// `TRUSS_CODEC_COUNT=<tiny|mid|clip|wide|indexed>:<variant>:<n>` runs `n` round
/// trips (`hand`, `truss`), encodes (`hand_encode`, `truss_encode`),
/// decodes of a clone (`hand_decode`, `truss_decode`), the hand-written
/// encode read by truss-model (`truss_decode_fresh`, against `hand`) or
/// clones (`clone`) and nothing else, for instruction counts under
/// callgrind: `(count(n) - count(0)) / n` is the cost of one round trip.
fn count(spec: &str) {
    let parts: Vec<&str> = spec.split(':').collect();
    let [entity, variant, n] = parts[..] else {
        panic!("TRUSS_CODEC_COUNT=<tiny|mid|clip|wide>:<hand|truss>:<n>, got {spec:?}");
    };
    let n: usize = n.parse().expect("a count");
    let table = bench_table();
    type Hand<E> = (fn(&E) -> Item, fn(Item) -> Option<E>);
    fn run<E: truss_model::Entity>(
        table: &Table,
        value: E,
        hand: Hand<E>,
        variant: &str,
        n: usize,
    ) {
        let item = table.to_item(&value).unwrap();
        for _ in 0..n {
            match variant {
                "hand" => {
                    black_box(hand.1(hand.0(black_box(&value))));
                }
                "truss" => {
                    let item = table.to_item(black_box(&value)).unwrap();
                    black_box(table.from_item::<E>(item).unwrap());
                }
                // The hand-written code's item read by truss-model: each
                // map with its own entry order, as in `hand`, where a
                // clone repeats one order, which the processor learns.
                "truss_decode_fresh" => {
                    let item = hand.0(black_box(&value));
                    black_box(table.from_item::<E>(item).unwrap());
                }
                "hand_encode" => {
                    black_box(hand.0(black_box(&value)));
                }
                "truss_encode" => {
                    black_box(table.to_item(black_box(&value)).unwrap());
                }
                // Decoding consumes the item: a clone each time, counted
                // alone by "clone" and subtracted.
                "hand_decode" => {
                    black_box(hand.1(black_box(item.clone())));
                }
                "truss_decode" => {
                    black_box(table.from_item::<E>(black_box(item.clone())).unwrap());
                }
                _ => {
                    black_box(black_box(&item).clone());
                }
            }
        }
    }
    match entity {
        "tiny" => run(
            &table,
            link(),
            (link_hand_encode, link_hand_decode),
            variant,
            n,
        ),
        "mid" => run(
            &table,
            profile(),
            (profile_hand_encode, profile_hand_decode),
            variant,
            n,
        ),
        "clip" => run(
            &table,
            clip(),
            (clip_hand_encode, clip_hand_decode),
            variant,
            n,
        ),
        // The clip keyed in two GSIs of `index_check` (no hand-written
        // code: its truss variants only).
        "indexed" => run(
            &table,
            indexed_clip(),
            (|_| Item::new(), |_| None),
            variant,
            n,
        ),
        _ => run(
            &table,
            wide(),
            (wide_hand_encode, wide_hand_decode),
            variant,
            n,
        ),
    }
}

fn main() {
    if let Ok(spec) = std::env::var("TRUSS_CODEC_COUNT") {
        count(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
