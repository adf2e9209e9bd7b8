//! One text field of a `multipart/form-data` body, for the CSRF check of form posts that carry a
//! file (the visit form with its photo, the import form). The authentication middleware reads the
//! `csrf_token` field of urlencoded forms; a multipart form without JavaScript can send its token
//! only the same way, in a field, so the middleware reads it here too.
//!
//! A small reader of its own rather than the handler's `multer` stream: the middleware holds the
//! whole (size-limited) body already, and needs one named field, not a streaming parser.

use axum::http::{header, HeaderMap};

/// Whether the request body is `multipart/form-data`.
#[cfg(test)]
pub(crate) fn is_multipart(headers: &HeaderMap) -> bool {
    boundary(headers).is_some()
}

/// The boundary of a `multipart/form-data` content type.
pub(crate) fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parts = ct.split(';');
    if !parts
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    parts
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The value of the text field `name` (not a file) of a multipart body.
pub(crate) fn field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut pos = find(body, delim, 0)?;
    loop {
        let start = pos + delim.len();
        // `--` after the delimiter ends the body
        if body.get(start..start + 2) == Some(b"--") {
            return None;
        }
        let next = find(body, delim, start)?;
        let part = &body[start..next];
        let head_end = find(part, b"\r\n\r\n", 0)?;
        let head = String::from_utf8_lossy(&part[..head_end]);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"));
        if let Some(d) = disposition {
            let params: Vec<(String, String)> = d
                .split(';')
                .skip(1)
                .filter_map(|p| p.trim().split_once('='))
                .map(|(k, v)| {
                    (
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_string(),
                    )
                })
                .collect();
            let named = params.iter().any(|(k, v)| k == "name" && v == name);
            let is_file = params.iter().any(|(k, _)| k == "filename");
            if named && !is_file {
                let mut value = &part[head_end + 4..];
                if value.ends_with(b"\r\n") {
                    value = &value[..value.len() - 2];
                }
                return String::from_utf8(value.to_vec()).ok();
            }
        }
        pos = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_a_text_field_and_skips_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"csrf_token\"\r\nContent-Type: image/png\r\n\r\n\x89PNG--\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"date\"\r\n\r\n2024-01-02\r\n--XyZ--\r\n";
        assert_eq!(field(body, "XyZ", "csrf_token").as_deref(), Some("abc123"));
        assert_eq!(field(body, "XyZ", "date").as_deref(), Some("2024-01-02"));
        assert_eq!(
            field(body, "XyZ", "photo"),
            None,
            "files are not text fields"
        );
        assert_eq!(field(body, "XyZ", "missing"), None);
        assert_eq!(field(b"garbage", "XyZ", "csrf_token"), None);
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=\"XyZ\""),
        );
        assert_eq!(boundary(&h).as_deref(), Some("XyZ"));
        assert!(is_multipart(&h));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_multipart(&h));
    }
}
