//! Test support (not part of warden's API): a throwaway PostgreSQL cluster for the test
//! suites, one per test process, with a fresh database per test.
//!
//! `WARDEN_TEST_POSTGRES_URL` (a superuser URL of a running server) is used when set.
//! Otherwise the server programs are looked for in `/usr/lib/postgresql/*/bin` and on the
//! `PATH`; the cluster is made with `initdb` in a temporary directory, started with `pg_ctl`
//! on a free loopback port (as the `postgres` user when the tests run as root, since
//! PostgreSQL refuses root), and stopped and removed when the test process ends (a small
//! watchdog process waits for it). Without the programs, [`database`] says why and the
//! PostgreSQL variant of a test passes as skipped.
//!
//! [`Cluster::start_tls`] makes a cluster of one's own that takes TCP connections over TLS
//! only (`ssl = on`, `hostssl` lines), with a certificate the test gives ([`TlsFiles`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A running server to make databases on: a superuser URL without a database name.
struct Server {
    /// `postgres://user@host:port` (no path).
    base: String,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// A fresh, empty database on the test server, as a URL; `Err` says why there is none
/// (PostgreSQL is not installed here). Every call makes a new database, so tests stay
/// independent; they all live in the one cluster of this test process.
pub async fn database() -> Result<String, String> {
    let server = SERVER
        .get_or_init(|| match std::env::var("WARDEN_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Ok(Server {
                base: strip_database(&url),
            }),
            _ => start_cluster(),
        })
        .as_ref()
        .map_err(Clone::clone)?;
    let name = format!("warden_test_{}", crate::util::random_id().to_lowercase());
    let admin = format!("{}/postgres", server.base);
    let mut last = String::new();
    // CREATE DATABASE copies a template, which refuses while another CREATE DATABASE reads
    // it: a few tries, briefly apart, get through.
    for _ in 0..20 {
        match create(&admin, &name).await {
            Ok(()) => return Ok(format!("{}/{name}", server.base)),
            Err(e) => last = e,
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("cannot create a test database: {last}"))
}

/// [`database`], printing why a PostgreSQL variant of a test is skipped when there is none.
pub async fn database_or_skip(test: &str) -> Option<String> {
    match database().await {
        Ok(url) => Some(url),
        Err(why) => {
            eprintln!("skipped the PostgreSQL variant of {test}: {why}");
            None
        }
    }
}

async fn create(admin_url: &str, name: &str) -> Result<(), String> {
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(connection);
    let result = client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| e.to_string());
    drop(client);
    let _ = driver.await;
    result
}

/// `postgres://u@h:p/db?x` -> `postgres://u@h:p`.
fn strip_database(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{authority}")
}

/// Where `initdb` and `pg_ctl` are: the newest `/usr/lib/postgresql/<n>/bin`, else the PATH.
fn server_programs() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
    })
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A command run as the cluster's owner: `runuser -u postgres --` when root.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start_cluster() -> Result<Server, String> {
    let cluster = Cluster::start()?;
    let base = cluster.base.clone();
    // The process-wide cluster lives as long as the process (the watchdog stops it).
    std::mem::forget(cluster);
    Ok(Server { base })
}

/// What a cluster started with [`Cluster::start_tls`] serves TLS with.
pub struct TlsFiles {
    /// The server's certificate (PEM), followed by any intermediate certificates.
    pub certificate: String,
    /// The certificate's private key (PEM).
    pub key: String,
    /// pg_hba.conf lines placed before the catch-all `hostssl all all 127.0.0.1/32 trust`
    /// (for instance a user who must give a password).
    pub hba: Vec<String>,
}

/// A throwaway cluster of one's own, for a test that stops and starts the database (so
/// that the shared cluster of the other tests is not disturbed). Dropping it stops it.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    data: PathBuf,
    port: u16,
    /// Whether TCP connections must use TLS (made by [`Cluster::start_tls`]); the cluster's
    /// own housekeeping then goes through its Unix socket.
    tls_only: bool,
    /// `postgres://postgres@127.0.0.1:<port>` (no database).
    pub base: String,
}

impl Cluster {
    /// Make and start a cluster (see the module documentation); `Err` says why not.
    pub fn start() -> Result<Cluster, String> {
        Cluster::make(None)
    }

