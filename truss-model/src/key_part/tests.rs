use super::*;
use proptest::prelude::*;

fn enc<T: KeyPart>(v: &T) -> String {
    let mut s = String::new();
    v.encode_key(&mut s).expect("encodable");
    check_segment(&s).expect("encoding obeys the segment rules");
    s
}

/// Asserts round-trip and that segment order equals value order.
fn check_pair<T: KeyPart + PartialOrd + PartialEq + std::fmt::Debug>(a: &T, b: &T) {
    let (ea, eb) = (enc(a), enc(b));
    assert_eq!(&T::decode_key(&ea).expect("decodes"), a);
    assert_eq!(&T::decode_key(&eb).expect("decodes"), b);
    assert_eq!(
        a.partial_cmp(b),
        ea.as_bytes().partial_cmp(eb.as_bytes()),
        "{a:?} vs {b:?}: {ea} vs {eb}"
    );
}

/// Keys built like `CLIP#{a}#{b}`: tuple order must equal key order.
fn composite<A: KeyPart, B: KeyPart>(a: &A, b: &B) -> String {
    format!("CLIP#{}#{}", enc(a), enc(b))
}

fn non_max_string() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("non-empty, no U+10FFFF", |s| {
        !s.is_empty() && !s.contains(MAX_CHAR)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn strings_round_trip_and_keep_order(a in non_max_string(), b in non_max_string()) {
        check_pair(&a, &b);
    }

    #[test]
    fn strings_of_reserved_chars(a in "[\\x00-\\x30a#%$]{1,8}", b in "[\\x00-\\x30a#%$]{1,8}") {
        check_pair(&a, &b);
        prop_assert!(!enc(&a).contains('#'));
    }

    #[test]
    fn composite_keys_sort_like_tuples(a1 in "[ -~]{1,6}", b1 in any::<i32>(), a2 in "[ -~]{1,6}", b2 in any::<i32>()) {
        let (k1, k2) = (composite(&a1, &b1), composite(&a2, &b2));
        prop_assert_eq!((&a1, b1).cmp(&(&a2, b2)), k1.cmp(&k2), "{} vs {}", k1, k2);
        prop_assert_eq!(k1 == k2, (a1, b1) == (a2, b2));
    }

    #[test]
    fn u8_order(a in any::<u8>(), b in any::<u8>()) { check_pair(&a, &b) }
    #[test]
    fn u16_order(a in any::<u16>(), b in any::<u16>()) { check_pair(&a, &b) }
    #[test]
    fn u32_order(a in any::<u32>(), b in any::<u32>()) { check_pair(&a, &b) }
    #[test]
    fn u64_order(a in any::<u64>(), b in any::<u64>()) { check_pair(&a, &b) }
    #[test]
    fn u128_order(a in any::<u128>(), b in any::<u128>()) { check_pair(&a, &b) }
    #[test]
    fn i8_order(a in any::<i8>(), b in any::<i8>()) { check_pair(&a, &b) }
    #[test]
    fn i16_order(a in any::<i16>(), b in any::<i16>()) { check_pair(&a, &b) }
    #[test]
    fn i32_order(a in any::<i32>(), b in any::<i32>()) { check_pair(&a, &b) }
    #[test]
    fn i64_order(a in any::<i64>(), b in any::<i64>()) { check_pair(&a, &b) }
    #[test]
    fn i128_order(a in any::<i128>(), b in any::<i128>()) { check_pair(&a, &b) }
    #[test]
    fn bool_order(a in any::<bool>(), b in any::<bool>()) { check_pair(&a, &b) }
}

#[test]
fn integer_extremes() {
    for (v, s) in [
        (i64::MIN, "00000000000000000000"),
        (-1, "09223372036854775807"),
        (0, "09223372036854775808"),
        (i64::MAX, "18446744073709551615"),
    ] {
        assert_eq!(enc(&v), s);
        assert_eq!(i64::decode_key(s), Ok(v));
    }
    assert_eq!(enc(&u128::MAX).len(), 39);
    assert_eq!(enc(&7u16), "00007");
    assert_eq!(enc(&i8::MIN), "000");
    assert_eq!(enc(&i8::MAX), "255");
}

#[test]
fn malformed_integers_are_errors() {
    for bad in ["", "12", "0000a", "+0001", "99999999999", "-000000001"] {
        assert!(
            matches!(u32::decode_key(bad), Err(KeyPartError::Malformed { .. })),
            "{bad}"
        );
    }
    // In range of digits but not of the type.
    assert!(u8::decode_key("256").is_err());
    assert!(i8::decode_key("256").is_err());
}

#[test]
fn string_escapes_delimiter_and_percent() {
    assert_eq!(enc(&"a#b".to_string()), "a%23b");
    assert_eq!(enc(&"100%".to_string()), "100%25");
    assert_eq!(enc(&"a b".to_string()), "a%20b");
    assert_eq!(enc(&"$x".to_string()), "%24x");
    assert_eq!(enc(&"\n".to_string()), "%0A");
    assert_eq!(enc(&"naïve-日本".to_string()), "naïve-日本");
    assert_eq!(enc(&"{id}".to_string()), "{id}");
}

#[test]
fn string_rejects_empty_and_max_char() {
    let mut out = String::new();
    assert_eq!(String::new().encode_key(&mut out), Err(KeyPartError::Empty));
    assert_eq!(
        "a\u{10FFFF}".to_string().encode_key(&mut out),
        Err(KeyPartError::ReservedChar(MAX_CHAR))
    );
}

#[test]
fn only_canonical_escapes_decode() {
    for bad in ["a%2", "a%zz", "a%2f", "a%41", "a#b", "a$b", "a b", "%", ""] {
        assert!(
            String::decode_key(bad).is_err(),
            "{bad:?} should not decode"
        );
    }
    assert_eq!(String::decode_key("a%23b%25").as_deref(), Ok("a#b%"));
}

#[test]
fn segment_check_refuses_what_custom_impls_must_not_produce() {
    assert_eq!(check_segment(""), Err(KeyPartError::Empty));
    assert_eq!(check_segment("a#b"), Err(KeyPartError::ReservedChar('#')));
    assert_eq!(check_segment("a$"), Err(KeyPartError::ReservedChar('$')));
    assert_eq!(check_segment("ok-%23"), Ok(()));
}

#[cfg(feature = "chrono")]
mod chrono_tests {
    use super::*;
    use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

    fn datetime() -> impl Strategy<Value = DateTime<Utc>> {
        (0i64..253_402_300_799, 0u32..1_000_000_000)
            .prop_map(|(s, n)| Utc.timestamp_opt(s, n).single().expect("valid"))
    }

    proptest! {
        #[test]
        fn datetimes(a in datetime(), b in datetime()) { check_pair(&a, &b) }
        #[test]
        fn naive_datetimes(a in datetime(), b in datetime()) { check_pair(&a.naive_utc(), &b.naive_utc()) }
        #[test]
        fn dates(a in datetime(), b in datetime()) { check_pair(&a.date_naive(), &b.date_naive()) }
        /// The digit-by-digit writer gives exactly chrono's formatted text.
        #[test]
        fn text_is_chronos_format(a in datetime()) {
            prop_assert_eq!(enc(&a), a.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string());
            prop_assert_eq!(enc(&a.naive_utc()), a.format("%Y-%m-%dT%H:%M:%S%.9f").to_string());
            prop_assert_eq!(enc(&a.date_naive()), a.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn leap_seconds_are_second_60() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .expect("valid leap second");
        assert_eq!(enc(&leap), leap.format("%Y-%m-%dT%H:%M:%S%.9f").to_string());
        assert_eq!(enc(&leap), "2016-12-31T23:59:60.500000000");
    }

    #[test]
    fn fixed_width_and_lenient_read() {
        let t = Utc
            .with_ymd_and_hms(2026, 5, 24, 9, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(enc(&t), "2026-05-24T09:00:00.000000000Z");
        assert_eq!(DateTime::<Utc>::decode_key("2026-05-24T09:00:00Z"), Ok(t));
        assert_eq!(
            DateTime::<Utc>::decode_key("2026-05-24T11:00:00+02:00"),
            Ok(t)
        );
        let d = NaiveDate::from_ymd_opt(2026, 5, 24).expect("valid");
        assert_eq!(enc(&d), "2026-05-24");
        assert!(NaiveDate::decode_key("2026-5-24").is_err());
        // Found by scripts/fuzz key_parts: padded, unpadded fields.
        assert!(NaiveDate::decode_key("  408-8-02").is_err());
        assert!(NaiveDate::decode_key("0408-08-02").is_ok());
        assert!(
            NaiveDate::decode_key("-800-01-01").is_err(),
            "outside the encodable range"
        );
        assert!(NaiveDateTime::decode_key("yesterday").is_err());
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1).expect("valid");
        assert!(matches!(
            far.encode_key(&mut String::new()),
            Err(KeyPartError::OutOfRange(_))
        ));
    }
}

#[cfg(feature = "time")]
mod time_tests {
    use super::*;
    use time::{Date, OffsetDateTime, PrimitiveDateTime};

    fn datetime() -> impl Strategy<Value = OffsetDateTime> {
        (0i128..253_402_300_799_000_000_000)
            .prop_map(|n| OffsetDateTime::from_unix_timestamp_nanos(n).expect("valid"))
    }

    proptest! {
        #[test]
        fn offset_datetimes(a in datetime(), b in datetime()) { check_pair(&a, &b) }
        #[test]
        fn primitive_datetimes(a in datetime(), b in datetime()) {
            check_pair(&PrimitiveDateTime::new(a.date(), a.time()), &PrimitiveDateTime::new(b.date(), b.time()))
        }
        #[test]
        fn dates(a in datetime(), b in datetime()) { check_pair(&a.date(), &b.date()) }
        /// The digit-by-digit writer gives exactly time's formatted text.
        #[test]
        fn text_is_times_format(a in datetime()) {
            let format = time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]"
            );
            let text = a.format(format).expect("formats");
            prop_assert_eq!(enc(&a), format!("{text}Z"));
            prop_assert_eq!(enc(&PrimitiveDateTime::new(a.date(), a.time())), text);
        }
    }

    #[test]
    fn reads_other_offsets_as_utc() {
        let t = OffsetDateTime::decode_key("2026-05-24T11:00:00+02:00").expect("parses");
        assert_eq!(enc(&t), "2026-05-24T09:00:00.000000000Z");
        assert!(Date::decode_key("24/05/2026").is_err());
        assert!(Date::decode_key("  408-8-02").is_err());
        assert_eq!(
            enc(&Date::decode_key("0408-08-02").expect("canonical")),
            "0408-08-02"
        );
    }
}

// The properties of scripts/fuzz key_parts, also run in CI.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn whatever_decodes_is_canonical(segment in "\\PC{0,24}|[0-9 +-]{0,12}|[A-Za-z0-9%#$]{0,12}") {
        fn canonical<T: KeyPart>(segment: &str) -> Result<(), TestCaseError> {
            if let Ok(value) = T::decode_key(segment) {
                let mut again = String::new();
                prop_assert!(value.encode_key(&mut again).is_ok());
                prop_assert_eq!(again, segment);
            }
            Ok(())
        }
        canonical::<String>(&segment)?;
        canonical::<u64>(&segment)?;
        canonical::<i32>(&segment)?;
        canonical::<bool>(&segment)?;
        #[cfg(feature = "chrono")]
        canonical::<chrono::NaiveDate>(&segment)?;
        #[cfg(feature = "time")]
        canonical::<time::Date>(&segment)?;
    }
}

