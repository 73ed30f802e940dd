import Crypto
import Foundation

/// Push payloads in each forge's real format (trimmed of fields nobody reads, but shaped as sent), and
/// the headers each forge sets. The repository URLs deliberately differ from the fixture's remote: the
/// server must not compare them.
enum WebhookPayloads {
    static func github(ref: String = "refs/heads/main", after: String = "9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b") -> String {
        """
        {
          "ref": "\(ref)",
          "before": "0d1f2e3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
          "after": "\(after)",
          "repository": {
            "id": 812345678,
            "node_id": "R_kgDOMGxYzg",
            "name": "platform",
            "full_name": "acme/platform",
            "private": true,
            "owner": {"name": "acme", "login": "acme", "id": 1234567, "type": "Organization"},
            "html_url": "https://github.com/acme/platform",
            "clone_url": "https://github.com/acme/platform.git",
            "ssh_url": "git@github.com:acme/platform.git",
            "default_branch": "main",
            "master_branch": "main"
          },
          "pusher": {"name": "jdoe", "email": "jdoe@example.com"},
          "sender": {"login": "jdoe", "id": 7654321, "type": "User"},
          "created": false,
          "deleted": false,
          "forced": false,
          "base_ref": null,
          "compare": "https://github.com/acme/platform/compare/0d1f2e3c4b5a...9f2c1a7e2b5d",
          "commits": [
            {
              "id": "\(after)",
              "tree_id": "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d",
              "distinct": true,
              "message": "checkout: bump image",
              "timestamp": "2026-11-28T12:00:00Z",
              "url": "https://github.com/acme/platform/commit/\(after)",
              "author": {"name": "J Doe", "email": "jdoe@example.com", "username": "jdoe"},
              "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
              "added": [], "removed": [], "modified": ["apps/checkout/score.yaml"]
            }
          ],
          "head_commit": {"id": "\(after)", "message": "checkout: bump image", "timestamp": "2026-11-28T12:00:00Z"}
        }
        """
    }

    static func gitea(ref: String = "refs/heads/main") -> String {
        """
        {
          "ref": "\(ref)",
          "before": "0d1f2e3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
          "after": "9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b",
          "compare_url": "https://gitea.example.com/acme/platform/compare/0d1f2e3c4b5a...9f2c1a7e2b5d",
          "commits": [
            {
              "id": "9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b",
              "message": "checkout: bump image\\n",
              "url": "https://gitea.example.com/acme/platform/commit/9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b",
              "author": {"name": "J Doe", "email": "jdoe@example.com", "username": "jdoe"},
              "committer": {"name": "J Doe", "email": "jdoe@example.com", "username": "jdoe"},
              "timestamp": "2026-11-28T12:00:00Z",
              "added": [], "removed": [], "modified": ["apps/checkout/score.yaml"]
            }
          ],
          "total_commits": 1,
          "head_commit": {"id": "9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b", "message": "checkout: bump image\\n"},
          "repository": {
            "id": 42,
            "owner": {"id": 3, "login": "acme", "full_name": "", "email": "", "username": "acme"},
            "name": "platform",
            "full_name": "acme/platform",
            "private": true,
            "html_url": "https://gitea.example.com/acme/platform",
            "ssh_url": "git@gitea.example.com:acme/platform.git",
            "clone_url": "https://gitea.example.com/acme/platform.git",
            "default_branch": "main"
          },
          "pusher": {"id": 5, "login": "jdoe", "email": "jdoe@example.com", "username": "jdoe"},
          "sender": {"id": 5, "login": "jdoe", "email": "jdoe@example.com", "username": "jdoe"}
        }
        """
    }

    static func gitlab(ref: String = "refs/heads/main") -> String {
        """
        {
          "object_kind": "push",
          "event_name": "push",
          "before": "0d1f2e3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
          "after": "9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b",
          "ref": "\(ref)",
          "ref_protected": true,
          "checkout_sha": "9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b",
          "user_id": 4,
          "user_name": "J Doe",
          "user_username": "jdoe",
          "user_email": "",
          "project_id": 15,
          "project": {
            "id": 15,
            "name": "platform",
            "web_url": "https://gitlab.example.com/acme/platform",
            "git_ssh_url": "git@gitlab.example.com:acme/platform.git",
            "git_http_url": "https://gitlab.example.com/acme/platform.git",
            "namespace": "acme",
            "path_with_namespace": "acme/platform",
            "default_branch": "main"
          },
          "commits": [
            {
              "id": "9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b",
              "message": "checkout: bump image\\n",
              "title": "checkout: bump image",
              "timestamp": "2026-11-28T12:00:00+00:00",
              "url": "https://gitlab.example.com/acme/platform/-/commit/9f2c1a7e2b5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b",
              "author": {"name": "J Doe", "email": "jdoe@example.com"},
              "added": [], "modified": ["apps/checkout/score.yaml"], "removed": []
            }
          ],
          "total_commits_count": 1,
          "repository": {
            "name": "platform",
            "url": "git@gitlab.example.com:acme/platform.git",
            "homepage": "https://gitlab.example.com/acme/platform",
            "git_http_url": "https://gitlab.example.com/acme/platform.git",
            "git_ssh_url": "git@gitlab.example.com:acme/platform.git"
          }
        }
        """
    }

    /// HMAC-SHA256 of `body` with `secret`, lowercase hex (what GitHub and Gitea send).
    static func hmac(_ body: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    static func githubHeaders(_ body: String, secret: String, event: String = "push") -> [String: String] {
        ["X-GitHub-Event": event, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
         "X-Hub-Signature-256": "sha256=" + hmac(body, secret: secret), "Content-Type": "application/json",
         "User-Agent": "GitHub-Hookshot/044aadd"]
    }

    static func giteaHeaders(_ body: String, secret: String, event: String = "push") -> [String: String] {
        ["X-Gitea-Event": event, "X-Gitea-Delivery": "f6266f16-1bf3-46a5-9ea4-602e06ead473",
         "X-Gitea-Signature": hmac(body, secret: secret), "Content-Type": "application/json"]
    }

    static func gitlabHeaders(token: String, event: String = "Push Hook") -> [String: String] {
        ["X-Gitlab-Event": event, "X-Gitlab-Token": token, "X-Gitlab-Instance": "https://gitlab.example.com",
         "Content-Type": "application/json"]
    }
}
