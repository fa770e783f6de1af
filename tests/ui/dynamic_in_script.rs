use hotreload::hot_reload_liveview;

fn main() {
    let code = "alert(1)";
    let _ = hot_reload_liveview! { <script>{code}</script> };
}
