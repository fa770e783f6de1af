//! A large page: a 1,000-row table and a timer pushing updates, with its settings in a
//! typed config file that hot-reloads.
//!
//! `cargo run --example dashboard`. Every `refresh_ms` a few rows change; only those cells
//! travel to the browser. The table is keyed, so sorting moves rows instead of re-creating
//! them. The title, the refresh period and the load thresholds come from
//! `examples/dashboard.toml` ([`ConfigFile`]): edit it while the example runs and the page
//! changes in place; save a broken file to see the overlay (the last good settings stay).

#[path = "common/mod.rs"]
mod common;

use hotreload::ConfigFile;
use hotreload::prelude::*;
use std::time::Duration;

const ROWS: usize = 1_000;

/// `examples/dashboard.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The page's heading.
    title: String,
    /// How often loads change (0 stops the timer).
    refresh_ms: u64,
    /// Load levels.
    thresholds: Thresholds,
}

/// Load levels, in percent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Thresholds {
    /// At or above: overloaded.
    overloaded: u32,
    /// At or above: busy.
    busy: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            title: "Fleet dashboard".to_owned(),
            refresh_ms: 500,
            thresholds: Thresholds {
                overloaded: 95,
                busy: 80,
            },
        }
    }
}

/// Refuses settings that parse but make no sense (shown in the overlay like a syntax error).
fn check(settings: &Settings) -> Result<(), String> {
    let Thresholds { overloaded, busy } = settings.thresholds;
    if busy > overloaded || overloaded > 100 {
        return Err(format!(
            "thresholds must be busy ≤ overloaded ≤ 100, got busy = {busy}, overloaded = {overloaded}"
        ));
    }
    if settings.refresh_ms != 0 && settings.refresh_ms < 50 {
        return Err(format!(
            "refresh_ms must be 0 (off) or at least 50, got {}",
            settings.refresh_ms
        ));
    }
    Ok(())
}

/// The dashboard's settings: read once at start-up; in debug builds with hot reload, again
/// after every save.
/// `DASHBOARD_CONFIG` names another file (the tests edit a copy).
static SETTINGS: ConfigFile<Settings> =
    ConfigFile::new(concat!(env!("CARGO_MANIFEST_DIR"), "/dashboard.toml"))
        .env("DASHBOARD_CONFIG")
        .validate(check);

#[derive(Serialize, Deserialize)]
struct Row {
    id: u32,
    name: String,
    region: String,
    load: u32,
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
            })
            .collect();
        // The period is read again before every tick, so editing `refresh_ms` takes effect
        // at once. `DASHBOARD_TICK_MS` overrides it (0 stops the timer), e.g. to compare
        // latencies with a quiet page.
        let fixed: Option<u64> = std::env::var("DASHBOARD_TICK_MS")
            .ok()
            .and_then(|ms| ms.parse().ok());
        let handle = context.handle();
        context.handle().spawn(async move {
            loop {
                let period = fixed.unwrap_or_else(|| SETTINGS.get().refresh_ms);
                if period == 0 {
                    // Stopped: look again in a while (the file may change).
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    if fixed.is_some() {
                        return;
                    }
                    continue;
                }
                tokio::time::sleep(Duration::from_millis(period)).await;
                if handle.send(Tick).is_err() {
                    return;
                }
            }
        });
    }

    fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
        match msg {
            Msg::ToggleSort => self.sort_by_load = !self.sort_by_load,
        }
        self.sort();
    }

    fn render(&self) -> Html<Msg> {
        // Read in `render`, so a save of the file re-renders this view.
        let settings = SETTINGS.get();
        let Thresholds { overloaded, busy } = settings.thresholds;
        let unhealthy = self.rows.iter().filter(|r| r.load >= overloaded).count();
        let average = self.rows.iter().map(|r| u64::from(r.load)).sum::<u64>()
            / self.rows.len().max(1) as u64;
        // Computed in Rust, outside the template: editing it needs a rebuild (the end-to-end
        // latency bench times that path with it).
        let caption = "1,000 nodes, simulated";
        hot_reload_liveview! {
            <header>
                <h1>{&settings.title}</h1>
                <p class="caption">{caption}</p>
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
                            <td class={status_class(row.load, busy, overloaded)}>
                                {status(row.load, busy, overloaded)}
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

/// A row's status by its load.
fn status(load: u32, busy: u32, overloaded: u32) -> &'static str {
    if load >= overloaded {
        "overloaded"
    } else if load >= busy {
        "busy"
    } else {
        "healthy"
    }
}

/// Its CSS class.
fn status_class(load: u32, busy: u32, overloaded: u32) -> &'static str {
    match status(load, busy, overloaded) {
        "overloaded" => "bad",
        "busy" => "warn",
        _ => "ok",
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // A broken file at start-up is an error, in every build.
    if let Err(error) = SETTINGS.load() {
        eprintln!("dashboard: {error}");
        std::process::exit(2);
    }
    let app = common::assets(axum::Router::new()).route("/", live_view::<Dashboard>());
    let app = enable_hot_reload!(app);
    common::serve("dashboard", app).await
}
