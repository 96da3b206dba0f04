//! The table settings a definition declares besides its keys and indexes:
//! deletion protection, point-in-time recovery and its window, the table
//! class, tags, the on-demand maximum throughput and warm throughput.
//! Checked when declared, set when the table is created, exported to
//! CloudFormation and Terraform and compared by the drift check.

use crate::foundation::error::{Error, Result};
use crate::table::schema::TableDefinition;
use aws_sdk_dynamodb::types::{
    OnDemandThroughput, PointInTimeRecoverySpecification, PointInTimeRecoveryStatus, TableClass,
    Tag, WarmThroughput,
};

/// The settings declared on a [`TableDefinition`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub(crate) deletion_protection: bool,
    /// Point-in-time recovery and its window in days (1 to 35).
    pub(crate) recovery_days: Option<u8>,
    pub(crate) class: Option<TableClass>,
    /// In declaration order.
    pub(crate) tags: Vec<(String, String)>,
    /// The on-demand maximum read and write request units.
    pub(crate) max_read: Option<u64>,
    pub(crate) max_write: Option<u64>,
    /// Warm throughput: read and write units per second.
    pub(crate) warm: Option<(u64, u64)>,
}

/// DynamoDB's limits on tags.
const MAX_TAGS: usize = 50;
const MAX_TAG_KEY: usize = 128;
const MAX_TAG_VALUE: usize = 256;

/// A setting's value as the drift check compares it: what the definition
/// declares, or what the live table reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Known<T> {
    Is(T),
    /// The endpoint does not report it (a local engine, for one), and why.
    NotReported(String),
}

/// The settings as infrastructure code and the live table state them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SettingsSpec {
    pub(crate) deletion_protection: Known<bool>,
    pub(crate) class: Known<String>,
    /// Maximum read and write request units (`None`: no maximum).
    pub(crate) on_demand: Known<(Option<i64>, Option<i64>)>,
    /// Read and write units per second.
    pub(crate) warm: Known<Option<(i64, i64)>>,
    /// The recovery window in days (`None`: recovery off).
    pub(crate) recovery_days: Known<Option<i64>>,
    /// Sorted by key.
    pub(crate) tags: Known<Vec<(String, String)>>,
}

