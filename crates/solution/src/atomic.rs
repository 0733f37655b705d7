//! Ferry's one way to write a file a person or a later start will read: whole or not at
//! all. The bytes go to a temporary file beside the destination, are flushed to disk, and
//! the temporary file is renamed over the destination, so a crash or a full disk never
//! leaves half a file. Used for settings files, run records and the app's own files.

use std::io::Write;
use std::path::Path;

/// Who may read the written file (Unix permissions; elsewhere the OS's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only this user (0600), whatever was there: run records, the app's data.
    Private,
    /// Like any file the user makes: a new file gets the process umask's mode, a replaced
    /// one keeps its own (a file shared in a team folder stays shared).
    Usual,
}

/// What to do when the destination exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it (a save dialog, `--force`, a merge already asked).
    Replace,
    /// Leave it and fail with [`std::io::ErrorKind::AlreadyExists`].
    Keep,
}

/// Writes `bytes` to `path` atomically (see the module docs). Errors never name the
/// temporary file: people know only the destination.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    existing: Existing,
    access: Access,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let kept = match access {
        Access::Usual => std::fs::metadata(path).ok().map(|m| m.permissions()),
        Access::Private => None,
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    if access == Access::Usual {
        // 0666 before the umask: what `open(…, O_CREAT)` gives a file the user makes.
        builder.permissions(
            kept.clone()
                .unwrap_or_else(|| std::os::unix::fs::PermissionsExt::from_mode(0o666)),
        );
    }
    let mut tmp = builder.tempfile_in(dir).map_err(without_temp_name)?;
    // The file's own writes: NamedTempFile's would name the temporary file in errors.
    tmp.as_file_mut()
        .write_all(bytes)
        .map_err(without_temp_name)?;
    tmp.as_file().sync_all().map_err(without_temp_name)?;
    if let Some(kept) = kept {
        // The umask may have narrowed it at creation.
        tmp.as_file()
            .set_permissions(kept)
            .map_err(without_temp_name)?;
    }
    match existing {
        Existing::Replace => tmp.persist(path).map_err(|e| without_temp_name(e.error))?,
        Existing::Keep => tmp
            .persist_noclobber(path)
            .map_err(|e| without_temp_name(e.error))?,
    };
    Ok(())
}

/// `tempfile` adds ` at path "<temporary file>"` to its errors; the cause is kept without it.
fn without_temp_name(e: std::io::Error) -> std::io::Error {
    if e.raw_os_error().is_some() {
        return e;
    }
    let text = e.to_string();
    match text.rsplit_once(" at path ") {
        Some((cause, _)) => std::io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_whole_and_replaced_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"one", Existing::Keep, Access::Usual).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let err = write_atomic(&path, b"two", Existing::Keep, Access::Usual).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", Existing::Replace, Access::Private).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn errors_name_no_temporary_file() {
        let dir = tempfile::Builder::new().prefix("ferry").tempdir().unwrap();
        let over_a_folder = dir.path().join("x.json");
        std::fs::create_dir(&over_a_folder).unwrap();
        for path in [dir.path().join("missing/x.json"), over_a_folder] {
            let err = write_atomic(&path, b"{}", Existing::Replace, Access::Usual).unwrap_err();
            assert!(!err.to_string().contains(".tmp"), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_the_users_alone_and_usual_ones_follow_the_umask_or_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::write(&probe, "").unwrap();
        let usual = mode(&probe);

        let new = dir.path().join("new");
        write_atomic(&new, b"x", Existing::Keep, Access::Usual).unwrap();
        assert_eq!(mode(&new), usual);

        let shared = dir.path().join("shared");
        std::fs::write(&shared, "").unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o664)).unwrap();
        write_atomic(&shared, b"x", Existing::Replace, Access::Usual).unwrap();
        assert_eq!(mode(&shared), 0o664);

        // A private write narrows even a shared file it replaces.
        write_atomic(&shared, b"x", Existing::Replace, Access::Private).unwrap();
        assert_eq!(mode(&shared), 0o600);
        let private = dir.path().join("private");
        write_atomic(&private, b"x", Existing::Keep, Access::Private).unwrap();
        assert_eq!(mode(&private), 0o600);
    }
}
