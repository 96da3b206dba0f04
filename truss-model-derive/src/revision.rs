//! The entity's schema revision: `revision(N, from(1 = OldType, ...),
//! attr = "...", write_back)`, checked against the fields, then expanded
//! into the entity's `REVISION` and the upgrade from each older type.

use crate::ast::Entity;
use crate::ctxt::Errors;
use crate::symbol::{ATTR, FROM, REVISION, WRITE_BACK};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// The attribute a revision is stored under unless `attr` names another:
/// nothing like the optimistic-locking `version` a model may also have.
const DEFAULT_ATTRIBUTE: &str = "_revision";

/// A revision whose settings check.
pub struct ValidRevision<'a> {
    pub attribute: String,
    pub current: u64,
    pub from: Vec<(u64, &'a syn::Type)>,
    pub write_back: bool,
}

/// Checks the revision: a current revision of 1 or more, older revisions
/// below it and each once, and an attribute name no field, index or
/// constant of the entity uses.
pub fn check<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Option<ValidRevision<'a>> {
    let revision = entity.revision.as_ref()?;
    let number = |lit: &syn::LitInt, errors: &mut Errors| match lit.base10_parse::<u64>() {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            errors.push(syn::Error::new(
                lit.span(),
                "a revision is a whole number from 1 (items without one are revision 1)",
            ));
            None
        }
    };
    let current = number(&revision.current, errors);
    let mut from: Vec<(u64, &syn::Type)> = Vec::new();
    for (lit, ty) in &revision.from {
        let Some(n) = number(lit, errors) else {
            continue;
        };
        if current.is_some_and(|c| n >= c) {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "`{FROM}` lists older revisions: {n} is not below the current revision {}",
                    revision.current
                ),
            ));
        } else if from.iter().any(|(earlier, _)| *earlier == n) {
            errors.push(syn::Error::new(
                lit.span(),
                format!("revision {n} is listed twice"),
            ));
        } else {
            from.push((n, ty));
        }
    }
    if revision.write_back && revision.from.is_empty() {
        errors.push(syn::Error::new(
            revision.span,
            format!("`{WRITE_BACK}` writes back items read through an upgrade: list the older revisions with `{FROM}(1 = OldType)`"),
        ));
    }
    let (attribute, span) = match &revision.attr {
        Some(lit) => (lit.value(), lit.span()),
        None => (DEFAULT_ATTRIBUTE.to_owned(), revision.span),
    };
    if attribute.is_empty() {
        errors.push(syn::Error::new(
            span,
            format!("`{ATTR}` names the attribute storing the revision; it may not be empty"),
        ));
    }
    if let Some(field) = entity
        .fields
        .iter()
        .find(|f| f.attribute == attribute || f.de_attribute == attribute)
    {
        let what = if field.version.is_some() {
            "the optimistic-locking version field"
        } else {
            "field"
        };
        errors.push(syn::Error::new(
            span,
            format!(
                "the {REVISION} attribute `{attribute}` is the attribute of {what} `{}`: name another with `{ATTR} = \"...\"`",
                field.name
            ),
        ));
    }
    let index_attribute = entity
        .indexes
        .iter()
        .any(|ix| ix.pk_attr == attribute || (ix.sk.is_some() && ix.sk_attr == attribute));
    let constant = entity.constants.iter().any(|c| c.name.value() == attribute);
    if index_attribute || constant {
        errors.push(syn::Error::new(
            span,
            format!("the {REVISION} attribute `{attribute}` is also an index key attribute or a constant"),
        ));
    }
    Some(ValidRevision {
        attribute,
        current: current?,
        from,
        write_back: revision.write_back,
    })
}

/// `REVISION` and `__upgrade` for the entity's `impl Entity` (nothing
/// without a revision: the trait's defaults serve).
pub fn expand(revision: Option<&ValidRevision<'_>>) -> Option<TokenStream> {
    let revision = revision?;
    let (attribute, current, write_back) =
        (&revision.attribute, revision.current, revision.write_back);
    // Each arm is spanned at its type: a type that does not convert into
    // the entity is reported where it is listed.
    let arms = revision.from.iter().map(|(n, ty)| {
        let upgrade =
            quote_spanned!(ty.span()=> ::truss_model::__private::upgrade::<#ty, Self>(item));
        quote!(#n => ::core::option::Option::Some(#upgrade),)
    });
    let upgrade = (!revision.from.is_empty()).then(|| {
        quote! {
            fn __upgrade(
                revision: u64,
                item: ::truss_model::Item,
            ) -> ::core::option::Option<::truss_model::__private::Upgraded<Self>> {
                match revision {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });
    Some(quote! {
        const REVISION: ::core::option::Option<::truss_model::__private::Revision> =
            ::core::option::Option::Some(::truss_model::__private::Revision::__new(#attribute, #current, #write_back));
        #upgrade
    })
}
