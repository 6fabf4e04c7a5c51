//! An S3 endpoint for tests: a Moto server (the S3 implementation LocalStack is built on, which
//! `object_store`'s own S3 tests run against) started on a free loopback port for one test and
//! stopped when it ends. `scripts/test` installs it (`pip install 'moto[server]'`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ecolake_store::LakeLocation;

/// A running Moto S3 server; killed on drop, taking its (in-memory) buckets with it.
pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Starts a server and waits until it answers.
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while moto.request("GET", "/").is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!(
                    "the Moto S3 server exited ({status}); install it with \
                     `python3 -m pip install 'moto[server]'` (scripts/test does)"
                );
            }
            assert!(Instant::now() < deadline, "Moto did not answer within 60 s");
            // Polling for readiness: the server gives no other sign that it listens.
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Creates a bucket.
    pub fn bucket(&self, name: &str) {
        let response = self
            .request("PUT", &format!("/{name}"))
            .expect("Moto answers");
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "creating bucket {name}: {response}"
        );
    }

    /// A lake at `s3://bucket/prefix` on this server, with its endpoint and test credentials.
    pub fn location(&self, bucket: &str, prefix: &str) -> LakeLocation {
        let option = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        LakeLocation {
            url: Some(format!("s3://{bucket}/{prefix}")),
            options: vec![
                option("aws_endpoint", &format!("http://127.0.0.1:{}", self.port)),
                option("aws_allow_http", "true"),
                option("aws_access_key_id", "ecolake-test"),
                option("aws_secret_access_key", "ecolake-test-secret"),
                option("aws_region", "us-east-1"),
            ],
        }
    }

    fn request(&self, method: &str, path: &str) -> std::io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n",
            self.port
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
