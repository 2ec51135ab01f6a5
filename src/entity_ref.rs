//! Entity references as people write them, `Type::"id"`, read by Cedar's own parser.
//!
//! One reader for every edge: the CLI (`warden decide --resource`, through the engine), the
//! console (through [`crate::api::ResourceRef::parse`]) and the engine's action names. It sits
//! below both the api and the engine and imports neither, so the console still needs no
//! engine. It used to be two readers: the console had a hand-written one that took what Cedar
//! refuses (a reserved word as a type name, `if::"x"`; an id spelled with escapes Cedar would
//! not print, `\u{e9}` for `é`), so the console and the CLI answered the same text
//! differently.

use cedar_policy::EntityUid;
use miette::Diagnostic;
use std::str::FromStr;

/// Split an entity reference written as Cedar writes one, `Type::"id"` or
/// `Namespace::Type::"id"`, into its type and its unescaped id.
///
/// Cedar's [`EntityUid::from_str`] decides: type names are Cedar names (no reserved words),
/// and the reference must be in Cedar's normalized form (no whitespace or comments inside; the
/// id escaped exactly as Cedar prints it, `\"`, `\\`, `\'`, `\n`, `\t`, ...). Surrounding
/// whitespace is ignored. The error names the text, the expected shape and Cedar's reason,
/// with Cedar's help (for a reference that is not normalized, its normalized form).
pub fn parse_entity_ref(text: &str) -> Result<(String, String), String> {
    let text = text.trim();
    let uid = EntityUid::from_str(text).map_err(|e| {
        let mut why = e.to_string();
        if let Some(help) = e.help() {
            why.push_str(&format!(" ({help})"));
        }
        format!("invalid entity {text:?} (expected Type::\"id\"): {why}")
    })?;
    Ok((
        uid.type_name().to_string(),
        uid.id().unescaped().to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_references_are_cedars() {
        assert_eq!(
            parse_entity_ref(r#" Warden::Resource::"a::b\"c\\d" "#),
            Ok(("Warden::Resource".into(), "a::b\"c\\d".into()))
        );
        assert_eq!(
            parse_entity_ref("Doc::\"\u{e9}\""),
            Ok(("Doc".into(), "\u{e9}".into()))
        );
        // The error's shape, which the CLI and the console show (what differs from the
        // console's old reader is tested in `api`).
        let e = parse_entity_ref(" Document::d1 ").unwrap_err();
        assert!(
            e.starts_with(r#"invalid entity "Document::d1" (expected Type::"id"): "#),
            "{e}"
        );
        assert!(parse_entity_ref(r#"Doc::"\u{e9}""#).is_err());
        assert!(parse_entity_ref(r#"Doc :: "d""#).is_err());
    }
}
