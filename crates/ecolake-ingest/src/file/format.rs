//! The formats [`super::read_file`] reads, by name (`--format`) or by the file's extension.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::ImportError;

/// The format of an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// Long CSV with the observation columns, optionally gzip-compressed.
    Csv,
    /// Parquet with the observation columns.
    Parquet,
    /// The UCI "Beijing Multi-Site Air-Quality" (PRSA) wide CSV, optionally gzip-compressed:
    /// `No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station`,
    /// one row per station-hour, local time ([`ImportOptions::tz`], Beijing UTC+8 by default),
    /// `hour` labelling the start of the hour (see [`HourLabel`]).
    ///
    /// Every non-missing cell becomes one `hour` row: `site` is the national station code
    /// from the station list ([`ImportOptions::stations`]: columns `stationcode` and
    /// `prsa_station`), `source` is `import:<file name>`, values are converted to the
    /// canonical ambient-air unit of the factor:
    ///
    /// | column | factor | unit in file → stored |
    /// |---|---|---|
    /// | PM2.5 | `a34004` | µg/m³ |
    /// | PM10 | `a34002` | µg/m³ |
    /// | SO2 | `a21026` | µg/m³ |
    /// | NO2 | `a21004` | µg/m³ |
    /// | CO | `a21005` | µg/m³ → mg/m³ (÷ 1000) |
    /// | O3 | `a05024` | µg/m³ |
    /// | TEMP | `a01001` | °C |
    /// | PRES | `a01006` | hPa → kPa (÷ 10) |
    /// | DEWP | `x01001` (dew point, ecolake extension) | °C |
    /// | RAIN | `x01002` (precipitation, ecolake extension) | mm |
    /// | wd | `a01008` | 16-point compass (`N`, `NNE` … `NNW`) → degrees (0, 22.5 … 337.5) |
    /// | WSPM | `a01007` | m/s |
    ///
    /// `NA` (or an empty cell) is a missing value: that value is skipped, not the row. A
    /// value that does not parse (or a compass point not in the list) is rejected on its
    /// own, naming the column and value; a row whose time or station is bad (a station not in
    /// the list) is rejected whole. `No` is ignored; other unknown columns are warned about.
    ///
    /// [`ImportOptions::tz`]: super::ImportOptions::tz
    /// [`ImportOptions::stations`]: super::ImportOptions::stations
    /// [`HourLabel`]: super::HourLabel
    Prsa,
    /// JSON observations: an array of objects, or one object per line (NDJSON), with the
    /// columns of the long formats as keys. `time` is text (as in CSV) or a number of
    /// milliseconds since the epoch; values are numbers (or numeric text); unknown keys are
    /// warned about once. In an array, the "line" of a rejected row is its 1-based position;
    /// in NDJSON, its line (a line that is not JSON is rejected on its own).
    Json,
}

impl FileFormat {
    /// The format's name (`csv`, `parquet`, `prsa`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Prsa => "prsa",
            FileFormat::Json => "json",
        }
    }

    /// The format by the file's extension (ASCII case ignored): `.csv` and `.csv.gz` are
    /// [`FileFormat::Csv`], `.parquet` is [`FileFormat::Parquet`]. PRSA files are CSV files
    /// too and are never detected: ask for [`FileFormat::Prsa`].
    pub fn detect(path: &Path) -> Option<FileFormat> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".csv") || name.ends_with(".csv.gz") {
            Some(FileFormat::Csv)
        } else if name.ends_with(".parquet") {
            Some(FileFormat::Parquet)
        } else if name.ends_with(".json") || name.ends_with(".ndjson") {
            Some(FileFormat::Json)
        } else {
            None
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FileFormat {
    type Err = ImportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(FileFormat::Csv),
            "parquet" => Ok(FileFormat::Parquet),
            "prsa" => Ok(FileFormat::Prsa),
            "json" => Ok(FileFormat::Json),
            _ => Err(ImportError::InvalidOption {
                option: "format",
                value: s.to_owned(),
                expected: "csv, parquet, prsa, json",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_extension() {
        for f in [FileFormat::Csv, FileFormat::Parquet, FileFormat::Prsa] {
            assert_eq!(f.as_str().parse::<FileFormat>().unwrap(), f);
            assert_eq!(f.to_string(), f.as_str());
        }
        assert!(matches!(
            "xlsx".parse::<FileFormat>(),
            Err(ImportError::InvalidOption { value, .. }) if value == "xlsx"
        ));
        let d = |p: &str| FileFormat::detect(Path::new(p));
        assert_eq!(d("a/b.csv"), Some(FileFormat::Csv));
        assert_eq!(d("B.CSV.GZ"), Some(FileFormat::Csv));
        assert_eq!(d("x.parquet"), Some(FileFormat::Parquet));
        assert_eq!(d("x.gz"), None);
        assert_eq!(d("x.txt"), None);
        assert_eq!(
            d("PRSA_Data_Dongsi_20130301-20170228.csv.gz"),
            Some(FileFormat::Csv)
        );
    }
}
