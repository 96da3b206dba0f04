//! The check that the layers of the crate documentation hold: every
//! `crate::` path in every source file names a layer module, and no layer
//! imports from a later one. The layer list is the table in `lib.md`,
//! between its `layers` markers; nothing else lists the layers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Layer module name to rank, from the table in lib.md.
fn layers() -> HashMap<String, usize> {
    let doc = std::fs::read_to_string(format!("{SRC}/lib.md")).expect("lib.md");
    let start = doc
        .find("<!-- layers:start -->")
        .expect("layers:start marker");
    let end = doc.find("<!-- layers:end -->").expect("layers:end marker");
    doc[start..end]
        .lines()
        .filter_map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let rank = cells.get(1)?.parse().ok()?;
            let module = cells.get(2)?.trim_matches('`');
            Some((module.to_owned(), rank))
        })
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer a source file belongs to: its folder under src, or its own
/// name for a layer kept in one file (`expr.rs`); `None` for the crate
/// root and this check.
fn layer_of(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(SRC).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" | "layers.rs" => None,
        "private.rs" => Some("__private".to_owned()),
        file => Some(file.trim_end_matches(".rs").to_owned()),
    }
}

/// The first segment of every `crate::` path in the code of `text`
/// (comments skipped; `crate::{a, b::c}` gives `a` and `b`), with its line.
fn imports(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // Top-level names of a group on this line.
                let mut depth = 0;
                let mut name = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            found.push((number + 1, std::mem::take(&mut name)));
                        }
                        _ if depth == 0 => name.push(c),
                        _ => {}
                    }
                }
                found.push((number + 1, name));
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push((number + 1, name));
            }
        }
    }
    found
        .into_iter()
        .map(|(n, name)| {
            let first = name
                .trim()
                .split("::")
                .next()
                .unwrap_or("")
                .trim()
                .to_owned();
            (n, first)
        })
        .filter(|(_, first)| !first.is_empty())
        .collect()
}

#[test]
fn no_module_imports_from_a_later_layer() {
    let layers = layers();
    assert_eq!(layers.len(), 8, "the layer table in lib.md: {layers:?}");
    let mut files = Vec::new();
    sources(Path::new(SRC), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let Some(own) = layer_of(file) else { continue };
        let own_rank = *layers
            .get(&own)
            .unwrap_or_else(|| panic!("{} is in no layer of lib.md", file.display()));
        let text = std::fs::read_to_string(file).expect("readable source");
        for (line, module) in imports(&text) {
            let place = format!("{}:{line}", file.display());
            match layers.get(&module) {
                None => wrong.push(format!(
                    "{place}: `crate::{module}` is not a layer module (import through the layer's path, not a re-export at the root)"
                )),
                Some(&rank) if rank > own_rank => wrong.push(format!(
                    "{place}: `{own}` (layer {own_rank}) imports from `{module}` (layer {rank})"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_groups_and_paths() {
    let found = imports(
        "use crate::keys::{a, b};\nuse crate::{foundation::error::Error, ops::batch};\n// crate::table\nlet x = crate::expr::and(y);",
    );
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["keys", "foundation", "ops", "expr"]);
}
