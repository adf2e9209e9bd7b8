//! Photos attached to visits and wishes: only JPEG and PNG, recognised by their content (the first
//! bytes), never by a file name or a declared type; bounded in size; and stored only as an image
//! decoded and encoded again ([`prepare_photo`]).
//!
//! Decoding refuses a file that only starts like an image (an HTML page behind a PNG signature, a
//! truncated or corrupt file). Encoding the pixels again keeps nothing of the file but the picture:
//! EXIF (with a phone's GPS position, its make and the time taken), XMP, comments and text chunks
//! are dropped. A visit's location is the visit's own field, entered on purpose, never read from a
//! photo. The EXIF orientation of a JPEG is applied to the pixels first, so that a photo taken
//! upright stays upright without its tag.
//!
//! Bounds: a photo of more than [`MAX_PHOTO_SIDE`] pixels on a side or [`MAX_PHOTO_PIXELS`] in all
//! is refused before its pixels are decoded (a small file may declare an enormous image), and
//! decoding never allocates more than [`MAX_DECODE_BYTES`]. A photo larger than
//! [`STORED_PHOTO_SIDE`] on its longer side is scaled down to it, which bounds what is stored.
//! A JPEG stays a JPEG (quality [`JPEG_QUALITY`]), a PNG a PNG.

use crate::error::{DomainError, DomainResult};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};
use std::io::Cursor;

/// Largest photo accepted: 2,000,000 bytes, just under the API's 2 MiB body limit, so an upload the
/// API lets through is still checked here. The phone pages scale photos down before they upload.
pub const MAX_PHOTO_BYTES: usize = 2_000_000;

/// Most pixels a photo may have on either side.
pub const MAX_PHOTO_SIDE: u32 = 10_000;

/// Most pixels a photo may have in all: 25 million (a phone's 12-megapixel photo has 12 million).
pub const MAX_PHOTO_PIXELS: u64 = 25_000_000;

/// Most memory decoding one photo may take (a 25-megapixel RGBA image with 16 bits a channel).
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// The longer side of a stored photo at most; larger photos are scaled down to it.
pub const STORED_PHOTO_SIDE: u32 = 2560;

/// The quality a JPEG is encoded again with.
pub const JPEG_QUALITY: u8 = 85;

/// The two accepted image types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    fn format(self) -> ImageFormat {
        match self {
            PhotoType::Jpeg => ImageFormat::Jpeg,
            PhotoType::Png => ImageFormat::Png,
        }
    }
}

