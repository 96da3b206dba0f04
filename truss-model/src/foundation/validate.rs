//! Values DynamoDB cannot store, caught before any request.

/// Why a number cannot be stored: DynamoDB numbers have at most 38
/// significant digits and a magnitude from 1E-130 to below 1E+126 (or 0);
/// NaN and infinities do not exist.
pub(crate) fn check_number(n: &str) -> Result<(), String> {
    significant_digits(n).map(drop)
}

/// The digits of a mantissa (sign, point and anything else skipped): how
/// many zeros precede the first non-zero digit, and how many significant
/// digits there are (0 for zero). One pass, shared by the number check and
/// the item size.
pub(crate) fn digit_counts(mantissa: &str) -> (usize, usize) {
    let (mut digits, mut first, mut last) = (0usize, None, 0usize);
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        if b != b'0' {
            first.get_or_insert(digits);
            last = digits;
        }
        digits += 1;
    }
    match first {
        Some(first) => (first, last - first + 1),
        None => (digits, 0),
    }
}

/// Checks a number as [`check_number`] does and returns its significant
/// digits, which also give its size.
pub(crate) fn significant_digits(n: &str) -> Result<usize, String> {
    let bad = || format!("`{n}` is not a number DynamoDB can store");
    let unsigned = n.strip_prefix('-').unwrap_or(n);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().map_err(|_| bad())?),
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let (leading, significant) = digit_counts(mantissa);
    if significant == 0 {
        return Ok(0); // zero
    }
    if significant > 38 {
        return Err(format!(
            "`{n}` has {significant} significant digits; DynamoDB stores at most 38"
        ));
    }
    // Decimal exponent of the leading significant digit.
    let magnitude = int.len() as i64 - 1 - leading as i64 + exponent;
    if !(-130..=125).contains(&magnitude) {
        return Err(format!(
            "`{n}` is outside DynamoDB's number range (1E-130 to 9.99E+125)"
        ));
    }
    Ok(significant)
}

#[cfg(test)]
mod tests {
    use super::check_number;

    #[test]
    fn accepts_what_dynamodb_stores() {
        for n in [
            "0",
            "-0",
            "0.000",
            "17",
            "-3.5",
            "1e125",
            "9.99E+125",
            "1E-130",
            "0.5e-129",
        ] {
            assert_eq!(check_number(n), Ok(()), "{n}");
        }
        let nines = "9".repeat(38);
        assert_eq!(check_number(&nines), Ok(()));
        assert_eq!(check_number(&format!("0.{nines}")), Ok(()));
        assert_eq!(check_number(&format!("{}00000", "1".repeat(38))), Ok(()));
    }

    #[test]
    fn refuses_what_it_cannot() {
        for n in [
            "NaN", "inf", "-inf", "", "-", "1.2.3", "0x10", "1e", "1e126", "1E-131",
        ] {
            assert!(check_number(n).is_err(), "{n}");
        }
        assert!(check_number(&"9".repeat(39)).is_err());
        assert!(check_number(&u128::MAX.to_string()).is_err(), "39 digits");
        assert!(check_number(&f64::MAX.to_string()).is_err());
    }
}
