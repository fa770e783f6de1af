use hotreload::hot_reload_liveview;

fn main() {
    let _ = hot_reload_liveview! { <button live-clik={1}>"+"</button> };
}
