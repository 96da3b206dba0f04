//! `#[derive(Collection)]`: parse the enum (`parse`), check its shape
//! (`check`), expand (`expand`); every error of the input is reported
//! together, next to a fallback impl so that one mistake gives one message.

use crate::ctxt::Errors;
use crate::symbol::{INDEX, OTHER, TRUSS};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident, Type};

struct Variant<'a> {
    ident: &'a Ident,
    ty: &'a Type,
}

/// The enum, read.
struct Parsed<'a> {
    ident: &'a Ident,
    vis: &'a syn::Visibility,
    /// The entity variants.
    variants: Vec<Variant<'a>>,
    /// The `#[truss(other)]` variant, if any.
    other: Option<&'a Ident>,
    /// How many variants are marked `other`.
    others: usize,
    /// `#[truss(index = "...")]`: the index whose partitions the variants
    /// share (their table partitions may differ).
    index: Option<syn::LitStr>,
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = parse(input, &mut errors);
    if let Some(parsed) = &parsed {
        check(parsed, &mut errors);
    }
    match (errors.finish(), parsed) {
        (Ok(()), Some(parsed)) => expand(&parsed),
        (Err(error), Some(parsed)) => {
            let mut tokens = error.into_compile_error();
            tokens.extend(fallback(&parsed));
            tokens
        }
        (Err(error), None) => error.into_compile_error(),
        (Ok(()), None) => quote!(),
    }
}

/// Reads the enum's variants; `None` when the input is not a (non-generic)
/// enum, with the error left in `errors`.
fn parse<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Option<Parsed<'a>> {
    let Data::Enum(data) = &input.data else {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "`Collection` can only be derived for enums with one variant per entity",
        ));
        return None;
    };
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "`Collection` cannot be derived for generic enums",
        ));
        return None;
    }
    let mut parsed = Parsed {
        ident: &input.ident,
        vis: &input.vis,
        variants: Vec::new(),
        other: None,
        others: 0,
        index: None,
    };
    for attr in input.attrs.iter().filter(|a| a.path().is_ident(TRUSS)) {
        errors.keep(attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(INDEX) {
                let name: syn::LitStr = meta.value()?.parse()?;
                if parsed.index.replace(name).is_some() {
                    return Err(meta.error("duplicate truss attribute"));
                }
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown truss attribute on a collection; expected `{INDEX} = \"...\"`"
                )))
            }
        }));
    }
    for variant in &data.variants {
        let mut is_other = false;
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident(TRUSS)) {
            errors.keep(attr.parse_nested_meta(|meta| {
                if meta.path.is_ident(OTHER) {
                    is_other = true;
                    Ok(())
                } else {
                    Err(meta.error(format!(
                        "unknown truss attribute on a variant; expected `{OTHER}`"
                    )))
                }
            }));
        }
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
            parsed.others += 1;
            if parsed.others == 2 {
                errors.push(syn::Error::new_spanned(
                    &variant.ident,
                    format!("only one variant can be `#[truss({OTHER})]`"),
                ));
            }
            parsed.other = Some(&variant.ident);
        } else {
            parsed.variants.push(Variant {
                ident: &variant.ident,
                ty,
            });
        }
    }
    Some(parsed)
}

/// What the whole enum must be: at least one entity variant.
fn check(parsed: &Parsed<'_>, errors: &mut Errors) {
    if parsed.variants.is_empty() {
        errors.push(syn::Error::new_spanned(
            parsed.ident,
            "a collection needs at least one entity variant",
        ));
    }
}

