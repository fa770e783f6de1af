// An event binding whose message is another view's type: a compile error at the binding's
// expression, not `bad_message` at click time.
use hotreload::prelude::*;

mod clock {
    #[derive(serde::Serialize, serde::Deserialize)]
    pub enum ClockMsg {
        Tick,
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Guestbook {
    entries: u32,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Sign,
}

impl LiveView for Guestbook {
    type Message = Msg;
    fn update(&mut self, Msg::Sign: Msg, _cx: &mut Context<'_, Self>) {
        self.entries += 1;
    }
    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <button live-click={crate::clock::ClockMsg::Tick}>"Tick"</button>
            <button live-click={Msg::Sign}>"Sign"</button>
        }
    }
}

fn main() {}
