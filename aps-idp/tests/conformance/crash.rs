//! Crash safety: every trait call of every step fails in turn (before it reaches the IdP, and
//! after, as if the answer were lost); at each failure no client is enabled without its
//! grants, and running the step again ends where a run without failures ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aps_core::{AccessRequest, ClientAuthenticator, Grants, State, Step};
use aps_idp::{
    ClientGrants, ClientSecret, ClientState, Endpoints, Error, IdentityProvider, NewClient,
    Provisioner, PublicKey, ResourceAccess, Result,
};
use async_trait::async_trait;

use crate::support::{Consumer, ENV, Target, client_id};

/// Wraps an IdP and fails its call number `fail_at` (from 0), before making it or after.
#[derive(Debug)]
struct Faulty {
    inner: Arc<dyn IdentityProvider>,
    calls: AtomicUsize,
    fail_at: usize,
    after: bool,
}

impl Faulty {
    fn new(inner: Arc<dyn IdentityProvider>, fail_at: usize, after: bool) -> Self {
        Self {
            inner,
            calls: AtomicUsize::new(0),
            fail_at,
            after,
        }
    }

    async fn call<T: Send>(
        &self,
        name: &str,
        call: impl Future<Output = Result<T>> + Send,
    ) -> Result<T> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let injected = || Error::Transport {
            what: format!("call {n} ({name})"),
            source: "injected failure".into(),
        };
        if n == self.fail_at && !self.after {
            return Err(injected());
        }
        let result = call.await;
        if n == self.fail_at {
            return Err(injected());
        }
        result
    }
}

#[async_trait]
impl IdentityProvider for Faulty {
    fn endpoints(&self) -> &Endpoints {
        self.inner.endpoints()
    }
    async fn register_client(&self, client: &NewClient) -> Result<Option<ClientSecret>> {
        self.call("register_client", self.inner.register_client(client))
            .await
    }
    async fn client(&self, client_id: &str) -> Result<Option<ClientState>> {
        self.call("client", self.inner.client(client_id)).await
    }
    async fn client_secret(&self, client_id: &str) -> Result<ClientSecret> {
        self.call("client_secret", self.inner.client_secret(client_id))
            .await
    }
    async fn set_grants(&self, client_id: &str, grants: &ClientGrants) -> Result<()> {
        self.call("set_grants", self.inner.set_grants(client_id, grants))
            .await
    }
    async fn set_enabled(&self, client_id: &str, enabled: bool) -> Result<()> {
        self.call("set_enabled", self.inner.set_enabled(client_id, enabled))
            .await
    }
    async fn delete_client(&self, client_id: &str) -> Result<bool> {
        self.call("delete_client", self.inner.delete_client(client_id))
            .await
    }
    async fn regenerate_secret(&self, client_id: &str) -> Result<ClientSecret> {
        self.call("regenerate_secret", self.inner.regenerate_secret(client_id))
            .await
    }
    async fn set_public_key(&self, client_id: &str, key: &PublicKey) -> Result<()> {
        self.call("set_public_key", self.inner.set_public_key(client_id, key))
            .await
    }
    async fn create_profile_client(&self, client_id: &str) -> Result<()> {
        self.call(
            "create_profile_client",
            self.inner.create_profile_client(client_id),
        )
        .await
    }
    async fn client_roles(&self, client_id: &str) -> Result<Option<Vec<String>>> {
        self.call("client_roles", self.inner.client_roles(client_id))
            .await
    }
    async fn set_client_roles(&self, client_id: &str, roles: &[String]) -> Result<()> {
        self.call(
            "set_client_roles",
            self.inner.set_client_roles(client_id, roles),
        )
        .await
    }
    async fn grant_resource_access(&self, client_id: &str, access: &ResourceAccess) -> Result<()> {
        self.call(
            "grant_resource_access",
            self.inner.grant_resource_access(client_id, access),
        )
        .await
    }
    async fn revoke_resource_access(&self, client_id: &str, resource_server: &str) -> Result<bool> {
        self.call(
            "revoke_resource_access",
            self.inner
                .revoke_resource_access(client_id, resource_server),
        )
        .await
    }
}

/// A provisioner for `profile` whose IdP fails its call `fail_at`, before the call or `after`.
fn failing(
    target: &Target,
    profile: &aps_core::CredentialIssuer,
    fail_at: usize,
    after: bool,
) -> Provisioner {
    let faulty = Arc::new(Faulty::new(target.idp.clone(), fail_at, after));
    Provisioner::new(faulty, profile.clone()).key_bits(2048)
}

