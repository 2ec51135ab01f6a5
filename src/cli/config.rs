//! `warden config keys`: the configuration reference, from the documentation of the
//! configuration's fields (see [`Config::reference`]). docs/configuration.md holds the same
//! table, and the command-line tests check that it does.

use super::exit::ExitStatus;
use super::output::Out;
use crate::config::{Config, KeyDoc};
use anyhow::Result;
use serde_json::Value;

pub(super) fn keys(out: &Out) -> Result<ExitStatus> {
    let reference = Config::reference();
    out.emit(serde_json::to_value(&reference)?, || {
        markdown_table(&reference)
    });
    Ok(ExitStatus::Success)
}

/// The reference as a Markdown table: key, default, meaning.
fn markdown_table(reference: &[KeyDoc]) -> String {
    let mut s = String::from("| key | default | meaning |\n| --- | --- | --- |\n");
    for k in reference {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            k.key,
            shown_default(&k.default),
            k.doc
        ));
    }
    s
}

/// A default as a table shows it: `none` for a secret without one, a string as it reads,
/// anything else as TOML writes it (`[]`, `["user", "identity"]`, `""`).
fn shown_default(default: &Value) -> String {
    match default {
        Value::Null => "none".into(),
        Value::String(s) if !s.is_empty() => format!("`{s}`"),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(Value::to_string).collect();
            format!("`[{}]`", items.join(", "))
        }
        other => format!("`{other}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_shown_as_written_in_warden_toml() {
        assert_eq!(shown_default(&json!(null)), "none");
        assert_eq!(shown_default(&json!("")), "`\"\"`");
        assert_eq!(shown_default(&json!("warden.db")), "`warden.db`");
        assert_eq!(shown_default(&json!(900)), "`900`");
        assert_eq!(shown_default(&json!(false)), "`false`");
        assert_eq!(shown_default(&json!([])), "`[]`");
        assert_eq!(
            shown_default(&json!(["user", "identity"])),
            "`[\"user\", \"identity\"]`"
        );
    }

    #[test]
    fn the_table_has_a_row_per_key() {
        let table = markdown_table(&Config::reference());
        assert!(table.starts_with("| key | default | meaning |\n| --- | --- | --- |\n"));
        assert!(table.contains("\n| `listen` | `127.0.0.1:8080` | Address to serve on. |\n"));
        assert_eq!(table.lines().count(), Config::reference().len() + 2);
    }
}
