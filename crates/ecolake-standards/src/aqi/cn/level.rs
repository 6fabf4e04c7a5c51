//! The six AQI levels of HJ 633 (Table 2 of the 2012 edition; unchanged in 2026): names, colours
//! and the health advice.
//!
//! Names and colours are those of `aqi_cn_levels.csv` (RGB and CMYK as the standard prints
//! them). The English category names follow that file (`Excellent`, `Good`, …); the standard has
//! no English text.
//!
//! The Chinese health-effect (对健康影响情况) and measure (建议采取的措施) texts are those of HJ
//! 633-2012 Table 2 as widely reproduced. Levels 1–3 and the level-4 health effect match CNEMC's
//! own real-time feed (2017/2018 archives) verbatim; that feed words the rest slightly
//! differently (it drops 儿童 and writes 户外活动 for 户外运动). They were not checked against the
//! standard's PDF here, nor against the 2026 edition (taken as unchanged). **The English texts
//! are our translation, not verbatim.**

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// One of the six AQI levels (一级 … 六级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 一级, 优, AQI 0–50 (HJ 633-2026: 1–50).
    One = 1,
    /// 二级, 良, AQI 51–100.
    Two = 2,
    /// 三级, 轻度污染, AQI 101–150.
    Three = 3,
    /// 四级, 中度污染, AQI 151–200.
    Four = 4,
    /// 五级, 重度污染, AQI 201–300.
    Five = 5,
    /// 六级, 严重污染, AQI above 300.
    Six = 6,
}

struct LevelData {
    range: (u16, Option<u16>),
    level_zh: &'static str,
    category_zh: &'static str,
    category_en: &'static str,
    colour_zh: &'static str,
    colour_en: &'static str,
    rgb: (u8, u8, u8),
    cmyk: (u8, u8, u8, u8),
    hex: &'static str,
    effect_zh: &'static str,
    measures_zh: &'static str,
    effect_en: &'static str,
    measures_en: &'static str,
}

static LEVELS: [LevelData; 6] = [
    LevelData {
        range: (0, Some(50)),
        level_zh: "一级",
        category_zh: "优",
        category_en: "Excellent",
        colour_zh: "绿色",
        colour_en: "green",
        rgb: (0, 228, 0),
        cmyk: (40, 0, 100, 0),
        hex: "#00E400",
        effect_zh: "空气质量令人满意，基本无空气污染",
        measures_zh: "各类人群可正常活动",
        effect_en: "Air quality is satisfactory; there is basically no air pollution.",
        measures_en: "Everyone can carry on normal activities.",
    },
    LevelData {
        range: (51, Some(100)),
        level_zh: "二级",
        category_zh: "良",
        category_en: "Good",
        colour_zh: "黄色",
        colour_en: "yellow",
        rgb: (255, 255, 0),
        cmyk: (0, 0, 100, 0),
        hex: "#FFFF00",
        effect_zh: "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
        measures_zh: "极少数异常敏感人群应减少户外活动",
        effect_en: "Air quality is acceptable, but some pollutants may have a weak effect on the \
                    health of a very small number of unusually sensitive people.",
        measures_en: "The very few unusually sensitive people should reduce outdoor activities.",
    },
    LevelData {
        range: (101, Some(150)),
        level_zh: "三级",
        category_zh: "轻度污染",
        category_en: "Lightly polluted",
        colour_zh: "橙色",
        colour_en: "orange",
        rgb: (255, 126, 0),
        cmyk: (0, 52, 100, 0),
        hex: "#FF7E00",
        effect_zh: "易感人群症状有轻度加剧，健康人群出现刺激症状",
        measures_zh: "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
        effect_en: "Symptoms of susceptible people are slightly aggravated; healthy people show \
                    symptoms of irritation.",
        measures_en: "Children, the elderly and people with heart or respiratory disease should \
                      reduce prolonged, high-intensity outdoor exercise.",
    },
    LevelData {
        range: (151, Some(200)),
        level_zh: "四级",
        category_zh: "中度污染",
        category_en: "Moderately polluted",
        colour_zh: "红色",
        colour_en: "red",
        rgb: (255, 0, 0),
        cmyk: (0, 100, 100, 0),
        hex: "#FF0000",
        effect_zh: "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
        measures_zh: "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，\
                      一般人群适量减少户外运动",
        effect_en: "Symptoms of susceptible people are further aggravated; the heart and \
                    respiratory system of healthy people may be affected.",
        measures_en: "Children, the elderly and people with heart or respiratory disease should \
                      avoid prolonged, high-intensity outdoor exercise; everyone else should \
                      moderately reduce outdoor exercise.",
    },
    LevelData {
        range: (201, Some(300)),
        level_zh: "五级",
        category_zh: "重度污染",
        category_en: "Heavily polluted",
        colour_zh: "紫色",
        colour_en: "purple",
        rgb: (153, 0, 76),
        cmyk: (10, 100, 40, 30),
        hex: "#99004C",
        effect_zh: "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        measures_zh:
            "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动",
        effect_en: "Symptoms of people with heart or lung disease are markedly aggravated and \
                    exercise tolerance falls; healthy people commonly show symptoms.",
        measures_en: "Children, the elderly and people with heart or lung disease should stay \
                      indoors and stop outdoor exercise; everyone else should reduce outdoor \
                      exercise.",
    },
    LevelData {
        range: (301, None),
        level_zh: "六级",
        category_zh: "严重污染",
        category_en: "Severely polluted",
        colour_zh: "褐红色",
        colour_en: "maroon",
        rgb: (126, 0, 35),
        cmyk: (30, 100, 100, 30),
        hex: "#7E0023",
        effect_zh: "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
        measures_zh: "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
        effect_en: "Exercise tolerance of healthy people falls, with marked, strong symptoms; \
                    some diseases appear early.",
        measures_en: "Children, the elderly and the sick should stay indoors and avoid physical \
                      exertion; everyone else should avoid outdoor activities.",
    },
];

