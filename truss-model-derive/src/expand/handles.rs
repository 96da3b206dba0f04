//! The field handles (`Type::FIELD`) and, for fields with their own serde
//! functions, the hidden encoders the handles and key attributes write
//! through.

use super::*;

/// A typed handle per stored field: `KeyAttr` for key, index and version
/// fields (conditions only), `Attr` for the others (conditions and
/// updates).
pub(super) fn handles(valid: &Valid<'_>) -> Vec<TokenStream> {
    let entity = valid.entity;
    let vis = entity.vis;
    let in_an_index = |f: &Field| {
        valid.indexes.iter().any(|i| {
            template_fields(&i.pk)
                .chain(i.sk.iter().flat_map(template_fields))
                .any(|k| k.name == f.name)
        })
    };
    entity
        .fields
        .iter()
        .filter(|f| f.serde.skipped_by.is_none() && !f.serde.flatten)
        .map(|f| {
            let constant = format_ident!("{}", f.name.to_uppercase());
            let (ty, attribute) = (f.ty, &f.attribute);
            let is_key = f.version.is_some()
                || valid.key_fields.iter().any(|k| k.name == f.name)
                || in_an_index(f);
            let (handle, doc) = if is_key {
                (
                    quote!(KeyAttr),
                    format!("Handle on the key field `{}` (attribute `{attribute}`), for conditions.", f.name),
                )
            } else {
                (
                    quote!(Attr),
                    format!("Handle on the field `{}` (attribute `{attribute}`), for conditions and updates.", f.name),
                )
            };
            match &f.serde.serialize_with {
                // Written by the field's own serializer: the handle calls it.
                Some(_) => {
                    let encode = encoder_name(f);
                    quote! {
                        #[doc = #doc]
                        #vis const #constant: ::truss_model::#handle<Self, #ty, ::truss_model::storage::With> =
                            ::truss_model::__private::#handle::__with(#attribute, Self::#encode);
                    }
                }
                None => quote! {
                    #[doc = #doc]
                    #vis const #constant: ::truss_model::#handle<Self, #ty> =
                        ::truss_model::__private::#handle::__new(#attribute);
                },
            }
        })
        .collect()
}

/// A hidden function `name` writing a value of `ty` as a put stores it,
/// through the serde function `path` (`with` / `serialize_with`).
pub(crate) fn encoder_fn(
    name: &proc_macro2::Ident,
    ty: &syn::Type,
    path: &syn::ExprPath,
) -> TokenStream {
    quote! {
        #[doc(hidden)]
        fn #name(
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
    }
}

pub(crate) fn encoder_name(field: &Field<'_>) -> proc_macro2::Ident {
    format_ident!("__truss_encode_{}", field.name)
}

pub(super) fn key_decoder_name(field: &Field<'_>) -> proc_macro2::Ident {
    format_ident!("__truss_decode_{}", field.name)
}

/// For each field with `#[serde(with = ...)]` or `serialize_with`, a hidden
/// function writing its value as a put stores it (through that function),
/// for handles, key attributes and fields recovered from keys; and for such
/// key fields, one reading a key segment into that stored form.
pub(super) fn encoders(valid: &Valid<'_>) -> TokenStream {
    let in_a_template = |f: &Field| {
        valid.key_fields.iter().any(|k| k.name == f.name)
            || valid.indexes.iter().any(|i| {
                template_fields(&i.pk)
                    .chain(i.sk.iter().flat_map(template_fields))
                    .any(|k| k.name == f.name)
            })
    };
    let fns = valid.entity.fields.iter().filter_map(|f| {
        let path = f.serde.serialize_with.as_ref()?;
        let (ty, encode) = (f.ty, encoder_name(f));
        let decode = in_a_template(f).then(|| {
            let decoder = key_decoder_name(f);
            let key_ty = f.option_of.unwrap_or(f.ty);
            let format = valid.format(f);
            let value = if f.option_of.is_some() {
                quote!(&::core::option::Option::Some(value))
            } else {
                quote!(&value)
            };
            quote! {
                #[doc(hidden)]
                fn #decoder(
                    segment: &str,
                ) -> ::core::result::Result<::truss_model::aws_sdk_dynamodb::types::AttributeValue, ::truss_model::key_part::KeyPartError> {
                    let value = ::truss_model::__private::decode_key_value::<#key_ty, #format>(segment)?;
                    Self::#encode(#value).map_err(::truss_model::key_part::KeyPartError::Other)
                }
            }
        });
        let encoder = encoder_fn(&encode, ty, path);
        Some(quote! {
            #encoder
            #decode
        })
    });
    quote!(#(#fns)*)
}

/// `key_attribute(..)` of a key or index field: its stored form, through
/// its own serializer where it has one.
pub(super) fn key_attribute(
    owner: &TokenStream,
    field: &Field<'_>,
    value: TokenStream,
    entity: &str,
) -> TokenStream {
    let attribute = &field.attribute;
    match &field.serde.serialize_with {
        Some(_) => {
            let encode = encoder_name(field);
            quote!(::truss_model::__private::key_attribute_with(#attribute, #owner::#encode(#value), #entity))
        }
        None => quote!(::truss_model::__private::key_attribute(#attribute, #value, #entity)),
    }
}
