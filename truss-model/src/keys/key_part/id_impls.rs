//! Key encodings for identifiers: `uuid::Uuid` (feature `uuid`) and
//! `ulid::Ulid` (feature `ulid`). Both are written in their canonical text
//! and read back from exactly that text, so one id has one key.

use super::{malformed, KeyPart};
use crate::foundation::error::KeyPartError;

/// Lower-case hyphenated (`0190a6e4-5b7c-7d3e-9f10-2a3b4c5d6e7f`), the
/// canonical form. Text order is byte order, so UUIDv7 keys sort by their
/// creation time (to the millisecond; ids of one millisecond by their
/// random bits). Upper case, braces, `urn:uuid:` and the simple form are
/// refused on read: they would be other keys for the same id.
#[cfg(feature = "uuid")]
impl KeyPart for uuid::Uuid {
    const EXPECTED: &'static str =
        "a UUID, lower-case hyphenated (0190a6e4-5b7c-7d3e-9f10-2a3b4c5d6e7f)";
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        let mut buffer = uuid::Uuid::encode_buffer();
        out.push_str(self.hyphenated().encode_lower(&mut buffer));
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        let canonical = segment.len() == 36
            && segment.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            });
        if !canonical {
            return Err(malformed(segment, Self::EXPECTED));
        }
        uuid::Uuid::try_parse(segment).map_err(|_| malformed(segment, Self::EXPECTED))
    }
}

/// Crockford base 32, upper case, 26 characters
/// (`01J2Z3Y4X5W6V7T8S9R0QPNMKH`), the canonical form. Text order is the
/// ids' order: by creation time, to the millisecond. Lower case is refused
/// on read: it would be another key for the same id.
#[cfg(feature = "ulid")]
impl KeyPart for ulid::Ulid {
    const EXPECTED: &'static str =
        "a ULID, 26 upper-case Crockford base-32 characters (01J2Z3Y4X5W6V7T8S9R0QPNMKH)";
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        let mut buffer = [0; ulid::ULID_LEN];
        let text = self.array_to_str(&mut buffer);
        out.push_str(text);
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        let value =
            ulid::Ulid::from_string(segment).map_err(|_| malformed(segment, Self::EXPECTED))?;
        let mut buffer = [0; ulid::ULID_LEN];
        if value.array_to_str(&mut buffer) != segment {
            // Lower case, or the few texts that decode to the same bits.
            return Err(malformed(segment, Self::EXPECTED));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode<T: KeyPart>(value: &T) -> String {
        let mut out = String::new();
        value.encode_key(&mut out).expect("encodes");
        out
    }

    #[cfg(feature = "uuid")]
    #[test]
    fn uuids_read_back_from_their_canonical_text_only() {
        let id = uuid::Uuid::from_u128(0x0190a6e4_5b7c_7d3e_9f10_2a3b4c5d6e7f);
        let text = encode(&id);
        assert_eq!(text, "0190a6e4-5b7c-7d3e-9f10-2a3b4c5d6e7f");
        assert_eq!(uuid::Uuid::decode_key(&text), Ok(id));
        for other in [
            "0190A6E4-5B7C-7D3E-9F10-2A3B4C5D6E7F",
            "0190a6e45b7c7d3e9f102a3b4c5d6e7f",
            "{0190a6e4-5b7c-7d3e-9f10-2a3b4c5d6e7f}",
            "urn:uuid:0190a6e4-5b7c-7d3e-9f10-2a3b4c5d6e7f",
            "0190a6e4-5b7c-7d3e-9f10-2a3b4c5d6e7g",
            "",
        ] {
            assert!(
                matches!(
                    uuid::Uuid::decode_key(other),
                    Err(KeyPartError::Malformed { .. })
                ),
                "{other}"
            );
        }
    }

    #[cfg(feature = "uuid")]
    #[test]
    fn uuid_v7_keys_sort_by_time() {
        // Two v7 ids a millisecond apart, the later with smaller random bits.
        let earlier = uuid::Uuid::from_u128(
            (0x0190a6e45b7c_u128 << 80) | (0x7fff_u128 << 64) | u128::from(u64::MAX),
        );
        let later = uuid::Uuid::from_u128((0x0190a6e45b7d_u128 << 80) | (0x7000_u128 << 64));
        assert!(earlier < later);
        assert!(encode(&earlier) < encode(&later));
    }

    #[cfg(feature = "ulid")]
    #[test]
    fn ulids_read_back_from_their_canonical_text_only() {
        let id = ulid::Ulid::from_parts(1_779_613_200_123, 42);
        let text = encode(&id);
        assert_eq!(text.len(), 26);
        assert_eq!(ulid::Ulid::decode_key(&text), Ok(id));
        let later = ulid::Ulid::from_parts(1_779_613_200_124, 0);
        assert!(text < encode(&later), "time order");
        let lower = text.to_ascii_lowercase();
        assert!(matches!(
            ulid::Ulid::decode_key(&lower),
            Err(KeyPartError::Malformed { .. })
        ));
        assert!(ulid::Ulid::decode_key("").is_err());
        assert!(
            ulid::Ulid::decode_key("8ZZZZZZZZZZZZZZZZZZZZZZZZZ").is_err(),
            "overflow"
        );
    }
}
