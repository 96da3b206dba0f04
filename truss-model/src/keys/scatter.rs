//! The generated decoder's first step: an item's entries put in places
//! by name, so that the second step reads the fields in the order the type
//! declares them.
//!
//! A map's entries come in an order of their own, different in every
//! item (each map hashes with its own seed). A decoder that dispatches on
//! each name as it meets it branches in that order, which the processor
//! cannot learn: on a 60-attribute item the read's hottest instructions
//! were those branches (`BENCHMARKS.md` §1). Here the place of each entry is computed (a
//! table the derive builds, a multiply and a shift, no branch on which
//! name it is), and the fields are then read place by place, so every
//! branch after the first step follows the type.

use crate::foundation::attr_value::CodecError;
use crate::keys::item_keys::ItemKeys;
use aws_sdk_dynamodb::types::AttributeValue;

/// One entry in its place: the name, its key (`name_key`) and the value.
pub type Entry = Option<(String, u64, AttributeValue)>;

/// Places after the names' for the attributes that are none of them (the
/// table's keys, index keys, constants, attributes of other tools); more
/// go to a list.
pub const OTHERS: usize = 8;

/// The place a name with no place of its own is given.
pub const OTHER: usize = usize::MAX;

/// Generated code: the derive's table from a name's key to its place,
/// from each name's entry in the table (`at`) and key, in the names' order
/// (a name's place is its number); the other entries hold no name's key
/// (`u64::MAX` is none: no UTF-8 name has that key).
pub const fn places<const N: usize>(names: &[(usize, u64)]) -> [(u64, usize); N] {
    let mut table = [(u64::MAX, OTHER); N];
    let mut place = 0;
    while place < names.len() {
        let (at, key) = names[place];
        table[at] = (key, place);
        place += 1;
    }
    table
}

/// An item's entries in their places: `places` holds one place per name
/// the type reads (its fields' names and aliases, numbered by the derive),
/// then [`OTHERS`] places for the rest.
pub struct Scatter<'a> {
    places: &'a mut [Entry],
    names: &'static [&'static str],
    others: usize,
    /// The place [`next_field`](Self::next_field) looks at first.
    next: usize,
    spilled: Vec<(String, u64, AttributeValue)>,
}

impl<'a> Scatter<'a> {
    /// Over `places`, `names.len() + OTHERS` empty places.
    #[inline]
    pub fn new(places: &'a mut [Entry], names: &'static [&'static str]) -> Self {
        Scatter {
            places,
            names,
            others: 0,
            next: 0,
            spilled: Vec::new(),
        }
    }

    /// Puts an entry in `place` (a name's number, or [`OTHER`]). A name's
    /// place found taken (two names of one key, one of them not the
    /// type's), or the others' places full, go the slow way.
    #[inline]
    pub fn put(&mut self, place: usize, name: String, key: u64, value: AttributeValue) {
        let other = place >= self.names.len();
        let at = if other {
            self.names.len() + self.others
        } else {
            place
        };
        self.others += usize::from(other);
        match self.places.get_mut(at) {
            Some(free @ None) => *free = Some((name, key, value)),
            _ => self.crowded(at, name, key, value),
        }
    }

    #[cold]
    #[inline(never)]
    fn crowded(&mut self, at: usize, name: String, key: u64, value: AttributeValue) {
        let Some(&own) = self.names.get(at) else {
            // The others' places are full.
            self.others -= 1;
            self.spilled.push((name, key, value));
            return;
        };
        // Two names of one key: the one that is the type's keeps the place.
        match self.places.get_mut(at) {
            Some(place) if name == own => {
                if let Some(found) = place.replace((name, key, value)) {
                    self.spilled.push(found);
                }
            }
            _ => self.spilled.push((name, key, value)),
        }
    }

    /// The next entry in a name's place, in the places' order, with its
    /// place; `None` past the last (and the next call starts over). A name
    /// of more than seven bytes shares its key with others, so it is
    /// compared: another name found in its place is kept with the others.
    #[inline]
    pub fn next_field(&mut self) -> Option<(usize, String, AttributeValue)> {
        while self.next < self.names.len() {
            let place = self.next;
            self.next += 1;
            let Some((name, key, value)) = self.places.get_mut(place).and_then(Option::take) else {
                continue;
            };
            match self.names.get(place) {
                Some(own) if own.len() <= 7 || name == *own => return Some((place, name, value)),
                _ => self.spilled.push((name, key, value)),
            }
        }
        self.next = 0;
        None
    }

    /// Hands the entries that are none of the type's names to `keys` (the
    /// item's keys, index keys and constants are gathered there), or drops
    /// them when there is no `keys` (a nested map, or the second round that
    /// reads key fields recovered from the keys).
    #[inline]
    pub fn others(&mut self, mut keys: Option<&mut ItemKeys<'_>>) {
        let names = self.names.len();
        let end = names + self.others;
        self.others = 0;
        for place in self.places.get_mut(names..end).unwrap_or_default() {
            if let (Some((name, key, value)), Some(keys)) = (place.take(), keys.as_deref_mut()) {
                keys.other_keyed(name, key, value);
            }
        }
        if !self.spilled.is_empty() {
            self.spilled_to(keys);
        }
    }

    #[cold]
    #[inline(never)]
    fn spilled_to(&mut self, mut keys: Option<&mut ItemKeys<'_>>) {
        for (name, key, value) in self.spilled.drain(..) {
            if let Some(keys) = keys.as_deref_mut() {
                keys.other_keyed(name, key, value);
            }
        }
    }

    /// A field failed to read: every entry still in place goes to `keys`
    /// (the type's names' too, which `keys` ignores), so that the error
    /// can name the item's key; `error` is returned.
    #[cold]
    #[inline(never)]
    pub fn failed(&mut self, keys: &mut ItemKeys<'_>, error: CodecError) -> CodecError {
        self.others(Some(keys));
        for place in self.places.iter_mut() {
            if let Some((name, key, value)) = place.take() {
                keys.other_keyed(name, key, value);
            }
        }
        error
    }
}
