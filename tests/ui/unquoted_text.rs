use hotreload::hot_reload_liveview;

fn main() {
    let _ = hot_reload_liveview! { <h1>Count: {1}</h1> };
}
