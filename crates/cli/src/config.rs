//! One configuration: `fanzha.toml` (or `--config FILE`) overlaid by `FANZHA_*` environment
//! variables, overlaid by command-line flags.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the SQLite database, snapshots and archives live.
    pub data_dir: PathBuf,
    /// `sqlite://…` (default: `<data_dir>/fanzha.db`) or `postgres://…`.
    pub database_url: Option<String>,
    /// Folder holding the evaluation data sets (sichuan, fraud_texts, transfers …).
    pub data_root: PathBuf,
    /// `tracing` filter, e.g. `info` or `fanzha_store=debug`.
    pub log: String,
    /// A 综合考核 scheme replacing the compiled-in one (docs/assessment.md);
    /// `FANZHA_ASSESSMENT_FILE` in the environment.
    pub assessment_file: Option<PathBuf>,
    /// The NATS server holding the signal stream (`nats://host:4222`; `FANZHA_NATS_URL`): what
    /// `serve` and `worker` detect on and `signals publish` writes to.
    pub nats_url: Option<String>,
    /// The JetStream stream of signals (`FANZHA_SIGNAL_STREAM`; default `FANZHA_SIGNALS`).
    pub signal_stream: Option<String>,
    /// Where the signal archive is written (`FANZHA_ARCHIVE_DIR`; default `<data_dir>/archive`):
    /// one folder per stream, one per day (docs/archive.md).
    pub archive_dir: Option<PathBuf>,
    /// Archived days older than this many days are deleted (`FANZHA_ARCHIVE_KEEP_DAYS`; default:
    /// kept until removed by hand).
    pub archive_keep_days: Option<u32>,
    /// The anti-fraud hotline the platform names in SMS, talking points, pages and briefs
    /// (`FANZHA_HOTLINE`; default the national 96110; e.g. a provincial 96086): see
    /// `fanzha_core::hotline`.
    #[serde(deserialize_with = "digits_as_text")]
    pub hotline: Option<String>,
    /// The address residents reach the public quiz pages at (`FANZHA_PUBLIC_URL`, e.g.
    /// `https://fz.example.gov.cn`): the links and QR codes of quiz campaigns name it. Default:
    /// the address a page was requested at.
    pub public_url: Option<String>,
}

/// A number written bare (`hotline = 96086`, or `FANZHA_HOTLINE=96086`, which the environment
/// provider reads as an integer) is taken as its text.
fn digits_as_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(u64),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|r| match r {
        Raw::Text(s) => s,
        Raw::Number(n) => n.to_string(),
    }))
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("fanzha-data"),
            database_url: None,
            data_root: PathBuf::from("../shared/data"),
            log: "info".into(),
            assessment_file: None,
            nats_url: None,
            signal_stream: None,
            archive_dir: None,
            archive_keep_days: None,
            hotline: None,
            public_url: None,
        }
    }
}

impl Config {
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let file = file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("fanzha.toml"));
        fig = fig.merge(Toml::file(file));
        fig.merge(Env::prefixed("FANZHA_"))
            .extract()
            .map_err(Box::new)
    }

    /// The signal bus in effect: `url` (a flag) or the configured `nats_url`; `None` when
    /// neither is set.
    pub fn bus(&self, url: Option<&str>, stream: Option<&str>) -> Option<fanzha_bus::BusConfig> {
        let url = url.map(str::to_string).or_else(|| self.nats_url.clone())?;
        Some(
            match stream
                .map(str::to_string)
                .or_else(|| self.signal_stream.clone())
            {
                Some(s) => fanzha_bus::BusConfig::with_stream(url, &s),
                None => fanzha_bus::BusConfig::new(url),
            },
        )
    }

    /// Makes the configured hotline this process's ([`fanzha_core::hotline::configure`]);
    /// a value that is not a number is refused with what to write instead.
    pub fn apply_hotline(&self) -> Result<(), fanzha_core::hotline::HotlineError> {
        match &self.hotline {
            Some(raw) => {
                fanzha_core::hotline::configure(fanzha_core::hotline::Hotline::parse(raw)?)
            }
            None => Ok(()),
        }
    }

    /// The signal archive's directory in effect.
    pub fn archive_dir(&self) -> PathBuf {
        self.archive_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("archive"))
    }

    /// The database URL in effect: the configured one, or the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("fanzha.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_the_database_into_the_data_dir() {
        let c = Config {
            data_dir: "/tmp/x".into(),
            ..Config::default()
        };
        assert_eq!(c.database_url(), "sqlite:///tmp/x/fanzha.db?mode=rwc");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's own test harness returns its large error
    fn environment_overrides_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("fanzha.toml", "data_dir = \"from-file\"\nlog = \"debug\"")?;
            jail.set_env("FANZHA_DATA_DIR", "from-env");
            let c = Config::load(None).map_err(|e| *e)?;
            assert_eq!(c.data_dir, PathBuf::from("from-env"));
            assert_eq!(c.log, "debug");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's own test harness returns its large error
    fn the_hotline_comes_from_the_file_or_the_environment() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(Config::load(None).map_err(|e| *e)?.hotline, None);
            jail.create_file("fanzha.toml", "hotline = \"96086\"")?;
            assert_eq!(
                Config::load(None).map_err(|e| *e)?.hotline.as_deref(),
                Some("96086")
            );
            jail.set_env("FANZHA_HOTLINE", "96086");
            assert_eq!(
                Config::load(None).map_err(|e| *e)?.hotline.as_deref(),
                Some("96086")
            );
            jail.set_env("FANZHA_HOTLINE", "0574-96110");
            assert_eq!(
                Config::load(None).map_err(|e| *e)?.hotline.as_deref(),
                Some("0574-96110")
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's own test harness returns its large error
    fn the_assessment_scheme_file_comes_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(Config::load(None).map_err(|e| *e)?.assessment_file, None);
            jail.set_env("FANZHA_ASSESSMENT_FILE", "考核.toml");
            let c = Config::load(None).map_err(|e| *e)?;
            assert_eq!(c.assessment_file, Some(PathBuf::from("考核.toml")));
            Ok(())
        });
    }
}
