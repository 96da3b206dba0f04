//! Key template parsing, in plain Rust so it can be unit-tested without
//! `proc_macro`.
//!
//! A template is a `#`-separated list of segments. A segment is either a
//! literal (`CREATOR`) or one placeholder, alone (`{creator_id}`) or after
//! literal text (`employee_{id}`, as ElectroDB writes keys). Nothing may
//! follow a placeholder in its segment: values are escaped so that the
//! delimiter sorts below every character they contain, which is what makes
//! every key parse back unambiguously, composite keys sort like tuples, and
//! `begins_with` prefixes and range bounds stay inside the template's keys;
//! text after a value would break all three. `$` may only be a template's
//! first character (ElectroDB's keys start with it): anywhere else it would
//! meet the bound range queries use.

use crate::alphabet::{is_literal_char, BOUND, DELIMITER};
use std::fmt;

/// One `#`-separated part of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text, written as is.
    Literal(String),
    /// A `{field}` placeholder after `prefix`, literal text of its segment
    /// (usually empty).
    Field { prefix: String, name: String },
}

/// Why a template was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// The template is the empty string.
    Empty,
    /// Two delimiters in a row, or a delimiter at either end.
    EmptySegment,
    /// `{` without a matching `}`.
    Unclosed,
    /// `}` without a preceding `{`.
    UnexpectedClose,
    /// `{}`.
    EmptyPlaceholder,
    /// `{na me}` and the like.
    InvalidPlaceholder(String),
    /// `{id}x` or `{a}{b}`: text after a placeholder in its segment.
    TextAfterPlaceholder(String),
    /// The same placeholder twice in one template.
    Duplicate(String),
    /// A literal character that could make keys ambiguous or unsortable.
    ForbiddenChar(char),
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Empty => f.write_str("key template is empty"),
            TemplateError::EmptySegment => f.write_str(
                "key template has an empty segment: `#` may not start or end a template or appear twice in a row",
            ),
            TemplateError::Unclosed => f.write_str("unclosed `{` in key template"),
            TemplateError::UnexpectedClose => {
                f.write_str("unexpected `}` in key template; placeholders are written `{field}`")
            }
            TemplateError::EmptyPlaceholder => {
                f.write_str("empty placeholder `{}` in key template; write `{field}`")
            }
            TemplateError::InvalidPlaceholder(name) => write!(
                f,
                "placeholder `{{{name}}}` is not a field name"
            ),
            TemplateError::TextAfterPlaceholder(name) => write!(
                f,
                "placeholder `{{{name}}}` must end its `#`-separated segment (`PREFIX#{{{name}}}` or `prefix_{{{name}}}`): text after a value would break key order, range bounds and parsing keys back"
            ),
            TemplateError::Duplicate(name) => {
                write!(f, "placeholder `{{{name}}}` appears twice in one key template")
            }
            TemplateError::ForbiddenChar('$') => f.write_str(
                "`$` may only be the first character of a key template: elsewhere it would meet the bound range queries use",
            ),
            TemplateError::ForbiddenChar(c) => write!(
                f,
                "key template literal may not contain {c:?}; literals may use printable ASCII except space, `{{`, `}}` and `%` (and `$` only as the first character)"
            ),
        }
    }
}

/// Parses a key template into its segments.
pub fn parse(template: &str) -> Result<Vec<Segment>, TemplateError> {
    if template.is_empty() {
        return Err(TemplateError::Empty);
    }
    // A leading `$` is literal text like any other; nowhere else.
    let body = template.strip_prefix(BOUND).unwrap_or(template);
    let mut segments = Vec::new();
    for (i, raw) in body.split(DELIMITER).enumerate() {
        let mut segment = parse_segment(raw)?;
        if i == 0 && body.len() < template.len() {
            segment = match segment {
                Segment::Literal(text) => Segment::Literal(format!("{BOUND}{text}")),
                Segment::Field { prefix, name } => Segment::Field {
                    prefix: format!("{BOUND}{prefix}"),
                    name,
                },
            };
        }
        segments.push(segment);
    }
    let mut seen: Vec<&str> = Vec::new();
    for segment in &segments {
        if let Segment::Field { name, .. } = segment {
            if seen.contains(&name.as_str()) {
                return Err(TemplateError::Duplicate(name.clone()));
            }
            seen.push(name);
        }
    }
    Ok(segments)
}

fn parse_segment(raw: &str) -> Result<Segment, TemplateError> {
    if raw.is_empty() {
        return Err(TemplateError::EmptySegment);
    }
    let literal = |text: &str| match text.chars().find(|c| !is_literal_char(*c)) {
        Some(c) => Err(TemplateError::ForbiddenChar(c)),
        None => Ok(text.to_owned()),
    };
    let (Some(open), close) = (raw.find('{'), raw.find('}')) else {
        return match raw.find('}') {
            Some(_) => Err(TemplateError::UnexpectedClose),
            None => literal(raw).map(Segment::Literal),
        };
    };
    let Some(close) = close else {
        return Err(TemplateError::Unclosed);
    };
    if close < open {
        return Err(TemplateError::UnexpectedClose);
    }
    let name = &raw[open + 1..close];
    if name.contains('{') {
        return Err(TemplateError::Unclosed);
    }
    if name.is_empty() {
        return Err(TemplateError::EmptyPlaceholder);
    }
    if !is_identifier(name) {
        return Err(TemplateError::InvalidPlaceholder(name.to_owned()));
    }
    let rest = &raw[close + 1..];
    if rest.contains('}') && !rest.contains('{') {
        return Err(TemplateError::UnexpectedClose);
    }
    if rest.contains('{') && !rest[rest.find('{').unwrap_or(0)..].contains('}') {
        return Err(TemplateError::Unclosed);
    }
    if !rest.is_empty() {
        return Err(TemplateError::TextAfterPlaceholder(name.to_owned()));
    }
    Ok(Segment::Field {
        prefix: literal(&raw[..open])?,
        name: name.to_owned(),
    })
}

