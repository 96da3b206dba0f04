//! Code generation for a validated entity, in named steps: the key struct,
//! the trait impls, and the inherent items (key and partition builders,
//! sort-key builders, index accessors, field handles). Each template's key
//! writer is generated once, as a hidden associated function, and called by
//! the entity, its key and its partition builders; everything else shared
//! lives in the runtime (`truss_model::__private`).

use crate::ast::Field;
use crate::valid::{template_fields, Checked, IndexProjection, Template, Valid, ValidIndex};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

mod attribute_index;
pub use attribute_index::{index_attribute, value_type};
mod handles;
mod indexes;

use handles::*;
pub(crate) use handles::{encoder_fn, encoder_name};
use indexes::*;

pub fn entity(valid: &Valid<'_>) -> TokenStream {
    let key_struct = key_struct(valid);
    let entity_impl = entity_impl(valid);
    let key_impl = key_impl(valid);
    let inherent = inherent(valid);
    quote! {
        #key_struct

        #[allow(non_snake_case)]
        const _: () = {
            #entity_impl
            #key_impl
        };

        #inherent
    }
}

/// `<Type>Key`: one public field per key field.
fn key_struct(valid: &Valid<'_>) -> TokenStream {
    let (ident, vis) = (valid.entity.ident, valid.entity.vis);
    let key_ident = format_ident!("{}Key", ident);
    let names = valid.key_fields.iter().map(|f| f.ident);
    let types = valid.key_fields.iter().map(|f| f.ty);
    let docs = valid
        .key_fields
        .iter()
        .map(|f| format!("The entity's `{}`.", f.name));
    let doc = format!(
        "Typed primary key of [`{ident}`]: the fields of its key templates (`pk = \"{}\"`{}).",
        valid.pk.source,
        valid
            .sk
            .as_ref()
            .map(|t| format!(", `sk = \"{}\"`", t.source))
            .unwrap_or_default()
    );
    quote! {
        #[doc = #doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash)]
        #[allow(non_snake_case)]
        #vis struct #key_ident {
            #(
                #[doc = #docs]
                pub #names: #types,
            )*
        }
    }
}

