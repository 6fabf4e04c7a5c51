//! Table B.1 of HJ 212-2017: water factor codes (from HJ 525-2009), every row as printed, in
//! the standard's order. Columns: code, Chinese name, English name, HJ/T 212-2005 code (原编码),
//! concentration unit, amount unit (`-Cou`), data type; `"–"` means the standard prints none.

use super::u::*;
use super::{Factor, FactorClass};
use crate::Unit;

/// A Table B.1 row.
const fn w(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    code_2005: &'static str,
    unit: Option<Unit>,
    amount: Option<Unit>,
    data_type: &'static str,
) -> Factor {
    Factor::row(
        FactorClass::Water,
        code,
        zh,
        en,
        code_2005,
        unit,
        amount,
        data_type,
    )
}

/// Table B.1, 63 rows.
#[rustfmt::skip]
pub(super) const ROWS: &[Factor] = &[
    w("w00000", "污水", "wastewater flow", "B01", L_S, M3, "N5.2"),
    w("w01001", "pH值", "pH", "001", NONE, NONE, "N2.2"),
    w("w01002", "色度", "colour", "002", COLOUR, NONE, "N3.2"),
    w("w01006", "溶解性总固体", "total dissolved solids", "–", MG_L, KG, "N4"),
    w("w01009", "溶解氧", "dissolved oxygen", "–", MG_L, NONE, "N3.1"),
    w("w01010", "水温", "water temperature", "–", DEGC, NONE, "N3.1"),
    w("w01012", "悬浮物", "suspended solids", "003", MG_L, KG, "N4"),
    w("w01014", "电导率", "conductivity", "–", US_CM, NONE, "N3.1"),
    w("w01017", "五日生化需氧量", "BOD5", "010", MG_L, KG, "N5.1"),
    w("w01018", "化学需氧量", "COD (Cr)", "011", MG_L, KG, "N5.1"),
    w("w01019", "高锰酸盐指数", "permanganate index (CODMn)", "–", MG_L, KG, "N3.1"),
    w("w01020", "总有机碳", "total organic carbon", "015", MG_L, KG, "N3.1"),
    w("w02003", "粪大肠菌群", "faecal coliforms", "550", COUNT_L, NONE, "N9"),
    w("w02006", "细菌总数", "total bacteria", "–", COUNT_L, NONE, "N9"),
    w("w03001", "总α放射性", "gross alpha", "570", BQ_L, NONE, "N3.1"),
    w("w03002", "总β放射性", "gross beta", "571", BQ_L, NONE, "N3.1"),
    w("w19001", "表面活性剂", "surfactants", "–", MG_L, KG, "N3.2"),
    w("w19002", "阴离子表面活性剂", "anionic surfactants (LAS)", "520", MG_L, KG, "N3.2"),
    w("w20012", "钡", "barium", "039", MG_L, KG, "N3.3"),
    w("w20023", "硼", "boron", "037", MG_L, KG, "N3.3"),
    w("w20038", "钴", "cobalt", "040", MG_L, KG, "N3.4"),
    w("w20061", "钼", "molybdenum", "038", MG_L, KG, "N3.4"),
    w("w20089", "铊", "thallium", "041", NG_L, MG, "N4"),
    w("w20092", "锡", "tin", "036", MG_L, KG, "N3.1"),
    w("w20111", "总汞", "total mercury", "020", UG_L, G, "N3.2"),
    w("w20113", "烷基汞", "alkyl mercury", "021", NG_L, MG, "N4"),
    w("w20115", "总镉", "total cadmium", "022", UG_L, G, "N3.1"),
    w("w20116", "总铬", "total chromium", "023", MG_L, KG, "N3.3"),
    w("w20117", "六价铬", "hexavalent chromium", "024", UG_L, G, "N2.3"),
    w("w20119", "总砷", "total arsenic", "026", UG_L, G, "N2.3"),
    w("w20120", "总铅", "total lead", "027", UG_L, G, "N4"),
    w("w20121", "总镍", "total nickel", "028", MG_L, KG, "N3.2"),
    w("w20122", "总铜", "total copper", "029", MG_L, KG, "N3.2"),
    w("w20123", "总锌", "total zinc", "030", MG_L, KG, "N3.3"),
    w("w20124", "总锰", "total manganese", "031", MG_L, KG, "N3.3"),
    w("w20125", "总铁", "total iron", "032", MG_L, KG, "N3.3"),
    w("w20126", "总银", "total silver", "033", MG_L, KG, "N3.3"),
    w("w20127", "总铍", "total beryllium", "034", UG_L, G, "N3.3"),
    w("w20128", "总硒", "total selenium", "035", UG_L, G, "N4.2"),
    w("w20138", "铜", "copper", "–", MG_L, KG, "N3.3"),
    w("w20139", "锌", "zinc", "–", MG_L, KG, "N3.3"),
    w("w20140", "硒", "selenium", "–", MG_L, KG, "N3.3"),
    w("w20141", "砷", "arsenic", "–", MG_L, KG, "N3.3"),
    w("w20142", "汞", "mercury", "–", UG_L, G, "N3.3"),
    w("w20143", "镉", "cadmium", "–", UG_L, G, "N3.3"),
    w("w20144", "铅", "lead", "–", MG_L, KG, "N3.3"),
    w("w21001", "总氮", "total nitrogen", "065", MG_L, KG, "N4.2"),
    w("w21003", "氨氮", "ammonia nitrogen (NH3-N)", "060", MG_L, KG, "N4.2"),
    w("w21004", "凯氏氮", "Kjeldahl nitrogen", "062", MG_L, KG, "N3.1"),
    w("w21006", "亚硝酸盐", "nitrite", "063", MG_L, KG, "N2.3"),
    w("w21007", "硝酸盐", "nitrate", "064", MG_L, KG, "N2.3"),
    w("w21011", "总磷", "total phosphorus", "101", MG_L, KG, "N3.2"),
    w("w21016", "氰化物", "cyanide", "070", MG_L, KG, "N3.3"),
    w("w21017", "氟化物", "fluoride", "072", MG_L, KG, "N4.2"),
    w("w21019", "硫化物", "sulfide", "071", MG_L, KG, "N3.3"),
    w("w21022", "氯化物", "chloride", "090", MG_L, KG, "N3.1"),
    w("w21038", "硫酸盐", "sulfate", "–", MG_L, KG, "N6"),
    w("w22001", "石油类", "petroleum oils", "080", MG_L, KG, "N3.2"),
    w("w23002", "挥发酚", "volatile phenols", "110", MG_L, KG, "N3.4"),
    w("w25043", "苯并[α]芘", "benzo[a]pyrene", "540", UG_L, G, "N3.1"),
    w("w33001", "六六六", "HCH (BHC)", "350", NG_L, MG, "N4"),
    w("w33007", "滴滴涕", "DDT", "351", NG_L, MG, "N4"),
    w("w99001", "有机氮", "organic nitrogen", "061", MG_L, KG, "N3.1"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_b1() {
        assert_eq!(ROWS.len(), 63);
        assert!(ROWS.iter().all(|f| f.class == FactorClass::Water));
        let nh3n = ROWS.iter().find(|f| f.code == "w21003").unwrap();
        assert_eq!((nh3n.name_zh, nh3n.code_2005), ("氨氮", Some("060")));
        assert_eq!(
            (nh3n.printed_unit, nh3n.data_type),
            (Some(Unit::MilligramPerLitre), Some("N4.2"))
        );
        let tl = ROWS.iter().find(|f| f.code == "w20089").unwrap();
        assert_eq!(
            (tl.printed_unit, tl.amount_unit),
            (Some(Unit::NanogramPerLitre), Some(Unit::Milligram))
        );
        let flow = &ROWS[0];
        assert_eq!((flow.code, flow.code_2005), ("w00000", Some("B01")));
        assert_eq!(
            (flow.printed_unit, flow.amount_unit),
            (Some(Unit::LitrePerSecond), Some(Unit::CubicMetre))
        );
    }
}