fn grants() -> Grants {
    Grants::new(["Function1/read"], ["read"])
}

/// How many trait calls `step` makes on `request` when nothing fails (the step is then undone
/// by the caller's next use of a fresh request).
async fn calls_of(
    target: &Target,
    profile: &aps_core::CredentialIssuer,
    request: &AccessRequest,
    step: &Step,
) -> usize {
    let counting = Arc::new(Faulty::new(target.idp.clone(), usize::MAX, false));
    Provisioner::new(counting.clone(), profile.clone())
        .key_bits(2048)
        .perform(request, step)
        .await
        .unwrap();
    counting.calls.load(Ordering::SeqCst)
}

/// Asserts the invariant at a failure point: the client is absent, or disabled, or enabled with
/// exactly `grants`.
async fn no_enabled_client_without_grants(
    target: &Target,
    id: &str,
    grants: &ClientGrants,
    at: &str,
) {
    if let Some(state) = target.state(id).await {
        assert!(
            !state.enabled || state.has_exactly(grants),
            "{}: {at}: enabled without its grants: {state:?}",
            target.name
        );
    }
}

async fn issue_credentials_survives_every_failure(target: &Target) {
    for authenticator in [
        ClientAuthenticator::ClientSecret,
        ClientAuthenticator::ClientJwt,
    ] {
        let profile = target.profile(authenticator);
        let probe = AccessRequest::new(&profile, ENV, client_id("crash-probe"), None).unwrap();
        let calls = calls_of(target, &profile, &probe, &Step::IssueCredentials).await;
        target
            .idp
            .delete_client(probe.consumer_client_id())
            .await
            .unwrap();
        for fail_at in 0..calls {
            for after in [false, true] {
                let at = format!("{authenticator} issue, call {fail_at}, after: {after}");
                let request =
                    AccessRequest::new(&profile, ENV, client_id("crash-issue"), None).unwrap();
                let id = request.consumer_client_id();
                let failed = failing(target, &profile, fail_at, after)
                    .perform(&request, &Step::IssueCredentials)
                    .await;
                assert!(failed.is_err(), "{at}: the injected failure surfaces");
                no_enabled_client_without_grants(target, id, &ClientGrants::default(), &at).await;

                // The portal kept the request as it was, and runs the step again.
                let issued = target
                    .provisioner(&profile)
                    .perform(&request, &Step::IssueCredentials)
                    .await
                    .unwrap_or_else(|e| panic!("{at}: the re-run converges: {e}"));
                let state = target.state(id).await.expect("one client");
                assert!(!state.enabled, "{at}");
                let consumer = Consumer::Document(issued.credentials.expect("credentials"));
                consumer.assert_invalid_client(&at).await;

                // The credentials handed out by the re-run are the ones that work.
                target
                    .provisioner(&profile)
                    .perform(&issued.request, &Step::Approve { grants: grants() })
                    .await
                    .unwrap();
                consumer.assert_token(&at).await;
                target.idp.delete_client(id).await.unwrap();
            }
        }
    }
}

async fn approval_survives_every_failure(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientSecret);
    let approve = Step::Approve { grants: grants() };
    let expected =
        ClientGrants::scopes(["Function1/read"]).roles(target.roles_client.clone(), ["read"]);
    let probe = AccessRequest::new(&profile, ENV, client_id("crash-probe"), None).unwrap();
    let probe_issued = target
        .provisioner(&profile)
        .perform(&probe, &Step::IssueCredentials)
        .await
        .unwrap();
    let calls = calls_of(target, &profile, &probe_issued.request, &approve).await;
    target
        .idp
        .delete_client(probe.consumer_client_id())
        .await
        .unwrap();
    assert!(calls >= 2, "grants, then enable");

    for fail_at in 0..calls {
        for after in [false, true] {
            let at = format!("approve, call {fail_at}, after: {after}");
            let request =
                AccessRequest::new(&profile, ENV, client_id("crash-approve"), None).unwrap();
            let id = request.consumer_client_id();
            let issued = target
                .provisioner(&profile)
                .perform(&request, &Step::IssueCredentials)
                .await
                .unwrap();
            let failed = failing(target, &profile, fail_at, after)
                .perform(&issued.request, &approve)
                .await;
            assert!(failed.is_err(), "{at}");
            no_enabled_client_without_grants(target, id, &expected, &at).await;

            let approved = target
                .provisioner(&profile)
                .perform(&issued.request, &approve)
                .await
                .unwrap();
            assert_eq!(approved.request.state(), State::Approved);
            let state = target.state(id).await.unwrap();
            assert!(
                state.enabled && state.has_exactly(&expected),
                "{at}: {state:?}"
            );
            Consumer::Document(issued.credentials.unwrap())
                .assert_token(target.name)
                .await;

            // Revocation fails at its one call, then is run again.
            let failed = failing(target, &profile, 0, after)
                .perform(&approved.request, &Step::Revoke)
                .await;
            assert!(failed.is_err());
            target
                .provisioner(&profile)
                .perform(&approved.request, &Step::Revoke)
                .await
                .unwrap();
            assert!(
                target.state(id).await.is_none(),
                "{at}: revoked client gone"
            );
        }
    }
}

