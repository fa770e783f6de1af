use hotreload::hot_reload_liveview;

fn main() {
    let _ = hot_reload_liveview! { <p>{missing_value}</p> };
}
