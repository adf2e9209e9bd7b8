//! Keyset pages of lists: the rows after a cursor in a list's stable order, at most a page of them,
//! with the cursor of the next page. A page after a cursor is a range of an index in list order, as
//! fast at the end of a province as at its start; offsets (page numbers) would read and skip every
//! row before the page. Each list states its order and cursor: an id (`123`), a date and an id
//! (`2018-03-01_123`), a village and an id (`360124106204_123`), or a name.

use crate::error::{DomainError, DomainResult};
use crate::regions::RegionCode;
use serde::Serialize;
use time::Date;

/// Rows a page holds unless the request says otherwise.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// Largest page a list returns to a request.
pub const MAX_PER_PAGE: u32 = 500;

/// Which page of a list: the rows after `after` (the previous page's `next`), at most `limit`, in
/// the list's own order or, when `descending`, backwards along the same index (the cursor then
/// names the last row shown, and the next page holds the rows before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub after: Option<String>,
    pub limit: u32,
    pub descending: bool,
}

impl Default for Keyset {
    fn default() -> Self {
        Keyset {
            after: None,
            limit: DEFAULT_PER_PAGE,
            descending: false,
        }
    }
}

impl Keyset {
    /// A request's page: `after` as given, `per_page` from 1 to [`MAX_PER_PAGE`] (default
    /// [`DEFAULT_PER_PAGE`]).
    pub fn request(after: Option<String>, per_page: Option<u32>) -> DomainResult<Keyset> {
        let limit = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if limit == 0 || limit > MAX_PER_PAGE {
            return Err(DomainError::invalid(
                "per_page",
                "out_of_range",
                format!("每页条数须在 1 到 {MAX_PER_PAGE} 之间"),
            ));
        }
        Ok(Keyset {
            after: after
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
            limit,
            descending: false,
        })
    }

    /// Every row at once: for callers inside the system that walk a short list (a household's
    /// pairings on its page, the units of an export), never for a request's list.
    pub fn all() -> Keyset {
        Keyset {
            after: None,
            limit: u32::MAX - 1,
            descending: false,
        }
    }

    /// The first `limit` rows.
    pub fn first(limit: u32) -> Keyset {
        Keyset {
            after: None,
            limit,
            descending: false,
        }
    }

    /// The page after `cursor`.
    pub fn after(cursor: impl Into<String>, limit: u32) -> Keyset {
        Keyset {
            after: Some(cursor.into()),
            limit,
            descending: false,
        }
    }

    /// The same page backwards along the list's order when `descending`.
    pub fn backwards(mut self, descending: bool) -> Keyset {
        self.descending = descending;
        self
    }

    /// The comparison that keeps rows past the cursor and the direction of `ORDER BY`: (`>`, ``)
    /// forwards, (`<`, ` DESC`) backwards.
    pub fn order(&self) -> (&'static str, &'static str) {
        if self.descending {
            ("<", " DESC")
        } else {
            (">", "")
        }
    }

    /// Rows to read: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// The cursor as an id.
    pub fn after_id(&self) -> DomainResult<Option<i64>> {
        self.after.as_deref().map(parse_id).transpose()
    }

    /// The cursor as a date and an id (`YYYY-MM-DD_ID`).
    pub fn after_date_id(&self) -> DomainResult<Option<(Date, i64)>> {
        self.after
            .as_deref()
            .map(|a| {
                let (d, i) = a.split_once('_').ok_or_else(bad_cursor)?;
                let d = Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                    .map_err(|_| bad_cursor())?;
                Ok((d, parse_id(i)?))
            })
            .transpose()
    }

    /// The cursor as a village code and an id (`VILLAGE_ID`).
    pub fn after_village_id(&self) -> DomainResult<Option<(RegionCode, i64)>> {
        self.after
            .as_deref()
            .map(|a| {
                let (v, i) = a.split_once('_').ok_or_else(bad_cursor)?;
                Ok((
                    RegionCode::parse(v).map_err(|_| bad_cursor())?,
                    parse_id(i)?,
                ))
            })
            .transpose()
    }

    /// The cursor as a text key (a name), at most 100 characters.
    pub fn after_text(&self) -> DomainResult<Option<&str>> {
        self.after
            .as_deref()
            .map(|a| {
                if a.chars().count() > 100 {
                    Err(bad_cursor())
                } else {
                    Ok(a)
                }
            })
            .transpose()
    }
}

