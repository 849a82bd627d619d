//! The shared IdP catalogue: profiles that `inheritFrom` one use its issuers, offline.

use crate::profile::Environment;

/// A shared identity provider that profiles can `inheritFrom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedIdp {
    name: &'static str,
    issuers: &'static [(Environment, &'static str)],
}

/// `Gold Shared IdP`: the platform's realm `apigw` on loginproxy, one per environment.
pub const GOLD_SHARED_IDP: SharedIdp = SharedIdp {
    name: "Gold Shared IdP",
    issuers: &[
        (
            Environment::Dev,
            "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw",
        ),
        (
            Environment::Test,
            "https://test.loginproxy.gov.bc.ca/auth/realms/apigw",
        ),
        (
            Environment::Prod,
            "https://loginproxy.gov.bc.ca/auth/realms/apigw",
        ),
    ],
};

const CATALOGUE: &[SharedIdp] = &[GOLD_SHARED_IDP];

impl SharedIdp {
    /// Looks a shared IdP up by its exact name (as written in `inheritFrom`).
    ///
    /// ```
    /// use aps_core::{Environment, SharedIdp};
    ///
    /// let gold = SharedIdp::find("Gold Shared IdP").unwrap();
    /// assert_eq!(gold.issuer(Environment::Test), Some("https://test.loginproxy.gov.bc.ca/auth/realms/apigw"));
    /// assert_eq!(gold.issuer(Environment::Sandbox), None);
    /// assert!(SharedIdp::find("gold shared idp").is_none());
    /// ```
    pub fn find(name: &str) -> Option<&'static SharedIdp> {
        CATALOGUE.iter().find(|idp| idp.name == name)
    }

    /// Every shared IdP this crate knows.
    pub fn all() -> &'static [SharedIdp] {
        CATALOGUE
    }

    /// The names of [`all`](Self::all), for messages: `Gold Shared IdP`.
    pub(crate) fn known_names() -> String {
        let names: Vec<&str> = CATALOGUE.iter().map(SharedIdp::name).collect();
        names.join(", ")
    }

    /// Its name, e.g. `Gold Shared IdP`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The issuer (realm URL) of `environment`, if the IdP serves it.
    pub fn issuer(&self, environment: Environment) -> Option<&'static str> {
        self.issuers
            .iter()
            .find(|(env, _)| *env == environment)
            .map(|(_, iss)| *iss)
    }

    /// The environments it serves with their issuers, in order.
    pub fn issuers(&self) -> &'static [(Environment, &'static str)] {
        self.issuers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issuer_url::check_realm_url;

    #[test]
    fn gold_issuers_are_normal_realm_urls() {
        assert_eq!(GOLD_SHARED_IDP.issuers().len(), 3);
        for (_, issuer) in GOLD_SHARED_IDP.issuers() {
            assert_eq!(check_realm_url(issuer).as_deref(), Ok("apigw"));
        }
        assert_eq!(
            GOLD_SHARED_IDP.issuer(Environment::Prod),
            Some("https://loginproxy.gov.bc.ca/auth/realms/apigw")
        );
        assert_eq!(SharedIdp::find("Gold Shared IdP"), Some(&GOLD_SHARED_IDP));
    }
}
