//! Why DynamoDB throttled a request.
//!
//! A throttled request (`ProvisionedThroughputExceededException`,
//! `ThrottlingException`, `RequestLimitExceeded`) carries DynamoDB's
//! `ThrottlingReasons`: for each throttled table or index, a reason of the
//! form *resource*, *operation*, *limit*
//! (`TableWriteKeyRangeThroughputExceeded`,
//! `IndexReadMaxOnDemandThroughputExceeded`, ...) and the resource's ARN.
//! They are read here from [`Error::throttling_reasons`](crate::Error::throttling_reasons),
//! added to the error's message, recorded on the operation's span
//! (`truss.throttled`) and counted per table and index by the
//! [`CapacityMeter`](crate::CapacityMeter)
//! ([`throttled`](crate::CapacityMeter::throttled)), including the
//! attempts the SDK retried and that later succeeded. DynamoDB names the
//! limit and the table or index, not the key: a hot partition shows up as
//! `KeyRangeThroughputExceeded` on its table or index.

use aws_sdk_dynamodb::types::ThrottlingReason as SdkReason;

/// One reason DynamoDB gave for throttling a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThrottlingReason {
    /// DynamoDB's reason, as sent (`TableWriteKeyRangeThroughputExceeded`),
    /// or the error code when the answer gave no reason (older endpoints,
    /// local engines).
    pub reason: String,
    /// The ARN of the throttled table or index, when given.
    pub resource: Option<String>,
}

/// The limit a request exceeded, read from a [`ThrottlingReason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThrottleLimit {
    /// A provisioned table's or index's read or write capacity.
    ProvisionedThroughputExceeded,
    /// An on-demand table's or index's per-table account quota.
    AccountLimitExceeded,
    /// The throughput of one partition: a hot key.
    KeyRangeThroughputExceeded,
    /// The maximum throughput configured for an on-demand table or index.
    MaxOnDemandThroughputExceeded,
    /// A reason this library does not know (see
    /// [`ThrottlingReason::reason`]).
    Other,
}

impl ThrottlingReason {
    pub(crate) fn from_sdk(reason: &SdkReason) -> Self {
        ThrottlingReason {
            reason: reason.reason().unwrap_or("Unknown").to_owned(),
            resource: reason.resource().map(str::to_owned),
        }
    }

    /// The limit exceeded.
    pub fn limit(&self) -> ThrottleLimit {
        const LIMITS: [(&str, ThrottleLimit); 4] = [
            (
                "ProvisionedThroughputExceeded",
                ThrottleLimit::ProvisionedThroughputExceeded,
            ),
            ("AccountLimitExceeded", ThrottleLimit::AccountLimitExceeded),
            (
                "KeyRangeThroughputExceeded",
                ThrottleLimit::KeyRangeThroughputExceeded,
            ),
            (
                "MaxOnDemandThroughputExceeded",
                ThrottleLimit::MaxOnDemandThroughputExceeded,
            ),
        ];
        let rest = self
            .reason
            .strip_prefix("Table")
            .or_else(|| self.reason.strip_prefix("Index"))
            .and_then(|r| r.strip_prefix("Read").or_else(|| r.strip_prefix("Write")));
        rest.and_then(|rest| {
            LIMITS
                .iter()
                .find(|(name, _)| *name == rest)
                .map(|(_, limit)| *limit)
        })
        .unwrap_or(ThrottleLimit::Other)
    }

    /// Whether writes were throttled (`...Write...`); `false` for reads and
    /// unknown reasons.
    pub fn is_write(&self) -> bool {
        ["TableWrite", "IndexWrite"]
            .iter()
            .any(|p| self.reason.starts_with(p))
    }

    /// Whether an index was throttled (`Index...`) rather than a table.
    pub fn is_index(&self) -> bool {
        self.reason.starts_with("Index")
    }

