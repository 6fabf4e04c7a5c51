//! Published station lists read as sites, one format each (`ecolake registry import --kind
//! sites --format beijing-stations|cnemc FILE`):
//!
//! - `beijing-stations`: the 12 Beijing national stations (`stationcode, prsa_station, name_zh,
//!   lon_cnemc_sitelist_2022, lat_cnemc_sitelist_2022, …, lon_cnemc_api_2017,
//!   lat_cnemc_api_2017, is_background_site`). The CNEMC site-list coordinates are used; the
//!   2017 API ones only where the site list has none. `prsa_station` (the UCI file's station
//!   name) becomes the English name, so PRSA imports and sites join by name as well as by code.
//! - `cnemc`: a CNEMC national real-time snapshot (`timepoint, stationcode, positionname, area,
//!   longitude, latitude, <pollutants>…`, 1,495 stations an hour), one site per station code.
//!
//! Both are ambient-air stations of the national network (`medium = air`, `level = national`).
//! Neither file carries a GB/T 2260 division code (CNEMC's `area` is a city name), so the
//! division stays empty until a division list maps it.

use std::collections::HashMap;

use crate::exchange::{csv_reader, csv_rows, Parsed};
use crate::{RegistryError, Site, SiteMedium};

/// Reads the Beijing station list.
pub(crate) fn beijing_stations(data: &[u8]) -> Result<Parsed<Site>, RegistryError> {
    read(
        data,
        "the Beijing station list",
        &[
            "stationcode",
            "name_zh",
            "lon_cnemc_sitelist_2022",
            "lat_cnemc_sitelist_2022",
        ],
        |row| {
            let (lon, lat) = match (
                row.get("lon_cnemc_sitelist_2022"),
                row.get("lat_cnemc_sitelist_2022"),
            ) {
                ("", "") => (row.get("lon_cnemc_api_2017"), row.get("lat_cnemc_api_2017")),
                pair => pair,
            };
            let mut site = national_air(row.get("stationcode"), row.get("name_zh"), lon, lat)?;
            site.name_en = Some(row.get("prsa_station").to_owned()).filter(|n| !n.is_empty());
            Ok(site)
        },
    )
}

/// Reads the stations of a CNEMC national real-time snapshot.
pub(crate) fn cnemc_sites(data: &[u8]) -> Result<Parsed<Site>, RegistryError> {
    read(
        data,
        "a CNEMC snapshot",
        &["stationcode", "positionname", "longitude", "latitude"],
        |row| {
            national_air(
                row.get("stationcode"),
                row.get("positionname"),
                row.get("longitude"),
                row.get("latitude"),
            )
        },
    )
}

fn national_air(code: &str, name: &str, lon: &str, lat: &str) -> Result<Site, String> {
    let degrees = |column: &str, text: &str| {
        text.parse::<f64>()
            .map_err(|_| format!("station {code}: {column} `{text}` is not a number"))
    };
    let mut site = Site::new(
        code,
        name,
        SiteMedium::Air,
        degrees("longitude", lon)?,
        degrees("latitude", lat)?,
    );
    site.level = Some("national".to_owned());
    Ok(site)
}

/// One CSV record with its columns by name (missing optional columns read as empty).
struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }
}

fn read(
    data: &[u8],
    what: &str,
    required: &[&str],
    site: impl Fn(&Row<'_>) -> Result<Site, String>,
) -> Result<Parsed<Site>, RegistryError> {
    let (mut reader, headers) = csv_reader(data, &format!("the CSV header of {what}"))?;
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_owned(), i))
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(RegistryError::Invalid(format!(
            "not {what}: the header lacks {}",
            missing.join(", ")
        )));
    }
    Ok(csv_rows(&mut reader, &headers, |record| {
        site(&Row {
            columns: &columns,
            record,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_list_coordinates_win_and_the_api_ones_fill_gaps() {
        let data = "stationcode,prsa_station,name_zh,lon_cnemc_sitelist_2022,lat_cnemc_sitelist_2022,name_zh_2017_api,lon_cnemc_api_2017,lat_cnemc_api_2017,is_background_site\n\
                    1001A,Wanshouxigong,万寿西宫,116.3621,39.8784,万寿西宫,116.366,39.8673,N\n\
                    1002A,,定陵,,,定陵,116.17,40.2865,Y\n\
                    1003A,Dongsi,东四,east,39.9,东四,116.434,39.9522,N\n";
        let rows = beijing_stations(data.as_bytes()).unwrap();
        let first = rows[0].1.as_ref().unwrap();
        assert_eq!((rows[0].0, first.lon, first.lat), (2, 116.3621, 39.8784));
        assert_eq!(first.name_en.as_deref(), Some("Wanshouxigong"));
        assert_eq!(first.level.as_deref(), Some("national"));
        let second = rows[1].1.as_ref().unwrap();
        assert_eq!(
            (second.lon, second.lat, &second.name_en),
            (116.17, 40.2865, &None)
        );
        assert_eq!(
            rows[2],
            (
                4,
                Err("station 1003A: longitude `east` is not a number".to_owned())
            )
        );
    }

    #[test]
    fn a_file_of_another_shape_is_refused_by_its_header() {
        let e = cnemc_sites(b"code,name,medium,lon,lat\nA,a,air,1,2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a CNEMC snapshot: the header lacks stationcode, positionname, longitude, latitude"
        );
    }
}
