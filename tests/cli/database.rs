//! The database file: refused when missing, corrupt, newer or loose; `db copy`.

use crate::*;

#[test]
fn unreadable_corrupt_and_newer_databases_are_refused() {
    let env = Env::new();
    std::fs::write(env.path().join("junk.db"), vec![7u8; 4096]).unwrap();
    // Private, so the one line is the refusal (a loose file adds a warning line first).
    chmod(&env.path().join("junk.db"), 0o600);
    let err = env.fails(&["--db", "junk.db", "user", "list"]);
    assert!(
        one_line_error(&err).contains("is not a warden database"),
        "{err}"
    );

    let err = env.fails(&["--db", "no/such/dir/w.db", "user", "list"]);
    one_line_error(&err);

    env.ok(&["--db", "new.db", "init"]);
    let conn = rusqlite::Connection::open(env.path().join("new.db")).unwrap();
    conn.pragma_update(None, "user_version", 1000).unwrap();
    drop(conn);
    let err = env.fails(&["--db", "new.db", "user", "list"]);
    assert!(one_line_error(&err).contains("newer warden"), "{err}");
}

#[test]
fn a_loose_database_file_is_made_private_with_a_warning() {
    let env = Env::new();
    let db = env.path().join("w.db");
    std::fs::File::create(&db).unwrap();
    chmod(&db, 0o644);
    let out = env.run(&["init", "--db", "w.db"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        mode(&db),
        0o600,
        "the keys and hashes are no longer world-readable"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("accessible to other users") && stderr.contains("w.db"),
        "a warning says so: {stderr}"
    );
    // A private file is left alone, without a warning.
    let out = env.run(&["user", "list", "--db", "w.db"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("accessible to other users"));

    // Leftover -wal and -shm files of a loose database (a crash, a restored backup) are
    // tightened too: look while a server holds them open.
    chmod(&db, 0o644);
    for suffix in ["-wal", "-shm"] {
        let f = env.path().join(format!("w.db{suffix}"));
        std::fs::File::create(&f).unwrap();
        chmod(&f, 0o666);
    }
    let mut child = env
        .cmd(&["serve", "--listen", "127.0.0.1:0", "--db", "w.db"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let mut said = Vec::new();
    let addr = loop {
        let line = lines.next().expect("server started").unwrap();
        if let Some(rest) = line.strip_prefix("warden listening on http://") {
            break rest.to_string();
        }
        said.push(line);
    };
    for name in ["w.db", "w.db-wal", "w.db-shm"] {
        assert_eq!(mode(&env.path().join(name)), 0o600, "{name}");
    }
    let warnings = said.join("\n");
    for name in ["w.db-wal", "w.db-shm"] {
        assert!(
            warnings.contains(name),
            "{name} named in the warning: {warnings}"
        );
    }
    // Serving (so its signal handler is in place) before it is stopped.
    assert!(ureq::get(&format!("http://{addr}/healthz")).call().is_ok());
    sigterm(child.id());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}: {}", rest.join("\n"));
}

#[test]
fn commands_that_read_refuse_a_missing_database_and_create_none() {
    let env = Env::new();
    let reads: &[&[&str]] = &[
        &["--db", "typo.db", "user", "list"],
        &["session", "list"],
        &["keys", "list"],
        &["audit"],
        &["decisions"],
        &["token", "revoke", "--user", "alice"],
        &[
            "decide",
            "--user",
            "admin",
            "--action",
            "readDocument",
            "--resource",
            "Document::\"d\"",
        ],
    ];
    for args in reads {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = one_line_error(&stderr);
        assert!(
            line.contains("no database at") && line.contains("warden init"),
            "{line}"
        );
    }
    assert!(!env.path().join("typo.db").exists());
    assert!(!env.path().join("warden.db").exists());
    // init creates it; then the same commands work.
    env.ok(&["--db", "typo.db", "init"]);
    env.ok(&["--db", "typo.db", "user", "list"]);
}

#[test]
fn db_copy_refuses_a_target_that_is_not_postgres_and_hides_passwords() {
    let env = Env::new();
    let (ok, _, stderr) = run_out(
        &env,
        &["db", "copy", "--from", "warden.db", "--to", "other.db"],
    );
    assert!(!ok);
    assert!(
        stderr.contains("--to must be a postgres:// URL, not other.db"),
        "{stderr}"
    );
    let (ok, _, stderr) = run_out(
        &env,
        &[
            "db",
            "copy",
            "--from",
            "warden.db",
            "--to",
            "mysql://u:secret@h/db",
        ],
    );
    assert!(!ok);
    assert!(!stderr.contains("secret"), "{stderr}");
}

/// Issue 32 (11): a database truncated to 0 bytes is damage, not a fresh install: refused
/// by every command (no new admin, no new keys, no server ready) until `warden init` is asked.
#[test]
fn an_empty_database_file_is_refused_unless_init() {
    let env = Env::new();
    let db = env.path().join("warden.db");
    std::fs::write(&db, b"").unwrap();
    chmod(&db, 0o600);
    for args in [
        &["user", "list"][..],
        &["serve", "--listen", "127.0.0.1:0"][..],
    ] {
        // A server that started anyway would run on: wait a while, then stop it and fail.
        let mut child = env
            .cmd(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("warden {args:?} started on an empty database file");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("is empty (0 bytes)"), "{args:?}: {err}");
        assert!(err.contains("warden init"), "{err}");
        assert!(!err.contains("bootstrap admin"), "{err}");
        assert_eq!(
            std::fs::metadata(&db).unwrap().len(),
            0,
            "{args:?} wrote to it"
        );
    }
    env.ok(&["init"]);
    assert!(std::fs::metadata(&db).unwrap().len() > 0);
    assert_eq!(env.json(&["user", "list"]).as_array().unwrap().len(), 1);
}
