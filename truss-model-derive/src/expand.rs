//! Code generation for a validated entity, in named steps: the key struct,
//! the trait impls, and the inherent items (key and partition builders,
//! sort-key builders, index accessors, field handles). Each template's key
//! writer is generated once, as a hidden associated function, and called by
//! the entity, its key and its partition builders; everything else shared
//! lives in the runtime (`truss_model::__private`).

use crate::ast::Field;
use crate::valid::{Checked, Template, Valid, ValidIndex};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

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
    let attribute_indexes = crate::attribute_index::constant(valid);
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
    let owner = quote!(Self);
    let write_pk = call_writer(&owner, &valid.pk, &writer_name("pk"), field_of_self);
    let write_sk = match &valid.sk {
        Some(t) => call_writer(&owner, t, &writer_name("sk"), field_of_self),
        None => quote!(::core::result::Result::Ok(())),
    };
    let key_names = valid.key_fields.iter().map(|f| f.ident);
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
            #constants
            #version
            #revision
            #ttl

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
    let attribute_indexes = crate::attribute_index::accessors(valid);
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
            #(#setters)*
            #writers
            #encoders
            #index_fns
            #(#handles)*
        }
    }
}

/// The accessor of index number `n` (its partition) and, with a sort-key
/// template, its typed sort-key builder.
fn index_accessors(valid: &Valid<'_>, n: usize, index: &ValidIndex<'_>) -> TokenStream {
    let (ident, vis) = (valid.entity.ident, valid.entity.vis);
    let accessor = format_ident!("{}", index.accessor);
    let partition = partition_fn(
        &index.pk,
        quote!(#accessor),
        format!(
            "The partition `{}` of index `{}` of [`{ident}`], to query.",
            index.pk.source, index.name
        ),
        &writer_name(&format!("{}_pk", index.accessor)),
        Some(n),
        vis,
    );
    let sort = index.sk.as_ref().map(|t| {
        let sort_accessor = format_ident!("{}_sort_key", index.accessor);
        let tuple = sort_tuple(valid, t);
        let doc = format!(
            "A typed condition builder on the sort key `{}` of index `{}`.",
            t.source, index.name
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
    quote!(#partition #sort)
}

/// A partition builder taking the template's fields (`Type::partition`, an
/// index accessor), rendered by the template's writer.
fn partition_fn(
    template: &Template<'_>,
    name: TokenStream,
    doc: String,
    writer: &proc_macro2::Ident,
    index: Option<usize>,
    vis: &syn::Visibility,
) -> TokenStream {
    let fields: Vec<&Field> = template_fields(template).collect();
    let params = fields.iter().map(|f| {
        let (field, ty) = (f.ident, f.option_of.unwrap_or(f.ty));
        quote!(#field: impl ::truss_model::IntoField<#ty>)
    });
    let bindings = fields.iter().map(|f| {
        let (field, ty) = (f.ident, f.option_of.unwrap_or(f.ty));
        quote!(let #field: #ty = ::truss_model::IntoField::into_field(#field);)
    });
    let write = call_writer(&quote!(Self), template, writer, |f| {
        let field = f.ident;
        quote!(&#field)
    });
    let (render, allow) = match index {
        None => (
            quote!(::truss_model::__private::Partition::__render(|out| { #write })),
            None,
        ),
        // An index named like the type (`Link` and `link()`) is fine.
        Some(n) => (
            quote! {
                ::truss_model::__private::Partition::__render_index(
                    <Self as ::truss_model::Entity>::INDEXES[#n],
                    |out| { #write },
                )
            },
            Some(quote!(#[allow(clippy::self_named_constructors)])),
        ),
    };
    quote! {
        #[doc = #doc]
        #allow
        #vis fn #name(#(#params),*) -> ::truss_model::Partition<Self> {
            #(#bindings)*
            #render
        }
    }
}

/// The fields of an index's templates that are not primary-key fields:
/// those an update may change, together with the index.
fn index_fields<'a>(valid: &Valid<'a>, index: &ValidIndex<'a>) -> Vec<&'a Field<'a>> {
    let mut fields: Vec<&Field> = Vec::new();
    for f in template_fields(&index.pk).chain(index.sk.iter().flat_map(template_fields)) {
        let primary = valid.key_fields.iter().any(|k| k.name == f.name);
        if !primary && !fields.iter().any(|g| g.name == f.name) {
            fields.push(f);
        }
    }
    fields
}

/// The indexes grouped so that no field feeds indexes of two groups: an
/// update changing a field must recompute every index the field feeds.
fn index_groups<'v, 'a>(valid: &'v Valid<'a>) -> Vec<Vec<(usize, &'v ValidIndex<'a>)>> {
    let mut groups: Vec<Vec<(usize, &ValidIndex)>> = Vec::new();
    for (n, index) in valid.indexes.iter().enumerate() {
        let fields = index_fields(valid, index);
        let (mut joined, rest): (Vec<_>, Vec<_>) = groups.into_iter().partition(|group| {
            group.iter().any(|(_, other)| {
                index_fields(valid, other)
                    .iter()
                    .any(|f| fields.iter().any(|g| g.name == f.name))
            })
        });
        let mut group: Vec<_> = joined.drain(..).flatten().collect();
        group.push((n, index));
        group.sort_by_key(|(n, _)| *n);
        groups = rest;
        groups.push(group);
    }
    groups.sort_by_key(|group| group[0].0);
    groups
}

/// `Type::set_<index>(fields...)`: new values for the fields of an index
/// group and the index keys they give, for `Update::set_index`. Fields of
/// the primary key come from the update's key.
fn index_setters(valid: &Valid<'_>) -> Vec<TokenStream> {
    let entity = valid.entity;
    let (ident, vis, name) = (entity.ident, entity.vis, &entity.name);
    let key_ident = format_ident!("{}Key", ident);
    index_groups(valid)
        .into_iter()
        .filter_map(|group| {
            let mut fields: Vec<&Field> = Vec::new();
            for (_, index) in &group {
                for f in index_fields(valid, index) {
                    if !fields.iter().any(|g| g.name == f.name) {
                        fields.push(f);
                    }
                }
            }
            // An index over primary-key fields only never changes.
            if fields.is_empty() {
                return None;
            }
            let accessors: Vec<&str> = group.iter().map(|(_, i)| i.accessor.as_str()).collect();
            let setter = format_ident!("set_{}", accessors.join("_and_"));
            let params = fields.iter().map(|f| {
                let (field, ty) = (f.ident, f.ty);
                quote!(#field: impl ::truss_model::IntoField<#ty>)
            });
            let bindings = fields.iter().map(|f| {
                let (field, ty) = (f.ident, f.ty);
                quote!(let #field: #ty = ::truss_model::IntoField::into_field(#field);)
            });
            let attributes = fields
                .iter()
                .map(|f| {
                    let field = f.ident;
                    key_attribute(&quote!(Self), f, quote!(&#field), name)
                })
                .collect::<Vec<_>>();
            let keys = group.iter().map(|(n, index)| index_keys(valid, *n, index));
            let names: Vec<String> = group.iter().map(|(_, i)| format!("`{}`", i.name)).collect();
            let doc = format!(
                "New values for the fields of index {} of [`{ident}`], with its recomputed keys, for [`Update::set_index`](::truss_model::Update::set_index).",
                names.join(", ")
            );
            Some(quote! {
                #[doc = #doc]
                #[allow(clippy::too_many_arguments)]
                #vis fn #setter(#(#params),*) -> ::truss_model::IndexSet<Self> {
                    #(#bindings)*
                    let fields = [#(#attributes),*].into_iter().collect();
                    ::truss_model::IndexSet::__new(fields, move |__truss_key: &#key_ident| {
                        ::core::result::Result::Ok(::std::vec![#(#keys),*])
                    })
                }
            })
        })
        .collect()
}

/// One index's keys from the setter's fields and the update's key:
/// `(INDEXES[n], Some((pk, sk)))`, or `None` keys when the item leaves the
/// (sparse) index.
fn index_keys(valid: &Valid<'_>, n: usize, index: &ValidIndex<'_>) -> TokenStream {
    let index_fn = index_fn_name(index);
    let args = index_bound(index).into_iter().map(|f| {
        let field = f.ident;
        if valid.key_fields.iter().any(|k| k.name == f.name) {
            quote!(&__truss_key.#field)
        } else if f.option_of.is_some() {
            quote!(::core::option::Option::as_ref(&#field))
        } else {
            quote!(&#field)
        }
    });
    let sk = if index.sk.is_some() {
        quote!(::core::option::Option::Some(sk))
    } else {
        quote!(::core::option::Option::None)
    };
    quote! {
        (
            <Self as ::truss_model::Entity>::INDEXES[#n],
            {
                let (mut pk, mut sk) = (::std::string::String::new(), ::std::string::String::new());
                if Self::#index_fn(#(#args,)* &mut pk, &mut sk)? {
                    ::core::option::Option::Some((pk, #sk))
                } else {
                    ::core::option::Option::None
                }
            },
        )
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

/// The fields of an index's templates, each once, in order of appearance.
fn index_bound<'a>(index: &ValidIndex<'a>) -> Vec<&'a Field<'a>> {
    let mut bound: Vec<&Field> = Vec::new();
    for f in template_fields(&index.pk).chain(index.sk.iter().flat_map(template_fields)) {
        if !bound.iter().any(|b| b.name == f.name) {
            bound.push(f);
        }
    }
    bound
}

fn index_fn_name(index: &ValidIndex<'_>) -> proc_macro2::Ident {
    format_ident!("__truss_index_{}", index.accessor)
}

/// The match arm of `__write_index` for index number `n`: the index's
/// keys from the item's fields.
fn index_arm(n: usize, index: &ValidIndex<'_>) -> TokenStream {
    let index_fn = index_fn_name(index);
    let args = index_bound(index).into_iter().map(|f| {
        let field = f.ident;
        if f.option_of.is_some() {
            quote!(::core::option::Option::as_ref(&self.#field))
        } else {
            quote!(&self.#field)
        }
    });
    quote! {
        #n => Self::#index_fn(#(#args,)* pk, sk),
    }
}

/// One hidden function per index: appends its keys from references to its
/// fields (`Option<&T>` for optional ones) and says whether the item is in
/// the index. Unless named in `partial_indexes`, an absent field leaves the item out (a
/// sparse index); with it, a template whose fields are all absent is written
/// up to its first field (`$app#manager_`, as ElectroDB writes it), one
/// with some absent and some present is refused, and an item with every
/// field of the index absent is left out.
fn index_fns(valid: &Valid<'_>) -> TokenStream {
    let entity = &valid.entity.name;
    let fns = valid.indexes.iter().map(|index| {
        let index_fn = index_fn_name(index);
        let bound = index_bound(index);
        let binding = |f: &Field| format_ident!("__truss_{}", f.name);
        let params = bound.iter().map(|f| {
            let (name, ty) = (binding(f), f.option_of.unwrap_or(f.ty));
            if f.option_of.is_some() {
                quote!(#name: ::core::option::Option<&#ty>)
            } else {
                quote!(#name: &#ty)
            }
        });
        let mut templates = vec![(&index.pk, format_ident!("pk"), writer_name(&format!("{}_pk", index.accessor)))];
        if let Some(t) = &index.sk {
            templates.push((t, format_ident!("sk"), writer_name(&format!("{}_sk", index.accessor))));
        }
        let body = if index.partial {
            let optional: Vec<_> = bound.iter().filter(|f| f.option_of.is_some()).map(|f| binding(f)).collect();
            let sparse = (!optional.is_empty() && optional.len() == bound.len()).then(|| {
                quote! {
                    if #(#optional.is_none())&&* {
                        return ::core::result::Result::Ok(false);
                    }
                }
            });
            let writes = templates.iter().map(|(template, out, writer)| {
                let fields: Vec<&Field> = template_fields(template).collect();
                let optional: Vec<_> = fields.iter().filter(|f| f.option_of.is_some()).map(|f| binding(f)).collect();
                let args = fields.iter().map(|f| binding(f));
                if optional.is_empty() {
                    return quote!(Self::#writer(#(#args,)* #out)?;);
                }
                let somes = optional.iter().map(|o| quote!(::core::option::Option::Some(#o)));
                let nones = optional.iter().map(|_| quote!(::core::option::Option::None));
                let all_absent = (optional.len() == fields.len()).then(|| {
                    let prefix = partial_prefix(template);
                    quote!((#(#nones,)*) => #out.push_str(#prefix),)
                });
                let index_name = &index.name;
                let source = &template.source;
                let names = fields.iter().filter(|f| f.option_of.is_some()).map(|f| &f.name);
                let presence = optional.iter().map(|o| quote!(#o.is_some()));
                quote! {
                    match (#(#optional,)*) {
                        (#(#somes,)*) => Self::#writer(#(#args,)* #out)?,
                        #all_absent
                        _ => return ::core::result::Result::Err(::truss_model::__private::partial_key_error(
                            #entity,
                            #index_name,
                            #source,
                            &[#((#names, #presence)),*],
                        )),
                    }
                }
            });
            quote! {
                #sparse
                #(#writes)*
                ::core::result::Result::Ok(true)
            }
        } else {
            let unwraps = bound.iter().filter(|f| f.option_of.is_some()).map(|f| {
                let name = binding(f);
                quote! {
                    let ::core::option::Option::Some(#name) = #name else {
                        return ::core::result::Result::Ok(false);
                    };
                }
            });
            let writes = templates.iter().map(|(template, out, writer)| {
                let args = template_fields(template).map(binding);
                quote!(Self::#writer(#(#args,)* #out)?;)
            });
            quote! {
                #(#unwraps)*
                #(#writes)*
                ::core::result::Result::Ok(true)
            }
        };
        quote! {
            #[allow(clippy::ptr_arg, clippy::too_many_arguments, unused_variables)]
            fn #index_fn(#(#params,)* pk: &mut ::std::string::String, sk: &mut ::std::string::String) -> ::truss_model::Result<bool> {
                #body
            }
        }
    });
    quote!(#(#fns)*)
}

/// What a partial key holds when all the template's fields are absent: its
/// text up to the first field's value (`$app#manager_`).
fn partial_prefix(template: &Template<'_>) -> String {
    let mut out = String::new();
    for (i, segment) in template.segments.iter().enumerate() {
        if i > 0 {
            out.push('#');
        }
        match segment {
            Checked::Literal(text) => out.push_str(text),
            Checked::Field { prefix, .. } => {
                out.push_str(prefix);
                break;
            }
        }
    }
    out
}

/// A typed handle per stored field: `KeyAttr` for key, index and version
/// fields (conditions only), `Attr` for the others (conditions and
/// updates).
fn handles(valid: &Valid<'_>) -> Vec<TokenStream> {
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

fn encoder_name(field: &Field<'_>) -> proc_macro2::Ident {
    format_ident!("__truss_encode_{}", field.name)
}

fn key_decoder_name(field: &Field<'_>) -> proc_macro2::Ident {
    format_ident!("__truss_decode_{}", field.name)
}

/// For each field with `#[serde(with = ...)]` or `serialize_with`, a hidden
/// function writing its value as a put stores it (through that function),
/// for handles, key attributes and fields recovered from keys; and for such
/// key fields, one reading a key segment into that stored form.
fn encoders(valid: &Valid<'_>) -> TokenStream {
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
        Some(quote! {
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
            #decode
        })
    });
    quote!(#(#fns)*)
}

/// `key_attribute(..)` of a key or index field: its stored form, through
/// its own serializer where it has one.
fn key_attribute(
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
    quote! {
        ::truss_model::__private::Index {
            name: #name,
            pk_attribute: #pk_attr,
            sk_attribute: #sk_attr,
            pk: #pk,
            sk: #sk,
        }
    }
}

fn optional(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

fn template_fields<'t, 'a>(template: &'t Template<'a>) -> impl Iterator<Item = &'a Field<'a>> + 't {
    template.segments.iter().filter_map(|s| match s {
        Checked::Field { field, .. } => Some(*field),
        Checked::Literal(_) => None,
    })
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

/// The body of a template's writer: literal runs merged (with the literal
/// text before a placeholder), each field written in its format.
fn writer_body(valid: &Valid<'_>, template: &Template<'_>) -> TokenStream {
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
                    steps.push(quote!(__truss_out.push_str(#literal);));
                    literal.clear();
                }
                let (ident, name) = (field.ident, &field.name);
                let ty = field.option_of.unwrap_or(field.ty);
                let format = valid.format(field);
                steps.push(quote! {
                    ::truss_model::__private::write_field::<#ty, #format>(#ident, __truss_out, #entity, #name)?;
                });
            }
        }
    }
    if !literal.is_empty() {
        steps.push(quote!(__truss_out.push_str(#literal);));
    }
    quote! {
        #(#steps)*
        ::core::result::Result::Ok(())
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
