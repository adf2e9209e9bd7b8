//! `fupin probe`: ask the local server whether it is ready, for container health checks (the
//! runtime image has no shell and no HTTP client). One HTTP/1.1 GET over a plain TCP connection:
//! the server is on this host, and TLS is the reverse proxy's.

use std::process::ExitCode;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `http://HOST:PORT/PATH` to ask: `url` as given, else `/readyz` on the listen address, with an
/// unspecified address (0.0.0.0, ::) asked on the loopback.
fn target(url: Option<&str>, bind: &str) -> Result<(String, String), String> {
    let url = match url {
        Some(u) => u.to_string(),
        None => {
            let addr = bind
                .replace("0.0.0.0:", "127.0.0.1:")
                .replace("[::]:", "[::1]:");
            format!("http://{addr}/readyz")
        }
    };
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("只支持 http:// 地址：{url}"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Ok((host.to_string(), path.to_string()))
}

async fn ask(host: &str, path: &str) -> std::io::Result<String> {
    let mut s = tokio::net::TcpStream::connect(host).await?;
    let req = format!("GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    s.take(64 * 1024).read_to_end(&mut out).await?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub async fn run(url: Option<&str>, bind: &str) -> ExitCode {
    let (host, path) = match target(url, bind) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("错误 [invalid_url] {msg}");
            return ExitCode::from(2);
        }
    };
    match tokio::time::timeout(Duration::from_secs(5), ask(&host, &path)).await {
        Ok(Ok(answer)) => {
            let status = answer.lines().next().unwrap_or("").to_string();
            let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").trim();
            if status.split_whitespace().nth(1) == Some("200") {
                println!("{body}");
                ExitCode::SUCCESS
            } else {
                eprintln!("未就绪：{status} {body}");
                ExitCode::FAILURE
            }
        }
        Ok(Err(e)) => {
            eprintln!("无法连接 {host}：{e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("{host} 5 秒内无应答");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::target;

    #[test]
    fn asks_the_loopback_for_an_unspecified_address() {
        let t = |u: Option<&str>, b| target(u, b).unwrap();
        assert_eq!(
            t(None, "0.0.0.0:8080"),
            ("127.0.0.1:8080".into(), "/readyz".into())
        );
        assert_eq!(t(None, "[::]:80"), ("[::1]:80".into(), "/readyz".into()));
        assert_eq!(
            t(Some("http://10.1.2.3:9000/healthz"), "x"),
            ("10.1.2.3:9000".into(), "/healthz".into())
        );
        assert!(target(Some("https://x/readyz"), "x").is_err());
    }
}
