//! Solution versions: `major.minor[.build[.revision]]`, compared numerically per part.
//!
//! Real packages write `1.3`, `1.23091.1`, `1.0.20230412.1` and dependency versions such as
//! `9.0.4.0066`; string comparison gets all of these wrong (spec §9), so every part is a `u64`
//! and missing parts count as 0.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A parsed version that remembers how it was written.
#[derive(Debug, Clone)]
pub struct Version {
    raw: String,
    parts: Vec<u64>,
}

/// Which part to raise when proposing the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionPart {
    Major,
    Minor,
    Build,
    Revision,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{raw}` is not a solution version: {reason} (expected 2 to 4 numbers separated by dots, such as 1.0.0.3)")]
pub struct VersionError {
    pub raw: String,
    pub reason: &'static str,
}

impl Version {
    pub fn parse(raw: &str) -> Result<Self, VersionError> {
        let err = |reason| VersionError {
            raw: raw.to_string(),
            reason,
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(err("it is empty"));
        }
        let parts = trimmed
            .split('.')
            .map(|p| {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err("every part must be a whole number"));
                }
                p.parse::<u64>().map_err(|_| err("a part is too large"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(2..=4).contains(&parts.len()) {
            return Err(err("it must have 2 to 4 parts"));
        }
        Ok(Self {
            raw: trimmed.to_string(),
            parts,
        })
    }

    /// The version as written in the file.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The numeric parts as written (2 to 4 of them).
    pub fn parts(&self) -> &[u64] {
        &self.parts
    }

    fn padded(&self) -> [u64; 4] {
        let mut out = [0; 4];
        out[..self.parts.len()].copy_from_slice(&self.parts);
        out
    }

    /// True when both compare equal but are written differently (`1.3` vs `1.3.0.0`);
    /// .NET orders such versions apart, so callers may want to warn.
    pub fn equal_but_spelled_differently(&self, other: &Version) -> bool {
        self == other && self.parts != other.parts
    }

    /// The next version in the same shape: the last written part goes up by one
    /// (`1.0.0.3` → `1.0.0.4`, `1.3` → `1.4`, `1.23091.1` → `1.23091.2`).
    pub fn next(&self) -> Version {
        let last = self.parts.len() - 1;
        self.bump_index(last)
    }

    /// Raises one part and resets the parts after it to 0, padding to at least that part
    /// (`1.3` bumped at Build → `1.3.1`).
    pub fn bump(&self, part: VersionPart) -> Version {
        let index = match part {
            VersionPart::Major => 0,
            VersionPart::Minor => 1,
            VersionPart::Build => 2,
            VersionPart::Revision => 3,
        };
        self.bump_index(index)
    }

    fn bump_index(&self, index: usize) -> Version {
        let mut parts = self.parts.clone();
        if parts.len() <= index {
            parts.resize(index + 1, 0);
        }
        parts[index] = parts[index].saturating_add(1);
        for p in parts.iter_mut().skip(index + 1) {
            *p = 0;
        }
        let raw = parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(".");
        Version { raw, parts }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.padded() == other.padded()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.padded().cmp(&other.padded())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn compares_numerically_per_part() {
        let cases = [
            ("1.7.20210707.1", "1.61", Ordering::Less),
            ("1.21111.1", "1.22033.1", Ordering::Less),
            ("1.22033.1", "1.23091.1", Ordering::Less),
            ("9.0.4.0066", "9.0.4.66", Ordering::Equal),
            ("9.0.4.0066", "9.0.5.0056", Ordering::Less),
            ("1.3", "1.3.0.0", Ordering::Equal),
            ("1.10", "1.9", Ordering::Greater),
            ("2025.8.4.17941113", "2024.9.3.15530185", Ordering::Greater),
            ("202508.1.0.1", "2025.8.4.17941113", Ordering::Greater),
            ("0.0.0.0", "0.0.0.1", Ordering::Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(v(a).cmp(&v(b)), want, "{a} vs {b}");
        }
    }

    #[test]
    fn keeps_the_written_form() {
        assert_eq!(v("9.0.4.0066").as_str(), "9.0.4.0066");
        assert_eq!(v("9.0.4.0066").parts(), &[9, 0, 4, 66]);
        assert!(v("1.3").equal_but_spelled_differently(&v("1.3.0.0")));
        assert!(!v("1.3").equal_but_spelled_differently(&v("1.3")));
    }

    #[test]
    fn refuses_malformed_versions() {
        for bad in [
            "",
            "1",
            "1.2.3.4.5",
            "1.x",
            "1..2",
            "v1.0",
            "1.0-beta",
            "99999999999999999999.1",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn proposes_the_next_version() {
        assert_eq!(v("1.0.0.3").next().as_str(), "1.0.0.4");
        assert_eq!(v("1.3").next().as_str(), "1.4");
        assert_eq!(v("1.23091.1").next().as_str(), "1.23091.2");
        assert_eq!(v("1.2.3.4").bump(VersionPart::Minor).as_str(), "1.3.0.0");
        assert_eq!(v("1.3").bump(VersionPart::Build).as_str(), "1.3.1");
        assert_eq!(v("1.3").bump(VersionPart::Revision).as_str(), "1.3.0.1");
        assert!(v("1.0.0.3").next() > v("1.0.0.3"));
    }
}
