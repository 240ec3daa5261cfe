//! The values the design system's component macros (`templates/components.html`) take.

/// One link of a breadcrumb trail.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub text: String,
    pub href: String,
}

impl Crumb {
    pub fn new(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: href.into(),
        }
    }
}

/// One option of a checkbox group, radio group or select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A numbered pagination: links to the previous and next pages, and to the first, last and
/// nearby pages with gaps between.
#[derive(Debug, Clone, Default)]
pub struct Pagination {
    pub previous: Option<String>,
    pub next: Option<String>,
    pub items: Vec<PageLink>,
}

/// A page number and its link, or a gap (`href` of `None`).
#[derive(Debug, Clone)]
pub struct PageLink {
    pub number: u64,
    pub href: Option<String>,
    pub current: bool,
}

impl Pagination {
    /// Pages of `per_page` over `total` records, `current` counted from 1, each page's link made
    /// by `href`.
    pub fn new(total: u64, per_page: u64, current: u64, href: impl Fn(u64) -> String) -> Self {
        let last = total.div_ceil(per_page.max(1)).max(1);
        if last == 1 {
            return Self::default();
        }
        let current = current.clamp(1, last);
        let mut items = Vec::new();
        let mut previous_shown = 0;
        for number in 1..=last {
            let near = number.abs_diff(current) <= 1;
            if number == 1 || number == last || near {
                if number > previous_shown + 1 {
                    items.push(PageLink {
                        number: 0,
                        href: None,
                        current: false,
                    });
                }
                items.push(PageLink {
                    number,
                    href: Some(href(number)),
                    current: number == current,
                });
                previous_shown = number;
            }
        }
        Self {
            previous: (current > 1).then(|| href(current - 1)),
            next: (current < last).then(|| href(current + 1)),
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_far_away_are_shown_as_gaps() {
        let p = Pagination::new(200, 20, 5, |n| format!("?page={n}"));
        let shown: Vec<Option<u64>> = p
            .items
            .iter()
            .map(|i| i.href.as_ref().map(|_| i.number))
            .collect();
        assert_eq!(
            shown,
            vec![Some(1), None, Some(4), Some(5), Some(6), None, Some(10)]
        );
        assert_eq!(p.previous.as_deref(), Some("?page=4"));
        assert_eq!(p.next.as_deref(), Some("?page=6"));
        assert!(
            Pagination::new(20, 20, 1, |n| n.to_string())
                .items
                .is_empty()
        );
    }
}
