//! The index items: accessors and sort-key builders, the hidden function
//! per index that writes its keys (sparse or partial), and the setters an
//! update uses to change an index's fields with its keys.

use super::*;

/// The accessor of index number `n` (its partition) and, with a sort-key
/// template, its typed sort-key builder.
pub(super) fn index_accessors(valid: &Valid<'_>, n: usize, index: &ValidIndex<'_>) -> TokenStream {
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
        Some((n, !matches!(index.projection, IndexProjection::All))),
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
pub(super) fn partition_fn(
    template: &Template<'_>,
    name: TokenStream,
    doc: String,
    writer: &proc_macro2::Ident,
    index: Option<(usize, bool)>,
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
    let (render, allow, partial) = match index {
        None => (
            quote!(::truss_model::__private::Partition::__render(|out| { #write })),
            None,
            false,
        ),
        // An index named like the type (`Link` and `link()`) is fine.
        Some((n, partial)) => {
            let render = match partial {
                true => quote!(__render_partial_index),
                false => quote!(__render_index),
            };
            (
                quote! {
                    ::truss_model::__private::Partition::#render(
                        <Self as ::truss_model::Entity>::INDEXES[#n],
                        |out| { #write },
                    )
                },
                Some(quote!(#[allow(clippy::self_named_constructors)])),
                partial,
            )
        }
    };
    let reads = partial.then(|| quote!(, ::truss_model::projected::Partial));
    quote! {
        #[doc = #doc]
        #allow
        #vis fn #name(#(#params),*) -> ::truss_model::Partition<Self #reads> {
            #(#bindings)*
            #render
        }
    }
}

/// The fields of an index's templates that are not primary-key fields:
/// those an update may change, together with the index.
pub(super) fn index_fields<'a>(valid: &Valid<'a>, index: &ValidIndex<'a>) -> Vec<&'a Field<'a>> {
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
pub(super) fn index_groups<'v, 'a>(valid: &'v Valid<'a>) -> Vec<Vec<(usize, &'v ValidIndex<'a>)>> {
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
pub(super) fn index_setters(valid: &Valid<'_>) -> Vec<TokenStream> {
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
pub(super) fn index_keys(valid: &Valid<'_>, n: usize, index: &ValidIndex<'_>) -> TokenStream {
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

/// The fields of an index's templates, each once, in order of appearance.
pub(super) fn index_bound<'a>(index: &ValidIndex<'a>) -> Vec<&'a Field<'a>> {
    let mut bound: Vec<&Field> = Vec::new();
    for f in template_fields(&index.pk).chain(index.sk.iter().flat_map(template_fields)) {
        if !bound.iter().any(|b| b.name == f.name) {
            bound.push(f);
        }
    }
    bound
}

pub(super) fn index_fn_name(index: &ValidIndex<'_>) -> proc_macro2::Ident {
    format_ident!("__truss_index_{}", index.accessor)
}

/// The match arm of `__write_index` for index number `n`: the index's
/// keys from the item's fields.
pub(super) fn index_arm(n: usize, index: &ValidIndex<'_>) -> TokenStream {
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
pub(super) fn index_fns(valid: &Valid<'_>) -> TokenStream {
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
pub(super) fn partial_prefix(template: &Template<'_>) -> String {
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