fn units(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Settings {
    pub(crate) fn spec(&self) -> SettingsSpec {
        let mut tags = self.tags.clone();
        tags.sort();
        SettingsSpec {
            deletion_protection: Known::Is(self.deletion_protection),
            class: Known::Is(
                self.class
                    .as_ref()
                    .map_or("STANDARD", TableClass::as_str)
                    .to_owned(),
            ),
            on_demand: Known::Is((self.max_read.map(units), self.max_write.map(units))),
            warm: Known::Is(self.warm.map(|(r, w)| (units(r), units(w)))),
            recovery_days: Known::Is(self.recovery_days.map(i64::from)),
            tags: Known::Is(tags),
        }
    }
}

impl TableDefinition {
    fn settings_error(&self, reason: String) -> Error {
        Error::Schema {
            table: self.table.inner.name.clone(),
            entity: "the table definition",
            reason,
        }
    }

    /// Turns on deletion protection: DynamoDB refuses `DeleteTable` until it
    /// is turned off (`DeletionProtectionEnabled`).
    pub fn deletion_protection(mut self) -> Self {
        self.settings.deletion_protection = true;
        self
    }

    /// Turns on point-in-time recovery with a window of `days` (1 to 35):
    /// set by `UpdateContinuousBackups` once the table is created, and in
    /// the exports (`PointInTimeRecoverySpecification`). A window outside
    /// 1 to 35 is an [`Error::Schema`] before any request.
    pub fn point_in_time_recovery(mut self, days: u8) -> Self {
        if !(1..=35).contains(&days) {
            let error = self.settings_error(format!(
                "a point-in-time recovery window of {days} days: DynamoDB keeps 1 to 35"
            ));
            self.checks.push(Err(error));
        }
        self.settings.recovery_days = Some(days);
        self
    }

    /// The table class (`STANDARD`, or `STANDARD_INFREQUENT_ACCESS` for
    /// data read rarely); `STANDARD` unless set.
    pub fn table_class(mut self, class: TableClass) -> Self {
        self.settings.class = Some(class);
        self
    }

    /// Adds a tag. DynamoDB's rules are checked before any request: up to
    /// 50 tags, keys of 1 to 128 characters not starting with `aws:`,
    /// values of up to 256, each key once, and only letters, digits,
    /// white space and `_ . : / = + - @`; a tag breaking one is an
    /// [`Error::Schema`].
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        let allowed = |s: &str| {
            s.chars()
                .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
        };
        let problem = if key.is_empty() || key.chars().count() > MAX_TAG_KEY {
            Some(format!(
                "tag key `{key}` has {} characters: DynamoDB takes 1 to {MAX_TAG_KEY}",
                key.chars().count()
            ))
        } else if value.chars().count() > MAX_TAG_VALUE {
            Some(format!(
                "tag `{key}`'s value has {} characters: DynamoDB takes up to {MAX_TAG_VALUE}",
                value.chars().count()
            ))
        } else if key.starts_with("aws:") {
            Some(format!("tag key `{key}`: the `aws:` prefix is AWS's own"))
        } else if !allowed(&key) || !allowed(&value) {
            Some(format!("tag `{key}` = `{value}`: DynamoDB takes letters, digits, white space and `_ . : / = + - @` only"))
        } else if self.settings.tags.iter().any(|(k, _)| *k == key) {
            Some(format!("tag key `{key}` twice"))
        } else if self.settings.tags.len() == MAX_TAGS {
            Some(format!("more than {MAX_TAGS} tags"))
        } else {
            None
        };
        match problem {
            Some(problem) => {
                let error = self.settings_error(problem);
                self.checks.push(Err(error));
            }
            None => self.settings.tags.push((key, value)),
        }
        self
    }

    /// The most request units per second an on-demand table may consume
    /// (`OnDemandThroughput`: reads, writes, or both; `None` for no
    /// maximum). A maximum of 0 is an [`Error::Schema`].
    pub fn max_on_demand_throughput(mut self, read: Option<u64>, write: Option<u64>) -> Self {
        if read == Some(0) || write == Some(0) {
            let error = self.settings_error(
                "an on-demand maximum of 0 request units: DynamoDB takes 1 or more".into(),
            );
            self.checks.push(Err(error));
        }
        self.settings.max_read = read;
        self.settings.max_write = write;
        self
    }

    /// Pre-warms the table for `read` and `write` units per second
    /// (`WarmThroughput`), for a launch or a migration that starts at full
    /// speed. The drift check reports a live table warmed below these; it
    /// may be warmer (DynamoDB raises warm throughput with use). A value of
    /// 0 is an [`Error::Schema`].
    pub fn warm_throughput(mut self, read: u64, write: u64) -> Self {
        if read == 0 || write == 0 {
            let error = self.settings_error(
                "a warm throughput of 0 units per second: DynamoDB takes 1 or more".into(),
            );
            self.checks.push(Err(error));
        }
        self.settings.warm = Some((read, write));
        self
    }

    /// The settings as `CreateTable` takes them.
    pub(crate) fn apply_settings(
        &self,
        request: aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder,
    ) -> Result<aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder> {
        let s = &self.settings;
        let build_error = |e: aws_sdk_dynamodb::error::BuildError| Error::TableNotReady {
            table: self.table.inner.name.clone(),
            message: e.to_string(),
        };
        let tags = s
            .tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error))
            .collect::<Result<Vec<_>>>()?;
        let on_demand = (s.max_read.is_some() || s.max_write.is_some()).then(|| {
            OnDemandThroughput::builder()
                .set_max_read_request_units(s.max_read.map(units))
                .set_max_write_request_units(s.max_write.map(units))
                .build()
        });
        let warm = s.warm.map(|(read, write)| {
            WarmThroughput::builder()
                .read_units_per_second(units(read))
                .write_units_per_second(units(write))
                .build()
        });
        Ok(request
            .set_deletion_protection_enabled(s.deletion_protection.then_some(true))
            .set_table_class(s.class.clone())
            .set_tags((!tags.is_empty()).then_some(tags))
            .set_on_demand_throughput(on_demand)
            .set_warm_throughput(warm))
    }

    /// What `CreateTable` cannot set: point-in-time recovery, turned on
    /// once the table is ACTIVE.
    pub(crate) async fn apply_recovery(&self) -> Result<()> {
        let Some(days) = self.settings.recovery_days else {
            return Ok(());
        };
        let inner = &self.table.inner;
        let specification = PointInTimeRecoverySpecification::builder()
            .point_in_time_recovery_enabled(true)
            .recovery_period_in_days(i32::from(days))
            .build()
            .map_err(|e| Error::TableNotReady {
                table: inner.name.clone(),
                message: e.to_string(),
            })?;
        inner
            .client
            .update_continuous_backups()
            .table_name(&inner.name)
            .point_in_time_recovery_specification(specification)
            .send()
            .await
            .map_err(|e| Error::dynamo("UpdateContinuousBackups", e))?;
        Ok(())
    }

    /// The live table's settings: from its description, and from
    /// DescribeContinuousBackups and ListTagsOfResource, each
    /// [`Known::NotReported`] where the endpoint does not answer it.
    pub(crate) async fn live_settings(
        &self,
        table: &aws_sdk_dynamodb::types::TableDescription,
    ) -> Result<SettingsSpec> {
        let inner = &self.table.inner;
        fn none<T>(what: &str) -> Known<T> {
            Known::NotReported(format!("DescribeTable gives no {what}"))
        }
        let deletion_protection = table
            .deletion_protection_enabled()
            .map_or_else(|| none("DeletionProtectionEnabled"), Known::Is);
        let class = table
            .table_class_summary()
            .and_then(|c| c.table_class())
            .map_or_else(
                || none("TableClassSummary"),
                |c| Known::Is(c.as_str().to_owned()),
            );
        // DynamoDB reports -1 for "no maximum".
        let positive = |n: Option<i64>| n.filter(|n| *n > 0);
        let on_demand = table.on_demand_throughput().map_or_else(
            || none("OnDemandThroughput"),
            |o| {
                Known::Is((
                    positive(o.max_read_request_units()),
                    positive(o.max_write_request_units()),
                ))
            },
        );
        let warm = table.warm_throughput().map_or_else(
            || none("WarmThroughput"),
            |w| Known::Is(w.read_units_per_second().zip(w.write_units_per_second())),
        );
        let recovery_days = match inner
            .client
            .describe_continuous_backups()
            .table_name(&inner.name)
            .send()
            .await
        {
            Ok(out) => {
                let description = out
                    .continuous_backups_description()
                    .and_then(|c| c.point_in_time_recovery_description());
                let enabled = description.and_then(|d| d.point_in_time_recovery_status())
                    == Some(&PointInTimeRecoveryStatus::Enabled);
                // Without a window in the answer, DynamoDB's default: 35.
                Known::Is(enabled.then(|| {
                    description
                        .and_then(|d| d.recovery_period_in_days())
                        .map_or(35, i64::from)
                }))
            }
            Err(e) if unknown_operation(&e) => {
                Known::NotReported("DescribeContinuousBackups: UnknownOperationException".into())
            }
            Err(e) => return Err(Error::dynamo("DescribeContinuousBackups", e)),
        };
        let tags = match table.table_arn() {
            Some(arn) => self.live_tags(arn).await?,
            None => none("TableArn"),
        };
        Ok(SettingsSpec {
            deletion_protection,
            class,
            on_demand,
            warm,
            recovery_days,
            tags,
        })
    }

    /// The table's tags (ListTagsOfResource, every page), sorted, without
    /// AWS's own (`aws:`).
    async fn live_tags(&self, arn: &str) -> Result<Known<Vec<(String, String)>>> {
        let client = &self.table.inner.client;
        let mut tags = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = match client
                .list_tags_of_resource()
                .resource_arn(arn)
                .set_next_token(next.take())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) if unknown_operation(&e) => {
                    return Ok(Known::NotReported(
                        "ListTagsOfResource: UnknownOperationException".into(),
                    ))
                }
                Err(e) => return Err(Error::dynamo("ListTagsOfResource", e)),
            };
            tags.extend(
                page.tags()
                    .iter()
                    .filter(|t| !t.key().starts_with("aws:"))
                    .map(|t| (t.key().to_owned(), t.value().to_owned())),
            );
            match page.next_token() {
                Some(token) => next = Some(token.to_owned()),
                None => break,
            }
        }
        tags.sort();
        Ok(Known::Is(tags))
    }
}

