//! `#[derive(Collection)]`: parse the enum, check its shape, expand.

use crate::attr::{Errors, TRUSS};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident, Type};

struct Variant<'a> {
    ident: &'a Ident,
    ty: &'a Type,
}

pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`Collection` can only be derived for enums with one variant per entity",
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`Collection` cannot be derived for generic enums",
        ));
    }
    let mut errors = Errors::default();
    let mut variants = Vec::new();
    let mut other: Option<&Ident> = None;
    for variant in &data.variants {
        let is_other = variant
            .attrs
            .iter()
            .filter(|a| a.path().is_ident(TRUSS))
            .any(|a| {
                let mut found = false;
                let result = a.parse_nested_meta(|meta| {
                    if meta.path.is_ident("other") {
                        found = true;
                        Ok(())
                    } else {
                        Err(meta.error("unknown truss attribute on a variant; expected `other`"))
                    }
                });
                if let Err(e) = result {
                    errors.push(e);
                }
                found
            });
        let ty = match &variant.fields {
            Fields::Unnamed(f) if f.unnamed.len() == 1 => &f.unnamed[0].ty,
            _ => {
                errors.push(syn::Error::new_spanned(
                    &variant.ident,
                    "each variant holds exactly one entity: `Variant(Entity)`",
                ));
                continue;
            }
        };
        if is_other {
            if other.is_some() {
                errors.push(syn::Error::new_spanned(
                    &variant.ident,
                    "only one variant can be `#[truss(other)]`",
                ));
            }
            other = Some(&variant.ident);
        } else {
            variants.push(Variant {
                ident: &variant.ident,
                ty,
            });
        }
    }
    if variants.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "a collection needs at least one entity variant",
        ));
    }
    errors.finish()?;
    Ok(expand(&input.ident, &variants, other))
}

fn expand(ident: &Ident, variants: &[Variant<'_>], other: Option<&Ident>) -> TokenStream {
    let name = ident.to_string();
    let first = variants[0].ty;
    let mut checks = Vec::new();
    for (i, a) in variants.iter().enumerate() {
        let ty = a.ty;
        let message = format!(
            "variants `{}` and `{}` of `{name}` have different partition-key templates; a collection reads one partition",
            variants[0].ident, a.ident
        );
        checks.push(quote! {
            const _: () = ::core::assert!(
                <#first as ::truss_model::Entity>::PK.same_shape(&<#ty as ::truss_model::Entity>::PK),
                #message
            );
        });
        for b in &variants[..i] {
            let other_ty = b.ty;
            let message = format!(
                "variants `{}` and `{}` of `{name}` have sort-key templates that can produce the same key, so items could not be told apart (a checked constant with different values would)",
                b.ident, a.ident
            );
            checks.push(quote! {
                const _: () = ::core::assert!(
                    !::truss_model::__private::sort_keys_may_overlap(
                        <#other_ty as ::truss_model::Entity>::SK,
                        <#ty as ::truss_model::Entity>::SK,
                    ) || ::truss_model::__private::constants_differ(
                        <#other_ty as ::truss_model::Entity>::CONSTANTS,
                        <#ty as ::truss_model::Entity>::CONSTANTS,
                    ),
                    #message
                );
            });
        }
    }
    let members = variants.iter().map(|v| {
        let ty = v.ty;
        quote!(impl ::truss_model::Member<#ident> for #ty {})
    });
    let arms = variants.iter().map(|v| {
        let (variant, ty) = (v.ident, v.ty);
        quote! {
            if ::truss_model::__private::matches::<#ty>(table, &item) {
                return ::truss_model::__private::decode::<#ty>(table, item).map(Self::#variant);
            }
        }
    });
    let fallback = match other {
        Some(variant) => quote!(::core::result::Result::Ok(Self::#variant(item))),
        None => quote!(::core::result::Result::Err(
            ::truss_model::__private::unmatched(table, #name, &item)
        )),
    };
    quote! {
        const _: () = {
            #(#checks)*
            #(#members)*

            #[automatically_derived]
            impl ::truss_model::QueryTarget for #ident {
                fn __name() -> &'static str {
                    #name
                }
                fn __has_sort_key() -> bool {
                    <#first as ::truss_model::Entity>::SK.is_some()
                }
                fn __scope(
                    index: ::core::option::Option<::truss_model::Index>,
                ) -> ::truss_model::__private::SortCondition<Self> {
                    ::truss_model::__private::SortCondition::__all(index)
                }
                fn __decode(
                    table: &::truss_model::Table,
                    item: ::truss_model::Item,
                ) -> ::truss_model::Result<Self> {
                    #(#arms)*
                    #fallback
                }
            }

            #[automatically_derived]
            impl ::truss_model::Collection for #ident {}
        };
    }
}
