//! A fault-injecting TCP proxy on loopback, Toxiproxy-style, between the app
//! crate and ehr-central.
//!
//! While faults are on, each new connection draws one fault from a seeded
//! generator: pass (for a short random lifetime, then cut, possibly in the
//! middle of a request or an answer), drop at once, reset (RST), delay,
//! cut after the server answered (so the server committed but the client
//! never hears), a 503 from the proxy itself, or a 502 after the server
//! answered. With faults off, every connection passes untouched.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What happened to connections, by fault.
#[derive(Debug, Default)]
pub struct Counts {
    /// Passed (faults off, or the pass fault).
    pub passed: AtomicU64,
    /// Closed at once.
    pub dropped: AtomicU64,
    /// Reset with RST.
    pub reset: AtomicU64,
    /// Delayed, then passed.
    pub delayed: AtomicU64,
    /// Cut after the server answered.
    pub cut_after_commit: AtomicU64,
    /// Answered 503 by the proxy.
    pub fake_503: AtomicU64,
    /// Answered 502 after the server answered.
    pub fake_502_after_commit: AtomicU64,
}

/// A running proxy; stops accepting on drop.
pub struct FaultProxy {
    /// The address clients connect to.
    pub addr: SocketAddr,
    faults: Arc<AtomicBool>,
    canned: Arc<Mutex<Option<Canned>>>,
    stop: Arc<AtomicBool>,
    /// What happened so far.
    pub counts: Arc<Counts>,
}

/// An answer the proxy gives every new connection itself.
#[derive(Clone)]
struct Canned {
    status: u16,
    content_type: &'static str,
    body: String,
}

#[derive(Clone, Copy)]
enum Fault {
    Pass,
    Drop,
    Reset,
    Delay,
    CutAfterCommit,
    Fake503,
    Fake502AfterCommit,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

impl FaultProxy {
    /// Forward loopback connections to `upstream`, faults off.
    pub fn start(upstream: SocketAddr, seed: u64) -> Result<FaultProxy, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let faults = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(Counts::default());
        let canned: Arc<Mutex<Option<Canned>>> = Arc::new(Mutex::new(None));
        let rng = Arc::new(Mutex::new(Rng(seed)));
        let (f, s, c, k) = (faults.clone(), stop.clone(), counts.clone(), canned.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let answer = k.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        if let Some(answer) = answer {
                            std::thread::spawn(move || answer_with(client, &answer));
                            continue;
                        }
                        let (fault, lifetime, delay) = {
                            let mut r = rng.lock().unwrap_or_else(|p| p.into_inner());
                            let fault = if f.load(Ordering::Relaxed) {
                                match r.below(100) {
                                    0..=39 => Fault::Pass,
                                    40..=49 => Fault::Drop,
                                    50..=59 => Fault::Reset,
                                    60..=69 => Fault::Delay,
                                    70..=84 => Fault::CutAfterCommit,
                                    85..=92 => Fault::Fake503,
                                    _ => Fault::Fake502AfterCommit,
                                }
                            } else {
                                Fault::Pass
                            };
                            (fault, 20 + r.below(600), r.below(400))
                        };
                        let faulty = f.clone();
                        let counts = c.clone();
                        std::thread::spawn(move || {
                            handle(client, upstream, fault, lifetime, delay, &faulty, &counts)
                        });
                    }
                    Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Ok(FaultProxy {
            addr,
            faults,
            canned,
            stop,
            counts,
        })
    }

    /// The URL clients use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Turn faults on or off (for new connections).
    pub fn set_faults(&self, on: bool) {
        self.faults.store(on, Ordering::Relaxed);
    }

