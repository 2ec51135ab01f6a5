//! Test support (not part of warden's API): a throwaway PostgreSQL cluster for the test
//! suites, one per test process, with a fresh database per test.
//!
//! `WARDEN_TEST_POSTGRES_URL` (a superuser URL of a running server) is used when set.
//! Otherwise the server programs are looked for in `/usr/lib/postgresql/*/bin` and on the
//! `PATH`; the cluster is made with `initdb` in a temporary directory, started with `pg_ctl`
//! on a free loopback port (as the `postgres` user when the tests run as root, since
//! PostgreSQL refuses root), and stopped and removed when the test process ends (a small
//! watchdog process waits for it).
//!
//! When there is no PostgreSQL, `WARDEN_TEST_POSTGRES` decides (see [`database_or_skip`]):
//! unset, a PostgreSQL variant passes as skipped only when PostgreSQL is *not installed* (a
//! developer's machine), and fails when it is installed but broken (initdb, the start or
//! `CREATE DATABASE` failing: a broken cluster must never pass as a skip); `require` (what CI
//! sets) fails on either, with the reason; `skip` skips the PostgreSQL variants on purpose.
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

static SERVER: OnceLock<Result<Server, Unavailable>> = OnceLock::new();

/// Why there is no test database: the difference decides between a skip and a failure.
#[derive(Debug, Clone)]
enum Unavailable {
    /// No server programs and no `WARDEN_TEST_POSTGRES_URL`: a machine without PostgreSQL.
    NotInstalled(String),
    /// PostgreSQL is there but does not work (initdb, the start, `CREATE DATABASE`...).
    Broken(String),
}

impl Unavailable {
    fn reason(&self) -> &str {
        match self {
            Unavailable::NotInstalled(why) | Unavailable::Broken(why) => why,
        }
    }
}

const NOT_INSTALLED: &str = "PostgreSQL's server programs (initdb, pg_ctl) are not installed: none in /usr/lib/postgresql/*/bin or on the PATH; install them (apt-get install postgresql) or set WARDEN_TEST_POSTGRES_URL";

/// What `WARDEN_TEST_POSTGRES` asks for when PostgreSQL is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Requirement {
    /// Unset: skip where PostgreSQL is not installed, fail where it is broken.
    Auto,
    /// `require` (CI): every PostgreSQL variant runs, or fails saying why.
    Require,
    /// `skip`: the PostgreSQL variants are skipped on purpose.
    Skip,
}

// Test support: a failing test fails by panicking, with the reason.
#[allow(clippy::panic)]
fn requirement() -> Requirement {
    match std::env::var("WARDEN_TEST_POSTGRES").as_deref() {
        Err(_) | Ok("") => Requirement::Auto,
        Ok("require") => Requirement::Require,
        Ok("skip") => Requirement::Skip,
        // A typo (`required`) must not quietly turn CI's requirement into a skip.
        Ok(other) => panic!("WARDEN_TEST_POSTGRES={other:?}: expected `require` or `skip`"),
    }
}

/// A fresh, empty database on the test server, as a URL; `Err` says why there is none.
/// Every call makes a new database, so tests stay independent; they all live in the one
/// cluster of this test process. Tests call [`database_or_skip`], which applies
/// `WARDEN_TEST_POSTGRES`.
pub async fn database() -> Result<String, String> {
    fresh_database()
        .await
        .map_err(|why| why.reason().to_owned())
}

async fn fresh_database() -> Result<String, Unavailable> {
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
    Err(Unavailable::Broken(format!(
        "cannot create a test database on {}: {last}",
        server.base
    )))
}

/// A fresh database (see [`database`]) for the PostgreSQL variant of `test`, or `None`
/// when that variant is to be skipped: PostgreSQL is not installed here (and
/// `WARDEN_TEST_POSTGRES` is not `require`), or `WARDEN_TEST_POSTGRES=skip`.
///
/// # Panics
///
/// With the reason, when PostgreSQL is installed but broken, or missing while
/// `WARDEN_TEST_POSTGRES=require`: a PostgreSQL variant that cannot run never passes there.
pub async fn database_or_skip(test: &str) -> Option<String> {
    if requirement() == Requirement::Skip {
        return skipped(test, "WARDEN_TEST_POSTGRES=skip");
    }
    match fresh_database().await {
        Ok(url) => Some(url),
        Err(why) => unavailable(test, &why),
    }
}

/// The skip-or-fail rule of [`database_or_skip`] for a test that needs PostgreSQL and
/// cannot have it.
// Test support: a failing test fails by panicking, with the reason.
#[allow(clippy::panic)]
fn unavailable<T>(test: &str, why: &Unavailable) -> Option<T> {
    match may_skip(why, requirement()) {
        Ok(reason) => skipped(test, reason),
        Err(failure) => panic!("{test}: {failure}"),
    }
}

