//! `warden tui`: the admin console (ratatui + crossterm), a client of the admin API.
//!
//! State, update and view are apart: keys map to [`keys::Action`]s, [`app::App`] holds the
//! state and talks to the server through [`client::Client`], and [`view::draw`] only reads.

pub mod app;
pub mod client;
pub mod keys;
pub mod view;

use app::App;
use client::Client;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::time::{Duration, Instant};

/// How often the current tab is reloaded (a lost connection is retried at this pace).
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// Run the TUI against the server at `url` until the user quits. The terminal is restored on
/// exit and on panic (ratatui's `init` installs the panic hook).
pub fn run(url: &str, read_only: bool) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let mut app = App::new(url, read_only);
    let mut client = Client::new(url);
    let result = (|| -> std::io::Result<()> {
        let mut last_refresh = Instant::now();
        while !app.quit {
            terminal.draw(|frame| view::draw(frame, &app))?;
            if event::poll(Duration::from_millis(200))? {
                match event::read()? {
                    Event::Key(key) if key.kind != KeyEventKind::Release => {
                        app.on_key(key, &mut client)
                    }
                    // The next draw uses the new size.
                    Event::Resize(_, _) => {}
                    _ => {}
                }
            }
            if last_refresh.elapsed() >= REFRESH_EVERY {
                app.refresh(&mut client);
                last_refresh = Instant::now();
            }
        }
        Ok(())
    })();
    ratatui::restore();
    result
}

#[cfg(test)]
mod tests;
