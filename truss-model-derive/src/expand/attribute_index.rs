//! The items of indexes over the entity's own attributes: the
//! `ATTRIBUTE_INDEXES` constant, a partition accessor taking every
//! partition attribute, and a typed sort-key builder.

use super::*;
use quote::format_ident;

/// The stored type of a field: `T` for `Option<T>` (a `None` leaves the
/// item out of the index).
pub fn value_type<'a>(field: &Field<'a>) -> &'a syn::Type {
    field.option_of.unwrap_or(field.ty)
}

/// `IndexAttribute { .. }` for a field an index over attributes (or a
/// vector index's filter) names.
pub fn index_attribute(field: &Field<'_>) -> TokenStream {
    let (attribute, name, ty) = (&field.attribute, &field.name, value_type(field));
    let scalar = quote_spanned!(field.ty.span()=> ::truss_model::__private::scalar::<#ty>());
    quote!(::truss_model::__private::IndexAttribute { name: #attribute, field: #name, scalar: #scalar })
}

/// `const ATTRIBUTE_INDEXES`, when the entity declares such indexes. Each
/// attribute's type comes from its field's `IndexKeyType`, checked where
/// the field is declared.
pub(super) fn constant(valid: &Valid<'_>) -> Option<TokenStream> {
    if valid.attribute_indexes.is_empty() {
        return None;
    }
    let list = |fields: &[&Field]| {
        let attributes = fields.iter().map(|f| index_attribute(f));
        quote!(&[#(#attributes),*])
    };
    let indexes = valid.attribute_indexes.iter().map(|index| {
        let (name, partition, sort) = (&index.name, list(&index.partition), list(&index.sort));
        quote!(::truss_model::__private::AttributeIndex { name: #name, partition: #partition, sort: #sort })
    });
    Some(quote! {
        const ATTRIBUTE_INDEXES: &'static [::truss_model::__private::AttributeIndex] = &[#(#indexes),*];
    })
}

/// Per index over attributes: `Type::<index>(partition fields...)` and,
/// with sort attributes, `Type::<index>_sort_key()`.
pub(super) fn accessors(valid: &Valid<'_>) -> Vec<TokenStream> {
    let (ident, vis, entity) = (valid.entity.ident, valid.entity.vis, &valid.entity.name);
    valid
        .attribute_indexes
        .iter()
        .enumerate()
        .map(|(n, index)| {
            let accessor = format_ident!("{}", index.accessor);
            let params = index.partition.iter().map(|f| {
                let (field, ty) = (f.ident, value_type(f));
                quote!(#field: impl ::truss_model::IntoField<#ty>)
            });
            let values = index.partition.iter().map(|f| {
                let (field, ty, attribute) = (f.ident, value_type(f), &f.attribute);
                quote! {
                    ::truss_model::__private::attribute_value::<#ty>(
                        &::truss_model::IntoField::into_field(#field), #attribute, #entity,
                    )
                }
            });
            let names: Vec<String> = index
                .partition
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            let doc = format!(
                "The partition of index `{}` of [`{ident}`] with these {}, to query.",
                index.name,
                names.join(", ")
            );
            let sort = (!index.sort.is_empty()).then(|| {
                let sort_accessor = format_ident!("{}_sort_key", index.accessor);
                let tuple = index.sort.iter().rev().fold(quote!(()), |rest, f| {
                    let ty = value_type(f);
                    quote!((#ty, #rest))
                });
                let names: Vec<String> =
                    index.sort.iter().map(|f| format!("`{}`", f.name)).collect();
                let doc = format!(
                    "A typed condition builder on the sort attributes {} of index `{}`.",
                    names.join(", "),
                    index.name
                );
                quote! {
                    #[doc = #doc]
                    #vis fn #sort_accessor() -> ::truss_model::AttributeSortKey<Self, #tuple> {
                        ::truss_model::AttributeSortKey::__root(
                            <Self as ::truss_model::Entity>::ATTRIBUTE_INDEXES[#n],
                        )
                    }
                }
            });
            quote! {
                #[doc = #doc]
                #[allow(clippy::self_named_constructors)]
                #vis fn #accessor(#(#params),*) -> ::truss_model::Partition<Self> {
                    ::truss_model::__private::Partition::__attributes(
                        <Self as ::truss_model::Entity>::ATTRIBUTE_INDEXES[#n],
                        [#(#values),*],
                    )
                }
                #sort
            }
        })
        .collect()
}
