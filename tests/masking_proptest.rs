//! Property test: a secret embedded in any surrounding text, in any of the masked shapes, never
//! reaches a JSON line, and the line stays one valid JSON object.

mod support;

use http_observability::redact::{DEFAULT_DENY_LIST, Redactor};
use proptest::prelude::*;
use support::json_lines;

/// A secret: `Q` starts it, and no surrounding text holds a `Q`, so it can only appear where
/// it was embedded.
fn secret() -> impl Strategy<Value = String> {
    "[a-z0-9]{6,16}".prop_map(|s| format!("Q{s}"))
}

/// A deny-listed name as code writes it: a prefix, any ASCII case, `-` or `.` for `_`.
fn name() -> impl Strategy<Value = String> {
    (
        prop::sample::select(DEFAULT_DENY_LIST),
        prop::sample::select(&["", "db_", "x-", "client.", "upstream"][..]),
        any::<u8>(),
        prop::sample::select(&["_", "-", "."][..]),
    )
        .prop_map(|(entry, prefix, case, sep)| {
            let name = format!("{prefix}{entry}").replace('_', sep);
            match case % 3 {
                0 => name,
                1 => name.to_ascii_uppercase(),
                _ => name
                    .char_indices()
                    .map(|(i, c)| {
                        if i % 2 == 0 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect(),
            }
        })
}

/// Surrounding text: words, separators, quotes, brackets, escapes and unicode, never a `Q`.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-PR-Z0-9_]{0,6}",
        prop::sample::select(
            &[
                " ", ",", ";", ":", "=", "&", "?", "/", "@", "\n", "\t", "\"", "'", "\\\"", "\\",
                "(", ")", "[", "]", "{", "}", "=>", "::", "://", "é", "✓", "日本", "𝄞", "\u{2028}",
                "\u{0}",
            ][..]
        )
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// The secret `s` after the name `n`, in one of the masked shapes.
fn embed(shape: usize, n: &str, s: &str) -> String {
    match shape {
        0 => format!("{n}={s}"),
        1 => format!("{n}: {s}"),
        2 => format!("{n}:{s}"),
        3 => format!("\"{n}\": \"{s}\""),
        4 => format!("\"{n}\":\"{s}\""),
        5 => format!("{n}: \"{s}\""),
        6 => format!("'{n}': '{s}'"),
        7 => format!("(\"{n}\", \"{s}\")"),
        8 => format!("\"{n}\" => \"{s}\""),
        9 => format!("?a=1&{n}={s}"),
        10 => format!("\\\"{n}\\\":\\\"{s}\\\""),
        11 => format!("{n}: Some(\"{s}\")"),
        12 => format!("Authorization: Bearer {s}"),
        13 => format!("postgres://user:{s}@host"),
        14 => format!("redis://:{s}@host"),
        _ => format!("{n} = {s}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn an_embedded_secret_never_appears(
        before in text(),
        after in text(),
        n in name(),
        s in secret(),
        shape in 0usize..16,
    ) {
        let value = format!("{before}{}{after}", embed(shape, &n, &s));
        prop_assert!(!Redactor::default().mask(&value).contains(&s), "{:?}", value);

        let capture = json_lines(|| {
            tracing::info!(plain = value.as_str(), shown = %value, debug = ?value, "{}", value);
        });
        // One line, which parses.
        let line = capture.one();
        let raw = capture.raw_lines().concat();
        prop_assert!(!raw.contains(&s), "{:?} in {}", s, raw);
        prop_assert!(line["plain"].as_str().is_some());
    }
}
