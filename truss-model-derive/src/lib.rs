//! Derive macros for [truss-model](https://docs.rs/truss-model). Use them
//! through `truss_model`, which re-exports them with documentation.
//!
//! Each derive works in three steps: parse (`ast`, `attr`; the keywords in
//! `symbol`), validate (`valid`, `template`, `alphabet`), expand (`expand`).
//! Every error of an input is collected in one context (`ctxt`) through
//! both first steps and reported together, next to a fallback impl so that
//! one mistake gives one message. `collection` and `key_part` hold the
//! `Collection` and `KeyPart` derives, in the same three steps;
//! `attribute_index` checks and expands indexes over attributes.

#![deny(clippy::too_many_lines)]

mod alphabet;
mod ast;
mod attr;
mod attribute_index;
mod codec;
mod collection;
mod ctxt;
mod expand;
mod fallback;
mod key_part;
mod names;
mod nested;
mod projection;
mod rename;
mod revision;
mod symbol;
mod template;
mod valid;
mod vector;

use proc_macro::TokenStream;

/// Derives `truss_model::Entity`; documented in `truss_model`.
#[proc_macro_derive(Entity, attributes(truss, serde))]
pub fn derive_entity(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    entity(&input)
        .unwrap_or_else(|error| {
            let mut tokens = error.into_compile_error();
            tokens.extend(fallback::fallback(&input));
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

/// Derives `truss_model::Nested`; documented in `truss_model`.
#[proc_macro_derive(Nested, attributes(truss))]
pub fn derive_nested(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    nested::derive(&input).into()
}

/// Derives `truss_model::Projection`; documented in `truss_model`.
#[proc_macro_derive(Projection, attributes(truss))]
pub fn derive_projection(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    projection::derive(&input).into()
}

/// Derives `truss_model::Collection`; documented in `truss_model`.
#[proc_macro_derive(Collection, attributes(truss))]
pub fn derive_collection(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    collection::derive(&input).into()
}

/// Parses and checks the whole input, reporting every error together, then
/// expands.
fn entity(input: &syn::DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let mut errors = ctxt::Errors::default();
    let parsed = ast::Entity::from_input(input, &mut errors);
    let checked = parsed.as_ref().and_then(|p| valid::check(p, &mut errors));
    errors.finish()?;
    match checked {
        Some(checked) => Ok(expand::entity(&checked)),
        None => Err(syn::Error::new_spanned(&input.ident, "invalid entity")),
    }
}

/// The code generated for one typical entity stays small: generated code
/// is compiled in every user crate on every build (a crate of 10 entities
/// rebuilt in 1.31x the time of hand-written keys before this budget,
/// 1.11x after, by `cargo check`). By `cargo build`, which also compiles
/// what the library instantiates per entity, the same ten entities with
/// their operations rebuild in 1.30x the time of raw SDK calls and
/// serde_dynamo (`scripts/build-cost`, BENCHMARKS.md §9, 2026-12-04): the
/// library's operation bodies are compiled once, not per entity, and this
/// budget keeps the generated part from growing back.
/// `cargo test -p truss-model-derive --lib emitted -- --nocapture |
/// rustfmt` prints it.
#[cfg(test)]
mod emitted {
    fn tokens(stream: proc_macro2::TokenStream) -> usize {
        stream
            .into_iter()
            .map(|tree| match tree {
                proc_macro2::TokenTree::Group(group) => 1 + tokens(group.stream()),
                _ => 1,
            })
            .sum()
    }

    /// The keys the runtime computes for the same names (`truss-model`,
    /// `name_keys_are_the_derives`).
    #[test]
    fn name_keys_are_the_runtimes() {
        use super::codec::name_key;
        assert_eq!(name_key(""), 0);
        assert_eq!(name_key("PK"), 0x0200_004b_5000_4b50);
        assert_eq!(name_key("id"), 0x0200_0064_6900_6469);
        assert_eq!(name_key("code"), 0x0465_646f_6364_6f63);
        assert_eq!(name_key("creator_id"), 0x0a64_695f_7265_7263);
    }

    /// A type of more than four names is read in two steps (its entries
    /// put in places, then its fields in order); one of up to four
    /// names, or whose long names share a dispatch key, with a `match` on
    /// the names.
    #[test]
    fn the_read_is_scattered_past_four_names_told_apart() {
        let scattered = |input: syn::DeriveInput| {
            super::entity(&input)
                .expect("expands")
                .to_string()
                .contains("Scatter")
        };
        assert!(!scattered(syn::parse_quote! {
            #[truss(pk = "LINK#{code}", sk = "META")]
            pub struct Link { code: String, a: String, b: String, c: String }
        }));
        assert!(scattered(syn::parse_quote! {
            #[truss(pk = "LINK#{code}", sk = "META")]
            pub struct Link { code: String, a: String, b: String, c: String, d: String }
        }));
        // An alias is a name too.
        assert!(scattered(syn::parse_quote! {
            #[truss(pk = "LINK#{code}", sk = "META")]
            pub struct Link { code: String, a: String, b: String, #[serde(alias = "cc")] c: String }
        }));
        // `home_city_name` and `home_town_name`: one key.
        assert!(!scattered(syn::parse_quote! {
            #[truss(pk = "A#{id}", sk = "A")]
            pub struct Account {
                id: String,
                home_city_name: String,
                home_town_name: String,
                region: String,
                plan: String,
            }
        }));
    }

    #[test]
    fn emitted_code_per_entity_stays_small() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[truss(
                pk = "CREATOR#{creator_id}",
                sk = "CLIP#{video_id}#{created_at}",
                index(name = "GSI1", pk = "VIDEO#{video_id}", sk = "CLIP#{created_at}")
            )]
            #[serde(rename_all = "camelCase")]
            pub struct Clip {
                pub creator_id: String,
                pub video_id: String,
                pub created_at: DateTime<Utc>,
                pub title: String,
                pub virality: f64,
                pub duration_secs: u32,
                pub views: u64,
                pub published: bool,
                pub platforms: Vec<String>,
                #[truss(version)]
                pub version: u64,
            }
        };
        let expanded = super::entity(&input).expect("expands");
        println!("{expanded}");
        let count = tokens(expanded);
        // 2,278 tokens when set; the old expansion (352 formatted lines) was
        // cut to 256 lines, and this keeps it near there. 2,520 once the
        // contract types moved under `__private` (longer paths, same code).
        // 4,062 with the generated item codec (2026-12-03): about 150
        // tokens per field, each field a call of a small runtime function
        // when written (`put`) and three when read (`slot`, `set`,
        // `value`), the type named once, and one integer key per name to
        // dispatch on; the codec's loops and checks live in the runtime.
        // 4,329 with the one-pass read (2026-12-04): the loop hands the
        // attributes that are no field to the library (the keys, read
        // without a lookup by name), asks it for the key fields an item
        // lacks, and reads a key field a second time only when the item
        // did not hold it.
        // 4,545 with the in-place key check (2026-12-04): each primary-key
        // template as steps that strip its literals and its fields'
        // segments from the stored key (`strip_encoded`), so a read checks
        // its keys without writing them; about 70 tokens per template
        // field. 4,735 with the index keys checked the same way: one
        // function per entity with indexes, the steps of each index's
        // templates (this entity has one GSI of two fields).
        // 4,835 with each field's absence written out as a `match` on its
        // slot (2026-12-04): more tokens than the call of a runtime helper
        // with a closure, but less compiled code per entity (the helper and
        // the closure were two functions per field in the user's crate:
        // the ten-entity program of `scripts/build-cost` reads with 839
        // LLVM lines per entity instead of 1,108 plus 8 helpers).
        // 4,863 with the read in two steps (2026-12-05): a type of more
        // than four names puts each entry in its name's place by a table
        // (here one `(entry, key)` pair per name, the table built by a
        // `const fn`) and the names listed once, instead of one dispatch
        // arm per key; the fields' arms are those of the `match` before,
        // on the place's number. A first version that read each place
        // with its own error return was 5,179 tokens and 2,794 more LLVM
        // IR lines per entity in a debug build.
        // 4,940 with `__serde` (2026-12-05): an entity no longer needs
        // serde impls, so `check-codec` asks each one whether it has them,
        // by a probe the derive writes (it needs the concrete type) in a
        // generic function, compiled only where the check calls it. Users
        // who drop the serde derives save far more than these tokens
        // (`BENCHMARKS.md` §9).
        const BUDGET: usize = 5_000;
        assert!(
            count <= BUDGET,
            "{count} tokens, over the budget of {BUDGET}"
        );
    }
}
