//! A new app as a user lays it out, outside hotreload's workspace: a lib crate of views
//! (`views`, a guestbook with a nested clock) and a bin crate (`web`) that serves them and a
//! plain page, depending on hotreload by path (`tests/fixtures/new-app`, copied to a
//! temporary directory). The test builds it and starts it with `cargo run`, as its developer
//! would, signs the guestbook over the live socket, then edits its files on disk: a template
//! in the lib crate (swapped in place, entries kept), the plain page in the bin crate (served
//! new at once), and Rust code in the lib crate (rebuilt and restarted in place, entries kept,
//! the nested view found again).

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{Socket, cargo_build, cargo_run, edit, get, instance_ids, next, send, stop, until};

/// Copies the fixture to `dir`, pointing its hotreload dependency at this repository.
fn copy_fixture(dir: &Path) {
    let source = support::workspace().join("tests/fixtures/new-app");
    for file in [
        "Cargo.toml",
        "views/Cargo.toml",
        "views/src/lib.rs",
        "web/Cargo.toml",
        "web/src/main.rs",
    ] {
        let to = dir.join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(source.join(file), &to).unwrap();
    }
    let hotreload = support::workspace().join("hotreload");
    edit(
        &dir.join("Cargo.toml"),
        "path = \"../../../hotreload\"",
        &format!("path = {:?}", hotreload.display().to_string()),
    );
    // The same versions as hotreload's own build, so the shared target directory has them.
    std::fs::copy(
        support::workspace().join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
}

async fn sign(socket: &mut Socket, id: &str, name: &str) {
    let event = json!({"v": 1, "type": "event", "id": id, "event": "submit", "msg": "Sign", "form": [["name", name]]});
    send(socket, event).await;
}

fn mentions(frame: &Value, text: &str) -> bool {
    frame.to_string().contains(text)
}

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_new_app_in_its_own_workspace_hot_reloads_and_rebuilds_with_state_kept() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("hotreload-new-app-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_fixture(&dir);
    cargo_build(&dir, &["-p", "web"]);
    let port = support::free_port();
    let (cargo, pid) = cargo_run(&dir, &["-p", "web"], port);

    let page = get(port, "/").await;
    let ids = instance_ids(&page);
    assert_eq!(ids.len(), 2, "the guestbook and its clock: {page}");
    let (book, clock) = (ids[0].clone(), ids[1].clone());
    let hello = [(book.as_str(), "Guestbook"), (clock.as_str(), "Clock")];
    let mut socket = support::connect(port, &hello, false).await;
    for (n, name) in ["ann", "bob", "cy"].into_iter().enumerate() {
        sign(&mut socket, &book, name).await;
        let entries = format!("{} entries", n + 1);
        until(&mut socket, WAIT, |f| {
            f["id"] == book && mentions(f, &entries)
        })
        .await;
    }

    // 1. A template edit in the lib crate: swapped in place, the entries kept.
    let views = dir.join("views/src/lib.rs");
    edit(&views, "\" entries\"", "\" signatures\"");
    until(&mut socket, WAIT, |f| {
        f["id"] == book && mentions(f, "3 signatures")
    })
    .await;

    // 2. The plain page in the bin crate: the next GET serves the edited template.
    let web = dir.join("web/src/main.rs");
    edit(&web, "\"About the guestbook\"", "\"About this guestbook\"");
    until(&mut socket, WAIT, |f| {
        f["type"] == "swapped"
            && f["file"]
                .as_str()
                .is_some_and(|file| file.ends_with("web/src/main.rs"))
    })
    .await;
    assert!(get(port, "/about").await.contains("About this guestbook"));

    // 3. A Rust edit in the lib crate: rebuilt and restarted in place; the page comes back
    //    with its entries (and the template edit, now compiled in) and the new behaviour.
    edit(
        &views,
        "            name,\n",
        "            name: name.to_uppercase(),\n",
    );
    let frames = until(&mut socket, Duration::from_secs(300), |f| {
        f["type"] == "rebuild_needed"
    })
    .await;
    assert!(
        frames.last().unwrap()["file"]
            .as_str()
            .unwrap()
            .ends_with("views/src/lib.rs")
    );
    while next(&mut socket, Duration::from_secs(300)).await.is_some() {}
    let mut socket = support::connect(port, &hello, true).await;
    let frames = until(&mut socket, WAIT, |f| {
        f["type"] == "html" && f["id"] == book
    })
    .await;
    let restored = frames.last().unwrap();
    assert!(
        mentions(restored, "3 signatures") && mentions(restored, "cy"),
        "{restored}"
    );
    assert!(
        !frames.iter().any(|f| f["type"] == "error"),
        "no error after the restart (the nested clock is found): {frames:#?}"
    );
    sign(&mut socket, &book, "dan").await;
    let frames = until(&mut socket, WAIT, |f| {
        f["id"] == book && mentions(f, "4 signatures")
    })
    .await;
    assert!(
        frames.iter().any(|f| mentions(f, "DAN")),
        "the rebuilt code runs: {frames:#?}"
    );

    stop(cargo, pid);
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a release build of the app compiles: `--no-default-features` (the app's `dev` feature
/// off) leaves out the dev machinery's crates; the default (debug) build has them.
#[test]
fn a_release_build_of_the_new_app_has_no_dev_crates() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("hotreload-new-app-tree-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_fixture(&dir);
    let tree = |args: &[&str]| {
        let out = std::process::Command::new(support::cargo())
            .args([
                "tree",
                "-p",
                "web",
                "-e",
                "normal,build",
                "--prefix",
                "none",
            ])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("cargo tree runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dev_only = ["notify v", "zstd-sys v", "hotreload-state v"];
    let debug = tree(&[]);
    for name in dev_only {
        assert!(debug.contains(name), "the debug build has {name}: {debug}");
    }
    let release = tree(&["--no-default-features"]);
    for name in dev_only {
        assert!(
            !release.contains(name),
            "the release build has no {name}: {release}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
