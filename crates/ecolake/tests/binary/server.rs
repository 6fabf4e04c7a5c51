//! A running `ecolake serve` on free loopback ports, for the end-to-end tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::path_str;

/// The admin token every test server starts with (`ECOLAKE_BOOTSTRAP_TOKEN`); the helpers below
/// send it unless a test names another credential.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdefghijklmnopqrstuvwxyz";

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// A header's value (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running `ecolake serve`.
pub struct Server {
    pub child: Child,
    pub hj212: String,
    /// `--hj212-tls`'s address, if given.
    pub hj212_tls: Option<String>,
    pub http: String,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(cwd: &Path, data: &Path, extra: &[&str]) -> Server {
        Server::start_at(cwd, data, "127.0.0.1:0", extra)
    }

    /// [`Server::start`] with the HJ 212 server on `hj212`.
    pub fn start_at(cwd: &Path, data: &Path, hj212: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecolake"))
            .args(["serve", "--data-dir", path_str(data)])
            .args(["--hj212", hj212, "--http", "127.0.0.1:0"])
            .args(extra)
            .env("ECOLAKE_LOG", "warn,ecolake_ingest=info")
            .env("ECOLAKE_BOOTSTRAP_TOKEN", ADMIN_TOKEN)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("serving ") {
                    let _ = tx.send(());
                }
                lines.lock().unwrap().push(line);
            }
        });
        rx.recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("serve did not start: {:?}", log.lock().unwrap()));
        let addr = |prefix: &str| {
            log.lock()
                .unwrap()
                .iter()
                .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
                .unwrap()
        };
        let (hj212, http) = (addr("hj212 listening on "), addr("http listening on "));
        let hj212_tls = log.lock().unwrap().iter().find_map(|l| {
            l.strip_prefix("hj212 (tls) listening on ")
                .map(str::to_owned)
        });
        Server {
            child,
            hj212,
            hj212_tls,
            http,
            log,
        }
    }

    /// `GET path` as the admin: the raw answer (status line, headers, body).
    pub fn get(&self, path: &str) -> String {
        raw(
            &self.http,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                 Authorization: Bearer {ADMIN_TOKEN}\r\n\r\n"
            ),
        )
    }

    /// POSTs `body` as the admin; the status code and the JSON answer.
    pub fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, serde_json::Value) {
        let a = self.request("POST", path, Some(ADMIN_TOKEN), Some((content_type, body)));
        (a.status, a.json())
    }

    /// Any request: `token` for `Authorization: Bearer` (none: anonymous), an optional body
    /// with its content type. Chunked answers are joined.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> Answer {
        self.request_with(method, path, token, body, &[])
    }

    /// [`Server::request`] with more headers.
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &str)>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        if let Some(t) = token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        let body = match body {
            Some((ct, b)) => {
                head.push_str(&format!(
                    "Content-Type: {ct}\r\nContent-Length: {}\r\n",
                    b.len()
                ));
                b
            }
            None => "",
        };
        head.push_str("\r\n");
        head.push_str(body);
        parse_answer(&raw(&self.http, &head))
    }

    /// SIGTERM; the exit must be clean.
    pub fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = wait(&mut self.child, Duration::from_secs(60));
        let log = self.log.lock().unwrap().clone();
        assert_eq!(status.code(), Some(0), "serve log: {log:?}");
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `request` and reads the whole answer.
fn raw(addr: &str, request: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTP/1.1 answer's parts (a chunked body joined).
fn parse_answer(raw: &str) -> Answer {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or("")[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 || tail.len() < n {
                break;
            }
            out.push_str(&tail[..n]);
            rest = tail[n..].strip_prefix("\r\n").unwrap_or(&tail[n..]);
        }
        out
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

pub fn wait(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(start.elapsed() < limit, "process did not exit in {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Server {
    /// `GET /api/v1/ingest/stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        let answer = self.get("/api/v1/ingest/stats");
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap()
    }

    /// Waits until the server's log has a line containing `text`.
    pub fn wait_for_log(&self, text: &str, limit: Duration) {
        let start = Instant::now();
        while !self.log.lock().unwrap().iter().any(|l| l.contains(text)) {
            assert!(
                start.elapsed() < limit,
                "no `{text}` in the log: {:?}",
                self.log.lock().unwrap()
            );
            // Polling a log another process writes: no event to wait on; bounded above.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Server {
    /// `GET path`: the status code and the JSON answer.
    pub fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let answer = self.get(path);
        let status = answer[9..12].parse().unwrap();
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        let json = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {answer}"));
        (status, json)
    }
}
