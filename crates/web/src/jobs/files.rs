//! Where the files of import and export jobs live, and how much they may take.
//!
//! Uploads, exports and error files hold personal data in full (an unmasked export, the ID numbers
//! of an upload), so they live under the configured data directory (`<data dir>/jobs`), never in
//! the system's shared temporary folder: every folder is created 0700 and every file 0600, so that
//! no other local user can read them whatever the umask. Each server process works in a folder of
//! its own (`run-<random>`) and holds an exclusive lock on `run-<random>.lock` while it runs; at
//! start-up every run folder whose lock nobody holds is a leftover of a process that died (jobs live
//! in memory only, so nothing can resume them) and is removed, while a second server on the same
//! data directory keeps its own. Without a configured directory (tests, embedding) the folder is a
//! private temporary one, removed when the process ends.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Where job files go and how much they may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobsConfig {
    /// The folder for job files (normally `<data dir>/jobs`); `None`: a private temporary folder.
    pub dir: Option<PathBuf>,
    /// Bytes of job files (uploads, exports, error files) one user may hold at once.
    pub max_bytes_per_user: u64,
    /// Bytes of job files the server holds at once.
    pub max_bytes_total: u64,
}

/// 2 GiB per user (a county's households file twice over), 8 GiB in all.
impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            dir: None,
            max_bytes_per_user: 2 << 30,
            max_bytes_total: 8 << 30,
        }
    }
}

/// Create `path` (and its parents) as folders only the owner may enter; an existing folder is made
/// so too.
pub(crate) fn private_dir(path: &Path) -> io::Result<()> {
    let mut b = DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Options to create a new file only its owner may read (0600).
pub(crate) fn private_file_options() -> tokio::fs::OpenOptions {
    let mut o = tokio::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    o.mode(0o600);
    o
}

/// Bytes of the files below `path` (0 when it is gone).
pub(crate) fn disk_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Try to take the exclusive lock of `f` without waiting: `Ok(false)` when another process holds
/// it. (`File::try_lock` needs a newer Rust than the workspace's minimum.)
#[cfg(unix)]
fn try_lock(f: &File) -> io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    match flock(f, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Without advisory locks a run folder is never taken for a live one's: leftovers stay.
#[cfg(not(unix))]
fn try_lock(_: &File) -> io::Result<bool> {
    Ok(false)
}

/// Remove the run folders under `root` that no live process holds; returns how many.
pub(crate) fn remove_leftovers(root: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for e in std::fs::read_dir(root)?.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(run) = name.strip_prefix("run-") else {
            continue;
        };
        if run.ends_with(".lock") {
            continue;
        }
        let lock_path = root.join(format!("{name}.lock"));
        let stale = match OpenOptions::new().write(true).open(&lock_path) {
            // the lock is released when its process ends, however it ends (kill -9 included)
            Ok(f) => try_lock(&f)?,
            Err(err) if err.kind() == io::ErrorKind::NotFound => true,
            Err(err) => return Err(err),
        };
        if stale {
            std::fs::remove_dir_all(e.path())?;
            let _ = std::fs::remove_file(&lock_path);
            removed += 1;
        }
    }
    // locks left without their folder
    for e in std::fs::read_dir(root)?.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(run) = name
            .strip_prefix("run-")
            .and_then(|n| n.strip_suffix(".lock"))
        {
            if !root.join(format!("run-{run}")).exists() {
                if let Ok(f) = OpenOptions::new().write(true).open(e.path()) {
                    if try_lock(&f)? {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
        }
    }
    Ok(removed)
}

/// This process's folder of job files.
pub(crate) struct RunDir {
    dir: PathBuf,
    guard: Guard,
}

enum Guard {
    /// A private temporary folder, removed on drop.
    Temp(#[allow(dead_code)] tempfile::TempDir),
    /// A run folder under the data directory and its held lock.
    Run {
        lock: Option<File>,
        lock_path: PathBuf,
    },
}

impl RunDir {
    /// A private temporary folder (nothing configured).
    pub(crate) fn temporary() -> io::Result<RunDir> {
        let t = tempfile::Builder::new().prefix("fupin-jobs-").tempdir()?;
        private_dir(t.path())?;
        Ok(RunDir {
            dir: t.path().to_path_buf(),
            guard: Guard::Temp(t),
        })
    }

    /// A new run folder under `root` (created 0700), after removing the leftovers of dead processes.
    pub(crate) fn open(root: &Path) -> io::Result<RunDir> {
        private_dir(root)?;
        let removed = remove_leftovers(root)?;
        if removed > 0 {
            tracing::info!(removed, "removed job files left by a previous run");
        }
        let name: String = (0..16)
            .map(|_| char::from(b"0123456789abcdef"[rand::random::<u8>() as usize % 16]))
            .collect();
        let lock_path = root.join(format!("run-{name}.lock"));
        let mut o = OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let lock = o.open(&lock_path)?;
        if !try_lock(&lock)? && cfg!(unix) {
            return Err(io::Error::other("could not lock a new run folder"));
        }
        let dir = root.join(format!("run-{name}"));
        private_dir(&dir)?;
        Ok(RunDir {
            dir,
            guard: Guard::Run {
                lock: Some(lock),
                lock_path,
            },
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }
}

/// A server that stops normally removes its own folder; one that dies leaves it to the next start.
impl Drop for RunDir {
    fn drop(&mut self) {
        if let Guard::Run { lock, lock_path } = &mut self.guard {
            let _ = std::fs::remove_dir_all(&self.dir);
            let _ = std::fs::remove_file(lock_path.as_path());
            lock.take();
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn run_folders_are_private_and_leftovers_go() {
        let data = tempfile::tempdir().unwrap();
        let root = data.path().join("jobs");
        // a dead process's folder: an upload without a live lock
        let dead = root.join("run-dead");
        std::fs::create_dir_all(dead.join("job1")).unwrap();
        std::fs::write(dead.join("job1/upload"), "36012419991231001X").unwrap();
        std::fs::write(root.join("run-dead.lock"), "").unwrap();
        std::fs::create_dir_all(root.join("run-nolock")).unwrap();
        std::fs::write(root.join("keep-me.txt"), "not ours").unwrap();
        let live = RunDir::open(&root).unwrap();
        assert!(!dead.exists() && !root.join("run-dead.lock").exists());
        assert!(!root.join("run-nolock").exists());
        assert!(
            root.join("keep-me.txt").exists(),
            "only run folders are touched"
        );
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(live.path()), 0o700);
        // a second process on the same data directory keeps the first's folder
        let other = RunDir::open(&root).unwrap();
        assert!(live.path().exists());
        assert_ne!(live.path(), other.path());
        let live_path = live.path().to_path_buf();
        drop(live);
        assert!(!live_path.exists(), "a normal stop cleans up");
        assert!(other.path().exists());
    }

    #[test]
    fn sizes_add_up() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/b")).unwrap();
        std::fs::write(d.path().join("a/x"), [0u8; 100]).unwrap();
        std::fs::write(d.path().join("a/b/y"), [0u8; 23]).unwrap();
        assert_eq!(disk_bytes(d.path()), 123);
        assert_eq!(disk_bytes(&d.path().join("gone")), 0);
    }
}
