//! The readers' integration tests, as one test binary: real files (CSV in UTF-8 and GBK, XLSX,
//! NDJSON) through `import_file`, their rows validated, quarantined and counted.

mod common;

mod csv_files;
mod other_formats;
mod robustness;
