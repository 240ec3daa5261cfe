//! The text validators of `service::check::Check`: `text` and `optional_text` (one line),
//! `prose` and `optional_prose` (several lines).
//!
//! Never a panic, and the text they keep without an error is text every output can carry:
//! trimmed, within `max` characters, no control character (prose keeps `\n` and `\t`, with
//! `\r\n` and `\r` made `\n`), no Unicode noncharacter, and every character an XML 1.0 `Char`.
//! Conversely, a value with none of those problems is not refused.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use registry_api::service::check::Check;

#[derive(Debug, Arbitrary)]
struct Input {
    multi_line: bool,
    /// A small limit, so that the length check is reached.
    max: u8,
    /// Whether the optional form is also given `None`.
    also_none: bool,
    value: String,
}

/// U+FDD0..=U+FDEF and the last two code points of every plane, by the Unicode definition.
fn is_noncharacter(c: char) -> bool {
    let code = c as u32;
    (0xFDD0..=0xFDEF).contains(&code) || matches!(code & 0xFFFF, 0xFFFE | 0xFFFF)
}

/// XML 1.0's `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
fn is_xml_char(c: char) -> bool {
    matches!(c as u32,
        0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// Whether a character may stay in a kept value.
fn allowed(c: char, multi_line: bool) -> bool {
    let kept_control = multi_line && (c == '\n' || c == '\t');
    (!c.is_control() || kept_control) && !is_noncharacter(c)
}

/// What the validator should keep of `value`, computed independently.
fn expected_text(value: &str, multi_line: bool) -> String {
    let trimmed = value.trim();
    if multi_line {
        let mut out = String::with_capacity(trimmed.len());
        let mut chars = trimmed.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            } else {
                out.push(c);
            }
        }
        out
    } else {
        trimmed.to_owned()
    }
}

/// Checks what one validator returned, given whether it reported an error.
fn check_kept(input: &Input, kept: Option<&str>, ok: bool, required: bool) {
    let max = usize::from(input.max);
    let expected = expected_text(&input.value, input.multi_line);
    match kept {
        None => {
            assert!(!required, "a required field always returns its text");
            assert!(
                expected.is_empty(),
                "optional text {:?} became None",
                input.value
            );
            assert!(ok, "an empty optional value is not an error");
            return;
        }
        Some(text) => assert_eq!(text, expected, "the kept text of {:?}", input.value),
    }
    let text = expected;
    let should_pass = !text.is_empty()
        && text.chars().count() <= max
        && text.chars().all(|c| allowed(c, input.multi_line));
    assert_eq!(
        ok,
        should_pass,
        "{:?} (multi_line {}, max {max}) was {}",
        input.value,
        input.multi_line,
        if ok { "accepted" } else { "refused" }
    );
    if ok {
        assert_eq!(text.trim(), text, "kept text is trimmed");
        assert!(!text.contains('\r'), "no carriage return is kept: {text:?}");
        for c in text.chars() {
            assert!(
                allowed(c, input.multi_line),
                "kept U+{:04X} in {text:?}",
                c as u32
            );
            assert!(
                is_xml_char(c),
                "kept U+{:04X}, not an XML 1.0 Char",
                c as u32
            );
            if !input.multi_line {
                assert!(
                    !c.is_control(),
                    "one-line text kept control U+{:04X}",
                    c as u32
                );
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let max = usize::from(input.max);

    let mut check = Check::new();
    let kept = if input.multi_line {
        check.prose("findings", "the findings", &input.value, max)
    } else {
        check.text("title", "the title", &input.value, max)
    };
    check_kept(&input, Some(&kept), check.finish().is_ok(), true);

    let mut check = Check::new();
    let kept = if input.multi_line {
        check.optional_prose("lessons", "the lessons", Some(&input.value), max)
    } else {
        check.optional_text("summary", "the summary", Some(&input.value), max)
    };
    check_kept(&input, kept.as_deref(), check.finish().is_ok(), false);

    if input.also_none {
        let mut check = Check::new();
        let kept = if input.multi_line {
            check.optional_prose("lessons", "the lessons", None, max)
        } else {
            check.optional_text("summary", "the summary", None, max)
        };
        assert_eq!(kept, None);
        assert!(check.finish().is_ok(), "None is not an error");
    }
});
