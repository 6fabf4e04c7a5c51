//! The few HTTP calls the `hj212` commands make to a running server (`ecolake serve --http`):
//! HTTP/1.1 on a plain TCP connection, one request per connection, JSON answers. The device
//! routes are for operators: the token in `ECOLAKE_TOKEN` (an operator's or admin's API key)
//! goes in `Authorization: Bearer`.

use std::io::{Read, Write};
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

/// The environment variable holding the API token the commands send.
pub const TOKEN_ENV: &str = "ECOLAKE_TOKEN";

/// `GET path`: the JSON body of a 2xx answer.
pub fn get(server: &str, path: &str) -> anyhow::Result<Value> {
    call(server, "GET", path, None)
}

/// `POST path` with a JSON body: the JSON body of a 2xx answer.
pub fn post(server: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
    call(server, "POST", path, Some(body))
}

fn call(server: &str, method: &str, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
    let mut stream = std::net::TcpStream::connect(server)
        .with_context(|| format!("connecting to the server at {server} (ecolake serve --http)"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\nAccept: application/json\r\n"
    )?;
    if let Ok(token) = std::env::var(TOKEN_ENV) {
        write!(stream, "Authorization: Bearer {}\r\n", token.trim())?;
    }
    if method == "POST" {
        write!(
            stream,
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        )?;
    }
    write!(stream, "\r\n{body}")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .with_context(|| format!("{server}: not an HTTP answer"))?;
    let status = head.split(' ').nth(1).unwrap_or("");
    if !status.starts_with('2') {
        let message = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| body.to_owned());
        let hint = match status {
            "401" if std::env::var(TOKEN_ENV).is_err() => {
                format!(" (set {TOKEN_ENV} to an operator's API key)")
            }
            _ => String::new(),
        };
        bail!("{method} {path} on {server}: HTTP {status}: {message}{hint}");
    }
    serde_json::from_str(body).with_context(|| format!("{server}{path}: not JSON"))
}

/// Percent-encodes what an MN may hold that a path may not.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
