//! Search text as an FTS5 query. Each whitespace-separated word becomes a quoted phrase of its
//! letter-and-digit pieces in lower case, the words are ANDed, and FTS5 syntax in the text is
//! never interpreted. The last word may be half typed, so its last piece is a prefix
//! (`contoso co` finds `contoso_Core`).
//!
//! FTS5 answers a prefix query by merging the doclists of every term with that prefix into one
//! list in memory before it yields a row: over 1,000,000 runs that took 40 ms for a word every
//! run has, where an exact term is walked newest first and left at the end of the page (0.1 ms).
//! So the prefix is expanded here, from the index's own vocabulary (`runs_fts_terms`, an
//! fts5vocab table): when it names at most [`MAX_EXPANSIONS`] terms, the last piece becomes the
//! OR of those exact terms. A one-character prefix is served by the index's prefix index
//! instead, and a prefix that names more terms, or one with a character beyond ASCII (the
//! tokenizer folds diacritics, so it is left to FTS5), stays a prefix query.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// At most this many terms replace a prefix. Over a million runs, listing 33 terms takes about
/// 1 ms and their OR about 0.6 ms; a prefix with more terms pays the listing and then the merge
/// (2 ms for the ~1,000 numbers that start with `1300`), so the bound stays small.
pub(crate) const MAX_EXPANSIONS: usize = 32;

