//! One module per subcommand: its arguments, its pure logic (tested), and a small `run`.

pub(crate) mod dev_idp;
pub(crate) mod jwks;
pub(crate) mod keygen;
pub(crate) mod lint;
pub(crate) mod plugin;
pub(crate) mod token;
pub(crate) mod verify;

/// Parses one subcommand's arguments alone, as its unit tests need.
#[cfg(test)]
pub(crate) fn parse<A: clap::Args>(argv: &[&str]) -> Result<A, clap::Error> {
    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Cli<A: clap::Args> {
        #[command(flatten)]
        args: A,
    }

    Cli::<A>::try_parse_from(std::iter::once("aps").chain(argv.iter().copied())).map(|c| c.args)
}
