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
use syn::DeriveInput;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let Some(named) = ast::named_fields(input, "Nested", &mut errors) else {
        return errors
            .finish()
            .err()
            .map(syn::Error::into_compile_error)
            .unwrap_or_default();
    };
    let serde = attr::serde_container(&input.attrs);
    let codec_attr = ast::container_value::<syn::LitStr>(
        &input.attrs,
        crate::symbol::CODEC,
        "expected `codec = \"serde\"`",
        &mut errors,
    );
    let fields = ast::fields(named, &serde.rename_all, &mut errors);
    let codec = crate::codec::choose(codec_attr.as_ref(), &serde, &fields, &mut errors);
    if let Err(error) = errors.finish() {
        return error.into_compile_error();
    }
    let stored = match codec {
        crate::codec::Choice::Generated => stored(&input.ident, &fields),
        crate::codec::Choice::Serde(..) => TokenStream::new(),
    };
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
                    let encode = crate::expand::encoder_name(f);
                    let encoder = crate::expand::encoder_fn(&encode, ty, path);
                    quote! {
                        #encoder
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
        #stored
        impl ::truss_model::expression::NestedFields for #ident {}
        #[allow(non_upper_case_globals)]
        impl #ident {
            #(#constants)*
        }
    }
}

/// The generated codec of a nested struct: a map (`M`) of its fields; a
/// value in another shape is read by serde.
fn stored(ident: &syn::Ident, fields: &[ast::Field<'_>]) -> TokenStream {
    let encode = crate::codec::encode(fields);
    let decode = crate::codec::decode(fields, None);
    let count = fields.len();
    quote! {
        #[automatically_derived]
        impl ::truss_model::__private::Stored for #ident {
            fn encode(&self) -> ::core::result::Result<::truss_model::__private::Counted, ::truss_model::__private::CodecError> {
                let mut __truss_item = ::truss_model::Item::with_capacity(#count);
                let mut __truss_size = 3usize;
                #encode
                ::core::result::Result::Ok((
                    ::truss_model::aws_sdk_dynamodb::types::AttributeValue::M(__truss_item),
                    __truss_size,
                ))
            }
            fn decode(
                value: ::truss_model::aws_sdk_dynamodb::types::AttributeValue,
            ) -> ::core::result::Result<Self, ::truss_model::__private::CodecError> {
                match value {
                    ::truss_model::aws_sdk_dynamodb::types::AttributeValue::M(__truss_item) => #decode,
                    other => ::truss_model::__private::serde_decode(other),
                }
            }
        }
    }
}