/// The skip-or-fail rule for a test whose own cluster did not start (`why`): a skip only
/// when PostgreSQL is not installed and not required, else a failure with the reason.
pub fn cluster_unavailable<T>(test: &str, why: &str) -> Option<T> {
    if requirement() == Requirement::Skip {
        return skipped(test, "WARDEN_TEST_POSTGRES=skip");
    }
    match server_programs() {
        None => unavailable(test, &Unavailable::NotInstalled(why.to_owned())),
        Some(_) => unavailable(test, &Unavailable::Broken(why.to_owned())),
    }
}

/// `Ok(why)`: the test may pass as skipped; `Err(why)`: it fails.
fn may_skip(why: &Unavailable, requirement: Requirement) -> Result<&str, String> {
    match (why, requirement) {
        (_, Requirement::Skip) => Ok("WARDEN_TEST_POSTGRES=skip"),
        (Unavailable::NotInstalled(reason), Requirement::Auto) => Ok(reason),
        (Unavailable::NotInstalled(reason), Requirement::Require) => Err(format!(
            "needs PostgreSQL (WARDEN_TEST_POSTGRES=require) and there is none: {reason}"
        )),
        (Unavailable::Broken(reason), _) => Err(format!(
            "PostgreSQL is there but does not work (a broken cluster is a failure, not a skip): {reason}"
        )),
    }
}

/// Report a skipped PostgreSQL variant: per test in the test's own (captured) output, and
/// once per test process straight to the terminal, where a passing run shows it.
fn skipped<T>(test: &str, why: &str) -> Option<T> {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    eprintln!("skipped the PostgreSQL variant of {test}: {why}");
    ONCE.call_once(|| {
        // Not `eprintln!`: the test harness captures that for passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "warden testkit: the PostgreSQL variants of this test binary are skipped: {why} \
             (WARDEN_TEST_POSTGRES=require makes this a failure)"
        );
    });
    None
}

async fn create(admin_url: &str, name: &str) -> Result<(), String> {
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .map_err(|e| with_causes(&e))?;
    let driver = tokio::spawn(connection);
    let result = client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| with_causes(&e));
    drop(client);
    let _ = driver.await;
    result
}

/// An error and its causes ("error connecting to server: Connection refused ..."): the
/// reason a test fails with must say what went wrong.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text = format!("{text}: {e}");
        cause = e.source();
    }
    text
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

fn start_cluster() -> Result<Server, Unavailable> {
    if server_programs().is_none() {
        return Err(Unavailable::NotInstalled(NOT_INSTALLED.to_owned()));
    }
    let cluster = Cluster::start().map_err(Unavailable::Broken)?;
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
        let bin = server_programs().ok_or_else(|| NOT_INSTALLED.to_owned())?;
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

    /// [`Cluster::start`] for `test`, under the skip-or-fail rule of [`database_or_skip`]:
    /// `None` (skipped, said why) only where PostgreSQL is not installed and not required.
    ///
    /// # Panics
    ///
    /// When the cluster cannot start although PostgreSQL is installed, or PostgreSQL is
    /// missing while `WARDEN_TEST_POSTGRES=require`.
    pub fn start_or_skip(test: &str) -> Option<Cluster> {
        if requirement() == Requirement::Skip {
            return skipped(test, "WARDEN_TEST_POSTGRES=skip");
        }
        if server_programs().is_none() {
            return unavailable(test, &Unavailable::NotInstalled(NOT_INSTALLED.to_owned()));
        }
        match Cluster::start() {
            Ok(cluster) => Some(cluster),
            Err(why) => unavailable(test, &Unavailable::Broken(why)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a PostgreSQL that is not installed may skip, and not when it is required; a
    /// broken one fails whatever is asked, except an explicit `skip`.
    #[test]
    fn a_missing_postgres_skips_only_when_not_installed_and_not_required() {
        let missing = Unavailable::NotInstalled("no initdb".into());
        let broken = Unavailable::Broken("initdb failed".into());
        assert_eq!(may_skip(&missing, Requirement::Auto), Ok("no initdb"));
        let err = may_skip(&missing, Requirement::Require).unwrap_err();
        assert!(err.contains("WARDEN_TEST_POSTGRES=require") && err.contains("no initdb"));
        for requirement in [Requirement::Auto, Requirement::Require] {
            let err = may_skip(&broken, requirement).unwrap_err();
            assert!(err.contains("initdb failed"), "{err}");
        }
        for why in [&missing, &broken] {
            assert!(may_skip(why, Requirement::Skip).is_ok());
        }
    }
}
