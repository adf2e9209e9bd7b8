//! Files attached to a problem's progress notes (整改进展) and close-out requests (申请销号): the
//! photos and scanned documents that show what was done.
//!
//! Accepted are JPEG and PNG photos, checked and stored exactly as a visit's photos are
//! (`pairing::prepare_photo`: recognised by content, decoded and encoded again without metadata,
//! bounded in pixels and scaled down), and PDF documents (a scanned notice, a receipt), recognised
//! by their first bytes and required to end as a PDF ends; a PDF is kept as sent and is always
//! served as a download, never shown inline. Anything else — a Word file, an HTML page, a PDF
//! signature in front of something else — is refused. Every file is at most
//! [`MAX_ATTACHMENT_BYTES`], and a note carries at most [`MAX_ATTACHMENTS_PER_NOTE`].
//!
//! Only a note's own author attaches to it, and only while the problem is not signed off: files
//! are evidence of that person's account of the work (a different person writes a note of their
//! own). Rejected: attaching to the problem as a whole — the ledger and the trail read a file with
//! the step it supports.

use crate::error::{DomainError, DomainResult};
use crate::pairing::{prepare_photo, MAX_PHOTO_BYTES};
use serde::Serialize;

/// Largest file accepted: the photos' bound, just under the API's 2 MiB body limit.
pub const MAX_ATTACHMENT_BYTES: usize = MAX_PHOTO_BYTES;

/// Most files one note may carry.
pub const MAX_ATTACHMENTS_PER_NOTE: usize = 10;

/// Longest file name kept (characters); longer names are shortened, keeping their extension.
pub const MAX_FILE_NAME_CHARS: usize = 100;

/// A file attached to a step of a problem's trail, as listed with the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentRef {
    pub id: i64,
    /// The step (its `seq` in the trail) the file belongs to.
    pub seq: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
}

/// A file as it is stored: checked, a photo encoded again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedAttachment {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl PreparedAttachment {
    /// Whether the file is shown in the page (a photo) or only downloaded (a document).
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// Whether a stored content type is shown inline (photos) rather than downloaded.
pub fn shown_inline(content_type: &str) -> bool {
    matches!(content_type, "image/jpeg" | "image/png")
}

/// Check an uploaded file and make it what is stored; `field` names the upload in errors.
pub fn prepare_attachment(
    field: &str,
    file_name: &str,
    bytes: &[u8],
) -> DomainResult<PreparedAttachment> {
    if bytes.is_empty() {
        return Err(DomainError::invalid(field, "empty_attachment", "附件为空"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(DomainError::invalid(
            field,
            "attachment_too_large",
            format!(
                "附件过大：最多 {} KB，实际 {} KB",
                MAX_ATTACHMENT_BYTES / 1024,
                bytes.len().div_ceil(1024)
            ),
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        // a PDF ends with its end-of-file marker (possibly followed by a line end or a little padding)
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        if !tail.windows(5).any(|w| w == b"%%EOF") {
            return Err(DomainError::invalid(
                field,
                "undecodable_attachment",
                "附件无法读取：PDF 文件不完整或已损坏",
            ));
        }
        return Ok(PreparedAttachment {
            file_name: clean_file_name(file_name, "pdf", &["pdf"]),
            content_type: "application/pdf",
            bytes: bytes.to_vec(),
        });
    }
    let is_photo = bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
    if !is_photo {
        return Err(DomainError::invalid(
            field,
            "unsupported_attachment_type",
            "附件只能是 JPEG、PNG 照片或 PDF 文件",
        ));
    }
    let photo = prepare_photo(field, bytes)?;
    let (ext, accepted): (&str, &[&str]) = match photo.kind {
        crate::pairing::PhotoType::Jpeg => ("jpg", &["jpg", "jpeg"]),
        crate::pairing::PhotoType::Png => ("png", &["png"]),
    };
    Ok(PreparedAttachment {
        file_name: clean_file_name(file_name, ext, accepted),
        content_type: photo.kind.mime(),
        bytes: photo.bytes,
    })
}

/// The name a file is kept under: its last path component, without control characters or quotes,
/// at most [`MAX_FILE_NAME_CHARS`] characters, ending in an extension that matches its content
/// (`ext` added when it has none of `accepted`); `附件.ext` when nothing is left.
pub fn clean_file_name(name: &str, ext: &str, accepted: &[&str]) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | '<' | '>' | ';'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let has_ext = cleaned
        .rsplit_once('.')
        .is_some_and(|(stem, e)| !stem.is_empty() && accepted.contains(&e.to_lowercase().as_str()));
    let (stem, ext) = if cleaned.is_empty() {
        ("附件".to_string(), ext.to_string())
    } else if has_ext {
        let (s, e) = cleaned.rsplit_once('.').unwrap_or((cleaned, ext));
        (s.to_string(), e.to_string())
    } else {
        (cleaned.to_string(), ext.to_string())
    };
    let room = MAX_FILE_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    format!("{stem}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let img = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([x as u8, y as u8, 9]));
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn photos_and_pdfs_are_kept_and_other_files_refused() {
        let p = prepare_attachment("file", "现场.PNG", &png()).unwrap();
        assert_eq!(
            (p.content_type, p.file_name.as_str()),
            ("image/png", "现场.PNG")
        );
        assert!(p.is_image());
        let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
        let p = prepare_attachment("file", "C:\\扫描\\整改通知.pdf", &pdf).unwrap();
        assert_eq!(
            (p.content_type, p.file_name.as_str(), p.bytes.clone()),
            ("application/pdf", "整改通知.pdf", pdf.clone())
        );
        assert!(!p.is_image());
        for (bytes, code) in [
            (b"".to_vec(), "empty_attachment"),
            (b"PK\x03\x04word".to_vec(), "unsupported_attachment_type"),
            (
                b"<html><script></script></html>".to_vec(),
                "unsupported_attachment_type",
            ),
            (
                b"%PDF-1.4 <html>not a pdf</html>".to_vec(),
                "undecodable_attachment",
            ),
            (b"\x89PNG\r\n\x1a\n<html>".to_vec(), "undecodable_photo"),
        ] {
            let e = prepare_attachment("file", "x", &bytes).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (code, Some("file")));
        }
        let mut big = pdf.clone();
        big.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
        assert_eq!(
            prepare_attachment("file", "a.pdf", &big).unwrap_err().code,
            "attachment_too_large"
        );
    }

    #[test]
    fn file_names_are_cleaned_and_match_the_content() {
        assert_eq!(
            clean_file_name("../../etc/passwd", "pdf", &["pdf"]),
            "passwd.pdf"
        );
        assert_eq!(
            clean_file_name("照片.jpeg", "jpg", &["jpg", "jpeg"]),
            "照片.jpeg"
        );
        assert_eq!(
            clean_file_name("照片.pdf", "jpg", &["jpg", "jpeg"]),
            "照片.pdf.jpg"
        );
        assert_eq!(clean_file_name("", "png", &["png"]), "附件.png");
        assert_eq!(clean_file_name("  .hidden", "png", &["png"]), "hidden.png");
        assert_eq!(clean_file_name("a\"b\r\n;.pdf", "pdf", &["pdf"]), "ab.pdf");
        let long = "长".repeat(300);
        let n = clean_file_name(&format!("{long}.pdf"), "pdf", &["pdf"]);
        assert_eq!(n.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(n.ends_with(".pdf"));
    }
}
