//! The examples' behaviour, tested with `hotreload::testing`: no browser, no socket, through
//! each example's own router. Each example file is included as a module, so these tests run
//! the very views and routes `cargo run --example ...` serves (each brings its own copy of
//! `examples/common`, hence `duplicate_mod`).
#![allow(clippy::duplicate_mod)]

use hotreload::FlashKind;
use hotreload::testing::{TestClient, TestError};

#[allow(dead_code)]
#[path = "../counter.rs"]
mod counter;

#[allow(dead_code)]
#[path = "../todo.rs"]
mod todo;

#[allow(dead_code)]
#[path = "../chat.rs"]
mod chat;

#[allow(dead_code)]
#[path = "../chart.rs"]
mod chart;

#[allow(dead_code)]
#[path = "../signup.rs"]
mod signup;

#[allow(dead_code)]
#[path = "../uploads.rs"]
mod uploads;

type Result = std::result::Result<(), TestError>;

#[tokio::test]
async fn counter_counts_up_and_down() -> Result {
    let mut page = TestClient::new(counter::app()).live("/").await?;
    assert_eq!(page.text("h1").as_deref(), Some("Count: 0"));
    for _ in 0..3 {
        page.click(".counter button:nth-of-type(1)").await?;
    }
    page.click(".counter button:nth-of-type(2)").await?;
    assert_eq!(page.text("h1").as_deref(), Some("Count: 2"));
    assert!(page.html().contains("<h1>Count: 2</h1>"), "{}", page.html());
    Ok(())
}

#[tokio::test]
async fn the_harness_refuses_events_the_markup_does_not_bind() -> Result {
    let mut page = TestClient::new(counter::app()).live("/").await?;
    // The heading binds nothing; typing into the text box is bound to nothing either.
    let click = page.click("h1").await;
    assert!(
        matches!(&click, Err(TestError::NotBound { event, .. }) if event == "click"),
        "{click:?}"
    );
    let typed = page.input("input[type=text]", "hello").await;
    assert!(
        matches!(&typed, Err(TestError::NotBound { event, .. }) if event == "input"),
        "{typed:?}"
    );
    // A plain link is left to the browser: a page load, not an event.
    let link = page.click("nav a").await;
    assert!(
        matches!(&link, Err(TestError::NotBound { hint, .. }) if hint.contains("/about")),
        "{link:?}"
    );
    assert!(matches!(
        page.click("#nothing-here").await,
        Err(TestError::NotFound { .. })
    ));
    // Nothing was sent, so nothing changed.
    assert_eq!(page.text("h1").as_deref(), Some("Count: 0"));
    Ok(())
}

#[tokio::test]
async fn two_tabs_of_the_counter_are_two_instances() -> Result {
    let client = TestClient::new(counter::app());
    let mut one = client.live("/").await?;
    let mut two = client.live("/").await?;
    one.click(".counter button").await?;
    two.settle().await?;
    assert_eq!(one.text("h1").as_deref(), Some("Count: 1"));
    assert_eq!(two.text("h1").as_deref(), Some("Count: 0"));
    Ok(())
}

#[tokio::test]
async fn todo_adds_toggles_filters_and_deletes() -> Result {
    let mut page = TestClient::new(todo::app()).live("/").await?;
    assert_eq!(page.count("ul.items li"), 3);
    assert_eq!(
        page.text("p.progress").as_deref(),
        Some("3 left, 0 of 3 done")
    );

    // Typing updates the draft (live-input), submitting adds the item and clears the box.
    page.input("input[name=text]", "Buy milk").await?;
    page.submit("form", &[("text", "Buy milk")]).await?;
    assert_eq!(page.count("ul.items li"), 4);
    assert_eq!(
        page.texts("ul.items li").last().map(String::as_str),
        Some("Buy milk ×")
    );
    assert_eq!(
        page.find("input[name=text]")
            .and_then(|i| i.attr("value").map(str::to_owned)),
        Some(String::new())
    );

    // A checkbox click toggles it (live-change): the nested progress view follows.
    page.click("ul.items li:nth-child(1) input[type=checkbox]")
        .await?;
    assert_eq!(page.count("ul.items li.done"), 1);
    assert_eq!(
        page.text("p.progress").as_deref(),
        Some("3 left, 1 of 4 done · Clear done")
    );

    // The filter links are live-patch links: the URL changes, handle_params filters.
    page.click("a[href='/?filter=active']").await?;
    assert_eq!(page.url(), "/?filter=active");
    assert_eq!(page.count("ul.items li"), 3);
    assert!(page.has("a.current[href='/?filter=active']"));
    // "Show all" patches from update (push_patch).
    page.click("#show-all").await?;
    assert_eq!(page.url(), "/?filter=all");
    assert_eq!(page.count("ul.items li"), 4);

    // Delete shows a flash; dismissing it removes it.
    page.click("ul.items li:nth-child(2) button[aria-label=Delete]")
        .await?;
    assert_eq!(page.count("ul.items li"), 3);
    assert_eq!(
        page.flash(FlashKind::Info).as_deref(),
        Some("Deleted “Edit it while the server runs”")
    );
    page.dismiss_flash(FlashKind::Info).await?;
    assert_eq!(page.flash(FlashKind::Info), None);

    // The nested view's button reaches the parent (ClearDone through HandleInfo).
    page.click("p.progress button").await?;
    assert_eq!(page.count("ul.items li"), 2);
    assert_eq!(
        page.text("p.progress").as_deref(),
        Some("2 left, 0 of 2 done")
    );
    Ok(())
}

