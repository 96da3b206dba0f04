//! The derive input, parsed: the struct, its fields and its attributes.

use crate::attr::{self, Errors};
use crate::rename;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type, Visibility};

pub struct Entity<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    /// The entity's name in errors.
    pub name: String,
    pub pk: LitStr,
    pub sk: Option<LitStr>,
    pub fields: Vec<Field<'a>>,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// The Rust name, without `r#`.
    pub name: String,
    /// The attribute name the field is stored under (its serde name).
    pub attribute: String,
    pub serde: attr::SerdeField,
}

impl<'a> Entity<'a> {
    pub fn from_input(input: &'a DeriveInput) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                _ => None,
            },
            _ => None,
        };
        let Some(named) = named else {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "`Entity` can only be derived for structs with named fields",
            ));
        };
        if !input.generics.params.is_empty() {
            errors.push(syn::Error::new_spanned(
                &input.generics,
                "`Entity` cannot be derived for generic structs",
            ));
        }
        let (truss, serde) = attr::container(&input.attrs, &mut errors);
        if let Some(rule) = &serde.rename_all {
            if rename::apply(&rule.value(), "x").is_none() {
                errors.push(syn::Error::new(
                    rule.span(),
                    "unknown serde `rename_all` rule",
                ));
            }
        }
        let rule = serde.rename_all.as_ref().map(LitStr::value);
        let fields = named
            .named
            .iter()
            .filter_map(|f| {
                let ident = f.ident.as_ref()?;
                let name = ident.to_string().trim_start_matches("r#").to_owned();
                let serde = attr::field(&f.attrs);
                let attribute = serde.rename.clone().unwrap_or_else(|| {
                    rule.as_deref()
                        .and_then(|r| rename::apply(r, &name))
                        .unwrap_or_else(|| name.clone())
                });
                Some(Field {
                    ident,
                    ty: &f.ty,
                    name,
                    attribute,
                    serde,
                })
            })
            .collect();
        let pk = match truss.pk {
            Some(pk) => Some(pk),
            None => {
                errors.push(syn::Error::new_spanned(
                    &input.ident,
                    "missing partition-key template: add `#[truss(pk = \"PREFIX#{field}\")]`",
                ));
                None
            }
        };
        errors.finish()?;
        let pk = pk.ok_or_else(|| syn::Error::new_spanned(&input.ident, "missing pk"))?;
        Ok(Entity {
            ident: &input.ident,
            vis: &input.vis,
            name: truss
                .name
                .map(|n| n.value())
                .unwrap_or_else(|| input.ident.to_string()),
            pk,
            sk: truss.sk,
            fields,
        })
    }
}
