//! Checks the templates against the struct's fields. Every problem becomes
//! a compile error pointing at the template (or the field), and all of them
//! are reported at once.

use crate::ast::{Entity, Field};
use crate::attr;
use crate::ctxt::Errors;
use crate::names::{accessor, suggestion};
use crate::symbol::{CREATED_AT, KEY_FORMAT, PARTIAL_INDEXES, PK, SK, TTL, UPDATED_AT, VERSION};
use crate::template::{self, Segment};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::LitStr;

/// A template whose placeholders all name usable fields.
pub struct Template<'a> {
    pub source: String,
    pub segments: Vec<Checked<'a>>,
}

pub enum Checked<'a> {
    Literal(String),
    /// A placeholder after `prefix`, literal text of its segment.
    Field {
        prefix: String,
        field: &'a Field<'a>,
    },
}

pub struct Valid<'a> {
    pub entity: &'a Entity<'a>,
    pub pk: Template<'a>,
    pub sk: Option<Template<'a>>,
    pub indexes: Vec<ValidIndex<'a>>,
    /// The indexes over attributes.
    pub attribute_indexes: Vec<crate::attribute_index::ValidAttributeIndex<'a>>,
    /// The vector indexes declared on fields.
    pub vectors: Vec<crate::vector::ValidVector<'a>>,
    /// Fields named by either template, in order of first appearance.
    pub key_fields: Vec<&'a Field<'a>>,
    /// The `#[truss(version)]` field.
    pub version: Option<&'a Field<'a>>,
    /// The `#[truss(ttl)]` field.
    pub ttl: Option<&'a Field<'a>>,
    /// The `#[truss(created_at)]` and `#[truss(updated_at)]` fields.
    pub created_at: Option<&'a Field<'a>>,
    pub updated_at: Option<&'a Field<'a>>,
    /// The key format of each field with `#[truss(key_format = ...)]`,
    /// spanned at the attribute's value.
    pub formats: Vec<(&'a str, TokenStream)>,
    /// `revision(...)`.
    pub revision: Option<crate::revision::ValidRevision<'a>>,
}

impl Valid<'_> {
    /// The type implementing `KeyFormat` for a key field (`Native` unless
    /// the field names another), spanned at the `key_format` value or at the
    /// field's type, so a format that does not fit the type is reported
    /// where the field is declared.
    pub fn format(&self, field: &Field<'_>) -> TokenStream {
        match self.formats.iter().find(|(name, _)| *name == field.name) {
            Some((_, format)) => format.clone(),
            None => quote_spanned!(field.ty.span()=> ::truss_model::key_part::Native),
        }
    }

    /// Whether the field is written in another format than its type's
    /// own (its `key_format`, or the entity's `string_key_format`).
    pub fn has_format(&self, field: &Field<'_>) -> bool {
        self.formats.iter().any(|(name, _)| *name == field.name)
    }
}

/// Whether a type is `String` (by its last path segment), the fields
/// `string_key_format` applies to.
fn is_string(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_empty()))
}

/// Constants: a string or integer value, a name that no field, index key
/// or other constant uses.
fn check_constants(entity: &Entity<'_>, errors: &mut Errors) {
    for (i, constant) in entity.constants.iter().enumerate() {
        let name = constant.name.value();
        let span = constant.name.span();
        if name.is_empty() {
            errors.push(syn::Error::new(span, "a constant's name may not be empty"));
        }
        if let Some(field) = entity
            .fields
            .iter()
            .find(|f| f.attribute == name || f.de_attribute == name)
        {
            errors.push(syn::Error::new(
                span,
                format!(
                    "constant `{name}` has the attribute name of field `{}`",
                    field.name
                ),
            ));
        }
        if entity
            .indexes
            .iter()
            .any(|ix| ix.pk_attr == name || (ix.sk.is_some() && ix.sk_attr == name))
        {
            errors.push(syn::Error::new(
                span,
                format!("constant `{name}` has the name of an index key attribute"),
            ));
        }
        if entity.constants[..i].iter().any(|c| c.name.value() == name) {
            errors.push(syn::Error::new(
                span,
                format!("duplicate constant `{name}`"),
            ));
        }
        match &constant.value {
            syn::Lit::Str(_) | syn::Lit::Int(_) => {}
            other => errors.push(syn::Error::new(
                other.span(),
                "a constant's value is a string (stored as S) or an integer (stored as N)",
            )),
        }
    }
}

