//! The item codec the `Entity` and `Nested` derives generate: a struct's
//! fields written straight into an attribute map and read back in one pass
//! over it, with serde's names and serde's rules for the attributes it
//! follows (`rename`, `rename_all`, `alias`, `default`, `skip*`,
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
    /// serde, and why.
    Serde(String),
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
        return Choice::Serde(format!("`#[truss({CODEC} = \"serde\")]`"));
    }
    if let Some(attr) = &container.unsupported {
        return Choice::Serde(format!("`#[serde({attr})]` on the type"));
    }
    if let Some(field) = fields.iter().find(|f| f.serde.unsupported.is_some()) {
        let attr = field.serde.unsupported.as_deref().unwrap_or_default();
        return Choice::Serde(format!("`#[serde({attr})]` on `{}`", field.name));
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
/// `Self`, as a `Result<Self, CodecError>`: one pass over the entries with
/// a `match` on their names, then every field not found by serde's rule
/// for it.
///
/// With `keys` (an entity's key fields), the item is a whole item: every
/// attribute that is none of the fields goes to `__truss_keys` (an
/// `ItemKeys`), and when the pass ends with a key field unread, the key
/// fields recovered from the keys are read in a second round (only those
/// not read already). Without, other attributes are dropped.
pub fn decode(fields: &[Field<'_>], keys: Option<&[&syn::Ident]>) -> TokenStream {
    let slot = |i: usize| format_ident!("__truss_{}", i);
    let read = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.serde.skip_deserializing);
    let slots = read.clone().map(|(i, f)| {
        let (slot, ty) = (slot(i), f.ty);
        quote! { let mut #slot = __t::slot::<#ty>(); }
    });
    // Each name (and alias) to its field's number, by a key the runtime
    // computes from the name's length and first and last bytes: one
    // integer `match` (a jump table or a few comparisons) instead of one
    // string comparison per field; names longer than 7 bytes, whose key
    // does not identify them, are compared in full within their key.
    let mut keyed: std::collections::BTreeMap<u64, Vec<(String, usize)>> = Default::default();
    for (i, f) in read.clone() {
        let names = std::iter::once(f.de_attribute.clone())
            .chain(f.serde.aliases.iter().map(LitStr::value));
        for name in names {
            keyed.entry(name_key(&name)).or_default().push((name, i));
        }
    }
    let lookups = keyed.iter().map(|(key, names)| {
        let key = proc_macro2::Literal::u64_suffixed(*key);
        match &names[..] {
            [(name, i)] if name.len() <= 7 => quote! { #key => #i, },
            _ => {
                let (names, numbers): (Vec<_>, Vec<_>) = names.iter().cloned().unzip();
                quote! { #key => match __truss_name.as_str() { #(#names => #numbers,)* _ => usize::MAX }, }
            }
        }
    });
    let is_key = |f: &Field<'_>| keys.is_some_and(|keys| keys.contains(&f.ident));
    let arms = read.clone().map(|(i, f)| {
        let (slot, ty, name) = (slot(i), f.ty, &f.de_attribute);
        // Recovered from the keys: only when not read from the item.
        let refill =
            is_key(f).then(|| quote! { if __truss_refill && #slot.is_some() { continue; } });
        let aliases = &f.serde.aliases;
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
        // Two names of one field in one item: serde's error.
        let read = quote! {{
            let __truss_read = #value;
            __t::set(&mut #slot, __truss_read, __truss_name)
        }};
        let read = if aliases.is_empty() {
            read
        } else {
            quote! { __t::first(&#slot, #name).and_then(|()| #read) }
        };
        quote! {
            #i => {
                #refill
                #read
            }
        }
    });
    let values = fields.iter().enumerate().map(|(i, f)| {
        let (ident, name) = (f.ident, &f.de_attribute);
        let default = match &f.serde.default {
            Some(Some(path)) => quote! { #path() },
            _ => quote! { ::core::default::Default::default() },
        };
        if f.serde.skip_deserializing {
            return quote! { #ident: #default };
        }
        let slot = slot(i);
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
    });
    let dispatch = quote! {
        let __truss_name_key = __t::name_key(&__truss_name);
        let __truss_field: usize = match __truss_name_key {
            #(#lookups)*
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
    // Whether a key field is unread when the item's entries end.
    let unread = read
        .clone()
        .filter(|(_, f)| keys.contains(&f.ident))
        .map(|(i, _)| {
            let slot = slot(i);
            quote! { #slot.is_none() }
        });
    let unread = quote! { false #(|| #unread)* };
    quote! {{
        #[allow(unused_imports)]
        use ::truss_model::__private::{self as __t, ViaSerde as _, ViaStored as _};
        #(#slots)*
        let mut __truss_entries = __truss_item.into_iter();
        let mut __truss_refill = false;
        loop {
            let (__truss_name, __truss_value) = match __truss_entries.next() {
                ::core::option::Option::Some(entry) => entry,
                ::core::option::Option::None => {
                    if __truss_refill || !(#unread) {
                        break;
                    }
                    __truss_refill = true;
                    __truss_entries = __truss_keys.recovered()?.into_iter();
                    continue;
                }
            };
            #dispatch
            let __truss_step = match __truss_field {
                #(#arms)*
                _ => {
                    __truss_keys.other_keyed(__truss_name, __truss_name_key, __truss_value);
                    ::core::result::Result::Ok(())
                }
            };
            if let ::core::result::Result::Err(__truss_error) = __truss_step {
                // The keys are still wanted, to name the item in the error.
                return ::core::result::Result::Err(__truss_keys.failed(__truss_error, __truss_entries));
            }
        }
        ::core::result::Result::Ok(Self { #(#values),* })
    }}
}

/// The key of an attribute name, as `truss_model::__private::name_key`
/// computes it at run time: the length in the top byte, the first three
/// bytes in the low ones and the last four between them. Names of up to 7
/// bytes have keys of their own.
fn name_key(name: &str) -> u64 {
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
