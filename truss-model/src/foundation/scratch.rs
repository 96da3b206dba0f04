//! Per-thread scratch strings: the key checks write keys and segments
//! into them instead of allocating per item read.

use std::cell::RefCell;

thread_local! {
    static SCRATCH: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

/// Runs `f` with this thread's two scratch strings, cleared; with fresh
/// ones when they are in use (a `KeyPart` that reads an item while its key
/// is being written finds them taken).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut String, &mut String) -> R) -> R {
    SCRATCH.with(|cell| {
        let mut fresh = (String::new(), String::new());
        let mut borrowed = cell.try_borrow_mut();
        let (a, b) = match borrowed.as_deref_mut() {
            Ok(strings) => strings,
            Err(_) => &mut fresh,
        };
        a.clear();
        b.clear();
        f(a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::with_scratch;

    #[test]
    fn nested_use_gets_fresh_strings() {
        let outer = with_scratch(|a, _| {
            a.push_str("outer");
            let inner = with_scratch(|a, b| {
                assert!(a.is_empty() && b.is_empty(), "fresh, not the outer's");
                a.push_str("inner");
                a.clone()
            });
            (a.clone(), inner)
        });
        assert_eq!(outer, ("outer".to_owned(), "inner".to_owned()));
        // Cleared for the next use.
        with_scratch(|a, b| assert!(a.is_empty() && b.is_empty()));
    }
}
