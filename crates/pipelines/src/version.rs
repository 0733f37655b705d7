//! Solution versions: 2–4 numeric parts (`1.0`, `1.0.0.3`), compared part by part
//! with missing parts read as zero (spec §5.9).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A parsed solution version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SolutionVersion {
    parts: Vec<u64>,
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a solution version: use 2 to 4 numbers separated by dots, e.g. 1.0.0.3")]
pub struct VersionError(pub String);

impl SolutionVersion {
    pub fn parts(&self) -> &[u64] {
        &self.parts
    }

    fn part(&self, i: usize) -> u64 {
        self.parts.get(i).copied().unwrap_or(0)
    }

    /// The next version that bumps the last part (`1.0.0.3` → `1.0.0.4`).
    pub fn bumped(&self) -> Self {
        let mut parts = self.parts.clone();
        if let Some(last) = parts.last_mut() {
            *last += 1;
        }
        Self { parts }
    }
}

impl FromStr for SolutionVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || VersionError(s.to_string());
        let parts = s
            .trim()
            .split('.')
            .map(|p| {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                p.parse::<u64>().map_err(|_| err())
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(2..=4).contains(&parts.len()) {
            return Err(err());
        }
        Ok(Self { parts })
    }
}

impl fmt::Display for SolutionVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.parts.iter().map(u64::to_string).collect();
        f.write_str(&text.join("."))
    }
}

impl Ord for SolutionVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (0..4)
            .map(|i| self.part(i).cmp(&other.part(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for SolutionVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> SolutionVersion {
        s.parse().unwrap()
    }

    #[test]
    fn parses_two_to_four_parts() {
        assert_eq!(v("1.0").parts(), &[1, 0]);
        assert_eq!(v("1.0.20221102.1").to_string(), "1.0.20221102.1");
        for bad in ["1", "1.2.3.4.5", "1..2", "a.b", "1.-2", ""] {
            assert!(bad.parse::<SolutionVersion>().is_err(), "{bad}");
        }
    }

    #[test]
    fn compares_numerically_with_missing_parts_as_zero() {
        assert!(v("1.0.0.10") > v("1.0.0.9"));
        assert_eq!(v("1.0").cmp(&v("1.0.0.0")), Ordering::Equal);
        assert!(v("2.0") > v("1.99.99.99"));
        assert_eq!(v("1.0.0.3").bumped(), v("1.0.0.4"));
    }

    proptest! {
        #[test]
        fn display_round_trips(parts in prop::collection::vec(0u64..100_000, 2..=4)) {
            let text: Vec<String> = parts.iter().map(u64::to_string).collect();
            let parsed: SolutionVersion = text.join(".").parse().unwrap();
            prop_assert_eq!(parsed.to_string(), text.join("."));
            prop_assert!(parsed.bumped() > parsed);
        }
    }
}