/// The built-in key formats by the names `key_format = "..."` takes.
const FORMAT_NAMES: &str = "`rfc3339_secs`, `rfc3339_millis`, `rfc3339_micros`, `rfc3339_nanos`, `epoch_secs`, `epoch_millis`, `width(N)`, `unpadded`, `lowercase`, `verbatim`, `verbatim_lowercase` or `native`";

/// The format named `name`, its tokens spanned at `span` (where a format
/// that does not fit the field's type is reported).
fn named_format(name: &str, span: Span) -> Option<TokenStream> {
    let path = quote_spanned!(span=> ::truss_model::key_part);
    Some(match name {
        "native" => quote_spanned!(span=> #path::Native),
        "rfc3339_secs" => quote_spanned!(span=> #path::Rfc3339<0>),
        "rfc3339_millis" => quote_spanned!(span=> #path::Rfc3339<3>),
        "rfc3339_micros" => quote_spanned!(span=> #path::Rfc3339<6>),
        "rfc3339_nanos" => quote_spanned!(span=> #path::Rfc3339<9>),
        "epoch_secs" => quote_spanned!(span=> #path::EpochSeconds),
        "epoch_millis" => quote_spanned!(span=> #path::EpochMillis),
        "unpadded" => quote_spanned!(span=> #path::Unpadded),
        "lowercase" => quote_spanned!(span=> #path::Lowercase),
        "verbatim" => quote_spanned!(span=> #path::Verbatim),
        "verbatim_lowercase" => quote_spanned!(span=> #path::VerbatimLowercase),
        _ => {
            let width: usize = name
                .strip_prefix("width(")?
                .strip_suffix(')')?
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=39).contains(n))?;
            quote_spanned!(span=> #path::Width<#width>)
        }
    })
}

/// Checks each `key_format` attribute: a known name, on a field that some
/// key template names.
fn formats<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Vec<(&'a str, TokenStream)> {
    let in_a_template = |name: &str| {
        entity
            .pk
            .iter()
            .chain(&entity.sk)
            .chain(entity.indexes.iter().flat_map(|i| std::iter::once(&i.pk).chain(&i.sk)))
            .filter_map(|lit| template::parse(&lit.value()).ok())
            .flatten()
            .any(|s| matches!(s, Segment::Field { name: n, .. } if n.trim_start_matches("r#") == name))
    };
    let mut out = Vec::new();
    if let Some(lit) = &entity.string_key_format {
        if named_format(&lit.value(), lit.span()).is_none() {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "unknown key format `{}`; expected {FORMAT_NAMES}",
                    lit.value()
                ),
            ));
        }
    }
    for field in &entity.fields {
        let Some(format) = &field.key_format else {
            // The entity's format for its string key fields.
            if let Some(lit) = &entity.string_key_format {
                if is_string(field.option_of.unwrap_or(field.ty)) && in_a_template(&field.name) {
                    if let Some(tokens) = named_format(&lit.value(), lit.span()) {
                        out.push((field.name.as_str(), tokens));
                    }
                }
            }
            continue;
        };
        let (tokens, span) = match format {
            attr::KeyFormat::Named(lit) => match named_format(&lit.value(), lit.span()) {
                Some(tokens) => (tokens, lit.span()),
                None => {
                    errors.push(syn::Error::new(
                        lit.span(),
                        format!("unknown key format `{}`; expected {FORMAT_NAMES}, or a type implementing `KeyFormat`", lit.value()),
                    ));
                    continue;
                }
            },
            attr::KeyFormat::Type(path) => (quote!(#path), path.span()),
        };
        if !in_a_template(&field.name) {
            errors.push(syn::Error::new(
                span,
                format!(
                    "`{KEY_FORMAT}` on field `{}`, which no key template names",
                    field.name
                ),
            ));
            continue;
        }
        out.push((field.name.as_str(), tokens));
    }
    out
}

/// A global secondary index whose templates are checked.
pub struct ValidIndex<'a> {
    pub name: String,
    /// The generated accessor: the name in lowercase (`gsi1`).
    pub accessor: String,
    pub pk_attr: String,
    pub sk_attr: Option<String>,
    pub pk: Template<'a>,
    pub sk: Option<Template<'a>>,
    /// Named in `partial_indexes`: templates with all fields absent are
    /// written up to their first field.
    pub partial: bool,
    /// What the index holds of an item besides the keys.
    pub projection: IndexProjection<'a>,
}

/// An index's projection: every attribute, the keys only, or the keys and
/// some fields.
pub enum IndexProjection<'a> {
    All,
    KeysOnly,
    Include(Vec<&'a Field<'a>>),
}

/// `projection = "all" | "keys_only"` or `include = [field, ...]`.
fn index_projection<'a>(
    entity: &'a Entity<'a>,
    index: &'a crate::ast::Index,
    errors: &mut Errors,
) -> IndexProjection<'a> {
    match (&index.projection, &index.include) {
        (Some(lit), Some(_)) => {
            errors.push(syn::Error::new(
                lit.span(),
                "`projection` and `include` both given: `include = [...]` alone is an INCLUDE projection",
            ));
            IndexProjection::All
        }
        (Some(lit), None) => match lit.value().as_str() {
            "all" => IndexProjection::All,
            "keys_only" => IndexProjection::KeysOnly,
            other => {
                errors.push(syn::Error::new(
                    lit.span(),
                    format!("unknown projection `{other}`: `\"all\"` or `\"keys_only\"` (or `include = [field, ...]`)"),
                ));
                IndexProjection::All
            }
        },
        (None, Some(list)) => {
            let mut fields = Vec::new();
            for ident in &list.fields {
                let name = ident.to_string();
                match entity.fields.iter().find(|f| f.name == name.trim_start_matches("r#")) {
                    Some(field) if field.serde.skipped_by.is_none() && !field.serde.flatten => {
                        fields.push(field)
                    }
                    Some(_) => errors.push(syn::Error::new(
                        ident.span(),
                        format!("field `{name}` is not stored as an attribute of its own, so an index cannot include it"),
                    )),
                    None => errors.push(syn::Error::new(
                        ident.span(),
                        format!("no field `{name}` to include in index `{}`", index.name.value()),
                    )),
                }
            }
            IndexProjection::Include(fields)
        }
        (None, None) => IndexProjection::All,
    }
}

/// Checks the parsed entity, leaving every problem in `errors`; `None`
/// when something it needs to expand is missing (always with an error).
pub fn check<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Option<Valid<'a>> {
    let formats = formats(entity, errors);
    let pk = entity
        .pk
        .as_ref()
        .and_then(|lit| template(entity, lit, PK, false, errors));
    let sk = entity
        .sk
        .as_ref()
        .map(|lit| template(entity, lit, SK, false, errors));
    let indexes = indexes(entity, errors);
    for partial in &entity.partial_indexes {
        let name = partial.value();
        if !entity.indexes.iter().any(|i| i.name.value() == name) {
            let reason = if entity
                .attribute_indexes
                .iter()
                .any(|i| i.name.value() == name)
            {
                "is an index over attributes, which leaves out items that lack them: partial keys are for indexes with key templates".to_owned()
            } else {
                "is not an index with key templates of this entity".to_owned()
            };
            errors.push(syn::Error::new(
                partial.span(),
                format!("`{PARTIAL_INDEXES}`: `{name}` {reason}"),
            ));
        }
    }
    let attribute_indexes = crate::attribute_index::check(entity, errors);
    let vectors = crate::vector::check(entity, errors);
    check_constants(entity, errors);
    let version = version(entity, errors);
    let ttl = ttl(entity, errors);
    let revision = crate::revision::check(entity, errors);
    // A template with errors leaves nothing to expand.
    let (pk, sk) = (pk?, sk.map_or(Some(None), |s| s.map(Some))?);
    let key_fields = key_fields(&pk, sk.as_ref(), errors);
    let templates: Vec<&Template> = std::iter::once(&pk)
        .chain(sk.as_ref())
        .chain(
            indexes
                .iter()
                .flat_map(|i| std::iter::once(&i.pk).chain(i.sk.as_ref())),
        )
        .collect();
    let in_a_template = |name: &str| {
        templates
            .iter()
            .any(|t| template_fields(t).any(|f| f.name == name))
    };
    let created_at = stamp(entity, CREATED_AT, |f| f.created_at, in_a_template, errors);
    let updated_at = stamp(entity, UPDATED_AT, |f| f.updated_at, in_a_template, errors);
    Some(Valid {
        entity,
        pk,
        sk,
        indexes,
        attribute_indexes,
        vectors,
        key_fields,
        version,
        ttl,
        created_at,
        updated_at,
        formats,
        revision,
    })
}

/// The indexes whose templates check, each with its accessor's name.
fn indexes<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Vec<ValidIndex<'a>> {
    let mut indexes = Vec::new();
    for (i, index) in entity.indexes.iter().enumerate() {
        let name = index.name.value();
        let Some(accessor) = accessor(&index.name, errors) else {
            continue;
        };
        if entity.indexes[..i]
            .iter()
            .any(|other| other.name.value() == name)
        {
            errors.push(syn::Error::new(
                index.name.span(),
                format!("duplicate index `{name}`"),
            ));
            continue;
        }
        let which = format!("index `{name}` {PK}");
        let pk = template(entity, &index.pk, &which, true, errors);
        let which = format!("index `{name}` {SK}");
        let sk = index
            .sk
            .as_ref()
            .map(|lit| template(entity, lit, &which, true, errors));
        let partial = entity.partial_indexes.iter().any(|p| p.value() == name);
        let projection = index_projection(entity, index, errors);
        if let (Some(pk), Some(sk)) = (pk, sk.map_or(Some(None), |s| s.map(Some))) {
            indexes.push(ValidIndex {
                name,
                accessor,
                partial,
                projection,
                pk_attr: index.pk_attr.clone(),
                sk_attr: sk.is_some().then(|| index.sk_attr.clone()),
                pk,
                sk,
            });
        }
    }
    indexes
}

/// The `#[truss(version)]` field: one at most, a `u64` serde writes and
/// reads under one name.
fn version<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Option<&'a Field<'a>> {
    let versions: Vec<&Field> = entity
        .fields
        .iter()
        .filter(|f| f.version.is_some())
        .collect();
    for (i, field) in versions.iter().enumerate() {
        let span = field.version.unwrap_or_else(proc_macro2::Span::call_site);
        let mut fail = |message: String| errors.push(syn::Error::new(span, message));
        if i > 0 {
            fail(format!("only one field can be `#[truss({VERSION})]`"));
        }
        if !matches!(field.ty, syn::Type::Path(p) if p.path.is_ident("u64")) {
            fail(format!(
                "the version field `{}` must be a `u64`",
                field.name
            ));
        }
        stored_under_one_name(
            field,
            "the version field",
            "the version check needs one name",
            &mut fail,
        );
    }
    versions.first().copied()
}

/// What a field DynamoDB reads by name (the version, the expiry) must be:
/// written by serde, under the name it is read by.
fn stored_under_one_name(field: &Field<'_>, what: &str, why: &str, fail: &mut impl FnMut(String)) {
    if field.serde.skipped_by.is_some() {
        fail(format!(
            "{what} `{}` cannot be skipped by serde",
            field.name
        ));
    }
    if field.attribute != field.de_attribute {
        fail(format!(
            "{what} `{}` is written as `{}` but read as `{}`; {why}",
            field.name, field.attribute, field.de_attribute
        ));
    }
}

/// The `#[truss(ttl)]` field: one at most, not the version, stored and read
/// under one name (DynamoDB's TTL reads one attribute). Its type must
/// implement `TtlValue`, which the expansion checks.
fn ttl<'a>(entity: &'a Entity<'a>, errors: &mut Errors) -> Option<&'a Field<'a>> {
    let fields: Vec<&Field> = entity.fields.iter().filter(|f| f.ttl.is_some()).collect();
    for (i, field) in fields.iter().enumerate() {
        let span = field.ttl.unwrap_or_else(proc_macro2::Span::call_site);
        let mut fail = |message: String| errors.push(syn::Error::new(span, message));
        if i > 0 {
            fail(format!(
                "only one field can be `#[truss({TTL})]`: a table's TTL reads one attribute"
            ));
        }
        if field.version.is_some() {
            fail(format!(
                "the expiry `{}` cannot also be the version field",
                field.name
            ));
        }
        stored_under_one_name(field, "the expiry", "TTL reads one attribute", &mut fail);
    }
    fields.first().copied()
}

/// The fields a template names, in order.
pub fn template_fields<'t, 'a>(
    template: &'t Template<'a>,
) -> impl Iterator<Item = &'a Field<'a>> + 't {
    template.segments.iter().filter_map(|s| match s {
        Checked::Field { field, .. } => Some(*field),
        Checked::Literal(_) => None,
    })
}

/// The field marked `created_at` or `updated_at` (`which`): one at most,
/// stored under one name, in no key or index template (a put writes the
/// time of the write there, which would move the item).
fn stamp<'a>(
    entity: &'a Entity<'a>,
    which: &str,
    marked: impl Fn(&Field<'a>) -> Option<proc_macro2::Span>,
    in_a_template: impl Fn(&str) -> bool,
    errors: &mut Errors,
) -> Option<&'a Field<'a>> {
    let fields: Vec<&Field> = entity
        .fields
        .iter()
        .filter(|f| marked(f).is_some())
        .collect();
    for (i, field) in fields.iter().enumerate() {
        let span = marked(field).unwrap_or_else(proc_macro2::Span::call_site);
        let mut fail = |message: String| errors.push(syn::Error::new(span, message));
        if i > 0 {
            fail(format!("only one field can be `#[truss({which})]`"));
        }
        if field.version.is_some() || field.ttl.is_some() {
            fail(format!(
                "`{}` is the version or expiry field; `{which}` is a field of its own",
                field.name
            ));
        }
        if field.created_at.is_some() && field.updated_at.is_some() {
            fail(format!(
                "`{}` cannot be both `created_at` and `updated_at`",
                field.name
            ));
        }
        if in_a_template(&field.name) {
            fail(format!(
                "`{}` is in a key template: a put writes the time of the write to `{which}`, which would move the item; key it by a field of its own",
                field.name
            ));
        }
        stored_under_one_name(
            field,
            &format!("`{which}`"),
            "it is written by name",
            &mut fail,
        );
    }
    fields.first().copied()
}

/// The fields the primary-key templates name, in order of first
/// appearance; the version field may not be one.
fn key_fields<'a>(
    pk: &Template<'a>,
    sk: Option<&Template<'a>>,
    errors: &mut Errors,
) -> Vec<&'a Field<'a>> {
    let mut key_fields: Vec<&Field> = Vec::new();
    for t in std::iter::once(pk).chain(sk) {
        for segment in &t.segments {
            if let Checked::Field { field, .. } = segment {
                if !key_fields.iter().any(|k| k.name == field.name) {
                    key_fields.push(field);
                }
            }
        }
    }
    for field in &key_fields {
        if let Some(span) = field.version {
            errors.push(syn::Error::new(
                span,
                format!("the version field `{}` cannot be part of a key", field.name),
            ));
        }
    }
    key_fields
}