    /// [`Cluster::start`] with `ssl = on`, serving `files`' certificate, and a pg_hba.conf
    /// that takes TCP connections over TLS only (`hostssl`, as managed services do), plus
    /// trusted local (Unix socket) connections. [`Cluster::database`] works as usual.
    pub fn start_tls(files: &TlsFiles) -> Result<Cluster, String> {
        Cluster::make(Some(files))
    }

    /// The port the server listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's own directory, removed with it: a place for a test's files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn make(tls: Option<&TlsFiles>) -> Result<Cluster, String> {
        let bin = server_programs().ok_or_else(|| {
            "PostgreSQL's server programs (initdb, pg_ctl) are not installed: none in /usr/lib/postgresql/*/bin or on the PATH; install them (apt-get install postgresql) or set WARDEN_TEST_POSTGRES_URL".to_owned()
        })?;
        let dir = std::env::temp_dir().join(format!(
            "warden-pg-{}-{}",
            std::process::id(),
            crate::util::random_id().to_lowercase()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !status.success() {
                return Err(
                    "cannot hand the cluster directory to the postgres user (is there one?)".into(),
                );
            }
        }
        let data = dir.join("data");
        let output = as_owner(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        if let Some(files) = tls {
            serve_tls(&data, files)?;
        }
        let cluster = Cluster {
            base: format!("postgres://postgres@127.0.0.1:{port}"),
            bin,
            dir,
            data,
            port,
            tls_only: tls.is_some(),
        };
        cluster.resume()?;
        // The watchdog: once this test process is gone (ended or killed), stop the cluster
        // at once and remove its directory.
        let owner = if is_root() {
            "runuser -u postgres -- "
        } else {
            ""
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; {owner}'{pg_ctl}' -D '{data}' stop -m immediate >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            pg_ctl = cluster.bin.join("pg_ctl").display(),
            data = cluster.data.display(),
            dir = cluster.dir.display(),
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the cluster's watchdog: {e}"))?;
        Ok(cluster)
    }

    /// A fresh database on this cluster, as a URL.
    pub async fn database(&self) -> Result<String, String> {
        let name = format!("warden_test_{}", crate::util::random_id().to_lowercase());
        let admin = match self.tls_only {
            // TCP takes TLS only; the socket (in the cluster's directory) is trusted.
            true => format!(
                "host={} port={} user=postgres dbname=postgres",
                self.dir.display(),
                self.port
            ),
            false => format!("{}/postgres", self.base),
        };
        create(&admin, &name).await?;
        Ok(format!("{}/{name}", self.base))
    }

    /// Stop the server (fast shutdown: sessions are cut, as when a database goes away).
    pub fn stop(&self) -> Result<(), String> {
        self.pg_ctl(&["-m", "fast", "-w", "stop"])
    }

    /// Start the server again, on the same port.
    pub fn resume(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            self.port,
            self.dir.display()
        );
        self.pg_ctl(&["-o", &options, "-w", "-t", "30", "start"])
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let output = as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if !output.status.success() {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            return Err(format!(
                "pg_ctl {args:?} failed: {}{log}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    }
}

/// Make the cluster in `data` serve TLS with `files`: the certificate and key in the data
/// directory (mode 0600 and owned by the server's user, as PostgreSQL demands of a key),
/// `ssl = on`, and a pg_hba.conf with `hostssl` lines only for TCP.
fn serve_tls(data: &Path, files: &TlsFiles) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    for (name, pem) in [
        ("server.crt", &files.certificate),
        ("server.key", &files.key),
    ] {
        let path = data.join(name);
        std::fs::write(&path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot chmod {}: {e}", path.display()))?;
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&path)
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "cannot hand {} to the postgres user",
                    path.display()
                ));
            }
        }
    }
    let conf = data.join("postgresql.conf");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .and_then(|mut f| {
            f.write_all(b"\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
        })
        .map_err(|e| format!("cannot write {}: {e}", conf.display()))?;
    let mut hba = String::from("local all all trust\n");
    for line in &files.hba {
        hba.push_str(line);
        hba.push('\n');
    }
    hba.push_str("hostssl all all 127.0.0.1/32 trust\n");
    let path = data.join("pg_hba.conf");
    // Written over the file initdb made, which keeps its owner.
    std::fs::write(&path, hba).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "stop"]);
    }
}
