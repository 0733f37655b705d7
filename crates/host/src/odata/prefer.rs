//! The `Prefer` request header (spec §5.4, §8.6, §8.7).

use axum::http::HeaderMap;

/// The preferences the host honours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefer {
    pub return_representation: bool,
    pub max_page_size: Option<usize>,
    /// `odata.include-annotations` names FormattedValue (or `*`).
    pub formatted_values: bool,
    /// `odata.include-annotations` names the lookup annotations (or `*`).
    pub lookup_annotations: bool,
    /// The raw annotations value, echoed in `Preference-Applied`.
    pub annotations: Option<String>,
}

impl Prefer {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut p = Prefer::default();
        for value in headers.get_all("prefer") {
            let Ok(text) = value.to_str() else { continue };
            for item in split_items(text) {
                let (key, val) = match item.split_once('=') {
                    Some((k, v)) => (k.trim(), v.trim().trim_matches('"')),
                    None => (item.trim(), ""),
                };
                match key.to_ascii_lowercase().as_str() {
                    "return" => {
                        p.return_representation = val.eq_ignore_ascii_case("representation")
                    }
                    "odata.maxpagesize" => p.max_page_size = val.parse().ok().filter(|n| *n > 0),
                    "odata.include-annotations" => {
                        let all = val == "*";
                        p.formatted_values = all || val.contains("FormattedValue");
                        p.lookup_annotations = all || val.contains("Microsoft.Dynamics.CRM");
                        p.annotations = Some(val.to_string());
                    }
                    _ => {}
                }
            }
        }
        p
    }
}

/// Splits on commas outside double quotes.
fn split_items(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_combined_preferences() {
        let mut h = HeaderMap::new();
        h.append("prefer", r#"odata.include-annotations="OData.Community.Display.V1.FormattedValue", odata.maxpagesize=50"#.parse().unwrap());
        h.append("prefer", "return=representation".parse().unwrap());
        let p = Prefer::from_headers(&h);
        assert!(p.return_representation && p.formatted_values && !p.lookup_annotations);
        assert_eq!(p.max_page_size, Some(50));
        let mut h = HeaderMap::new();
        h.append(
            "prefer",
            r#"odata.include-annotations="*""#.parse().unwrap(),
        );
        let p = Prefer::from_headers(&h);
        assert!(p.formatted_values && p.lookup_annotations && !p.return_representation);
    }
}
