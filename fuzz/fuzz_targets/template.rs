//! The derive's key-template parser never panics, and what it accepts has
//! non-empty segments of literal characters (a `$` only as the template's
//! first character), placeholders last in their segment.
#![no_main]

#[path = "../../truss-model-derive/src/alphabet.rs"]
#[allow(dead_code)]
mod alphabet;
#[path = "../../truss-model-derive/src/template.rs"]
#[allow(dead_code)]
mod template;

use libfuzzer_sys::fuzz_target;

fn literal(text: &str, first: bool) -> bool {
    let text = if first { text.strip_prefix('$').unwrap_or(text) } else { text };
    text.chars().all(alphabet::is_literal_char)
}

fuzz_target!(|data: &str| {
    if let Ok(segments) = template::parse(data) {
        assert!(!segments.is_empty());
        for (i, segment) in segments.into_iter().enumerate() {
            match segment {
                template::Segment::Literal(text) => {
                    assert!(!text.is_empty() && literal(&text, i == 0), "{data:?}");
                }
                template::Segment::Field { prefix, name } => {
                    assert!(literal(&prefix, i == 0), "{data:?}");
                    assert!(!name.is_empty() && !name.contains(['#', '{', '}', '$']), "{data:?}");
                    assert!(data.contains(&format!("{prefix}{{{name}}}")), "{data:?}");
                }
            }
        }
    }
});
