//! Code generation for a validated entity.

use crate::ast::Field;
use crate::valid::{Checked, Template, Valid};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn entity(valid: &Valid<'_>) -> TokenStream {
    let entity = valid.entity;
    let ident = entity.ident;
    let vis = entity.vis;
    let name = &entity.name;
    let key_ident = format_ident!("{}Key", ident);

    let key_fields = &valid.key_fields;
    let key_names: Vec<_> = key_fields.iter().map(|f| f.ident).collect();
    let key_types: Vec<_> = key_fields.iter().map(|f| f.ty).collect();
    let key_docs = key_fields
        .iter()
        .map(|f| format!("The entity's `{}`.", f.name));

    let pk_const = template_const(valid, &valid.pk);
    let sk_const = match &valid.sk {
        Some(t) => {
            let t = template_const(valid, t);
            quote!(::core::option::Option::Some(#t))
        }
        None => quote!(::core::option::Option::None),
    };

    let self_access = |f: &Field| {
        let ident = f.ident;
        quote!(&self.#ident)
    };
    let pk_self = writer(valid, &valid.pk, self_access);
    let sk_self = match &valid.sk {
        Some(t) => writer(valid, t, self_access),
        None => quote!(::core::result::Result::Ok(())),
    };

    let key_attributes = key_fields.iter().map(|f| {
        let (ident, attribute) = (f.ident, &f.attribute);
        quote!(::truss_model::__private::key_attribute(#attribute, &self.#ident, #name)?)
    });
    let handles = entity
        .fields
        .iter()
        .filter(|f| f.serde.skipped_by.is_none() && !f.serde.flatten)
        .map(|f| {
            let constant = format_ident!("{}", f.name.to_uppercase());
            let (ty, attribute) = (f.ty, &f.attribute);
            let is_key = f.version.is_some()
                || key_fields.iter().any(|k| k.name == f.name)
                || valid.indexes.iter().any(|i| {
                    template_fields(&i.pk)
                        .chain(i.sk.iter().flat_map(template_fields))
                        .any(|k| k.name == f.name)
                });
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
            quote! {
                #[doc = #doc]
                #vis const #constant: ::truss_model::#handle<Self, #ty> =
                    ::truss_model::__private::#handle::__new(#attribute);
            }
        });

    let sort_fields = match &valid.sk {
        Some(t) => sort_tuple(valid, t),
        None => quote!(()),
    };

    let version = valid.version.map(|f| {
        let (ident, attribute) = (f.ident, &f.attribute);
        quote! {
            const VERSION: ::core::option::Option<&'static str> = ::core::option::Option::Some(#attribute);
            fn version(&self) -> u64 {
                self.#ident
            }
        }
    });
    let index_consts = valid.indexes.iter().map(|i| {
        let (index_name, pk_attr) = (&i.name, &i.pk_attr);
        let sk_attr = match &i.sk_attr {
            Some(a) => quote!(::core::option::Option::Some(#a)),
            None => quote!(::core::option::Option::None),
        };
        let pk = template_const(valid, &i.pk);
        let sk = match &i.sk {
            Some(t) => {
                let t = template_const(valid, t);
                quote!(::core::option::Option::Some(#t))
            }
            None => quote!(::core::option::Option::None),
        };
        quote! {
            ::truss_model::__private::Index {
                name: #index_name,
                pk_attribute: #pk_attr,
                sk_attribute: #sk_attr,
                pk: #pk,
                sk: #sk,
            }
        }
    });
    let constants = entity.constants.iter().map(|c| {
        let (name, check) = (c.name.value(), c.check);
        let value = match &c.value {
            syn::Lit::Int(int) => {
                let text = int.base10_digits();
                quote!(::truss_model::ConstantValue::N(#text))
            }
            other => quote!(::truss_model::ConstantValue::S(#other)),
        };
        quote! {
            ::truss_model::Constant { name: #name, value: #value, check: #check }
        }
    });
    let index_arms = valid.indexes.iter().enumerate().map(|(n, i)| {
        let mut bound: Vec<&Field> = Vec::new();
        for f in template_fields(&i.pk).chain(i.sk.iter().flat_map(template_fields)) {
            if !bound.iter().any(|b| b.name == f.name) {
                bound.push(f);
            }
        }
        let bindings = bound.iter().map(|f| {
            let (ident, binding) = (f.ident, binding(f));
            if f.option_of.is_some() {
                quote! {
                    let ::core::option::Option::Some(#binding) = &self.#ident else {
                        return ::core::result::Result::Ok(false);
                    };
                }
            } else {
                quote!(let #binding = &self.#ident;)
            }
        });
        let by_binding = |f: &Field| {
            let b = binding(f);
            quote!(#b)
        };
        let pk = writer(valid, &i.pk, by_binding);
        let sk = match &i.sk {
            Some(t) => writer(valid, t, by_binding),
            None => quote!(::core::result::Result::Ok(())),
        };
        quote! {
            #n => {
                #(#bindings)*
                {
                    let out = &mut *pk;
                    let result: ::truss_model::Result<()> = { #pk };
                    result?;
                }
                {
                    let out = &mut *sk;
                    let result: ::truss_model::Result<()> = { #sk };
                    result?;
                }
                ::core::result::Result::Ok(true)
            }
        }
    });
    let index_fns = valid.indexes.iter().enumerate().map(|(n, i)| {
        let accessor = format_ident!("{}", i.accessor);
        let sort_accessor = format_ident!("{}_sort_key", i.accessor);
        let fields: Vec<&Field> = template_fields(&i.pk).collect();
        let params = fields.iter().map(|f| {
            let (ident, ty) = (f.ident, f.option_of.unwrap_or(f.ty));
            quote!(#ident: impl ::truss_model::IntoValue<#ty>)
        });
        let bindings = fields.iter().map(|f| {
            let (ident, ty) = (f.ident, f.option_of.unwrap_or(f.ty));
            quote!(let #ident: #ty = ::truss_model::IntoValue::into_value(#ident);)
        });
        let write = writer(valid, &i.pk, |f: &Field| {
            let ident = f.ident;
            quote!(&#ident)
        });
        let doc = format!(
            "The partition `{}` of index `{}` of [`{ident}`], to query.",
            i.pk.source, i.name
        );
        let sort = i.sk.as_ref().map(|t| {
            let tuple = sort_tuple(valid, t);
            let doc = format!(
                "A typed condition builder on the sort key `{}` of index `{}`.",
                t.source, i.name
            );
            quote! {
                #[doc = #doc]
                #vis fn #sort_accessor() -> ::truss_model::SortKey<Self, #tuple> {
                    ::truss_model::__private::SortKey::__index_root(
                        <Self as ::truss_model::Entity>::INDEXES[#n],
                    )
                }
            }
        });
        quote! {
            #[doc = #doc]
            #vis fn #accessor(#(#params),*) -> ::truss_model::Partition<Self> {
                #(#bindings)*
                ::truss_model::__private::Partition::__render_index(
                    <Self as ::truss_model::Entity>::INDEXES[#n],
                    |out| { #write },
                )
            }
            #sort
        }
    });

    let pk_fields: Vec<&Field> = template_fields(&valid.pk).collect();
    let pk_params = pk_fields.iter().map(|f| {
        let (ident, ty) = (f.ident, f.ty);
        quote!(#ident: impl ::truss_model::IntoValue<#ty>)
    });
    let pk_bindings = pk_fields.iter().map(|f| {
        let (ident, ty) = (f.ident, f.ty);
        quote!(let #ident: #ty = ::truss_model::IntoValue::into_value(#ident);)
    });
    let pk_local = writer(valid, &valid.pk, |f: &Field| {
        let ident = f.ident;
        quote!(&#ident)
    });

    let key_doc = format!(
        "Typed primary key of [`{ident}`]: the fields of its key templates (`pk = \"{}\"`{}).",
        valid.pk.source,
        valid
            .sk
            .as_ref()
            .map(|t| format!(", `sk = \"{}\"`", t.source))
            .unwrap_or_default()
    );
    let key_fn_doc = format!("The typed primary key of a [`{ident}`], from its key fields.");
    let partition_doc = format!(
        "The partition `{}` of [`{ident}`] items, to query.",
        valid.pk.source
    );
    let sort_key_fn = valid.sk.as_ref().map(|t| {
        let doc = format!(
            "A typed condition builder on the sort key `{}` of [`{ident}`].",
            t.source
        );
        quote! {
            #[doc = #doc]
            #vis fn sort_key() -> ::truss_model::SortKey<Self, #sort_fields> {
                ::truss_model::__private::SortKey::__root()
            }
        }
    });

    quote! {
        #[doc = #key_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #[allow(non_snake_case)]
        #vis struct #key_ident {
            #(
                #[doc = #key_docs]
                pub #key_names: #key_types,
            )*
        }

        #[allow(non_snake_case)]
        const _: () = {
            #[automatically_derived]
            impl ::truss_model::Entity for #ident {
                const NAME: &'static str = #name;
                const PK: ::truss_model::Template = #pk_const;
                const SK: ::core::option::Option<::truss_model::Template> = #sk_const;
                type Key = #key_ident;
                type SortFields = #sort_fields;
                const INDEXES: &'static [::truss_model::Index] = &[#(#index_consts),*];
                const CONSTANTS: &'static [::truss_model::Constant] = &[#(#constants),*];
                #version

                #[allow(unused_variables, unreachable_code)]
                fn write_index(
                    &self,
                    index: usize,
                    pk: &mut ::std::string::String,
                    sk: &mut ::std::string::String,
                ) -> ::truss_model::Result<bool> {
                    match index {
                        #(#index_arms)*
                        _ => ::core::result::Result::Ok(false),
                    }
                }

                fn to_key(&self) -> #key_ident {
                    #key_ident {
                        #( #key_names: ::core::clone::Clone::clone(&self.#key_names), )*
                    }
                }

                fn write_pk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                    #pk_self
                }

                fn write_sk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                    #sk_self
                }
            }


            #[automatically_derived]
            impl ::truss_model::QueryTarget for #ident {
                fn __name() -> &'static str {
                    <Self as ::truss_model::Entity>::NAME
                }
                fn __has_sort_key() -> bool {
                    <Self as ::truss_model::Entity>::SK.is_some()
                }
                fn __scope(
                    index: ::core::option::Option<::truss_model::Index>,
                ) -> ::truss_model::__private::SortCondition<Self> {
                    ::truss_model::__private::SortCondition::__scope(index)
                }
                fn __decode(
                    table: &::truss_model::Table,
                    item: ::truss_model::Item,
                ) -> ::truss_model::Result<Self> {
                    ::truss_model::__private::decode(table, item)
                }
            }

            #[automatically_derived]
            impl ::truss_model::EntityKey for #key_ident {
                type Entity = #ident;

                fn write_pk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                    #pk_self
                }

                fn write_sk(&self, out: &mut ::std::string::String) -> ::truss_model::Result<()> {
                    #sk_self
                }

                fn attributes(
                    &self,
                ) -> ::truss_model::Result<::std::vec::Vec<(&'static str, ::truss_model::aws_sdk_dynamodb::types::AttributeValue)>> {
                    ::core::result::Result::Ok(::std::vec![#(#key_attributes),*])
                }
            }
        };

        #[automatically_derived]
        #[allow(non_snake_case)]
        impl #ident {
            #[doc = #key_fn_doc]
            #[allow(clippy::too_many_arguments)]
            #vis fn key(#( #key_names: impl ::truss_model::IntoValue<#key_types> ),*) -> #key_ident {
                #key_ident {
                    #( #key_names: ::truss_model::IntoValue::into_value(#key_names), )*
                }
            }

            #[doc = #partition_doc]
            #vis fn partition(#(#pk_params),*) -> ::truss_model::Partition<Self> {
                #(#pk_bindings)*
                ::truss_model::__private::Partition::__render(|out| { #pk_local })
            }

            #sort_key_fn

            #(#index_fns)*

            #(#handles)*
        }
    }
}

fn template_fields<'t, 'a>(template: &'t Template<'a>) -> impl Iterator<Item = &'a Field<'a>> + 't {
    template.segments.iter().filter_map(|s| match s {
        Checked::Field { field, .. } => Some(*field),
        Checked::Literal(_) => None,
    })
}

/// `Template::__new("...", &[Segment::Literal(..), Segment::Field(..)])`.
fn template_const(valid: &Valid<'_>, template: &Template<'_>) -> TokenStream {
    let source = &template.source;
    let segments = template.segments.iter().map(|s| match s {
        Checked::Literal(text) => quote!(::truss_model::__private::Segment::Literal(#text)),
        Checked::Field { prefix, field } => {
            // Recovery inserts the field under the name serde reads.
            let (name, attribute) = (&field.name, &field.de_attribute);
            let ty = field.option_of.unwrap_or(field.ty);
            let format = valid.format(field);
            let decode = quote!(::truss_model::__private::decode_attribute::<#ty, #format>);
            quote! {
                ::truss_model::__private::Segment::Field(::truss_model::__private::KeyField {
                    name: #name,
                    prefix: #prefix,
                    attribute: #attribute,
                    decode: #decode,
                })
            }
        }
    });
    quote!(::truss_model::__private::Template::__new(#source, &[#(#segments),*]))
}

/// Code appending the rendered template to `out`; literal runs (with the
/// literal text before a placeholder) are merged.
fn writer(
    valid: &Valid<'_>,
    template: &Template<'_>,
    access: impl Fn(&Field) -> TokenStream,
) -> TokenStream {
    let entity = &valid.entity.name;
    let mut steps = Vec::new();
    let mut literal = String::new();
    for (i, segment) in template.segments.iter().enumerate() {
        if i > 0 {
            literal.push('#');
        }
        match segment {
            Checked::Literal(text) => literal.push_str(text),
            Checked::Field { prefix, field } => {
                literal.push_str(prefix);
                if !literal.is_empty() {
                    steps.push(quote!(out.push_str(#literal);));
                    literal.clear();
                }
                let value = access(field);
                let name = &field.name;
                let ty = field.option_of.unwrap_or(field.ty);
                let format = valid.format(field);
                steps.push(quote! {
                    ::truss_model::__private::write_field::<#ty, #format>(#value, out, #entity, #name)?;
                });
            }
        }
    }
    if !literal.is_empty() {
        steps.push(quote!(out.push_str(#literal);));
    }
    quote! {
        #(#steps)*
        ::core::result::Result::Ok(())
    }
}

/// `(Keyed<A, FormatA>, (Keyed<B, FormatB>, ()))` for the sort-key fields.
fn sort_tuple(valid: &Valid<'_>, template: &Template<'_>) -> TokenStream {
    let keyed: Vec<_> = template_fields(template)
        .map(|f| {
            let ty = f.option_of.unwrap_or(f.ty);
            let format = valid.format(f);
            quote!(::truss_model::key_part::Keyed<#ty, #format>)
        })
        .collect();
    keyed
        .iter()
        .rev()
        .fold(quote!(()), |rest, keyed| quote!((#keyed, #rest)))
}

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
                const PK: ::truss_model::Template = ::truss_model::__private::Template::__new("", &[]);
                const SK: ::core::option::Option<::truss_model::Template> = ::core::option::Option::None;
                type Key = #key_ident;
                type SortFields = ();
                fn to_key(&self) -> #key_ident { ::core::unimplemented!() }
                fn write_pk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
                fn write_sk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
            }
            impl ::truss_model::QueryTarget for #ident {
                fn __name() -> &'static str { #name }
                fn __has_sort_key() -> bool { ::core::unimplemented!() }
                fn __scope(
                    _: ::core::option::Option<::truss_model::Index>,
                ) -> ::truss_model::__private::SortCondition<Self> { ::core::unimplemented!() }
                fn __decode(_: &::truss_model::Table, _: ::truss_model::Item) -> ::truss_model::Result<Self> {
                    ::core::unimplemented!()
                }
            }
            impl ::truss_model::EntityKey for #key_ident {
                type Entity = #ident;
                fn write_pk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
                fn write_sk(&self, _: &mut ::std::string::String) -> ::truss_model::Result<()> { ::core::unimplemented!() }
                fn attributes(
                    &self,
                ) -> ::truss_model::Result<::std::vec::Vec<(&'static str, ::truss_model::aws_sdk_dynamodb::types::AttributeValue)>> {
                    ::core::unimplemented!()
                }
            }
        };
    }
}

/// The local name a field is bound to while writing index keys.
fn binding(field: &Field) -> proc_macro2::Ident {
    format_ident!("__truss_{}", field.name)
}