/// A custom encoding that writes whatever it holds.
struct Raw(&'static str);

impl KeyPart for Raw {
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        out.push_str(self.0);
        Ok(())
    }
    fn decode_key(_: &str) -> Result<Self, KeyPartError> {
        Err(KeyPartError::Empty)
    }
}

#[test]
fn custom_encodings_that_break_the_rules_are_refused() {
    use crate::__private::write_field;
    use crate::Error;
    let reason = |value: &'static str| {
        let mut out = String::from("CLIP#");
        match write_field(&Raw(value), &mut out, "Clip", "id") {
            Err(Error::InvalidKey {
                entity: "Clip",
                field: "id",
                reason,
            }) => Some(reason),
            Err(other) => panic!("expected InvalidKey, got {other:?}"),
            Ok(()) => None,
        }
    };
    assert_eq!(reason("a#b"), Some(KeyPartError::ReservedChar('#')));
    assert_eq!(reason("a b"), Some(KeyPartError::ReservedChar(' ')));
    assert_eq!(reason(""), Some(KeyPartError::Empty));
    assert_eq!(
        reason("\u{10FFFF}"),
        Some(KeyPartError::ReservedChar(MAX_CHAR))
    );
    assert_eq!(reason("a%23b"), None, "an escaped delimiter is fine");
}
