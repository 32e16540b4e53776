//! Text encoding of CSV and NDJSON files: a byte-order mark wins; otherwise valid UTF-8 is
//! UTF-8; otherwise the encoding is guessed (chardetng, biased to Chinese encodings, so the
//! GBK / GB18030 files that spreadsheet software on Chinese Windows writes are read right).

use encoding_rs::Encoding;

/// How many leading bytes are examined.
pub const SAMPLE_LEN: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub encoding: &'static Encoding,
    /// Length of the byte-order mark to skip (0 when there is none).
    pub bom_len: usize,
}

impl Detected {
    pub fn is_utf8(&self) -> bool {
        self.encoding == encoding_rs::UTF_8
    }

    /// The encoding's name as users know it (`UTF-8`, `GBK`, `gb18030`, `UTF-16LE` …).
    pub fn name(&self) -> &'static str {
        self.encoding.name()
    }
}

/// Detects the encoding from the first bytes of a file. `complete` says whether `sample` is
/// the whole file (a multi-byte character cut at the end of a partial sample is not an error).
pub fn detect(sample: &[u8], complete: bool) -> Detected {
    if let Some((encoding, bom_len)) = Encoding::for_bom(sample) {
        return Detected { encoding, bom_len };
    }
    if mostly_utf8(sample, complete) {
        return Detected {
            encoding: encoding_rs::UTF_8,
            bom_len: 0,
        };
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(sample, complete);
    let encoding = det.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    Detected {
        encoding,
        bom_len: 0,
    }
}

/// Valid UTF-8, or UTF-8 with a few broken sequences among many good multi-byte characters
/// (a UTF-8 file with some damaged rows: those rows are quarantined as `encoding_error`, the
/// rest is read). Text in a legacy encoding read as UTF-8 yields almost no valid multi-byte
/// characters, so it is not mistaken for damaged UTF-8.
fn mostly_utf8(sample: &[u8], complete: bool) -> bool {
    // A header line in valid UTF-8 with Chinese column names settles it: in GBK those bytes
    // are (almost) never valid UTF-8.
    let first_line = sample.split(|&b| b == b'\n').next().unwrap_or(&[]);
    if first_line.len() < sample.len() || complete {
        if let Ok(h) = std::str::from_utf8(first_line) {
            if h.chars().filter(|c| !c.is_ascii()).count() >= 2 {
                return true;
            }
        }
    }
    let mut rest = sample;
    let mut good_multibyte = 0usize;
    let mut bad = 0usize;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                good_multibyte += s.bytes().filter(|&b| b >= 0xC0).count();
                break;
            }
            Err(e) => {
                let valid = &rest[..e.valid_up_to()];
                good_multibyte += valid.iter().filter(|&&b| b >= 0xC0).count();
                match e.error_len() {
                    Some(n) => {
                        bad += 1;
                        rest = &rest[e.valid_up_to() + n..];
                    }
                    // Cut inside a character at the end of a partial sample: not an error.
                    None if !complete => break,
                    None => {
                        bad += 1;
                        break;
                    }
                }
            }
        }
    }
    bad == 0 || good_multibyte >= 20 * bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let d = detect("姓名,身份证号\n".as_bytes(), true);
        assert!(d.is_utf8());
        assert_eq!(d.bom_len, 0);
        let d = detect(b"\xEF\xBB\xBFname,id\n", true);
        assert!(d.is_utf8());
        assert_eq!(d.bom_len, 3);
    }

    #[test]
    fn gbk_text_is_recognised() {
        let text = "姓名,身份证号,手机号,住址\n张三,11010519491231002X,13812345678,北京市东城区和平里街道\n\
                    李四,440524188001010014,13987654321,广东省汕头市潮阳区文光街道\n";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let d = detect(&bytes, true);
        assert!(
            d.encoding == encoding_rs::GBK || d.encoding == encoding_rs::GB18030,
            "{}",
            d.name()
        );
        let (back, _, errors) = d.encoding.decode(&bytes);
        assert!(!errors);
        assert_eq!(back, text);
    }

    #[test]
    fn utf8_with_a_few_damaged_bytes_is_still_utf8() {
        let mut text = "张三,李四,王五,赵六\n".repeat(20).into_bytes();
        text.extend_from_slice(b"\xff\xfe,x\n");
        assert!(detect(&text, true).is_utf8());
    }

    #[test]
    fn a_character_cut_at_the_sample_end_is_still_utf8() {
        let bytes = "姓名".as_bytes();
        assert!(detect(&bytes[..4], false).is_utf8());
    }
}
