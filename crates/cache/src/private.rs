//! Data at rest is this user's alone: the data folder Ferry creates is 0700 and the
//! cache file 0600 on Unix, made so before SQLite opens it, so its `-wal` and `-shm`
//! files (which SQLite creates with the database's mode) are 0600 too. Windows and
//! macOS keep the data folder in the user's own profile, which is private already.

use std::path::Path;

/// Creates `dir` and its missing parents, private to this user (0700 on Unix). A
/// folder that exists is left as it is: it may be one the user chose and shares.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes `file` readable and writable by this user alone (0600 on Unix), creating it
/// empty when it does not exist.
pub fn own_file(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?;
    #[cfg(unix)]
    std::fs::set_permissions(file, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_cache_and_its_folder_are_this_user_s_alone() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("new/data");
        let path = data.join("cache.sqlite");
        let cache = crate::Cache::open(&path).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&path), 0o600);
        for side in ["cache.sqlite-wal", "cache.sqlite-shm"] {
            let side = data.join(side);
            if side.exists() {
                assert_eq!(mode(&side), 0o600, "{}", side.display());
            }
        }
        drop(cache);
        // A cache file left readable by an older Ferry is made private on open.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(crate::Cache::open(&path).unwrap());
        assert_eq!(mode(&path), 0o600);
    }
}
