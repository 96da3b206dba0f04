//! Checks the templates against the struct's fields. Every problem becomes
//! a compile error pointing at the template (or the field), and all of them
//! are reported at once.

use crate::ast::{Entity, Field};
use crate::attr::Errors;
use crate::template::{self, Segment};
use syn::LitStr;

/// A template whose placeholders all name usable fields.
pub struct Template<'a> {
    pub source: String,
    pub segments: Vec<Checked<'a>>,
}

pub enum Checked<'a> {
    Literal(String),
    Field(&'a Field<'a>),
}

pub struct Valid<'a> {
    pub entity: &'a Entity<'a>,
    pub pk: Template<'a>,
    pub sk: Option<Template<'a>>,
    pub indexes: Vec<ValidIndex<'a>>,
    /// Fields named by either template, in order of first appearance.
    pub key_fields: Vec<&'a Field<'a>>,
    /// The `#[truss(version)]` field.
    pub version: Option<&'a Field<'a>>,
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
}

pub fn check<'a>(entity: &'a Entity<'a>) -> syn::Result<Valid<'a>> {
    let mut errors = Errors::default();
    let pk = template(entity, &entity.pk, "pk", false, &mut errors);
    let sk = entity
        .sk
        .as_ref()
        .map(|lit| template(entity, lit, "sk", false, &mut errors));
    let mut indexes = Vec::new();
    for (i, index) in entity.indexes.iter().enumerate() {
        let name = index.name.value();
        let accessor: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if !accessor.starts_with(|c: char| c.is_ascii_alphabetic()) {
            errors.push(syn::Error::new(
                index.name.span(),
                "index name must start with a letter: it names the generated accessor",
            ));
            continue;
        }
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
        let which = format!("index `{name}` pk");
        let pk = template(entity, &index.pk, &which, true, &mut errors);
        let which = format!("index `{name}` sk");
        let sk = index
            .sk
            .as_ref()
            .map(|lit| template(entity, lit, &which, true, &mut errors));
        if let (Some(pk), Some(sk)) = (pk, sk.map_or(Some(None), |s| s.map(Some))) {
            indexes.push(ValidIndex {
                name,
                accessor,
                pk_attr: index.pk_attr.clone(),
                sk_attr: sk.is_some().then(|| index.sk_attr.clone()),
                pk,
                sk,
            });
        }
    }
    let versions: Vec<&Field> = entity
        .fields
        .iter()
        .filter(|f| f.version.is_some())
        .collect();
    for (i, field) in versions.iter().enumerate() {
        let span = field.version.unwrap_or_else(proc_macro2::Span::call_site);
        if i > 0 {
            errors.push(syn::Error::new(
                span,
                "only one field can be `#[truss(version)]`",
            ));
        }
        let is_u64 = matches!(field.ty, syn::Type::Path(p) if p.path.is_ident("u64"));
        if !is_u64 {
            errors.push(syn::Error::new(
                span,
                format!("the version field `{}` must be a `u64`", field.name),
            ));
        }
        if field.serde.skipped_by.is_some() {
            errors.push(syn::Error::new(
                span,
                format!(
                    "the version field `{}` cannot be skipped by serde",
                    field.name
                ),
            ));
        }
        if field.attribute != field.de_attribute {
            errors.push(syn::Error::new(
                span,
                format!(
                    "the version field `{}` is written as `{}` but read as `{}`; the version check needs one name",
                    field.name, field.attribute, field.de_attribute
                ),
            ));
        }
    }
    errors.finish()?;
    // With no errors reported, every template was checked.
    let (Some(pk), Some(sk)) = (pk, sk.map_or(Some(None), |s| s.map(Some))) else {
        return Err(syn::Error::new_spanned(&entity.pk, "invalid key template"));
    };
    let mut key_fields: Vec<&Field> = Vec::new();
    for t in std::iter::once(&pk).chain(&sk) {
        for segment in &t.segments {
            if let Checked::Field(f) = segment {
                if !key_fields.iter().any(|k| k.name == f.name) {
                    key_fields.push(f);
                }
            }
        }
    }
    for field in &key_fields {
        if let Some(span) = field.version {
            return Err(syn::Error::new(
                span,
                format!("the version field `{}` cannot be part of a key", field.name),
            ));
        }
    }
    Ok(Valid {
        entity,
        pk,
        sk,
        indexes,
        key_fields,
        version: versions.first().copied(),
    })
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
            Segment::Field(name) => match field(entity, &name, lit, which, allow_option) {
                Ok(f) => checked.push(Checked::Field(f)),
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

/// The closest name within a small edit distance, or else one that extends
/// it or that it extends (`owner` -> `owner_id`).
fn suggestion<'n>(name: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let names: Vec<&str> = names.collect();
    let limit = name.len().div_ceil(3);
    names
        .iter()
        .map(|n| (distance(name, n), *n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
        .or_else(|| {
            names
                .iter()
                .copied()
                .filter(|n| n.len() > 1 && name.len() > 1)
                .find(|n| n.starts_with(name) || name.starts_with(n))
        })
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
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
