//! Property tests: the reader never panics, whatever the bytes; versions order like numbers.

mod common;

use common::{manifest, CUSTOMIZATIONS};
use ferry_solution::Version;
use proptest::prelude::*;

fn describe(
    manifest: &[u8],
    custom: &[u8],
) -> Result<ferry_solution::SolutionPackage, ferry_solution::SolutionError> {
    ferry_solution::describe_files(&[("solution.xml", manifest), ("customizations.xml", custom)])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = describe(&bytes, CUSTOMIZATIONS.as_bytes());
        let _ = describe(manifest("A", "1.0", 0).as_bytes(), &bytes);
    }

    #[test]
    fn mutated_manifests_never_panic(
        cut in 0usize..2000,
        flips in proptest::collection::vec((0usize..2000, any::<u8>()), 0..8),
    ) {
        let mut bytes = manifest("Demo", "1.0.0.1", 1).into_bytes();
        for (at, b) in flips {
            let n = bytes.len();
            bytes[at % n] = b;
        }
        bytes.truncate(cut.min(bytes.len()));
        if let Ok(pkg) = describe(&bytes, CUSTOMIZATIONS.as_bytes()) {
            prop_assert!(!pkg.unique_name.is_empty());
        }
    }

    #[test]
    fn arbitrary_files_as_zips_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.zip");
        std::fs::write(&path, &bytes).unwrap();
        let err = ferry_solution::open(&path).expect_err("random bytes are no solution");
        prop_assert!(err.to_string().contains("x.zip"));
    }

    #[test]
    fn well_formed_manifests_round_trip(
        name in "[A-Za-z][A-Za-z0-9_]{0,30}",
        parts in proptest::collection::vec(0u64..100_000_000, 2..=4),
        managed in 0u8..=2,
    ) {
        let version = parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
        let pkg = describe(manifest(&name, &version, managed).as_bytes(), CUSTOMIZATIONS.as_bytes()).unwrap();
        prop_assert_eq!(&pkg.unique_name, &name);
        prop_assert_eq!(&pkg.version, &version);
        prop_assert_eq!(pkg.version_parts.as_deref(), Some(parts.as_slice()));
    }

    #[test]
    fn versions_order_like_padded_numbers(
        a in proptest::collection::vec(0u64..1000, 2..=4),
        b in proptest::collection::vec(0u64..1000, 2..=4),
    ) {
        let s = |p: &[u64]| p.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
        let (va, vb) = (Version::parse(&s(&a)).unwrap(), Version::parse(&s(&b)).unwrap());
        let pad = |p: &[u64]| { let mut v = p.to_vec(); v.resize(4, 0); v };
        prop_assert_eq!(va.cmp(&vb), pad(&a).cmp(&pad(&b)));
        prop_assert!(va.next() > va);
    }
}
