//! Indexes over the entity's own attributes (DynamoDB's multi-attribute
//! keys), checked against the fields; `expand::attribute_index` generates
//! their items.

use crate::ast::{Entity, Field};
use crate::ctxt::Errors;
use crate::names::{accessor, suggestion};
use crate::symbol::{PARTITION, SORT};

/// DynamoDB's limit of attributes per key of an index.
const MAX_ATTRIBUTES: usize = 4;

/// An index over attributes whose fields check.
pub struct ValidAttributeIndex<'a> {
    pub name: String,
    pub accessor: String,
    pub partition: Vec<&'a Field<'a>>,
    pub sort: Vec<&'a Field<'a>>,
}

/// Checks each index over attributes: a unique name that makes an
/// accessor, 1 to 4 partition and 0 to 4 sort fields, each a field serde
/// stores under one name with its own code, none twice.
pub fn check<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Vec<ValidAttributeIndex<'a>> {
    let mut valid = Vec::new();
    for (i, index) in entity.attribute_indexes.iter().enumerate() {
        let name = index.name.value();
        let Some(accessor) = accessor(&index.name, errors) else {
            continue;
        };
        let taken = entity.indexes.iter().map(|t| &t.name);
        let earlier = entity.attribute_indexes[..i].iter().map(|a| &a.name);
        if taken.chain(earlier).any(|other| other.value() == name) {
            errors.push(syn::Error::new(
                index.name.span(),
                format!("duplicate index `{name}`"),
            ));
            continue;
        }
        let lists = [
            (PARTITION, Some(&index.partition)),
            (SORT, index.sort.as_ref()),
        ];
        let mut fields: [Vec<&Field>; 2] = [Vec::new(), Vec::new()];
        let mut ok = true;
        for ((which, list), out) in lists.into_iter().zip(fields.iter_mut()) {
            let Some(list) = list else { continue };
            let min = usize::from(which == PARTITION);
            if !(min..=MAX_ATTRIBUTES).contains(&list.fields.len()) {
                errors.push(syn::Error::new(
                    list.span,
                    format!("index `{name}`: `{which}` takes {min} to {MAX_ATTRIBUTES} fields (DynamoDB's limit), not {}", list.fields.len()),
                ));
                ok = false;
            }
            for ident in &list.fields {
                match field(entity, "index", &name, ident) {
                    Ok(field) => out.push(field),
                    Err(e) => {
                        errors.push(e);
                        ok = false;
                    }
                }
            }
        }
        let [partition, sort] = fields;
        let all: Vec<&Field> = partition.iter().chain(&sort).copied().collect();
        for (j, field) in all.iter().enumerate() {
            if all[..j].iter().any(|f| f.name == field.name) {
                errors.push(syn::Error::new(
                    index.name.span(),
                    format!("index `{name}` names field `{}` twice", field.name),
                ));
                ok = false;
            }
        }
        if ok {
            valid.push(ValidAttributeIndex {
                name,
                accessor,
                partition,
                sort,
            });
        }
    }
    valid
}

/// The field an index names: one serde writes itself, under one name.
/// The field an index over attributes (`label`: "index", "vector index")
/// names, refused when it is not one stored attribute with one name.
pub fn field<'a>(
    entity: &'a Entity<'a>,
    label: &str,
    index: &str,
    ident: &syn::Ident,
) -> syn::Result<&'a Field<'a>> {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    let fail = |message: String| Err(syn::Error::new(ident.span(), message));
    let Some(field) = entity.fields.iter().find(|f| f.name == name) else {
        let mut message = format!("{label} `{index}`: unknown field `{name}`");
        if let Some(s) = suggestion(name, entity.fields.iter().map(|f| f.name.as_str())) {
            message.push_str(&format!("; did you mean `{s}`?"));
        }
        return fail(message);
    };
    if let Some(attr) = field.serde.skipped_by {
        return fail(format!(
            "{label} `{index}`: field `{name}` is marked `#[serde({attr})]`, so it is not stored"
        ));
    }
    if field.serde.flatten {
        return fail(format!(
            "{label} `{index}`: field `{name}` is `#[serde(flatten)]`, so it is not one attribute"
        ));
    }
    if let Some(attr) = field.serde.custom {
        return fail(format!(
            "{label} `{index}`: field `{name}` is written by `#[serde({attr} = ...)]`, so how DynamoDB stores it is not known; give it a type that is stored as it should be (a newtype implementing `IndexKeyType`)"
        ));
    }
    if field.attribute != field.de_attribute {
        return fail(format!(
            "{label} `{index}`: field `{name}` is written as `{}` but read as `{}`; an index attribute needs one name",
            field.attribute, field.de_attribute
        ));
    }
    Ok(field)
}
