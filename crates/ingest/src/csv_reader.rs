//! The CSV reader: streams a file in blocks, parses each block's rows in parallel and validates
//! every field, keeping memory bounded by the block size whatever the file's size.
//!
//! A block (a few MiB of UTF-8 text) is cut at line ends into one chunk per worker; each chunk
//! is parsed and validated on its own thread. A cut may fall inside a quoted field that spans
//! lines; the parser then reports that its chunk did not end cleanly and the chunk is parsed
//! again together with the next one, so the result never depends on where the cuts fell. The
//! last, incomplete row of a block is carried into the next block.

use crate::csv_rows::{cut_points, FieldSpan, RowParser};
use crate::encoding::{self, Detected};
use crate::error::IngestError;
use crate::header::HeaderMap;
use crate::quarantine::{reason, QuarantineEntry};
use crate::stage::{Part, Stage};
use crate::validate::Validator;
use crate::values::{SpanValues, Values};
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::{self, Read};

/// A row that is still open (a quoted field not closed) after this many bytes is taken to be
/// broken: its first line is quarantined as `unterminated_quote` and reading resumes after it.
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// Spare bytes kept in front of each block read, for the previous block's unfinished last row.
const CARRY_ROOM: usize = 64 << 10;

/// What the CSV reader learnt about the file.
pub(crate) struct CsvInfo {
    pub encoding: Detected,
    pub ignored_columns: Vec<String>,
}

/// Turns the file's bytes into UTF-8 text, decoding when the file is not UTF-8.
struct Utf8Source<'r> {
    input: &'r mut (dyn Read + Send),
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    eof: bool,
}

impl Utf8Source<'_> {
    /// Appends about `want` more bytes of UTF-8 text to `out`; returns whether the input ended.
    fn fill(&mut self, out: &mut Vec<u8>, want: usize) -> io::Result<bool> {
        if self.eof {
            return Ok(true);
        }
        match &mut self.decoder {
            None => {
                let got = read_up_to(self.input, out, want)?;
                if got < want {
                    self.eof = true;
                }
            }
            Some(decoder) => {
                self.raw.clear();
                let got = read_up_to(self.input, &mut self.raw, want)?;
                let last = got < want;
                decode_into(decoder, &self.raw, out, last);
                self.eof = last;
            }
        }
        Ok(self.eof)
    }
}

/// Reads until `want` bytes were appended or the input ended; returns the count appended.
fn read_up_to(input: &mut (dyn Read + Send), out: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    let start = out.len();
    out.resize(start + want, 0);
    let mut filled = 0;
    while filled < want {
        match input.read(&mut out[start + filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                out.truncate(start + filled);
                return Err(e);
            }
        }
    }
    out.truncate(start + filled);
    Ok(filled)
}

fn decode_into(decoder: &mut encoding_rs::Decoder, raw: &[u8], out: &mut Vec<u8>, last: bool) {
    let mut src = raw;
    loop {
        let need = decoder
            .max_utf8_buffer_length(src.len())
            .unwrap_or(src.len() * 3 + 16);
        let start = out.len();
        out.resize(start + need, 0);
        let (result, read, written, _had_errors) =
            decoder.decode_to_utf8(src, &mut out[start..], last);
        out.truncate(start + written);
        src = &src[read..];
        if result == encoding_rs::CoderResult::InputEmpty {
            break;
        }
    }
}

pub(crate) struct CsvOptions {
    pub block_bytes: usize,
    pub chunk_bytes: usize,
    /// Length of the text when known (an uncompressed file), to size the duplicate sets.
    pub total_bytes: Option<u64>,
}

