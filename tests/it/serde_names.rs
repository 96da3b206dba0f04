//! The attribute names the derive uses for key fields are the names serde
//! uses, checked against serde's own output (through serde_dynamo) for
//! every `rename_all` rule, and with `rename(serialize, deserialize)`.
//! No database: these are checks of names only.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use truss_model::{Entity, EntityKey};

macro_rules! renamed {
    ($name:ident, $rule:literal) => {
        #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
        #[truss(pk = "P#{owner_id}#{type}", sk = "S#{mixedCase}#{URL}#{x2_y}")]
        #[serde(rename_all = $rule)]
        #[allow(non_snake_case)]
        struct $name {
            owner_id: String,
            r#type: String,
            mixedCase: String,
            URL: String,
            x2_y: u32,
            plain_field: String,
        }

        impl $name {
            fn sample() -> Self {
                $name {
                    owner_id: "o".into(),
                    r#type: "t".into(),
                    mixedCase: "o2".into(),
                    URL: "u".into(),
                    x2_y: 7,
                    plain_field: "p".into(),
                }
            }

            /// (serde's names, the derive's names) for every field.
            fn names() -> (BTreeSet<String>, BTreeSet<String>) {
                let serde: BTreeSet<String> =
                    serde_dynamo::to_item::<_, truss_model::Item>(Self::sample())
                        .expect("serializes")
                        .into_keys()
                        .collect();
                let handles = [
                    Self::OWNER_ID.name(),
                    Self::TYPE.name(),
                    Self::MIXEDCASE.name(),
                    Self::URL.name(),
                    Self::X2_Y.name(),
                    Self::PLAIN_FIELD.name(),
                ];
                (serde, handles.iter().map(|n| n.to_string()).collect())
            }
        }
    };
}

renamed!(Lower, "lowercase");
renamed!(Upper, "UPPERCASE");
renamed!(Pascal, "PascalCase");
renamed!(Camel, "camelCase");
renamed!(Snake, "snake_case");
renamed!(ScreamingSnake, "SCREAMING_SNAKE_CASE");
renamed!(Kebab, "kebab-case");
renamed!(ScreamingKebab, "SCREAMING-KEBAB-CASE");

fn check<E: Entity>(names: (BTreeSet<String>, BTreeSet<String>), sample: E) {
    let (serde, handles) = names;
    assert_eq!(handles, serde, "{}: handle names", E::NAME);
    // The templates' key fields read the names serde reads.
    let template_fields: BTreeSet<String> = E::PK
        .fields()
        .chain(E::SK.iter().flat_map(|t| t.fields()))
        .map(|f| f.attribute.to_string())
        .collect();
    assert!(
        template_fields.is_subset(&serde),
        "{}: {template_fields:?} not in {serde:?}",
        E::NAME
    );
    assert_eq!(template_fields.len(), 5, "{}", E::NAME);
    // Upserts write key fields under serde's names.
    let upserted: BTreeSet<String> = sample
        .to_key()
        .__attributes()
        .expect("key attributes")
        .into_iter()
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(upserted, template_fields, "{}: upsert names", E::NAME);
    // What the library writes is serde's item plus the keys, and reads back.
    let table = crate::common::offline_table("names");
    let item = table.to_item(&sample).expect("encodes");
    let mut written: BTreeSet<String> = item.keys().cloned().collect();
    assert!(written.remove("PK") && written.remove("SK"));
    assert_eq!(written, serde, "{}: item names", E::NAME);
    // Without the key-field attributes, they are recovered from the keys.
    let mut bare = item.clone();
    for name in &template_fields {
        bare.remove(name);
    }
    let back: E = table.from_item(bare).expect("recovers key fields");
    assert_eq!(table.to_item(&back).expect("encodes"), item, "{}", E::NAME);
}

#[test]
fn every_rename_all_rule_gives_serdes_names() {
    check(Lower::names(), Lower::sample());
    check(Upper::names(), Upper::sample());
    check(Pascal::names(), Pascal::sample());
    check(Camel::names(), Camel::sample());
    check(Snake::names(), Snake::sample());
    check(ScreamingSnake::names(), ScreamingSnake::sample());
    check(Kebab::names(), Kebab::sample());
    check(ScreamingKebab::names(), ScreamingKebab::sample());
    // Spot checks of serde's rules on names that are not snake_case.
    let (serde, _) = Lower::names();
    assert!(
        serde.contains("mixedCase") && serde.contains("URL"),
        "{serde:?}"
    );
    let (serde, _) = Camel::names();
    assert!(serde.contains("type") && serde.contains("x2Y"), "{serde:?}");
}

/// Written under one name, read under another.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "ACCOUNT#{owner_id}", sk = "REGION#{region_code}")]
#[serde(rename_all(serialize = "camelCase", deserialize = "PascalCase"))]
struct Split {
    #[serde(rename(serialize = "ownerOut", deserialize = "ownerIn"))]
    owner_id: String,
    region_code: String,
    balance: u64,
}

#[test]
fn serialize_and_deserialize_names_are_each_honoured() {
    let split = Split {
        owner_id: "o1".into(),
        region_code: "eu".into(),
        balance: 3,
    };
    let table = crate::common::offline_table("names");
    let item = table.to_item(&split).expect("encodes");
    let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["PK", "SK", "balance", "ownerOut", "regionCode"]);
    assert_eq!(
        Split::OWNER_ID.name(),
        "ownerOut",
        "conditions use the stored name"
    );
    let read: Vec<&str> = <Split as Entity>::PK
        .fields()
        .chain(<Split as Entity>::SK.iter().flat_map(|t| t.fields()))
        .map(|f| f.attribute)
        .collect();
    assert_eq!(
        read,
        ["ownerIn", "RegionCode"],
        "recovery uses the read names"
    );
    let upserted: Vec<&str> = split
        .to_key()
        .__attributes()
        .expect("key attributes")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(upserted, ["ownerOut", "regionCode"]);

    // serde reads `ownerIn`, `RegionCode`, `Balance`: an item as another
    // tool writes it under the read names decodes, key fields recovered.
    let mut foreign = truss_model::Item::new();
    foreign.insert("PK".into(), item["PK"].clone());
    foreign.insert("SK".into(), item["SK"].clone());
    foreign.insert("Balance".into(), item["balance"].clone());
    let back: Split = table.from_item(foreign).expect("decodes");
    assert_eq!(back, split);
}
