//! The entry point: a file path in, validated batches out to a [`Sink`], an [`ImportSummary`]
//! back.

use crate::batch::Sink;
use crate::csv_reader::{read_csv, CsvOptions};
use crate::error::IngestError;
use crate::field::RecordKind;
use crate::file_hash::ContentHasher;
use crate::format::Format;
use crate::stage::Stage;
use crate::summary::ImportSummary;
use crate::validate::Validator;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// How to read a file.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub kind: RecordKind,
    /// `None`: from the file name.
    pub format: Option<Format>,
    /// Most records handed to the sink at once.
    pub batch_rows: usize,
    /// Bytes of text parsed per block (CSV); bounds memory whatever the file's size.
    pub block_bytes: usize,
    /// Target bytes per parallel chunk of a block (CSV).
    pub chunk_bytes: usize,
    /// A plain UTF-8 CSV file at least this long is memory-mapped and parsed in place instead
    /// of being streamed through a buffer (`u64::MAX`: always stream).
    pub map_min_bytes: u64,
}

impl ImportOptions {
    pub fn new(kind: RecordKind) -> Self {
        ImportOptions {
            kind,
            format: None,
            batch_rows: 10_000,
            block_bytes: 8 << 20,
            chunk_bytes: 256 << 10,
            map_min_bytes: 1 << 20,
        }
    }
}

/// Reads, validates and hands over a file. Row-level problems go to the quarantine (in the
/// batches); only a file that cannot be read at all is an error.
pub fn import_file(
    path: &Path,
    opts: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<ImportSummary, IngestError> {
    let started = Instant::now();
    let format = match opts.format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    let unreadable = |source| IngestError::FileUnreadable {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(unreadable)?;
    let file_len = file.metadata().ok().map(|m| m.len());
    if format == Format::Csv && file_len.is_some_and(|n| n >= opts.map_min_bytes) {
        if let Some(summary) = import_mapped(&file, opts, sink, started)? {
            return Ok(summary);
        }
    }
    let mut hashed = HashingReader::new(file);
    let counter = hashed.counter.clone();
    let progress = move || counter.load(Ordering::Relaxed);
    let mut stage = Stage::new(sink, opts.batch_rows);
    let mut gzip = false;
    let mut encoding = String::from("UTF-8");
    let ignored = match format {
        Format::Xlsx => {
            let mut bytes = Vec::new();
            hashed.read_to_end(&mut bytes).map_err(unreadable)?;
            crate::xlsx::read_xlsx(path, bytes, opts.kind, opts.batch_rows, &mut stage)?
        }
        Format::Csv | Format::Ndjson => {
            let mut buffered = BufReader::with_capacity(1 << 20, &mut hashed);
            gzip = buffered
                .fill_buf()
                .map_err(unreadable)?
                .starts_with(&[0x1f, 0x8b]);
            let mut input: Box<dyn BufRead + Send + '_> = if gzip {
                Box::new(BufReader::with_capacity(
                    1 << 20,
                    flate2::bufread::MultiGzDecoder::new(buffered),
                ))
            } else {
                Box::new(buffered)
            };
            if format == Format::Csv {
                let info = read_csv(
                    &mut input,
                    &Validator::new,
                    opts.kind,
                    &CsvOptions {
                        block_bytes: opts.block_bytes,
                        chunk_bytes: opts.chunk_bytes,
                        total_bytes: file_len.filter(|_| !gzip),
                    },
                    &mut stage,
                    &progress,
                )?;
                encoding = info.encoding.name().to_string();
                info.ignored_columns
            } else {
                crate::ndjson::read_ndjson(
                    &mut input,
                    opts.kind,
                    opts.batch_rows,
                    &mut stage,
                    &progress,
                )?
            }
        }
    };
    // Whatever the reader left unread (e.g. bytes after a gzip stream) still counts in the hash.
    std::io::copy(&mut hashed, &mut std::io::sink()).map_err(unreadable)?;
    Ok(ImportSummary {
        kind: opts.kind,
        format,
        encoding,
        gzip,
        content_hash: hashed.hex_digest(),
        bytes: hashed.counter.load(Ordering::Relaxed),
        read: stage.read,
        accepted: stage.accepted,
        quarantined: stage.quarantined,
        by_reason: std::mem::take(&mut stage.by_reason),
        ignored_columns: ignored,
        elapsed: started.elapsed(),
    })
}

/// Imports a plain UTF-8 CSV file by mapping it into memory; `None` when the file is not one
/// (compressed, another encoding, or it cannot be mapped), for the streaming reader to take.
fn import_mapped(
    file: &File,
    opts: &ImportOptions,
    sink: &mut dyn Sink,
    started: Instant,
) -> Result<Option<ImportSummary>, IngestError> {
    // SAFETY: the map is read-only and private to this call. Another process truncating the
    // file while it is read would fault the reads (SIGBUS), the risk every mapping reader
    // (ripgrep, databases) takes for reading in place; files being imported are not written.
    let Ok(map) = (unsafe { memmap2::Mmap::map(file) }) else {
        return Ok(None);
    };
    // Read front to back: ask the kernel to read ahead aggressively.
    let _ = map.advise(memmap2::Advice::Sequential);
    if map.starts_with(&[0x1f, 0x8b]) {
        return Ok(None);
    }
    let Some(detected) = crate::csv_mapped::utf8_encoding(&map) else {
        return Ok(None);
    };
    let mut stage = Stage::on_calling_thread(sink, opts.batch_rows);
    let mut hasher = ContentHasher::new();
    let info = crate::csv_mapped::read_csv_mapped(
        &map,
        detected,
        &Validator::new,
        opts.kind,
        &CsvOptions {
            block_bytes: opts.block_bytes,
            chunk_bytes: opts.chunk_bytes,
            total_bytes: Some(map.len() as u64),
        },
        &mut stage,
        &mut hasher,
    )?;
    Ok(Some(ImportSummary {
        kind: opts.kind,
        format: Format::Csv,
        encoding: info.encoding.name().to_string(),
        gzip: false,
        content_hash: hasher.hex_digest(),
        bytes: map.len() as u64,
        read: stage.read,
        accepted: stage.accepted,
        quarantined: stage.quarantined,
        by_reason: std::mem::take(&mut stage.by_reason),
        ignored_columns: info.ignored_columns,
        elapsed: started.elapsed(),
    }))
}

/// The content hash of a file (the same digest as [`ImportSummary::content_hash`]), to find out
/// whether it was imported before without reading its records.
pub fn content_hash(path: &Path) -> Result<String, IngestError> {
    let file = File::open(path).map_err(|source| IngestError::FileUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let mut hashed = HashingReader::new(file);
    std::io::copy(&mut hashed, &mut std::io::sink()).map_err(|source| {
        IngestError::FileUnreadable {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok(hashed.hex_digest())
}

/// Hashes and counts the bytes read through it.
struct HashingReader<R> {
    inner: R,
    hasher: ContentHasher,
    counter: Arc<AtomicU64>,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: ContentHasher::new(),
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    fn hex_digest(&self) -> String {
        self.hasher.hex_digest()
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
