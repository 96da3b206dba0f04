//! Attribute names and the parsing of `#[truss(...)]` and the `#[serde(...)]`
//! attributes that change attribute names.

use crate::ctxt::Errors;
use crate::symbol::*;
use syn::spanned::Spanned;
use syn::{Attribute, LitStr};

/// `#[truss(...)]` on the struct.
#[derive(Default)]
pub struct ContainerAttrs {
    pub pk: Option<LitStr>,
    pub sk: Option<LitStr>,
    pub name: Option<LitStr>,
    pub indexes: Vec<IndexAttrs>,
    pub constants: Vec<ConstantAttrs>,
    pub revision: Option<RevisionAttrs>,
    /// `string_key_format = "..."`: the key format of every `String` key
    /// field without its own `key_format`.
    pub string_key_format: Option<LitStr>,
    /// `partial_indexes = ["...", ...]`: the indexes whose keys are written
    /// partially when fields are absent (ElectroDB's keys).
    pub partial_indexes: Vec<LitStr>,
    /// `codec = "serde"`: items are written and read by the type's serde
    /// impls, not by generated code.
    pub codec: Option<LitStr>,
}

/// `revision(N, from(1 = OldType, ...), attr = "...", write_back)`: the
/// entity's schema revision, the older types items of earlier revisions
/// are read as, the attribute storing it, and whether upgraded items are
/// written back.
pub struct RevisionAttrs {
    pub span: proc_macro2::Span,
    pub current: syn::LitInt,
    pub from: Vec<(syn::LitInt, syn::Type)>,
    pub attr: Option<LitStr>,
    pub write_back: bool,
}

fn revision(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<RevisionAttrs> {
    let span = meta.path.span();
    let content;
    syn::parenthesized!(content in meta.input);
    let current: syn::LitInt = content.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected the current revision first: `{REVISION}(2, {FROM}(1 = OldType))`"),
        )
    })?;
    let mut out = RevisionAttrs {
        span,
        current,
        from: Vec::new(),
        attr: None,
        write_back: false,
    };
    while !content.is_empty() {
        content.parse::<syn::Token![,]>()?;
        if content.is_empty() {
            break;
        }
        let key: syn::Ident = syn::ext::IdentExt::parse_any(&content)?;
        if key == FROM {
            let list;
            syn::parenthesized!(list in content);
            while !list.is_empty() {
                let number: syn::LitInt = list.parse()?;
                list.parse::<syn::Token![=]>()?;
                let ty: syn::Type = list.parse()?;
                out.from.push((number, ty));
                if list.is_empty() {
                    break;
                }
                list.parse::<syn::Token![,]>()?;
            }
        } else if key == ATTR {
            content.parse::<syn::Token![=]>()?;
            out.attr = Some(content.parse()?);
        } else if key == WRITE_BACK {
            out.write_back = true;
        } else {
            return Err(syn::Error::new(
                key.span(),
                format!("unknown revision setting; expected `{FROM}(N = Type, ...)`, `{ATTR} = \"...\"` or `{WRITE_BACK}`"),
            ));
        }
    }
    Ok(out)
}

/// One entry of `constant(name = value, ...)` or
/// `checked_constant(name = value, ...)`: the attribute name (an identifier
/// or a string, for names that are not identifiers) and a string or
/// integer value. Each entry names its attribute, so no two entries of an
/// entity repeat (which clippy's `duplicated_attributes` would flag).
pub struct ConstantAttrs {
    pub name: LitStr,
    pub value: syn::Lit,
    pub check: bool,
}

fn constants(
    meta: &syn::meta::ParseNestedMeta<'_>,
    check: bool,
    out: &mut Vec<ConstantAttrs>,
) -> syn::Result<()> {
    let content;
    syn::parenthesized!(content in meta.input);
    while !content.is_empty() {
        let name = if content.peek(LitStr) {
            content.parse::<LitStr>()?
        } else {
            let ident: syn::Ident = syn::ext::IdentExt::parse_any(&content)?;
            let text = ident.to_string();
            LitStr::new(text.trim_start_matches("r#"), ident.span())
        };
        content.parse::<syn::Token![=]>()?;
        let value: syn::Lit = content.parse()?;
        out.push(ConstantAttrs { name, value, check });
        if content.is_empty() {
            break;
        }
        content.parse::<syn::Token![,]>()?;
    }
    Ok(())
}

