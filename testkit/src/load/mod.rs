//! A closed-loop HTTP load generator for the benches: groups of concurrent callers (reqwest on
//! hyper, HTTP/1.1 keep-alive), each sending its next request when the last one is answered,
//! for a bounded time after a warm-up; requests/s, p50 and p99 per group.
//!
//! The generator runs on its own one-thread tokio runtime. Serve the service under test on
//! another ([`one_thread_runtime`]): on a 2-vCPU machine each then gets about one core, so the
//! requests/s are those of one server core.
//!
//! ```no_run
//! use aps_testkit::load::{Credential, Generator, Settings, Traffic};
//!
//! let settings = Settings::from_env();
//! let generator = Generator::new();
//! let open = Traffic { label: "no auth", path: "/open", credential: Credential::None, expect: 200 };
//! for &callers in &settings.concurrency {
//!     for result in generator.run("http://127.0.0.1:8080", &[(open.clone(), callers)], settings.secs) {
//!         println!("{}", result.row("alone"));
//!     }
//! }
//! ```

mod caller;
mod cpu;
mod generator;
mod quantile;
mod result;
mod rss;
mod runtime;
mod settings;
mod traffic;

pub use cpu::worker_cpu;
pub use generator::{Generator, WARM_UP};
pub use quantile::nearest_rank;
pub use result::{GroupResult, TABLE_HEADER};
pub use rss::peak_rss_mib;
pub use runtime::one_thread_runtime;
pub use settings::{Settings, env_or};
pub use traffic::{Credential, Traffic};
