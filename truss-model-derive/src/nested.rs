//! The `Nested` derive: handles on the fields of a struct stored inside an
//! entity, which paths join to the attribute holding it
//! (`Order::ADDRESS.get(Address::CITY)`). Parse (the fields, with serde's
//! names) -> validate (named fields, no generics) -> expand (one constant
//! per stored field).

use crate::ast;
use crate::attr;
use crate::ctxt::Errors;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
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
            "`Nested` can only be derived for structs with named fields",
        )
        .into_compile_error();
    };
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "`Nested` cannot be derived for generic structs",
        ));
    }
    let (_, serde) = attr::container(&input.attrs, &mut errors);
    let fields = ast::fields(named, &serde.rename_all, &mut errors);
    if let Err(error) = errors.finish() {
        return error.into_compile_error();
    }
    let (ident, vis) = (&input.ident, &input.vis);
    let constants = fields
        .iter()
        .filter(|f| f.serde.skipped_by.is_none() && !f.serde.flatten)
        .map(|f| {
            let constant = format_ident!("{}", f.name.to_uppercase());
            let (ty, name) = (f.ty, &f.attribute);
            let doc = format!(
                "Handle on the nested field `{}` (stored as `{name}`), joined to a path with `get`.",
                f.name
            );
            match &f.serde.serialize_with {
                Some(path) => {
                    let encode = format_ident!("__truss_encode_{}", f.name);
                    quote! {
                        #[doc(hidden)]
                        fn #encode(
                            value: &#ty,
                        ) -> ::core::result::Result<::truss_model::aws_sdk_dynamodb::types::AttributeValue, ::std::string::String> {
                            struct __TrussWith<'a>(&'a #ty);
                            impl ::truss_model::__private::serde::Serialize for __TrussWith<'_> {
                                fn serialize<__S: ::truss_model::__private::serde::Serializer>(
                                    &self,
                                    serializer: __S,
                                ) -> ::core::result::Result<__S::Ok, __S::Error> {
                                    #path(self.0, serializer)
                                }
                            }
                            ::truss_model::__private::encode_value(&__TrussWith(value))
                        }
                        #[doc = #doc]
                        #vis const #constant: ::truss_model::expression::NestedAttr<Self, #ty, ::truss_model::storage::With> =
                            ::truss_model::expression::NestedAttr::__with(#name, Self::#encode);
                    }
                }
                None => quote! {
                    #[doc = #doc]
                    #vis const #constant: ::truss_model::expression::NestedAttr<Self, #ty> =
                        ::truss_model::expression::NestedAttr::__new(#name);
                },
            }
        });
    quote! {
        impl ::truss_model::expression::NestedFields for #ident {}
        #[allow(non_upper_case_globals)]
        impl #ident {
            #(#constants)*
        }
    }
}
