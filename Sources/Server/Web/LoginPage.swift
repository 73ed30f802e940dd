/// The sign-in form (`GET /login`, and the answer to a page asked for without the read token on a
/// listener that is not loopback), and the page that says why a page could not be shown.
enum LoginPage {
    /// `next`: the page to go back to after signing in; `failed`: the last token given was wrong.
    static func render(next: String, failed: Bool = false) -> String {
        PageLayout.document(title: "Sign in", section: .other, live: false) { main in
            main.element("h1", text: "Sign in")
            main.element("p", ["class": "muted"],
                         text: "This server listens beyond loopback: its pages need the read token (the server's API token).")
            if failed { main.element("p", ["class": "errors", "id": "login-failed"], text: "That is not the server's API token.") }
            main.element("form", ["class": "login card", "method": "post", "action": "/login"]) { form in
                form.void("input", ["type": "hidden", "name": "next", "value": WebSession.destination(next)])
                form.element("label") { label in
                    label.text("API token ")
                    label.void("input", ["type": "password", "name": "token", "autocomplete": "current-password", "required": ""])
                }
                form.element("button", ["type": "submit"], text: "Sign in")
            }
        }
    }

    /// The pages cannot be opened at all: no token is configured and the listener is not loopback.
    static let disabled = message(
        title: "Pages disabled",
        text: "This server listens beyond loopback and has no API token, so its pages are disabled: start it with "
            + "--api-token-file or INNOMINATUS_API_TOKEN, or listen on 127.0.0.1.")

    static func message(title: String, text: String, signOut: Bool = false) -> String {
        PageLayout.document(title: title, section: .other, live: false, signOut: signOut) { main in
            main.element("h1", text: title)
            main.element("p", ["id": "message"], text: text)
            main.element("p") { line in line.element("a", ["href": "/"], text: "Back to the overview") }
        }
    }
}
