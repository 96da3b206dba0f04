//! Vector indexes declared on fields (`#[truss(vector(...))]`): checked
//! against DynamoDB's rules and the entity's fields, then expanded into
//! `Entity::VECTOR_INDEXES` and one search function per index.

use crate::ast::{Entity, Field};
use crate::ctxt::Errors;
use crate::names::accessor;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// DynamoDB's bounds on a vector index.
const MAX_DIMENSIONS: u32 = 4096;
const MAX_VECTOR_INDEXES: usize = 5;

/// A vector index whose declaration checks.
pub struct ValidVector<'a> {
    pub name: String,
    pub accessor: String,
    pub field: &'a Field<'a>,
    pub dimensions: u32,
    /// `Cosine`, `Euclidean` or `DotProduct`.
    pub distance: &'static str,
    pub partition: Option<&'a Field<'a>>,
    pub filters: Vec<&'a Field<'a>>,
    /// `All`, `KeysOnly`, or the included attributes.
    pub projection: Projection,
}

pub enum Projection {
    All,
    KeysOnly,
    Include(Vec<String>),
}

/// Checks every `vector(...)` of every field: a name DynamoDB takes and
/// no other index has, 1 to 4096 dimensions, a known distance, a
/// partition and filters that are stored fields (each once), and a field
/// serde stores under one name; at most five per entity.
pub fn check<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Vec<ValidVector<'a>> {
    let mut valid: Vec<ValidVector<'a>> = Vec::new();
    for field in &entity.fields {
        for v in &field.vectors {
            if let Some(checked) = check_one(entity, field, v, &valid, errors) {
                valid.push(checked);
            }
        }
    }
    let declared: Vec<&crate::attr::VectorAttrs> =
        entity.fields.iter().flat_map(|f| &f.vectors).collect();
    if let Some(v) = declared.get(MAX_VECTOR_INDEXES) {
        errors.push(syn::Error::new(
            v.span,
            format!("more than {MAX_VECTOR_INDEXES} vector indexes: DynamoDB allows {MAX_VECTOR_INDEXES} per table"),
        ));
    }
    valid
}

/// One `vector(...)` of `field`, checked (`earlier`: those before it).
fn check_one<'a>(
    entity: &'a Entity<'a>,
    field: &'a Field<'a>,
    v: &crate::attr::VectorAttrs,
    earlier: &[ValidVector<'a>],
    errors: &mut Errors,
) -> Option<ValidVector<'a>> {
    let fail = |errors: &mut Errors, span: proc_macro2::Span, message: String| {
        errors.push(syn::Error::new(span, message));
        None
    };
    let Some(index) = &v.index else {
        return fail(
            errors,
            v.span,
            "a vector index needs `index = \"...\"`, its name".into(),
        );
    };
    let name = index.value();
    let accessor = accessor(index, errors)?;
    let name_ok = (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !name_ok {
        return fail(errors, index.span(), format!("vector index `{name}`: DynamoDB takes names of 3 to 255 letters, digits, `_`, `.` and `-`"));
    }
    let mut taken = entity
        .indexes
        .iter()
        .map(|t| t.name.value())
        .chain(entity.attribute_indexes.iter().map(|a| a.name.value()))
        .chain(earlier.iter().map(|v| v.name.clone()));
    if taken.any(|other| other == name) {
        return fail(errors, index.span(), format!("duplicate index `{name}`"));
    }
    let Some(dimensions) = &v.dimensions else {
        return fail(
            errors,
            v.span,
            format!("vector index `{name}` needs `dimensions = N` (1 to {MAX_DIMENSIONS})"),
        );
    };
    let dims = match dimensions.base10_parse::<u32>() {
        Ok(n) if (1..=MAX_DIMENSIONS).contains(&n) => n,
        _ => {
            return fail(
                errors,
                dimensions.span(),
                format!("vector index `{name}`: DynamoDB takes 1 to {MAX_DIMENSIONS} dimensions"),
            );
        }
    };
    let distance = match v.distance.as_ref().map(|d| (d.value(), d.span())) {
        Some((d, _)) if d == "cosine" => "Cosine",
        Some((d, _)) if d == "euclidean" => "Euclidean",
        Some((d, _)) if d == "dot_product" => "DotProduct",
        Some((other, span)) => {
            return fail(errors, span, format!("vector index `{name}`: unknown distance `{other}`; expected \"cosine\", \"euclidean\" or \"dot_product\""));
        }
        None => {
            return fail(errors, v.span, format!("vector index `{name}` needs `distance = \"cosine\" | \"euclidean\" | \"dot_product\"`"));
        }
    };
    if field.option_of.is_some() && field.serde.skip_serializing_if.is_none() {
        return fail(errors, v.span, format!("vector index `{name}`: the optional vector `{}` must be left out of the item when it is `None` (DynamoDB refuses a NULL where a vector index expects a list of numbers): add `#[serde(skip_serializing_if = \"Option::is_none\")]`", field.name));
    }
    if field.serde.skipped_by.is_some()
        || field.serde.flatten
        || field.attribute != field.de_attribute
    {
        return fail(errors, v.span, format!("vector index `{name}`: field `{}` must be stored by serde under one name (not skipped, flattened or renamed one way)", field.name));
    }
    let mut ok = true;
    let mut resolve = |ident: &syn::Ident, errors: &mut Errors| match crate::attribute_index::field(
        entity,
        "vector index",
        &name,
        ident,
    ) {
        Ok(f) => Some(f),
        Err(e) => {
            errors.push(e);
            ok = false;
            None
        }
    };
    let partition = v
        .partition
        .as_ref()
        .and_then(|ident| resolve(ident, errors));
    let filters: Vec<&Field> = v
        .filters
        .iter()
        .flat_map(|l| &l.fields)
        .filter_map(|ident| resolve(ident, errors))
        .collect();
    let projection = match (&v.projection, &v.include) {
        (None, None) => Projection::All,
        (Some(p), None) if p.value() == "all" => Projection::All,
        (Some(p), None) if p.value() == "keys_only" => Projection::KeysOnly,
        (Some(p), _) => {
            return fail(errors, p.span(), format!("vector index `{name}`: `projection` takes \"all\" or \"keys_only\" (or use `include = [...]`)"));
        }
        (None, Some(list)) => Projection::Include(
            list.fields
                .iter()
                .filter_map(|ident| resolve(ident, errors))
                .map(|f| f.attribute.clone())
                .collect(),
        ),
    };
    let schema: Vec<&Field> = partition
        .iter()
        .copied()
        .chain(filters.iter().copied())
        .collect();
    for (j, f) in schema.iter().enumerate() {
        if schema[..j].iter().any(|g| g.name == f.name) || f.name == field.name {
            errors.push(syn::Error::new(v.span, format!("vector index `{name}` names field `{}` twice (the vector, the partition and the filters are distinct fields)", f.name)));
            ok = false;
        }
    }
    ok.then_some(ValidVector {
        name,
        accessor,
        field,
        dimensions: dims,
        distance,
        partition,
        filters,
        projection,
    })
}

