//! # memkv-cli
//!
//! The `memkv` command, on [`memkv_host`]: plug memkv into guests (`compose`), keep a store in a
//! snapshot file between runs (`memkv --data <file> …`, [`DataFile`]), move it into memkv-redis
//! and back (`push`, `pull`), and walk through every interface (`demo`). [`Cli`] and [`run`] are
//! the command line, callable in-process (the test rig runs it so).

mod cli;
mod data_file;
mod demo;

pub use cli::{Cli, Command, run};
pub use data_file::{DataFile, write_atomically};
