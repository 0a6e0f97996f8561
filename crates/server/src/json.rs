//! Whole numbers spelled as JSON Schema allows: `2.0`, `1e3` and `-0.0` are integers
//! to JSON Schema (the API document says `integer`), but serde's integer types take
//! only `2`, `1000` and `0`. [`whole_numbers`] respells them before the body is
//! parsed, so the server accepts every integer its document admits and nothing else:
//! a fraction that is not zero, or a number too large for 64 bits, stays as written and
//! is refused by the parser as before.

use std::borrow::Cow;

/// Longest integer respelled: `u64::MAX` has 20 digits; anything longer is refused by
/// the parser whatever its spelling.
const MAX_DIGITS: usize = 20;

/// `text` with every whole number written with a fraction or an exponent rewritten as
/// a plain integer. Strings are copied untouched, and so is anything that is not a
/// well-formed JSON number (the parser refuses it afterwards). Borrows when nothing
/// changes.
pub fn whole_numbers(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `text` already in `out`
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b != b'-' && !b.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
        {
            i += 1;
        }
        // Only ASCII bytes were taken, so these are char boundaries.
        let token = &text[start..i];
        if let Some(integer) = as_integer(token) {
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buf.push_str(&text[copied..start]);
            buf.push_str(&integer);
            copied = i;
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// A JSON number token with a fraction or an exponent whose value is a whole number
/// of at most [`MAX_DIGITS`] digits, as an integer; `None` for anything else.
fn as_integer(token: &str) -> Option<String> {
    let (negative, rest) = match token.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, token),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    if frac.is_none() && exponent.is_none() {
        return None; // Already an integer.
    }
    // JSON's grammar: `0` or no leading zero; a fraction and an exponent have digits.
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    let frac = frac.unwrap_or("");
    if mantissa.contains('.') && !digits(frac) {
        return None;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            // A longer exponent cannot give a whole number of at most 20 digits but 0.
            if !digits(unsigned) || unsigned.len() > 6 {
                return None;
            }
            e.parse().ok()?
        }
    };
    // value = all_digits x 10^shift
    let all: String = format!("{int}{frac}");
    let significant = all.trim_start_matches('0');
    if significant.is_empty() {
        return Some("0".into());
    }
    let shift = exponent - i64::try_from(frac.len()).ok()?;
    let magnitude = if shift >= 0 {
        let zeros = usize::try_from(shift).ok()?;
        if significant.len() + zeros > MAX_DIGITS {
            return None;
        }
        format!("{significant}{}", "0".repeat(zeros))
    } else {
        let cut = usize::try_from(-shift).ok()?;
        if cut >= significant.len() {
            return None; // Below 1 and not 0.
        }
        let (whole, fraction) = significant.split_at(significant.len() - cut);
        if fraction.bytes().any(|b| b != b'0') || whole.len() > MAX_DIGITS {
            return None;
        }
        whole.to_string()
    };
    Some(if negative {
        format!("-{magnitude}")
    } else {
        magnitude
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_respelled_as_integers() {
        for (from, to) in [
            ("2.0", "2"),
            ("389457.0", "389457"),
            ("-3.00", "-3"),
            ("1e3", "1000"),
            ("1E+3", "1000"),
            ("1.5e1", "15"),
            ("150e-1", "15"),
            ("-0.0", "0"),
            ("0e10", "0"),
            ("0.000", "0"),
            ("9223372036854775807.0", "9223372036854775807"),
            ("18446744073709551615.0", "18446744073709551615"),
        ] {
            assert_eq!(whole_numbers(from), to, "{from}");
        }
    }

    #[test]
    fn everything_else_is_left_as_written() {
        for text in [
            "2",
            "-7",
            "1.5",
            "0.1",
            "1e-1",
            "1e21",
            "123456789012345678901.0",
            "1e1000000",
            "01.0",
            "1.",
            ".5",
            "1.e3",
            "-",
            "1e",
            "--1.0",
            "\"2.0\"",
            r#"{"a": "x\"1.0"}"#,
            "true",
        ] {
            assert_eq!(whole_numbers(text), text, "{text}");
            assert!(matches!(whole_numbers(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn only_numbers_outside_strings_change() {
        let text = r#"{"quantity": 3.0, "note": "3.0 \" 4.0", "list": [1e2, 2.5, -0.0]}"#;
        assert_eq!(
            whole_numbers(text),
            r#"{"quantity": 3, "note": "3.0 \" 4.0", "list": [100, 2.5, 0]}"#
        );
    }
}
