//! `memkv`: the command-line face of the memkv component; see [`memkv_cli::Cli`] for the
//! commands.

use std::process::ExitCode;

use clap::Parser;
use memkv_cli::Cli;
use memkv_host::{CacheUse, Compiled, async_engine};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let compiled = || Compiled::new(&async_engine(CacheUse::User)?);
    let done = memkv_cli::run(
        cli,
        compiled,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
    );
    match done {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`memkv keys b | head`): nothing left to say to it.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("memkv: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `error` is a write to a pipe whose reader has closed it.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
