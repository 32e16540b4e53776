//! The synthetic city's integration tests, as one test binary: a generated city and its feeds
//! (CSV and Parquet), their format, and properties over random seeds.

mod city;
mod feed_format;
mod parquet;
mod properties;
