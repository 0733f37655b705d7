//! Bad `FERRY_*` variables: the real `ferry` binary names every bad one and what to write
//! (it used to stop at the first, and said nothing of what a good value is).

mod common;

use common::{text, Sandbox};

#[test]
fn every_bad_variable_is_named_with_what_to_write() {
    let sb = Sandbox::new();
    let out = sb
        .command(&["history"])
        .env("FERRY_POLL_MS", "soon")
        .env("FERRY_PACING", "sideways")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("FERRY_POLL_MS=\"soon\" is not a positive number: set it to one such as 1000"),
        "{}",
        text(&out)
    );
    assert!(
        err.contains("FERRY_PACING=\"sideways\" is not a pacing: set it to adaptive or fixed"),
        "{}",
        text(&out)
    );
}
