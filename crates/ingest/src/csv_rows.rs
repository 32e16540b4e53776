//! An allocation-free CSV row parser (RFC 4180: `,` separator, `"` quoting with `""` escapes,
//! LF or CRLF line ends, fields may span lines inside quotes).
//!
//! Hand-written rather than taken from the `csv` crate because the parallel reader needs three
//! things that crate does not give: parsing a chunk that starts at an arbitrary line boundary and
//! reporting whether it ended cleanly outside quotes (so chunk boundaries can be checked and
//! repaired), the physical line number of every row, and fields borrowed straight from the input
//! buffer with no copy unless a field contains `""`.

use std::borrow::Cow;

/// One field of a row, as byte offsets into the parsed buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpan {
    pub start: usize,
    pub end: usize,
    /// The field was quoted and contains `""` escapes, so its value is not a plain slice.
    pub escaped: bool,
}

impl FieldSpan {
    /// The field (not escaped) as a slice of `text`, without `str` slicing's range and
    /// boundary checks (a row's fields are read this way several times each).
    ///
    /// # Safety
    ///
    /// The span must have been returned by a [`RowParser`] reading `text.as_bytes()`: then it
    /// lies within `text`, and both its ends sit next to an ASCII byte of it (`,`, `"`, `\r`,
    /// `\n`) or at an end of the buffer, so they are character boundaries.
    #[inline]
    pub(crate) unsafe fn str_in<'a>(&self, text: &'a str) -> &'a str {
        debug_assert!(!self.escaped);
        debug_assert!(self.start <= self.end && self.end <= text.len());
        debug_assert!(text.is_char_boundary(self.start) && text.is_char_boundary(self.end));
        // SAFETY: in bounds and on character boundaries of valid UTF-8, by the contract above
        // (which debug builds, where the property tests run, check).
        unsafe {
            let bytes = text.as_bytes().get_unchecked(self.start..self.end);
            std::str::from_utf8_unchecked(bytes)
        }
    }

    /// The field's bytes, with `""` unescaped (the only case that copies).
    #[inline]
    pub fn bytes<'a>(&self, buf: &'a [u8]) -> Cow<'a, [u8]> {
        let raw = &buf[self.start..self.end];
        if !self.escaped {
            return Cow::Borrowed(raw);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            out.push(raw[i]);
            // Inside an escaped field every quote is doubled; keep one of each pair.
            i += if raw[i] == b'"' && raw.get(i + 1) == Some(&b'"') {
                2
            } else {
                1
            };
        }
        Cow::Owned(out)
    }
}

/// One row: where it starts and ends in the buffer (for the raw text of a quarantined row), the
/// physical line its first byte is on (0-based, relative to the parsed buffer), and whether a
/// quoted field ran to the end of the buffer without a closing quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowSpan {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    pub unterminated: bool,
    /// Some field of the row is quoted with `""` escapes ([`FieldSpan::escaped`]).
    pub escaped: bool,
}

/// Parses rows one after another from a buffer that starts at a row boundary.
pub struct RowParser<'a> {
    buf: &'a [u8],
    pos: usize,
    line: u64,
    /// The structural bytes of the 64-byte window of `buf` starting at `window_at`.
    window: Structural,
    window_at: usize,
    /// Whether rows without quotes take the bitmask path (off only to test it against the
    /// byte-wise one).
    fast: bool,
    /// Whether the CPU has AVX2 (windows are then classified 32 bytes at a time).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    avx2: bool,
}

