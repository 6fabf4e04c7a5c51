//! How a simulated data logger answers the platform's requests (HJ 212-2017 §8): a 9011, then
//! what the request asks for, then a 9012 with the same QN.

use chrono::TimeZone;
use ecolake_hj212::{decode, encode, reply, Command, Edition, ExeRtn, Packet, Profile, QnRtn};

use super::{exchange, Answer, Conn, Sim, Tally};

/// Periods one history request is answered with at most.
const MAX_HISTORY: i64 = 10_000;

impl Sim {
    /// Answers `line` if it is a request of the platform; an error if the connection failed.
    pub(super) async fn answer(
        &mut self,
        conn: &mut Conn,
        line: &[u8],
        tally: &mut Tally,
        rng: &mut u64,
    ) -> anyhow::Result<()> {
        let Ok(decoded) = decode(line, &Profile::lenient()) else {
            return Ok(());
        };
        let request = decoded.packet;
        let command = request.command(Edition::Hj212_2017);
        if command.is_reply() || request.mn != self.mn {
            return Ok(());
        }
        tally.requests += 1;
        if command.is_notification() {
            // 2012/2022: stop uploads; a 9013 is the whole answer.
            return send(conn, &reply::notification_ack(&request)).await;
        }
        let step = match command {
            Command::MinuteData => Some(60),
            Command::HourlyData => Some(3600),
            Command::DailyData => Some(86_400),
            _ => None,
        };
        let supported = step.is_some()
            || matches!(
                command,
                Command::SetTimeoutRetry
                    | Command::GetTime
                    | Command::SetTime
                    | Command::GetRtdInterval
                    | Command::SetRtdInterval
                    | Command::GetMinInterval
                    | Command::SetMinInterval
                    | Command::RealTimeData
            );
        let rtn = if supported {
            QnRtn::Ready
        } else {
            QnRtn::Rejected
        };
        send(
            conn,
            &reply::request_reply(&request, rtn, Edition::Hj212_2017),
        )
        .await?;
        if !supported {
            return Ok(());
        }
        let param = |key: &str| request.param(key).map(str::to_owned);
        let exe = match command {
            Command::GetTime => {
                let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
                let time = now.format("%Y%m%d%H%M%S").to_string();
                self.upload(conn, command, &[("SystemTime", &time)]).await?;
                ExeRtn::Success
            }
            Command::GetRtdInterval => {
                let v = self.rtd_interval.to_string();
                self.upload(conn, command, &[("RtdInterval", &v)]).await?;
                ExeRtn::Success
            }
            Command::GetMinInterval => {
                let v = self.min_interval.to_string();
                self.upload(conn, command, &[("MinInterval", &v)]).await?;
                ExeRtn::Success
            }
            Command::SetRtdInterval => set(&mut self.rtd_interval, param("RtdInterval")),
            Command::SetMinInterval => set(&mut self.min_interval, param("MinInterval")),
            _ => match step {
                Some(step) => self.history(conn, &request, step, tally, rng).await?,
                None => ExeRtn::Success,
            },
        };
        send(conn, &reply::execution_result(&request, exe)).await
    }

    /// Sends one upload per period from `BeginTime` to `EndTime`, each waiting for its 9014.
    async fn history(
        &self,
        conn: &mut Conn,
        request: &Packet<'_>,
        step: i64,
        tally: &mut Tally,
        rng: &mut u64,
    ) -> anyhow::Result<ExeRtn> {
        let zone = chrono_tz::Asia::Shanghai;
        let time = |key: &str| {
            request
                .param(key)
                .and_then(|v| chrono::NaiveDateTime::parse_from_str(v, "%Y%m%d%H%M%S").ok())
                .and_then(|t| zone.from_local_datetime(&t).earliest())
                .map(|t| t.timestamp())
        };
        let (Some(begin), Some(end)) = (time("BeginTime"), time("EndTime")) else {
            return Ok(ExeRtn::ConditionError);
        };
        let cn = request.cn_code().unwrap_or(2061);
        // Periods start on the step's boundary in local time (days at local midnight).
        let offset = 8 * 3600;
        let first = (begin + offset + step - 1).div_euclid(step) * step - offset;
        let now = chrono::Utc::now().timestamp();
        let mut sent = 0;
        let mut t = first;
        while t <= end && t <= now && sent < MAX_HISTORY {
            let (wire, qn, _) = self.packet(cn, t, rng);
            let mut later = Vec::new();
            tally.sent += 1;
            match exchange(conn, &wire, &qn, &mut later).await? {
                Answer::Ack => tally.acked += 1,
                Answer::Refused => {
                    tally.rejected += 1;
                    return Ok(ExeRtn::Failed);
                }
            }
            sent += 1;
            t += step;
        }
        Ok(if sent == 0 {
            ExeRtn::NoData
        } else {
            ExeRtn::Success
        })
    }

    /// Sends an upload that answers a get request (no acknowledgement asked).
    async fn upload(
        &self,
        conn: &mut Conn,
        command: Command,
        params: &[(&str, &str)],
    ) -> anyhow::Result<()> {
        let qn = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y%m%d%H%M%S%3f")
            .to_string();
        let mut p = reply::request(&qn, &self.password, &self.mn, "22", command, params);
        p.flag = Some(4);
        send(conn, &p).await
    }
}

/// Sets an interval from a request's parameter.
fn set(value: &mut u32, param: Option<String>) -> ExeRtn {
    match param.and_then(|v| v.parse().ok()) {
        Some(v) => {
            *value = v;
            ExeRtn::Success
        }
        None => ExeRtn::ConditionError,
    }
}

async fn send(conn: &mut Conn, packet: &Packet<'_>) -> anyhow::Result<()> {
    let wire = encode(packet, &Profile::default())?;
    conn.send(&wire).await?;
    Ok(())
}
