//! Scope tokens as RFC 6749 section 3.3 defines them.

/// Whether `s` is a valid scope token: one or more of `%x21 / %x23-5B / %x5D-7E`, i.e.
/// printable ASCII except space, `"` and `\`.
pub(crate) fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
mod tests {
    use super::is_scope_token;

    #[test]
    fn follows_rfc_6749_grammar() {
        for ok in ["Function1/read", "Function2/*", "openid", "a:b", "!", "~"] {
            assert!(is_scope_token(ok), "{ok}");
        }
        for bad in ["", "two words", "quo\"te", "back\\slash", "tab\t", "é"] {
            assert!(!is_scope_token(bad), "{bad:?}");
        }
    }
}