/// `impl Entity`: templates, indexes, constants, version, key writers.
fn entity_impl(valid: &Valid<'_>) -> TokenStream {
    let entity = valid.entity;
    let (ident, name) = (entity.ident, &entity.name);
    let key_ident = format_ident!("{}Key", ident);
    let pk = template_const(valid, &valid.pk);
    let sk = optional(valid.sk.as_ref().map(|t| template_const(valid, t)));
    let sort_fields = match &valid.sk {
        Some(t) => sort_tuple(valid, t),
        None => quote!(()),
    };
    // Without indexes or constants, the trait's defaults serve.
    let indexes = (!valid.indexes.is_empty()).then(|| {
        let indexes = valid.indexes.iter().map(|i| index_const(valid, i));
        let arms = valid
            .indexes
            .iter()
            .enumerate()
            .map(|(n, i)| index_arm(n, i));
        quote! {
            const INDEXES: &'static [::truss_model::__private::Index] = &[#(#indexes),*];

            fn __write_index(
                &self,
                index: usize,
                pk: &mut ::std::string::String,
                sk: &mut ::std::string::String,
            ) -> ::truss_model::Result<bool> {
                match index {
                    #(#arms)*
                    _ => ::core::result::Result::Ok(false),
                }
            }
        }
    });
    let attribute_indexes = attribute_index::constant(valid);
    let vector_indexes = crate::vector::constant(&valid.vectors);
    let constants = constants(valid);
    let constants = (!constants.is_empty())
        .then(|| quote!(const CONSTANTS: &'static [::truss_model::__private::Constant] = &[#(#constants),*];));
    let version = valid.version.map(|f| {
        let (field, attribute) = (f.ident, &f.attribute);
        quote! {
            const VERSION: ::core::option::Option<&'static str> = ::core::option::Option::Some(#attribute);
            fn version(&self) -> u64 {
                self.#field
            }
        }
    });
    let revision = crate::revision::expand(valid.revision.as_ref());
    let ttl = valid.ttl.map(|f| {
        let (ty, attribute) = (f.ty, &f.attribute);
        quote_spanned! {ty.span()=>
            const TTL: ::core::option::Option<::truss_model::__private::Ttl> =
                ::core::option::Option::Some(::truss_model::__private::Ttl::__new::<#ty>(#attribute));
        }
    });
    let stamps = [
        (valid.created_at, quote!(CREATED_AT)),
        (valid.updated_at, quote!(UPDATED_AT)),
    ]
    .into_iter()
    .filter_map(|(field, constant)| {
        let field = field?;
        let (ty, attribute) = (field.ty, &field.attribute);
        let encode = match &field.serde.serialize_with {
            Some(_) => {
                let encoder = encoder_name(field);
                quote!(Self::#encoder(&now))
            }
            None => quote!(::truss_model::__private::encode_value(&now)),
        };
        Some(quote_spanned! {ty.span()=>
            const #constant: ::core::option::Option<::truss_model::__private::Stamp> =
                ::core::option::Option::Some(::truss_model::__private::Stamp {
                    attribute: #attribute,
                    at: |at| {
                        let now = <#ty as ::truss_model::Timestamp>::at(at);
                        #encode
                    },
                });
        })
    });
    let owner = quote!(Self);
    let write_pk = call_writer(&owner, &valid.pk, &writer_name("pk"), field_of_self);
    let write_sk = match &valid.sk {
        Some(t) => call_writer(&owner, t, &writer_name("sk"), field_of_self),
        None => quote!(::core::result::Result::Ok(())),
    };
    let key_names = valid.key_fields.iter().map(|f| f.ident);
    let pk_is = key_check(valid, &valid.pk);
    let sk_is = match &valid.sk {
        Some(t) => {
            let steps = key_check(valid, t);
            quote! {
                if let __t::Some(__truss_key) = __truss_sk {
                    #steps
                }
            }
        }
        None => quote!(let _ = __truss_sk;),
    };
    let keys_are = in_place(quote! {
        let __truss_key = __truss_pk;
        #pk_is
        #sk_is
    });
    let index_keys_are = index_keys_are(valid);
    let codec = item_codec(entity, &valid.key_fields);
    quote! {
        #[automatically_derived]
        impl ::truss_model::Entity for #ident {
            const NAME: &'static str = #name;
            const PK: ::truss_model::__private::Template = #pk;
            const SK: ::core::option::Option<::truss_model::__private::Template> = #sk;
            type Key = #key_ident;
            type SortFields = #sort_fields;
            #indexes
            #attribute_indexes
            #vector_indexes
            #constants
            #version
            #revision
            #ttl
            #(#stamps)*
            #codec

            fn to_key(&self) -> #key_ident {
                #key_ident {
                    #( #key_names: ::core::clone::Clone::clone(&self.#key_names), )*
                }
            }

            fn __write_pk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                #write_pk
            }

            fn __write_sk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                #write_sk
            }

            fn __keys_are(&self, __truss_pk: &str, __truss_sk: ::core::option::Option<&str>) -> bool {
                #keys_are
            }

            #index_keys_are
        }
    }
}

/// `Entity::__index_keys_are`: per index, the in-place steps of its
/// templates ([`key_check`]); nothing for an entity without indexes (the
/// trait's default answers "not known").
fn index_keys_are(valid: &Valid<'_>) -> TokenStream {
    if valid.indexes.is_empty() {
        return TokenStream::new();
    }
    let arms = valid.indexes.iter().enumerate().map(|(i, index)| {
        let pk = key_check(valid, &index.pk);
        let sk = index.sk.as_ref().map(|t| {
            let steps = key_check(valid, t);
            quote! {
                let __truss_key = __truss_sk?;
                #steps
            }
        });
        quote! {
            #i => {
                let __truss_key = __truss_pk;
                #pk
                #sk
            }
        }
    });
    let body = in_place(quote! {
        match __truss_index {
            #(#arms)*
            _ => return __t::None,
        }
    });
    quote! {
        fn __index_keys_are(&self, __truss_index: usize, __truss_pk: &str, __truss_sk: ::core::option::Option<&str>) -> bool {
            #body
        }
    }
}

