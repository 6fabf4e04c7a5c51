//! The DataFusion session over the store and the registry, SQL functions (aqi, iaqi, water
//! class) and analytics (trend, correlation, interpolation). Filled by the store (#3) and analytics
//! (#6) issues.
