//! The window's first screen, kept between starts (`first-screen.json` in the data
//! folder): the UI saves the frame it drew first (its markup and style rules, without
//! the history's rows), and the next start paints it from the UI's small entry while
//! the app's script still loads, filling in the rows from the cache
//! (`ui/src/shell/firstScreen.ts`). It is a cache of the UI's own output: a missing,
//! unreadable or foreign file only means nothing is painted early.

use std::path::{Path, PathBuf};

use ferry_ipc::{CodedError, ErrorCode, FirstScreen};
use ferry_ops::atomic::{write_atomic, Access, Existing};

const FILE: &str = "first-screen.json";

/// Larger than any first screen (about 200 kB): a file past it is not Ferry's.
const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The pages a first screen may be kept for: the ones a start opens on.
const PAGES: [&str; 2] = ["deploy", "history"];

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// The kept screen, or `None` when there is none or it cannot be used.
pub fn read(data_dir: &Path) -> Option<FirstScreen> {
    let bytes = std::fs::read(path(data_dir)).ok()?;
    if bytes.len() > MAX_BYTES {
        return None;
    }
    let screen: FirstScreen = serde_json::from_slice(&bytes).ok()?;
    check(&screen).ok()?;
    Some(screen)
}

/// Keeps `screen` for the next start (written whole or not at all).
pub fn write(data_dir: &Path, screen: &FirstScreen) -> Result<(), CodedError> {
    check(screen)?;
    let json = serde_json::to_vec(screen).map_err(|e| {
        CodedError::new(
            ErrorCode::Internal,
            format!("could not encode the first screen: {e}"),
        )
    })?;
    let failed = |e: std::io::Error| {
        CodedError::new(
            ErrorCode::Cache,
            format!(
                "could not keep the first screen in {}: {e}",
                data_dir.display()
            ),
        )
    };
    std::fs::create_dir_all(data_dir).map_err(failed)?;
    // A whole file or none, the user's alone (as the run exports are).
    write_atomic(&path(data_dir), &json, Existing::Replace, Access::Private).map_err(failed)
}

/// Forgets the kept screen (clearing the cache does: its filters name cached solutions).
pub fn remove(data_dir: &Path) {
    let _ = std::fs::remove_file(path(data_dir));
}

fn check(screen: &FirstScreen) -> Result<(), CodedError> {
    let invalid = |why: &str| {
        CodedError::new(
            ErrorCode::InvalidInput,
            format!("not a first screen Ferry keeps: {why}"),
        )
    };
    if !PAGES.contains(&screen.page.as_str()) {
        return Err(invalid("its page is not one a start opens on"));
    }
    if !["light", "dark"].contains(&screen.scheme.as_str()) {
        return Err(invalid("its scheme is neither light nor dark"));
    }
    if screen.build.is_empty() || screen.html.is_empty() {
        return Err(invalid("it has no build or no markup"));
    }
    if screen.html.len() + screen.css.len() + screen.build.len() > MAX_BYTES {
        return Err(invalid("it is larger than any first screen"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen() -> FirstScreen {
        FirstScreen {
            build: "b1".into(),
            page: "history".into(),
            scheme: "dark".into(),
            profile: Some("sandbox".into()),
            html: "<div class=\"a\">History</div>".into(),
            css: ".a{color:red}".into(),
        }
    }

    #[test]
    fn a_kept_screen_reads_back_and_clearing_forgets_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), None);
        write(dir.path(), &screen()).unwrap();
        assert_eq!(read(dir.path()), Some(screen()));
        remove(dir.path());
        assert_eq!(read(dir.path()), None);
    }

    #[test]
    fn a_foreign_or_broken_file_paints_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), b"{\"build\": 1").unwrap();
        assert_eq!(read(dir.path()), None);
        let mut other = screen();
        other.page = "settings".into();
        std::fs::write(path(dir.path()), serde_json::to_vec(&other).unwrap()).unwrap();
        assert_eq!(read(dir.path()), None);
        std::fs::write(path(dir.path()), vec![b' '; MAX_BYTES + 1]).unwrap();
        assert_eq!(read(dir.path()), None);
    }

    #[test]
    fn screens_it_would_not_paint_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        for (bad, why) in [
            (
                FirstScreen {
                    page: "run".into(),
                    ..screen()
                },
                "page",
            ),
            (
                FirstScreen {
                    scheme: "blue".into(),
                    ..screen()
                },
                "scheme",
            ),
            (
                FirstScreen {
                    html: String::new(),
                    ..screen()
                },
                "markup",
            ),
            (
                FirstScreen {
                    css: "x".repeat(MAX_BYTES),
                    ..screen()
                },
                "larger",
            ),
        ] {
            let e = write(dir.path(), &bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.contains(why), "{}", e.message);
        }
        assert_eq!(read(dir.path()), None, "nothing was written");
    }
}
