//! What `hot_reload_liveview!` renders: escaping, void elements, attributes, blocks, roots.

use hotreload::prelude::*;

#[test]
fn static_markup_and_text_holes() {
    let count = 7;
    let html: Html = hot_reload_liveview! {
        <div class="counter">
            <h1>"Count: " {count}</h1>
        </div>
    };
    assert_eq!(
        html.as_str(),
        "<div class=\"counter\"><h1>Count: 7</h1></div>"
    );
}

#[test]
fn text_and_attribute_values_are_escaped() {
    let evil = "\"><script>alert('x')</script>";
    let html: Html = hot_reload_liveview! {
        <a title={evil} href="/?a=1&b=2">{evil} "<static & 'quoted'>"</a>
    };
    assert_eq!(
        html.as_str(),
        "<a title=\"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\" href=\"/?a=1&amp;b=2\">\
         &quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;static &amp; &#39;quoted&#39;&gt;</a>"
    );
}

#[test]
fn raw_html_only_by_opt_in() {
    let trusted = "<b>bold</b>";
    let html: Html = hot_reload_liveview! { <p>{raw(trusted)} {trusted}</p> };
    assert_eq!(html.as_str(), "<p><b>bold</b>&lt;b&gt;bold&lt;/b&gt;</p>");
}

#[test]
fn void_and_self_closing_elements() {
    let html: Html = hot_reload_liveview! {
        <br> <br/> <img src="a.png" alt=""> <input type="text" disabled/> <div/>
    };
    assert_eq!(
        html.as_str(),
        "<br><br><img src=\"a.png\" alt=\"\"><input type=\"text\" disabled><div></div>"
    );
}

#[test]
fn boolean_and_optional_attributes() {
    let on = true;
    let off = false;
    let title: Option<&str> = None;
    let class = Some("x");
    let html: Html = hot_reload_liveview! {
        <input checked={on} disabled={off} title={title} class={class} aria-label="Name" data-key={42}/>
    };
    assert_eq!(
        html.as_str(),
        "<input checked class=\"x\" aria-label=\"Name\" data-key=\"42\">"
    );
}

#[test]
fn multiple_roots_and_fragments() {
    let html: Html = hot_reload_liveview! {
        <!DOCTYPE html>
        <p>"one"</p>
        <>
            <p>"two"</p>
            "three"
        </>
    };
    assert_eq!(html.as_str(), "<!DOCTYPE html><p>one</p><p>two</p>three");
}

#[test]
fn unicode_text_is_kept() {
    let name = "Zoë 🌍";
    let html: Html = hot_reload_liveview! { <p lang="fr">"Déjà vu, " {name} " — ✓"</p> };
    assert_eq!(html.as_str(), "<p lang=\"fr\">Déjà vu, Zoë 🌍 — ✓</p>");
}

struct Item {
    id: u32,
    name: &'static str,
    done: bool,
}

#[test]
fn nested_templates_in_loops_and_branches() {
    let items = [
        Item {
            id: 1,
            name: "milk",
            done: true,
        },
        Item {
            id: 2,
            name: "<eggs>",
            done: false,
        },
    ];
    let empty: [Item; 0] = [];
    let render = |items: &[Item]| -> Html {
        hot_reload_liveview! {
            <ul>
                {for item in items {
                    <li data-key={item.id} class={item.done.then_some("done")}>
                        {item.name}
                        {if item.done { <span>"✓"</span> } else { "todo" }}
                    </li>
                }}
            </ul>
            {if items.is_empty() { <p>"nothing"</p> }}
            {match items.len() {
                0 => { "zero" }
                1 => { "one" }
                n if n > 1 => { <b>{n} " items"</b> }
                _ => {}
            }}
        }
    };
    assert_eq!(
        render(&items).as_str(),
        "<ul><li data-key=\"1\" class=\"done\">milk<span>✓</span></li>\
         <li data-key=\"2\">&lt;eggs&gt;todo</li></ul><b>2 items</b>"
    );
    assert_eq!(render(&empty).as_str(), "<ul></ul><p>nothing</p>zero");
}

#[test]
fn if_let_and_components_compose() {
    fn badge(text: &str) -> Html {
        hot_reload_liveview! { <span class="badge">{text}</span> }
    }
    let user: Option<&str> = Some("ann");
    let html: Html = hot_reload_liveview! {
        <header>
            {if let Some(name) = user { {badge(name)} } else { "guest" }}
            {vec![badge("a"), badge("b")]}
        </header>
    };
    assert_eq!(
        html.as_str(),
        "<header><span class=\"badge\">ann</span><span class=\"badge\">a</span><span class=\"badge\">b</span></header>"
    );
}

#[test]
fn event_bindings_carry_serialized_messages() {
    #[derive(serde::Serialize)]
    enum Msg {
        Inc,
        Remove { id: u32 },
    }
    let html: Html<Msg> = hot_reload_liveview! {
        <button live-click={Msg::Inc} live-debounce="100">"+"</button>
        <button live-click={Msg::Remove { id: 3 }}>"x"</button>
    };
    assert_eq!(
        html.as_str(),
        "<button live-click=\"&quot;Inc&quot;\" live-debounce=\"100\">+</button>\
         <button live-click=\"{&quot;Remove&quot;:{&quot;id&quot;:3}}\">x</button>"
    );
}

#[test]
fn script_and_style_text_is_not_escaped() {
    let html: Html = hot_reload_liveview! {
        <style>"p > a { color: red }"</style>
        <script>"if (a < b && c) {}"</script>
    };
    assert_eq!(
        html.as_str(),
        "<style>p > a { color: red }</style><script>if (a < b && c) {}</script>"
    );
}

#[test]
fn keyword_attribute_names_and_svg() {
    let html: Html = hot_reload_liveview! {
        <label for="x" class="c">"L"</label>
        <svg viewBox="0 0 10 10"><use xlink:href="#i"/><circle r=5/></svg>
    };
    assert_eq!(
        html.as_str(),
        "<label for=\"x\" class=\"c\">L</label><svg viewBox=\"0 0 10 10\"><use xlink:href=\"#i\"></use><circle r=\"5\"></circle></svg>"
    );
}
