//! The item codec the `Entity` and `Nested` derives generate: a struct's
//! fields written straight into an attribute map and read back from it,
//! with serde's names and serde's rules for the attributes it follows
//! (`rename`, `rename_all`, `alias`, `default`, `skip*`,
//! `skip_serializing_if`, `with`, `serialize_with`, `deserialize_with`).
//! Each field's value goes through the library's direct code when its type
//! has one (`Stored`), through serde otherwise. A container or field
//! attribute it does not follow, or `#[truss(codec = "serde")]`, leaves the
//! whole type to serde.

use crate::ast::Field;
use crate::attr::SerdeContainer;
use crate::ctxt::Errors;
use crate::symbol::CODEC;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::LitStr;

/// Who writes and reads the type's items.
pub enum Choice {
    Generated,
    /// serde, why, and where (the attribute that chose it, for the error
    /// when the type has no serde impls).
    Serde(String, proc_macro2::Span),
}

/// Generated, unless `codec = "serde"` says otherwise or an attribute
/// the generated code does not follow is present.
pub fn choose(
    codec: Option<&LitStr>,
    container: &SerdeContainer,
    fields: &[Field<'_>],
    errors: &mut Errors,
) -> Choice {
    if let Some(codec) = codec {
        if codec.value() != "serde" {
            errors.push(syn::Error::new(
                codec.span(),
                format!("`{CODEC}` takes \"serde\" (the type's own Serialize and Deserialize); without it, the derive generates the codec"),
            ));
        }
        return Choice::Serde(format!("`#[truss({CODEC} = \"serde\")]`"), codec.span());
    }
    if let Some(attr) = &container.unsupported {
        return Choice::Serde(
            format!("`#[serde({attr})]` on the type"),
            proc_macro2::Span::call_site(),
        );
    }
    if let Some(field) = fields.iter().find(|f| f.serde.unsupported.is_some()) {
        let attr = field.serde.unsupported.as_deref().unwrap_or_default();
        return Choice::Serde(
            format!("`#[serde({attr})]` on `{}`", field.name),
            field.ident.span(),
        );
    }
    Choice::Generated
}

/// The statements writing `self`'s fields into `__truss_item` (an `Item`)
/// and adding their sizes, counted as a map's entries, to `__truss_size`.
/// The generated code calls small runtime functions (`__t::put`, ...) to
/// stay short: it is compiled in every user crate.
pub fn encode(fields: &[Field<'_>]) -> TokenStream {
    let writes = fields
        .iter()
        .filter(|f| !f.serde.skip_serializing)
        .map(|f| {
            let (ident, ty, name) = (f.ident, f.ty, &f.attribute);
            let value = match &f.serde.serialize_with {
                Some(path) => quote! {{
                    struct __TrussWith<'a>(&'a #ty);
                    impl __t::serde::Serialize for __TrussWith<'_> {
                        fn serialize<__S: __t::serde::Serializer>(
                            &self,
                            serializer: __S,
                        ) -> ::core::result::Result<__S::Ok, __S::Error> {
                            #path(self.0, serializer)
                        }
                    }
                    __t::serde_encode(&__TrussWith(&self.#ident))
                }},
                None => quote! { (&__t::of(&self.#ident)).encode(&self.#ident) },
            };
            let write = quote! { __t::put(&mut __truss_item, &mut __truss_size, #name, #value)?; };
            match &f.serde.skip_serializing_if {
                Some(skip) => quote! { if !#skip(&self.#ident) { #write } },
                None => write,
            }
        });
    quote! {
        #[allow(unused_imports)]
        use ::truss_model::__private::{self as __t, ViaSerde as _, ViaStored as _};
        #(#writes)*
    }
}

/// An expression reading `__truss_item` (an `Item`, consumed) into
/// `Self`, as a `Result<Self, CodecError>`: the entries put in their
/// names' places, then read in the order the type declares its fields
/// ([`decode_scattered`]), or, for a type of few names, one pass with a
/// `match` on the names ([`decode_matching`]); then every field not found,
/// by serde's rule for it.
///
/// With `keys` (an entity's key fields), the item is a whole item: every
/// attribute that is none of the fields goes to `__truss_keys` (an
/// `ItemKeys`), and when the pass ends with a key field unread, the key
/// fields recovered from the keys are read in a second round (only those
/// not read already). Without, other attributes are dropped.
pub fn decode(fields: &[Field<'_>], keys: Option<&[&syn::Ident]>) -> TokenStream {
    let places = Places::of(fields);
    let table = (places.names.len() > MATCHED)
        .then(|| places.table())
        .flatten();
    match table {
        Some(table) => decode_scattered(fields, keys, &places, &table),
        None => decode_matching(fields, keys, &places),
    }
}

/// Up to this many names, a type is read with a `match` as its entries
/// come: a few comparisons cost less than the places the scattered
/// reading fills and empties (`BENCHMARKS.md` §1, over random code
/// placements: an item of two names read in 253 ns with the `match` and
/// 280 ns scattered; of six names, 1.23x of hand-written with the `match`
/// and 1.15x and 1.17x scattered; of ten, 0.97x and 0.82x).
const MATCHED: usize = 4;

/// The names a type reads (each field's name, then its aliases), numbered
/// in that order: the places of the scattered reading; the `match` of the
/// one-pass reading has an arm per name.
struct Places {
    /// Per name: its number is its index; the field's index and the name.
    names: Vec<(usize, String)>,
}

/// The derive's table from a name's key to its place: `size` entries
/// (a power of two), a key's entry at `(key * multiplier) >> shift`.
struct PlaceTable {
    multiplier: u64,
    shift: u32,
    entries: Vec<(u64, usize)>,
}

impl Places {
    fn of(fields: &[Field<'_>]) -> Self {
        let names = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.serde.skip_deserializing)
            .flat_map(|(i, f)| {
                std::iter::once(f.de_attribute.clone())
                    .chain(f.serde.aliases.iter().map(LitStr::value))
                    .map(move |name| (i, name))
            })
            .collect();
        Places { names }
    }

    /// A table in which every name's key has an entry of its own, found by
    /// trying multipliers for tables of 2 to 64 times as many entries as
    /// names; `None` when two names share a key (names of more than seven
    /// bytes with the same length, first three and last four bytes) or no
    /// multiplier is found: those types are read with a `match`.
    fn table(&self) -> Option<PlaceTable> {
        let keys: Vec<u64> = self.names.iter().map(|(_, n)| name_key(n)).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != keys.len() {
            return None;
        }
        let least = (keys.len().max(1)).next_power_of_two().trailing_zeros() + 1;
        // Multipliers from a fixed sequence (SplitMix64), odd: the same
        // table for the same names on every build.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) | 1
        };
        for bits in least..=least + 5 {
            let shift = 64 - bits;
            let size = 1usize << bits;
            for _ in 0..4096 {
                let multiplier = next();
                let mut entries = vec![(u64::MAX, usize::MAX); size];
                let fits = keys.iter().enumerate().all(|(place, key)| {
                    let at = (key.wrapping_mul(multiplier) >> shift) as usize;
                    let free = entries[at].1 == usize::MAX;
                    entries[at] = (*key, place);
                    free
                });
                if fits {
                    return Some(PlaceTable {
                        multiplier,
                        shift,
                        entries,
                    });
                }
            }
        }
        None
    }
}

/// [`decode`] in two steps: every entry put in its name's place (the
/// place computed from the name's key with the derive's table, no branch
/// on which name it is), then the fields read place by place in the order
/// the type declares them. The branches of the second step follow the
/// type, not the map's order, which differs in every item.
fn decode_scattered(
    fields: &[Field<'_>],
    keys: Option<&[&syn::Ident]>,
    places: &Places,
    table: &PlaceTable,
) -> TokenStream {
    let slots = field_slots(fields);
    let failed = if keys.is_some() {
        quote! { return __t::Err(__truss_scatter.failed(__truss_keys, __truss_error)) }
    } else {
        quote! { return __t::Err(__truss_error) }
    };
    let arms = places
        .names
        .iter()
        .enumerate()
        .map(|(place, (i, _))| field_arm(place, *i, &fields[*i], keys));
    // The places in order: the `match` is on a number that follows the
    // type (0, 1, 2, ... less the names the item lacks), the same from one
    // item to the next, and every field's error has one way out.
    let reads = quote! {
        while let __t::Some((__truss_place, __truss_name, __truss_value)) = __truss_scatter.next_field() {
            let __truss_step = match __truss_place {
                #(#arms)*
                _ => __t::Ok(()),
            };
            if let __t::Err(__truss_error) = __truss_step {
                #failed;
            }
        }
    };
    let values = field_values(fields);
    let names = places.names.iter().map(|(_, name)| name);
    let count = places.names.len();
    let size = table.entries.len();
    // The table's entries of the names, in the names' order.
    let mut at = vec![0usize; count];
    for (entry, (_, place)) in table.entries.iter().enumerate() {
        if let Some(at) = at.get_mut(*place) {
            *at = entry;
        }
    }
    let entries = at.iter().map(|at| {
        let key = proc_macro2::Literal::u64_suffixed(table.entries[*at].0);
        quote! { (#at, #key) }
    });
    let (multiplier, shift) = (
        proc_macro2::Literal::u64_suffixed(table.multiplier),
        proc_macro2::Literal::u32_suffixed(table.shift),
    );
    let prelude = quote! {
        #[allow(unused_imports)]
        use ::truss_model::__private::{self as __t, ViaSerde as _, ViaStored as _};
        static __TRUSS_PLACES: [(u64, usize); #size] = __t::places(&[#(#entries),*]);
        static __TRUSS_NAMES: [&str; #count] = [#(#names),*];
        #(#slots)*
        let mut __truss_places: [__t::Entry; #count + __t::OTHERS] =
            [const { ::core::option::Option::None }; #count + __t::OTHERS];
        let mut __truss_scatter = __t::Scatter::new(&mut __truss_places, &__TRUSS_NAMES);
    };
    let scatter = quote! {
        for (__truss_name, __truss_value) in __truss_entries {
            let __truss_key = __t::name_key(&__truss_name);
            let (__truss_found, __truss_place) =
                __TRUSS_PLACES[(__truss_key.wrapping_mul(#multiplier) >> #shift) as usize];
            let __truss_place = if __truss_found == __truss_key { __truss_place } else { __t::OTHER };
            __truss_scatter.put(__truss_place, __truss_name, __truss_key, __truss_value);
        }
    };
    let Some(keys) = keys else {
        return quote! {{
            #prelude
            let __truss_entries = __truss_item.into_iter();
            #scatter
            #reads
            __truss_scatter.others(::core::option::Option::None);
            ::core::result::Result::Ok(Self { #(#values),* })
        }};
    };
    let unread = key_unread(fields, keys);
    quote! {{
        #prelude
        let mut __truss_entries = __truss_item.into_iter();
        let mut __truss_refill = false;
        loop {
            #scatter
            #reads
            // The attributes that are no field's, after the fields (a read
            // that fails hands them over with the rest); the second round
            // (key fields recovered from the keys) has none.
            __truss_scatter.others(if __truss_refill {
                ::core::option::Option::None
            } else {
                ::core::option::Option::Some(&mut *__truss_keys)
            });
            if __truss_refill || !(#unread) {
                break;
            }
            __truss_refill = true;
            __truss_entries = __truss_keys.recovered()?.into_iter();
        }
        ::core::result::Result::Ok(Self { #(#values),* })
    }}
}

/// The second round of the one-pass read of a whole item: the key fields
/// the item did not hold, read from the attributes recovered from its keys
/// (which hold key fields only, so only their names are matched). A round
/// of its own after the pass, not the pass's loop refilled
/// (`BENCHMARKS.md` §1, "One loop, one iterator").
fn recovered_round(fields: &[Field<'_>], keys: &[&syn::Ident], places: &Places) -> TokenStream {
    let names = places
        .names
        .iter()
        .filter(|(i, _)| keys.contains(&fields[*i].ident))
        .map(|(i, name)| quote! { #name => #i, });
    // The arms of the scattered read's refilled loop, in a round that is
    // always the second.
    let arms = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.serde.skip_deserializing && keys.contains(&f.ident))
        .map(|(i, f)| field_arm(i, i, f, Some(keys)));
    quote! {
        let __truss_refill = true;
        for (__truss_name, __truss_value) in __truss_keys.recovered()? {
            let __truss_field: usize = match __truss_name.as_str() {
                #(#names)*
                _ => usize::MAX,
            };
            match __truss_field {
                #(#arms)*
                _ => ::core::result::Result::Ok(()),
            }?;
        }
    }
}

/// Each read field's slot, empty: `let mut __truss_<i> = slot::<T>();`.
fn field_slots<'a>(fields: &'a [Field<'a>]) -> impl Iterator<Item = TokenStream> + 'a {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.serde.skip_deserializing)
        .map(|(i, f)| {
            let (slot, ty) = (format_ident!("__truss_{}", i), f.ty);
            quote! { let mut #slot = __t::slot::<#ty>(); }
        })
}

/// Whether a key field is unread when the item's entries are read (then
/// the key fields recovered from the keys are read in a second round).
fn key_unread(fields: &[Field<'_>], keys: &[&syn::Ident]) -> TokenStream {
    let unread = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.serde.skip_deserializing && keys.contains(&f.ident))
        .map(|(i, _)| {
            let slot = format_ident!("__truss_{}", i);
            quote! { #slot.is_none() }
        });
    quote! { false #(|| #unread)* }
}

/// The `match` arm `number => ...` reading field `i`: with `keys`, a key
/// field is read in the second round (recovered from the keys, where
/// `__truss_refill` is true) only when the item did not hold it.
fn field_arm(number: usize, i: usize, f: &Field<'_>, keys: Option<&[&syn::Ident]>) -> TokenStream {
    let slot = format_ident!("__truss_{}", i);
    let refill = keys
        .is_some_and(|keys| keys.contains(&f.ident))
        .then(|| quote! { if __truss_refill && #slot.is_some() { continue; } });
    let read = field_read(f, &slot);
    quote! {
        #number => {
            #refill
            #read
        }
    }
}

/// The statement reading `__truss_value` (found under `__truss_name`)
/// into the field's slot, as a `Result<(), CodecError>`: two names of one
/// field in one item are serde's error.
fn field_read(f: &Field<'_>, slot: &syn::Ident) -> TokenStream {
    let (ty, name) = (f.ty, &f.de_attribute);
    let value = match &f.serde.deserialize_with {
        Some(path) => quote! {{
            struct __TrussWith(#ty);
            impl<'de> __t::serde::Deserialize<'de> for __TrussWith {
                fn deserialize<__D: __t::serde::Deserializer<'de>>(
                    deserializer: __D,
                ) -> ::core::result::Result<Self, __D::Error> {
                    #path(deserializer).map(__TrussWith)
                }
            }
            __t::serde_decode::<__TrussWith>(__truss_value).map(|w| w.0)
        }},
        None => quote! { (&__t::via(&#slot)).decode(__truss_value) },
    };
    let read = quote! {{
        let __truss_read = #value;
        __t::set(&mut #slot, __truss_read, __truss_name)
    }};
    if f.serde.aliases.is_empty() {
        read
    } else {
        quote! { __t::first(&#slot, #name).and_then(|()| #read) }
    }
}

/// Each field's value from its slot, by serde's rule for a missing one
/// (`default`, else the type's own: `None` for an `Option`, an error
/// otherwise); a field skipped in reading takes its default.
fn field_values<'a>(fields: &'a [Field<'a>]) -> impl Iterator<Item = TokenStream> + 'a {
    fields.iter().enumerate().map(|(i, f)| {
        let (ident, name) = (f.ident, &f.de_attribute);
        let default = match &f.serde.default {
            Some(Some(path)) => quote! { #path() },
            _ => quote! { ::core::default::Default::default() },
        };
        if f.serde.skip_deserializing {
            return quote! { #ident: #default };
        }
        let slot = format_ident!("__truss_{}", i);
        // A `match` written out, not a runtime helper taking a closure:
        // a helper is one more function per field compiled in the user's
        // crate.
        let missing = if f.serde.default.is_some() {
            default
        } else if f.serde.deserialize_with.is_some() {
            quote! { return ::core::result::Result::Err(__t::missing_field(#name)) }
        } else {
            quote! { (&__t::via(&#slot)).missing(#name)? }
        };
        quote! { #ident: match #slot { __t::Some(__v) => __v, __t::None => #missing } }
    })
}

/// [`decode`] with a `match` on each entry's name as it comes: for types
/// of few names and those whose names the derive's table cannot tell
/// apart.
fn decode_matching(
    fields: &[Field<'_>],
    keys: Option<&[&syn::Ident]>,
    places: &Places,
) -> TokenStream {
    let slots = field_slots(fields);
    // Each name (and alias) to its field's number by a `match` on the
    // string: for a few names, a switch on the length and a comparison or
    // two, which cost less than computing a key for every name
    // (`BENCHMARKS.md` §1, "The read of a few names").
    let names = places.names.iter().map(|(i, name)| quote! { #name => #i, });
    let arms = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.serde.skip_deserializing)
        .map(|(i, f)| field_arm(i, i, f, None));
    let values = field_values(fields);
    let dispatch = quote! {
        let __truss_field: usize = match __truss_name.as_str() {
            #(#names)*
            _ => usize::MAX,
        };
    };
    let Some(keys) = keys else {
        return quote! {{
            #[allow(unused_imports)]
            use ::truss_model::__private::{self as __t, ViaSerde as _, ViaStored as _};
            #(#slots)*
            for (__truss_name, __truss_value) in __truss_item {
                #dispatch
                match __truss_field {
                    #(#arms)*
                    _ => ::core::result::Result::Ok(()),
                }?;
            }
            ::core::result::Result::Ok(Self { #(#values),* })
        }};
    };
    let unread = key_unread(fields, keys);
    let recovered = recovered_round(fields, keys, places);
    // The pass, then the key fields recovered in a round of their own: the
    // pass's arms do not ask which round they are in (`BENCHMARKS.md` §1,
    // "One loop, one iterator").
    quote! {{
        #[allow(unused_imports)]
        use ::truss_model::__private::{self as __t, ViaSerde as _, ViaStored as _};
        #(#slots)*
        let mut __truss_entries = __truss_item.into_iter();
        while let ::core::option::Option::Some((__truss_name, __truss_value)) = __truss_entries.next() {
            #dispatch
            let __truss_step = match __truss_field {
                #(#arms)*
                // A string taken out here, where the entry was met: moved
                // whole, the value is copied in a way that stalls
                // (`ItemKeys::other_string`).
                _ => {
                    match __truss_value {
                        ::truss_model::aws_sdk_dynamodb::types::AttributeValue::S(__truss_value) => {
                            __truss_keys.other_string(__truss_name, __truss_value)
                        }
                        __truss_value => __truss_keys.other(__truss_name, __truss_value),
                    }
                    ::core::result::Result::Ok(())
                }
            };
            if let ::core::result::Result::Err(__truss_error) = __truss_step {
                // The keys are still wanted, to name the item in the error.
                return ::core::result::Result::Err(__truss_keys.failed(__truss_error, __truss_entries));
            }
        }
        if #unread {
            #recovered
        }
        ::core::result::Result::Ok(Self { #(#values),* })
    }}
}

/// The key of an attribute name, as `truss_model::__private::name_key`
/// computes it at run time: the length in the top byte, the first three
/// bytes in the low ones and the last four between them. Names of up to 7
/// bytes have keys of their own.
pub(crate) fn name_key(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let len = bytes.len();
    let mut key = (len.min(255) as u64) << 56;
    for (i, b) in bytes.iter().take(3).enumerate() {
        key |= u64::from(*b) << (8 * i);
    }
    for (i, b) in bytes[len.saturating_sub(4)..].iter().enumerate() {
        key |= u64::from(*b) << (24 + 8 * i);
    }
    key
}
