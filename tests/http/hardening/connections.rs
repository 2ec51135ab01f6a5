use super::*;

fn connect(addr: &str) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(addr).unwrap();
    // A bound on how long this test waits for the server, not a measurement.
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    s
}

/// Read until the server closes the connection; what it sent before closing.
fn read_until_closed(s: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
    String::from_utf8_lossy(&buf).to_string()
}

/// A stalled request head, a body sent too slowly and an idle keep-alive connection are each
/// closed by the server (slowloris).
#[test]
fn stalled_headers_slow_bodies_and_idle_connections_are_cut_off() {
    use std::io::Write;
    let app = spawn_app_with(|c| {
        c.header_timeout = 1;
        c.body_timeout = 1;
    });
    let addr = app.base.trim_start_matches("http://").to_string();
    // A head that never ends.
    let mut s = connect(&addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    read_until_closed(&mut s);
    // A body that never arrives in full: 408 with the JSON error.
    let mut s = connect(&addr);
    s.write_all(
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
    )
    .unwrap();
    let answer = parse_raw_response(&read_until_closed(&mut s));
    assert_eq!(answer.status, 408, "{}", answer.text);
    assert_eq!(answer.json()["error"], "request_timeout");
    // A keep-alive connection that goes idle after one request.
    let mut s = connect(&addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Under `ulimit -n 1024`, 1,100 idle sockets neither starve `/healthz` nor make the server
/// run out of descriptors: connections beyond the cap wait in the accept queue.
#[test]
fn idle_sockets_beyond_the_descriptor_limit_leave_healthz_answering() {
    // About sockets of the real binary (on its SQLite file), not about the back end.
    if skip_in_the_postgres_run("idle_sockets_beyond_the_descriptor_limit_leave_healthz_answering")
    {
        return;
    }
    raise_own_descriptor_limit(4096);
    let served = serve_binary(&[("WARDEN_HEADER_TIMEOUT", "2")], Some(1024));
    let mut idle = Vec::new();
    for _ in 0..1100 {
        idle.push(std::net::TcpStream::connect(&served.addr).unwrap());
    }
    // Another client (another address) is served: the idle sockets' address may hold only
    // half of the connections.
    let reply = get_from("127.0.0.2", &served.addr, "/healthz");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    drop(idle);
    let said: Vec<String> = served.stderr.try_iter().collect();
    assert!(
        !said.iter().any(|l| l.contains("Too many open files")),
        "{said:?}"
    );
}

/// GET `path` from a given loopback source address over a fresh connection.
fn get_from(source: &str, addr: &str, path: &str) -> String {
    use std::io::Write;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (source, target): (std::net::SocketAddr, std::net::SocketAddr) = (
        format!("{source}:0").parse().unwrap(),
        addr.parse().unwrap(),
    );
    let stream = runtime.block_on(async move {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(source).unwrap();
        socket.connect(target).await.unwrap()
    });
    let mut stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_until_closed(&mut stream)
}

/// One address holding idle connections (and reopening them) cannot take every slot:
/// beyond its share its connections are closed at once, and another client is served.
#[test]
fn one_address_cannot_hold_every_connection() {
    // About connections to the real binary (on its SQLite file), not about the back end.
    if skip_in_the_postgres_run("one_address_cannot_hold_every_connection") {
        return;
    }
    let served = serve_binary(&[("WARDEN_MAX_CONNECTIONS", "40")], None);
    let mut idle = Vec::new();
    for _ in 0..60 {
        idle.push(std::net::TcpStream::connect(&served.addr).unwrap());
    }
    let reply = get_from("127.0.0.2", &served.addr, "/healthz");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    // The hog's connections beyond its share (20 of 40) were closed by the server.
    let mut closed = 0;
    for s in &mut idle {
        s.set_read_timeout(Some(std::time::Duration::from_millis(200)))
            .unwrap();
        let mut byte = [0u8; 1];
        if matches!(std::io::Read::read(s, &mut byte), Ok(0)) {
            closed += 1;
        }
    }
    assert!(closed >= 40, "closed: {closed}");
}

/// Let this test process hold `want` descriptors (up to the hard limit), whatever the soft
/// limit of the shell that started it.
fn raise_own_descriptor_limit(want: u64) {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < want {
            l.rlim_cur = want.min(l.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}

/// A body that arrives after its head (a second TCP segment, as Nagle and delayed ACK make of
/// a small body) is read before the answer, even by a handler that ignores it, so the
/// keep-alive connection the answer promises really stays open for the next request.
#[test]
fn a_late_body_keeps_the_connection_alive() {
    use std::io::{BufRead, BufReader, Read, Write};
    let app = spawn_app();
    let admin = app.admin_token();
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /admin/v1/users/alice/unlock HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The segment with the body follows later (a network delay, not a clock).
    std::thread::sleep(std::time::Duration::from_millis(300));
    stream.write_all(b"{}").unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let read_reply = |reader: &mut BufReader<std::net::TcpStream>| -> (String, String) {
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let mut length = 0usize;
        let mut headers = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            headers.push_str(&line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (status, headers + &String::from_utf8_lossy(&body))
    };
    let (status, rest) = read_reply(&mut reader);
    assert!(status.contains(" 200 "), "{status}{rest}");
    assert!(
        !rest.to_ascii_lowercase().contains("connection: close"),
        "{rest}"
    );
    // The same connection serves the next request.
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .unwrap();
    let (status, rest) = read_reply(&mut reader);
    assert!(status.contains(" 200 "), "{status}{rest}");
}
