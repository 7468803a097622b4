//! `bisidder demo`: a realistic, deterministic demo installation. A professional children's
//! organisation like the one in SPEC §1 (30 bisiddere across the country, three years of
//! cases and reports of concern at its published volumes) and three volunteer schemes for
//! adults in different regions, users for every role, and open requests at every stage.
//! The second factor is off unless `--require-totp`, and every page then carries the
//! "demo — not for real data" banner.

mod data;
mod seed;

use crate::{cli::DemoArgs, clock::Clock, config::Config};

pub use seed::{load, DemoUser, DEMO_PASSWORD};

pub async fn run(mut config: Config, args: DemoArgs) -> anyhow::Result<()> {
    config.demo = true;
    config.require_totp = args.require_totp;
    let clock = Clock::system();
    let state = crate::open(&config, clock.clone()).await?;
    let users = load(&state.db, &state.crypto, clock.now()).await?;
    if args.load_only {
        println!("demo data loaded into {}", config.database_url);
        return Ok(());
    }
    let url = config.public_url.clone();
    let totp_note = if args.require_totp {
        "Second factor (TOTP) is required: each user sets it up at first sign-in."
    } else {
        "Second factor is switched off for the demo — not for real data."
    };
    crate::serve(state, move |addr| {
        println!("\nBisidder demo is running at {url}  (listening on {addr})");
        println!("{totp_note}");
        println!("Demo logins — password for all: {DEMO_PASSWORD}");
        for u in &users {
            println!("  {:<20} {}", u.role_label, u.email);
        }
        println!("Stop with Ctrl-C.\n");
    })
    .await
}
