use aps_jwt::SigningKey;

use super::*;
use crate::dev::client::DevClient;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aps-devidp-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn realm() -> Realm {
    let mut keys = KeyRing::new(SigningKey::generate_p256().unwrap());
    keys.rotate(SigningKey::generate_p256().unwrap(), 1000, 600);
    let mut clients = BTreeMap::new();
    let mut client = DevClient::new(
        "a",
        Credential::Secret(ClientSecret::new("s3cret")),
        "sa".into(),
    );
    client.enabled = true;
    client.default_scopes.insert("Function1/read".into());
    client
        .roles
        .insert("ap-p".into(), ["read".to_owned()].into());
    clients.insert("a".to_owned(), client);
    let mut profile = DevClient::new("ap-p", Credential::BearerOnly, "sb".into());
    profile.own_roles.insert("read".into());
    clients.insert("ap-p".to_owned(), profile);
    Realm { clients, keys }
}

#[test]
fn round_trip_keeps_clients_and_keys() {
    let dir = temp_dir("round-trip");
    let path = dir.join("state.json");
    assert!(load(&path).unwrap().is_none());
    let original = realm();
    write_atomically(&path, &render(&original, "http://x").unwrap()).unwrap();
    let loaded = load(&path).unwrap().unwrap();
    assert_eq!(loaded.keys.current().kid(), original.keys.current().kid());
    assert_eq!(loaded.keys.keys().len(), 2);
    assert_eq!(loaded.clients["a"].state(), original.clients["a"].state());
    assert_eq!(
        loaded.clients["ap-p"].own_roles,
        original.clients["ap-p"].own_roles
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let leftovers = fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary file is left behind");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_files_are_errors_naming_the_file() {
    let dir = temp_dir("bad");
    let path = dir.join("state.json");
    for (text, expected) in [
        ("{\n  \"version\": 1,\n  oops", "line 3, column 3"),
        ("", "line 1, column 0"),
        (
            r#"{"version": 2, "issuer": "", "signing_keys": [], "clients": []}"#,
            "version 2",
        ),
        (
            r#"{"version": 1, "issuer": "", "signing_keys": [], "clients": []}"#,
            "signing_keys",
        ),
        (r#"{"version": 1, "issuer": 7}"#, "unexpected data"),
    ] {
        fs::write(&path, text).unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(
            e.contains(&path.display().to_string()) && e.contains(expected),
            "{e}"
        );
    }
    fs::remove_dir_all(dir).unwrap();
}