/// Reads a CSV stream (already decompressed) through `stage`.
pub(crate) fn read_csv(
    input: &mut (dyn Read + Send),
    validator_for: &dyn Fn(HeaderMap) -> Validator,
    kind: crate::field::RecordKind,
    opts: &CsvOptions,
    stage: &mut Stage<'_>,
    progress: &dyn Fn() -> u64,
) -> Result<CsvInfo, IngestError> {
    let io_err = |e: io::Error| IngestError::Io(e);
    let mut head = Vec::new();
    let got = read_up_to(input, &mut head, encoding::SAMPLE_LEN).map_err(io_err)?;
    let complete = got < encoding::SAMPLE_LEN;
    let detected = encoding::detect(&head, complete);
    let utf8 = detected.is_utf8();
    let mut pending = Vec::with_capacity(opts.block_bytes * 2);
    let mut source = Utf8Source {
        input,
        decoder: None,
        raw: Vec::new(),
        eof: complete,
    };
    if utf8 {
        pending.extend_from_slice(&head[detected.bom_len..]);
    } else {
        let mut decoder = detected.encoding.new_decoder_with_bom_removal();
        decode_into(&mut decoder, &head, &mut pending, complete);
        source.decoder = Some(decoder);
    }
    drop(head);

    // The header row (fill until it is complete).
    let mut spans: Vec<FieldSpan> = Vec::new();
    let (header, data_start, header_lines) = loop {
        let eof = source.eof;
        let mut p = RowParser::new(&pending);
        match p.next_row(&mut spans) {
            Some(row)
                if eof
                    || (!row.unterminated
                        && p.position() <= pending.len()
                        && ends_line(&pending, p.position())) =>
            {
                let names: Vec<String> = spans
                    .iter()
                    .map(|s| String::from_utf8_lossy(&s.bytes(&pending)).into_owned())
                    .collect();
                let _ = row;
                break (names, p.position(), p.lines());
            }
            None if eof => return Err(IngestError::HeaderAbsent),
            _ => {
                if pending.len() > MAX_ROW_BYTES {
                    return Err(IngestError::HeaderAbsent);
                }
                source
                    .fill(&mut pending, opts.block_bytes)
                    .map_err(io_err)?;
            }
        }
    };
    let header_map = HeaderMap::new(kind, &header)?;
    let ignored_columns = header_map.ignored().to_vec();
    let validator = validator_for(header_map);
    pending.drain(..data_start);
    // Lines before the current block (the header's and any blank lines before it).
    let mut line_base = header_lines;

    // Top up to a full block before the first parse.
    if pending.len() < opts.block_bytes {
        let want = opts.block_bytes - pending.len();
        source.fill(&mut pending, want).map_err(io_err)?;
    }
    // The text of the current block is `pending[start..]`. The next block is read into `next`
    // behind `CARRY_ROOM` spare bytes, where the current block's unfinished last row is copied
    // once parsing is done: the buffers then swap, so a block's bytes are never copied again.
    let mut start = 0;
    let mut next = Vec::with_capacity(CARRY_ROOM + opts.block_bytes);
    let mut size_hint = opts.total_bytes;
    loop {
        let eof = source.eof;
        let text = &pending[start..];
        // Parse this block while the next one is read (and decoded) on another worker.
        let (block, read) = rayon::join(
            || parse_block(text, eof, line_base, &validator, utf8, opts.chunk_bytes),
            || {
                next.clear();
                next.resize(CARRY_ROOM, 0);
                source.fill(&mut next, opts.block_bytes)
            },
        );
        read.map_err(io_err)?;
        line_base += block.lines;
        let consumed = block.consumed;
        if let (Some(total), true) = (size_hint.take(), consumed > 0) {
            // Rows of the whole file, extrapolated from this first block's rows per byte.
            let rows: usize = block.parts.iter().map(|p| p.keys.len()).sum();
            stage.expect_rows(rows as u64 * total / consumed as u64);
        }
        stage.push(block.parts)?;
        let carry = &pending[start + consumed..];
        if carry.len() <= CARRY_ROOM {
            start = CARRY_ROOM - carry.len();
            next[start..CARRY_ROOM].copy_from_slice(carry);
        } else {
            // A row longer than the spare room (a huge quoted field): join by copying.
            let mut joined = Vec::with_capacity(carry.len() + next.len() - CARRY_ROOM);
            joined.extend_from_slice(carry);
            joined.extend_from_slice(&next[CARRY_ROOM..]);
            next = joined;
            start = 0;
        }
        std::mem::swap(&mut pending, &mut next);
        stage.progress(progress());
        if eof && pending.len() == start {
            break;
        }
    }
    Ok(CsvInfo {
        encoding: detected,
        ignored_columns,
    })
}

