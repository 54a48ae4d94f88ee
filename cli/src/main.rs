//! `memkv`: the command-line face of the memkv component; see [`memkv_cli::Cli`] for the
//! commands.

use std::process::ExitCode;

use clap::Parser;
use memkv_cli::{CacheUse, Cli, Compiled, engine};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let compiled = || Compiled::new(&engine(CacheUse::User)?);
    let done = memkv_cli::run(
        cli,
        compiled,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
    );
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("memkv: {error:#}");
            ExitCode::FAILURE
        }
    }
}
