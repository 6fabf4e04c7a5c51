//! Information codes (`i`-codes, HJ 212-2017 Tables B.8–B.10): `i` + device class (1 monitoring
//! instrument, 2 data logger, 3 auxiliary equipment) + information class (1 log, 2 state,
//! 3 parameter) + a 3-digit id. They travel as `iXXXXX-Info=…` (logs as `//…//` UTF-8 text).
//!
//! The codes and English meanings are those listed in spec §7. spec.md does not reproduce the
//! tables' Chinese names, units and data types; they are taken from a public transcription of
//! Tables B.8–B.10 (xiaoyao9184 `hbt212`, `LiveSideMessage.java`, the implementation spec §11
//! cites), which agrees with spec §7 code for code and reproduces the erratum spec §12 records
//! (i33102 humidity printed with °C). Spaces the PDF text put between Latin letters or digits
//! and Chinese (`CEMS 伴热管温度`, `进样压力 1`) are dropped. Units printed as `--` (defined by
//! the instrument) are `None`; 无量纲 is [`Unit::Dimensionless`].
//!
//! Not listed: the furnace temperature families `i3331x`–`i3334x` (one code per measuring
//! point x = 0–9) and `I33400` production load (printed with a capital I).

use super::u::*;
use super::{Factor, FactorClass};
use crate::Unit;

/// An information-code row: no 2005 code, no amount unit.
const fn i(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: Option<Unit>,
    data_type: &'static str,
) -> Factor {
    Factor::row(FactorClass::Info, code, zh, en, "–", unit, NONE, data_type)
}

const OK_FAULT: &str = "0 normal, 1 abnormal";

/// The information codes of spec §7, 33 rows.
#[rustfmt::skip]
pub(super) const ROWS: &[Factor] = &[
    // Device class 1: monitoring instrument.
    i("i11001", "运行日志", "instrument log", NONE, "C890")
        .note("log text between \"//\" and \"//\", UTF-8"),
    i("i12001", "工作状态", "instrument working state", ONE, "N2")
        .note("0 running, 1 maintenance, 2 fault, 3 calibration, 5 back-blowing, 6 power fault, 7 measuring, 8 standardising, 9 standby, 10 operation and maintenance"),
    i("i12002", "分析仪与数采仪通讯状态", "analyser to data logger communication state", ONE, "N1")
        .note(OK_FAULT),
    i("i12003", "COD分析仪报警状态", "COD analyser alarm state", ONE, "N1").note(OK_FAULT),
    i("i13001", "测量量程", "measuring range", NONE, "–")
        .note("unit and data type defined by the instrument"),
    i("i13002", "测量精度", "measuring precision", NONE, "–")
        .note("unit and data type defined by the instrument"),
    i("i13003", "测量间隔", "measuring interval", MIN, "N4"),
    i("i13004", "消解温度", "digestion temperature", DEGC, "N3.1"),
    i("i13005", "消解时长", "digestion time", MIN, "N2"),
    i("i13006", "校准时间", "calibration time", NONE, "YYYYMMDDhhmmss"),
    i("i13007", "截距", "intercept", NONE, "–")
        .note("unit and data type defined by the instrument"),
    i("i13008", "斜率", "slope", NONE, "–")
        .note("unit and data type defined by the instrument"),
    i("i13009", "测量检出限", "detection limit", NONE, "–")
        .note("unit and data type defined by the instrument"),
    // Device class 2: data logger.
    i("i21001", "运行日志", "data logger log", NONE, "C890")
        .note("log text between \"//\" and \"//\", UTF-8"),
    i("i22001", "工作状态", "data logger working state", ONE, "N1")
        .note("0 running, 1 stopped, 2 fault, 3 maintenance"),
    i("i22002", "用户状态", "user state", ONE, "N1")
        .note("0 ordinary user, 1 administrator, 2 maintenance staff"),
    i("i22003", "数采仪与上位机通讯状态", "data logger to host communication state", ONE, "N1")
        .note(OK_FAULT),
    i("i22101", "数采仪通道通讯状态", "data logger channel communication state", ONE, "N1")
        .note("0 normal, 1 abnormal, 2 no device on the channel"),
    i("i23001", "本地大气压力", "local atmospheric pressure", KPA, "N3.3"),
    // Device class 3: auxiliary equipment.
    i("i31001", "门禁日志", "door access log", NONE, "C890")
        .note("log text between \"//\" and \"//\", UTF-8"),
    i("i32001", "门禁状态", "door access state", ONE, "N1")
        .note("0 running, 1 stopped, 2 fault, 3 maintenance"),
    i("i33001", "CEMS伴热管温度", "CEMS heat-traced line temperature", DEGC, "N4"),
    i("i33002", "CEMS冷凝温度", "CEMS condenser temperature", DEGC, "N1.1"),
    i("i33101", "监测站房温度", "station house temperature", DEGC, "N4"),
    i("i33102", "监测站房湿度", "station house humidity", DEGC, "N4")
        .note("erratum: Table B.10 prints °C for a humidity (spec §12); values are relative humidity in %, the canonical unit"),
    i("i33103", "监测站房电压", "station house voltage", VOLT, "N4"),
    i("i33104", "监测站房原水压力", "station house raw water pressure", KPA, "N6"),
    i("i33105", "监测站房进样压力1", "station house sample inlet pressure 1", KPA, "N6"),
    i("i33106", "监测站房进样压力2", "station house sample inlet pressure 2", KPA, "N6"),
    i("i33107", "沉砂池清洗时间", "sand settling tank cleaning time", SEC, "N4"),
    i("i33200", "污水处理站（厂）电流量", "wastewater treatment plant current", AMP, "N4.2"),
    i("i33201", "污水处理站（厂）累计耗电量", "wastewater treatment plant cumulative energy consumption", KWH, "N13"),
    i("i33202", "污水处理站（厂）日耗电量", "wastewater treatment plant daily energy consumption", KWH, "N7"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_codes_of_spec_section_7() {
        let mut expected: Vec<String> = ["i11001", "i12001", "i12002", "i12003"]
            .map(String::from)
            .to_vec();
        expected.extend((1..=9).map(|n| format!("i1300{n}")));
        expected.extend(
            [
                "i21001", "i22001", "i22002", "i22003", "i22101", "i23001", "i31001", "i32001",
            ]
            .map(String::from),
        );
        expected.extend(["i33001", "i33002"].map(String::from));
        expected.extend((1..=7).map(|n| format!("i3310{n}")));
        expected.extend((0..=2).map(|n| format!("i3320{n}")));
        let codes: Vec<_> = ROWS.iter().map(|f| f.code.to_owned()).collect();
        assert_eq!(codes, expected);
        for f in ROWS {
            assert_eq!(f.class, FactorClass::Info);
            assert_eq!((f.code_2005, f.amount_unit), (None, None));
            // Device class 1–3 and information class 1–3 in the code.
            let b = f.code.as_bytes();
            assert!(
                (b'1'..=b'3').contains(&b[1]) && (b'1'..=b'3').contains(&b[2]),
                "{}",
                f.code
            );
        }
        let state = ROWS.iter().find(|f| f.code == "i12001").unwrap();
        assert!(state
            .note
            .unwrap()
            .starts_with("0 running, 1 maintenance, 2 fault"));
    }
}
