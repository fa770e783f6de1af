//! A large page: a 1,000-row table and a timer pushing updates.
//!
//! `cargo run --example dashboard`. Every 500 ms a few rows change; only those cells travel
//! to the browser. The table is keyed, so sorting moves rows instead of re-creating them.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;
use std::time::Duration;

const ROWS: usize = 1_000;

#[derive(Serialize, Deserialize)]
struct Row {
    id: u32,
    name: String,
    region: String,
    load: u32,
    healthy: bool,
}

#[derive(Default, Serialize, Deserialize)]
struct Dashboard {
    rows: Vec<Row>,
    tick: u64,
    sort_by_load: bool,
}

/// What the page can send.
#[derive(Serialize, Deserialize)]
enum Msg {
    ToggleSort,
}

/// The timer's tick: only the server sends it ([`HandleInfo`]), so a page cannot.
struct Tick;

const REGIONS: [&str; 4] = ["eu-west", "us-east", "ap-south", "sa-east"];

/// A small deterministic generator, so the example needs no `rand`.
fn noise(seed: u64) -> u64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 7
}

impl Dashboard {
    fn sort(&mut self) {
        if self.sort_by_load {
            self.rows
                .sort_by(|a, b| b.load.cmp(&a.load).then(a.id.cmp(&b.id)));
        } else {
            self.rows.sort_by_key(|r| r.id);
        }
    }
}

impl HandleInfo<Tick> for Dashboard {
    fn handle_info(&mut self, Tick: Tick, _cx: &mut Context<'_, Self>) {
        self.tick += 1;
        for k in 0..5 {
            let n = noise(self.tick * 8 + k) as usize % self.rows.len();
            let row = &mut self.rows[n];
            row.load = (noise(self.tick + n as u64) % 100) as u32;
            row.healthy = row.load < 95;
        }
        self.sort();
    }
}

impl LiveView for Dashboard {
    type Message = Msg;

    fn mount(&mut self, context: &mut Mount<'_, Self>) {
        self.rows = (0..ROWS as u32)
            .map(|id| Row {
                id,
                name: format!("node-{id:04}"),
                region: REGIONS[id as usize % REGIONS.len()].to_owned(),
                load: (noise(u64::from(id)) % 100) as u32,
                healthy: true,
            })
            .collect();
        // `DASHBOARD_TICK_MS` changes the period (0 stops the timer), e.g. to compare latencies.
        let period = std::env::var("DASHBOARD_TICK_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(500);
        if period > 0 {
            context
                .handle()
                .every(Duration::from_millis(period), || Tick);
        }
    }

    fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
        match msg {
            Msg::ToggleSort => self.sort_by_load = !self.sort_by_load,
        }
        self.sort();
    }

    fn render(&self) -> Html<Msg> {
        let unhealthy = self.rows.iter().filter(|r| !r.healthy).count();
        let average = self.rows.iter().map(|r| u64::from(r.load)).sum::<u64>()
            / self.rows.len().max(1) as u64;
        // Computed in Rust, outside the template: editing it needs a rebuild (the end-to-end
        // latency bench times that path with it).
        let title = "Fleet dashboard";
        hot_reload_liveview! {
            <header>
                <h1>{title}</h1>
                <p class="summary">
                    {self.rows.len()} " nodes · average load " {average} "% · "
                    <strong>{unhealthy} " unhealthy"</strong> " · tick " {self.tick}
                </p>
                <button live-click={Msg::ToggleSort}>
                    {if self.sort_by_load { "Sort by id" } else { "Sort by load" }}
                </button>
            </header>
            <table>
                <thead><tr><th>"Node"</th><th>"Region"</th><th>"Load"</th><th>"Status"</th></tr></thead>
                <tbody>
                    {for row in &self.rows {
                        <tr data-key={row.id}>
                            <td>{&row.name}</td>
                            <td>{&row.region}</td>
                            <td>{row.load} "%"</td>
                            <td class={if row.healthy { "ok" } else { "bad" }}>
                                {if row.healthy { "healthy" } else { "overloaded" }}
                            </td>
                        </tr>
                    }}
                </tbody>
            </table>
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload dashboard", body)
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = common::assets(axum::Router::new()).route("/", live_view::<Dashboard>());
    let app = enable_hot_reload!(app);
    common::serve("dashboard", app).await
}
