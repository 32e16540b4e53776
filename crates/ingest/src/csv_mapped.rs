//! The CSV reader for a plain (uncompressed) UTF-8 file on disk: the file is memory-mapped and
//! parsed in place, so its bytes are never copied into a buffer, and the records of one block go
//! to the sink while the next block is parsed.
//!
//! Blocks, chunks and the handling of rows that span a cut are those of the streaming reader
//! ([`crate::csv_reader`]); the two give identical batches for the same file (a test holds them
//! to that).

use crate::csv_reader::{parse_block, BlockOut, CsvInfo, CsvOptions};
use crate::csv_rows::{FieldSpan, RowParser};
use crate::encoding::{self, Detected};
use crate::error::IngestError;
use crate::field::RecordKind;
use crate::file_hash::ContentHasher;
use crate::header::HeaderMap;
use crate::stage::{Part, Stage};
use crate::validate::Validator;
use crate::MAX_ROW_BYTES;

/// The encoding of a mapped file when it is UTF-8 (the only one this reader takes; others are
/// decoded by the streaming reader).
pub(crate) fn utf8_encoding(file: &[u8]) -> Option<Detected> {
    let sample = &file[..file.len().min(encoding::SAMPLE_LEN)];
    let detected = encoding::detect(sample, file.len() <= encoding::SAMPLE_LEN);
    detected.is_utf8().then_some(detected)
}

/// Reads a whole mapped UTF-8 file through `stage`, hashing its bytes into `hasher` on the way.
pub(crate) fn read_csv_mapped(
    file: &[u8],
    detected: Detected,
    validator_for: &dyn Fn(HeaderMap) -> Validator,
    kind: RecordKind,
    opts: &CsvOptions,
    stage: &mut Stage<'_>,
    hasher: &mut ContentHasher,
) -> Result<CsvInfo, IngestError> {
    let bom = detected.bom_len;
    let text = &file[bom..];

    let mut spans: Vec<FieldSpan> = Vec::new();
    let mut p = RowParser::new(text);
    let header_row = p.next_row(&mut spans).ok_or(IngestError::HeaderAbsent)?;
    // Like the streaming reader, which gives up on a header row it cannot finish within
    // `MAX_ROW_BYTES` of text.
    if header_row.unterminated && text.len() > MAX_ROW_BYTES {
        return Err(IngestError::HeaderAbsent);
    }
    let names: Vec<String> = spans
        .iter()
        .map(|s| String::from_utf8_lossy(&s.bytes(text)).into_owned())
        .collect();
    let header_map = HeaderMap::new(kind, &names)?;
    let ignored_columns = header_map.ignored().to_vec();
    let validator = validator_for(header_map);

    let mut line_base = p.lines();
    let mut pos = p.position();
    let mut hashed = 0;
    let mut previous: Vec<Part<'_>> = Vec::new();
    let mut first = true;
    // Rows expected in the whole file, once the first block tells: the duplicate sets are
    // sized while the next block is parsed (zeroing tens of megabytes is not free).
    let mut expected_rows = None;
    let block_bytes = opts.block_bytes.max(1);
    while pos < text.len() {
        let mut end = (pos + block_bytes).min(text.len());
        let parse = |end: usize| {
            parse_block(
                &text[pos..end],
                end == text.len(),
                line_base,
                &validator,
                true,
                opts.chunk_bytes,
            )
        };
        // Parse this block and hash its bytes on the pool while the previous block's records
        // go to the sink on the calling thread (so the sink needs not be `Send`).
        let mut parsed = BlockOut::default();
        let mut pushed = Ok(());
        let to_hash = &file[hashed..bom + end];
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| parsed = parse(end));
            // On the pool as well: the calling thread's share (the previous block's records)
            // is the larger one already.
            scope.spawn(|_| hasher.update(to_hash));
            if let Some(rows) = expected_rows.take() {
                stage.expect_rows(rows);
            }
            pushed = stage.push(std::mem::take(&mut previous));
        });
        hashed = bom + end;
        pushed?;
        let mut block = parsed;
        // A row longer than the block: widen the block until the row fits.
        while block.consumed == 0 && end < text.len() {
            end = (pos + 2 * (end - pos)).min(text.len());
            block = parse(end);
        }
        if std::mem::take(&mut first) && block.consumed > 0 {
            // Rows of the whole file, extrapolated from this first block's rows per byte.
            let rows: usize = block.parts.iter().map(|p| p.keys.len()).sum();
            expected_rows =
                Some((rows as u64).saturating_mul(text.len() as u64) / block.consumed as u64);
        }
        if block.consumed == 0 {
            // Nothing more can be read (cannot happen at the end of the file, where every byte
            // is consumed; kept so a parser bug can never loop forever).
            previous = block.parts;
            break;
        }
        line_base += block.lines;
        pos += block.consumed;
        previous = block.parts;
        stage.progress((bom + pos) as u64);
    }
    stage.push(previous)?;
    hasher.update(&file[hashed..]);
    Ok(CsvInfo {
        encoding: detected,
        ignored_columns,
    })
}
