use super::*;
use proptest::prelude::*;

fn enc<T: KeyPart>(v: &T) -> String {
    enc_as::<T, Native>(v)
}

fn enc_as<T, F: KeyFormat<T>>(v: &T) -> String {
    let mut s = String::new();
    F::encode(v, &mut s).expect("encodable");
    check_segment(&s).expect("encoding obeys the segment rules");
    s
}

/// Whatever `F` reads back writes to the very same text.
fn canonical_or_refused<T, F: KeyFormat<T>>(segment: &str) -> Result<(), TestCaseError> {
    if let Ok(value) = F::decode(segment) {
        let mut again = String::new();
        prop_assert!(F::encode(&value, &mut again).is_ok());
        prop_assert_eq!(again, segment);
    }
    Ok(())
}

/// `value` round-trips through `F`, and every other text of the same
/// value (`variants` of its encoding) is refused.
fn canonical_only<T: PartialEq + std::fmt::Debug, F: KeyFormat<T>>(
    value: &T,
    variants: impl Fn(&str) -> Vec<String>,
) -> Result<(), TestCaseError> {
    let text = enc_as::<T, F>(value);
    prop_assert_eq!(&F::decode(&text).expect("decodes"), value);
    for variant in variants(&text) {
        if variant != text {
            prop_assert!(
                matches!(F::decode(&variant), Err(KeyPartError::Malformed { .. })),
                "{:?} read as {:?}",
                variant,
                value
            );
        }
    }
    Ok(())
}

