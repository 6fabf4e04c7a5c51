//! The catalog as DCAT-AP (2 and 3) JSON-LD: a `dcat:Catalog` of `dcat:Dataset`s, each with its
//! publisher, theme, frequency, spatial and temporal coverage, licence, access rights and its
//! CSV, JSON and Parquet distributions served by the HTTP API (and its SQL API as the access
//! service).
//!
//! The `@context` is inline (the platform works offline): every term is a prefixed name of a
//! prefix it declares. Vocabularies: the EU data themes, frequencies, access rights and file
//! types of the Publications Office, and IANA media types.
//!
//! ```
//! use ecolake_registry::{dcat, Dataset, DatasetSource, Department, SharingTier};
//! let d = Dataset::new("air_hourly", "空气质量小时数据", "bj-emc", DatasetSource::Observations,
//!     SharingTier::Open);
//! let emc = Department { code: "bj-emc".into(), name: "北京市生态环境监测中心".into(), name_en: None };
//! let doc = dcat::catalog_jsonld(&[d], &[emc], "https://eco.example.org");
//! assert_eq!(doc["dcat:dataset"][0]["@id"], "https://eco.example.org/api/v1/datasets/air_hourly");
//! assert_eq!(doc["dcat:dataset"][0]["dct:accessRights"]["@id"],
//!     "http://publications.europa.eu/resource/authority/access-right/PUBLIC");
//! ```

use serde_json::{json, Map, Value};

use crate::dataset::{Dataset, DatasetTheme, SharingTier, UpdateFrequency};
use crate::Department;

/// The EU data theme authority.
const DATA_THEME: &str = "http://publications.europa.eu/resource/authority/data-theme/";
/// The EU frequency authority.
const FREQUENCY: &str = "http://publications.europa.eu/resource/authority/frequency/";
/// The EU access right authority.
const ACCESS_RIGHT: &str = "http://publications.europa.eu/resource/authority/access-right/";
/// The EU file type authority.
const FILE_TYPE: &str = "http://publications.europa.eu/resource/authority/file-type/";
/// IANA media types.
const MEDIA_TYPE: &str = "https://www.iana.org/assignments/media-types/";

/// The downloads of every dataset: format parameter, title, EU file type, IANA media type.
const DOWNLOADS: [(&str, &str, &str, &str); 3] = [
    ("csv", "CSV", "CSV", "text/csv"),
    ("json", "JSON", "JSON", "application/json"),
    (
        "parquet",
        "Parquet",
        "PARQUET",
        "application/vnd.apache.parquet",
    ),
];

/// The inline JSON-LD `@context`: the prefixes the documents of this module use.
pub fn context() -> Value {
    json!({
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "locn": "http://www.w3.org/ns/locn#",
        "vcard": "http://www.w3.org/2006/vcard/ns#",
        "adms": "http://www.w3.org/ns/adms#",
        "gsp": "http://www.opengis.net/ont/geosparql#",
    })
}

/// The catalog of `datasets` as a DCAT-AP JSON-LD document. `departments` name the owners (an
/// owner missing from them is named by its code); `base_url` is the platform's public address
/// (`https://eco.example.org`), under which the API serves `/api/v1/datasets/{name}`,
/// `/api/v1/observations?dataset={name}&format=csv|json|parquet` and `/api/v1/sql`.
pub fn catalog_jsonld(datasets: &[Dataset], departments: &[Department], base_url: &str) -> Value {
    let base = base_url.trim_end_matches('/');
    let entries: Vec<Value> = datasets
        .iter()
        .map(|d| dataset_node(d, departments, base))
        .collect();
    json!({
        "@context": context(),
        "@id": format!("{base}/api/v1/datasets"),
        "@type": "dcat:Catalog",
        "dct:title": texts(Some("生态环境监测数据资源目录"), Some("ecolake data resource catalog")),
        "dct:description": texts(
            Some("生态环境监测数据及监测点位、污染源、排污许可登记信息的数据资源目录。"),
            Some("Environmental monitoring data, and the registry of monitoring sites, pollution \
                  sources and discharge permits."),
        ),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": "ecolake"},
        "foaf:homepage": {"@id": base},
        "dcat:dataset": entries,
    })
}

