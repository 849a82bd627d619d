//! Signing-key rotation, and the state file across a restart.

use std::time::Duration;

use aps_idp::{DevIdp, IdentityProvider};
use aps_jwt::Algorithm;

use super::support::{TestResult, client, decode, secret_client, validator};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aps-dev-idp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn jwks_kids(idp: &DevIdp) -> Vec<String> {
    let jwks: serde_json::Value = reqwest::get(&idp.endpoints().jwks_uri)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    keys.iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn rotated_keys_stay_published_for_the_grace_period() -> TestResult {
    let idp = DevIdp::start().await?;
    let secret = secret_client(&idp, "app", None).await;
    let uncached = |idp: &DevIdp| client(idp, "app").client_secret(secret.clone()).build();
    let before = uncached(&idp)?.token().await?;
    let old_kid = decode(before.secret(), 0)["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let checker = validator(&idp, Algorithm::RS256);
    checker.validate(before.secret()).await?;

    let new_kid = idp.rotate_signing_key().await?;
    assert_ne!(new_kid, old_kid);
    assert_eq!(jwks_kids(&idp).await, [old_kid.clone(), new_kid.clone()]);
    let after = uncached(&idp)?.token().await?;
    assert_eq!(decode(after.secret(), 0)["kid"], new_kid.as_str());
    let fresh = validator(&idp, Algorithm::RS256);
    fresh.validate(before.secret()).await?;
    fresh.validate(after.secret()).await?;
    checker.validate(before.secret()).await?;

    // Without a grace period the old key goes at once, and its tokens with it.
    let strict = DevIdp::builder()
        .key_grace_period(Duration::ZERO)
        .start()
        .await?;
    let secret = secret_client(&strict, "app", None).await;
    let old = client(&strict, "app")
        .client_secret(secret)
        .build()?
        .token()
        .await?;
    let kid = strict.rotate_signing_key().await?;
    assert_eq!(jwks_kids(&strict).await, [kid]);
    assert!(
        validator(&strict, Algorithm::RS256)
            .validate(old.secret())
            .await
            .is_err()
    );
    Ok(())
}

#[tokio::test]
async fn the_state_file_survives_a_restart() -> TestResult {
    let dir = temp_dir("restart");
    let path = dir.join("idp.json");
    let idp = DevIdp::builder().state_file(&path).start().await?;
    let secret = secret_client(&idp, "app", None).await;
    let token = client(&idp, "app")
        .client_secret(secret.clone())
        .build()?
        .token()
        .await?;
    let (port, state) = (idp.port(), idp.client("app").await?);
    idp.shutdown().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o600
        );
    }
    let text = std::fs::read_to_string(&path)?;
    assert!(text.contains("\"version\": 1") && text.contains("PRIVATE KEY"));

    let again = DevIdp::builder()
        .state_file(&path)
        .port(port)
        .start()
        .await?;
    assert_eq!(again.client("app").await?, state);
    assert_eq!(again.client_secret("app").await?, secret);
    validator(&again, Algorithm::RS256)
        .validate(token.secret())
        .await?;
    client(&again, "app")
        .client_secret(secret)
        .build()?
        .token()
        .await?;
    again.shutdown().await;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

#[tokio::test]
async fn a_corrupt_state_file_is_an_error_naming_it() -> TestResult {
    let dir = temp_dir("corrupt");
    let path = dir.join("idp.json");
    std::fs::write(&path, "{\n  \"version\": 1,\n  \"clients\": [,]\n}")?;
    let error = DevIdp::builder()
        .state_file(&path)
        .start()
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("line 3, column"), "{message}");
    assert_eq!(std::fs::read_to_string(&path)?.len(), 36, "left as it was");
    std::fs::remove_dir_all(dir)?;
    Ok(())
}
