//! Identifiers the portal derives: profile clients on a shared IdP and consumer clients.

use crate::profile::{CredentialIssuer, Environment};
use crate::words::words;

/// `name` in kebab case exactly as the portal computes it (lodash's `kebabCase`): its words in
/// lower case, joined by `-`. Words split at spaces and punctuation, at case changes and
/// around numbers, so `My API v2` is `my-api-v-2` and `MyAPI` is `my-api` (ordinals such as
/// `1st` and `14th` stay whole). Letters outside ASCII separate words (the portal
/// transliterates Latin-1 letters; valid profile names are ASCII).
///
/// ```
/// assert_eq!(aps_core::kebab_case("  My API -- default "), "my-api-default");
/// assert_eq!(aps_core::kebab_case("Health Records v2"), "health-records-v-2");
/// assert_eq!(aps_core::kebab_case("MyAPI"), "my-api");
/// ```
pub fn kebab_case(name: &str) -> String {
    let words: Vec<String> = words(name)
        .into_iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    words.join("-")
}

/// The client a shared IdP holds for a profile in `environment`, which is also the audience
/// of its consumers' tokens: `ap-<profile>` in `prod`, `ap-<profile>-<env>` otherwise.
/// `profile_client_id` is the profile's `clientId` (the kebab-case name).
///
/// ```
/// use aps_core::{Environment, shared_client_id};
///
/// assert_eq!(shared_client_id("my-api-default", Environment::Prod), "ap-my-api-default");
/// assert_eq!(shared_client_id("my-api-default", Environment::Dev), "ap-my-api-default-dev");
/// ```
pub fn shared_client_id(profile_client_id: &str, environment: Environment) -> String {
    match environment {
        Environment::Prod => format!("ap-{profile_client_id}"),
        other => format!("ap-{profile_client_id}-{other}"),
    }
}

/// A consumer's client id: the product environment's `appId`, a dash, the application's
/// `appId`.
///
/// ```
/// assert_eq!(aps_core::consumer_client_id("8E1A2B3C", "4F5D6E7A8B9C"), "8E1A2B3C-4F5D6E7A8B9C");
/// ```
pub fn consumer_client_id(environment_app_id: &str, application_app_id: &str) -> String {
    format!("{environment_app_id}-{application_app_id}")
}

impl CredentialIssuer {
    /// The profile's own client id on a shared IdP: its `clientId` when set, otherwise the
    /// kebab-case name (what the portal sets when the profile is created).
    pub fn profile_client_id(&self) -> String {
        match self.client_id.as_deref() {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => kebab_case(&self.name),
        }
    }

    /// The shared-IdP client (and token audience) of this profile in `environment`.
    ///
    /// ```
    /// use aps_core::{CredentialIssuer, Environment};
    ///
    /// let profile = CredentialIssuer::new("My API default");
    /// assert_eq!(profile.shared_client_id(Environment::Test), "ap-my-api-default-test");
    /// ```
    pub fn shared_client_id(&self, environment: Environment) -> String {
        shared_client_id(&self.profile_client_id(), environment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_examples() {
        assert_eq!(
            kebab_case("Resource Server Example"),
            "resource-server-example"
        );
        assert_eq!(kebab_case("aps-moh-proto default"), "aps-moh-proto-default");
        // lodash: numbers are words of their own (the portal's ids, so the audiences).
        assert_eq!(kebab_case("API-2 v3"), "api-2-v-3");
        assert_eq!(kebab_case("Records API 1st"), "records-api-1st");
        assert_eq!(kebab_case("--x--"), "x");
        assert_eq!(kebab_case(""), "");
    }

    #[test]
    fn shared_ids_per_environment() {
        let mut p = CredentialIssuer::new("Resource Server Example");
        assert_eq!(
            p.shared_client_id(Environment::Prod),
            "ap-resource-server-example"
        );
        assert_eq!(
            p.shared_client_id(Environment::Sandbox),
            "ap-resource-server-example-sandbox"
        );
        p.client_id = Some("custom".into());
        assert_eq!(p.shared_client_id(Environment::Other), "ap-custom-other");
    }
}
