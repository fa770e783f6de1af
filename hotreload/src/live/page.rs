//! Markup the runtime adds around views: the boundary element and the client script tag.

use crate::live::instance::BOUNDARY_TAG;
use crate::template::{Html, InstanceId, escape_into};

/// The runtime client (patches, morph, events, reconnect), served by every live route
/// (`?_hotreload=client.js`) and by the dev routes. Generated from the ES modules in
/// `hotreload/client/src/` by `hotreload/client/build.mjs`; see `hotreload/client/README.md`.
pub(crate) const RUNTIME_CLIENT: &str = include_str!("../../client/dist/runtime.js");

/// The attribute that marks the client's `<script>` tag; a page that has it is not injected
/// again.
pub(crate) const CLIENT_MARKER: &str = "data-hotreload-client";

/// HTML-escapes `text`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

/// `<div data-live-view-id=".." data-live-view="..">inner</div>`, with `data-live-token` for
/// a top-level boundary.
pub(crate) fn boundary(id: InstanceId, view: &str, token: Option<&str>, inner: &Html) -> Html {
    let mut out = String::with_capacity(inner.len() + 120);
    out.push('<');
    out.push_str(BOUNDARY_TAG);
    out.push_str(" data-live-view-id=\"");
    out.push_str(&id.to_string());
    if let Some(token) = token {
        out.push_str("\" data-live-token=\"");
        escape_into(token, &mut out);
    }
    out.push_str("\" data-live-view=\"");
    escape_into(view, &mut out);
    out.push_str("\">");
    out.push_str(inner.as_str());
    out.push_str("</");
    out.push_str(BOUNDARY_TAG);
    out.push('>');
    Html::from_trusted(out)
}

/// What stands for view `view`'s boundary in a page rendered for its shell only
/// (`X-Hotreload-Shell`): the dev client keeps its own boundary where this is.
pub(crate) fn shell_placeholder(view: &str) -> Html {
    let mut out = String::from("<");
    out.push_str(BOUNDARY_TAG);
    out.push_str(" data-live-view-shell=\"\" data-live-view=\"");
    escape_into(view, &mut out);
    out.push_str("\"></");
    out.push_str(BOUNDARY_TAG);
    out.push('>');
    Html::from_trusted(out)
}

/// The client's `<script>` tag; with `dev_client` (the dev client's URL and the key that
/// picks an element's source with a click, debug builds), the runtime client loads the dev UI
/// from there.
pub(crate) fn client_script(src: &str, socket: &str, dev_client: Option<(&str, &str)>) -> String {
    let mut out = String::from("<script type=\"module\" src=\"");
    escape_into(src, &mut out);
    out.push_str("\" ");
    out.push_str(CLIENT_MARKER);
    out.push_str(" data-socket=\"");
    escape_into(socket, &mut out);
    out.push('"');
    if let Some((dev_client, source_key)) = dev_client {
        out.push_str(" data-dev data-dev-client=\"");
        escape_into(dev_client, &mut out);
        out.push_str("\" data-source-key=\"");
        escape_into(source_key, &mut out);
        out.push('"');
    }
    out.push_str("></script>");
    out
}

/// Inserts `snippet` before the last `</body>` (any case), or appends it.
pub(crate) fn insert_before_body_end(page: &str, snippet: &str) -> String {
    let lower = page.to_ascii_lowercase();
    let at = lower.rfind("</body").unwrap_or(page.len());
    let mut out = String::with_capacity(page.len() + snippet.len());
    out.push_str(&page[..at]);
    out.push_str(snippet);
    out.push_str(&page[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_last_body_end() {
        assert_eq!(
            insert_before_body_end("<body><p>x</p></BODY></html>", "<s>"),
            "<body><p>x</p><s></BODY></html>"
        );
        assert_eq!(
            insert_before_body_end("<p>fragment</p>", "<s>"),
            "<p>fragment</p><s>"
        );
    }

    #[test]
    fn boundary_and_script_escape_their_attributes() {
        let html = boundary(InstanceId(1), "A\"B", None, &Html::from_trusted("<i>x</i>"));
        assert_eq!(
            html.as_str(),
            "<div data-live-view-id=\"0000000000000001\" data-live-view=\"A&quot;B\"><i>x</i></div>"
        );
        assert_eq!(
            client_script(
                "/a?_hotreload=client.js",
                "/a?q=\"",
                Some(("/_hr/dev.js", "alt"))
            ),
            "<script type=\"module\" src=\"/a?_hotreload=client.js\" data-hotreload-client data-socket=\"/a?q=&quot;\" data-dev data-dev-client=\"/_hr/dev.js\" data-source-key=\"alt\"></script>"
        );
        assert_eq!(
            client_script("/a?_hotreload=client.js", "/a", None),
            "<script type=\"module\" src=\"/a?_hotreload=client.js\" data-hotreload-client data-socket=\"/a\"></script>"
        );
    }
}
