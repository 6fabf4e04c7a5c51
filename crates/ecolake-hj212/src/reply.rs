//! The packets a host sends: replies to what a station sent (9011, 9012, 9013, 9014) and the
//! requests of Table 9 that a platform drives.

use std::borrow::Cow;

use crate::{Command, Edition, ExeRtn, Packet, QnRtn};

/// Flag of replies in the standard's examples: version 1, no D, no A.
const REPLY_FLAG_2017: u8 = 4;

/// The header of a reply to `to`: ST=91, the same QN, PW and MN. HJ/T 212-2005 stations
/// (version 0 or no Flag) get a 2005 reply: Flag=0 and the request's QN inside CP.
fn reply<'a>(to: &Packet<'a>, cn: Command) -> Packet<'a> {
    let v2005 = to.flag.is_none_or(|f| f >> 2 == 0);
    let mut p = Packet {
        st: "91".into(),
        cn: Cow::Owned(cn.code().to_string()),
        pw: to.pw.clone(),
        mn: to.mn.clone(),
        ..Packet::default()
    };
    if v2005 {
        p.flag = to.flag.map(|_| 0);
        if let Some(qn) = &to.qn {
            p.params.push(("QN".into(), qn.clone()));
        }
    } else {
        p.qn = to.qn.clone();
        p.flag = Some(match to.flag.map(|f| f >> 2) {
            Some(v) if v > 1 => v << 2,
            _ => REPLY_FLAG_2017,
        });
    }
    p
}

/// 9014 data reply to an upload that asked for one (Flag A). Returns `None` for packets that
/// must not be answered this way (replies, and uploads that did not ask).
///
/// ```
/// use ecolake_hj212::{decode, encode, reply, Profile};
///
/// let wire = b"##0140QN=20250301120000123;ST=31;CN=2011;PW=123456;MN=0123456789ABCDEF01234567;Flag=5;CP=&&DataTime=20250301120000;a21026-Rtd=12.3,a21026-Flag=N&&42C0\r\n";
/// let up = decode(wire, &Profile::default()).unwrap().packet;
/// let ack = reply::data_ack(&up).unwrap();
/// let out = encode(&ack, &Profile::default()).unwrap();
/// assert_eq!(out, b"##0087QN=20250301120000123;ST=91;CN=9014;PW=123456;MN=0123456789ABCDEF01234567;Flag=4;CP=&&&&6B80\r\n");
/// ```
pub fn data_ack<'a>(to: &Packet<'a>) -> Option<Packet<'a>> {
    (to.wants_ack() && !to.command(Edition::Auto).is_notification())
        .then(|| reply(to, Command::DataReply))
}

/// 9013 notification reply (to 1013 from a station, 2012/2022 from a host).
pub fn notification_ack<'a>(to: &Packet<'a>) -> Packet<'a> {
    reply(to, Command::NotificationReply)
}

/// 9011 request reply with its `QnRtn`.
pub fn request_reply<'a>(to: &Packet<'a>, rtn: QnRtn, edition: Edition) -> Packet<'a> {
    let mut p = reply(to, Command::RequestReply);
    p.params
        .push(("QnRtn".into(), rtn.code_for(edition).to_string().into()));
    p
}

/// 9012 execution result with its `ExeRtn`.
pub fn execution_result<'a>(to: &Packet<'a>, rtn: ExeRtn) -> Packet<'a> {
    let mut p = reply(to, Command::ExecutionResult);
    p.params
        .push(("ExeRtn".into(), rtn.code().to_string().into()));
    p
}

/// A request from the host (Flag=5: version 2017, answer wanted) with CP parameters, e.g.
/// `request("20250301120000123", "123456", mn, Command::SetTime, &[("SystemTime", t)])`.
pub fn request<'a>(
    qn: &'a str,
    pw: &'a str,
    mn: &'a str,
    st: &'a str,
    command: Command,
    params: &[(&'a str, &'a str)],
) -> Packet<'a> {
    Packet {
        qn: Some(qn.into()),
        st: st.into(),
        cn: Cow::Owned(format!("{:04}", command.code())),
        pw: Some(pw.into()),
        mn: mn.into(),
        flag: Some(5),
        params: params
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v)))
            .collect(),
        ..Packet::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Profile};

    fn packet(wire: &[u8]) -> Packet<'_> {
        decode(wire, &Profile::lenient()).unwrap().packet
    }

    #[test]
    fn request_reply_matches_the_standards_example() {
        // C.1: the 9011 answer to a 1000 request.
        let req = packet(b"##0107QN=20160801085857223;ST=32;CN=1000;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&OverTime=5;ReCount=3&&CAC1\r\n");
        let r = request_reply(&req, QnRtn::Ready, Edition::Hj212_2017);
        let wire = encode(&r, &Profile::default()).unwrap();
        assert_eq!(wire, b"##0094QN=20160801085857223;ST=91;CN=9011;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&1B00\r\n");
        let e = execution_result(&req, ExeRtn::Success);
        let wire = encode(&e, &Profile::default()).unwrap();
        assert_eq!(wire, b"##0095QN=20160801085857223;ST=91;CN=9012;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&ExeRtn=1&&6240\r\n");
    }

    #[test]
    fn replies_are_never_acknowledged() {
        let r = packet(b"##0077QN=20210409104103698;ST=21;CN=9014;PW=123456;MN=DXCBZ000000005;Flag=5;CP=&&&&8641\r\n");
        assert!(data_ack(&r).is_none());
    }

    #[test]
    fn a_2005_station_gets_a_2005_reply() {
        let req = packet(b"##0077QN=20040516010101001;ST=32;CN=1061;PW=123456;MN=88888880000001;Flag=3;CP=&&&&5F00\r\n");
        let r = request_reply(&req, QnRtn::Ready, Edition::Hj212_2005);
        let wire = encode(&r, &Profile::default()).unwrap();
        // The 2005 reply form of the corpus (h2005-9011-qn-in-cp).
        assert_eq!(wire, b"##0084ST=91;CN=9011;PW=123456;MN=88888880000001;Flag=0;CP=&&QN=20040516010101001;QnRtn=1&&7200\r\n");
    }

    #[test]
    fn segment_acks_echo_each_segments_qn() {
        // C.50: 9014 for segment 1 echoes its QN …534.
        let seg = packet(b"##0260QN=20160801085857534;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=7;PNUM=2;PNO=1;CP=&&DataTime=20160801080000;w00000-Cou=63.0,w00000-Min=16.4,w00000-Avg=17.5,w00000-Max=20.1,w00000-Flag=N;w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,w01001-Flag=N&&D941\r\n");
        let ack = data_ack(&seg).unwrap();
        let wire = encode(&ack, &Profile::default()).unwrap();
        assert_eq!(wire, b"##0087QN=20160801085857534;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&5B40\r\n");
    }
}