/// One dataset as a JSON-LD document of its own (with the `@context`), as the API serves it at
/// its `@id`.
pub fn dataset_jsonld(dataset: &Dataset, departments: &[Department], base_url: &str) -> Value {
    let mut node = dataset_node(dataset, departments, base_url.trim_end_matches('/'));
    if let Value::Object(map) = &mut node {
        map.insert("@context".to_owned(), context());
    }
    node
}

/// The `dcat:Dataset` node of `d` (`base` without a trailing `/`).
fn dataset_node(d: &Dataset, departments: &[Department], base: &str) -> Value {
    let name = encoded(&d.name);
    let id = format!("{base}/api/v1/datasets/{name}");
    let mut node = Map::new();
    let mut put = |k: &str, v: Value| {
        node.insert(k.to_owned(), v);
    };
    put("@id", json!(id));
    put("@type", json!("dcat:Dataset"));
    put("dct:identifier", json!(d.name));
    put(
        "dct:title",
        texts(Some(d.title.as_str()), d.title_en.as_deref()),
    );
    // DCAT-AP requires a description: the title stands in for a missing one.
    let description = match (&d.description, &d.description_en) {
        (None, None) => texts(Some(d.title.as_str()), d.title_en.as_deref()),
        (zh, en) => texts(zh.as_deref(), en.as_deref()),
    };
    put("dct:description", description);
    let department = departments.iter().find(|p| p.code == d.owner);
    let (owner_zh, owner_en) = match department {
        Some(p) => (p.name.as_str(), p.name_en.as_deref()),
        None => (d.owner.as_str(), None),
    };
    put(
        "dct:publisher",
        json!({
            "@type": "foaf:Agent",
            "dct:identifier": d.owner,
            "foaf:name": texts(Some(owner_zh), owner_en),
        }),
    );
    put(
        "dcat:contactPoint",
        json!({"@type": "vcard:Organization", "vcard:fn": owner_zh}),
    );
    // Every theme but `other` is environmental: the EU data theme ENVI, and the theme's name
    // as a keyword.
    if let Some(theme) = d.theme.filter(|t| *t != DatasetTheme::Other) {
        put("dcat:theme", json!({ "@id": format!("{DATA_THEME}ENVI") }));
        put("dcat:keyword", json!(theme.as_str()));
    }
    if let Some(f) = d.update_frequency {
        put(
            "dct:accrualPeriodicity",
            json!({ "@id": format!("{FREQUENCY}{}", frequency_code(f)) }),
        );
    }
    if let Some(b) = d.bbox() {
        let (w, s, e, n) = (b.west, b.south, b.east, b.north);
        put(
            "dct:spatial",
            json!({
                "@type": "dct:Location",
                "dcat:bbox": {
                    "@value": format!("POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"),
                    "@type": "gsp:wktLiteral",
                },
            }),
        );
    }
    let start = d.coverage_from_ms.and_then(date_time);
    let end = d.coverage_to_ms.and_then(date_time);
    if start.is_some() || end.is_some() {
        let mut period = Map::new();
        period.insert("@type".to_owned(), json!("dct:PeriodOfTime"));
        if let Some(s) = start {
            period.insert("dcat:startDate".to_owned(), s);
        }
        if let Some(e) = end {
            period.insert("dcat:endDate".to_owned(), e);
        }
        put("dct:temporal", Value::Object(period));
    }
    if let Some(m) = d.coverage_updated_ms.and_then(date_time) {
        put("dct:modified", m);
    }
    let licence = d.licence.as_deref().map(licence_node);
    if let Some(l) = &licence {
        put("dct:license", l.clone());
    }
    let access = json!({ "@id": format!("{ACCESS_RIGHT}{}", access_right_code(d.tier)) });
    put("dct:accessRights", access);
    let sql = format!("{base}/api/v1/sql");
    let distributions: Vec<Value> = DOWNLOADS
        .iter()
        .map(|(param, title, file_type, media)| {
            let url = format!("{base}/api/v1/observations?dataset={name}&format={param}");
            let mut dist = json!({
                "@id": format!("{id}#distribution-{param}"),
                "@type": "dcat:Distribution",
                "dct:title": format!("{} ({title})", d.name),
                "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": url},
                "dct:format": {"@id": format!("{FILE_TYPE}{file_type}")},
                "dcat:mediaType": {"@id": format!("{MEDIA_TYPE}{media}")},
                "dcat:accessService": {
                    "@id": sql,
                    "@type": "dcat:DataService",
                    "dct:title": texts(Some("SQL 查询接口"), Some("SQL API")),
                    "dcat:endpointURL": {"@id": sql},
                    "dcat:servesDataset": {"@id": id},
                },
            });
            if let (Some(l), Value::Object(map)) = (&licence, &mut dist) {
                map.insert("dct:license".to_owned(), l.clone());
            }
            dist
        })
        .collect();
    put("dcat:distribution", Value::Array(distributions));
    Value::Object(node)
}

