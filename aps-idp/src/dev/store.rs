//! The state file: the realm (clients with their secrets, and the signing keys as PKCS#8 PEM)
//! as versioned JSON, read at start and replaced atomically after every change (temporary
//! file in the same directory, fsync, rename, fsync of the directory), mode 0600.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use aps_jwt::{Algorithm, SigningKey};
use serde::{Deserialize, Serialize};

use super::client::{Credential, DevClient, JwtKey};
use super::keys::{KeyRing, RingKey};
use super::realm::Realm;
use crate::model::PublicKey;
use crate::{ClientSecret, Error, Result};

/// The format version this code reads and writes.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    version: u32,
    /// Informational: the issuer that wrote the file.
    issuer: String,
    signing_keys: Vec<KeyRecord>,
    clients: Vec<ClientRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyRecord {
    algorithm: String,
    kid: String,
    private_key_pem: String,
    retired_at: Option<u64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
enum AuthRecord {
    Secret { secret: String },
    PublicKey { pem: String },
    JwksUrl { url: String },
    BearerOnly,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientRecord {
    client_id: String,
    enabled: bool,
    service_account_id: String,
    authentication: AuthRecord,
    default_scopes: Vec<String>,
    roles: BTreeMap<String, Vec<String>>,
    audiences: Vec<String>,
    client_roles: Vec<String>,
}

fn file_error(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::config("state_file", format!("{}: {reason}", path.display()))
}

/// Reads the state file; `None` when it does not exist yet.
///
/// # Errors
/// [`Error::Config`] naming the file (and the line and column of a JSON problem) when it
/// cannot be read or is not a valid version-1 state file.
pub(super) fn load(path: &Path) -> Result<Option<Realm>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(path, format!("cannot read it: {e}"))),
    };
    // It holds secrets and signing keys: whatever mode it was given, only its owner reads it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| file_error(path, format!("cannot make it private (mode 0600): {e}")))?;
    }
    let file: StateFile = serde_json::from_str(&text).map_err(|e| {
        // Data errors may quote a value (a secret, a key): only those naming fields are shown.
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        let names_fields = ["missing field", "unknown field", "duplicate field"]
            .iter()
            .any(|p| message.starts_with(p));
        let what = match e.classify() {
            serde_json::error::Category::Data if !names_fields => "unexpected data",
            _ => message,
        };
        file_error(
            path,
            format!("line {}, column {}: {what}", e.line(), e.column()),
        )
    })?;
    if file.version != VERSION {
        return Err(file_error(
            path,
            format!(
                "version {} is not supported (expected {VERSION})",
                file.version
            ),
        ));
    }
    let keys = file
        .signing_keys
        .into_iter()
        .map(|k| {
            let alg: Algorithm = k
                .algorithm
                .parse()
                .map_err(|_| file_error(path, format!("key `{}`: unknown algorithm", k.kid)))?;
            let key = SigningKey::from_pem(&k.private_key_pem)
                .and_then(|key| key.with_kid(&k.kid).with_algorithm(alg))
                .map_err(|e| file_error(path, format!("key `{}`: {e}", k.kid)))?;
            Ok(RingKey {
                key,
                retired_at: k.retired_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let keys = KeyRing::from_keys(keys).ok_or_else(|| {
        file_error(
            path,
            "signing_keys must end with the one current (not retired) key",
        )
    })?;
    let mut clients = BTreeMap::new();
    for record in file.clients {
        let client = client_from(record).map_err(|e| file_error(path, format!("client: {e}")))?;
        clients.insert(client.client_id.clone(), client);
    }
    Ok(Some(Realm { clients, keys }))
}

fn client_from(record: ClientRecord) -> Result<DevClient> {
    let credential = match record.authentication {
        AuthRecord::Secret { secret } => Credential::Secret(ClientSecret::new(secret)),
        AuthRecord::PublicKey { pem } => Credential::Jwt(JwtKey::parse(&PublicKey::Pem(pem))?),
        AuthRecord::JwksUrl { url } => Credential::Jwt(JwtKey::parse(&PublicKey::JwksUrl(url))?),
        AuthRecord::BearerOnly => Credential::BearerOnly,
    };
    let mut client = DevClient::new(&record.client_id, credential, record.service_account_id);
    client.enabled = record.enabled;
    client.default_scopes = record.default_scopes.into_iter().collect();
    client.roles = record
        .roles
        .into_iter()
        .map(|(owner, roles)| (owner, roles.into_iter().collect()))
        .collect();
    client.audiences = record.audiences.into_iter().collect();
    client.own_roles = record.client_roles.into_iter().collect();
    Ok(client)
}

fn record_of(client: &DevClient) -> ClientRecord {
    let authentication = match &client.credential {
        Credential::Secret(secret) => AuthRecord::Secret {
            secret: secret.expose().to_owned(),
        },
        Credential::Jwt(JwtKey::Pem { pem, .. }) => AuthRecord::PublicKey { pem: pem.clone() },
        Credential::Jwt(JwtKey::JwksUrl(url)) => AuthRecord::JwksUrl {
            url: url.to_string(),
        },
        Credential::BearerOnly => AuthRecord::BearerOnly,
    };
    let state = client.state();
    ClientRecord {
        client_id: state.client_id,
        enabled: state.enabled,
        service_account_id: client.service_account_id.clone(),
        authentication,
        default_scopes: state.default_scopes,
        roles: state.roles,
        audiences: state.audiences,
        client_roles: client.own_roles.iter().cloned().collect(),
    }
}

/// The realm as the text of a state file.
///
/// # Errors
/// [`Error::Key`] if a signing key cannot be encoded.
pub(super) fn render(realm: &Realm, issuer: &str) -> Result<String> {
    let signing_keys = realm
        .keys
        .keys()
        .iter()
        .map(|k| {
            Ok(KeyRecord {
                algorithm: k.key.algorithm().to_string(),
                kid: k.key.kid().to_owned(),
                private_key_pem: k.key.to_pkcs8_pem()?.to_string(),
                retired_at: k.retired_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let file = StateFile {
        version: VERSION,
        issuer: issuer.to_owned(),
        signing_keys,
        clients: realm.clients.values().map(record_of).collect(),
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|e| Error::config("state_file", format!("cannot serialise the state: {e}")))?;
    Ok(text)
}

/// Replaces the file at `path` with `text` atomically: never half-written, mode 0600.
///
/// # Errors
/// [`Error::Config`] naming the file when it cannot be written.
pub(super) fn write_atomically(path: &Path, text: &str) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| file_error(path, "not a file path"))?
        .to_string_lossy();
    let temp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = write_synced(&temp, text).and_then(|()| fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(file_error(path, format!("cannot write it: {e}")));
    }
    // The rename is durable once the directory is synced (not possible on every platform).
    if let Ok(dir) = File::open(&dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn write_synced(path: &Path, text: &str) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests;
