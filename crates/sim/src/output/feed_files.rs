//! The open feed files of one run.

use crate::error::SimError;
use crate::format::{encode_signal, header, Feed, Format};
use fanzha_core::event::Signal;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One buffered file per feed; rows are encoded into a scratch buffer and copied in.
pub struct FeedFiles {
    format: Format,
    files: Vec<(PathBuf, BufWriter<File>)>,
    scratch: Vec<u8>,
    /// Rows written per feed (index = `Feed::index`).
    pub rows: [u64; 8],
    pub bytes: u64,
}

impl FeedFiles {
    pub fn create(dir: &Path, format: Format) -> Result<FeedFiles, SimError> {
        std::fs::create_dir_all(dir).map_err(|source| SimError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        let mut scratch = Vec::with_capacity(256);
        for feed in Feed::ALL {
            let path = dir.join(format!("{}.{}", feed.stem(), format.extension()));
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
        Ok(FeedFiles {
            format,
            files,
            scratch,
            rows: [0; 8],
            bytes: 0,
        })
    }

    pub fn write(&mut self, signal: &Signal) -> Result<(), SimError> {
        let feed = Feed::of(signal).index();
        self.scratch.clear();
        encode_signal(&mut self.scratch, self.format, signal, false);
        let (path, w) = &mut self.files[feed];
        w.write_all(&self.scratch)
            .map_err(|source| SimError::Write {
                path: path.clone(),
                source,
            })?;
        self.rows[feed] += 1;
        self.bytes += self.scratch.len() as u64;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), SimError> {
        for (path, w) in self.files.iter_mut() {
            w.flush().map_err(|source| SimError::Write {
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}
