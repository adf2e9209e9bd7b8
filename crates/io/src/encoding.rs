//! Text encodings of CSV input: UTF-8 (with or without a byte order mark) or GBK/GB18030, detected
//! from the first bytes or named by the caller, and a reader that turns GB18030 into UTF-8 as it
//! streams.
//!
//! Detection reads a sample (the first 4 MiB): valid UTF-8 there means UTF-8, anything else means
//! GB18030 (a superset of GBK and GB2312, which is what Excel and WPS write for "ANSI" on a Chinese
//! system). A UTF-8 file that goes wrong after the sample is still read as UTF-8, and its bad rows are
//! reported one by one. Rejected alternative: statistical detectors (chardet-like), which guess, and
//! guess wrong on short files of digits and a few names.

use encoding_rs::{Decoder, GB18030};
use std::io::{self, Read};

/// A text encoding the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    Utf8,
    /// GB18030, which reads GBK and GB2312 files too.
    Gb18030,
}

impl TextEncoding {
    /// Parse a name as given on the command line: `utf-8`, `utf8`, `gbk`, `gb18030`, `gb2312`.
    pub fn parse(s: &str) -> Option<TextEncoding> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Some(TextEncoding::Gb18030),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030/GBK",
        }
    }
}

/// How much of the input detection looks at.
pub const SAMPLE_BYTES: usize = 4 << 20;

/// Decide the encoding of a sample from the start of a file.
pub fn detect(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        // a sample cut inside a character is still UTF-8
        Err(e) if e.error_len().is_none() && sample.len() - e.valid_up_to() < 4 => {
            TextEncoding::Utf8
        }
        Err(_) => TextEncoding::Gb18030,
    }
}

/// Read up to `SAMPLE_BYTES` from `r` (for detection), returning them.
pub fn read_sample<R: Read + ?Sized>(r: &mut R) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(64 * 1024);
    r.take(SAMPLE_BYTES as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// A reader yielding UTF-8: bytes pass through for UTF-8 input (a leading byte order mark dropped),
/// GB18030 input is decoded as it streams.
pub struct Utf8Reader<R> {
    inner: R,
    decoder: Option<Decoder>,
    /// Raw bytes read but not yet decoded, and decoded bytes not yet handed out.
    raw: Vec<u8>,
    raw_len: usize,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    bom_checked: bool,
}

impl<R: Read> Utf8Reader<R> {
    pub fn new(inner: R, encoding: TextEncoding) -> Self {
        Utf8Reader {
            inner,
            decoder: match encoding {
                TextEncoding::Utf8 => None,
                // a GB18030 file may still start with a UTF-8 mark by mistake; without BOM sniffing
                // the mark would be decoded as three odd characters
                TextEncoding::Gb18030 => Some(GB18030.new_decoder_without_bom_handling()),
            },
            raw: vec![0; 64 * 1024],
            raw_len: 0,
            out: Vec::with_capacity(128 * 1024),
            out_pos: 0,
            eof: false,
            bom_checked: false,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    fn fill(&mut self) -> io::Result<()> {
        let decoder = self.decoder.as_mut().expect("decoding");
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !(self.eof && self.raw_len == 0) {
            if !self.eof && self.raw_len < self.raw.len() {
                let n = read_retry(&mut self.inner, &mut self.raw[self.raw_len..])?;
                if n == 0 {
                    self.eof = true;
                }
                self.raw_len += n;
            }
            let need = decoder
                .max_utf8_buffer_length(self.raw_len)
                .unwrap_or(self.raw_len * 3 + 16);
            self.out.resize(need, 0);
            let (_, read, written, _) =
                decoder.decode_to_utf8(&self.raw[..self.raw_len], &mut self.out, self.eof);
            self.out.truncate(written);
            self.raw.copy_within(read..self.raw_len, 0);
            self.raw_len -= read;
            if self.eof && read == 0 && written == 0 {
                self.raw_len = 0;
            }
        }
        Ok(())
    }
}

fn read_retry<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.decoder.is_none() {
            if !self.bom_checked {
                self.bom_checked = true;
                let mut head = [0u8; 3];
                let mut n = 0;
                while n < 3 {
                    let k = read_retry(&mut self.inner, &mut head[n..])?;
                    if k == 0 {
                        break;
                    }
                    n += k;
                }
                if !(n == 3 && head == [0xEF, 0xBB, 0xBF]) {
                    self.out.clear();
                    self.out.extend_from_slice(&head[..n]);
                    self.out_pos = 0;
                }
            }
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            return read_retry(&mut self.inner, buf);
        }
        if self.out_pos >= self.out.len() {
            self.fill()?;
            if self.out.is_empty() {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Encode UTF-8 text as GB18030 (for tests and for writing files in the encoding they came in).
pub fn encode_gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, _) = GB18030.encode(text);
    bytes.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all<R: Read>(mut r: R) -> String {
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn detection() {
        assert_eq!(detect("户编码,姓名\n".as_bytes()), TextEncoding::Utf8);
        assert_eq!(detect(b"\xEF\xBB\xBFa,b"), TextEncoding::Utf8);
        assert_eq!(
            detect(&encode_gb18030("户编码,姓名\n")),
            TextEncoding::Gb18030
        );
        assert_eq!(detect(b"plain ascii"), TextEncoding::Utf8);
        // a sample that ends inside a three-byte character
        let s = "江西".as_bytes();
        assert_eq!(detect(&s[..4]), TextEncoding::Utf8);
        assert_eq!(TextEncoding::parse("GBK"), Some(TextEncoding::Gb18030));
        assert_eq!(TextEncoding::parse("utf8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::parse("latin1"), None);
    }

    #[test]
    fn decoding_streams() {
        let text = "户编码,姓名\n3601,万建华\n".repeat(5000);
        let gbk = encode_gb18030(&text);
        assert_eq!(
            read_all(Utf8Reader::new(&gbk[..], TextEncoding::Gb18030)),
            text
        );
        // a trickling reader splits multi-byte characters between reads
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        assert_eq!(
            read_all(Utf8Reader::new(Trickle(&gbk), TextEncoding::Gb18030)),
            text
        );
        let bom = format!("\u{feff}{text}");
        assert_eq!(
            read_all(Utf8Reader::new(bom.as_bytes(), TextEncoding::Utf8)),
            text
        );
        assert_eq!(
            read_all(Utf8Reader::new(Trickle(bom.as_bytes()), TextEncoding::Utf8)),
            text
        );
        assert_eq!(
            read_all(Utf8Reader::new(&b"ab"[..], TextEncoding::Utf8)),
            "ab"
        );
        assert_eq!(
            read_all(Utf8Reader::new(&b""[..], TextEncoding::Gb18030)),
            ""
        );
    }
}
