//! A policy set as a file map: names checked, the same diagnostics as a directory, the
//! whole set hashed, export and read back; installing a bundle (weakening rules, the
//! caller's guard, versions only grow).

use super::*;
use crate::publishing::PolicyFiles;

fn set(files: &[(&str, &str)]) -> PolicyFiles {
    files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

const POLICY: &str = "@id(\"one\")\npermit(principal, action == Action::\"read\", resource);\n";

#[test]
fn a_set_loads_like_its_directory_and_refuses_names_it_may_not_hold() {
    let files = set(&[
        ("schema.cedarschema", SCHEMA),
        ("a.cedar", POLICY),
        ("tests/a.toml", "# no cases\n"),
    ]);
    let bundle = load_files(&files).unwrap();
    assert_eq!(bundle.info.len(), 1, "tests are not policies");
    assert_eq!(bundle.content_hash(), hash_files(&files));
    assert_eq!(bundle.version, None);

    let dir = tempfile::TempDir::new().unwrap();
    write_dir_files(dir.path(), &files).unwrap();
    std::fs::write(dir.path().join("README.md"), "not part of the set").unwrap();
    assert_eq!(read_dir_files(dir.path()).unwrap(), files);
    assert_eq!(
        load_dir(dir.path()).unwrap().content_hash(),
        bundle.content_hash()
    );

    // The same diagnostics from a set and from its directory.
    let broken = set(&[
        ("schema.cedarschema", SCHEMA),
        ("a.cedar", "permit(principal,"),
    ]);
    let from_set = load_files(&broken).err().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    write_dir_files(dir.path(), &broken).unwrap();
    assert_eq!(load_dir(dir.path()).err().unwrap(), from_set);

    for bad in [
        "../a.cedar",
        "/etc/a.cedar",
        "sub/a.cedar",
        ".hidden.cedar",
        "tests/../../x.toml",
        "tests/a.txt",
        "notes.md",
        ".cedar",
    ] {
        let err = load_files(&set(&[("a.cedar", POLICY), (bad, "x")]))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("not a policy set file"),
            "{bad}: {err}"
        );
        let dir = tempfile::TempDir::new().unwrap();
        assert!(write_dir_files(&dir.path().join("out"), &set(&[(bad, "x")])).is_err());
    }
    let too_many: PolicyFiles = (0..=MAX_SET_FILES)
        .map(|i| (format!("p{i}.cedar"), String::new()))
        .collect();
    assert!(load_files(&too_many)
        .err()
        .unwrap()
        .to_string()
        .contains("too many files"));
}

#[test]
fn install_keeps_the_weakening_rules_asks_the_guard_and_never_goes_back_a_version() {
    let files = set(&[("schema.cedarschema", SCHEMA), ("a.cedar", POLICY)]);
    let versioned = |v: i64, files: &PolicyFiles| {
        let mut b = load_files(files).unwrap();
        b.version = Some(v);
        b
    };
    let engine = Engine::new(versioned(1, &files));
    assert_eq!(engine.version(), Some(1));

    let refused = engine
        .install(versioned(2, &files), &|_| {
            Err("nobody could administer".into())
        })
        .unwrap_err();
    assert!(refused.to_string().contains("nobody could administer"));
    assert_eq!(engine.version(), Some(1));
    assert!(engine.last_error().is_some());

    let no_schema = set(&[("a.cedar", POLICY)]);
    assert!(engine
        .install(versioned(2, &no_schema), &no_guard)
        .unwrap_err()
        .to_string()
        .contains("schema"));

    engine.install(versioned(3, &files), &no_guard).unwrap();
    assert_eq!(engine.version(), Some(3));
    assert!(engine.last_error().is_none());
    engine.install(versioned(2, &files), &no_guard).unwrap();
    assert_eq!(
        engine.version(),
        Some(3),
        "an older version is not put back"
    );
    assert!(engine.reload().unwrap_err().to_string().contains("store"));
}
