//! The derive's key-template parser never panics, and what it accepts has
//! non-empty segments without delimiters or braces.
#![no_main]

#[path = "../../truss-model-derive/src/template.rs"]
#[allow(dead_code)]
mod template;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(segments) = template::parse(data) {
        assert!(!segments.is_empty());
        for segment in segments {
            match segment {
                template::Segment::Literal(text) => {
                    assert!(!text.is_empty() && text.chars().all(template::is_literal_char));
                }
                template::Segment::Field(name) => {
                    assert!(!name.is_empty() && !name.contains(['#', '{', '}']));
                }
            }
        }
    }
});