/// `const VECTOR_INDEXES`, when the entity declares vector indexes, with a
/// check that each vector field's type is a vector.
pub fn constant(vectors: &[ValidVector<'_>]) -> Option<TokenStream> {
    if vectors.is_empty() {
        return None;
    }
    let indexes = vectors.iter().map(|v| {
        let (name, attribute, field, dims) =
            (&v.name, &v.field.attribute, &v.field.name, v.dimensions);
        let distance = format_ident!("{}", v.distance);
        let partition = match v.partition {
            Some(f) => {
                let attribute = crate::expand::index_attribute(f);
                quote!(::core::option::Option::Some(#attribute))
            }
            None => quote!(::core::option::Option::None),
        };
        let filters = v.filters.iter().map(|f| crate::expand::index_attribute(f));
        let projection = match &v.projection {
            Projection::All => quote!(::truss_model::__private::IndexProjection::All),
            Projection::KeysOnly => quote!(::truss_model::__private::IndexProjection::KeysOnly),
            Projection::Include(attributes) => {
                quote!(::truss_model::__private::IndexProjection::Include(&[#(#attributes),*]))
            }
        };
        let ty = v.field.ty;
        let check = quote_spanned!(ty.span()=> ::truss_model::__private::vector_field::<#ty>());
        quote! {{
            #check;
            ::truss_model::vector::VectorIndex::__new(
                #name, #attribute, #field, #dims,
                ::truss_model::vector::Distance::#distance,
                #partition, &[#(#filters),*], #projection,
            )
        }}
    });
    Some(quote! {
        const VECTOR_INDEXES: &'static [::truss_model::vector::VectorIndex] = &[#(#indexes),*];
    })
}

/// `Type::<index>(partition value, vector)` per vector index.
pub fn accessors(vectors: &[ValidVector<'_>], entity: &Entity<'_>) -> Vec<TokenStream> {
    let (ident, vis, entity_name) = (entity.ident, entity.vis, &entity.name);
    vectors
        .iter()
        .enumerate()
        .map(|(n, v)| {
            let accessor = format_ident!("{}", v.accessor);
            let (param, value) = match v.partition {
                Some(f) => {
                    let (field, ty, attribute) = (f.ident, crate::expand::value_type(f), &f.attribute);
                    (
                        quote!(#field: impl ::truss_model::IntoField<#ty>,),
                        quote! {
                            ::core::option::Option::Some(::truss_model::__private::attribute_value::<#ty>(
                                &::truss_model::IntoField::into_field(#field), #attribute, #entity_name,
                            ))
                        },
                    )
                }
                None => (quote!(), quote!(::core::option::Option::None)),
            };
            let doc = match v.partition {
                Some(f) => format!(
                    "A search of vector index `{}` of [`{ident}`] among the items with this `{}`, for the items closest to `vector` ({} components); run it with `Table::search`.",
                    v.name, f.name, v.dimensions
                ),
                None => format!(
                    "A search of vector index `{}` of [`{ident}`] for the items closest to `vector` ({} components); run it with `Table::search`.",
                    v.name, v.dimensions
                ),
            };
            quote! {
                #[doc = #doc]
                #vis fn #accessor(#param vector: &[f32]) -> ::truss_model::vector::VectorSearch<Self> {
                    ::truss_model::vector::VectorSearch::__new(#n, #value, vector)
                }
            }
        })
        .collect()
}
