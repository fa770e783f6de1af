use hotreload::hot_reload_liveview;

fn main() {
    let _ = hot_reload_liveview! {
        <div class="a" class="b">
            <button live-tap={1} live-click="x">"+"</button>
        </div>
    };
}
