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
    /// Fields named by either template, in order of first appearance.
    pub key_fields: Vec<&'a Field<'a>>,
}

pub fn check<'a>(entity: &'a Entity<'a>) -> syn::Result<Valid<'a>> {
    let mut errors = Errors::default();
    let pk = template(entity, &entity.pk, "pk", &mut errors);
    let sk = entity
        .sk
        .as_ref()
        .map(|lit| template(entity, lit, "sk", &mut errors));
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
    Ok(Valid {
        entity,
        pk,
        sk,
        key_fields,
    })
}

fn template<'a>(
    entity: &'a Entity<'a>,
    lit: &LitStr,
    which: &str,
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
            Segment::Field(name) => match field(entity, &name, lit, which) {
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
    if is_option(field.ty) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{which}: field `{name}` is an `Option`; primary-key fields must always have a value"
            ),
        ));
    }
    Ok(field)
}

fn is_option(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        syn::Type::Group(g) => is_option(&g.elem),
        syn::Type::Paren(p) => is_option(&p.elem),
        _ => false,
    }
}

/// The closest name within a small edit distance.
fn suggestion<'n>(name: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let limit = name.len().div_ceil(3);
    names
        .map(|n| (distance(name, n), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
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
    }
}
