//! National environmental standards as compiled-in tables: China AQI (HJ 633-2012 and -2026), US
//! EPA AQI with NowCast, GB 3095 limits and HJ 663 assessment, GB 3838 surface-water classes and
//! environmental-tax pollution equivalents. Filled by the analytics issue (#6).
