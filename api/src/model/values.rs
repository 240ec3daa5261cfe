//! Value types that validate on construction, so a value that exists is a valid one.

use std::fmt;

use validator::{ValidateEmail, ValidateUrl};

use crate::error::{ErrorCode, FieldError};

/// An ODS code: 3 to 10 upper-case letters and digits (trusts `RXX`, GP practices `A12345`,
/// ICBs `QXX`, PCNs `U12345`). Lower case is accepted and upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OdsCode(String);

impl OdsCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(FieldError::new(
                field,
                ErrorCode::Required,
                "Enter an ODS code",
            ));
        }
        let shaped = (3..=10).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && code.chars().any(|c| c.is_ascii_uppercase());
        if !shaped {
            return Err(FieldError::new(
                field,
                ErrorCode::Invalid,
                "ODS code must be 3 to 10 letters and digits, with at least one letter, like RXX or A12345",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A URL path segment naming a technology: lower-case letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let slug = raw.trim();
        if slug.is_empty() {
            return Err(FieldError::new(field, ErrorCode::Required, "Enter a slug"));
        }
        if slug.len() > 80 {
            return Err(FieldError::new(
                field,
                ErrorCode::TooLong,
                "Slug must be 80 characters or fewer",
            ));
        }
        let shaped = slug.len() >= 3
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--");
        if !shaped {
            return Err(FieldError::new(
                field,
                ErrorCode::Invalid,
                "Slug must be at least 3 characters of lower-case letters, digits and single hyphens, like virtual-ward-hub",
            ));
        }
        Ok(Self(slug.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim();
        if email.len() > 320 || !email.validate_email() {
            return Err(FieldError::new(
                field,
                ErrorCode::Invalid,
                "Enter an e-mail address in the right format, like name@example.nhs.uk",
            ));
        }
        Ok(Self(email.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An absolute http or https link to evidence or a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link(String);

impl Link {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let url = raw.trim();
        let web = url.starts_with("https://") || url.starts_with("http://");
        if url.len() > 2000
            || !web
            || url.chars().any(|c| c.is_control() || c.is_whitespace())
            || !url.validate_url()
        {
            return Err(FieldError::new(
                field,
                ErrorCode::Invalid,
                "Enter a full web address starting with https://",
            ));
        }
        Ok(Self(url.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_are_upper_cased_and_shaped() {
        assert_eq!(
            OdsCode::parse("odsCode", " rxx01 ").map(OdsCode::into_inner),
            Ok("RXX01".into())
        );
        assert_eq!(
            OdsCode::parse("odsCode", "A81001").map(OdsCode::into_inner),
            Ok("A81001".into())
        );
        for bad in ["", "R", "12345", "RX-1", "ABCDEFGHIJK", "RÖX"] {
            assert!(
                OdsCode::parse("odsCode", bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn slugs_refuse_odd_shapes() {
        assert!(Slug::parse("slug", "virtual-ward-hub").is_ok());
        for bad in [
            "",
            "ab",
            "Upper",
            "two--hyphens",
            "-lead",
            "trail-",
            "sp ace",
        ] {
            assert!(
                Slug::parse("slug", bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn links_must_be_web_addresses() {
        assert!(Link::parse("url", "https://example.org/report.pdf").is_ok());
        assert!(Link::parse("url", "javascript:alert(1)").is_err());
        assert!(Link::parse("url", "ftp://example.org").is_err());
    }
}
