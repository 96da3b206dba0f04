//! The `Projection` derive: a subset of an entity's fields, read with a
//! `ProjectionExpression`. Parse (`#[truss(entity = Type)]`, each field's
//! optional `#[truss(path = <handle or path>)]`) -> validate (named fields,
//! no generics, an entity named) -> expand (the paths, and a decoder whose
//! every field takes its handle's type, so a field of another type than
//! the entity's does not compile, at that field).

use crate::ctxt::Errors;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named),
            _ => None,
        },
        _ => None,
    };
    let Some(named) = named else {
        return syn::Error::new_spanned(
            &input.ident,
            "`Projection` can only be derived for structs with named fields",
        )
        .into_compile_error();
    };
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "`Projection` cannot be derived for generic structs",
        ));
    }
    let mut entity: Option<syn::Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("truss")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("entity") {
                entity = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error("unknown truss attribute: a projection takes `entity = Type`"))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    let mut fields = Vec::new();
    for field in &named.named {
        let Some(ident) = &field.ident else { continue };
        let mut path: Option<syn::Expr> = None;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("truss")) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("path") {
                    path = Some(meta.value()?.parse()?);
                    Ok(())
                } else {
                    Err(meta.error(
                        "unknown truss attribute: a projection field takes `path = Entity::FIELD` or a path (`Entity::FIELD.get(..)`)",
                    ))
                }
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        fields.push((ident, &field.ty, path));
    }
    let Some(entity) = entity else {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "missing `#[truss(entity = Type)]`: the entity this projection reads",
        ));
        return errors
            .finish()
            .err()
            .map(syn::Error::into_compile_error)
            .unwrap_or_default();
    };
    if let Err(error) = errors.finish() {
        return error.into_compile_error();
    }
    let ident = &input.ident;
    let handles: Vec<TokenStream> = fields
        .iter()
        .map(|(field, _, path)| match path {
            Some(path) => quote_spanned!(path.span()=> (#path)),
            None => {
                let name = field.to_string();
                let constant = format_ident!(
                    "{}",
                    name.trim_start_matches("r#").to_uppercase(),
                    span = field.span()
                );
                quote_spanned!(field.span()=> #entity::#constant)
            }
        })
        .collect();
    let paths = handles
        .iter()
        .map(|handle| quote!(<_ as ::truss_model::expression::Operand<#entity>>::__path(&#handle)));
    let decoded = fields.iter().zip(&handles).map(|((field, ty, _), handle)| {
        quote_spanned! {ty.span()=>
            #field: ::truss_model::__private::projected::<#entity, _>(item, &#handle)?
        }
    });
    quote! {
        impl ::truss_model::Projection for #ident {
            type Entity = #entity;
            fn __paths() -> ::std::vec::Vec<::truss_model::expression::DocPath> {
                ::std::vec![#(#paths),*]
            }
            fn __decode(item: &::truss_model::Item) -> ::truss_model::Result<Self> {
                ::core::result::Result::Ok(#ident {
                    #(#decoded),*
                })
            }
        }
    }
}
