//! A running `ecolake serve` on free loopback ports, for the end-to-end tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::path_str;

/// A running `ecolake serve`.
pub struct Server {
    pub child: Child,
    pub hj212: String,
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
        Server {
            child,
            hj212,
            http,
            log,
        }
    }

    pub fn get(&self, path: &str) -> String {
        let mut s = std::net::TcpStream::connect(&self.http).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    /// POSTs `body`; the status code and the JSON answer.
    pub fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, serde_json::Value) {
        let mut s = std::net::TcpStream::connect(&self.http).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out[9..12].parse().unwrap();
        let json = serde_json::from_str(out.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        (status, json)
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