/// The direction of a list sorted along its index by `key` (`sort=key` forwards, the default;
/// `sort=-key` backwards): whether it is backwards, or `invalid_sort` naming the two orders.
pub fn parse_sort(value: Option<&str>, key: &str) -> DomainResult<bool> {
    match value.map(str::trim) {
        None | Some("") => Ok(false),
        Some(v) if v == key => Ok(false),
        Some(v) if v.strip_prefix('-') == Some(key) => Ok(true),
        Some(_) => Err(DomainError::invalid(
            "sort",
            "invalid_sort",
            format!("排序 sort 须为以下之一：{key}、-{key}"),
        )),
    }
}

fn parse_id(s: &str) -> DomainResult<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|i| *i >= 0)
        .ok_or_else(bad_cursor)
}

fn bad_cursor() -> DomainError {
    DomainError::invalid("after", "invalid_cursor", "after 须为上一页给出的 next 值")
}

/// The cursor of a row by its id.
pub fn id_cursor(id: i64) -> String {
    id.to_string()
}

/// The cursor of a row by its date and id.
pub fn date_id_cursor(date: Date, id: i64) -> String {
    format!("{date}_{id}")
}

/// The cursor of a row by its village and id.
pub fn village_id_cursor(village: &RegionCode, id: i64) -> String {
    format!("{}_{id}", village.as_str())
}

/// A page of a list: its rows in list order, and the `after` of the next page (`None` on the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Listing<T> {
    /// A page from the rows read for `page` (up to [`Keyset::fetch`] of them, in list order): the
    /// first `limit`, and the cursor of the last of them when more were read.
    pub fn from_rows(mut rows: Vec<T>, page: &Keyset, cursor: impl Fn(&T) -> String) -> Self {
        let limit = page.limit as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(cursor)
        } else {
            None
        };
        Listing { items: rows, next }
    }

    /// The same page with its rows changed (masked, filtered by what the caller may see); the
    /// cursor stays that of the rows read.
    pub fn map_items<U>(self, f: impl FnOnce(Vec<T>) -> Vec<U>) -> Listing<U> {
        Listing {
            items: f(self.items),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_go_forwards_or_backwards_along_the_key() {
        assert_eq!(parse_sort(None, "village"), Ok(false));
        assert_eq!(parse_sort(Some(""), "village"), Ok(false));
        assert_eq!(parse_sort(Some("village"), "village"), Ok(false));
        assert_eq!(parse_sort(Some("-village"), "village"), Ok(true));
        let e = parse_sort(Some("name"), "village").unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("invalid_sort", Some("sort")));
        assert!(e.message.contains("village、-village"));
        assert_eq!(
            parse_sort(Some("-id"), "village").unwrap_err().code,
            "invalid_sort"
        );
        let k = Keyset::first(10).backwards(true);
        assert_eq!(k.order(), ("<", " DESC"));
        assert_eq!(Keyset::first(10).order(), (">", ""));
    }

    #[test]
    fn a_page_keeps_its_rows_and_names_the_next() {
        let k = Keyset::first(2);
        let p = Listing::from_rows(vec![1, 2, 3], &k, |i| id_cursor(*i));
        assert_eq!((p.items, p.next), (vec![1, 2], Some("2".to_string())));
        let p = Listing::from_rows(vec![1, 2], &k, |i| id_cursor(*i));
        assert_eq!((p.items, p.next), (vec![1, 2], None));
    }

    #[test]
    fn cursors_read_back() {
        let d = time::macros::date!(2018 - 03 - 01);
        assert_eq!(
            Keyset::after(date_id_cursor(d, 7), 5)
                .after_date_id()
                .unwrap(),
            Some((d, 7))
        );
        let v = RegionCode::parse("360124106204").unwrap();
        assert_eq!(
            Keyset::after(village_id_cursor(&v, 9), 5)
                .after_village_id()
                .unwrap(),
            Some((v, 9))
        );
        assert_eq!(Keyset::after("12", 5).after_id().unwrap(), Some(12));
        for bad in ["x", "-1", "2018-13-01_1", "12_"] {
            let k = Keyset::after(bad, 5);
            assert!(k.after_id().is_err() || k.after_date_id().is_err());
        }
        assert_eq!(
            Keyset::after("nonsense", 5).after_id().unwrap_err().code,
            "invalid_cursor"
        );
        assert_eq!(
            Keyset::request(None, Some(0)).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(
            Keyset::request(Some(" ".into()), None).unwrap(),
            Keyset::default()
        );
    }
}