impl<'a> RowParser<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        RowParser::at_line(buf, 0)
    }

    /// A parser whose buffer starts on physical line `line`: the rows it returns carry
    /// absolute line numbers, so a chunk parsed in parallel needs no renumbering afterwards.
    pub fn at_line(buf: &'a [u8], line: u64) -> Self {
        RowParser {
            buf,
            pos: 0,
            line,
            window: Structural(0),
            window_at: usize::MAX,
            fast: true,
            avx2: Structural::avx2_available(),
        }
    }

    /// A parser that reads every row byte-wise (the reference the bitmask path is tested
    /// against).
    #[cfg(test)]
    fn bytewise(buf: &'a [u8]) -> Self {
        RowParser {
            fast: false,
            ..RowParser::new(buf)
        }
    }

    /// The line the next row starts on: the starting line plus the newlines seen so far
    /// (inside quotes or not).
    pub fn lines(&self) -> u64 {
        self.line
    }

    /// Byte offset of the next row.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Continues at byte `pos`, which is on physical line `line` (after skipping a broken row).
    pub fn resume(&mut self, pos: usize, line: u64) {
        self.pos = pos.min(self.buf.len());
        self.line = line;
    }

    /// The next non-blank row, filling `fields`; `None` at the end of the buffer.
    /// Blank lines (empty or only `\r`) are skipped: they carry no record.
    pub fn next_row(&mut self, fields: &mut Vec<FieldSpan>) -> Option<RowSpan> {
        let buf = self.buf;
        loop {
            if self.pos >= buf.len() {
                return None;
            }
            let rest = &buf[self.pos..];
            if rest[0] == b'\n' {
                self.pos += 1;
                self.line += 1;
                continue;
            }
            if rest[0] == b'\r' && rest.get(1) == Some(&b'\n') {
                self.pos += 2;
                self.line += 1;
                continue;
            }
            break;
        }
        fields.clear();
        if self.fast {
            if let Some(row) = self.plain_row(fields) {
                return Some(row);
            }
            fields.clear();
        }
        let start = self.pos;
        let line = self.line;
        let mut unterminated = false;
        let mut any_escaped = false;
        let mut pos = self.pos;
        loop {
            // One field starting at `pos`.
            if pos < buf.len() && buf[pos] == b'"' {
                let fstart = pos + 1;
                let mut escaped = false;
                let mut i = fstart;
                let fend;
                loop {
                    match buf[i..].iter().position(|&b| b == b'"' || b == b'\n') {
                        None => {
                            unterminated = true;
                            fend = buf.len();
                            i = buf.len();
                            break;
                        }
                        Some(off) => {
                            let q = i + off;
                            if buf[q] == b'\n' {
                                self.line += 1;
                                i = q + 1;
                            } else if buf.get(q + 1) == Some(&b'"') {
                                escaped = true;
                                i = q + 2;
                            } else {
                                fend = q;
                                i = q + 1;
                                break;
                            }
                        }
                    }
                }
                // Text between the closing quote and the next separator is kept with the
                // field (lenient, like most spreadsheet software); the field is then the raw
                // bytes from its opening quote.
                let mut j = i;
                while j < buf.len() && buf[j] != b',' && buf[j] != b'\n' {
                    j += 1;
                }
                let trailing_cr = j > i && buf[j - 1] == b'\r' && j < buf.len();
                let junk_end = if trailing_cr { j - 1 } else { j };
                if junk_end > i {
                    fields.push(FieldSpan {
                        start: fstart - 1,
                        end: junk_end,
                        escaped: false,
                    });
                } else {
                    any_escaped |= escaped;
                    fields.push(FieldSpan {
                        start: fstart,
                        end: fend,
                        escaped,
                    });
                }
                pos = j;
            } else {
                let fstart = pos;
                let j = find_separator(buf, pos);
                let end = if j < buf.len() && buf[j] == b'\n' && j > fstart && buf[j - 1] == b'\r' {
                    j - 1
                } else {
                    j
                };
                fields.push(FieldSpan {
                    start: fstart,
                    end,
                    escaped: false,
                });
                pos = j;
            }
            if pos >= buf.len() {
                break;
            }
            if buf[pos] == b',' {
                pos += 1;
                continue;
            }
            // A newline ends the row.
            pos += 1;
            self.line += 1;
            break;
        }
        let mut end = pos;
        // The raw row text excludes its line end.
        if end > start && buf[end - 1] == b'\n' {
            end -= 1;
            if end > start && buf[end - 1] == b'\r' {
                end -= 1;
            }
        }
        self.pos = pos;
        Some(RowSpan {
            start,
            end,
            line,
            unterminated,
            escaped: any_escaped,
        })
    }
}

