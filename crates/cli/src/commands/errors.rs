//! `fanzha errors`: the error-code table (Markdown with `--markdown`, the source of docs/errors.md).

use crate::error::CliResult;
use crate::Ctx;
use fanzha_core::error_code::{markdown_table, ErrorCode};

#[derive(clap::Args)]
pub struct Args {
    /// Print the table as Markdown (the content of docs/errors.md).
    #[arg(long)]
    markdown: bool,
}

pub fn run(_ctx: &Ctx, args: Args) -> CliResult {
    if args.markdown {
        print!("{}", markdown_table());
    } else {
        for c in ErrorCode::ALL {
            println!(
                "{:<24} {:<14} {}",
                c.as_str(),
                c.kind().as_str(),
                c.what_to_do()
            );
        }
    }
    Ok(())
}
