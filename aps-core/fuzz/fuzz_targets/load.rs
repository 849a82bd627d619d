//! The loader on any bytes: no panic; whatever loads writes back and reloads equal; the
//! model functions on loaded profiles (validation with positions, redaction, Debug, plugin
//! rendering) do not panic either.

#![no_main]

use aps_core::{Environment, Problem, load_json, load_yaml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for loaded in [load_yaml(text), load_json(text)] {
        let Ok(docs) = loaded else { continue };
        let written = docs.to_yaml().expect("writing loaded documents");
        let again = load_yaml(&written).expect("reloading written documents");
        assert_eq!(again.documents, docs.documents, "YAML round trip changed the documents:\n{written}");
        let json = docs.to_json();
        assert_eq!(load_json(&json).expect("reloading JSON").documents, docs.documents);
        let _ = format!("{docs:?}");
        for problem in docs.validate() {
            let _ = problem.to_string();
        }
        for profile in docs.credential_issuers() {
            let _ = profile.redacted();
            for path in profile.extra.keys() {
                let _ = profile.position(path);
            }
            let _ = profile.validate_update(profile);
            let _ = profile.locate(Problem::warning("environmentDetails[0].x", "fuzz"));
            for env in Environment::ALL {
                if let Ok(plugin) = profile.jwt_keycloak_plugin(*env) {
                    let _ = plugin.to_yaml();
                }
            }
        }
    }
});
