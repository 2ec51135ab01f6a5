//! `warden tui`: the admin console (ratatui + crossterm), a client of the admin API.
//!
//! State, update and view are apart: keys become [`keys::Action`]s through each view's key
//! list, [`app::App`] holds the state, every view is a [`view::Component`], and all HTTP I/O
//! runs on the [`worker`]'s threads, whose replies come back as events. The console imports
//! only the wire types of [`crate::api`] and its own client.
//!
//! The modules in layers, lowest first; each imports only modules listed before it (so no
//! two import each other) and nothing of the crate but [`crate::api`]. The test
//! `tests::layers` reads the imports and holds the code to this list:
//!
//! - [`style`], [`keys`], [`client`], [`files`]: the look, the key lists, the admin API
//!   client, reading a policy directory to publish;
//! - [`msg`]: the messages to and from the worker, and the ids of the views they address;
//! - [`worker`]: runs the messages on threads;
//! - [`detail`], [`whatif`], [`review`], [`form`], [`modal`]: popups, the what-if question,
//!   policy versions' files, diffs and impact previews, forms and dialogs;
//! - [`view`], [`list`], [`items`], [`dashboard`]: the views (a component each);
//! - [`app`]: the state and its update; [`ui`]: drawing the frame around the views.

pub mod app;
pub mod client;
pub mod dashboard;
pub mod detail;
pub mod files;
pub mod form;
pub mod items;
pub mod keys;
pub mod list;
pub mod modal;
pub mod msg;
pub mod review;
pub mod style;
pub mod ui;
pub mod view;
pub mod whatif;
pub mod worker;

use app::App;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::time::{Duration, Instant};
use worker::Worker;

/// Run the TUI against the server at `url` until the user quits. The terminal is restored on
/// exit and on panic (ratatui's `init` installs the panic hook).
pub fn run(url: &str, read_only: bool) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let (worker, events) = Worker::start(url);
    let mut app = App::new(url, read_only, Instant::now());
    let result = (|| -> std::io::Result<()> {
        while !app.quit {
            app.tick(Instant::now());
            for job in app.take_jobs() {
                worker.submit(job);
            }
            terminal.draw(|frame| ui::draw(frame, &app))?;
            if event::poll(Duration::from_millis(100))? {
                match event::read()? {
                    Event::Key(key) if key.kind != KeyEventKind::Release => app.on_key(key),
                    // The next draw uses the new size.
                    _ => {}
                }
            }
            while let Ok(event) = events.try_recv() {
                app.on_event(event);
            }
        }
        Ok(())
    })();
    ratatui::restore();
    result
}

#[cfg(test)]
mod tests;
