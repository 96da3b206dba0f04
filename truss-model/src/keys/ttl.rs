//! Time to live: the field DynamoDB expires an item by, stored as epoch
//! seconds (`N`) whatever its Rust type.

use crate::foundation::attr_value::{from_value, to_value};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A type that can be an entity's expiry (`#[truss(ttl)]`): a point in
/// time as whole seconds since the Unix epoch.
///
/// Implemented for `u64` and `i64` (epoch seconds), `chrono::DateTime<Utc>`
/// (feature `chrono`) and `Option`s of them (`None`: the item never
/// expires).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an expiry (`#[truss(ttl)]`)",
    note = "an expiry is `u64` or `i64` epoch seconds, `chrono::DateTime<Utc>` (feature `chrono`), or an `Option` of one"
)]
pub trait TtlValue: Serialize + DeserializeOwned {
    /// The epoch seconds this value stands for, `Ok(None)` for no expiry,
    /// or why it cannot be stored as whole seconds (a fraction of a second
    /// would be lost).
    fn to_epoch_seconds(&self) -> Result<Option<i64>, String>;

    /// The value standing for `seconds` since the epoch, or why there is
    /// none.
    fn from_epoch_seconds(seconds: i64) -> Result<Self, String>;

    /// The whole epoch seconds at or before this value and whether a
    /// fraction of a second follows, for comparisons with stored expiries
    /// (`Ok(None)` for no expiry). The default has no fraction.
    #[doc(hidden)]
    fn __epoch_floor(&self) -> Result<Option<(i64, bool)>, String> {
        self.to_epoch_seconds().map(|s| s.map(|s| (s, false)))
    }
}

impl TtlValue for u64 {
    fn to_epoch_seconds(&self) -> Result<Option<i64>, String> {
        i64::try_from(*self)
            .map(Some)
            .map_err(|_| format!("{self} is past the last representable second"))
    }

    fn from_epoch_seconds(seconds: i64) -> Result<Self, String> {
        u64::try_from(seconds).map_err(|_| format!("{seconds} is before the epoch"))
    }
}

impl TtlValue for i64 {
    fn to_epoch_seconds(&self) -> Result<Option<i64>, String> {
        Ok(Some(*self))
    }

    fn from_epoch_seconds(seconds: i64) -> Result<Self, String> {
        Ok(seconds)
    }
}

impl<T: TtlValue> TtlValue for Option<T> {
    fn to_epoch_seconds(&self) -> Result<Option<i64>, String> {
        match self {
            Some(value) => value.to_epoch_seconds(),
            None => Ok(None),
        }
    }

    fn from_epoch_seconds(seconds: i64) -> Result<Self, String> {
        T::from_epoch_seconds(seconds).map(Some)
    }

    fn __epoch_floor(&self) -> Result<Option<(i64, bool)>, String> {
        match self {
            Some(value) => value.__epoch_floor(),
            None => Ok(None),
        }
    }
}

#[cfg(feature = "chrono")]
impl TtlValue for chrono::DateTime<chrono::Utc> {
    fn to_epoch_seconds(&self) -> Result<Option<i64>, String> {
        if self.timestamp_subsec_nanos() != 0 {
            return Err(format!(
                "{self} has a fraction of a second, which an expiry (whole epoch seconds) would lose: round it first, e.g. with `chrono::SubsecRound::trunc_subsecs(t, 0)`"
            ));
        }
        Ok(Some(self.timestamp()))
    }

    fn from_epoch_seconds(seconds: i64) -> Result<Self, String> {
        chrono::DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| format!("{seconds} epoch seconds is out of chrono's range"))
    }

    fn __epoch_floor(&self) -> Result<Option<(i64, bool)>, String> {
        // `timestamp` rounds down: the nanoseconds count up from it.
        Ok(Some((self.timestamp(), self.timestamp_subsec_nanos() != 0)))
    }
}

/// An entity's expiry field (`#[truss(ttl)]`): its attribute and how its
/// serde value converts to and from the stored epoch seconds.
#[derive(Debug, Clone, Copy)]
pub struct Ttl {
    /// The attribute DynamoDB's TTL reads (a number of epoch seconds).
    pub attribute: &'static str,
    to_stored: fn(AttributeValue) -> Result<AttributeValue, String>,
    from_stored: fn(AttributeValue) -> Result<AttributeValue, String>,
    floor: fn(AttributeValue) -> Result<Option<Floor>, String>,
}

/// Whole epoch seconds at or before a time, and whether a fraction follows.
type Floor = (i64, bool);

impl PartialEq for Ttl {
    fn eq(&self, other: &Self) -> bool {
        self.attribute == other.attribute
    }
}

impl Ttl {
    #[doc(hidden)]
    pub const fn __new<T: TtlValue>(attribute: &'static str) -> Self {
        Ttl {
            attribute,
            to_stored: to_stored::<T>,
            from_stored: from_stored::<T>,
            floor: floor::<T>,
        }
    }

    /// The stored form (`N` epoch seconds, or `NULL` for no expiry) of the
    /// field's serde value.
    pub(crate) fn store(&self, value: AttributeValue) -> Result<AttributeValue, String> {
        (self.to_stored)(value)
    }

