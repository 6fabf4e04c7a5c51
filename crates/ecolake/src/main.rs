//! `ecolake`: one binary to collect, keep, analyse and share environmental monitoring data.

mod cli;
mod cmd;

/// jemalloc: many small Arrow buffers per packet, freed on other threads, are what glibc's
/// allocator does worst (see `Cargo.toml`).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
