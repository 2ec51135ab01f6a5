//! The `warden` binary: parse the command line and run it.

/// mimalloc instead of the system allocator: a decision makes about 160 small allocations,
/// and under load glibc's malloc and free (with their consolidation) were about a tenth of
/// the server's CPU. Measured side by side in `cargo bench --bench load` (README,
/// Performance). The library leaves the choice to whoever embeds it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    warden::cli::main()
}
