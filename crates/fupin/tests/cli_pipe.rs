//! The command line piped into a reader that stops early, as `fupin openapi | head -c 10` does:
//! the command ends quietly when the reader goes away, without a panic and its backtrace.

#[cfg(unix)]
#[test]
fn a_printing_command_ends_quietly_when_its_reader_goes_away() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    // the API description is about half a megabyte: more than a pipe holds, so the command is
    // still writing when the reader has gone
    let mut child = Command::new(env!("CARGO_BIN_EXE_fupin"))
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start fupin");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    out.read_exact(&mut first).expect("the first bytes");
    assert!(
        first.starts_with(b"{"),
        "{:?}",
        String::from_utf8_lossy(&first)
    );
    drop(out);
    let done = child.wait_with_output().expect("wait for fupin");
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        done.status.signal(),
        Some(libc_sigpipe()),
        "ended by the closed pipe: {:?}",
        done.status
    );
}

/// SIGPIPE's number on the platforms fupin is built for (Linux, the BSDs, macOS).
#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}
