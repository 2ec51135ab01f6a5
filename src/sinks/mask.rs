//! Field masking for logged entries: `decision_log_mask = ["context.ssn", "properties.salary"]`.
//!
//! Security decision: a masked value is *replaced* by `"***"`, not removed. The reader of a
//! log (a SIEM, an auditor, the impact preview) then still sees that the caller sent the
//! field, which tells a policy author why a rule on it matched, while the value itself is
//! never written anywhere: masking runs before the database write and before any sink.
//! Replacing keeps the entry's shape stable for downstream parsers too. A path that does not
//! exist in an entry changes nothing (no field is invented).

use serde_json::Value;

/// What a masked value becomes.
pub const MASKED: &str = "***";

/// Parsed masking rules: each a path of keys from the entry's root.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mask {
    paths: Vec<Vec<String>>,
}

impl Mask {
    /// Parse `paths` (dotted, `*` for any key or list item); each must start with one of
    /// `roots` (`context`, `properties`; `detail`) and name at least one field below it.
    pub fn parse(paths: &[String], roots: &[&str]) -> Result<Mask, String> {
        let mut parsed = Vec::with_capacity(paths.len());
        for path in paths {
            let parts: Vec<String> = path.trim().split('.').map(str::to_string).collect();
            if parts.iter().any(|p| p.is_empty()) {
                return Err(format!("{path:?}: an empty part (write fields as a.b.c)"));
            }
            match parts.first() {
                Some(root) if roots.contains(&root.as_str()) && parts.len() >= 2 => {}
                _ => {
                    return Err(format!(
                        "{path:?}: must be a field under {} (such as {}.ssn)",
                        roots.join(" or "),
                        roots.first().copied().unwrap_or("context"),
                    ))
                }
            }
            parsed.push(parts);
        }
        Ok(Mask { paths: parsed })
    }

    /// Every field under each of `roots` (what a rule that cannot be read falls back to).
    pub fn everything(roots: &[&str]) -> Mask {
        Mask {
            paths: roots
                .iter()
                .map(|root| vec![root.to_string(), "*".to_string()])
                .collect(),
        }
    }

    /// No rules: nothing to do.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Replace every value a rule names in `root` (an object whose keys are the roots).
    pub fn apply(&self, root: &mut Value) {
        for path in &self.paths {
            mask_at(root, path);
        }
    }
}

fn mask_at(value: &mut Value, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        *value = Value::String(MASKED.into());
        return;
    };
    match value {
        Value::Object(map) if first == "*" => {
            for child in map.values_mut() {
                mask_at(child, rest);
            }
        }
        Value::Object(map) => {
            if let Some(child) = map.get_mut(first) {
                mask_at(child, rest);
            }
        }
        Value::Array(items) if first == "*" => {
            for child in items {
                mask_at(child, rest);
            }
        }
        Value::Array(items) => {
            if let Some(child) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                mask_at(child, rest);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mask(paths: &[&str]) -> Mask {
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        Mask::parse(&paths, &["context", "properties"]).unwrap()
    }

    #[test]
    fn named_fields_are_replaced_and_others_kept() {
        let mut entry = json!({
            "context": {"ssn": "123-45-6789", "ip": "10.0.0.1", "card": {"number": "4111", "kind": "visa"}},
            "properties": {"salary": 90000, "owner": "alice", "notes": [{"secret": 1}, {"secret": 2}]},
        });
        mask(&[
            "context.ssn",
            "context.card.number",
            "properties.salary",
            "properties.notes.*.secret",
            "properties.absent.deeper",
        ])
        .apply(&mut entry);
        assert_eq!(
            entry,
            json!({
                "context": {"ssn": "***", "ip": "10.0.0.1", "card": {"number": "***", "kind": "visa"}},
                "properties": {"salary": "***", "owner": "alice", "notes": [{"secret": "***"}, {"secret": "***"}]},
            })
        );
    }

    #[test]
    fn a_whole_object_and_list_items_by_index_or_star() {
        let mut entry = json!({"context": {"card": {"n": 1}, "list": [1, 2, 3]}, "properties": {"a": {"b": 1}}});
        mask(&["context.card", "context.list.1", "properties.*.b"]).apply(&mut entry);
        assert_eq!(
            entry,
            json!({"context": {"card": "***", "list": [1, "***", 3]}, "properties": {"a": {"b": "***"}}})
        );
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let parse = |p: &str| Mask::parse(&[p.to_string()], &["context", "properties"]);
        assert!(parse("ssn")
            .unwrap_err()
            .contains("under context or properties"));
        assert!(parse("context").unwrap_err().contains("under context"));
        assert!(parse("principal.email")
            .unwrap_err()
            .contains("under context"));
        assert!(parse("context..ssn").unwrap_err().contains("empty part"));
        assert!(parse("context.ssn").is_ok());
    }
}
