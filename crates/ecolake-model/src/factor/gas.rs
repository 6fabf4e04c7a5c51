//! Table B.2 of HJ 212-2017: gas factor codes (from HJ 524-2009), every row as printed, in the
//! standard's order. Columns: code, Chinese name, English name, HJ/T 212-2005 code (原编码),
//! concentration unit, amount unit (`-Cou`), data type; `"–"` means the standard prints none.
//!
//! Ten rows are printed with 纳克/立方米 (ng/m³) — PM2.5, PM10, PM1.0, TSP, ammonia, methane,
//! As, Cd, Pb, Hg — which spec §13 treats as suspect; they keep ng/m³ as `printed_unit` and carry
//! a note. O3 `a05024` is not in this table (see `extra`).

use super::u::*;
use super::{Factor, FactorClass, NG_AS_PRINTED};
use crate::Unit;

/// A Table B.2 row.
const fn a(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    code_2005: &'static str,
    unit: Option<Unit>,
    amount: Option<Unit>,
    data_type: &'static str,
) -> Factor {
    Factor::row(
        FactorClass::Gas,
        code,
        zh,
        en,
        code_2005,
        unit,
        amount,
        data_type,
    )
}

/// Table B.2, 121 rows.
#[rustfmt::skip]
pub(super) const ROWS: &[Factor] = &[
    a("a00000", "废气", "flue/waste gas flow", "B02", M3_S, M3, "N6.1"),
    a("a01001", "温度", "air temperature", "–", DEGC, NONE, "N3.1"),
    a("a01002", "湿度", "humidity", "–", PCT, NONE, "N3.1"),
    a("a01006", "气压", "air pressure", "–", KPA, NONE, "N5.3"),
    a("a01007", "风速", "wind speed", "–", M_S, NONE, "N4.1"),
    a("a01008", "风向", "wind direction", "–", DEG, NONE, "N4"),
    a("a01010", "林格曼黑度", "Ringelmann blackness", "37", NONE, NONE, "N1"),
    a("a01011", "烟气流速", "flue gas velocity", "S02", M_S, NONE, "N5.2"),
    a("a01012", "烟气温度", "flue gas temperature", "S03", DEGC, NONE, "N3.1"),
    a("a01013", "烟气压力", "flue gas (static) pressure", "S08", KPA, NONE, "N5.3"),
    a("a01014", "烟气湿度", "flue gas humidity", "S05", PCT, NONE, "N3.1"),
    a("a01015", "制冷温度", "cooler temperature", "S06", DEGC, NONE, "N3.1"),
    a("a01016", "烟道截面积", "duct cross-section area", "S07", M2, NONE, "N4.2"),
    a("a01017", "烟气动压", "flue gas dynamic pressure", "S04", KPA, NONE, "N5.3"),
    a("a01901", "垃圾焚烧炉膛内焚烧平均温度", "waste incinerator furnace mean temperature", "–", DEGC, NONE, "N4.1"),
    a("a01902", "垃圾焚烧炉膛内DCS温度", "waste incinerator furnace DCS temperature", "–", DEGC, NONE, "N4.1"),
    a("a05001", "二氧化碳", "CO2", "30", MG_M3, KG, "N3.3"),
    a("a05002", "甲烷", "methane", "–", NG_M3, G, "N4.1").note(NG_AS_PRINTED),
    a("a05008", "三氯一氟甲烷", "CFC-11", "–", MG_M3, KG, "N7.3"),
    a("a05009", "二氯二氟甲烷", "CFC-12", "–", MG_M3, KG, "N7.3"),
    a("a05013", "三氯三氟乙烷", "CFC-113", "–", MG_M3, KG, "N7.3"),
    a("a19001", "氧气含量", "O2", "S01", PCT, NONE, "N3.1"),
    a("a20007", "砷", "arsenic", "–", NG_M3, G, "N1.6").note(NG_AS_PRINTED),
    a("a20016", "铍及其化合物", "beryllium & compounds", "36", MG_M3, KG, "N4.4"),
    a("a20025", "镉及其化合物", "cadmium & compounds", "33", MG_M3, KG, "N3.4"),
    a("a20026", "镉", "cadmium", "–", NG_M3, G, "N3.3").note(NG_AS_PRINTED),
    a("a20043", "铅及其化合物", "lead & compounds", "32", MG_M3, KG, "N2.4"),
    a("a20044", "铅", "lead", "–", NG_M3, G, "N3.3").note(NG_AS_PRINTED),
    a("a20057", "汞及其化合物", "mercury & compounds", "31", MG_M3, KG, "N4.4"),
    a("a20058", "汞", "mercury", "–", NG_M3, G, "N3.2").note(NG_AS_PRINTED),
    a("a20063", "镍及其化合物", "nickel & compounds", "35", MG_M3, KG, "N3.3"),
    a("a20091", "锡及其化合物", "tin & compounds", "34", MG_M3, KG, "N4.3"),
    a("a21001", "氨（氨气）", "ammonia", "10", NG_M3, G, "N4.3").note(NG_AS_PRINTED),
    a("a21002", "氮氧化物", "NOx", "03", MG_M3, KG, "N5.1"),
    a("a21003", "一氧化氮", "NO", "–", MG_M3, KG, "N4.1"),
    a("a21004", "二氧化氮", "NO2", "–", MG_M3, KG, "N4.1"),
    a("a21005", "一氧化碳", "CO", "04", MG_M3, KG, "N3.3"),
    a("a21017", "氰化物", "cyanide", "07", MG_M3, KG, "N3.3"),
    a("a21018", "氟化物", "fluoride", "06", MG_M3, KG, "N2.3"),
    a("a21022", "氯气", "chlorine", "11", MG_M3, KG, "N4.3"),
    a("a21024", "氯化氢", "hydrogen chloride", "08", MG_M3, KG, "N4.3"),
    a("a21026", "二氧化硫", "SO2", "02", MG_M3, KG, "N5.2"),
    a("a21028", "硫化氢", "hydrogen sulfide", "05", MG_M3, KG, "N3.2"),
    a("a23001", "酚类", "phenols", "27", MG_M3, KG, "N3.3"),
    a("a24003", "二氯甲烷", "dichloromethane", "–", MG_M3, KG, "N7.3"),
    a("a24004", "三氯甲烷", "chloroform", "–", MG_M3, KG, "N7.3"),
    a("a24005", "四氯甲烷", "carbon tetrachloride", "–", MG_M3, KG, "N7.3"),
    a("a24006", "二溴一氯甲烷", "dibromochloromethane", "–", MG_M3, KG, "N7.3"),
    a("a24007", "一溴二氯甲烷", "bromodichloromethane", "–", MG_M3, KG, "N7.3"),
    a("a24008", "溴甲烷", "bromomethane", "–", MG_M3, KG, "N7.3"),
    a("a24009", "三溴甲烷", "bromoform", "–", MG_M3, KG, "N7.3"),
    a("a24015", "氯乙烷", "chloroethane", "–", MG_M3, KG, "N7.3"),
    a("a24016", "1,1-二氯乙烷", "1,1-dichloroethane", "–", MG_M3, KG, "N7.3"),
    a("a24017", "1,2-二氯乙烷", "1,2-dichloroethane", "–", MG_M3, KG, "N7.3"),
    a("a24018", "1,1,1-三氯乙烷", "1,1,1-trichloroethane", "–", MG_M3, KG, "N7.3"),
    a("a24019", "1,1,2-三氯乙烷", "1,1,2-trichloroethane", "–", MG_M3, KG, "N7.3"),
    a("a24020", "1,1,2,2-四氯乙烷", "1,1,2,2-tetrachloroethane", "–", MG_M3, KG, "N7.3"),
    a("a24027", "1,2-二氯丙烷", "1,2-dichloropropane", "–", MG_M3, KG, "N7.3"),
    a("a24034", "1,2-二溴乙烷", "1,2-dibromoethane", "–", MG_M3, KG, "N7.3"),
    a("a24036", "环己烷", "cyclohexane", "–", MG_M3, KG, "N7.3"),
    a("a24042", "正己烷", "n-hexane", "–", MG_M3, KG, "N7.3"),
    a("a24043", "正庚烷", "n-heptane", "–", MG_M3, KG, "N7.3"),
    a("a24046", "氯乙烯", "vinyl chloride", "29", MG_M3, KG, "N4.3"),
    a("a24047", "1,1-二氯乙烯", "1,1-dichloroethene", "–", MG_M3, KG, "N7.3"),
    a("a24049", "三氯乙烯", "trichloroethene", "–", MG_M3, KG, "N7.3"),
    a("a24050", "四氯乙烯", "tetrachloroethene", "–", MG_M3, KG, "N7.3"),
    a("a24053", "丙烯", "propene", "–", MG_M3, KG, "N7.3"),
    a("a24054", "1,3-二氯丙烯", "1,3-dichloropropene", "–", MG_M3, KG, "N7.3"),
    a("a24072", "1,4-二恶烷", "1,4-dioxane", "–", MG_M3, KG, "N7.3"),
    a("a24078", "1,3-丁二烯", "1,3-butadiene", "–", MG_M3, KG, "N7.3"),
    a("a24087", "碳氢化合物", "hydrocarbons", "25", MG_M3, KG, "N5.2"),
    a("a24088", "非甲烷总烃", "non-methane hydrocarbons (NMHC)", "–", MG_M3, KG, "N7.3"),
    a("a24099", "氯甲烷", "chloromethane", "–", MG_M3, KG, "N7.3"),
    a("a24110", "反式-1,2-二氯乙烯", "trans-1,2-dichloroethene", "–", MG_M3, KG, "N7.3"),
    a("a24111", "顺式-1,2-二氯乙烯", "cis-1,2-dichloroethene", "–", MG_M3, KG, "N7.3"),
    a("a24112", "反式-1,3-二氯丙烯", "trans-1,3-dichloropropene", "–", MG_M3, KG, "N7.3"),
    a("a24113", "六氯-1,3-丁二烯", "hexachloro-1,3-butadiene", "–", MG_M3, KG, "N7.3"),
    a("a25002", "苯", "benzene", "–", MG_M3, KG, "N7.3"),
    a("a25003", "甲苯", "toluene", "17", MG_M3, KG, "N4.2"),
    a("a25004", "乙苯", "ethylbenzene", "–", MG_M3, KG, "N7.3"),
    a("a25005", "二甲苯", "xylene", "18", MG_M3, KG, "N4.2"),
    a("a25006", "1,2-二甲基苯", "o-xylene", "–", MG_M3, KG, "N7.3"),
    a("a25007", "1,3-二甲基苯", "m-xylene", "–", MG_M3, KG, "N7.3"),
    a("a25008", "1,4-二甲基苯", "p-xylene", "–", MG_M3, KG, "N7.3"),
    a("a25010", "氯苯", "chlorobenzene", "23", MG_M3, KG, "N4.3"),
    a("a25011", "1,2-二氯苯", "1,2-dichlorobenzene", "–", MG_M3, KG, "N7.3"),
    a("a25012", "1,3-二氯苯", "1,3-dichlorobenzene", "–", MG_M3, KG, "N7.3"),
    a("a25013", "1,4-二氯苯", "1,4-dichlorobenzene", "–", MG_M3, KG, "N7.3"),
    a("a25014", "1-乙基-4-甲基苯", "4-ethyltoluene", "–", MG_M3, KG, "N7.3"),
    a("a25015", "1,2,4-三氯苯", "1,2,4-trichlorobenzene", "–", MG_M3, KG, "N7.3"),
    a("a25019", "1,2,4-三甲基苯", "1,2,4-trimethylbenzene", "–", MG_M3, KG, "N7.3"),
    a("a25020", "1,2,3-三甲基苯", "1,2,3-trimethylbenzene", "–", MG_M3, KG, "N7.3"),
    a("a25021", "1,3,5-三甲基苯", "1,3,5-trimethylbenzene", "–", MG_M3, KG, "N7.3"),
    a("a25023", "硝基苯", "nitrobenzene", "22", MG_M3, KG, "N3.4"),
    a("a25038", "乙烯基苯", "styrene", "–", MG_M3, KG, "N7.3"),
    a("a25044", "苯并[a]芘", "benzo[a]pyrene", "20", MG_M3, KG, "N4.3"),
    a("a25072", "四氢呋喃", "tetrahydrofuran", "–", MG_M3, KG, "N7.3"),
    a("a26001", "苯胺类", "anilines", "21", MG_M3, KG, "N4.3"),
    a("a29017", "乙酸乙酯", "ethyl acetate", "–", MG_M3, KG, "N7.3"),
    a("a29026", "乙酸乙烯酯", "vinyl acetate", "–", MG_M3, KG, "N7.3"),
    a("a30001", "甲醇", "methanol", "28", MG_M3, KG, "N4.3"),
    a("a30008", "异丙醇", "isopropanol", "–", MG_M3, KG, "N7.3"),
    a("a30022", "硫醇", "mercaptans", "13", MG_M3, KG, "N4.3"),
    a("a31001", "甲醛", "formaldehyde", "19", MG_M3, KG, "N3.3"),
    a("a31002", "乙醛", "acetaldehyde", "26", MG_M3, KG, "N3.4"),
    a("a31024", "丙酮", "acetone", "–", MG_M3, KG, "N7.3"),
    a("a31025", "2-丁酮", "2-butanone", "–", MG_M3, KG, "N7.3"),
    a("a31030", "甲基异丁基甲酮", "methyl isobutyl ketone", "–", MG_M3, KG, "N7.3"),
    a("a34001", "总悬浮颗粒物TSP", "TSP", "–", NG_M3, G, "N4.3").note(NG_AS_PRINTED),
    a("a34002", "可吸入颗粒物PM10", "PM10", "–", NG_M3, G, "N3.3").note(NG_AS_PRINTED),
    a("a34004", "细微颗粒物PM2.5", "PM2.5", "–", NG_M3, G, "N3.3").note(NG_AS_PRINTED),
    a("a34005", "亚微米颗粒物PM1.0", "PM1.0", "–", NG_M3, G, "N3.3").note(NG_AS_PRINTED),
    a("a34011", "降尘", "dustfall", "–", DUSTFALL, NONE, "–"),
    a("a34013", "烟尘", "smoke dust / particulates", "01", MG_M3, KG, "N4"),
    a("a34017", "炭黑尘", "carbon black dust", "–", MG_M3, KG, "N4"),
    a("a34038", "沥青烟", "asphalt fume", "09", MG_M3, KG, "N4.3"),
    a("a34039", "硫酸雾", "sulfuric acid mist", "14", MG_M3, KG, "N4.3"),
    a("a34040", "铬酸雾", "chromic acid mist", "15", MG_M3, KG, "N2.3"),
    a("a99010", "丙烯腈", "acrylonitrile", "–", MG_M3, KG, "N7.3"),
    a("a99049", "光气", "phosgene", "24", MG_M3, KG, "N3.3"),
    a("a99051", "二硫化碳", "carbon disulfide", "12", MG_M3, KG, "N4.3"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_b2() {
        assert_eq!(ROWS.len(), 121);
        assert!(ROWS.iter().all(|f| f.class == FactorClass::Gas));
        let ng: Vec<_> = ROWS
            .iter()
            .filter(|f| f.printed_unit == Some(Unit::NanogramPerCubicMetre))
            .map(|f| f.code)
            .collect();
        assert_eq!(
            ng,
            [
                "a05002", "a20007", "a20026", "a20044", "a20058", "a21001", "a34001", "a34002",
                "a34004", "a34005"
            ]
        );
        assert!(ROWS
            .iter()
            .all(|f| f.note.is_some() == ng.contains(&f.code)));
        let co = ROWS.iter().find(|f| f.code == "a21005").unwrap();
        assert_eq!(
            (co.name_zh, co.code_2005, co.data_type),
            ("一氧化碳", Some("04"), Some("N3.3"))
        );
        let nox = ROWS.iter().find(|f| f.code == "a21002").unwrap();
        assert_eq!(
            (nox.code_2005, nox.amount_unit),
            (Some("03"), Some(Unit::Kilogram))
        );
    }
}
