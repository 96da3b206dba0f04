//! The derive input, parsed: the struct, its fields and its attributes.

use crate::attr;
use crate::ctxt::Errors;
use crate::rename;
use crate::symbol::{NAME, PARTITION, PK, RENAME_ALL, SK, SORT};
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type, Visibility};

pub struct Entity<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    /// The entity's name in errors.
    pub name: String,
    /// `None` when missing (an error already reported).
    pub pk: Option<LitStr>,
    pub sk: Option<LitStr>,
    pub indexes: Vec<Index>,
    pub attribute_indexes: Vec<AttributeIndex>,
    pub constants: Vec<Constant>,
    /// `revision(...)`, checked by `crate::revision`.
    pub revision: Option<attr::RevisionAttrs>,
    /// `string_key_format = "..."`.
    pub string_key_format: Option<LitStr>,
    /// `partial_indexes = [...]`.
    pub partial_indexes: Vec<LitStr>,
    pub fields: Vec<Field<'a>>,
    /// Who writes and reads the items.
    pub codec: crate::codec::Choice,
}

/// An attribute written with the same value on every item.
pub struct Constant {
    pub name: LitStr,
    /// A string (`S`) or an integer (`N`) literal.
    pub value: syn::Lit,
    /// Reads require it.
    pub check: bool,
}

/// A declared global secondary index.
pub struct Index {
    pub name: LitStr,
    pub pk: LitStr,
    pub sk: Option<LitStr>,
    pub pk_attr: String,
    pub sk_attr: String,
    /// `projection = "..."`.
    pub projection: Option<LitStr>,
    /// `include = [...]`.
    pub include: Option<attr::FieldList>,
}

/// A declared global secondary index over the entity's own attributes:
/// `index(name = "...", partition = [...], sort = [...])`.
pub struct AttributeIndex {
    pub name: LitStr,
    pub partition: attr::FieldList,
    pub sort: Option<attr::FieldList>,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// `T` for a field of type `Option<T>`.
    pub option_of: Option<&'a Type>,
    /// The Rust name, without `r#`.
    pub name: String,
    /// The attribute name the field is stored under (its serde name when
    /// serializing).
    pub attribute: String,
    /// The attribute name serde reads the field from (differs from
    /// `attribute` only with `rename(deserialize = "..")` or
    /// `rename_all(deserialize = "..")`).
    pub de_attribute: String,
    pub serde: attr::SerdeField,
    /// `#[truss(version)]`: the optimistic-locking version field.
    pub version: Option<proc_macro2::Span>,
    /// `#[truss(ttl)]`: the item's expiry.
    pub ttl: Option<proc_macro2::Span>,
    /// `#[truss(key_format = ...)]`: how the field is written in keys.
    pub key_format: Option<attr::KeyFormat>,
    /// `#[truss(created_at)]` / `#[truss(updated_at)]`.
    pub created_at: Option<proc_macro2::Span>,
    pub updated_at: Option<proc_macro2::Span>,
    /// `#[truss(vector(...))]`: vector indexes on the field.
    pub vectors: Vec<attr::VectorAttrs>,
}

impl<'a> Entity<'a> {
    /// Reads the input, leaving every problem in `errors`. `None` only when
    /// the input is not a struct with named fields: nothing else can be
    /// checked then.
    pub fn from_input(input: &'a DeriveInput, errors: &mut Errors) -> Option<Self> {
        let named = named_fields(input, "Entity", errors)?;
        let (truss, serde) = attr::container(&input.attrs, errors);
        let fields = fields(named, &serde.rename_all, errors);
        let codec = crate::codec::choose(truss.codec.as_ref(), &serde, &fields, errors);
        if truss.pk.is_none() {
            errors.push(syn::Error::new_spanned(
                &input.ident,
                format!(
                    "missing partition-key template: add `#[truss({PK} = \"PREFIX#{{field}}\")]`"
                ),
            ));
        }
        let (indexes, attribute_indexes) = indexes(truss.indexes, truss.pk.as_ref(), errors);
        Some(Entity {
            ident: &input.ident,
            vis: &input.vis,
            name: truss
                .name
                .map(|n| n.value())
                .unwrap_or_else(|| input.ident.to_string()),
            pk: truss.pk,
            sk: truss.sk,
            indexes,
            attribute_indexes,
            constants: truss
                .constants
                .into_iter()
                .map(|c| Constant {
                    name: c.name,
                    value: c.value,
                    check: c.check,
                })
                .collect(),
            revision: truss.revision,
            string_key_format: truss.string_key_format,
            partial_indexes: truss.partial_indexes,
            fields,
            codec,
        })
    }
}

/// The named fields of a non-generic struct, for derive `derive`; `None`
/// (an error in `errors`) for any other input. A generic struct is an
/// error too, but its fields are still returned, for the other checks.
pub fn named_fields<'a>(
    input: &'a DeriveInput,
    derive: &str,
    errors: &mut Errors,
) -> Option<&'a syn::FieldsNamed> {
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named),
            _ => None,
        },
        _ => None,
    };
    let Some(named) = named else {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            format!("`{derive}` can only be derived for structs with named fields"),
        ));
        return None;
    };
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            format!("`{derive}` cannot be derived for generic structs"),
        ));
    }
    Some(named)
}

