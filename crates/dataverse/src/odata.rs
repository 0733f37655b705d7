//! Building OData query text safely: string literals, function parameters.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Characters escaped inside a query string or a function parameter.
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'/')
    .add(b'\'');

/// An OData string literal: single-quoted, quotes doubled (`O'Neil` → `'O''Neil'`).
pub fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A string literal for a URL: quoted as [`string_literal`], then percent-encoded
/// inside the quotes, as function parameters like `ArtifactName` arrive (§13.10).
pub fn url_string_literal(value: &str) -> String {
    let doubled = value.replace('\'', "''");
    format!("'{}'", utf8_percent_encode(&doubled, QUERY))
}

/// Percent-encodes a whole `$filter` (or other query option) value.
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(string_literal("O'Neil"), "'O''Neil'");
        assert_eq!(string_literal(""), "''");
    }

    #[test]
    fn url_literals_encode_inside_the_quotes() {
        assert_eq!(url_string_literal("a b/c"), "'a%20b%2Fc'");
        assert_eq!(url_string_literal("it's"), "'it%27%27s'");
    }

    #[test]
    fn query_values_encode_spaces_and_quotes() {
        assert_eq!(
            encode_query_value("environmentid eq 'x'"),
            "environmentid%20eq%20%27x%27"
        );
    }
}