/// `index(name = "...", pk = "...", sk = "...", pk_attr = "...", sk_attr = "...")`
/// or `index(name = "...", partition = [field, ...], sort = [field, ...])`.
pub struct IndexAttrs {
    pub span: proc_macro2::Span,
    pub name: Option<LitStr>,
    pub pk: Option<LitStr>,
    pub sk: Option<LitStr>,
    pub pk_attr: Option<LitStr>,
    pub sk_attr: Option<LitStr>,
    pub partition: Option<FieldList>,
    pub sort: Option<FieldList>,
    /// `projection = "keys_only"` or `"all"`.
    pub projection: Option<LitStr>,
    /// `include = [field, ...]`: an INCLUDE projection.
    pub include: Option<FieldList>,
}

/// `[field, ...]`: the fields of an index over attributes, with the span of
/// the list.
pub struct FieldList {
    pub span: proc_macro2::Span,
    pub fields: Vec<syn::Ident>,
}

fn field_list(inner: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<FieldList> {
    let value = inner.value()?;
    let content;
    let brackets = syn::bracketed!(content in value);
    let fields =
        syn::punctuated::Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated(&content)?;
    Ok(FieldList {
        span: brackets.span.join(),
        fields: fields.into_iter().collect(),
    })
}

fn index(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<IndexAttrs> {
    let mut index = IndexAttrs {
        span: meta.path.span(),
        name: None,
        pk: None,
        sk: None,
        pk_attr: None,
        sk_attr: None,
        partition: None,
        sort: None,
        projection: None,
        include: None,
    };
    meta.parse_nested_meta(|inner| {
        let list = if inner.path.is_ident(PARTITION) {
            Some(&mut index.partition)
        } else if inner.path.is_ident(SORT) {
            Some(&mut index.sort)
        } else if inner.path.is_ident(INCLUDE) {
            Some(&mut index.include)
        } else {
            None
        };
        if let Some(slot) = list {
            let fields = field_list(&inner)?;
            if slot.is_some() {
                return Err(syn::Error::new(fields.span, "duplicate index attribute"));
            }
            *slot = Some(fields);
            return Ok(());
        }
        let slot = if inner.path.is_ident(NAME) {
            &mut index.name
        } else if inner.path.is_ident(PK) {
            &mut index.pk
        } else if inner.path.is_ident(SK) {
            &mut index.sk
        } else if inner.path.is_ident(PK_ATTR) {
            &mut index.pk_attr
        } else if inner.path.is_ident(SK_ATTR) {
            &mut index.sk_attr
        } else if inner.path.is_ident(PROJECTION) {
            &mut index.projection
        } else {
            return Err(inner.error(format!(
                "unknown index attribute; expected `{NAME}`, `{PK}`, `{SK}`, `{PK_ATTR}`, `{SK_ATTR}`, `{PARTITION} = [...]`, `{SORT} = [...]`, `{PROJECTION} = \"keys_only\"` or `{INCLUDE} = [...]`"
            )));
        };
        let value: LitStr = inner.value()?.parse()?;
        if slot.is_some() {
            return Err(syn::Error::new(value.span(), "duplicate index attribute"));
        }
        *slot = Some(value);
        Ok(())
    })?;
    Ok(index)
}

/// A serde attribute that can differ between serializing and
/// deserializing: `rename = ".."` sets both,
/// `rename(serialize = "..", deserialize = "..")` each.
#[derive(Default, Clone)]
pub struct SerDe {
    pub serialize: Option<LitStr>,
    pub deserialize: Option<LitStr>,
}

/// Reads `name = ".."` or `name(serialize = "..", deserialize = "..")`.
fn names(meta: &syn::meta::ParseNestedMeta<'_>, out: &mut SerDe) {
    if let Ok(value) = meta.value() {
        if let Ok(lit) = value.parse::<LitStr>() {
            out.serialize = Some(lit.clone());
            out.deserialize = Some(lit);
        }
    } else {
        let _ = meta.parse_nested_meta(|inner| {
            let lit: LitStr = inner.value()?.parse()?;
            if inner.path.is_ident(SERIALIZE) {
                out.serialize = Some(lit);
            } else if inner.path.is_ident(DESERIALIZE) {
                out.deserialize = Some(lit);
            }
            Ok(())
        });
    }
}

/// What `#[serde(...)]` says about the container.
#[derive(Default)]
pub struct SerdeContainer {
    pub rename_all: SerDe,
    /// The first container attribute the generated codec does not follow
    /// (the entity is then read and written by serde).
    pub unsupported: Option<String>,
}

/// `key_format = "name"` (a built-in format) or `key_format = path::Type`
/// (a type implementing `KeyFormat` for the field's type).
pub enum KeyFormat {
    Named(LitStr),
    Type(syn::Path),
}

/// `#[truss(...)]` on a field.
#[derive(Default)]
pub struct FieldAttrs {
    /// `version`: the optimistic-locking version field, with its span.
    pub version: Option<proc_macro2::Span>,
    /// `ttl`: the item's expiry, with its span.
    pub ttl: Option<proc_macro2::Span>,
    pub key_format: Option<KeyFormat>,
    /// `created_at` / `updated_at`: a timestamp the library keeps.
    pub created_at: Option<proc_macro2::Span>,
    pub updated_at: Option<proc_macro2::Span>,
    /// `vector(...)`: vector indexes on the field.
    pub vectors: Vec<VectorAttrs>,
}

/// `#[truss(vector(index = "...", dimensions = N, distance = "...",
/// partition = field, filters = [field, ...], projection = "...",
/// include = [field, ...]))]` on a field, as written.
pub struct VectorAttrs {
    pub span: proc_macro2::Span,
    pub index: Option<LitStr>,
    pub dimensions: Option<syn::LitInt>,
    pub distance: Option<LitStr>,
    pub partition: Option<syn::Ident>,
    pub filters: Option<FieldList>,
    pub projection: Option<LitStr>,
    pub include: Option<FieldList>,
}

fn vector(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<VectorAttrs> {
    use crate::symbol::{DIMENSIONS, DISTANCE, FILTERS, INDEX};
    let mut v = VectorAttrs {
        span: meta.path.span(),
        index: None,
        dimensions: None,
        distance: None,
        partition: None,
        filters: None,
        projection: None,
        include: None,
    };
    let duplicate = |span| syn::Error::new(span, "duplicate vector attribute");
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(FILTERS) || inner.path.is_ident(INCLUDE) {
            let list = field_list(&inner)?;
            let slot = if inner.path.is_ident(FILTERS) { &mut v.filters } else { &mut v.include };
            if slot.is_some() {
                return Err(duplicate(list.span));
            }
            *slot = Some(list);
        } else if inner.path.is_ident(PARTITION) {
            let ident: syn::Ident = inner.value()?.parse()?;
            if v.partition.is_some() {
                return Err(duplicate(ident.span()));
            }
            v.partition = Some(ident);
        } else if inner.path.is_ident(DIMENSIONS) {
            let n: syn::LitInt = inner.value()?.parse()?;
            if v.dimensions.is_some() {
                return Err(duplicate(n.span()));
            }
            v.dimensions = Some(n);
        } else {
            let slot = if inner.path.is_ident(INDEX) {
                &mut v.index
            } else if inner.path.is_ident(DISTANCE) {
                &mut v.distance
            } else if inner.path.is_ident(PROJECTION) {
                &mut v.projection
            } else {
                return Err(inner.error(format!(
                    "unknown vector attribute; expected `{INDEX} = \"...\"`, `{DIMENSIONS} = N`, `{DISTANCE} = \"cosine\" | \"euclidean\" | \"dot_product\"`, `{PARTITION} = field`, `{FILTERS} = [...]`, `{PROJECTION} = \"keys_only\"` or `{INCLUDE} = [...]`"
                )));
            };
            let value: LitStr = inner.value()?.parse()?;
            if slot.is_some() {
                return Err(duplicate(value.span()));
            }
            *slot = Some(value);
        }
        Ok(())
    })?;
    Ok(v)
}

/// Reads `#[truss(version)]` and `#[truss(key_format = ...)]` on a field.
pub fn field_truss(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut found = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(TRUSS)) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(VERSION) {
                found.version = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident(TTL) {
                found.ttl = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident(crate::symbol::VECTOR) {
                found.vectors.push(vector(&meta)?);
                Ok(())
            } else if meta.path.is_ident(CREATED_AT) {
                found.created_at = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident(UPDATED_AT) {
                found.updated_at = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident(KEY_FORMAT) {
                let value = meta.value()?;
                let format = if value.peek(LitStr) {
                    KeyFormat::Named(value.parse()?)
                } else {
                    KeyFormat::Type(value.parse()?)
                };
                if found.key_format.replace(format).is_some() {
                    return Err(meta.error(format!("duplicate `{KEY_FORMAT}`")));
                }
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown truss field attribute; expected `{VERSION}`, `{TTL}`, `{CREATED_AT}`, `{UPDATED_AT}`, `{KEY_FORMAT} = ...` or `vector(...)`"
                )))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    found
}

/// What `#[serde(...)]` says about a field.
#[derive(Default)]
pub struct SerdeField {
    pub rename: SerDe,
    /// The serde attribute that keeps the field out of the item, if any.
    pub skipped_by: Option<&'static str>,
    pub flatten: bool,
    /// The serde attribute that writes the field with other code
    /// (`with`, `serialize_with`, `deserialize_with`), if any.
    pub custom: Option<&'static str>,
    /// The function serde writes the field with: `m::serialize` for
    /// `with = "m"`, the path of `serialize_with` (none for
    /// `deserialize_with` alone, which leaves the stored form as it is).
    pub serialize_with: Option<syn::ExprPath>,
    /// The function serde reads the field with: `m::deserialize` for
    /// `with = "m"`, the path of `deserialize_with`.
    pub deserialize_with: Option<syn::ExprPath>,
    /// `skip` or `skip_serializing`: never written.
    pub skip_serializing: bool,
    /// `skip` or `skip_deserializing`: never read (its default instead).
    pub skip_deserializing: bool,
    /// `skip_serializing_if = "path"`.
    pub skip_serializing_if: Option<syn::ExprPath>,
    /// `default` (`Some(None)`) or `default = "path"`.
    pub default: Option<Option<syn::ExprPath>>,
    /// `alias = ".."`: more names the field is read from.
    pub aliases: Vec<LitStr>,
    /// The first field attribute the generated codec does not follow.
    pub unsupported: Option<String>,
}

/// An attribute's name as written (`rename`, `serde::x`).
fn path_name(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// A string literal holding a path (`"m::f"`), spanned at the string.
fn path_value(meta: &syn::meta::ParseNestedMeta<'_>) -> Option<syn::ExprPath> {
    let lit = meta.value().ok()?.parse::<LitStr>().ok()?;
    let mut path = lit.parse::<syn::ExprPath>().ok()?;
    for segment in &mut path.path.segments {
        segment.ident.set_span(lit.span());
    }
    Some(path)
}

/// What `#[serde(...)]` says about a container (for the derives whose
/// own container attributes are read elsewhere).
pub fn serde_container(attrs: &[Attribute]) -> SerdeContainer {
    let mut serde = SerdeContainer::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(SERDE)) {
        // `rename_all` names the fields; any other container attribute
        // leaves the codec to serde.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(RENAME_ALL) {
                names(&meta, &mut serde.rename_all);
            } else {
                if serde.unsupported.is_none() {
                    serde.unsupported = Some(path_name(&meta.path));
                }
                skip_value(&meta);
            }
            Ok(())
        });
    }
    serde
}

