//! The `warden` binary: parse the command line and run it.

fn main() -> std::process::ExitCode {
    warden::cli::main()
}
