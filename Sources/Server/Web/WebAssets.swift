/// The status pages' style sheet, live-update script and icon, served by `serve` itself (no CDN, no
/// framework: the pages work with no network). Their URLs carry a digest of their content, so a browser
/// may keep them for a day and still never runs an old script against a new page.
enum WebAssets {
    struct Asset: Sendable {
        var contentType: String
        var body: String
    }

    static let styleURL = "/assets/style.css?v=" + digest(style)
    static let scriptURL = "/assets/live.js?v=" + digest(script)
    static let iconURL = "/assets/icon.svg?v=" + digest(icon)

    static func asset(named name: String) -> Asset? {
        switch name {
        case "style.css": Asset(contentType: "text/css; charset=utf-8", body: style)
        case "live.js": Asset(contentType: "text/javascript; charset=utf-8", body: script)
        case "icon.svg": Asset(contentType: "image/svg+xml", body: icon)
        default: nil
        }
    }

    /// 64-bit FNV-1a of the content, in hex (a cache key, not a security boundary).
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Reloads the page when the server says a pass ended (Server-Sent Events from `/events`); the browser
    /// reconnects by itself after a drop. No polling: between passes nothing is sent but a heartbeat.
    static let script = """
        "use strict";
        (() => {
          const badge = document.getElementById("live");
          const say = (text, state) => {
            if (badge) { badge.textContent = text; badge.dataset.state = state; }
            document.documentElement.dataset.live = state;
          };
          if (!("EventSource" in window)) { say("no live updates", "off"); return; }
          const source = new EventSource("/events");
          source.addEventListener("open", () => say("live", "on"));
          source.addEventListener("error", () => {
            say(source.readyState === EventSource.CLOSED ? "offline" : "reconnecting", "off");
          });
          source.addEventListener("pass", () => { source.close(); window.location.reload(); });
        })();

        """

    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2f6fde"/>\
        <path d="M4 8.5l2.5 2.5L12 5" fill="none" stroke="#fff" stroke-width="2"/></svg>

        """

    static let style = """
        :root {
          color-scheme: light dark;
          --bg: #f7f8fa; --fg: #1c2330; --muted: #5b6474; --card: #ffffff; --line: #d9dee7; --accent: #2f6fde;
          --succeeded: #1f9d55; --failed: #d64545; --error: #b3261e; --stalled: #8e3b8e; --blocked: #c76a00;
          --waiting: #c9a400; --gated: #7a8496; --pending: #2f6fde; --pruning: #6b4f2b; --suspended: #5f6b7a;
          --not-run: #a3abb8; --none: transparent;
          --on-state: #ffffff;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #11151c; --fg: #e3e7ee; --muted: #9aa4b4; --card: #1a202a; --line: #2c3542; --accent: #6ea0ff;
            --succeeded: #2fb36b; --failed: #ef5d5d; --error: #e0483e; --stalled: #b45cb4; --blocked: #e08a1e;
            --waiting: #d6b52a; --gated: #6d7788; --pending: #4f86ea; --pruning: #9b7a4d; --suspended: #7d8898;
            --not-run: #505a69;
          }
        }
        * { box-sizing: border-box; }
        html { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
        body { margin: 0; }
        a { color: var(--accent); }
        code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 0.92em; }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.25rem; padding: 0.6rem 1rem;
          background: var(--card); border-bottom: 1px solid var(--line); }
        header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        header.top nav { display: flex; gap: 1rem; flex-wrap: wrap; }
        header.top nav a { text-decoration: none; color: var(--muted); }
        header.top nav a[aria-current="page"] { color: var(--fg); font-weight: 600; border-bottom: 2px solid var(--accent); }
        .live { margin-left: auto; font-size: 0.85em; color: var(--muted); }
        .live::before { content: ""; display: inline-block; width: 0.6em; height: 0.6em; border-radius: 50%;
          margin-right: 0.35em; background: var(--not-run); }
        .live[data-state="on"]::before { background: var(--succeeded); }
        .signout button { font: inherit; background: none; border: 1px solid var(--line); color: var(--muted);
          border-radius: 4px; padding: 0.1rem 0.5rem; cursor: pointer; }
        main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
        h1 { font-size: 1.4rem; margin: 0.2rem 0 0.8rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 0.5rem; }
        h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; }
        .facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0.4rem 1.2rem; margin: 0; }
        .facts dt { font-size: 0.8em; color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .counts { display: flex; flex-wrap: wrap; gap: 0.4rem; padding: 0; margin: 0.6rem 0; list-style: none; }
        .counts a { text-decoration: none; }
        .badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.85em; white-space: nowrap;
          color: var(--on-state); background: var(--not-run); }
        .s-succeeded { background: var(--succeeded); } .s-failed, .s-partial { background: var(--failed); }
        .s-error { background: var(--error); } .s-stalled { background: var(--stalled); } .s-blocked { background: var(--blocked); }
        .s-waiting { background: var(--waiting); color: #1c2330; } .s-gated { background: var(--gated); }
        .s-pending { background: var(--pending); } .s-pruning { background: var(--pruning); }
        .s-suspended { background: var(--suspended); } .s-not-run { background: var(--not-run); }
        .s-none { background: var(--none); color: var(--muted); } .s-noop { background: var(--gated); }
        .s-approved { background: var(--succeeded); } .s-not-approved, .s-changed-since-approval { background: var(--blocked); }
        .s-interrupted, .s-incomplete { background: var(--failed); } .s-pruned { background: var(--pruning); }
        form.filters { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.8rem 0; }
        form.filters label { display: flex; flex-direction: column; font-size: 0.8em; color: var(--muted); }
        input, select, button { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--line);
          border-radius: 4px; padding: 0.25rem 0.45rem; }
        button { cursor: pointer; }
        .table { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; background: var(--card); }
        th, td { text-align: left; padding: 0.35rem 0.55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 0.8em; color: var(--muted); font-weight: 600; }
        td.app { overflow-wrap: anywhere; min-width: 8rem; }
        td.cell { white-space: nowrap; }
        td.cell .badge { min-width: 5.5rem; text-align: center; }
        .muted { color: var(--muted); }
        .reason { color: var(--muted); font-size: 0.9em; overflow-wrap: anywhere; }
        .pages { display: flex; gap: 1rem; align-items: center; margin: 0.6rem 0; flex-wrap: wrap; }
        pre.log { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 0.5rem; margin: 0.3rem 0;
          max-height: 18rem; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
        .errors { color: var(--error); }
        .banner { border-left: 4px solid var(--error); }
        svg.chart { width: 100%; height: auto; max-height: 220px; display: block; }
        svg.chart .axis { stroke: var(--line); }
        svg.chart text { fill: var(--muted); font-size: 11px; }
        svg.chart .bar-succeeded, svg.chart .bar-noop { fill: var(--succeeded); }
        svg.chart .bar-partial, svg.chart .bar-failed { fill: var(--failed); }
        form.login { display: flex; flex-direction: column; gap: 0.6rem; max-width: 22rem; }
        @media (max-width: 640px) {
          html { font-size: 14px; }
          main { padding: 0.6rem; }
          th, td { padding: 0.3rem 0.35rem; }
          td.cell .badge { min-width: 0; }
          .hide-narrow { display: none; }
        }

        """
}
