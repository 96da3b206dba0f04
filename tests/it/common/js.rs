//! Runs the JavaScript side of an interop test with `node`: the programs in
//! `tests/js/`, with the AWS SDK for JavaScript v3 and ElectroDB installed
//! on first use by `scripts/js-deps` into the ignored `.cache/js/`. They
//! talk to the same engine as the test (its endpoint in
//! AWS_ENDPOINT_URL_DYNAMODB).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The installed node_modules folder (installing it on first use).
fn node_modules() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let output = Command::new(format!("{ROOT}/scripts/js-deps"))
            .output()
            .unwrap_or_else(|e| panic!("could not run scripts/js-deps: {e}"));
        assert!(
            output.status.success(),
            "scripts/js-deps failed (JavaScript interop tests need node and npm):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    })
}

/// Runs `tests/js/<program>` with `args` and returns what it printed.
pub fn node(program: &str, args: &[&str]) -> String {
    let output = Command::new("node")
        .arg(format!("{ROOT}/tests/js/{program}"))
        .args(args)
        .env("NODE_PATH", node_modules())
        .envs(super::engine_env())
        .env("NODE_NO_WARNINGS", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not run node ({e}): the JavaScript interop tests need Node.js 18 or newer \
                 and npm on PATH (Debian: `apt-get install nodejs npm`; elsewhere see nodejs.org's \
                 installers); their npm packages then install themselves into .cache/js"
            )
        });
    assert!(
        output.status.success(),
        "node {program} {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// As [`node`], parsing the printed JSON.
pub fn node_json(program: &str, args: &[&str]) -> serde_json::Value {
    let text = node(program, args);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("node {program} printed no JSON ({e}): {text}"))
}
