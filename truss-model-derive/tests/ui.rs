//! Compile errors of the derive, pinned with trybuild: one behaviour per
//! file in `tests/ui/`, each with its expected `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