/// Language-tagged values: Chinese, then English, each when given and not blank.
fn texts(zh: Option<&str>, en: Option<&str>) -> Value {
    let values: Vec<Value> = [("zh", zh), ("en", en)]
        .into_iter()
        .filter_map(|(lang, text)| {
            let text = text?.trim();
            (!text.is_empty()).then(|| json!({"@value": text, "@language": lang}))
        })
        .collect();
    Value::Array(values)
}

/// A UTC time as an `xsd:dateTime` literal (none outside chrono's range).
fn date_time(ms: i64) -> Option<Value> {
    let t = chrono::DateTime::from_timestamp_millis(ms)?;
    Some(json!({
        "@value": t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        "@type": "xsd:dateTime",
    }))
}

/// Percent-encodes a name for a path segment or a query value.
fn encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The EU frequency authority's code.
fn frequency_code(f: UpdateFrequency) -> &'static str {
    match f {
        UpdateFrequency::Continuous => "CONT",
        UpdateFrequency::Hourly => "HOURLY",
        UpdateFrequency::Daily => "DAILY",
        UpdateFrequency::Weekly => "WEEKLY",
        UpdateFrequency::Monthly => "MONTHLY",
        UpdateFrequency::Annual => "ANNUAL",
        UpdateFrequency::Irregular => "IRREG",
    }
}

/// The EU access right of a sharing tier.
fn access_right_code(tier: SharingTier) -> &'static str {
    match tier {
        SharingTier::Open => "PUBLIC",
        SharingTier::Conditional => "RESTRICTED",
        SharingTier::Restricted => "NON_PUBLIC",
    }
}

/// The licence as a `dct:LicenseDocument`: a URL is its IRI; an SPDX-shaped identifier
/// (`CC-BY-4.0`: letters first, then letters, digits, `.`, `-`, `+`, with a digit or `-`)
/// the SPDX licence page; other text a document titled so.
fn licence_node(licence: &str) -> Value {
    let l = licence.trim();
    if l.starts_with("http://") || l.starts_with("https://") {
        return json!({ "@id": l });
    }
    let spdx = l.starts_with(|c: char| c.is_ascii_alphabetic())
        && l.len() <= 64
        && l.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+'))
        && l.bytes().any(|c| c.is_ascii_digit() || c == b'-');
    if spdx {
        json!({
            "@id": format!("https://spdx.org/licenses/{l}"),
            "@type": "dct:LicenseDocument",
            "dct:identifier": l,
        })
    } else {
        json!({ "@type": "dct:LicenseDocument", "dct:title": l })
    }
}