impl Level {
    /// The six levels, from 一级 to 六级.
    pub const ALL: [Level; 6] = [
        Level::One,
        Level::Two,
        Level::Three,
        Level::Four,
        Level::Five,
        Level::Six,
    ];

    /// The level of an AQI: 0–50 one, 51–100 two, 101–150 three, 151–200 four, 201–300 five,
    /// above 300 six.
    pub const fn from_aqi(aqi: u16) -> Level {
        match aqi {
            0..=50 => Level::One,
            51..=100 => Level::Two,
            101..=150 => Level::Three,
            151..=200 => Level::Four,
            201..=300 => Level::Five,
            _ => Level::Six,
        }
    }

    /// The level from its number 1–6.
    pub const fn from_number(n: u8) -> Option<Level> {
        match n {
            1..=6 => Some(Level::ALL[n as usize - 1]),
            _ => None,
        }
    }

    const fn data(self) -> &'static LevelData {
        &LEVELS[self as usize - 1]
    }

    /// The number 1–6.
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// The AQI range, `(min, max)`; level six has no maximum.
    pub const fn aqi_range(self) -> (u16, Option<u16>) {
        self.data().range
    }

    /// 一级 … 六级.
    pub const fn level_zh(self) -> &'static str {
        self.data().level_zh
    }

    /// 优, 良, 轻度污染, 中度污染, 重度污染, 严重污染.
    pub const fn category_zh(self) -> &'static str {
        self.data().category_zh
    }

    /// Excellent, Good, Lightly polluted, Moderately polluted, Heavily polluted, Severely
    /// polluted (the names of `aqi_cn_levels.csv`).
    pub const fn category_en(self) -> &'static str {
        self.data().category_en
    }

    /// 绿色, 黄色, 橙色, 红色, 紫色, 褐红色.
    pub const fn colour_zh(self) -> &'static str {
        self.data().colour_zh
    }

    /// green, yellow, orange, red, purple, maroon.
    pub const fn colour_en(self) -> &'static str {
        self.data().colour_en
    }

    /// The colour as (R, G, B).
    pub const fn rgb(self) -> (u8, u8, u8) {
        self.data().rgb
    }

    /// The colour as (C, M, Y, K) in percent.
    pub const fn cmyk(self) -> (u8, u8, u8, u8) {
        self.data().cmyk
    }

    /// The colour as `#RRGGBB`.
    pub const fn hex(self) -> &'static str {
        self.data().hex
    }

    /// 对健康影响情况: the health effect, in Chinese (HJ 633-2012 Table 2).
    pub const fn health_effect_zh(self) -> &'static str {
        self.data().effect_zh
    }

    /// 建议采取的措施: the recommended measures, in Chinese (HJ 633-2012 Table 2).
    pub const fn measures_zh(self) -> &'static str {
        self.data().measures_zh
    }

    /// The health effect in English (our translation, not verbatim).
    pub const fn health_effect_en(self) -> &'static str {
        self.data().effect_en
    }

    /// The recommended measures in English (our translation, not verbatim).
    pub const fn measures_en(self) -> &'static str {
        self.data().measures_en
    }
}

impl Serialize for Level {
    /// `{"level": 2, "category_zh": "良", "category_en": "Good", "colour": "#FFFF00"}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Level", 4)?;
        s.serialize_field("level", &self.number())?;
        s.serialize_field("category_zh", self.category_zh())?;
        s.serialize_field("category_en", self.category_en())?;
        s.serialize_field("colour", self.hex())?;
        s.end()
    }
}