/// Whether `pos` is just after a line end (or at the end of a complete row).
pub(crate) fn ends_line(buf: &[u8], pos: usize) -> bool {
    pos > 0 && buf[pos - 1] == b'\n'
}

#[derive(Default)]
pub(crate) struct BlockOut<'a> {
    pub parts: Vec<Part<'a>>,
    /// Bytes of the block fully handled (the rest is an incomplete row).
    pub consumed: usize,
    /// Physical lines in the consumed part.
    pub lines: u64,
}

/// Parses and validates one block; `line_base` is the number of lines before it.
pub(crate) fn parse_block<'a>(
    buf: &'a [u8],
    eof: bool,
    line_base: u64,
    validator: &Validator,
    utf8: bool,
    chunk_bytes: usize,
) -> BlockOut<'a> {
    // Chunks of about `chunk_bytes`: many per worker, so a slow chunk does not leave the others
    // idle, and each chunk's part stays within one batch (a larger part is split by copying).
    let parts = (buf.len() / chunk_bytes.max(1)).max(1);
    let cuts = cut_points(buf, parts);
    let n = cuts.len() - 1;
    // Physical lines are newlines, inside quotes or not, so the line each chunk starts on is
    // known before any chunk is parsed (a SIMD count is far cheaper than renumbering records).
    let newlines: Vec<u64> = (0..n)
        .into_par_iter()
        .map(|i| bytecount::count(&buf[cuts[i]..cuts[i + 1]], b'\n') as u64)
        .collect();
    let first_lines: Vec<u64> = newlines
        .iter()
        .scan(line_base + 1, |line, &count| {
            let first = *line;
            *line += count;
            Some(first)
        })
        .collect();
    let mut outs: Vec<Option<ChunkOut<'a>>> = (0..n)
        .into_par_iter()
        .map(|i| {
            Some(parse_chunk(
                &buf[cuts[i]..cuts[i + 1]],
                first_lines[i],
                i + 1 == n,
                eof,
                validator,
                utf8,
            ))
        })
        .collect();

    let mut block = BlockOut {
        parts: Vec::with_capacity(n),
        consumed: 0,
        lines: 0,
    };
    let mut i = 0;
    while i < n {
        let mut out = outs[i].take().unwrap_or_default();
        let mut j = i;
        // A chunk that ended inside a quoted field: parse it again joined with the next.
        while !out.clean && j + 1 < n {
            j += 1;
            out = parse_chunk(
                &buf[cuts[i]..cuts[j + 1]],
                first_lines[i],
                j + 1 == n,
                eof,
                validator,
                utf8,
            );
        }
        block.lines += out.lines;
        block.consumed = cuts[i] + out.consumed;
        block.parts.push(out.part);
        i = j + 1;
    }
    block
}

#[derive(Default)]
struct ChunkOut<'a> {
    part: Part<'a>,
    /// False when the chunk ended inside a quoted field (it must be joined with the next).
    clean: bool,
    consumed: usize,
    lines: u64,
}

