//! The open feed files of one run.

use super::parquet::ParquetFile;
use crate::error::SimError;
use crate::format::{encode_signal, header, write_signal, Feed, Format};
use fanzha_core::event::Signal;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One file per feed: text rows are encoded into a scratch buffer and copied into a buffered
/// writer; Parquet rows go into column buffers written out a row group at a time.
pub struct FeedFiles {
    files: Files,
    scratch: Vec<u8>,
    /// Rows written per feed (index = `Feed::index`).
    pub rows: [u64; 8],
    /// Bytes of text rows encoded (CSV and NDJSON; Parquet files are compressed, see the
    /// files' sizes instead).
    pub bytes: u64,
}

enum Files {
    Text(Format, Vec<(PathBuf, BufWriter<File>)>),
    Parquet(Vec<ParquetFile>),
}

impl FeedFiles {
    pub fn create(dir: &Path, format: Format) -> Result<FeedFiles, SimError> {
        std::fs::create_dir_all(dir).map_err(|source| SimError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut scratch = Vec::with_capacity(256);
        let path_of = |feed: Feed| dir.join(format!("{}.{}", feed.stem(), format.extension()));
        let files = if format == Format::Parquet {
            let files = Feed::ALL
                .iter()
                .map(|&feed| ParquetFile::create(&path_of(feed), feed.columns(), feed.kinds()))
                .collect::<Result<Vec<_>, _>>()?;
            Files::Parquet(files)
        } else {
            let mut files = Vec::new();
            for feed in Feed::ALL {
                let path = path_of(feed);
                let f = File::create(&path).map_err(|source| SimError::Write {
                    path: path.clone(),
                    source,
                })?;
                let mut w = BufWriter::with_capacity(1 << 20, f);
                scratch.clear();
                header(&mut scratch, format, feed.columns());
                w.write_all(&scratch).map_err(|source| SimError::Write {
                    path: path.clone(),
                    source,
                })?;
                files.push((path, w));
            }
            Files::Text(format, files)
        };
        Ok(FeedFiles {
            files,
            scratch,
            rows: [0; 8],
            bytes: 0,
        })
    }

    pub fn write(&mut self, signal: &Signal) -> Result<(), SimError> {
        let feed = Feed::of(signal).index();
        match &mut self.files {
            Files::Text(format, files) => {
                self.scratch.clear();
                encode_signal(&mut self.scratch, *format, signal, false);
                let (path, w) = &mut files[feed];
                w.write_all(&self.scratch)
                    .map_err(|source| SimError::Write {
                        path: path.clone(),
                        source,
                    })?;
                self.bytes += self.scratch.len() as u64;
            }
            Files::Parquet(files) => files[feed].write(|row| write_signal(row, signal))?,
        }
        self.rows[feed] += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<(), SimError> {
        match self.files {
            Files::Text(_, mut files) => {
                for (path, w) in files.iter_mut() {
                    w.flush().map_err(|source| SimError::Write {
                        path: path.clone(),
                        source,
                    })?;
                }
            }
            Files::Parquet(files) => {
                for f in files {
                    f.finish()?;
                }
            }
        }
        Ok(())
    }
}
