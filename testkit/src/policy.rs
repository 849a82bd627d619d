//! When a Keycloak test runs, skips, or fails.

/// What a test that needs Keycloak should do, decided from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// `KEYCLOAK_URL` is set: run against it (the URL, without a trailing slash).
    Available(String),
    /// No Keycloak and none required: print this line and pass.
    Skip(&'static str),
    /// No Keycloak, but CI or the user requires one: fail with this reason.
    Required(String),
}

/// The line a skipped test prints.
pub const SKIP_LINE: &str = "skipped: no Keycloak (set KEYCLOAK_URL or run scripts/test.sh)";

/// Decides from environment variables (looked up through `var`) what a Keycloak test does.
pub fn keycloak_presence(var: impl Fn(&str) -> Option<String>) -> Presence {
    if let Some(url) = var("KEYCLOAK_URL").filter(|url| !url.trim().is_empty()) {
        return Presence::Available(url.trim().trim_end_matches('/').to_owned());
    }
    let ci = var("CI").is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    let required =
        var("APS_REQUIRE_KEYCLOAK").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    if ci || required {
        let why = if ci {
            "CI=true"
        } else {
            "APS_REQUIRE_KEYCLOAK=1"
        };
        return Presence::Required(format!(
            "this test needs Keycloak and {why} forbids skipping it, but KEYCLOAK_URL is not set: \
             run scripts/test.sh (it installs and starts Keycloak), or export KEYCLOAK_URL"
        ));
    }
    Presence::Skip(SKIP_LINE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_env::fake_env as env;

    #[test]
    fn url_set_means_available_without_trailing_slash() {
        let p = keycloak_presence(env(&[
            ("KEYCLOAK_URL", "http://127.0.0.1:18080/"),
            ("CI", "true"),
        ]));
        assert_eq!(p, Presence::Available("http://127.0.0.1:18080".into()));
    }

    #[test]
    fn nothing_set_means_skip_with_the_visible_line() {
        assert_eq!(keycloak_presence(env(&[])), Presence::Skip(SKIP_LINE));
    }

    #[test]
    fn ci_without_url_fails_and_says_why() {
        let Presence::Required(reason) = keycloak_presence(env(&[("CI", "true")])) else {
            panic!("CI=true must require Keycloak");
        };
        assert!(
            reason.contains("CI=true") && reason.contains("KEYCLOAK_URL"),
            "{reason}"
        );
    }

    #[test]
    fn aps_require_keycloak_without_url_fails() {
        let p = keycloak_presence(env(&[
            ("APS_REQUIRE_KEYCLOAK", "1"),
            ("KEYCLOAK_URL", "  "),
        ]));
        assert!(matches!(p, Presence::Required(r) if r.contains("APS_REQUIRE_KEYCLOAK=1")));
    }

    #[test]
    fn ci_false_still_skips() {
        assert_eq!(
            keycloak_presence(env(&[("CI", "false")])),
            Presence::Skip(SKIP_LINE)
        );
    }
}