    /// A comparison of the stored expiry with a value, as DynamoDB would
    /// compare it with the exact time: stored expiries are whole seconds,
    /// so a value with a fraction of a second rounds to the whole second
    /// that gives the same answer (`< 10.5` is `<= 10`, `>= 10.5` is
    /// `> 10`); `=` and `<>` with a fraction, which no stored value can
    /// meet or miss, are refused. Returns the operator and value to send.
    pub(crate) fn compare(
        &self,
        op: &'static str,
        value: AttributeValue,
    ) -> Result<(&'static str, AttributeValue), String> {
        let n = |s: i64| AttributeValue::N(s.to_string());
        match (self.floor)(value.clone())? {
            Some((floor, true)) => match op {
                "<" | "<=" => Ok(("<=", n(floor))),
                ">" | ">=" => Ok((">", n(floor))),
                _ => Err(format!(
                    "`{op}` with a time that has a fraction of a second: the expiry holds whole seconds, so no stored value compares so; round the time"
                )),
            },
            _ => self.store(value).map(|v| (op, v)),
        }
    }

    /// The field's serde value from the stored form; a value that is not a
    /// number (written by another tool) is left for serde to judge.
    pub(crate) fn load(&self, value: AttributeValue) -> Result<AttributeValue, String> {
        (self.from_stored)(value)
    }

    /// Whether an item has expired at `now` (epoch seconds): its attribute
    /// is a number of seconds before `now`, the rule DynamoDB deletes by.
    pub(crate) fn expired(&self, item: &crate::foundation::item::Item, now: i64) -> bool {
        expired_at(item.get(self.attribute), now)
    }
}

/// DynamoDB's rule: a number of epoch seconds earlier than now has
/// expired; anything else (missing, not a number) never does.
pub(crate) fn expired_at(value: Option<&AttributeValue>, now: i64) -> bool {
    match value {
        Some(AttributeValue::N(n)) => n.parse::<f64>().is_ok_and(|t| t < now as f64),
        _ => false,
    }
}

fn to_stored<T: TtlValue>(value: AttributeValue) -> Result<AttributeValue, String> {
    if let AttributeValue::Null(_) = value {
        return Ok(value);
    }
    let typed: T = from_value(value).map_err(|e| e.to_string())?;
    Ok(match typed.to_epoch_seconds()? {
        Some(seconds) => AttributeValue::N(seconds.to_string()),
        None => AttributeValue::Null(true),
    })
}

fn floor<T: TtlValue>(value: AttributeValue) -> Result<Option<(i64, bool)>, String> {
    if let AttributeValue::Null(_) = value {
        return Ok(None);
    }
    let typed: T = from_value(value).map_err(|e| e.to_string())?;
    typed.__epoch_floor()
}

fn from_stored<T: TtlValue>(value: AttributeValue) -> Result<AttributeValue, String> {
    let AttributeValue::N(text) = &value else {
        return Ok(value);
    };
    let seconds = text
        .parse::<i64>()
        .map_err(|_| format!("the expiry `{text}` is not whole epoch seconds"))?;
    let typed = T::from_epoch_seconds(seconds)?;
    to_value(&typed).map_err(|e| e.to_string())
}

/// The current time in epoch seconds.
pub(crate) fn now_epoch_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_null_means_never() {
        let ttl = Ttl::__new::<Option<u64>>("expiresAt");
        let stored = ttl.store(AttributeValue::N("1700000000".into()));
        assert_eq!(stored, Ok(AttributeValue::N("1700000000".into())));
        assert_eq!(
            ttl.store(AttributeValue::Null(true)),
            Ok(AttributeValue::Null(true))
        );
        assert_eq!(
            ttl.load(AttributeValue::N("1700000000".into())),
            Ok(AttributeValue::N("1700000000".into()))
        );
        assert!(ttl.load(AttributeValue::N("1.5".into())).is_err());
        assert!(Ttl::__new::<u64>("t")
            .load(AttributeValue::N("-1".into()))
            .is_err());
    }

    #[test]
    fn expiry_follows_dynamodbs_rule() {
        let n = |s: &str| AttributeValue::N(s.into());
        assert!(expired_at(Some(&n("99")), 100));
        assert!(!expired_at(Some(&n("100")), 100));
        assert!(!expired_at(Some(&AttributeValue::S("99".into())), 100));
        assert!(!expired_at(None, 100));
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn dates_are_stored_as_whole_seconds() {
        let ttl = Ttl::__new::<chrono::DateTime<chrono::Utc>>("expiresAt");
        let date = |s: &str| AttributeValue::S(s.into());
        assert_eq!(
            ttl.store(date("2023-11-14T22:13:20Z")),
            Ok(AttributeValue::N("1700000000".into()))
        );
        let back = ttl.load(AttributeValue::N("1700000000".into())).unwrap();
        let parsed: chrono::DateTime<chrono::Utc> = from_value(back).unwrap();
        assert_eq!(parsed.timestamp(), 1_700_000_000);
        let error = ttl.store(date("2023-11-14T22:13:20.5Z")).unwrap_err();
        assert!(error.contains("fraction of a second"), "{error}");
    }
}
