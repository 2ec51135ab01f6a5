//! Template links (`links.json`): each names a template, a link id and the slots' entities.

use cedar_policy::{PolicyId, PolicySet};
use std::collections::HashMap;
use std::str::FromStr;

use super::statements::LineCounter;
use super::{Diagnostic, PolicyInfo};

/// The file of template links in a policy directory.
pub const LINKS_FILE: &str = "links.json";

/// One template link of `links.json`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    template: String,
    id: String,
    values: HashMap<String, String>,
}

/// Link templates as `links.json` says: `[{"template": id, "id": link id, "values":
/// {"?principal": "User::\"alice\"", "?resource": "Document::\"d1\""}}]`.
pub(super) fn link_all(
    text: &str,
    policies: &mut PolicySet,
    info: &mut Vec<PolicyInfo>,
    seen: &mut HashMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let links: Vec<Link> = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            diagnostics.push(Diagnostic {
                line: e.line(),
                column: e.column(),
                ..Diagnostic::file_error(LINKS_FILE, format!("malformed links file: {e}"))
            });
            return;
        }
    };
    let templates: HashMap<String, &'static str> = info
        .iter()
        .filter(|p| p.template)
        .map(|p| (p.id.clone(), p.effect))
        .collect();
    let mut lines = LineCounter::new(text);
    let mut cursor = 0;
    for (n, link) in links.into_iter().enumerate() {
        // Links appear in file order: find this one's id after the previous one.
        let needle = format!("\"{}\"", link.id);
        let line = match text[cursor..].find(&needle) {
            Some(o) => {
                cursor += o + needle.len();
                lines.line_at(cursor)
            }
            None => 0,
        };
        let fail = |m: String| Diagnostic {
            line,
            column: 1,
            ..Diagnostic::file_error(LINKS_FILE, m)
        };
        if let Some(other) = seen.get(&link.id) {
            diagnostics.push(fail(format!(
                "duplicate policy id \"{}\": already used in {other}",
                link.id
            )));
            continue;
        }
        let mut values = HashMap::new();
        for (slot, uid) in &link.values {
            let slot_id = match slot.as_str() {
                "?principal" => cedar_policy::SlotId::principal(),
                "?resource" => cedar_policy::SlotId::resource(),
                other => {
                    diagnostics.push(fail(format!(
                        "unknown slot {other:?}: use ?principal or ?resource"
                    )));
                    continue;
                }
            };
            match cedar_policy::EntityUid::from_str(uid) {
                Ok(uid) => {
                    values.insert(slot_id, uid);
                }
                Err(e) => diagnostics.push(fail(format!("invalid entity {uid:?}: {e}"))),
            }
        }
        let Some(effect) = templates.get(&link.template).copied() else {
            diagnostics.push(fail(format!(
                "link {} names unknown template {:?}",
                link.id, link.template
            )));
            continue;
        };
        if let Err(e) = policies.link(
            PolicyId::new(&link.template),
            PolicyId::new(&link.id),
            values,
        ) {
            diagnostics.push(fail(format!("cannot link {}: {e}", link.id)));
            continue;
        }
        seen.insert(link.id.clone(), LINKS_FILE.to_string());
        info.push(PolicyInfo {
            id: link.id,
            file: LINKS_FILE.to_string(),
            line,
            effect,
            template: false,
            index: n,
        });
    }
}
