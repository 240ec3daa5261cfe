//! How numbers and dates read on the pages: in the NHS style ("1 April 2024"), with no more
//! digits than the figure carries.

use chrono::{DateTime, NaiveDate, Utc};

/// "1 April 2024".
pub fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "1 April 2024" for a moment, in UTC.
pub fn day(at: DateTime<Utc>) -> String {
    date(at.date_naive())
}

/// "1 April 2024 at 14:05 UTC": a moment to the minute.
pub fn moment(at: DateTime<Utc>) -> String {
    format!("{} at {} UTC", day(at), at.format("%H:%M"))
}

/// A figure with up to `places` decimals, trailing zeros dropped: 12.5, 0.031, 1 200.
pub fn number(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "not available".to_owned();
    }
    let fixed = format!("{x:.places$}");
    let trimmed = if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.')
    } else {
        fixed.as_str()
    };
    let (sign, digits) = match trimmed.strip_prefix('-') {
        Some(rest) if rest.chars().any(|c| c != '0' && c != '.') => ("−", rest),
        Some(rest) => ("", rest),
        None => ("", trimmed),
    };
    let (whole, fraction) = digits.split_once('.').map_or((digits, ""), |(w, f)| (w, f));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 && whole.len() > 4 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// A figure with three significant digits or two decimals, whichever is finer for its size.
pub fn figure(x: f64) -> String {
    let places = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 1.0 {
        2
    } else {
        3
    };
    number(x, places)
}

/// A p-value as reported: "p = 0.042", or "p < 0.001".
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_owned()
    } else {
        format!("p = {}", number(p, 3))
    }
}

/// A whole count: 1,200.
pub fn count(n: u64) -> String {
    number(n as f64, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_plainly() {
        assert_eq!(number(1200.0, 0), "1200");
        assert_eq!(number(12000.0, 0), "12,000");
        assert_eq!(number(1_234_567.891, 1), "1,234,567.9");
        assert_eq!(number(-2.50, 2), "−2.5");
        assert_eq!(number(-0.0001, 2), "0");
        assert_eq!(figure(0.12345), "0.123");
        assert_eq!(figure(f64::NAN), "not available");
        assert_eq!(count(25_000), "25,000");
    }

    #[test]
    fn dates_read_in_the_nhs_style() {
        let d = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default();
        assert_eq!(date(d), "1 April 2024");
    }
}
