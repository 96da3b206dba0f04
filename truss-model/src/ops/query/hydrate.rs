//! Hydration: a query of an index that holds only some attributes, each
//! page's items then fetched whole from the table by their keys.

use super::{Page, Query};
use crate::expr::Placeholders;
use crate::foundation::error::{Error, KeyDisplay, Result};
use crate::foundation::item::Item;
use crate::keys::entity::Entity;
use crate::ops::batch::{read_keys, Reading, DEFAULT_CONCURRENCY};
use crate::ops::cursor::Cursor;
use crate::ops::projection::Rendered;
use crate::ops::write_back::decoding;
use crate::table::inner::RenderedKey;
use crate::table::retry::RetryPolicy;
use crate::table::Table;
use futures::stream::{Stream, TryStreamExt};
use std::fmt;

/// One page of a hydrated query.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HydratedPage<E> {
    /// The page's items, whole, in the index's order.
    pub items: Vec<E>,
    /// Keys the index listed whose items were gone when fetched (deleted
    /// between the query and the fetch; the index is updated
    /// asynchronously): reported, never silently dropped.
    pub missing: Vec<KeyDisplay>,
    /// Where the next page starts; `None` when this is the last page.
    pub cursor: Option<Cursor>,
}

/// Every page of a hydrated query, collected.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Hydrated<E> {
    /// The items, whole, in the index's order.
    pub items: Vec<E>,
    /// Keys whose items were gone when fetched.
    pub missing: Vec<KeyDisplay>,
}

/// A query of an index whose items are fetched whole: made by
/// [`Query::hydrate`].
#[must_use = "a Query does nothing until page(), pages() or all() is awaited"]
pub struct Hydrate<E: Entity> {
    query: Query<E>,
    policy: RetryPolicy,
}

impl<E: Entity> fmt::Debug for Hydrate<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Hydrate").field(&self.query).finish()
    }
}

impl<E: Entity, R> Query<E, R> {
    /// Reads whole items through an index that holds only some of their
    /// attributes (`projection = "keys_only"` or `include = [...]`): per
    /// page, one Query of the index (its keys only) and one BatchGetItem
    /// of those items from the table (more only to retry unprocessed
    /// keys). Items keep the index's order; an item deleted between the
    /// two is reported in [`HydratedPage::missing`]. Call it last.
    pub fn hydrate(self) -> Hydrate<E> {
        Hydrate {
            query: self.whole(),
            policy: RetryPolicy::default(),
        }
    }
}

impl<E: Entity> Hydrate<E> {
    /// The retry policy for keys the BatchGetItem leaves unprocessed.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Every page, lazily: one Query and one BatchGetItem each.
    pub fn pages(self) -> impl Stream<Item = Result<HydratedPage<E>>> + Send + 'static {
        let table = self.query.q.table.clone();
        let policy = self.policy;
        self.query
            .pages_as(Some(keys_only), |_, item| Ok(item))
            .and_then(move |page| {
                let table = table.clone();
                async move { fetch(&table, page, policy).await }
            })
    }

    /// One page.
    pub async fn page(self) -> Result<HydratedPage<E>> {
        let first = Box::pin(self.pages()).try_next().await?;
        Ok(first.unwrap_or(HydratedPage {
            items: Vec::new(),
            missing: Vec::new(),
            cursor: None,
        }))
    }

    /// Every page, collected.
    pub async fn all(self) -> Result<Hydrated<E>> {
        self.pages()
            .try_fold(
                Hydrated {
                    items: Vec::new(),
                    missing: Vec::new(),
                },
                |mut all, page| async move {
                    all.items.extend(page.items);
                    all.missing.extend(page.missing);
                    Ok(all)
                },
            )
            .await
    }
}

/// The projection of the keys a hydrated query needs, and nothing else.
fn keys_only(keys: &[&str], _: Option<&crate::keys::template::Index>) -> Result<Rendered> {
    let mut p = Placeholders::with_prefix("#p");
    let mut names: Vec<String> = keys.iter().map(|k| p.name(k)).collect();
    names.dedup();
    let (placeholders, _) = p.into_parts();
    Ok(Rendered {
        expression: names.join(", "),
        names: placeholders.unwrap_or_default(),
    })
}

/// The page's items fetched whole, in the page's order.
async fn fetch<E: Entity>(
    table: &Table,
    page: Page<Item>,
    policy: RetryPolicy,
) -> Result<HydratedPage<E>> {
    let inner = &table.inner;
    let keys: Vec<RenderedKey> = page
        .items
        .iter()
        .map(|item| {
            let text = |attr: &str| match item.get(attr) {
                Some(aws_sdk_dynamodb::types::AttributeValue::S(s)) => Some(s.clone()),
                _ => None,
            };
            let pk = text(&inner.pk);
            let sk = inner.sk.as_deref().map(text);
            match (pk, sk) {
                (Some(pk), None) => Ok(RenderedKey { pk, sk: None }),
                (Some(pk), Some(Some(sk))) => Ok(RenderedKey { pk, sk: Some(sk) }),
                _ => Err(Error::Decode {
                    entity: E::NAME,
                    key: inner.display_item(item),
                    field: None,
                    message: "the index returned an item without the table's keys".into(),
                }),
            }
        })
        .collect::<Result<_>>()?;
    let reading = Reading {
        consistent: false,
        concurrency: DEFAULT_CONCURRENCY,
        policy,
        projection: None,
    };
    let (mut found, unread) =
        read_keys(table, E::NAME, keys.iter().map(RenderedKey::id), reading).await?;
    if !unread.is_empty() {
        return Err(Error::UnprocessedKeys {
            entity: E::NAME,
            read: found.len(),
            unprocessed: keys
                .iter()
                .filter(|k| unread.contains(&k.id()))
                .map(|k| inner.display(k))
                .collect(),
        });
    }
    let mut missing = Vec::new();
    let items = decoding(table, || {
        let mut items = Vec::with_capacity(keys.len());
        for key in &keys {
            match found.remove(&key.id()) {
                Some(item) => items.push(inner.decode::<E>(item)?),
                None => missing.push(inner.display(key)),
            }
        }
        Ok(items)
    })
    .await?;
    Ok(HydratedPage {
        items,
        missing,
        cursor: page.cursor,
    })
}