    /// Answer every new connection with this status and body (the proxy's
    /// own, as a firewall or a misrouted path would), or pass them again.
    pub fn set_answer(&self, answer: Option<(u16, &'static str, &str)>) {
        *self.canned.lock().unwrap_or_else(|p| p.into_inner()) =
            answer.map(|(status, content_type, body)| Canned {
                status,
                content_type,
                body: body.to_owned(),
            });
    }

    /// How many connections met a fault (not passed untouched).
    pub fn faults_injected(&self) -> u64 {
        let c = &self.counts;
        [
            &c.dropped,
            &c.reset,
            &c.delayed,
            &c.cut_after_commit,
            &c.fake_503,
            &c.fake_502_after_commit,
        ]
        .iter()
        .map(|a| a.load(Ordering::Relaxed))
        .sum()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn answer_with(mut c: TcpStream, a: &Canned) {
    let _ = c.set_read_timeout(Some(Duration::from_millis(500)));
    // Read the request head (and whatever of the body came with it).
    let mut buf = [0u8; 64 * 1024];
    let _ = c.read(&mut buf);
    let _ = write!(
        c,
        "HTTP/1.1 {} X\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
        a.status,
        a.content_type,
        a.body.len(),
        a.body
    );
    let _ = c.flush();
    let _ = c.shutdown(Shutdown::Write);
}

fn reset(s: &TcpStream) {
    let sock = socket2::SockRef::from(s);
    let _ = sock.set_linger(Some(Duration::ZERO));
}

fn handle(
    client: TcpStream,
    upstream: SocketAddr,
    fault: Fault,
    lifetime_ms: u64,
    delay_ms: u64,
    faulty: &AtomicBool,
    counts: &Counts,
) {
    let bump = |a: &AtomicU64| {
        a.fetch_add(1, Ordering::Relaxed);
    };
    match fault {
        Fault::Drop => {
            bump(&counts.dropped);
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        Fault::Reset => {
            bump(&counts.reset);
            reset(&client);
            return;
        }
        Fault::Fake503 => {
            bump(&counts.fake_503);
            let mut c = client;
            let _ = c.set_read_timeout(Some(Duration::from_millis(200)));
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let body =
                r#"{"code":"internal","field":null,"message_en":"proxy","message_zh":"代理"}"#;
            let _ = write!(
                c,
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            return;
        }
        Fault::Delay => {
            bump(&counts.delayed);
            std::thread::sleep(Duration::from_millis(delay_ms));
        }
        Fault::Pass => bump(&counts.passed),
        Fault::CutAfterCommit => bump(&counts.cut_after_commit),
        Fault::Fake502AfterCommit => bump(&counts.fake_502_after_commit),
    }
    let Ok(server) = TcpStream::connect(upstream) else {
        reset(&client);
        return;
    };
    let _ = server.set_nodelay(true);
    let _ = client.set_nodelay(true);
    let (Ok(mut c_read), Ok(mut s_write)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    // Client → server, as is.
    let up = std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = c_read.read(&mut buf) {
            if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = s_write.shutdown(Shutdown::Write);
    });
    let mut s_read = server;
    let mut c_write = client;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16 * 1024];
    let _ = s_read.set_read_timeout(Some(Duration::from_millis(50)));
    loop {
        // A passing connection lives a short random while while faults are
        // on, then is cut wherever it is.
        if matches!(fault, Fault::Pass | Fault::Delay)
            && faulty.load(Ordering::Relaxed)
            && started.elapsed() > Duration::from_millis(lifetime_ms)
        {
            reset(&c_write);
            let _ = s_read.shutdown(Shutdown::Both);
            break;
        }
        match s_read.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => match fault {
                Fault::CutAfterCommit => {
                    // The server answered, so it committed: the client never hears.
                    reset(&c_write);
                    let _ = s_read.shutdown(Shutdown::Both);
                    break;
                }
                Fault::Fake502AfterCommit => {
                    let _ = c_write.write_all(
                        b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    );
                    let _ = c_write.shutdown(Shutdown::Both);
                    let _ = s_read.shutdown(Shutdown::Both);
                    break;
                }
                _ => {
                    if c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            },
            Err(ref e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    let _ = c_write.shutdown(Shutdown::Both);
    let _ = up.join();
}
