//! Indexes over the entity's own attributes (DynamoDB's multi-attribute
//! keys): checked against the fields, then expanded into the entity's
//! `ATTRIBUTE_INDEXES`, a partition accessor taking every partition
//! attribute, and a typed sort-key builder.

use crate::ast::{Entity, Field};
use crate::ctxt::Errors;
use crate::symbol::{PARTITION, SORT};
use crate::valid::{accessor, suggestion, Valid};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

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
                match field(entity, &name, ident) {
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
fn field<'a>(
    entity: &'a Entity<'a>,
    index: &str,
    ident: &syn::Ident,
) -> syn::Result<&'a Field<'a>> {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    let fail = |message: String| Err(syn::Error::new(ident.span(), message));
    let Some(field) = entity.fields.iter().find(|f| f.name == name) else {
        let mut message = format!("index `{index}`: unknown field `{name}`");
        if let Some(s) = suggestion(name, entity.fields.iter().map(|f| f.name.as_str())) {
            message.push_str(&format!("; did you mean `{s}`?"));
        }
        return fail(message);
    };
    if let Some(attr) = field.serde.skipped_by {
        return fail(format!(
            "index `{index}`: field `{name}` is marked `#[serde({attr})]`, so it is not stored"
        ));
    }
    if field.serde.flatten {
        return fail(format!(
            "index `{index}`: field `{name}` is `#[serde(flatten)]`, so it is not one attribute"
        ));
    }
    if let Some(attr) = field.serde.custom {
        return fail(format!(
            "index `{index}`: field `{name}` is written by `#[serde({attr} = ...)]`, so how DynamoDB stores it is not known; give it a type that is stored as it should be (a newtype implementing `IndexKeyType`)"
        ));
    }
    if field.attribute != field.de_attribute {
        return fail(format!(
            "index `{index}`: field `{name}` is written as `{}` but read as `{}`; an index key needs one name",
            field.attribute, field.de_attribute
        ));
    }
    Ok(field)
}

/// The stored type of a field: `T` for `Option<T>` (a `None` leaves the
/// item out of the index).
fn value_type<'a>(field: &Field<'a>) -> &'a syn::Type {
    field.option_of.unwrap_or(field.ty)
}

/// `const ATTRIBUTE_INDEXES`, when the entity declares such indexes. Each
/// attribute's type comes from its field's `IndexKeyType`, checked where
/// the field is declared.
pub fn constant(valid: &Valid<'_>) -> Option<TokenStream> {
    if valid.attribute_indexes.is_empty() {
        return None;
    }
    let list = |fields: &[&Field]| {
        let attributes = fields.iter().map(|f| {
            let (attribute, name, ty) = (&f.attribute, &f.name, value_type(f));
            let scalar = quote_spanned!(f.ty.span()=> ::truss_model::__private::scalar::<#ty>());
            quote!(::truss_model::__private::IndexAttribute { name: #attribute, field: #name, scalar: #scalar })
        });
        quote!(&[#(#attributes),*])
    };
    let indexes = valid.attribute_indexes.iter().map(|index| {
        let (name, partition, sort) = (&index.name, list(&index.partition), list(&index.sort));
        quote!(::truss_model::__private::AttributeIndex { name: #name, partition: #partition, sort: #sort })
    });
    Some(quote! {
        const ATTRIBUTE_INDEXES: &'static [::truss_model::__private::AttributeIndex] = &[#(#indexes),*];
    })
}

/// Per index over attributes: `Type::<index>(partition fields...)` and,
/// with sort attributes, `Type::<index>_sort_key()`.
pub fn accessors(valid: &Valid<'_>) -> Vec<TokenStream> {
    let (ident, vis, entity) = (valid.entity.ident, valid.entity.vis, &valid.entity.name);
    valid
        .attribute_indexes
        .iter()
        .enumerate()
        .map(|(n, index)| {
            let accessor = format_ident!("{}", index.accessor);
            let params = index.partition.iter().map(|f| {
                let (field, ty) = (f.ident, value_type(f));
                quote!(#field: impl ::truss_model::IntoField<#ty>)
            });
            let values = index.partition.iter().map(|f| {
                let (field, ty, attribute) = (f.ident, value_type(f), &f.attribute);
                quote! {
                    ::truss_model::__private::attribute_value::<#ty>(
                        &::truss_model::IntoField::into_field(#field), #attribute, #entity,
                    )
                }
            });
            let names: Vec<String> = index
                .partition
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            let doc = format!(
                "The partition of index `{}` of [`{ident}`] with these {}, to query.",
                index.name,
                names.join(", ")
            );
            let sort = (!index.sort.is_empty()).then(|| {
                let sort_accessor = format_ident!("{}_sort_key", index.accessor);
                let tuple = index.sort.iter().rev().fold(quote!(()), |rest, f| {
                    let ty = value_type(f);
                    quote!((#ty, #rest))
                });
                let names: Vec<String> =
                    index.sort.iter().map(|f| format!("`{}`", f.name)).collect();
                let doc = format!(
                    "A typed condition builder on the sort attributes {} of index `{}`.",
                    names.join(", "),
                    index.name
                );
                quote! {
                    #[doc = #doc]
                    #vis fn #sort_accessor() -> ::truss_model::AttributeSortKey<Self, #tuple> {
                        ::truss_model::AttributeSortKey::__root(
                            <Self as ::truss_model::Entity>::ATTRIBUTE_INDEXES[#n],
                        )
                    }
                }
            });
            quote! {
                #[doc = #doc]
                #[allow(clippy::self_named_constructors)]
                #vis fn #accessor(#(#params),*) -> ::truss_model::Partition<Self> {
                    ::truss_model::__private::Partition::__attributes(
                        <Self as ::truss_model::Entity>::ATTRIBUTE_INDEXES[#n],
                        [#(#values),*],
                    )
                }
                #sort
            }
        })
        .collect()
}