fn is_identifier(name: &str) -> bool {
    let name = name.strip_prefix("r#").unwrap_or(name);
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.to_owned())
    }
    fn field(s: &str) -> Segment {
        prefixed("", s)
    }
    fn prefixed(prefix: &str, s: &str) -> Segment {
        Segment::Field {
            prefix: prefix.to_owned(),
            name: s.to_owned(),
        }
    }

    #[test]
    fn parses_literals_and_placeholders() {
        assert_eq!(
            parse("CREATOR#{creator_id}").unwrap(),
            vec![lit("CREATOR"), field("creator_id")]
        );
        assert_eq!(
            parse("CLIP#{video_id}#{created_at}").unwrap(),
            vec![lit("CLIP"), field("video_id"), field("created_at")]
        );
        assert_eq!(parse("META").unwrap(), vec![lit("META")]);
        assert_eq!(parse("{id}").unwrap(), vec![field("id")]);
        assert_eq!(
            parse("A#{x}#B#{y}#C").unwrap(),
            vec![lit("A"), field("x"), lit("B"), field("y"), lit("C")]
        );
        assert_eq!(parse("v1.0-x_y:z").unwrap(), vec![lit("v1.0-x_y:z")]);
    }

    #[test]
    fn rejects_bad_braces() {
        assert_eq!(parse("A#{id"), Err(TemplateError::Unclosed));
        assert_eq!(parse("A#id}"), Err(TemplateError::UnexpectedClose));
        assert_eq!(parse("A#}id{"), Err(TemplateError::UnexpectedClose));
        assert_eq!(parse("A#{}"), Err(TemplateError::EmptyPlaceholder));
        assert_eq!(parse("A#{{id}}"), Err(TemplateError::Unclosed));
        assert_eq!(
            parse("A#{a b}"),
            Err(TemplateError::InvalidPlaceholder("a b".into()))
        );
        assert_eq!(
            parse("A#{1x}"),
            Err(TemplateError::InvalidPlaceholder("1x".into()))
        );
    }

    #[test]
    fn rejects_empty_segments() {
        assert_eq!(parse(""), Err(TemplateError::Empty));
        assert_eq!(parse("#A"), Err(TemplateError::EmptySegment));
        assert_eq!(parse("A#"), Err(TemplateError::EmptySegment));
        assert_eq!(parse("A##{b}"), Err(TemplateError::EmptySegment));
    }

    #[test]
    fn placeholders_end_their_segment() {
        assert_eq!(parse("CLIP{id}").unwrap(), vec![prefixed("CLIP", "id")]);
        assert_eq!(
            parse("$app#user_{id}#v_{n}").unwrap(),
            vec![lit("$app"), prefixed("user_", "id"), prefixed("v_", "n")]
        );
        assert_eq!(parse("$x_{id}").unwrap(), vec![prefixed("$x_", "id")]);
        assert_eq!(
            parse("{id}x"),
            Err(TemplateError::TextAfterPlaceholder("id".into()))
        );
        assert_eq!(
            parse("{a}{b}"),
            Err(TemplateError::TextAfterPlaceholder("a".into()))
        );
        assert_eq!(
            parse("a_{a}_b"),
            Err(TemplateError::TextAfterPlaceholder("a".into()))
        );
        assert_eq!(parse("A B{id}"), Err(TemplateError::ForbiddenChar(' ')));
    }

    #[test]
    fn dollar_only_first() {
        assert_eq!(parse("$employee_1").unwrap(), vec![lit("$employee_1")]);
        assert_eq!(parse("A#$b"), Err(TemplateError::ForbiddenChar('$')));
        assert_eq!(parse("$a$"), Err(TemplateError::ForbiddenChar('$')));
        assert_eq!(parse("$$a"), Err(TemplateError::ForbiddenChar('$')));
        assert_eq!(parse("$"), Err(TemplateError::EmptySegment));
        assert_eq!(parse("$#a"), Err(TemplateError::EmptySegment));
    }

    #[test]
    fn rejects_duplicates_and_forbidden_literals() {
        assert_eq!(
            parse("{a}#X#{a}"),
            Err(TemplateError::Duplicate("a".into()))
        );
        assert_eq!(parse("A B"), Err(TemplateError::ForbiddenChar(' ')));
        assert_eq!(parse("A$"), Err(TemplateError::ForbiddenChar('$')));
        assert_eq!(parse("100%"), Err(TemplateError::ForbiddenChar('%')));
        assert_eq!(parse("CAFÉ"), Err(TemplateError::ForbiddenChar('É')));
    }

    #[test]
    fn messages_name_the_placeholder() {
        let msg = TemplateError::TextAfterPlaceholder("id".into()).to_string();
        assert!(msg.contains("`{id}`"), "{msg}");
        let msg = TemplateError::Duplicate("a".into()).to_string();
        assert!(msg.contains("`{a}`"), "{msg}");
    }
}