/// A photo as it is stored: decoded and encoded again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedPhoto {
    pub kind: PhotoType,
    /// The encoded image, with no metadata.
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Check an uploaded photo ([`check_photo`], with [`MAX_PHOTO_BYTES`]), decode it and encode it
/// again within the bounds of this module; `field` names the upload in errors.
pub fn prepare_photo(field: &str, bytes: &[u8]) -> DomainResult<PreparedPhoto> {
    let kind = check_photo(field, bytes, MAX_PHOTO_BYTES)?;
    let image = decode(field, kind, bytes)?;
    let image = if image.width().max(image.height()) > STORED_PHOTO_SIDE {
        // keeps the aspect ratio, the longer side becomes STORED_PHOTO_SIDE
        image.resize(STORED_PHOTO_SIDE, STORED_PHOTO_SIDE, FilterType::Triangle)
    } else {
        image
    };
    let (width, height) = (image.width(), image.height());
    let mut out = Cursor::new(Vec::new());
    let written = match kind {
        PhotoType::Jpeg => {
            let image = match image {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image,
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        }
        PhotoType::Png => image.write_with_encoder(PngEncoder::new(&mut out)),
    };
    // an image just decoded within the bounds always encodes; failing here is the machine's fault
    written.map_err(|_| DomainError::internal())?;
    Ok(PreparedPhoto {
        kind,
        bytes: out.into_inner(),
        width,
        height,
    })
}

fn decode(field: &str, kind: PhotoType, bytes: &[u8]) -> DomainResult<DynamicImage> {
    let too_large = || {
        DomainError::invalid(
            field,
            "photo_too_many_pixels",
            format!(
                "照片尺寸过大：每边最多 {MAX_PHOTO_SIDE} 像素，总计最多 {} 万像素",
                MAX_PHOTO_PIXELS / 10_000
            ),
        )
    };
    let refused = |e: ImageError| match e {
        ImageError::Limits(_) => too_large(),
        _ => DomainError::invalid(
            field,
            "undecodable_photo",
            format!(
                "照片无法读取：文件已损坏，或不是真正的 {} 图像",
                kind.as_str().to_uppercase()
            ),
        ),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refused)?;
    // only the header has been read so far: the size is checked before any pixel is decoded
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS {
        return Err(too_large());
    }
    let orientation = decoder.orientation().map_err(refused)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(refused)?;
    image.apply_orientation(orientation);
    Ok(image)
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

    fn png(width: u32, height: u32, alpha: bool) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([x as u8, y as u8, 7, if alpha { 128 } else { 255 }])
        });
        let img = if alpha {
            DynamicImage::ImageRgba8(img)
        } else {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(img).to_rgb8())
        };
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_png_is_decoded_and_encoded_again_with_the_same_pixels() {
        for alpha in [false, true] {
            let original = png(40, 30, alpha);
            let p = prepare_photo("photo", &original).unwrap();
            assert_eq!((p.kind, p.width, p.height), (PhotoType::Png, 40, 30));
            let back = image::load_from_memory_with_format(&p.bytes, ImageFormat::Png).unwrap();
            let before = image::load_from_memory(&original).unwrap();
            assert_eq!(back.to_rgba8(), before.to_rgba8(), "alpha {alpha}");
        }
    }

    #[test]
    fn what_only_starts_like_an_image_is_refused() {
        let mut html = b"\x89PNG\r\n\x1a\n".to_vec();
        html.extend(b"<html><script>alert(1)</script></html>");
        let e = prepare_photo("photo", &html).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("undecodable_photo", Some("photo"))
        );
        assert!(e.message.contains("PNG"), "{}", e.message);
        let e = prepare_photo("evidence", b"\xFF\xD8\xFF\xE0<html></html>").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("undecodable_photo", Some("evidence"))
        );
        // a real PNG cut short
        let whole = png(64, 64, false);
        let e = prepare_photo("photo", &whole[..whole.len() / 2]).unwrap_err();
        assert_eq!(e.code, "undecodable_photo");
    }

    #[test]
    fn a_large_photo_is_scaled_down_keeping_its_shape() {
        let p = prepare_photo("photo", &png(STORED_PHOTO_SIDE * 2, 100, false)).unwrap();
        assert_eq!((p.width, p.height), (STORED_PHOTO_SIDE, 50));
        let back = image::load_from_memory(&p.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (STORED_PHOTO_SIDE, 50));
        let p = prepare_photo("photo", &png(10, STORED_PHOTO_SIDE + 1, false)).unwrap();
        assert_eq!(p.height, STORED_PHOTO_SIDE);
        let p = prepare_photo("photo", &png(STORED_PHOTO_SIDE, 3, false)).unwrap();
        assert_eq!(
            (p.width, p.height),
            (STORED_PHOTO_SIDE, 3),
            "at the bound: kept"
        );
    }

    /// A PNG header declaring `width`×`height` (then no usable data): a bomb's first bytes.
    fn declaring(width: u32, height: u32) -> Vec<u8> {
        let mut p = png(1, 1, false);
        // IHDR's data starts at 16; its CRC at 29 covers the chunk type and data (12..29)
        p[16..20].copy_from_slice(&width.to_be_bytes());
        p[20..24].copy_from_slice(&height.to_be_bytes());
        let mut crc = 0xFFFF_FFFFu32;
        for &b in &p[12..29] {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    0xEDB8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
        }
        p[29..33].copy_from_slice(&(!crc).to_be_bytes());
        p
    }

    #[test]
    fn an_enormous_image_is_refused_before_its_pixels_are_decoded() {
        for (w, h) in [
            (MAX_PHOTO_SIDE + 1, 1),
            (1, MAX_PHOTO_SIDE + 1),
            (100_000, 100_000),
            // each side allowed, too many pixels in all
            (MAX_PHOTO_SIDE, 2_501),
        ] {
            let e = prepare_photo("photo", &declaring(w, h)).unwrap_err();
            assert_eq!(e.code, "photo_too_many_pixels", "{w}×{h}");
            assert!(e.message.contains("2500 万像素"), "{}", e.message);
        }
        // within the bounds the same header is read on, and its missing pixels refuse it
        let e = prepare_photo("photo", &declaring(2, 2)).unwrap_err();
        assert_eq!(e.code, "undecodable_photo");
    }
}