pub fn container(attrs: &[Attribute], errors: &mut Errors) -> (ContainerAttrs, SerdeContainer) {
    let mut truss = ContainerAttrs::default();
    let serde = serde_container(attrs);
    for attr in attrs {
        if attr.path().is_ident(TRUSS) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident(INDEX) {
                    truss.indexes.push(index(&meta)?);
                    return Ok(());
                }
                if meta.path.is_ident(REVISION) {
                    let parsed = revision(&meta)?;
                    if truss.revision.is_some() {
                        return Err(syn::Error::new(parsed.span, "duplicate truss attribute"));
                    }
                    truss.revision = Some(parsed);
                    return Ok(());
                }
                if meta.path.is_ident(PARTIAL_INDEXES) {
                    let value = meta.value()?;
                    let content;
                    syn::bracketed!(content in value);
                    let names = syn::punctuated::Punctuated::<LitStr, syn::Token![,]>::parse_terminated(&content)?;
                    truss.partial_indexes.extend(names);
                    return Ok(());
                }
                if meta.path.is_ident(CONSTANT) || meta.path.is_ident(CHECKED_CONSTANT) {
                    let check = meta.path.is_ident(CHECKED_CONSTANT);
                    return constants(&meta, check, &mut truss.constants);
                }
                let slot = if meta.path.is_ident(PK) {
                    &mut truss.pk
                } else if meta.path.is_ident(SK) {
                    &mut truss.sk
                } else if meta.path.is_ident(NAME) {
                    &mut truss.name
                } else if meta.path.is_ident(STRING_KEY_FORMAT) {
                    &mut truss.string_key_format
                } else if meta.path.is_ident(CODEC) {
                    &mut truss.codec
                } else {
                    return Err(meta.error(format!(
                        "unknown truss attribute; expected `{PK} = \"...\"`, `{SK} = \"...\"`, `{NAME} = \"...\"`, `{STRING_KEY_FORMAT} = \"...\"`, `{CODEC} = \"serde\"`, `{PARTIAL_INDEXES} = [...]`, `{INDEX}(...)`, `{CONSTANT}(...)`, `{CHECKED_CONSTANT}(...)` or `{REVISION}(...)`"
                    )));
                };
                let value: LitStr = meta.value()?.parse()?;
                if slot.is_some() {
                    return Err(syn::Error::new(value.span(), "duplicate truss attribute"));
                }
                *slot = Some(value);
                Ok(())
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
    }
    (truss, serde)
}

