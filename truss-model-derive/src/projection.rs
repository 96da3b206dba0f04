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
    if let Data::Enum(data) = &input.data {
        return collection(input, data);
    }
    let mut errors = Errors::default();
    let Some(named) = crate::ast::named_fields(input, "Projection", &mut errors) else {
        return errors
            .finish()
            .err()
            .map(syn::Error::into_compile_error)
            .unwrap_or_default();
    };
    let entity: Option<syn::Path> = crate::ast::container_value(
        &input.attrs,
        "entity",
        "a projection takes `entity = Type`",
        &mut errors,
    );
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

/// `#[derive(Projection)]` on an enum: one projection per variant, of the
/// variant entities of the collection named by `#[truss(collection = C)]`.
/// Each item is decoded by the variant whose entity its keys match; an
/// item of a type no variant names is skipped.
fn collection(input: &DeriveInput, data: &syn::DataEnum) -> TokenStream {
    let mut errors = Errors::default();
    let collection: Option<syn::Path> = crate::ast::container_value(
        &input.attrs,
        "collection",
        "a projection of a collection takes `collection = Type`",
        &mut errors,
    );
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "`Projection` cannot be derived for generic enums",
        ));
    }
    let mut variants = Vec::new();
    for variant in &data.variants {
        match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                variants.push((&variant.ident, &fields.unnamed[0].ty));
            }
            _ => errors.push(syn::Error::new_spanned(
                variant,
                "each variant of a collection projection holds one projection: `Clip(ClipCard)`",
            )),
        }
    }
    let Some(collection) = collection else {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "missing `#[truss(collection = Type)]`: the collection this projection reads",
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
    let paths = variants
        .iter()
        .map(|(_, ty)| quote!(::truss_model::__private::variant_paths::<#ty>()));
    let decoded = variants.iter().map(|(variant, ty)| {
        quote! {
            if let ::core::option::Option::Some(decoded) =
                ::truss_model::__private::decode_variant::<#ty>(table, &item)
            {
                return decoded.map(|p| ::core::option::Option::Some(#ident::#variant(p)));
            }
        }
    });
    let members = variants.iter().map(|(_, ty)| {
        quote_spanned! {ty.span()=>
            member::<<#ty as ::truss_model::Projection>::Entity>();
        }
    });
    let variants_ty: Vec<_> = variants.iter().map(|(_, ty)| ty).collect();
    quote! {
        impl ::truss_model::ProjectionOf<#collection> for #ident {
            fn __paths() -> ::std::vec::Vec<::truss_model::expression::DocPath> {
                ::truss_model::__private::projected_union([#(#paths),*])
            }
            fn __decode(
                table: &::truss_model::Table,
                item: ::truss_model::Item,
            ) -> ::truss_model::Result<::core::option::Option<Self>> {
                #(#decoded)*
                ::core::result::Result::Ok(::core::option::Option::None)
            }
            fn __fits(
                index: ::core::option::Option<&::truss_model::__private::Index>,
            ) -> ::truss_model::Result<()> {
                // Each variant's entity is one of the collection's.
                fn member<E: ::truss_model::Member<#collection>>() {}
                let _ = || { #(#members)* };
                ::core::result::Result::Ok(())
                    #(.and_then(|()| <#variants_ty as ::truss_model::ProjectionOf<
                        <#variants_ty as ::truss_model::Projection>::Entity,
                    >>::__fits(index)))*
            }
        }
    }
}
