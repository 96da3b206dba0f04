//! Derive macros for [truss-model](https://docs.rs/truss-model). Use them
//! through `truss_model`, which re-exports them with documentation.
//!
//! The derive works in three steps, each in its own module: `ast` parses
//! the input and its attributes, `valid` checks the templates against the
//! fields and collects every error, `expand` generates code.

mod alphabet;
mod ast;
mod attr;
mod collection;
mod expand;
mod key_part;
mod rename;
mod template;
mod valid;

use proc_macro::TokenStream;

/// Derives `truss_model::Entity`; documented in `truss_model`.
#[proc_macro_derive(Entity, attributes(truss))]
pub fn derive_entity(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    entity(&input)
        .unwrap_or_else(|error| {
            let mut tokens = error.into_compile_error();
            tokens.extend(expand::fallback(&input));
            tokens
        })
        .into()
}

/// Derives `truss_model::KeyPart`; documented in `truss_model`.
#[proc_macro_derive(KeyPart)]
pub fn derive_key_part(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    key_part::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `truss_model::Collection`; documented in `truss_model`.
#[proc_macro_derive(Collection, attributes(truss))]
pub fn derive_collection(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    collection::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn entity(input: &syn::DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let parsed = ast::Entity::from_input(input)?;
    let checked = valid::check(&parsed)?;
    Ok(expand::entity(&checked))
}
