//! serde's `rename_all` rules, applied to field names.

/// Applies a serde `rename_all` rule to a field name exactly as serde does
/// (`RenameRule::apply_to_field`): the rules assume snake_case names, so
/// `lowercase` and `snake_case` leave a name as written. `None` for an
/// unknown rule.
pub fn apply(rule: &str, field: &str) -> Option<String> {
    Some(match rule {
        "lowercase" | "snake_case" => field.to_owned(),
        "UPPERCASE" => field.to_ascii_uppercase(),
        "SCREAMING_SNAKE_CASE" => field.to_ascii_uppercase(),
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_ascii_uppercase(),
        "PascalCase" => pascal(field),
        "camelCase" => {
            let pascal = pascal(field);
            let mut chars = pascal.chars();
            match chars.next() {
                Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        }
        _ => return None,
    })
}

fn pascal(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = true;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::apply;

    #[test]
    fn matches_serde() {
        assert_eq!(apply("camelCase", "owner_id").as_deref(), Some("ownerId"));
        assert_eq!(apply("PascalCase", "owner_id").as_deref(), Some("OwnerId"));
        assert_eq!(
            apply("SCREAMING_SNAKE_CASE", "owner_id").as_deref(),
            Some("OWNER_ID")
        );
        assert_eq!(apply("kebab-case", "owner_id").as_deref(), Some("owner-id"));
        assert_eq!(apply("lowercase", "ownerId").as_deref(), Some("ownerId"));
        assert_eq!(apply("Title Case", "x"), None);
    }
}
