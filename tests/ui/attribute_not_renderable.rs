use hotreload::hot_reload_liveview;

fn main() {
    struct Id;
    let _ = hot_reload_liveview! { <p title={Id}>"x"</p> };
}