/// A registration that failed after the client was made leaves the request `requested`;
/// rejecting it deletes that client.
async fn reject_after_a_partial_registration(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientJwt);
    let request = AccessRequest::new(&profile, ENV, client_id("crash-reject"), None).unwrap();
    let failed = failing(target, &profile, 0, true)
        .perform(&request, &Step::IssueCredentials)
        .await;
    assert!(failed.is_err());
    assert!(target.state(request.consumer_client_id()).await.is_some());
    let rejected = target
        .provisioner(&profile)
        .perform(&request, &Step::Reject)
        .await
        .unwrap();
    assert_eq!(rejected.request.state(), State::Rejected);
    assert!(target.state(request.consumer_client_id()).await.is_none());
}

/// Two provisioners (two portal replicas) run the same steps at once: one client, one
/// secret handed out by both, one end state.
async fn concurrent_provisioners_converge(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientSecret);
    let request = AccessRequest::new(&profile, ENV, client_id("race"), None).unwrap();
    let (a, b) = (target.provisioner(&profile), target.provisioner(&profile));
    let (first, second) = tokio::join!(
        a.perform(&request, &Step::IssueCredentials),
        b.perform(&request, &Step::IssueCredentials)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    let secret = |o: &aps_idp::Outcome| {
        o.credentials
            .as_ref()
            .unwrap()
            .client_secret
            .clone()
            .unwrap()
    };
    assert_eq!(
        secret(&first),
        secret(&second),
        "{}: one secret handed out",
        target.name
    );

    let approve = Step::Approve { grants: grants() };
    let (x, y) = tokio::join!(
        a.perform(&first.request, &approve),
        b.perform(&second.request, &approve)
    );
    x.unwrap();
    y.unwrap();
    let id = request.consumer_client_id();
    let state = target.state(id).await.unwrap();
    let expected =
        ClientGrants::scopes(["Function1/read"]).roles(target.roles_client.clone(), ["read"]);
    assert!(state.enabled && state.has_exactly(&expected), "{state:?}");
    Consumer::Document(first.credentials.unwrap())
        .assert_token(target.name)
        .await;
    target.idp.delete_client(id).await.unwrap();
}

/// A registration that failed after the client was made, then a re-run that fails again at
/// each of its own calls (the converging path), then a clean re-run: the credentials it hands
/// out work once approved.
async fn a_rerun_that_fails_again_still_converges(target: &Target) {
    for authenticator in [
        ClientAuthenticator::ClientSecret,
        ClientAuthenticator::ClientJwt,
    ] {
        let profile = target.profile(authenticator);
        let partial = || async {
            let request =
                AccessRequest::new(&profile, ENV, client_id("crash-rerun"), None).unwrap();
            let failed = failing(target, &profile, 0, true)
                .perform(&request, &Step::IssueCredentials)
                .await;
            assert!(failed.is_err());
            request
        };
        let probe = partial().await;
        let calls = calls_of(target, &profile, &probe, &Step::IssueCredentials).await;
        target
            .idp
            .delete_client(probe.consumer_client_id())
            .await
            .unwrap();
        assert!(
            calls >= 2,
            "{authenticator}: the re-run reads the client, then converges"
        );
        for fail_at in 0..calls {
            for after in [false, true] {
                let at = format!("{authenticator} re-run, call {fail_at}, after: {after}");
                let request = partial().await;
                let failed = failing(target, &profile, fail_at, after)
                    .perform(&request, &Step::IssueCredentials)
                    .await;
                assert!(failed.is_err(), "{at}");
                let id = request.consumer_client_id();
                no_enabled_client_without_grants(target, id, &ClientGrants::default(), &at).await;
                let issued = target
                    .provisioner(&profile)
                    .perform(&request, &Step::IssueCredentials)
                    .await
                    .unwrap_or_else(|e| panic!("{at}: {e}"));
                target
                    .provisioner(&profile)
                    .perform(&issued.request, &Step::Approve { grants: grants() })
                    .await
                    .unwrap();
                let consumer = Consumer::Document(issued.credentials.unwrap());
                consumer.assert_token(&at).await;
                target.idp.delete_client(id).await.unwrap();
            }
        }
    }
}