pub fn field(attrs: &[Attribute]) -> SerdeField {
    let mut out = SerdeField::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(SERDE)) {
        let _ = attr.parse_nested_meta(|meta| {
            let path = &meta.path;
            if path.is_ident(RENAME) {
                names(&meta, &mut out.rename);
            } else if let Some(skip) = [SKIP, SKIP_SERIALIZING, SKIP_DESERIALIZING]
                .into_iter()
                .find(|s| path.is_ident(s))
            {
                out.skipped_by = Some(skip);
                out.skip_serializing |= skip != SKIP_DESERIALIZING;
                out.skip_deserializing |= skip != SKIP_SERIALIZING;
            } else if path.is_ident(FLATTEN) {
                out.flatten = true;
                out.unsupported.get_or_insert_with(|| FLATTEN.to_owned());
            } else if path.is_ident(SKIP_SERIALIZING_IF) {
                out.skip_serializing_if = path_value(&meta);
            } else if path.is_ident(DEFAULT) {
                out.default = Some(if meta.input.peek(syn::Token![=]) {
                    path_value(&meta)
                } else {
                    None
                });
            } else if path.is_ident(ALIAS) {
                if let Ok(lit) = meta.value().and_then(|v| v.parse::<LitStr>()) {
                    out.aliases.push(lit);
                }
            } else if let Some(custom) = [WITH, SERIALIZE_WITH, DESERIALIZE_WITH]
                .into_iter()
                .find(|s| path.is_ident(s))
            {
                out.custom = Some(custom);
                if let Some(value) = path_value(&meta) {
                    let joined = |name: &str| {
                        let mut path = value.clone();
                        let span = value.path.segments.last().map(|s| s.ident.span());
                        path.path.segments.push(
                            syn::Ident::new(
                                name,
                                span.unwrap_or_else(proc_macro2::Span::call_site),
                            )
                            .into(),
                        );
                        path
                    };
                    match custom {
                        WITH => {
                            out.serialize_with = Some(joined(SERIALIZE));
                            out.deserialize_with = Some(joined(DESERIALIZE));
                        }
                        SERIALIZE_WITH => out.serialize_with = Some(value),
                        _ => out.deserialize_with = Some(value),
                    }
                }
            } else {
                out.unsupported.get_or_insert_with(|| path_name(&meta.path));
                skip_value(&meta);
            }
            Ok(())
        });
    }
    out
}

/// Consumes `= value` or `(...)` of a serde attribute we do not interpret.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) {
    if let Ok(value) = meta.value() {
        let _ = value.parse::<syn::Expr>();
    } else {
        let _ = meta.parse_nested_meta(|inner| {
            skip_value(&inner);
            Ok(())
        });
    }
}