/// An endpoint that does not implement the operation (local engines).
fn unknown_operation<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "UnknownOperationException")
}

/// The drifts of the settings: `(path, expected, found)` for each setting
/// that differs, and for each declared one the endpoint does not report.
pub(crate) fn compare(
    expected: &SettingsSpec,
    found: &SettingsSpec,
) -> Vec<(String, String, String)> {
    let mut drifts = Vec::new();
    fn one<T: PartialEq>(
        drifts: &mut Vec<(String, String, String)>,
        path: &str,
        expected: &Known<T>,
        found: &Known<T>,
        default: T,
        show: impl Fn(&T) -> String,
        differs: impl Fn(&T, &T) -> bool,
    ) {
        let Known::Is(expected) = expected else {
            return;
        };
        match found {
            Known::Is(found) if differs(expected, found) => {
                drifts.push((path.to_owned(), show(expected), show(found)));
            }
            Known::Is(_) => {}
            // Not reported: a drift only if something was declared.
            Known::NotReported(why) if *expected != default => {
                drifts.push((
                    path.to_owned(),
                    show(expected),
                    format!("not reported ({why})"),
                ));
            }
            Known::NotReported(_) => {}
        }
    }
    one(
        &mut drifts,
        "DeletionProtectionEnabled",
        &expected.deletion_protection,
        &found.deletion_protection,
        false,
        |b| b.to_string(),
        |a: &bool, b: &bool| a != b,
    );
    one(
        &mut drifts,
        "TableClass",
        &expected.class,
        &found.class,
        "STANDARD".to_owned(),
        Clone::clone,
        |a: &String, b: &String| a != b,
    );
    let limit = |n: &Option<i64>| n.map_or("none".to_owned(), |n| n.to_string());
    one(
        &mut drifts,
        "OnDemandThroughput",
        &expected.on_demand,
        &found.on_demand,
        (None, None),
        |(r, w)| format!("max reads {}, max writes {}", limit(r), limit(w)),
        |a, b| a != b,
    );
    // Warmer than declared is no drift: DynamoDB raises it with use.
    one(
        &mut drifts,
        "WarmThroughput",
        &expected.warm,
        &found.warm,
        None,
        |w| {
            w.map_or("none".to_owned(), |(r, w)| {
                format!("{r} reads/s, {w} writes/s")
            })
        },
        |expected, found| match (expected, found) {
            (Some((er, ew)), Some((fr, fw))) => fr < er || fw < ew,
            (Some(_), None) => true,
            (None, _) => false,
        },
    );
    one(
        &mut drifts,
        "PointInTimeRecoverySpecification",
        &expected.recovery_days,
        &found.recovery_days,
        None,
        |d| d.map_or("off".to_owned(), |d| format!("on, {d} days")),
        |a, b| a != b,
    );
    match (&expected.tags, &found.tags) {
        (Known::Is(expected), Known::Is(found)) => {
            let mut keys: Vec<&String> = expected.iter().chain(found).map(|(k, _)| k).collect();
            keys.sort();
            keys.dedup();
            let value = |tags: &[(String, String)], key: &str| {
                tags.iter()
                    .find(|(k, _)| k == key)
                    .map_or("none".to_owned(), |(_, v)| format!("`{v}`"))
            };
            for key in keys {
                let (e, f) = (value(expected, key), value(found, key));
                if e != f {
                    drifts.push((format!("Tags.{key}"), e, f));
                }
            }
        }
        (Known::Is(expected), Known::NotReported(why)) if !expected.is_empty() => {
            let declared: Vec<String> =
                expected.iter().map(|(k, v)| format!("{k}=`{v}`")).collect();
            drifts.push((
                "Tags".to_owned(),
                declared.join(", "),
                format!("not reported ({why})"),
            ));
        }
        _ => {}
    }
    drifts
}
