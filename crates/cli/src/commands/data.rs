//! `smc data convert --input IN --output OUT`: candles from CSV to Parquet
//! or back (each side's format from its extension), with the reader's checks
//! (`--lenient` skips bad rows). Parquet is written with times as
//! `Timestamp(ms, UTC)` and prices and volume as `Decimal128` at the
//! series' scale, so the values stay exact.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum DataCommand {
    /// Convert an OHLCV file between CSV and Parquet (by extension).
    Convert(ConvertArgs),
}

#[derive(Args)]
pub struct ConvertArgs {
    /// The candles to read: CSV, or Parquet when the name ends in .parquet.
    #[arg(long)]
    input: PathBuf,
    /// The file to write: Parquet when the name ends in .parquet, else CSV.
    #[arg(long)]
    output: PathBuf,
    /// Skip malformed rows instead of failing.
    #[arg(long)]
    lenient: bool,
}

pub fn run(command: &DataCommand) -> anyhow::Result<()> {
    match command {
        DataCommand::Convert(args) => convert(args),
    }
}

fn convert(args: &ConvertArgs) -> anyhow::Result<()> {
    let input = super::load_input(&args.input, args.lenient)?;
    smc_data::write_candles(&args.output, &input.candles)?;
    eprintln!(
        "{} candles: {} -> {}",
        input.candles.len(),
        args.input.display(),
        args.output.display()
    );
    Ok(())
}