    /// The throttled table or index as the capacity meter names it:
    /// `links`, or `links/GSI1` for an index; `None` without a resource ARN
    /// of a table.
    pub fn target(&self) -> Option<String> {
        let arn = self.resource.as_deref()?;
        // arn:aws:dynamodb:<region>:<account>:table/<name>[/index/<index>]
        let path = arn.splitn(6, ':').nth(5)?;
        let rest = path.strip_prefix("table/")?;
        let target = match rest.split_once("/index/") {
            Some((table, index)) => format!("{table}/{index}"),
            None => rest.to_owned(),
        };
        (!target.is_empty()).then_some(target)
    }
}

impl std::fmt::Display for ThrottlingReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.target() {
            Some(target) => write!(f, "{} on {target}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// The reasons of a throttling error of DynamoDB's, `None` for any other
/// error; an error with no reasons gives one reason named by its code.
pub(crate) fn of_sdk(err: &aws_sdk_dynamodb::Error) -> Option<Vec<ThrottlingReason>> {
    use aws_sdk_dynamodb::Error as E;
    let (code, reasons) = match err {
        E::ProvisionedThroughputExceededException(e) => (
            "ProvisionedThroughputExceededException",
            e.throttling_reasons(),
        ),
        E::ThrottlingException(e) => ("ThrottlingException", e.throttling_reasons()),
        E::RequestLimitExceeded(e) => ("RequestLimitExceeded", e.throttling_reasons()),
        _ => return None,
    };
    Some(from_parts(code, reasons))
}

/// The reasons given, or one reason named by the error code.
pub(crate) fn from_parts(code: &str, reasons: &[SdkReason]) -> Vec<ThrottlingReason> {
    if reasons.is_empty() {
        return vec![ThrottlingReason {
            reason: code.to_owned(),
            resource: None,
        }];
    }
    reasons.iter().map(ThrottlingReason::from_sdk).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(reason: &str, resource: Option<&str>) -> ThrottlingReason {
        ThrottlingReason {
            reason: reason.into(),
            resource: resource.map(Into::into),
        }
    }

    #[test]
    fn reasons_are_read_by_their_parts() {
        let hot = reason(
            "IndexWriteKeyRangeThroughputExceeded",
            Some("arn:aws:dynamodb:eu-west-1:123456789012:table/links/index/GSI1"),
        );
        assert_eq!(hot.limit(), ThrottleLimit::KeyRangeThroughputExceeded);
        assert!(hot.is_write() && hot.is_index());
        assert_eq!(hot.target().as_deref(), Some("links/GSI1"));
        assert_eq!(
            hot.to_string(),
            "IndexWriteKeyRangeThroughputExceeded on links/GSI1"
        );
        let table = reason(
            "TableReadMaxOnDemandThroughputExceeded",
            Some("arn:aws:dynamodb:eu-west-1:123456789012:table/links"),
        );
        assert_eq!(table.limit(), ThrottleLimit::MaxOnDemandThroughputExceeded);
        assert!(!table.is_write() && !table.is_index());
        assert_eq!(table.target().as_deref(), Some("links"));
        let provisioned = reason("TableWriteProvisionedThroughputExceeded", None);
        assert_eq!(
            provisioned.limit(),
            ThrottleLimit::ProvisionedThroughputExceeded
        );
        assert_eq!(provisioned.target(), None);
        assert_eq!(
            reason("IndexReadAccountLimitExceeded", None).limit(),
            ThrottleLimit::AccountLimitExceeded
        );
        for unknown in ["", "TableWrite", "Tablewhatever", "ThrottlingException"] {
            assert_eq!(
                reason(unknown, None).limit(),
                ThrottleLimit::Other,
                "{unknown}"
            );
        }
        for odd in [
            "",
            "arn:aws:dynamodb",
            "arn:aws:dynamodb:r:a:stream/x",
            "arn:aws:dynamodb:r:a:table/",
        ] {
            assert_eq!(reason("x", Some(odd)).target(), None, "{odd}");
        }
    }

    #[test]
    fn an_error_without_reasons_is_named_by_its_code() {
        assert_eq!(
            from_parts("ThrottlingException", &[]),
            vec![reason("ThrottlingException", None)]
        );
    }
}