/// `approval: false`: every call of issuing-and-approving fails in turn; the error says what
/// to persist, and finishing from there ends with an enabled client whose handed-out
/// credentials work.
async fn issue_without_approval_survives_every_failure(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientSecret);
    let expected =
        ClientGrants::scopes(["Function1/read"]).roles(target.roles_client.clone(), ["read"]);
    let probe = AccessRequest::new(&profile, ENV, client_id("crash-probe"), None).unwrap();
    let counting = Arc::new(Faulty::new(target.idp.clone(), usize::MAX, false));
    Provisioner::new(counting.clone(), profile.clone())
        .issue_without_approval(&probe, grants())
        .await
        .unwrap();
    let calls = counting.calls.load(Ordering::SeqCst);
    target
        .idp
        .delete_client(probe.consumer_client_id())
        .await
        .unwrap();
    for fail_at in 0..calls {
        for after in [false, true] {
            let at = format!("issue without approval, call {fail_at}, after: {after}");
            let request = AccessRequest::new(&profile, ENV, client_id("crash-auto"), None).unwrap();
            let id = request.consumer_client_id();
            let error = failing(target, &profile, fail_at, after)
                .issue_without_approval(&request, grants())
                .await
                .expect_err(&at);
            no_enabled_client_without_grants(target, id, &expected, &at).await;
            let credentials = match error {
                // The credentials were issued: persist them, then approve again.
                aps_idp::Error::ApprovalFailed { issued, .. } => {
                    target
                        .provisioner(&profile)
                        .perform(&issued.request, &Step::Approve { grants: grants() })
                        .await
                        .unwrap_or_else(|e| panic!("{at}: {e}"));
                    issued.credentials
                }
                // Nothing was issued: run it all again.
                _ => {
                    target
                        .provisioner(&profile)
                        .issue_without_approval(&request, grants())
                        .await
                        .unwrap_or_else(|e| panic!("{at}: {e}"))
                        .credentials
                }
            };
            let state = target.state(id).await.unwrap();
            assert!(
                state.enabled && state.has_exactly(&expected),
                "{at}: {state:?}"
            );
            let consumer = Consumer::Document(credentials.expect("credentials"));
            consumer.assert_token(&at).await;
            target.idp.delete_client(id).await.unwrap();
        }
    }
}

/// A secret regeneration that fails (before, or after the IdP made the new secret): running it
/// again hands out a secret that works, and the client stays enabled with its grants.
async fn regeneration_survives_every_failure(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientSecret);
    let request = AccessRequest::new(&profile, ENV, client_id("crash-regen"), None).unwrap();
    let approved = target
        .provisioner(&profile)
        .issue_without_approval(&request, grants())
        .await
        .unwrap()
        .request;
    let calls = calls_of(target, &profile, &approved, &Step::RegenerateCredentials).await;
    for fail_at in 0..calls {
        for after in [false, true] {
            let at = format!("regenerate, call {fail_at}, after: {after}");
            let failed = failing(target, &profile, fail_at, after)
                .perform(&approved, &Step::RegenerateCredentials)
                .await;
            assert!(failed.is_err(), "{at}");
            let regenerated = target
                .provisioner(&profile)
                .perform(&approved, &Step::RegenerateCredentials)
                .await
                .unwrap_or_else(|e| panic!("{at}: {e}"));
            let consumer = Consumer::Document(regenerated.credentials.unwrap());
            consumer.assert_token(&at).await;
        }
    }
    target
        .idp
        .delete_client(request.consumer_client_id())
        .await
        .unwrap();
}

crate::on_every_idp!(
    issue_credentials_survives_every_failure,
    a_rerun_that_fails_again_still_converges,
    issue_without_approval_survives_every_failure,
    regeneration_survives_every_failure,
    approval_survives_every_failure,
    reject_after_a_partial_registration,
    concurrent_provisioners_converge,
);