#[tokio::test]
async fn todo_opens_with_the_filter_in_its_url_and_navigates_live() -> Result {
    let mut page = TestClient::new(todo::app()).live("/?filter=done").await?;
    assert_eq!(page.count("ul.items li"), 0);
    assert!(page.has("#show-all"));
    // About is another live view over the same connection (live-navigate).
    page.click("#about-link").await?;
    assert_eq!(page.url(), "/about");
    assert!(page.has("#about"));
    // Its button goes back from update (push_navigate to the active items).
    page.click("#done-button").await?;
    assert_eq!(page.url(), "/?filter=active");
    assert_eq!(page.count("ul.items li"), 3);
    Ok(())
}

#[tokio::test]
async fn chat_messages_reach_every_open_page() -> Result {
    let _backlog = chat::keep_backlog();
    let client = TestClient::new(chat::app());
    let mut alice = client.live("/").await?;
    let mut bob = client.live("/").await?;
    let before = bob.count("#messages li");

    alice
        .submit(
            "form.post",
            &[("name", "alice"), ("text", "hello from the harness")],
        )
        .await?;
    bob.settle().await?;
    assert_eq!(bob.count("#messages li"), before + 1);
    assert_eq!(
        bob.texts("#messages li").last().map(String::as_str),
        Some("alice: hello from the harness")
    );
    // The sender sees it too, and its message box is cleared.
    assert_eq!(
        alice.texts("#messages li").last().map(String::as_str),
        Some("alice: hello from the harness")
    );
    // An empty message posts nothing.
    alice.submit("form.post", &[("text", "   ")]).await?;
    bob.settle().await?;
    assert_eq!(bob.count("#messages li"), before + 1);

    // A page opened later starts with the backlog.
    let mut carol = client.live("/").await?;
    assert_eq!(
        carol.texts("#messages li").last().map(String::as_str),
        Some("alice: hello from the harness")
    );
    // A field the form does not have is an error, not a silent pass.
    let bad = carol.submit("form.post", &[("subject", "x")]).await;
    assert!(matches!(bad, Err(TestError::NoSuchField { .. })), "{bad:?}");
    Ok(())
}

#[tokio::test]
async fn chart_hook_events_come_and_go() -> Result {
    let mut page = TestClient::new(chart::app()).live("/").await?;
    assert_eq!(page.text("#summary").as_deref(), Some("3 bars, total 10"));
    // The hook's element: attributes patch (the points), its inside is the widget's.
    page.click("#add").await?;
    assert_eq!(
        page.find("#chart")
            .and_then(|c| c.attr("data-points").map(str::to_owned))
            .as_deref(),
        Some("3,5,2,3")
    );
    let pushed = page.pushed_events().last().cloned().expect("points pushed");
    assert_eq!(
        (pushed.name.as_str(), pushed.payload.clone()),
        ("points", serde_json::json!([3, 5, 2, 3]))
    );
    // A click on a bar, as the hook sends it.
    page.hook_event("#chart", serde_json::json!({"Picked": 1}))
        .await?;
    assert_eq!(page.text("#picked").as_deref(), Some("picked bar 2 (5)"));
    // Only the hooked element can push.
    assert!(matches!(
        page.hook_event("#summary", serde_json::json!({"Picked": 0}))
            .await,
        Err(TestError::NotBound { .. })
    ));
    page.click("#reset").await?;
    assert_eq!(page.text("#summary").as_deref(), Some("0 bars, total 0"));
    Ok(())
}