/// Parses and validates one chunk that starts on physical line `first_line` of the file
/// (1-based); `lines` in the output counts the lines it consumed.
fn parse_chunk<'a>(
    buf: &'a [u8],
    first_line: u64,
    last: bool,
    eof: bool,
    validator: &Validator,
    utf8: bool,
) -> ChunkOut<'a> {
    let mut out = ChunkOut {
        part: Part::with_capacity(buf.len() / 64),
        clean: true,
        consumed: buf.len(),
        lines: 0,
    };
    let width = validator.header().width();
    let mapped = validator.mapped();
    let columns = validator.columns();
    // One (SIMD) UTF-8 check for the whole chunk; fields are then sliced out of the `str` (an
    // O(1) boundary check each). Only a chunk with invalid bytes checks field by field.
    let text = simdutf8::basic::from_utf8(buf).ok();
    // A valid chunk of a UTF-8 file: its fields need no further check (a decoded chunk of
    // another encoding may hold U+FFFD for bytes it could not decode).
    let plain_text = text.filter(|_| utf8);
    let mut p = RowParser::at_line(buf, first_line);
    let mut spans: Vec<FieldSpan> = Vec::with_capacity(width + 4);
    let mut values = Values::new();
    while let Some(row) = p.next_row(&mut spans) {
        if row.unterminated {
            if !last {
                out.clean = false;
                return out;
            }
            if !eof && row.end - row.start < MAX_ROW_BYTES {
                out.consumed = row.start;
                out.lines = row.line - first_line;
                return out;
            }
            // A quote that is never closed: quarantine the row's first line, resume after it.
            let nl = buf[row.start..].iter().position(|&b| b == b'\n');
            let line_end = nl.map_or(buf.len(), |o| row.start + o);
            let raw = trim_cr(&buf[row.start..line_end]);
            out.part.quarantine.push(QuarantineEntry::new(
                row.line,
                None,
                reason::UNTERMINATED_QUOTE,
                String::from_utf8_lossy(raw),
            ));
            p.resume(line_end + 1, row.line + 1);
            continue;
        }
        if last && !eof && !ends_line(buf, p.position()) {
            // The block ends inside this row: carry it into the next block.
            out.consumed = row.start;
            out.lines = row.line - first_line;
            return out;
        }
        let raw = &buf[row.start..row.end];
        let reject = |out: &mut ChunkOut<'a>, column, why: &'static str| {
            out.part.quarantine.push(QuarantineEntry::new(
                row.line,
                column,
                why,
                String::from_utf8_lossy(raw),
            ));
        };
        if spans.len() != width {
            reject(&mut out, None, reason::WRONG_FIELD_COUNT);
            continue;
        }
        let part = &mut out.part;
        // The common case: a row of plain fields in a valid UTF-8 chunk, validated in place.
        if let (Some(t), false) = (plain_text, row.escaped) {
            // SAFETY: `spans` were just read by `p` from `buf`, whose text `t` is.
            let mut values = unsafe { SpanValues::new(t, &spans, columns) };
            let validated = validator.validate_with(row.line, &mut values, |record, key| {
                part.accept_borrowed(record, key, raw)
            });
            if let Err(rejection) = validated {
                reject(&mut out, rejection.column, rejection.reason);
            }
            continue;
        }
        // No `values.clear()`: the loop below sets every mapped field of every row (a row it
        // leaves early is rejected, and the next row sets them all again), and the others are
        // never set.
        let mut bad_encoding = None;
        for &(field, col) in mapped {
            let span = spans[col];
            // A plain field of a valid UTF-8 chunk, borrowed as it is.
            if let (Some(t), false) = (plain_text, span.escaped) {
                // SAFETY: `span` was read by `p` from `buf`, whose text `t` is.
                values.set_str(field, unsafe { span.str_in(t) });
                continue;
            }
            // A valid chunk decoded from another encoding: U+FFFD marks bytes it could not
            // decode.
            if let (Some(t), false) = (text, span.escaped) {
                if let Some(v) = t.get(span.start..span.end) {
                    if !v.contains('\u{FFFD}') {
                        values.set_str(field, v);
                        continue;
                    }
                }
            }
            let value = match (text, span.escaped) {
                (Some(t), false) => t.get(span.start..span.end).map(Cow::Borrowed),
                _ => match span.bytes(buf) {
                    Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(Cow::Borrowed),
                    Cow::Owned(v) => String::from_utf8(v).ok().map(Cow::Owned),
                },
            };
            match value {
                Some(t) if utf8 || !t.contains('\u{FFFD}') => values.set(field, t),
                _ => {
                    bad_encoding = Some(field);
                    break;
                }
            }
        }
        if let Some(field) = bad_encoding {
            reject(&mut out, Some(field), reason::ENCODING_ERROR);
            continue;
        }
        let part = &mut out.part;
        let validated = validator.validate_with(row.line, &mut values, |record, key| {
            part.accept(record, key, raw)
        });
        if let Err(rejection) = validated {
            reject(&mut out, rejection.column, rejection.reason);
        }
    }
    out.lines = p.lines() - first_line;
    out
}

fn trim_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}