fn expand(parsed: &Parsed<'_>) -> TokenStream {
    let (ident, variants, other) = (parsed.ident, &parsed.variants, parsed.other);
    let name = ident.to_string();
    let first = variants[0].ty;
    let checks = shape_checks(&name, variants, parsed.index.as_ref());
    let index_fn = parsed.index.as_ref().map(|index| {
        quote! {
            fn __index() -> ::core::option::Option<&'static str> {
                ::core::option::Option::Some(#index)
            }
        }
    });
    let members = members(parsed);
    let arms = variants.iter().map(|v| {
        let (variant, ty) = (v.ident, v.ty);
        quote! {
            if ::truss_model::__private::matches_keys::<#ty>(&__truss_keys, &item) {
                return ::truss_model::__private::decode::<#ty>(table, item).map(Self::#variant);
            }
        }
    });
    let tests = variants.iter().map(|v| {
        let ty = v.ty;
        quote!(::truss_model::__private::matches::<#ty>(table, item))
    });
    let matches = if other.is_some() {
        quote!(true)
    } else {
        quote!(#(#tests)||*)
    };
    let templates = variants.iter().map(|v| {
        let ty = v.ty;
        quote!(::truss_model::__private::sort_template::<#ty>(index))
    });
    let expiry_types = variants.iter().map(|v| v.ty);
    let audits = variants.iter().map(|v| {
        let ty = v.ty;
        quote! {
            if let ::core::option::Option::Some(audited) = ::truss_model::__private::audit::<#ty>(table, item) {
                return audited;
            }
        }
    });
    let audit_fallback = if other.is_some() {
        quote!(::truss_model::__private::Audited::Other)
    } else {
        quote!(::truss_model::__private::Audited::Unmatched)
    };
    let (key_enum, change_target) = change_target(parsed);
    let fallback = match other {
        Some(variant) => quote!(::core::result::Result::Ok(Self::#variant(item))),
        None => quote!(::core::result::Result::Err(
            ::truss_model::__private::unmatched(table, #name, &item)
        )),
    };
    quote! {
        #key_enum

        const _: () = {
            #checks
            #members
            #change_target

            #[automatically_derived]
            impl ::truss_model::QueryTarget for #ident {
                fn __name() -> &'static str {
                    #name
                }
                fn __has_sort_key() -> bool {
                    <#first as ::truss_model::Entity>::SK.is_some()
                }
                fn __scope(
                    index: ::core::option::Option<::truss_model::__private::Index>,
                ) -> ::truss_model::__private::SortCondition<Self> {
                    ::truss_model::__private::SortCondition::__all(index)
                }
                fn __matches(table: &::truss_model::Table, item: &::truss_model::Item) -> bool {
                    #matches
                }
                fn __decode(
                    table: &::truss_model::Table,
                    item: ::truss_model::Item,
                ) -> ::truss_model::Result<Self> {
                    let __truss_keys = ::truss_model::__private::key_text(table, &item);
                    #(#arms)*
                    #fallback
                }
                fn __sort_templates(
                    index: ::core::option::Option<&'static str>,
                ) -> ::std::vec::Vec<::core::option::Option<::truss_model::__private::Template>> {
                    [#(#templates),*].into_iter().flatten().collect()
                }
                #index_fn
                fn __audit(
                    table: &::truss_model::Table,
                    item: &::truss_model::Item,
                ) -> ::truss_model::__private::Audited {
                    #(#audits)*
                    #audit_fallback
                }
                fn __expiries() -> ::std::vec::Vec<&'static str> {
                    let mut found = ::std::vec::Vec::new();
                    #(
                        if let ::core::option::Option::Some(ttl) = <#expiry_types as ::truss_model::Entity>::TTL {
                            if !found.contains(&ttl.attribute) {
                                found.push(ttl.attribute);
                            }
                        }
                    )*
                    found
                }
            }

            #[automatically_derived]
            impl ::truss_model::Collection for #ident {}
            #[automatically_derived]
            impl ::truss_model::__private::Generated for #ident {}
        };
    }
}