/// The words of search text, each as its pieces (lower case letters and digits).
fn words(text: &str) -> Vec<Vec<String>> {
    text.split_whitespace()
        .map(|word| {
            word.split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|pieces| !pieces.is_empty())
        .collect()
}

fn phrase(pieces: &[String]) -> String {
    format!("\"{}\"", pieces.join(" "))
}

/// Turns user text into a safe FTS5 query: each whitespace-separated word becomes a quoted
/// phrase of its alphanumeric pieces, the last one with a prefix star (it may be half typed);
/// words are ANDed. `None` if no word has a letter or digit.
pub fn fts_query(text: &str) -> Option<String> {
    let words = words(text);
    let (last, first) = words.split_last()?;
    let mut phrases: Vec<String> = first.iter().map(|w| phrase(w)).collect();
    phrases.push(format!("{}*", phrase(last)));
    Some(phrases.join(" AND "))
}

/// [`fts_query`] with the last word's prefix expanded into at most `max` exact terms where
/// the index's vocabulary allows (see the module's documentation).
pub(crate) fn text_match(conn: &Connection, text: &str, max: usize) -> Result<Option<String>> {
    let words = words(text);
    let Some((last, first)) = words.split_last() else {
        return Ok(None);
    };
    let mut phrases: Vec<String> = first.iter().map(|w| phrase(w)).collect();
    let (prefix, head) = last.split_last().expect("a word has a piece");
    let expanded = if prefix.len() > 1 && prefix.is_ascii() {
        expansions(conn, prefix, max)?
    } else {
        None
    };
    phrases.push(match expanded {
        None => format!("{}*", phrase(last)),
        // No term starts with it: the exact piece, which is no term either, matches nothing.
        Some(terms) if terms.is_empty() => phrase(last),
        Some(terms) => {
            let alternatives: Vec<String> = terms
                .into_iter()
                .map(|term| phrase(&[head, &[term]].concat()))
                .collect();
            format!("({})", alternatives.join(" OR "))
        }
    });
    Ok(Some(phrases.join(" AND ")))
}

/// The index's terms that start with `prefix`, in order, or `None` if there are more than
/// `max`. Each step seeks the vocabulary past the previous term (no term holds a control
/// character, so `term + U+0001` is the next possible one).
fn expansions(conn: &Connection, prefix: &str, max: usize) -> Result<Option<Vec<String>>> {
    let upper = format!("{prefix}\u{10FFFF}");
    let mut next = conn.prepare_cached(
        "SELECT term FROM runs_fts_terms WHERE term >= ?1 AND term <= ?2 LIMIT 1",
    )?;
    let mut terms: Vec<String> = Vec::new();
    let mut from = prefix.to_owned();
    while let Some(term) = next
        .query_row([&from, &upper], |r| r.get::<_, String>(0))
        .optional()?
    {
        if !term.starts_with(prefix) {
            break;
        }
        if terms.len() == max {
            return Ok(None);
        }
        from = format!("{term}\u{1}");
        terms.push(term);
    }
    Ok(Some(terms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::stage_run_status as s;
    use crate::runs::tests::run;
    use crate::testutil::cache;
    use crate::Cache;
    use time::macros::datetime;
    use time::Duration;

    /// Runs whose notes hold words that share prefixes.
    fn notes_cache() -> Cache {
        let mut c = cache();
        let notes = [
            "deploy the app",
            "deployment of 1300 forms",
            "deployed twice",
            "depot moved",
            "Déploiement réussi",
            "ticket 13000 closed",
            "unrelated text",
        ];
        let t0 = datetime!(2026-03-01 10:00 UTC);
        for (i, n) in notes.iter().enumerate() {
            let mut r = run(&format!("n{i}"), s::SUCCEEDED);
            r.created_on = Some(t0 + Duration::minutes(i as i64));
            r.deployment_notes = Some((*n).into());
            c.upsert_run("p", &r).unwrap();
        }
        c
    }

    fn matching(c: &Cache, expr: &str) -> Vec<i64> {
        c.conn
            .prepare("SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?1 ORDER BY rowid")
            .unwrap()
            .query_map([expr], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn an_expanded_prefix_matches_what_the_prefix_query_matches() {
        let c = notes_cache();
        for text in [
            "d",
            "de",
            "dep",
            "depl",
            "deploy",
            "deployment",
            "deployx",
            "dé",
            "déploi",
            "1",
            "13",
            "130",
            "1300",
            "ticket 13",
            "the ap",
            "contoso_co",
            "contoso co",
            "zz",
            "unrelated t",
        ] {
            let prefix = fts_query(text).unwrap();
            let expected = matching(&c, &prefix);
            for max in [0, 1, 2, MAX_EXPANSIONS] {
                let expr = text_match(&c.conn, text, max).unwrap().unwrap();
                assert_eq!(matching(&c, &expr), expected, "{text:?} as {expr}");
            }
        }
    }

    #[test]
    fn a_prefix_becomes_its_terms_when_there_are_few() {
        let c = notes_cache();
        let expr = |text: &str, max: usize| text_match(&c.conn, text, max).unwrap().unwrap();
        assert_eq!(
            expr("deplo", MAX_EXPANSIONS),
            r#"("deploiement" OR "deploy" OR "deployed" OR "deployment")"#
        );
        assert_eq!(expr("the deplo", 3), r#""the" AND "deplo"*"#, "too many");
        assert_eq!(
            expr("contoso_co", MAX_EXPANSIONS),
            r#"("contoso contoso" OR "contoso core")"#,
            "the last piece of a word is the prefix"
        );
        assert_eq!(
            expr("deployx", MAX_EXPANSIONS),
            r#""deployx""#,
            "no such term"
        );
        assert_eq!(
            expr("d", MAX_EXPANSIONS),
            r#""d"*"#,
            "the prefix index serves it"
        );
        assert_eq!(expr("dé", MAX_EXPANSIONS), r#""dé"*"#, "FTS5 folds it");
        assert_eq!(text_match(&c.conn, " -- ", MAX_EXPANSIONS).unwrap(), None);
    }

    #[test]
    fn fts_query_quotes_words_and_ignores_syntax() {
        assert_eq!(
            fts_query("contoso_Core 1.0.0.3").unwrap(),
            "\"contoso core\" AND \"1 0 0 3\"*"
        );
        assert_eq!(
            fts_query("a\" OR b").unwrap(),
            "\"a\" AND \"or\" AND \"b\"*"
        );
        assert_eq!(fts_query("NEAR(x y) --").unwrap(), "\"near x\" AND \"y\"*");
        assert_eq!(fts_query("  -- ** "), None);
    }
}
