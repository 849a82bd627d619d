//! Token parsing and validation: any input must give a typed refusal, never a panic; and
//! nothing but a correctly signed token is accepted.
#![no_main]

use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use aps_jwt::{Jwks, ManualClock, SigningKey, Validator};
use libfuzzer_sys::fuzz_target;

const EC_PEM: &str = include_str!("../../testdata/keys/p256.pkcs8.pem");

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        let key = SigningKey::from_pem(EC_PEM).expect("fixture");
        Validator::builder()
            .issuer_with_jwks(
                "https://idp.example/realms/apigw",
                &Jwks::new(vec![key.public_jwk()]),
            )
            .algorithms([aps_jwt::Algorithm::ES256, aps_jwt::Algorithm::RS256])
            .clock(ManualClock::at_unix(1_799_996_400))
            .build()
            .expect("validator")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut future = std::pin::pin!(validator().validate(text));
    // Static keys: validation never waits.
    if let Poll::Ready(Ok(_)) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        panic!("accepted a token not signed by the fixture key: {text:?}");
    }
    let _ = aps_jwt::unverified_client_id(text);
});