/// `<Enum>Key`, the typed key of a change of the collection (a variant per
/// entity variant, holding its key; `Other(Item)` with the raw keys for the
/// `other` variant), and `impl ChangeTarget`.
fn change_target(parsed: &Parsed<'_>) -> (TokenStream, TokenStream) {
    let (ident, vis) = (parsed.ident, parsed.vis);
    let name = ident.to_string();
    let key_ident = quote::format_ident!("{}Key", ident);
    let variants = parsed.variants.iter().map(|v| {
        let (variant, ty) = (v.ident, v.ty);
        let doc = format!("The key of a [`{ident}::{variant}`].");
        quote!(#[doc = #doc] #variant(<#ty as ::truss_model::Entity>::Key))
    });
    let other_variant = parsed.other.map(|variant| {
        let doc = format!("The key attributes of a [`{ident}::{variant}`], as stored.");
        quote!(#[doc = #doc] #variant(::truss_model::Item),)
    });
    let doc =
        format!("The key of a change of [`{ident}`] read from a stream: one variant per entity.");
    let key_enum = quote! {
        #[doc = #doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #vis enum #key_ident {
            #(#variants,)*
            #other_variant
        }
    };
    let arms = parsed.variants.iter().map(|v| {
        let (variant, ty) = (v.ident, v.ty);
        quote! {
            if let ::core::option::Option::Some(key) = ::truss_model::__private::decode_key::<#ty>(table, keys) {
                return ::core::option::Option::Some(key.map(#key_ident::#variant));
            }
        }
    });
    let fallback = match parsed.other {
        Some(variant) => {
            quote!(::core::option::Option::Some(::core::result::Result::Ok(#key_ident::#variant(::core::clone::Clone::clone(keys)))))
        }
        None => quote!(::core::option::Option::None),
    };
    let impl_ = quote! {
        #[automatically_derived]
        impl ::truss_model::stream::ChangeTarget for #ident {
            type Key = #key_ident;
            fn __decode_key(
                table: &::truss_model::Table,
                keys: &::truss_model::Item,
            ) -> ::core::option::Option<::truss_model::Result<#key_ident>> {
                let _ = #name;
                #(#arms)*
                #fallback
            }
        }
    };
    (key_enum, impl_)
}

/// Compile-time checks across the variants' entity types: one partition
/// template (the table's, or with `index` that index's), and items that can
/// be told apart by their table keys unless checked constants tell them
/// apart. On the table the partition templates are alike, so that is the
/// sort-key templates.
fn shape_checks(name: &str, variants: &[Variant<'_>], index: Option<&syn::LitStr>) -> TokenStream {
    let first = variants[0].ty;
    let mut checks = Vec::new();
    for (i, a) in variants.iter().enumerate() {
        let ty = a.ty;
        checks.push(match index {
            None => {
                let message = format!(
                    "variants `{}` and `{}` of `{name}` have different partition-key templates; a collection reads one partition (for a collection on an index whose partitions they share, add `#[truss(index = \"...\")]`)",
                    variants[0].ident, a.ident
                );
                quote! {
                    const _: () = ::core::assert!(
                        <#first as ::truss_model::Entity>::PK.__same_shape(&<#ty as ::truss_model::Entity>::PK),
                        #message
                    );
                }
            }
            Some(index) => {
                let message = format!(
                    "variant `{}` of `{name}` has no index `{}`, or one whose partition-key template differs from variant `{}`'s: a collection on an index reads one of its partitions",
                    a.ident,
                    index.value(),
                    variants[0].ident
                );
                quote::quote_spanned! {index.span()=>
                    const _: () = ::core::assert!(
                        ::truss_model::__private::index_partitions_agree(
                            <#first as ::truss_model::Entity>::INDEXES,
                            <#ty as ::truss_model::Entity>::INDEXES,
                            #index,
                        ),
                        #message
                    );
                }
            }
        });
        for b in &variants[..i] {
            let other_ty = b.ty;
            let message = match index {
                None => format!(
                    "variants `{}` and `{}` of `{name}` have sort-key templates that can produce the same key, so items could not be told apart (a checked constant with different values would)",
                    b.ident, a.ident
                ),
                Some(_) => format!(
                    "variants `{}` and `{}` of `{name}` have table keys that can match both templates, so items could not be told apart (a checked constant with different values would)",
                    b.ident, a.ident
                ),
            };
            checks.push(quote! {
                const _: () = ::core::assert!(
                    !::truss_model::__private::table_keys_may_overlap(
                        <#other_ty as ::truss_model::Entity>::PK,
                        <#other_ty as ::truss_model::Entity>::SK,
                        <#ty as ::truss_model::Entity>::PK,
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
    quote!(#(#checks)*)
}

/// `Member` impls: which entities a partition may be read as this
/// collection from.
fn members(parsed: &Parsed<'_>) -> TokenStream {
    let ident = parsed.ident;
    let members = parsed.variants.iter().map(|v| {
        let ty = v.ty;
        quote!(impl ::truss_model::Member<#ident> for #ty {})
    });
    quote!(#(#members)*)
}

/// Emitted next to a compile error: the impls whose bodies never run, so
/// that code using the collection adds no errors of its own and one
/// mistake gives one message.
fn fallback(parsed: &Parsed<'_>) -> TokenStream {
    let ident = parsed.ident;
    let name = ident.to_string();
    let members = members(parsed);
    quote! {
        const _: () = {
            #members
            impl ::truss_model::QueryTarget for #ident {
                fn __name() -> &'static str { #name }
                fn __has_sort_key() -> bool { ::core::unimplemented!() }
                fn __scope(
                    _: ::core::option::Option<::truss_model::__private::Index>,
                ) -> ::truss_model::__private::SortCondition<Self> { ::core::unimplemented!() }
                fn __matches(_: &::truss_model::Table, _: &::truss_model::Item) -> bool {
                    ::core::unimplemented!()
                }
                fn __decode(_: &::truss_model::Table, _: ::truss_model::Item) -> ::truss_model::Result<Self> {
                    ::core::unimplemented!()
                }
                fn __sort_templates(
                    _: ::core::option::Option<&'static str>,
                ) -> ::std::vec::Vec<::core::option::Option<::truss_model::__private::Template>> {
                    ::core::unimplemented!()
                }
                fn __audit(
                    _: &::truss_model::Table,
                    _: &::truss_model::Item,
                ) -> ::truss_model::__private::Audited {
                    ::core::unimplemented!()
                }
            }
            impl ::truss_model::Collection for #ident {}
            impl ::truss_model::__private::Generated for #ident {}
        };
    }
}