/// The value of `#[truss(key = ...)]` on a container, parsed as `T`, for
/// the derives whose container takes that one attribute; anything else
/// is an error naming `expected`.
pub fn container_value<T: syn::parse::Parse>(
    attrs: &[syn::Attribute],
    key: &str,
    expected: &str,
    errors: &mut Errors,
) -> Option<T> {
    let mut value = None;
    for attr in attrs
        .iter()
        .filter(|a| a.path().is_ident(crate::symbol::TRUSS))
    {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                value = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error(format!("unknown truss attribute: {expected}")))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    value
}

/// The fields, with the attribute names serde gives them.
pub fn fields<'a>(
    named: &'a syn::FieldsNamed,
    rules: &attr::SerDe,
    errors: &mut Errors,
) -> Vec<Field<'a>> {
    for rule in rules.serialize.iter().chain(&rules.deserialize) {
        if rename::apply(&rule.value(), "x").is_none() {
            errors.push(syn::Error::new(
                rule.span(),
                format!("unknown serde `{RENAME_ALL}` rule"),
            ));
        }
    }
    // serde's name for a field: its own rename, else the container's rule
    // applied to the field name without `r#`, else that name.
    let serde_name = |rename: &Option<LitStr>, rule: &Option<LitStr>, name: &str| {
        rename.as_ref().map(LitStr::value).unwrap_or_else(|| {
            rule.as_ref()
                .and_then(|r| rename::apply(&r.value(), name))
                .unwrap_or_else(|| name.to_owned())
        })
    };
    named
        .named
        .iter()
        .filter_map(|f| {
            let ident = f.ident.as_ref()?;
            let name = ident.to_string().trim_start_matches("r#").to_owned();
            let serde = attr::field(&f.attrs);
            let truss = attr::field_truss(&f.attrs, errors);
            let attribute = serde_name(&serde.rename.serialize, &rules.serialize, &name);
            let de_attribute = serde_name(&serde.rename.deserialize, &rules.deserialize, &name);
            Some(Field {
                ident,
                ty: &f.ty,
                option_of: option_inner(&f.ty),
                name,
                attribute,
                de_attribute,
                serde,
                version: truss.version,
                ttl: truss.ttl,
                key_format: truss.key_format,
                created_at: truss.created_at,
                updated_at: truss.updated_at,
                vectors: truss.vectors,
            })
        })
        .collect()
}

/// The declared indexes: those with key templates (a name, a
/// partition-key template, the entity's own unless `pk` names another, and
/// their key attributes' names), and those over attributes (a name and
/// partition attributes).
fn indexes(
    declared: Vec<attr::IndexAttrs>,
    entity_pk: Option<&LitStr>,
    errors: &mut Errors,
) -> (Vec<Index>, Vec<AttributeIndex>) {
    let mut indexes = Vec::new();
    let mut attribute_indexes = Vec::new();
    for index in declared {
        if index.partition.is_some() || index.sort.is_some() {
            if let Some(span) = index
                .projection
                .as_ref()
                .map(LitStr::span)
                .or(index.include.as_ref().map(|i| i.span))
            {
                errors.push(syn::Error::new(
                    span,
                    "an index over attributes projects every attribute: `projection` and `include` are for indexes with key templates",
                ));
            }
            let templated = [&index.pk, &index.sk, &index.pk_attr, &index.sk_attr];
            if let Some(lit) = templated.into_iter().flatten().next() {
                errors.push(syn::Error::new(
                    lit.span(),
                    format!("an index over attributes takes `{PARTITION} = [...]` and `{SORT} = [...]`, not key templates"),
                ));
                continue;
            }
            let (Some(name), Some(partition)) = (index.name, index.partition) else {
                errors.push(syn::Error::new(
                    index.span,
                    format!("an index over attributes needs `{NAME} = \"...\"` and `{PARTITION} = [field, ...]`"),
                ));
                continue;
            };
            attribute_indexes.push(AttributeIndex {
                name,
                partition,
                sort: index.sort,
            });
            continue;
        }
        // Without `pk`, an index orders the entity's own partitions
        // another way (`sk` only): repeating the template in every such
        // index would also trip clippy's `duplicated_attributes`.
        let pk = match (&index.pk, &index.sk) {
            (Some(pk), _) => Some(pk.clone()),
            (None, Some(_)) => entity_pk.cloned(),
            (None, None) => None,
        };
        let (Some(name), Some(pk)) = (index.name, pk) else {
            errors.push(syn::Error::new(
                index.span,
                format!("an index needs `{NAME} = \"...\"` and key templates (`{PK} = \"...\"`, `{SK} = \"...\"` or both; without `{PK}`, the entity's) or `{PARTITION} = [field, ...]` (attributes)"),
            ));
            continue;
        };
        let pk_attr = index
            .pk_attr
            .map_or_else(|| format!("{}PK", name.value()), |a| a.value());
        let sk_attr = index
            .sk_attr
            .map_or_else(|| format!("{}SK", name.value()), |a| a.value());
        indexes.push(Index {
            name,
            pk,
            sk: index.sk,
            pk_attr,
            sk_attr,
            projection: index.projection,
            include: index.include,
        });
    }
    (indexes, attribute_indexes)
}

/// `T` when `ty` is `Option<T>` (by its last path segment).
fn option_inner(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Path(p) => {
            let last = p.path.segments.last()?;
            if last.ident != "Option" {
                return None;
            }
            match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
                    syn::GenericArgument::Type(inner) => Some(inner),
                    _ => None,
                },
                _ => None,
            }
        }
        Type::Group(g) => option_inner(&g.elem),
        Type::Paren(p) => option_inner(&p.elem),
        _ => None,
    }
}
