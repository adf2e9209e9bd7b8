//! Calendar years and dates: bounds for input years, and "today" in China Standard Time.

use crate::error::{DomainError, DomainResult};
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// The earliest year the registry accepts for its own records (identification, income, profiles).
pub const FIRST_YEAR: i32 = 2000;

/// Today's date in Asia/Shanghai (UTC+8, no daylight saving), the calendar the offices work by.
pub fn today() -> Date {
    OffsetDateTime::now_utc()
        .to_offset(UtcOffset::from_hms(8, 0, 0).expect("valid offset"))
        .date()
}

/// A year for the registry: from [`FIRST_YEAR`] to this year.
pub fn check_year(field: &str, year: i32, this_year: i32) -> DomainResult<i32> {
    let label = crate::labels::Label(field);
    if year < FIRST_YEAR {
        return Err(DomainError::invalid(
            field,
            "year_out_of_range",
            format!("{label} 不能早于 {FIRST_YEAR} 年"),
        ));
    }
    if year > this_year {
        return Err(DomainError::invalid(
            field,
            "year_in_future",
            format!("{label} 不能晚于今年（{this_year}）"),
        ));
    }
    Ok(year)
}

/// A date of an event that has happened: not after today, not before 1900.
pub fn check_past_date(field: &str, date: Date, today: Date) -> DomainResult<Date> {
    let label = crate::labels::Label(field);
    if date > today {
        return Err(DomainError::invalid(
            field,
            "date_in_future",
            format!("{label} 不能晚于今天（{today}）"),
        ));
    }
    if date.year() < 1900 {
        return Err(DomainError::invalid(
            field,
            "date_out_of_range",
            format!("{label} 不能早于1900年"),
        ));
    }
    Ok(date)
}

/// 31 December of `year`.
pub fn year_end(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).expect("31 December exists")
}

/// Parse `YYYY-MM-DD` strictly (a real calendar date).
pub fn parse_date(field: &str, text: &str) -> DomainResult<Date> {
    let label = crate::labels::Label(field);
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), fmt).map_err(|_| {
        DomainError::invalid(
            field,
            "invalid_date",
            format!("{label} 不是有效日期（格式 YYYY-MM-DD）：{}", text.trim()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn years_and_dates() {
        assert!(check_year("year", 2018, 2026).is_ok());
        assert_eq!(
            check_year("year", 1999, 2026).unwrap_err().code,
            "year_out_of_range"
        );
        assert_eq!(
            check_year("year", 2027, 2026).unwrap_err().code,
            "year_in_future"
        );
        assert_eq!(
            check_past_date("d", date!(2026 - 11 - 30), date!(2026 - 11 - 29))
                .unwrap_err()
                .code,
            "date_in_future"
        );
        assert_eq!(
            parse_date("d", "2018-02-28").unwrap(),
            date!(2018 - 02 - 28)
        );
        assert_eq!(
            parse_date("d", "1900-02-29").unwrap_err().code,
            "invalid_date"
        );
        assert_eq!(year_end(2018), date!(2018 - 12 - 31));
    }
}