#[tokio::test]
async fn signup_shows_errors_for_used_fields_then_all_on_submit() -> Result {
    // A plain handler's redirect leaves a flash for the page it redirects to, once.
    let client = TestClient::new(signup::app());
    let mut page = client.live("/invite").await?;
    assert_eq!(page.url(), "/");
    assert_eq!(
        page.flash(FlashKind::Info).as_deref(),
        Some("Invitation accepted: sign up below.")
    );
    assert_eq!(client.live("/").await?.flash(FlashKind::Info), None);

    // A change in one field (live-change on the form): its error only.
    page.change("input[name=name]", "A").await?;
    assert_eq!(
        page.text("#name-error").as_deref(),
        Some("must be at least 2 characters")
    );
    assert_eq!(page.text("#email-error").as_deref(), Some(""));
    // Submitting shows every error, and an error flash.
    page.submit("#signup", &[]).await?;
    assert_eq!(
        page.text("#email-error").as_deref(),
        Some("must be an email address")
    );
    assert_eq!(
        page.text("#terms-error").as_deref(),
        Some("must be accepted")
    );
    assert_eq!(
        page.flash(FlashKind::Error).as_deref(),
        Some("Please fix the errors below.")
    );

    // A valid submit: welcome flash, one member, the form reset (a new data-key).
    let generation = page
        .find("#signup")
        .and_then(|f| f.attr("data-key").map(str::to_owned));
    page.submit(
        "#signup",
        &[
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("age", "36"),
            ("plan", "Pro"),
            ("terms", "true"),
        ],
    )
    .await?;
    assert_eq!(
        page.flash(FlashKind::Info).as_deref(),
        Some("Welcome, Ada (Pro)!")
    );
    assert_eq!(page.flash(FlashKind::Error), None);
    assert_eq!(page.text("#members").as_deref(), Some("1 signed up"));
    assert_ne!(
        page.find("#signup")
            .and_then(|f| f.attr("data-key").map(str::to_owned)),
        generation
    );
    assert_eq!(
        page.find("input[name=name]")
            .and_then(|i| i.attr("value").map(str::to_owned))
            .as_deref(),
        Some("")
    );
    Ok(())
}

#[tokio::test]
async fn uploads_profile_with_avatar_and_gallery() -> Result {
    use hotreload::testing::TestFile;
    let mut page = TestClient::new(uploads::app()).live("/").await?;
    page.upload(
        "#avatar",
        &[TestFile::new("me.png", "image/png", vec![1; 300_000])],
    )
    .await?;
    assert_eq!(page.texts("#avatar-entries li .percent"), ["100%"]);
    assert!(page.has("#avatar-entries li.done img[live-preview]"));
    // Five pictures and a text file for a gallery of four: the extra ones refused, each
    // with its reason.
    let mut files: Vec<TestFile> = (1..=5)
        .map(|n| TestFile::new(&format!("p{n}.jpg"), "image/jpeg", vec![n; 1000]))
        .collect();
    files.insert(1, TestFile::new("notes.txt", "text/plain", "not a picture"));
    page.upload("#gallery", &files).await?;
    assert_eq!(page.count("#gallery-entries li.done"), 4);
    assert_eq!(
        page.texts("#gallery-entries li.refused .error"),
        [
            "not an accepted type (accepted: image/*)",
            "too many files (at most 4)"
        ]
    );
    // Cancel one, then save with a name: the finished files are taken.
    page.click("#gallery-entries li:first-child button.cancel")
        .await?;
    page.submit("#profile", &[("name", "Ada")]).await?;
    assert_eq!(
        page.texts("#saved li"),
        [
            "avatar: me.png (300000 bytes)",
            "gallery: p2.jpg (1000 bytes)",
            "gallery: p3.jpg (1000 bytes)",
            "gallery: p4.jpg (1000 bytes)"
        ]
    );
    assert_eq!(page.count("#gallery-entries li.done"), 0);
    // An oversized avatar: refused, nothing sent.
    page.upload(
        "#avatar",
        &[TestFile::new(
            "huge.png",
            "image/png",
            vec![0; 3 * 1024 * 1024],
        )],
    )
    .await?;
    assert_eq!(
        page.texts("#avatar-entries li .error"),
        ["too large (3145728 bytes; at most 2097152)"]
    );
    Ok(())
}
