//! Command codes (CN, spec §5.2 / Table 9) and the return codes of replies (Tables 6 and 7).

use crate::Edition;

macro_rules! commands {
    ($( $(#[$doc:meta])* $name:ident = $code:literal ),* $(,)?) => {
        /// A command code. Every CN of HJ 212-2017 Table 9, the HJ/T 212-2005 commands that
        /// 2017 removed or renumbered, and the vendor heartbeat; any other code is kept as
        /// [`Command::Unknown`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command {
            $( $(#[$doc])* $name, )*
            /// 2005: 3013 equipment operation (2017 reuses 3013 for cleaning).
            EquipmentOperation2005,
            /// 2005: 3014 set sampling period (2017 reuses 3014 for comparison sampling).
            SetSamplingPeriod2005,
            /// A code this table does not know, kept as sent.
            Unknown(u16),
        }

        impl Command {
            /// The command of a code in an edition.
            pub fn from_code(code: u16, edition: Edition) -> Command {
                match (code, edition) {
                    (3013, Edition::Hj212_2005) => Command::EquipmentOperation2005,
                    (3014, Edition::Hj212_2005) => Command::SetSamplingPeriod2005,
                    $( ($code, _) => Command::$name, )*
                    (c, _) => Command::Unknown(c),
                }
            }

            /// The code.
            pub fn code(self) -> u16 {
                match self {
                    $( Command::$name => $code, )*
                    Command::EquipmentOperation2005 => 3013,
                    Command::SetSamplingPeriod2005 => 3014,
                    Command::Unknown(c) => c,
                }
            }
        }
    };
}

commands! {
    /// 1000 set timeout (`OverTime`) and retries (`ReCount`).
    SetTimeoutRetry = 1000,
    /// 1001 (2005) set over-limit alarm time.
    SetAlarmTime = 1001,
    /// 1011 get / upload station time.
    GetTime = 1011,
    /// 1012 set station time.
    SetTime = 1012,
    /// 1013 station asks for time calibration.
    TimeCalibrationRequest = 1013,
    /// 1021 (2005) get pollutant alarm limits.
    GetAlarmLimits = 1021,
    /// 1022 (2005) set pollutant alarm limits.
    SetAlarmLimits = 1022,
    /// 1031 (2005) get host address.
    GetHostAddress = 1031,
    /// 1032 (2005) set host address.
    SetHostAddress = 1032,
    /// 1041 (2005) get data report time.
    GetReportTime = 1041,
    /// 1042 (2005) set data report time.
    SetReportTime = 1042,
    /// 1061 get / upload real-time data interval.
    GetRtdInterval = 1061,
    /// 1062 set real-time data interval.
    SetRtdInterval = 1062,
    /// 1063 get / upload minute-data interval.
    GetMinInterval = 1063,
    /// 1064 set minute-data interval.
    SetMinInterval = 1064,
    /// 1072 set station password.
    SetPassword = 1072,
    /// 2011 start / upload real-time data.
    RealTimeData = 2011,
    /// 2012 stop real-time data.
    StopRealTimeData = 2012,
    /// 2021 start / upload facility running state.
    RunningState = 2021,
    /// 2022 stop running-state upload.
    StopRunningState = 2022,
    /// 2031 get / upload daily data.
    DailyData = 2031,
    /// 2041 get / upload daily facility run time.
    DailyRunTime = 2041,
    /// 2051 get / upload minute data.
    MinuteData = 2051,
    /// 2061 get / upload hourly data.
    HourlyData = 2061,
    /// 2071 (2005) get pollutant alarm records.
    GetAlarmRecords = 2071,
    /// 2072 (2005) upload alarm event.
    AlarmEvent = 2072,
    /// 2081 upload data-logger power-on time.
    RestartTime = 2081,
    /// 3011 zero and span calibration.
    Calibrate = 3011,
    /// 3012 immediate sampling.
    SampleNow = 3012,
    /// 3013 start cleaning / back-blowing.
    Clean = 3013,
    /// 3014 comparison sampling.
    ComparisonSampling = 3014,
    /// 3015 over-limit sample retention / upload retention info.
    SampleRetention = 3015,
    /// 3016 set sampling cycle.
    SetSamplingCycle = 3016,
    /// 3017 get / upload sampling cycle.
    GetSamplingCycle = 3017,
    /// 3018 get / upload sample-output time.
    SampleOutputTime = 3018,
    /// 3019 get / upload instrument unique id.
    InstrumentSn = 3019,
    /// 3020 get / upload station information.
    StationInfo = 3020,
    /// 3021 set station parameter.
    SetStationParam = 3021,
    /// 9011 request reply (`QnRtn`).
    RequestReply = 9011,
    /// 9012 execution result (`ExeRtn`).
    ExecutionResult = 9012,
    /// 9013 notification reply.
    NotificationReply = 9013,
    /// 9014 data reply.
    DataReply = 9014,
    /// 9015 heartbeat (surface-water protocol, HJ 212-2025 per public code; not in 2017).
    Heartbeat = 9015,
}

impl Command {
    /// A reply (9011–9014), which must never be answered.
    pub fn is_reply(self) -> bool {
        matches!(
            self,
            Command::RequestReply
                | Command::ExecutionResult
                | Command::NotificationReply
                | Command::DataReply
        )
    }

    /// A notification, answered with 9013 (2012/2022 from the host, 1013 from a station).
    pub fn is_notification(self) -> bool {
        matches!(
            self,
            Command::StopRealTimeData | Command::StopRunningState | Command::TimeCalibrationRequest
        )
    }

    /// An upload of monitoring data or station state, acknowledged with 9014 when asked.
    pub fn is_data_upload(self) -> bool {
        matches!(
            self,
            Command::RealTimeData
                | Command::RunningState
                | Command::DailyData
                | Command::DailyRunTime
                | Command::MinuteData
                | Command::HourlyData
                | Command::RestartTime
                | Command::AlarmEvent
                | Command::SampleRetention
                | Command::InstrumentSn
                | Command::StationInfo
        )
    }
}

/// Execution result `ExeRtn` (Table 6), sent in 9012.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExeRtn {
    /// 1 success.
    Success,
    /// 2 failed, reason unknown.
    Failed,
    /// 3 request condition error.
    ConditionError,
    /// 4 communication timeout.
    Timeout,
    /// 5 system busy.
    Busy,
    /// 6 system fault.
    Fault,
    /// 100 no data.
    NoData,
}

impl ExeRtn {
    /// The code.
    pub fn code(self) -> u16 {
        match self {
            ExeRtn::Success => 1,
            ExeRtn::Failed => 2,
            ExeRtn::ConditionError => 3,
            ExeRtn::Timeout => 4,
            ExeRtn::Busy => 5,
            ExeRtn::Fault => 6,
            ExeRtn::NoData => 100,
        }
    }

    /// The result of a code.
    pub fn from_code(code: u16) -> Option<ExeRtn> {
        [
            ExeRtn::Success,
            ExeRtn::Failed,
            ExeRtn::ConditionError,
            ExeRtn::Timeout,
            ExeRtn::Busy,
            ExeRtn::Fault,
            ExeRtn::NoData,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// Request return `QnRtn` (Table 7), sent in 9011. The surface-water variant uses 9 for "busy"
/// and 99 for "CRC error"; [`QnRtn::code_for`] writes the right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QnRtn {
    /// 1 ready to execute.
    Ready,
    /// 2 request rejected.
    Rejected,
    /// 3 PW error.
    PwError,
    /// 4 MN error.
    MnError,
    /// 5 ST error.
    StError,
    /// 6 Flag error.
    FlagError,
    /// 7 QN error.
    QnError,
    /// 8 CN error.
    CnError,
    /// 9 CRC error (99 in the surface-water variant).
    CrcError,
    /// 100 unknown error.
    Unknown,
}

impl QnRtn {
    /// The code in an edition.
    pub fn code_for(self, edition: Edition) -> u16 {
        match self {
            QnRtn::Ready => 1,
            QnRtn::Rejected => 2,
            QnRtn::PwError => 3,
            QnRtn::MnError => 4,
            QnRtn::StError => 5,
            QnRtn::FlagError => 6,
            QnRtn::QnError => 7,
            QnRtn::CnError => 8,
            QnRtn::CrcError if edition == Edition::SurfaceWater => 99,
            QnRtn::CrcError => 9,
            QnRtn::Unknown => 100,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in [
            1000, 1011, 2011, 2051, 2061, 2031, 2021, 3020, 9011, 9012, 9013, 9014,
        ] {
            let c = Command::from_code(code, Edition::Hj212_2017);
            assert!(!matches!(c, Command::Unknown(_)), "{code}");
            assert_eq!(c.code(), code);
        }
        assert_eq!(
            Command::from_code(3013, Edition::Hj212_2017),
            Command::Clean
        );
        assert_eq!(
            Command::from_code(3013, Edition::Hj212_2005),
            Command::EquipmentOperation2005
        );
        assert_eq!(
            Command::from_code(4242, Edition::Hj212_2017),
            Command::Unknown(4242)
        );
        assert_eq!(Command::Unknown(4242).code(), 4242);
    }

    #[test]
    fn return_codes() {
        assert_eq!(QnRtn::CrcError.code_for(Edition::Hj212_2017), 9);
        assert_eq!(QnRtn::CrcError.code_for(Edition::SurfaceWater), 99);
        assert_eq!(ExeRtn::from_code(100), Some(ExeRtn::NoData));
        assert_eq!(ExeRtn::from_code(7), None);
    }
}
