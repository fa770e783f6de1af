use hotreload::hot_reload_liveview;

fn main() {
    struct Secret;
    let _ = hot_reload_liveview! { <p>{Secret}</p> };
}
