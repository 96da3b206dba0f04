//! What the derive emits next to a compile error, so that one mistake
//! gives one message.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Emitted next to a compile error: an `Entity` impl (and key struct) whose
/// bodies never run, so that code using the entity does not add errors of
/// its own and one mistake gives one message. Generic inputs get none.
pub fn fallback(input: &syn::DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let vis = &input.vis;
    let key_ident = format_ident!("{}Key", ident);
    let name = ident.to_string();
    quote! {
        #[doc(hidden)]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #vis struct #key_ident;

        const _: () = {
            impl ::truss_model::Entity for #ident {
                const NAME: &'static str = #name;
                const PK: ::truss_model::__private::Template = ::truss_model::__private::Template::__new("", &[]);
                const SK: ::core::option::Option<::truss_model::__private::Template> = ::core::option::Option::None;
                type Key = #key_ident;
                type SortFields = ();
                fn to_key(&self) -> #key_ident { ::core::unimplemented!() }
                fn __write_pk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
                fn __write_sk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
            }
            impl ::truss_model::EntityKey for #key_ident {
                type Entity = #ident;
                fn __write_pk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
                fn __write_sk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
                fn __attributes(
                    &self,
                ) -> ::truss_model::Result<::std::vec::Vec<(&'static str, ::truss_model::aws_sdk_dynamodb::types::AttributeValue)>> {
                    ::core::unimplemented!()
                }
                fn __from_attributes(
                    _: &mut ::truss_model::Item,
                ) -> ::core::result::Result<Self, (::core::option::Option<::std::string::String>, ::std::string::String)> {
                    ::core::unimplemented!()
                }
            }
        };
    }
}
