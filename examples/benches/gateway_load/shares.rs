//! The share of each part in the gateway path's cost per request, from the HTTP cases at one
//! concurrency and the parts timed in process.

use crate::parts::Parts;

/// Microseconds of server time per request (10^6 / requests/s) of each HTTP case. With every
/// server on one thread and enough callers to keep it busy, that is the thread's work per
/// request, as long as it gets a whole core.
pub(crate) struct PerRequest {
    pub(crate) plain_upstream: f64,
    pub(crate) verified_upstream: f64,
    pub(crate) gateway_hit_to_plain: f64,
    pub(crate) gateway_hit: f64,
    pub(crate) gateway_cold: f64,
}

/// Prints the two tables: shares of the full path, and the parts by subtraction of cases.
pub(crate) fn print(callers: usize, http: &PerRequest, parts: &Parts, cold_misses: f64) {
    let cold_validation =
        cold_misses * parts.validate_miss + (1.0 - cold_misses) * parts.validate_hit;
    println!(
        "\nShares of the gateway path, {callers} callers (us per request; total = 10^6 / requests/s):\n"
    );
    println!("| part | measured | gateway, cache hit | share | gateway, cold | share |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let rows = [
        (
            "bearer token validation",
            format!("in process (cold: {:.0} % misses)", cold_misses * 100.0),
            parts.validate_hit,
            cold_validation,
        ),
        (
            "signing the upstream JWT (RS256)",
            "in process".to_owned(),
            parts.sign,
            parts.sign,
        ),
        (
            "the upstream's verification of it",
            "in process".to_owned(),
            parts.verify,
            parts.verify,
        ),
    ];
    let (mut hit_rest, mut cold_rest) = (http.gateway_hit, http.gateway_cold);
    for (part, how, hit, cold) in &rows {
        hit_rest -= hit;
        cold_rest -= cold;
        share_row(
            part,
            how,
            (*hit, http.gateway_hit),
            (*cold, http.gateway_cold),
        );
    }
    share_row(
        "the rest: HTTP (gateway and upstream servers, the proxy's client), the layers, tokio",
        "total minus the above",
        (hit_rest, http.gateway_hit),
        (cold_rest, http.gateway_cold),
    );
    share_row(
        "total",
        "10^6 / requests/s",
        (http.gateway_hit, http.gateway_hit),
        (http.gateway_cold, http.gateway_cold),
    );
    println!(
        "\nThe same parts by subtraction of HTTP cases, {callers} callers (us per request):\n"
    );
    println!("| part | cases subtracted | by subtraction | in process |");
    println!("| --- | --- | --- | --- |");
    let subtracted = [
        (
            "the upstream's verification",
            "gateway -> upstream, minus gateway -> plain upstream (cache hits)",
            http.gateway_hit - http.gateway_hit_to_plain,
            parts.verify,
        ),
        (
            "cold validations over cache hits",
            "gateway cold, minus gateway cache hit",
            http.gateway_cold - http.gateway_hit,
            cold_validation - parts.validate_hit,
        ),
        (
            "`UpstreamLayer`",
            "upstream with it, minus plain upstream (called directly)",
            http.verified_upstream - http.plain_upstream,
            parts.verify,
        ),
        (
            "the gateway's validation and signing (plus its own HTTP side and the proxy's client)",
            "gateway -> plain upstream, minus plain upstream",
            http.gateway_hit_to_plain - http.plain_upstream,
            parts.validate_hit + parts.sign,
        ),
    ];
    for (part, cases, by_subtraction, in_process) in subtracted {
        println!("| {part} | {cases} | {by_subtraction:.1} | {in_process:.1} |");
    }
}

fn share_row(part: &str, how: &str, (hit, hit_total): (f64, f64), (cold, cold_total): (f64, f64)) {
    println!(
        "| {part} | {how} | {hit:.1} | {:.1} % | {cold:.1} | {:.1} % |",
        100.0 * hit / hit_total,
        100.0 * cold / cold_total
    );
}