/// Texts of the same integer that are not its canonical form.
fn integer_variants(text: &str) -> Vec<String> {
    let mut out = vec![
        format!("0{text}"),
        format!("+{text}"),
        format!(" {text}"),
        format!("{text} "),
    ];
    if let Some(rest) = text.strip_prefix('0') {
        out.push(rest.to_owned());
    }
    if let Some(rest) = text.strip_prefix('-') {
        out.push(format!("-0{rest}"));
    }
    out
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

/// What the in-place key check may answer: `Some(rest)` only when `key`
/// is the value's written segment followed by `rest`.
fn strip_agrees<T: KeyPart>(value: &T, key: &str) -> Result<(), TestCaseError> {
    if let Some(rest) = value.__strip_encoded(key) {
        let mut written = String::new();
        prop_assert!(value.encode_key(&mut written).is_ok());
        prop_assert_eq!(format!("{written}{rest}"), key);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The in-place check of a `String` segment never accepts what its
    /// writing would not produce, and accepts every value it writes as it
    /// is, whatever follows it (but for those with a byte 0xF4, which it
    /// leaves to the writing).
    #[test]
    fn strings_are_checked_in_place_as_written(
        value in "[\\x00-\\x30a-z#%$\u{f4}\u{10FFFF}\u{10FFFE}]{0,20}",
        other in "[\\x00-\\x30a-z#%$]{0,20}",
        rest in "(#[a-z]{0,3})?",
    ) {
        for key in [format!("{value}{rest}"), format!("{other}{rest}"), other.clone()] {
            strip_agrees(&value, &key)?;
        }
        let mut written = String::new();
        if value.encode_key(&mut written).is_ok() && written == value && !value.bytes().any(|b| b == 0xF4) {
            let key = format!("{value}{rest}");
            prop_assert_eq!(value.__strip_encoded(&key), Some(rest.as_str()));
        }
    }

    /// The word-at-a-time test for a byte to escape agrees with the byte
    /// by byte rule at every length and position (the words overlap).
    #[test]
    fn the_escape_test_finds_every_byte_to_escape(value in "[\\x00-\\x30a-z%&\u{f4}\u{10FFFF}\u{e9}]{0,40}") {
        let by_byte = value.bytes().any(|b| b <= super::ESCAPE_BYTE || b == 0xF4);
        prop_assert_eq!(super::needs_escape(&value), by_byte);
    }

    #[test]
    fn padded_integers_are_checked_in_place_as_written(value in any::<u32>(), other in any::<u32>(), rest in "(#[0-9]{0,3})?") {
        let key = format!("{}{rest}", enc(&value));
        prop_assert_eq!(value.__strip_encoded(&key), Some(rest.as_str()));
        strip_agrees(&value, &format!("{}{rest}", enc(&other)))?;
        strip_agrees(&value, &format!("{other}{rest}"))?;
        strip_agrees(&u128::from(value), &format!("{}{rest}", enc(&u128::from(other))))?;
    }

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn canonical_integers(a in any::<u32>(), b in any::<i64>(), c in any::<u8>()) {
        canonical_only::<u32, Native>(&a, integer_variants)?;
        canonical_only::<i64, Native>(&b, integer_variants)?;
        canonical_only::<u8, Native>(&c, integer_variants)?;
        canonical_only::<u32, Width<12>>(&a, integer_variants)?;
        canonical_only::<u32, Unpadded>(&a, integer_variants)?;
        canonical_only::<i64, Unpadded>(&b, integer_variants)?;
    }

    #[test]
    fn canonical_strings(a in non_max_string()) {
        canonical_only::<String, Native>(&a, |text| {
            let mut out = Vec::new();
            // An escape where none is needed, and lower-case hex.
            if let Some(c) = text.chars().find(|c| c.is_ascii_alphanumeric()) {
                out.push(text.replacen(c, &format!("%{:02X}", c as u32), 1));
            }
            // The hex digits of escapes in lower case ("%0a" for "%0A").
            let mut lower = String::new();
            let mut in_escape = 0;
            for c in text.chars() {
                in_escape = if c == '%' { 3 } else { in_escape.max(1) - 1 };
                lower.push(if in_escape > 0 && c != '%' { c.to_ascii_lowercase() } else { c });
            }
            out.push(lower);
            out
        })?;
        let lower = a.to_lowercase();
        canonical_only::<String, Lowercase>(&lower, |text| vec![text.to_uppercase()])?;
    }

    #[test]
    fn canonical_bools(a in any::<bool>()) {
        canonical_only::<bool, Native>(&a, |t| vec![t.to_uppercase(), format!(" {t}"), (if a { "1" } else { "0" }).into()])?;
    }

    #[test]
    fn lowercase_keys_fold_and_keep_order(a in "[A-Za-z]{1,6}", b in "[A-Za-z]{1,6}") {
        let (ka, kb) = (enc_as::<String, Lowercase>(&a), enc_as::<String, Lowercase>(&b));
        prop_assert_eq!(&ka, &a.to_lowercase());
        prop_assert_eq!(a.to_lowercase().cmp(&b.to_lowercase()), ka.cmp(&kb));
    }

    /// Folding draws from all of Unicode: the encoded key is exactly
    /// `str::to_lowercase` (JavaScript's `toLowerCase` for these), title
    /// case (`ǅ`) included, and it reads back.
    #[test]
    fn lowercase_folds_every_character_as_to_lowercase_does(a in "\\PC{1,12}") {
        let mut key = String::new();
        if Lowercase::encode(&a, &mut key).is_ok() {
            let mut expected = String::new();
            escape_into(&a.to_lowercase(), &mut expected).expect("escapable");
            prop_assert_eq!(&key, &expected);
            prop_assert_eq!(Lowercase::decode(&key).expect("reads back"), a.to_lowercase());
        }
        let mut raw = String::new();
        if <VerbatimLowercase as KeyFormat<String>>::encode(&a, &mut raw).is_ok() {
            prop_assert_eq!(&raw, &a.to_lowercase());
            prop_assert_eq!(VerbatimLowercase::decode(&raw).expect("reads back"), a.to_lowercase());
        }
    }

    /// Verbatim text is the value itself, whatever it holds but `#`.
    #[test]
    fn verbatim_keys_are_the_text_itself(a in "\\PC{1,16}") {
        let mut key = String::new();
        let written = <Verbatim as KeyFormat<String>>::encode(&a, &mut key);
        if a.contains('#') {
            prop_assert!(matches!(written, Err(KeyPartError::ReservedChar('#'))));
            prop_assert!(key.is_empty(), "nothing written");
        } else {
            prop_assert!(written.is_ok());
            prop_assert_eq!(&key, &a);
            prop_assert_eq!(decode_exact::<String, Verbatim>(&key).expect("reads back"), a);
        }
    }

    #[test]
    fn widths_keep_order(a in 0u32..1_000_000, b in 0u32..1_000_000) {
        let (ka, kb) = (enc_as::<u32, Width<6>>(&a), enc_as::<u32, Width<6>>(&b));
        prop_assert_eq!(ka.len(), 6);
        prop_assert_eq!(a.cmp(&b), ka.cmp(&kb));
    }

    /// Anything any integer or string format reads back is canonical.
    #[test]
    fn canonical_text_formats(segment in "\\PC{0,24}|[0-9 +-]{0,14}|[A-Za-z0-9%#$]{0,12}") {
        canonical_or_refused::<u64, Width<14>>(&segment)?;
        canonical_or_refused::<u8, Width<2>>(&segment)?;
        canonical_or_refused::<u64, Unpadded>(&segment)?;
        canonical_or_refused::<i32, Unpadded>(&segment)?;
        canonical_or_refused::<i8, Unpadded>(&segment)?;
        canonical_or_refused::<String, Lowercase>(&segment)?;
        canonical_or_refused::<String, Verbatim>(&segment)?;
        canonical_or_refused::<String, VerbatimLowercase>(&segment)?;
    }
}

#[test]
fn title_case_letters_fold_to_lower_case() {
    // U+01C5 (title case, not upper case) folds to U+01C6, as JavaScript's
    // toLowerCase folds it: the key a service writing `ǅukic` looks up.
    let value = "\u{01C5}ukic".to_string();
    let mut key = String::new();
    Lowercase::encode(&value, &mut key).expect("encodes");
    assert_eq!(key, "\u{01C6}ukic");
    assert_eq!(Lowercase::decode(&key).expect("reads back"), "\u{01C6}ukic");
    assert!(matches!(
        Lowercase::decode("\u{01C5}ukic"),
        Err(KeyPartError::Malformed { .. })
    ));
}

#[test]
fn verbatim_formats_write_spaces_and_case_as_other_tools_do() {
    let mut key = String::new();
    <Verbatim as KeyFormat<String>>::encode(&"Mr Mime".to_string(), &mut key).expect("encodes");
    assert_eq!(key, "Mr Mime");
    let mut key = String::new();
    <VerbatimLowercase as KeyFormat<String>>::encode(
        &"Junior Software Engineer".to_string(),
        &mut key,
    )
    .expect("encodes");
    assert_eq!(key, "junior software engineer");
    for bad in ["", "a#b"] {
        let mut out = String::new();
        assert!(<Verbatim as KeyFormat<String>>::encode(&bad.to_string(), &mut out).is_err());
        assert!(<Verbatim as KeyFormat<String>>::decode(bad).is_err());
        assert_eq!(out, "");
    }
    assert!(matches!(
        <VerbatimLowercase as KeyFormat<String>>::decode("Big Cat"),
        Err(KeyPartError::Malformed { .. })
    ));
}

#[test]
fn formats_refuse_what_they_cannot_hold() {
    let mut out = String::new();
    assert!(matches!(
        <Width<3> as KeyFormat<u32>>::encode(&1000, &mut out),
        Err(KeyPartError::OutOfRange(_))
    ));
    assert_eq!(out, "", "nothing written on error");
    assert_eq!(enc_as::<u32, Width<3>>(&7), "007");
    assert_eq!(enc_as::<i32, Unpadded>(&-7), "-7");
    assert_eq!(enc_as::<u8, Unpadded>(&0), "0");
    for bad in ["-0", "007", "+7", "", "1e3", "256"] {
        assert!(
            matches!(
                <Unpadded as KeyFormat<u8>>::decode(bad),
                Err(KeyPartError::Malformed { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(
        enc_as::<String, Lowercase>(&"Jane.Doe".to_string()),
        "jane.doe"
    );
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
    assert!(matches!(
        u8::decode_key("256"),
        Err(KeyPartError::Malformed { .. })
    ));
    assert!(matches!(
        i8::decode_key("256"),
        Err(KeyPartError::Malformed { .. })
    ));
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
            matches!(
                String::decode_key(bad),
                Err(KeyPartError::Malformed { .. } | KeyPartError::Empty)
            ),
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
        /// The in-place check of a timestamp segment accepts the written
        /// segment with anything after it, and nothing that is not it:
        /// other instants, other spellings of the same instant, cut
        /// segments, in every precision.
        #[test]
        fn datetimes_are_checked_in_place_as_written(a in datetime(), b in datetime(), rest in "(#[a-z]{0,3})?") {
            fn agrees<F: KeyFormat<DateTime<Utc>>>(a: &DateTime<Utc>, b: &DateTime<Utc>, rest: &str) -> Result<(), TestCaseError> {
                let written = |t: &DateTime<Utc>| {
                    let mut out = String::new();
                    F::encode(t, &mut out).ok().map(|()| out)
                };
                let Some(text) = written(a) else { return Ok(()) };
                let key = format!("{text}{rest}");
                prop_assert_eq!(F::__strip_encoded(a, &key), Some(rest));
                let mut others = timestamp_variants(&text);
                others.extend(written(b));
                others.push(text[..text.len() - 1].to_owned());
                // Each digit changed in turn: a segment of the same shape.
                for (i, d) in text.bytes().enumerate().filter(|(_, d)| d.is_ascii_digit()) {
                    let mut other = text.clone().into_bytes();
                    other[i] = b'0' + (d - b'0' + 1) % 10;
                    others.extend(String::from_utf8(other).ok());
                }
                for other in others {
                    let key = format!("{other}{rest}");
                    if let Some(left) = F::__strip_encoded(a, &key) {
                        prop_assert_eq!(format!("{text}{left}"), key);
                    }
                }
                Ok(())
            }
            let secs = Utc.timestamp_opt(a.timestamp(), 0).single().expect("valid");
            agrees::<Native>(&a, &b, &rest)?;
            agrees::<Rfc3339<0>>(&secs, &b, &rest)?;
            agrees::<Rfc3339<3>>(&millis(a), &millis(b), &rest)?;
            agrees::<Rfc3339<9>>(&a, &b, &rest)?;
            let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
                .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
                .expect("valid leap second")
                .and_utc();
            agrees::<Native>(&leap, &a, &rest)?;
        }

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

    /// Texts of the same instant in other forms: other precisions (the
    /// fraction cut or lengthened), other offsets, other separators.
    fn timestamp_variants(text: &str) -> Vec<String> {
        let body = text.strip_suffix('Z').unwrap_or(text);
        let (base, fraction) = body.split_once('.').unwrap_or((body, ""));
        let mut out = vec![
            format!("{body}+00:00"),
            format!("{body}z"),
            text.replacen('T', " ", 1),
            text.replacen('T', "t", 1),
            format!("+{text}"),
        ];
        let zone = if text.ends_with('Z') { "Z" } else { "" };
        let trimmed = fraction.trim_end_matches('0');
        for f in [
            trimmed.to_owned(),
            format!("{fraction}0"),
            format!("{trimmed}000"),
        ] {
            out.push(if f.is_empty() {
                format!("{base}{zone}")
            } else {
                format!("{base}.{f}{zone}")
            });
        }
        out
    }

    fn epoch_variants(text: &str) -> Vec<String> {
        vec![
            format!("0{text}"),
            text[1..].to_owned(),
            format!("{text}.0"),
            format!("+{text}"),
        ]
    }

    fn millis(a: DateTime<Utc>) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(a.timestamp_millis())
            .single()
            .expect("valid")
    }

    proptest! {
        #[test]
        fn canonical_chrono_timestamps(a in datetime()) {
            let secs = Utc.timestamp_opt(a.timestamp(), 0).single().expect("valid");
            let micros = Utc.timestamp_micros(a.timestamp_micros()).single().expect("valid");
            canonical_only::<DateTime<Utc>, Native>(&a, timestamp_variants)?;
            canonical_only::<DateTime<Utc>, Rfc3339<0>>(&secs, timestamp_variants)?;
            canonical_only::<DateTime<Utc>, Rfc3339<3>>(&millis(a), timestamp_variants)?;
            canonical_only::<DateTime<Utc>, Rfc3339<6>>(&micros, timestamp_variants)?;
            canonical_only::<DateTime<Utc>, Rfc3339<9>>(&a, timestamp_variants)?;
            canonical_only::<NaiveDateTime, Native>(&a.naive_utc(), timestamp_variants)?;
            canonical_only::<NaiveDate, Native>(&a.date_naive(), |t| {
                vec![t.replacen("-0", "-", 2), format!("{t}T00:00:00"), format!(" {t}")]
            })?;
            if secs < Utc.timestamp_opt(10_000_000_000, 0).single().expect("valid") {
                canonical_only::<DateTime<Utc>, EpochSeconds>(&secs, epoch_variants)?;
                canonical_only::<DateTime<Utc>, EpochMillis>(&millis(a), epoch_variants)?;
            }
        }

        /// Each precision keeps time order, including across whole seconds.
        #[test]
        fn precisions_keep_order(a in datetime(), b in datetime()) {
            let (a, b) = (millis(a), millis(b));
            let (ka, kb) = (enc_as::<_, Rfc3339<3>>(&a), enc_as::<_, Rfc3339<3>>(&b));
            prop_assert_eq!(a.cmp(&b), ka.cmp(&kb));
            if a.timestamp() < 10_000_000_000 && b.timestamp() < 10_000_000_000 {
                let (ka, kb) = (enc_as::<_, EpochMillis>(&a), enc_as::<_, EpochMillis>(&b));
                prop_assert_eq!(a.cmp(&b), ka.cmp(&kb));
            }
        }

        /// Anything a chrono format reads back is canonical.
        #[test]
        fn canonical_chrono_text(segment in "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?(Z|z|[+-][0-9]{2}:[0-9]{2})?)?|[0-9+.-]{8,15}") {
            canonical_or_refused::<DateTime<Utc>, Native>(&segment)?;
            canonical_or_refused::<DateTime<Utc>, Rfc3339<0>>(&segment)?;
            canonical_or_refused::<DateTime<Utc>, Rfc3339<3>>(&segment)?;
            canonical_or_refused::<DateTime<Utc>, Rfc3339<6>>(&segment)?;
            canonical_or_refused::<DateTime<Utc>, EpochSeconds>(&segment)?;
            canonical_or_refused::<DateTime<Utc>, EpochMillis>(&segment)?;
            canonical_or_refused::<NaiveDateTime, Native>(&segment)?;
            canonical_or_refused::<NaiveDate, Native>(&segment)?;
        }
    }

    #[test]
    fn precision_beyond_the_format_is_refused() {
        let t = Utc
            .timestamp_opt(1_780_000_000, 123_456_000)
            .single()
            .expect("valid");
        let mut out = String::new();
        let err = <Rfc3339<3> as KeyFormat<DateTime<Utc>>>::encode(&t, &mut out).unwrap_err();
        assert!(err.to_string().contains("below milliseconds"), "{err}");
        assert!(matches!(
            <EpochSeconds as KeyFormat<DateTime<Utc>>>::encode(&t, &mut out),
            Err(KeyPartError::OutOfRange(_))
        ));
        assert_eq!(enc_as::<_, Rfc3339<6>>(&t), "2026-05-28T20:26:40.123456Z");
    }

    #[test]
    fn fixed_width_and_strict_read() {
        let t = Utc
            .with_ymd_and_hms(2026, 5, 24, 9, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(enc(&t), "2026-05-24T09:00:00.000000000Z");
        assert_eq!(enc_as::<_, Rfc3339<0>>(&t), "2026-05-24T09:00:00Z");
        assert_eq!(enc_as::<_, Rfc3339<3>>(&t), "2026-05-24T09:00:00.000Z");
        assert_eq!(enc_as::<_, EpochSeconds>(&t), "1779613200");
        assert_eq!(enc_as::<_, EpochMillis>(&t), "1779613200000");
        // Other tools' texts of the same instant are not this format's.
        for other in [
            "2026-05-24T09:00:00Z",
            "2026-05-24T11:00:00+02:00",
            "2026-05-24T09:00:00.000Z",
        ] {
            assert!(
                matches!(
                    DateTime::<Utc>::decode_key(other),
                    Err(KeyPartError::Malformed { .. })
                ),
                "{other}"
            );
        }
        assert_eq!(
            <Rfc3339<0> as KeyFormat<DateTime<Utc>>>::decode("2026-05-24T09:00:00Z"),
            Ok(t)
        );
        let d = NaiveDate::from_ymd_opt(2026, 5, 24).expect("valid");
        assert_eq!(enc(&d), "2026-05-24");
        let malformed =
            |r: Result<NaiveDate, KeyPartError>| matches!(r, Err(KeyPartError::Malformed { .. }));
        assert!(malformed(NaiveDate::decode_key("2026-5-24")));
        // Found by scripts/fuzz key_parts: padded, unpadded fields.
        assert!(malformed(NaiveDate::decode_key("  408-8-02")));
        assert!(NaiveDate::decode_key("0408-08-02").is_ok());
        assert!(
            malformed(NaiveDate::decode_key("-800-01-01")),
            "outside the encodable range"
        );
        assert!(matches!(
            NaiveDateTime::decode_key("yesterday"),
            Err(KeyPartError::Malformed { .. })
        ));
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

    proptest! {
        #[test]
        fn canonical_time_timestamps(a in datetime()) {
            let millis = OffsetDateTime::from_unix_timestamp_nanos(a.unix_timestamp_nanos() / 1_000_000 * 1_000_000).expect("valid");
            let variants = |text: &str| {
                let body = text.strip_suffix('Z').unwrap_or(text);
                let (base, fraction) = body.split_once('.').unwrap_or((body, ""));
                vec![
                    format!("{body}+00:00"),
                    text.replacen('T', " ", 1),
                    format!("{base}.{}Z", fraction.trim_end_matches('0')),
                    format!("{base}.{fraction}0Z"),
                ]
            };
            canonical_only::<OffsetDateTime, Native>(&a, variants)?;
            canonical_only::<OffsetDateTime, Rfc3339<3>>(&millis, variants)?;
            canonical_only::<PrimitiveDateTime, Native>(&PrimitiveDateTime::new(a.date(), a.time()), variants)?;
            canonical_only::<Date, Native>(&a.date(), |t| vec![t.replacen("-0", "-", 2), format!("+{t}")])?;
            if a.unix_timestamp() < 10_000_000_000 {
                canonical_only::<OffsetDateTime, EpochMillis>(&millis, |t| vec![format!("0{t}"), t[1..].to_owned()])?;
            }
        }

        /// Anything a time format reads back is canonical.
        #[test]
        fn canonical_time_text(segment in "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?(Z|[+-][0-9]{2}:[0-9]{2})?)?|[0-9+.-]{8,15}") {
            canonical_or_refused::<OffsetDateTime, Native>(&segment)?;
            canonical_or_refused::<OffsetDateTime, Rfc3339<0>>(&segment)?;
            canonical_or_refused::<OffsetDateTime, EpochSeconds>(&segment)?;
            canonical_or_refused::<PrimitiveDateTime, Native>(&segment)?;
            canonical_or_refused::<Date, Native>(&segment)?;
        }
    }

    #[test]
    fn writes_other_offsets_as_utc_and_reads_only_utc() {
        let t = time::macros::datetime!(2026-05-24 11:00:00 +02:00);
        assert_eq!(enc(&t), "2026-05-24T09:00:00.000000000Z");
        assert!(matches!(
            OffsetDateTime::decode_key("2026-05-24T11:00:00+02:00"),
            Err(KeyPartError::Malformed { .. })
        ));
        assert_eq!(
            OffsetDateTime::decode_key("2026-05-24T09:00:00.000000000Z"),
            Ok(t)
        );
        let malformed =
            |r: Result<Date, KeyPartError>| matches!(r, Err(KeyPartError::Malformed { .. }));
        assert!(malformed(Date::decode_key("24/05/2026")));
        assert!(malformed(Date::decode_key("  408-8-02")));
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
    fn canonical_text_native(segment in "\\PC{0,24}|[0-9 +-]{0,12}|[A-Za-z0-9%#$]{0,12}") {
        canonical_or_refused::<String, Native>(&segment)?;
        canonical_or_refused::<u64, Native>(&segment)?;
        canonical_or_refused::<u8, Native>(&segment)?;
        canonical_or_refused::<i32, Native>(&segment)?;
        canonical_or_refused::<i128, Native>(&segment)?;
        canonical_or_refused::<bool, Native>(&segment)?;
        #[cfg(feature = "chrono")]
        canonical_or_refused::<chrono::NaiveDate, Native>(&segment)?;
        #[cfg(feature = "chrono")]
        canonical_or_refused::<chrono::DateTime<chrono::Utc>, Native>(&segment)?;
        #[cfg(feature = "time")]
        canonical_or_refused::<time::Date, Native>(&segment)?;
        #[cfg(feature = "time")]
        canonical_or_refused::<time::OffsetDateTime, Native>(&segment)?;
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
    let reason = |value: &'static str| {
        let mut out = String::from("CLIP#");
        write_segment::<_, Native>(&Raw(value), &mut out).err()
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