impl RowParser<'_> {
    /// The next row when it holds no quote and ends with a newline inside the last full 64-byte
    /// window of the buffer (nearly every row of a real file), its fields found from bitmasks of
    /// the structural bytes: one classification per 64 bytes, then one step per separator,
    /// instead of a search per field. `None` leaves the parser where it was, for the byte-wise
    /// path to read the row (quoted fields, the buffer's tail).
    #[inline]
    fn plain_row(&mut self, fields: &mut Vec<FieldSpan>) -> Option<RowSpan> {
        let buf = self.buf;
        let start = self.pos;
        let mut field_start = start;
        let mut base = start - start % 64;
        if base != self.window_at {
            self.load_window(base)?;
        }
        // The structural bytes at or after `start`, then those of the following windows.
        let mut bits = self.window.0 & (u64::MAX << (start - base));
        loop {
            while bits == 0 {
                base += 64;
                self.load_window(base)?;
                bits = self.window.0;
            }
            let j = base + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            match buf[j] {
                b',' => {
                    fields.push(FieldSpan {
                        start: field_start,
                        end: j,
                        escaped: false,
                    });
                    field_start = j + 1;
                }
                b'\n' => {
                    // A `\r` before the newline ends the last field and the row (it cannot be
                    // a comma's neighbour here: the comma would be the byte before the newline).
                    let end = if j > start && buf[j - 1] == b'\r' {
                        j - 1
                    } else {
                        j
                    };
                    fields.push(FieldSpan {
                        start: field_start,
                        end,
                        escaped: false,
                    });
                    let line = self.line;
                    self.pos = j + 1;
                    self.line += 1;
                    return Some(RowSpan {
                        start,
                        end,
                        line,
                        unterminated: false,
                        escaped: false,
                    });
                }
                // A quote: the byte-wise path knows the quoting rules.
                _ => return None,
            }
        }
    }

    /// Classifies the 64-byte window at `base`; `None` past the last full window.
    #[inline]
    fn load_window(&mut self, base: usize) -> Option<()> {
        let window = self.buf.get(base..base + 64)?;
        self.window = self.classify(window.try_into().ok()?);
        self.window_at = base;
        Some(())
    }

    /// The structural bytes of a window, with AVX2 where the CPU has it.
    #[inline]
    fn classify(&self, window: &[u8; 64]) -> Structural {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only when the CPU has AVX2.
            return unsafe { Structural::of_avx2(window) };
        }
        Structural::of(window)
    }
}

/// One bit per byte of a 64-byte window: set where the byte is `,`, `\n` or `"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Structural(u64);

impl Structural {
    /// Classifies 64 bytes with SSE2 (part of every x86-64 CPU) sixteen at a time. Written by
    /// hand: the CSV crates either search byte-wise (`csv-core`) or do not report the physical
    /// line and chunk-end state this reader needs (see the module comment).
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn of(window: &[u8; 64]) -> Structural {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        let mut bits = 0u64;
        for (i, lane) in window.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is part of the x86-64 baseline; `lane` is 16 readable bytes and
            // `_mm_loadu_si128` accepts any alignment.
            let mask = unsafe {
                let v = _mm_loadu_si128(lane.as_ptr().cast());
                let hits = _mm_or_si128(
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8)),
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
                    ),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                );
                _mm_movemask_epi8(hits) as u16
            };
            bits |= u64::from(mask) << (16 * i);
        }
        Structural(bits)
    }

    /// Whether [`Structural::of_avx2`] may be called (checked once per parser; the standard
    /// library caches the CPU's answer).
    fn avx2_available() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// [`Structural::of`] with AVX2, 32 bytes at a time: half the instructions per window.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2 ([`Structural::avx2_available`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn of_avx2(window: &[u8; 64]) -> Structural {
        use std::arch::x86_64::{
            _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
            _mm256_set1_epi8,
        };
        let mut bits = 0u64;
        for (i, half) in window.chunks_exact(32).enumerate() {
            // SAFETY: `half` is 32 readable bytes (any alignment); AVX2 is there (the caller's
            // contract).
            let mask = unsafe {
                let v = _mm256_loadu_si256(half.as_ptr().cast());
                let hits = _mm256_or_si256(
                    _mm256_or_si256(
                        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b',' as i8)),
                        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8)),
                    ),
                    _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8)),
                );
                _mm256_movemask_epi8(hits) as u32
            };
            bits |= u64::from(mask) << (32 * i);
        }
        Structural(bits)
    }

    #[cfg(not(target_arch = "x86_64"))]
    #[inline]
    fn of(window: &[u8; 64]) -> Structural {
        Structural::bytewise(window)
    }

    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn bytewise(window: &[u8; 64]) -> Structural {
        let bits = window
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, b',' | b'\n' | b'"'))
            .fold(0u64, |bits, (i, _)| bits | 1 << i);
        Structural(bits)
    }
}

