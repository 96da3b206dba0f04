//! Decoding a cursor never panics, whatever a client sends.
#![no_main]

use libfuzzer_sys::fuzz_target;
use truss_model::Cursor;

fuzz_target!(|data: &str| {
    let _ = Cursor::new(data).check();
});