/// The body of an in-place key check: `steps` (made of [`key_check`]'s,
/// `__private` as `__t`) in a closure whose `?` answers "not known".
fn in_place(steps: TokenStream) -> TokenStream {
    quote! {
        use ::truss_model::__private as __t;
        let __truss_check = || {
            #steps
            __t::Some(())
        };
        __truss_check().is_some()
    }
}

/// The generated item codec (`crate::codec`), or serde's and why.
fn item_codec(
    entity: &crate::ast::Entity<'_>,
    key_fields: &[&crate::ast::Field<'_>],
) -> TokenStream {
    let (reason, span) = match &entity.codec {
        crate::codec::Choice::Serde(reason, span) => (reason, *span),
        crate::codec::Choice::Generated => {
            let encode = crate::codec::encode(&entity.fields);
            let key_idents: Vec<&syn::Ident> = key_fields.iter().map(|f| f.ident).collect();
            let decode_keyed = crate::codec::decode(&entity.fields, Some(&key_idents));
            let count = entity.fields.len();
            return quote! {
                const CODEC: ::truss_model::Codec = ::truss_model::Codec::Generated;
                fn __to_item(
                    &self,
                    extra: usize,
                ) -> ::core::result::Result<(::truss_model::Item, usize), ::truss_model::__private::CodecError> {
                    let mut __truss_item = ::truss_model::Item::with_capacity(#count + extra);
                    // Counted as a map's entries, then as an item's.
                    let mut __truss_size = 3usize;
                    #encode
                    let __truss_size = __truss_size - 3 - __truss_item.len();
                    ::core::result::Result::Ok((__truss_item, __truss_size))
                }
                fn __from_item(
                    __truss_item: ::truss_model::Item,
                ) -> ::core::result::Result<Self, ::truss_model::__private::CodecError> {
                    Self::__from_item_keyed(__truss_item, &mut ::truss_model::__private::ItemKeys::detached())
                }
                // The type's serde impls when it has them, for the
                // `check-codec` comparison; generic, so serde's code for
                // the type is compiled only where that asks for it.
                fn __serde<__M>() -> ::core::option::Option<::truss_model::__private::SerdeFns<Self>> {
                    #[allow(unused_imports)]
                    use ::truss_model::__private::{NoSerdeProbe as _, SerdeProbe as _};
                    (&::truss_model::__private::probe::<Self>()).fns()
                }
                fn __from_item_keyed(
                    __truss_item: ::truss_model::Item,
                    __truss_keys: &mut ::truss_model::__private::ItemKeys<'_>,
                ) -> ::core::result::Result<Self, ::truss_model::__private::CodecError> #decode_keyed
            };
        }
    };
    // The serde impls are the codec: a type without them fails here, at
    // the attribute that chose serde.
    let to_item = quote_spanned!(span=> ::truss_model::__private::to_item_by_serde(self, extra));
    let from_item = quote_spanned!(span=> ::truss_model::__private::from_item_by_serde(item));
    quote! {
        const CODEC: ::truss_model::Codec = ::truss_model::Codec::Serde(#reason);
        fn __to_item(
            &self,
            extra: usize,
        ) -> ::core::result::Result<(::truss_model::Item, usize), ::truss_model::__private::CodecError> {
            #to_item
        }
        fn __from_item(
            item: ::truss_model::Item,
        ) -> ::core::result::Result<Self, ::truss_model::__private::CodecError> {
            #from_item
        }
    }
}

/// `impl EntityKey for <Type>Key`.
fn key_impl(valid: &Valid<'_>) -> TokenStream {
    let entity = valid.entity;
    let (ident, name) = (entity.ident, &entity.name);
    let key_ident = format_ident!("{}Key", ident);
    // `Self` is the key here: the writers belong to the entity.
    let owner = quote!(#ident);
    let write_pk = call_writer(&owner, &valid.pk, &writer_name("pk"), field_of_self);
    let write_sk = match &valid.sk {
        Some(t) => call_writer(&owner, t, &writer_name("sk"), field_of_self),
        None => quote!(::core::result::Result::Ok(())),
    };
    let attributes = valid.key_fields.iter().map(|f| {
        let field = f.ident;
        let attribute = key_attribute(&owner, f, quote!(&self.#field), name);
        quote!(#attribute?)
    });
    let from_attributes = valid.key_fields.iter().map(|f| {
        let (field, attribute) = (f.ident, &f.attribute);
        quote!(#field: ::truss_model::__private::key_field(item, #attribute)?)
    });
    quote! {
        #[automatically_derived]
        impl ::truss_model::EntityKey for #key_ident {
            type Entity = #ident;

            fn __write_pk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                #write_pk
            }

            fn __write_sk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                #write_sk
            }

            fn __attributes(
                &self,
            ) -> ::truss_model::Result<::std::vec::Vec<(&'static str, ::truss_model::aws_sdk_dynamodb::types::AttributeValue)>> {
                ::core::result::Result::Ok(::std::vec![#(#attributes),*])
            }

            fn __from_attributes(
                item: &mut ::truss_model::Item,
            ) -> ::core::result::Result<Self, (::core::option::Option<::std::string::String>, ::std::string::String)> {
                let _ = &item;
                ::core::result::Result::Ok(#key_ident { #(#from_attributes,)* })
            }
        }
    }
}

/// The inherent items: `key`, `partition`, `sort_key`, one accessor (and
/// sort-key builder) per index, the hidden key writers, the field handles.
fn inherent(valid: &Valid<'_>) -> TokenStream {
    let entity = valid.entity;
    let (ident, vis) = (entity.ident, entity.vis);
    let key_ident = format_ident!("{}Key", ident);
    let key_names: Vec<_> = valid.key_fields.iter().map(|f| f.ident).collect();
    let key_types = valid.key_fields.iter().map(|f| f.ty);
    let key_doc = format!("The typed primary key of [`{ident}`], from its key fields.");
    let partition = partition_fn(
        &valid.pk,
        quote!(partition),
        format!(
            "The partition `{}` of [`{ident}`] items, to query.",
            valid.pk.source
        ),
        &writer_name("pk"),
        None,
        vis,
    );
    let sort_key = valid.sk.as_ref().map(|t| {
        let doc = format!(
            "A typed condition builder on the sort key `{}` of [`{ident}`].",
            t.source
        );
        quote! {
            #[doc = #doc]
            #vis fn sort_key() -> ::truss_model::SortKey<Self, <Self as ::truss_model::Entity>::SortFields> {
                ::truss_model::__private::SortKey::__root()
            }
        }
    });
    let indexes = valid
        .indexes
        .iter()
        .enumerate()
        .map(|(n, i)| index_accessors(valid, n, i));
    let attribute_indexes = attribute_index::accessors(valid);
    let vector_searches = crate::vector::accessors(&valid.vectors, valid.entity);
    let writers = writers(valid);
    let encoders = encoders(valid);
    let index_fns = index_fns(valid);
    let setters = index_setters(valid);
    let handles = handles(valid);
    quote! {
        #[automatically_derived]
        #[allow(non_snake_case)]
        impl #ident {
            #[doc = #key_doc]
            #[allow(clippy::too_many_arguments)]
            #vis fn key(#( #key_names: impl ::truss_model::IntoField<#key_types> ),*) -> #key_ident {
                #key_ident {
                    #( #key_names: ::truss_model::IntoField::into_field(#key_names), )*
                }
            }

            #partition
            #sort_key
            #(#indexes)*
            #(#attribute_indexes)*
            #(#vector_searches)*
            #(#setters)*
            #writers
            #encoders
            #index_fns
            #(#handles)*
        }
    }
}

/// One hidden writer per template: appends the rendered key from
/// references to its fields. Generated once, called by the entity, its
/// key and its partition builders.
fn writers(valid: &Valid<'_>) -> TokenStream {
    let mut templates = vec![("pk".to_owned(), &valid.pk)];
    templates.extend(valid.sk.as_ref().map(|t| ("sk".to_owned(), t)));
    for index in &valid.indexes {
        templates.push((format!("{}_pk", index.accessor), &index.pk));
        if let Some(t) = &index.sk {
            templates.push((format!("{}_sk", index.accessor), t));
        }
    }
    let writers = templates.into_iter().map(|(name, template)| {
        let writer = writer_name(&name);
        let params = template_fields(template).map(|f| {
            let (field, ty) = (f.ident, f.option_of.unwrap_or(f.ty));
            quote!(#field: &#ty)
        });
        let body = writer_body(valid, template);
        quote! {
            #[allow(clippy::ptr_arg)]
            fn #writer(#(#params,)* __truss_out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                #body
            }
        }
    });
    quote!(#(#writers)*)
}

fn writer_name(template: &str) -> proc_macro2::Ident {
    format_ident!("__truss_write_{}", template)
}

/// A call of a template's writer (an associated function of `owner`, the
/// entity), with each field given by `access`.
fn call_writer(
    owner: &TokenStream,
    template: &Template<'_>,
    writer: &proc_macro2::Ident,
    access: impl Fn(&Field) -> TokenStream,
) -> TokenStream {
    let args = template_fields(template).map(access);
    quote!(#owner::#writer(#(#args,)* out))
}

fn field_of_self(field: &Field) -> TokenStream {
    let ident = field.ident;
    quote!(&self.#ident)
}

/// `Constant { .. }` per declared constant.
fn constants(valid: &Valid<'_>) -> Vec<TokenStream> {
    valid
        .entity
        .constants
        .iter()
        .map(|c| {
            let (name, check) = (c.name.value(), c.check);
            let value = match &c.value {
                syn::Lit::Int(int) => {
                    let text = int.base10_digits();
                    quote!(::truss_model::__private::ConstantValue::N(#text))
                }
                other => quote!(::truss_model::__private::ConstantValue::S(#other)),
            };
            quote!(::truss_model::__private::Constant { name: #name, value: #value, check: #check })
        })
        .collect()
}

/// `Index { .. }` for a declared index.
fn index_const(valid: &Valid<'_>, index: &ValidIndex<'_>) -> TokenStream {
    let (name, pk_attr) = (&index.name, &index.pk_attr);
    let sk_attr = optional(index.sk_attr.as_ref().map(|a| quote!(#a)));
    let pk = template_const(valid, &index.pk);
    let sk = optional(index.sk.as_ref().map(|t| template_const(valid, t)));
    let projection = match &index.projection {
        IndexProjection::All => quote!(All),
        IndexProjection::KeysOnly => quote!(KeysOnly),
        IndexProjection::Include(fields) => {
            let attributes = fields.iter().map(|f| &f.attribute);
            quote!(Include(&[#(#attributes),*]))
        }
    };
    quote! {
        ::truss_model::__private::Index {
            name: #name,
            pk_attribute: #pk_attr,
            sk_attribute: #sk_attr,
            pk: #pk,
            sk: #sk,
            projection: ::truss_model::__private::IndexProjection::#projection,
        }
    }
}

fn optional(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

/// `Template::__new("...", &[Segment::Literal(..), field::<T, F>(..)])`.
fn template_const(valid: &Valid<'_>, template: &Template<'_>) -> TokenStream {
    let source = &template.source;
    let segments = template.segments.iter().map(|s| match s {
        Checked::Literal(text) => quote!(::truss_model::__private::Segment::Literal(#text)),
        Checked::Field { prefix, field } => {
            // Recovery inserts the field under the name serde reads.
            let (name, attribute) = (&field.name, &field.de_attribute);
            let ty = field.option_of.unwrap_or(field.ty);
            if field.serde.serialize_with.is_some() {
                // Recovered through the field's own serializer, so serde's
                // reader gets the form a put writes.
                let format = valid.format(field);
                let decoder = key_decoder_name(field);
                quote!(::truss_model::__private::field_decoded::<#ty, #format>(#name, #prefix, #attribute, Self::#decoder))
            } else if valid.has_format(field) {
                let format = valid.format(field);
                quote!(::truss_model::__private::field_as::<#ty, #format>(#name, #prefix, #attribute))
            } else {
                // Spanned at the field's type: a type with no key encoding
                // is reported where the field is declared.
                quote_spanned!(field.ty.span()=> ::truss_model::__private::field::<#ty>(#name, #prefix, #attribute))
            }
        }
    });
    quote!(::truss_model::__private::Template::__new(#source, &[#(#segments),*]))
}

/// The steps of a template, in order: literal runs merged (the `#` between
/// segments and the text before a placeholder joined to the literal before
/// them), `literal` making a run's step and `field` a placeholder's.
fn template_steps<'a>(
    template: &Template<'a>,
    mut literal: impl FnMut(&str) -> TokenStream,
    mut field: impl FnMut(&'a Field<'a>) -> TokenStream,
) -> Vec<TokenStream> {
    let mut steps = Vec::new();
    let mut run = String::new();
    for (i, segment) in template.segments.iter().enumerate() {
        if i > 0 {
            run.push('#');
        }
        match segment {
            Checked::Literal(text) => run.push_str(text),
            Checked::Field { prefix, field: f } => {
                run.push_str(prefix);
                if !run.is_empty() {
                    steps.push(literal(&run));
                    run.clear();
                }
                steps.push(field(f));
            }
        }
    }
    if !run.is_empty() {
        steps.push(literal(&run));
    }
    steps
}

/// The body of a template's writer: each literal run appended, each field
/// written in its format.
fn writer_body(valid: &Valid<'_>, template: &Template<'_>) -> TokenStream {
    let entity = &valid.entity.name;
    let steps = template_steps(
        template,
        |run| quote!(__truss_out.push_str(#run);),
        |field| {
            let (ident, name) = (field.ident, &field.name);
            let ty = field.option_of.unwrap_or(field.ty);
            let format = valid.format(field);
            quote! {
                ::truss_model::__private::write_field::<#ty, #format>(#ident, __truss_out, #entity, #name)?;
            }
        },
    );
    quote! {
        #(#steps)*
        ::core::result::Result::Ok(())
    }
}

/// The steps that check `__truss_key` against a template in place (in a
/// closure returning `Option<()>`, `__private` as `__t`: `None` when a
/// step cannot tell): each literal run stripped, each field's segment
/// stripped when it is its value's (`strip_encoded`), nothing left over.
fn key_check(valid: &Valid<'_>, template: &Template<'_>) -> TokenStream {
    let steps = template_steps(
        template,
        |run| quote!(let __truss_key = __truss_key.strip_prefix(#run)?;),
        |field| {
            let ident = field.ident;
            let ty = field.option_of.unwrap_or(field.ty);
            let format = valid.format(field);
            let value = match field.option_of {
                Some(_) => quote!(self.#ident.as_ref()?),
                None => quote!(&self.#ident),
            };
            quote! {
                let __truss_key = __t::strip_encoded::<#ty, #format>(#value, __truss_key)?;
            }
        },
    );
    quote! {
        #(#steps)*
        __t::key_end(__truss_key)?;
    }
}

/// `(Keyed<A, FormatA>, (Keyed<B, FormatB>, ()))` for a sort-key template.
fn sort_tuple(valid: &Valid<'_>, template: &Template<'_>) -> TokenStream {
    let keyed: Vec<_> = template_fields(template)
        .map(|f| {
            let ty = f.option_of.unwrap_or(f.ty);
            if valid.has_format(f) {
                let format = valid.format(f);
                quote!(::truss_model::key_part::Keyed<#ty, #format>)
            } else {
                quote!(::truss_model::key_part::Keyed<#ty>)
            }
        })
        .collect();
    keyed
        .iter()
        .rev()
        .fold(quote!(()), |rest, keyed| quote!((#keyed, #rest)))
}
