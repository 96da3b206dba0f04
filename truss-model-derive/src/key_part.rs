//! `#[derive(KeyPart)]`: unit enums written as their serde names (and
//! usable as attributes of an index key), and single-field structs written
//! as their field.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

/// What the derive writes a value as.
enum Shape<'a> {
    /// A unit-only enum: its serde names.
    SerdeNames,
    /// A struct of one field (`CreatorId(String)`): that field's encoding.
    Delegate(&'a syn::Field, syn::Member),
}

pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let shape = parse(input)?;
    Ok(expand(input, &shape))
}

fn parse(input: &DeriveInput) -> syn::Result<Shape<'_>> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`KeyPart` cannot be derived for generic types",
        ));
    }
    match &input.data {
        Data::Enum(data) => {
            let mut errors: Option<syn::Error> = None;
            for variant in data.variants.iter().filter(|v| !matches!(v.fields, Fields::Unit)) {
                let error = syn::Error::new_spanned(
                    variant,
                    "`KeyPart` can only be derived for enums whose variants carry no data: a key segment holds the variant's serde name",
                );
                match &mut errors {
                    Some(all) => all.combine(error),
                    None => errors = Some(error),
                }
            }
            if data.variants.is_empty() {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "`KeyPart` cannot be derived for an enum without variants",
                ));
            }
            errors.map_or(Ok(Shape::SerdeNames), Err)
        }
        Data::Struct(data) if data.fields.len() == 1 => {
            let field = data.fields.iter().next().ok_or_else(|| {
                syn::Error::new_spanned(&input.ident, "expected one field")
            })?;
            let member = match &field.ident {
                Some(ident) => syn::Member::Named(ident.clone()),
                None => syn::Member::Unnamed(0.into()),
            };
            Ok(Shape::Delegate(field, member))
        }
        _ => Err(syn::Error::new_spanned(
            &input.ident,
            "`KeyPart` can be derived for enums whose variants carry no data, or structs of one field",
        )),
    }
}

fn expand(input: &DeriveInput, shape: &Shape<'_>) -> TokenStream {
    let ident = &input.ident;
    let body = match shape {
        Shape::SerdeNames => {
            let expected = format!("one of the serde names of `{ident}`");
            quote! {
                const EXPECTED: &'static str = #expected;
                #[doc(hidden)]
                const __VALID_BY_CONSTRUCTION: bool = true;

                fn encode_key(
                    &self,
                    out: &mut ::std::string::String,
                ) -> ::core::result::Result<(), ::truss_model::key_part::KeyPartError> {
                    ::truss_model::__private::encode_serde_name(self, out)
                }

                fn decode_key(
                    segment: &str,
                ) -> ::core::result::Result<Self, ::truss_model::key_part::KeyPartError> {
                    ::truss_model::__private::decode_serde_name(segment)
                }
            }
        }
        Shape::Delegate(field, member) => {
            let ty = &field.ty;
            let build = match member {
                syn::Member::Named(name) => quote!(Self { #name: value }),
                syn::Member::Unnamed(_) => quote!(Self(value)),
            };
            quote! {
                const EXPECTED: &'static str = <#ty as ::truss_model::KeyPart>::EXPECTED;
                #[doc(hidden)]
                const __VALID_BY_CONSTRUCTION: bool =
                    <#ty as ::truss_model::KeyPart>::__VALID_BY_CONSTRUCTION;

                fn encode_key(
                    &self,
                    out: &mut ::std::string::String,
                ) -> ::core::result::Result<(), ::truss_model::key_part::KeyPartError> {
                    <#ty as ::truss_model::KeyPart>::encode_key(&self.#member, out)
                }

                fn decode_key(
                    segment: &str,
                ) -> ::core::result::Result<Self, ::truss_model::key_part::KeyPartError> {
                    <#ty as ::truss_model::KeyPart>::decode_key(segment).map(|value| #build)
                }
            }
        }
    };
    // A unit enum is stored as its serde name: a string attribute, which
    // can be a key of an index over attributes (sorted by name, like its
    // keys). A newtype's storage is its field's, which it may not know.
    let index_key = matches!(shape, Shape::SerdeNames).then(|| {
        quote! {
            #[automatically_derived]
            impl ::truss_model::IndexKeyType for #ident {
                const SCALAR: ::truss_model::ScalarType = ::truss_model::ScalarType::String;
            }
            #[automatically_derived]
            impl ::truss_model::OrderedIndexKey for #ident {}
            #[automatically_derived]
            impl ::truss_model::TextIndexKey for #ident {}
        }
    });
    quote! {
        #[automatically_derived]
        impl ::truss_model::KeyPart for #ident {
            #body
        }
        #index_key
    }
}