/// The offset of the first `,` or `\n` at or after `j` (`buf.len()` when there is none),
/// looking at eight bytes per step (SWAR: a byte equal to the target becomes a zero byte, and
/// the lowest zero byte of a word is found exactly by the borrow trick).
#[inline]
fn find_separator(buf: &[u8], mut j: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const COMMAS: u64 = ONES * b',' as u64;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    while let Some(chunk) = buf.get(j..j + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let c = w ^ COMMAS;
        let n = w ^ NEWLINES;
        let hits = ((c.wrapping_sub(ONES) & !c) | (n.wrapping_sub(ONES) & !n)) & HIGHS;
        if hits != 0 {
            return j + (hits.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while j < buf.len() && buf[j] != b',' && buf[j] != b'\n' {
        j += 1;
    }
    j
}

/// Where to cut `buf` into about `parts` pieces, each ending just after a `\n`.
/// The cuts ignore quoting; [`RowParser`] checks each piece and the reader re-joins a piece that
/// ended inside a quoted field with the next one.
pub fn cut_points(buf: &[u8], parts: usize) -> Vec<usize> {
    let mut cuts = Vec::with_capacity(parts + 1);
    cuts.push(0);
    let step = buf.len() / parts.max(1);
    let mut from = 0;
    for k in 1..parts {
        let target = (k * step).max(from);
        if target >= buf.len() {
            break;
        }
        match buf[target..].iter().position(|&b| b == b'\n') {
            Some(off) => {
                from = target + off + 1;
                if from < buf.len() && from > *cuts.last().unwrap_or(&0) {
                    cuts.push(from);
                }
            }
            None => break,
        }
    }
    cuts.push(buf.len());
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u64, Vec<String>, bool)> {
        let buf = text.as_bytes();
        let mut p = RowParser::new(buf);
        let mut f = Vec::new();
        let mut out = Vec::new();
        while let Some(r) = p.next_row(&mut f) {
            let vals = f
                .iter()
                .map(|s| String::from_utf8(s.bytes(buf).into_owned()).unwrap())
                .collect();
            out.push((r.line, vals, r.unterminated));
        }
        out
    }

    #[test]
    fn plain_quoted_and_escaped_fields() {
        let r = rows("a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\n");
        assert_eq!(r[0].1, vec!["a", "b", "c"]);
        assert_eq!(r[1].1, vec!["1", "x,y", "say \"hi\""]);
        assert_eq!(r[1].0, 1);
        // The row flag says whether any field needs unescaping.
        let flags = |text: &str| {
            let mut p = RowParser::new(text.as_bytes());
            let mut f = Vec::new();
            std::iter::from_fn(|| p.next_row(&mut f).map(|r| r.escaped)).collect::<Vec<_>>()
        };
        assert_eq!(
            flags("a,b\n1,\"x,y\"\n\"say \"\"hi\"\"\",2\n"),
            [false, false, true]
        );
    }

    #[test]
    fn crlf_blank_lines_and_missing_final_newline() {
        let r = rows("a,b\r\n\r\n1,2\r\n\n3,\"4\"\r\n5,");
        let vals: Vec<_> = r.iter().map(|x| x.1.clone()).collect();
        assert_eq!(
            vals,
            vec![
                vec!["a", "b"],
                vec!["1", "2"],
                vec!["3", "4"],
                vec!["5", ""]
            ]
        );
        let lines: Vec<_> = r.iter().map(|x| x.0).collect();
        assert_eq!(lines, vec![0, 2, 4, 5]);
    }

    #[test]
    fn newline_inside_quotes_counts_as_a_physical_line() {
        let r = rows("a,\"line1\nline2\"\nb,c\n");
        assert_eq!(r[0].1, vec!["a", "line1\nline2"]);
        assert_eq!(r[1].0, 2);
    }

    #[test]
    fn unterminated_quote_is_flagged() {
        let r = rows("a,\"open\nb,c\n");
        assert_eq!(r.len(), 1);
        assert!(r[0].2);
    }

    #[test]
    fn text_after_a_closing_quote_stays_in_the_field() {
        let r = rows("\"ab\"cd,e\n");
        assert_eq!(r[0].1, vec!["\"ab\"cd", "e"]);
    }

    #[test]
    fn separator_search_matches_a_byte_loop() {
        let texts: [&[u8]; 6] = [
            b"",
            b"abcdefghijklmnop",
            b"abc,def\nghi",
            "张三,李四\n王五,,\n".as_bytes(),
            b"0123456789abcdef,",
            b"\x80\xff,\n\x2c\x0a\x8c\x8a\x2b\x0b\x2d",
        ];
        for text in texts {
            for from in 0..=text.len() {
                let expected = text[from..]
                    .iter()
                    .position(|&b| b == b',' || b == b'\n')
                    .map_or(text.len(), |o| from + o);
                assert_eq!(find_separator(text, from), expected, "{text:?} from {from}");
            }
        }
    }

    #[test]
    fn cuts_fall_after_newlines() {
        let buf = b"aaaa\nbbbb\ncccc\ndddd\n";
        let c = cut_points(buf, 3);
        assert_eq!(c.first(), Some(&0));
        assert_eq!(c.last(), Some(&buf.len()));
        for &x in &c[1..c.len() - 1] {
            assert_eq!(buf[x - 1], b'\n');
        }
    }

    fn all_rows(mut p: RowParser<'_>) -> Vec<(RowSpan, Vec<FieldSpan>, usize)> {
        let mut f = Vec::new();
        let mut out = Vec::new();
        while let Some(r) = p.next_row(&mut f) {
            out.push((r, f.clone(), p.position()));
        }
        out.push((
            RowSpan {
                start: p.position(),
                end: 0,
                line: p.lines(),
                unterminated: false,
                escaped: false,
            },
            Vec::new(),
            0,
        ));
        out
    }

    #[test]
    fn a_long_plain_file_takes_the_bitmask_path_and_agrees_with_the_bytewise_one() {
        let mut text = String::from("身份证号,姓名,手机号\r\n");
        for i in 0..200 {
            text.push_str(&format!("11010519491231{i:04},张三{i},1380013{i:04}\n"));
            if i % 17 == 0 {
                text.push_str("\r\n\n,,\n\"q,\"\"x\",y\n");
            }
        }
        let buf = text.as_bytes();
        let fast = all_rows(RowParser::new(buf));
        assert_eq!(fast, all_rows(RowParser::bytewise(buf)));
        assert!(fast.len() > 200);
    }

    proptest::proptest! {
        #[test]
        fn the_bitmask_path_reads_any_bytes_like_the_bytewise_one(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "bc", "1234567", ",", ",", "\n", "\r", "\r\n", "\"", "\"\"", "张", " ",
                    "0123456789012345678901234567890123456789",
                ]),
                0..120,
            ),
        ) {
            let text: String = parts.concat();
            let buf = text.as_bytes();
            proptest::prop_assert_eq!(all_rows(RowParser::new(buf)), all_rows(RowParser::bytewise(buf)));
        }

        #[test]
        fn a_window_is_classified_like_a_byte_loop(
            window in proptest::collection::vec(
                proptest::sample::select(vec![b',', b'\n', b'"', b'a', b'\r', 0x2c ^ 0x80, 0xe5, 0]),
                64,
            ),
        ) {
            let w: [u8; 64] = window.try_into().unwrap();
            proptest::prop_assert_eq!(Structural::of(&w), Structural::bytewise(&w));
            if Structural::avx2_available() {
                // SAFETY: the CPU has AVX2.
                proptest::prop_assert_eq!(unsafe { Structural::of_avx2(&w) }, Structural::bytewise(&w));
            }
        }
    }
}
