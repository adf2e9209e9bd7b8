//! Photos attached to visits and wishes: only JPEG and PNG, recognised by their content (the first
//! bytes), never by a file name or a declared type; bounded in size.

use crate::error::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};

/// Largest photo accepted: 2,000,000 bytes, just under the API's 2 MiB body limit, so an upload the
/// API lets through is still checked here. The phone pages scale photos down before they upload.
pub const MAX_PHOTO_BYTES: usize = 2_000_000;

/// The two accepted image types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhotoType {
    Jpeg,
    Png,
}

impl PhotoType {
    pub fn mime(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
        }
    }
    pub fn parse(s: &str) -> Option<PhotoType> {
        match s {
            "jpeg" | "image/jpeg" => Some(PhotoType::Jpeg),
            "png" | "image/png" => Some(PhotoType::Png),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "jpeg",
            PhotoType::Png => "png",
        }
    }
}

/// Check a photo's content and size; returns its type.
pub fn check_photo(field: &str, bytes: &[u8], max: usize) -> DomainResult<PhotoType> {
    if bytes.is_empty() {
        return Err(DomainError::invalid(field, "empty_photo", "照片为空"));
    }
    if bytes.len() > max {
        return Err(DomainError::invalid(
            field,
            "photo_too_large",
            format!(
                "照片过大：最多 {} KB，实际 {} KB",
                max / 1024,
                bytes.len().div_ceil(1024)
            ),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(PhotoType::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(PhotoType::Png);
    }
    Err(DomainError::invalid(
        field,
        "unsupported_photo_type",
        "照片只能是 JPEG 或 PNG 格式",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides() {
        assert_eq!(
            check_photo("p", &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2], 100).unwrap(),
            PhotoType::Jpeg
        );
        assert_eq!(
            check_photo("p", b"\x89PNG\r\n\x1a\nrest", 100).unwrap(),
            PhotoType::Png
        );
        assert_eq!(
            check_photo("p", b"GIF89a....", 100).unwrap_err().code,
            "unsupported_photo_type"
        );
        assert_eq!(
            check_photo("p", b"<svg></svg>", 100).unwrap_err().code,
            "unsupported_photo_type"
        );
        assert_eq!(check_photo("p", &[], 100).unwrap_err().code, "empty_photo");
        let big = [0xFF, 0xD8, 0xFF]
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0, 200))
            .collect::<Vec<_>>();
        assert_eq!(
            check_photo("p", &big, 100).unwrap_err().code,
            "photo_too_large"
        );
    }
}
