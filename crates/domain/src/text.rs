//! Which characters a text may hold. Shared by every check of text input: the
//! domain's fields, and (through the protocol crate) what a device sends beside its
//! commands, so a client refuses locally exactly what the server would.
//!
//! A **line** (a name, number, code, e-mail or address line) holds no control
//! characters at all, no bidirectional formatting and no invisible (zero-width)
//! characters: those make one record look like another (`ACME` and `ACME` with a
//! zero-width space are two customers a person cannot tell apart) or reorder what a
//! terminal prints. **Free text** (notes, reasons) may also hold line breaks and tabs;
//! other control characters are refused there too.

/// What a text field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: names, numbers, codes, e-mail addresses, address lines.
    Line,
    /// Free text: notes and reasons (line breaks and tabs allowed).
    Free,
}

/// Bidirectional formatting: embeddings, overrides, isolates and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no space: zero-width spaces and joiners, word joiner, the
/// byte-order mark, soft hyphen, and the invisible operators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// C0 and C1 control characters, DEL, and the line and paragraph separators.
fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The first character `text` may not hold as `kind`, if any.
pub fn forbidden_char(text: &str, kind: TextKind) -> Option<char> {
    text.chars().find(|&c| match kind {
        TextKind::Line => is_control(c) || is_bidi_control(c) || is_invisible(c),
        TextKind::Free => is_control(c) && c != '\n' && c != '\t',
    })
}

/// Whether a terminal could take `c` for an instruction or show it misleadingly
/// (controls, bidirectional formatting, invisible characters).
pub fn steers_a_terminal(c: char) -> bool {
    is_control(c) || is_bidi_control(c) || is_invisible(c)
}

/// A character as a person can name it: `U+202E`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// `text` made safe to print on a terminal: control, bidirectional and invisible
/// characters are shown as `\u{...}` escapes (line breaks and tabs as `\n`, `\t`), so
/// stored text written by an older build can never move a cursor or reorder a line.
pub fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    if forbidden_char(text, TextKind::Line).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if steers_a_terminal(c) => {
                out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_refuse_controls_bidi_and_invisible_characters() {
        for bad in [
            "Acme\tBV",
            "Acme\nBV",
            "Acme\u{1b}[2J",
            "Acme\u{7f}",
            "Acme\u{85}",
            "Acme\u{202E}VB",
            "\u{2066}Acme",
            "Ac\u{200B}me",
            "Acme\u{FEFF}",
            "Ac\u{00AD}me",
            "Acme\u{2028}",
        ] {
            assert!(forbidden_char(bad, TextKind::Line).is_some(), "{bad:?}");
        }
        for good in [
            "Acme BV",
            "Brouwerij 't IJ",
            "Ærø Øl",
            "東京商事",
            "שלום",
            "Zoë & Co.",
        ] {
            assert_eq!(forbidden_char(good, TextKind::Line), None, "{good:?}");
        }
    }

    #[test]
    fn free_text_takes_line_breaks_and_tabs_only() {
        assert_eq!(
            forbidden_char("line 1\nline 2\tindented", TextKind::Free),
            None
        );
        assert_eq!(forbidden_char("bell\u{7}", TextKind::Free), Some('\u{7}'));
        assert_eq!(forbidden_char("cr\r\n", TextKind::Free), Some('\r'));
        assert_eq!(code_point('\u{202E}'), "U+202E");
    }

    #[test]
    fn escaping_shows_what_a_terminal_would_obey() {
        assert_eq!(escaped("plain"), "plain");
        assert_eq!(escaped("a\u{1b}[2Jb\n"), "a\\u{001B}[2Jb\\n");
        assert_eq!(escaped("x\u{202E}y"), "x\\u{202E}y");
    }
}
