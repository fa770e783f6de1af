//! The test harness's speed (`hotreload::testing`): 1,000 clicks on a live counter through
//! the harness (event frame → connection → worker → update → render → diff → patch frame →
//! the reference applier → ack), against a baseline measured in the same run: 1,000 calls of
//! the same view's `update` and `render` alone, without runtime, diff or harness.
//!
//! `cargo bench -p hotreload-benches --bench harness`. After criterion's report, an
//! interleaved pass prints the time of 1,000 harness events and its ratio to the baseline.

use criterion::Criterion;
use hotreload::prelude::*;
use hotreload::testing::{LivePage, mount};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    count: i64,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Inc,
}

impl LiveView for Counter {
    type Message = Msg;
    fn update(&mut self, Msg::Inc: Msg, _cx: &mut Context<'_, Self>) {
        self.count += 1;
    }
    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <h1>"Count: " {self.count}</h1>
            <button id="inc" live-click={Msg::Inc}>"+"</button>
            <ul>{for i in 0..20 { <li data-key={i}>"row " {i}</li> }}</ul>
        }
    }
}

const EVENTS: usize = 1000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

async fn harness_clicks(page: &mut LivePage) {
    for _ in 0..EVENTS {
        page.click("#inc").await.expect("the click is bound");
    }
}

fn baseline_updates(counter: &mut Counter) {
    let event = Event::default();
    for _ in 0..EVENTS {
        counter.update(Msg::Inc, &mut Context::detached(&event));
        black_box(counter.render());
    }
}

fn main() {
    let rt = runtime();
    let mut page = rt.block_on(mount::<Counter>()).expect("the counter mounts");
    let mut counter = Counter::default();

    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    criterion.bench_function("harness/1000 clicks", |b| {
        b.iter(|| rt.block_on(harness_clicks(&mut page)));
    });
    criterion.bench_function("baseline/1000 update+render", |b| {
        b.iter(|| baseline_updates(&mut counter));
    });
    criterion.final_summary();

    // Interleaved, so both see the same machine state.
    let (mut harness, mut baseline) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        let started = Instant::now();
        rt.block_on(harness_clicks(&mut page));
        harness = harness.min(started.elapsed());
        let started = Instant::now();
        baseline_updates(&mut counter);
        baseline = baseline.min(started.elapsed());
    }
    println!(
        "1000 events through the harness: {:.1} ms ({:.1} µs each); baseline update+render: {:.2} ms; ratio {:.0}x",
        harness.as_secs_f64() * 1e3,
        harness.as_secs_f64() * 1e6 / EVENTS as f64,
        baseline.as_secs_f64() * 1e3,
        harness.as_secs_f64() / baseline.as_secs_f64()
    );
    assert!(page.text("h1").is_some_and(|t| t.starts_with("Count: ")));
}
