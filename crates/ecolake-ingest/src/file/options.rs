//! How to read a file: [`ImportOptions`] and the [`HourLabel`] convention of its periods.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use super::FileFormat;
use crate::ImportError;

/// Whether a file labels a `min`, `hour` or `day` period by its start or its end (see the
/// module documentation, ["Period labels"](super#period-labels)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HourLabel {
    /// The label is the start of the period (what ecolake stores). The default.
    #[default]
    Start,
    /// The label is the end of the period: rows are moved back by one period.
    End,
}

impl HourLabel {
    /// The name (`start`, `end`).
    pub fn as_str(self) -> &'static str {
        match self {
            HourLabel::Start => "start",
            HourLabel::End => "end",
        }
    }
}

impl fmt::Display for HourLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HourLabel {
    type Err = ImportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "start" => Ok(HourLabel::Start),
            "end" => Ok(HourLabel::End),
            _ => Err(ImportError::InvalidOption {
                option: "hour label",
                value: s.to_owned(),
                expected: "start, end",
            }),
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The format; `None`: by the file name ([`FileFormat::detect`]).
    pub format: Option<FileFormat>,
    /// The time zone of local times. Default `Asia/Shanghai` (UTC+8, no daylight saving
    /// since 1992).
    pub tz: chrono_tz::Tz,
    /// Whether `min`/`hour`/`day` labels are period starts or ends. Default
    /// [`HourLabel::Start`].
    pub hour_label: HourLabel,
    /// Rows per output batch (at least 1). Default 65,536.
    pub batch_rows: usize,
    /// The PRSA station list; default `beijing_stations.csv` in the data file's folder.
    pub stations: Option<PathBuf>,
    /// The `source` of rows that name none; default `import:<file name>`.
    pub source: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            tz: chrono_tz::Asia::Shanghai,
            hour_label: HourLabel::Start,
            batch_rows: 65_536,
            stations: None,
            source: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_labels_by_name() {
        assert_eq!("start".parse::<HourLabel>().unwrap(), HourLabel::Start);
        assert_eq!("end".parse::<HourLabel>().unwrap(), HourLabel::End);
        assert!("END".parse::<HourLabel>().is_err());
        assert_eq!(HourLabel::default(), HourLabel::Start);
        assert_eq!(HourLabel::End.to_string(), "end");
    }

    #[test]
    fn option_types_fit_a_command_line_parser() {
        // What clap's `ValueParser::new(|s| s.parse::<T>())` needs of the value and the error.
        fn value<T: Clone + Send + Sync + 'static>() {}
        fn error<E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>>() {}
        value::<FileFormat>();
        value::<HourLabel>();
        error::<ImportError>();
    }

    #[test]
    fn default_options() {
        let o = ImportOptions::default();
        assert_eq!(o.tz, chrono_tz::Asia::Shanghai);
        assert_eq!(o.batch_rows, 65_536);
        assert_eq!(
            (o.format, o.hour_label, o.stations),
            (None, HourLabel::Start, None)
        );
    }
}