fn template<'a>(
    entity: &'a Entity<'a>,
    lit: &LitStr,
    which: &str,
    allow_option: bool,
    errors: &mut Errors,
) -> Option<Template<'a>> {
    let source = lit.value();
    let segments = match template::parse(&source) {
        Ok(segments) => segments,
        Err(e) => {
            errors.push(syn::Error::new(lit.span(), format!("{which}: {e}")));
            return None;
        }
    };
    let mut checked = Vec::with_capacity(segments.len());
    let mut ok = true;
    for segment in segments {
        match segment {
            Segment::Literal(text) => checked.push(Checked::Literal(text)),
            Segment::Field { prefix, name } => match field(entity, &name, lit, which, allow_option)
            {
                Ok(field) => checked.push(Checked::Field { prefix, field }),
                Err(e) => {
                    errors.push(e);
                    ok = false;
                }
            },
        }
    }
    ok.then_some(Template {
        source,
        segments: checked,
    })
}

fn field<'a>(
    entity: &'a Entity<'a>,
    name: &str,
    lit: &LitStr,
    which: &str,
    allow_option: bool,
) -> syn::Result<&'a Field<'a>> {
    let name = name.trim_start_matches("r#");
    let Some(field) = entity.fields.iter().find(|f| f.name == name) else {
        let mut message = format!("{which}: unknown field `{name}` in `{{{name}}}`");
        match suggestion(name, entity.fields.iter().map(|f| f.name.as_str())) {
            Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
            None => {
                let names: Vec<_> = entity
                    .fields
                    .iter()
                    .map(|f| format!("`{}`", f.name))
                    .collect();
                message.push_str(&format!("; fields are {}", names.join(", ")));
            }
        }
        return Err(syn::Error::new(lit.span(), message));
    };
    if let Some(attr) = field.serde.skipped_by {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{which}: field `{name}` is marked `#[serde({attr})]`, so it cannot be part of a key"
            ),
        ));
    }
    if field.serde.flatten {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{which}: field `{name}` is `#[serde(flatten)]`, so it cannot be part of a key"
            ),
        ));
    }
    if field.option_of.is_some() && !allow_option {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{which}: field `{name}` is an `Option`; primary-key fields must always have a value"
            ),
        ));
    }
    Ok(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["creator_id", "created_at", "title"];
        assert_eq!(
            suggestion("creatr_id", names.into_iter()),
            Some("creator_id")
        );
        assert_eq!(suggestion("titel", names.into_iter()), Some("title"));
        assert_eq!(suggestion("owner", names.into_iter()), None);
        assert_eq!(
            suggestion("owner", ["code", "owner_id"].into_iter()),
            Some("owner_id")
        );
    }
}
