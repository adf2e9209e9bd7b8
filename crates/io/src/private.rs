//! Files that hold personal data (exports, error files) are created readable by their owner only
//! (0600 on Unix), whatever the process's umask: the folder they are written to may be shared.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Create or truncate `path`, readable and writable by the owner only.
pub fn create(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(path)?;
    // an existing file keeps its mode through `open`; set it in any case
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

/// The folder scratch files of an output at `path` go to: its own, so that they count where the
/// output counts and nothing is left in the system's shared temporary folder.
pub fn scratch_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_are_private_even_when_they_existed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let f = create(&p).unwrap();
        drop(f);
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&p).unwrap(), b"", "truncated");
        let q = dir.path().join("new.xlsx");
        create(&q).unwrap();
        assert_eq!(
            std::fs::metadata(&q).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(scratch_dir(&q), dir.path());
        assert_eq!(scratch_dir(Path::new("x.csv")), Path::new("."));
    }
}
