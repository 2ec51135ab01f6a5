//! Printing a command's result: a table or a line for people, or JSON for machines
//! (`--json`), always on standard output. Notes and failures go to standard error.

use serde_json::Value;

/// Where a command's result goes, and in which form.
pub(super) struct Out {
    /// `--json`: print the JSON value, not the text.
    pub(super) json: bool,
}

impl Out {
    /// Print `value` as JSON, or the text `human` makes of it (nothing when it is empty).
    pub(super) fn emit(&self, value: Value, human: impl FnOnce() -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }
}
