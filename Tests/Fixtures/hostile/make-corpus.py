#!/usr/bin/env python3
"""Writes the committed hostile corpus (score/, workflow/, admin/). Run from this folder; the generated
cases that are too large to commit (50 MB, 10,000 steps, ...) are made by HostileCorpus.swift at test time.
Placeholders replaced by the tests: @APP@ (the app folder), @MARKER@ (a path that must never be created)."""
import os

S = "apiVersion: score.dev/v1b1\nmetadata:\n  name: @APP@\n"
C = "containers:\n  main:\n    image: nginx:1.27\n"
score = {
 "alias-bomb.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: @APP@\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
     f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n" for i in range(1, 10)) + C,
 "alias-bomb-in-variables.yaml": S + "containers:\n  main:\n    image: nginx:1.27\n    variables:\n      A: &a [&b [&c [1, 2, 3, 4, 5, 6, 7, 8], *c, *c, *c, *c, *c, *c, *c], *b, *b, *b, *b, *b, *b, *b]\n      B: [" + ", ".join(["*a"] * 400) + "]\n",
 "deep-nesting-flow.yaml": S + "x: " + "[" * 10000 + "]" * 10000 + "\n" + C,
 "deep-nesting-block.yaml": S + "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n" + C,
 "invalid-utf8.yaml": (S + "containers:\n  main:\n    image: \"nginx\xff\xfe:1\"\n"),
 "invalid-utf8-overlong.yaml": (S + "containers:\n  main:\n    image: nginx:1\n    variables:\n      SLASH: \"\xc0\xaf\"\n"),
 "invalid-utf8-surrogate.yaml": (S + "containers:\n  main:\n    image: nginx:1\n    variables:\n      S: \"\xed\xa0\x80\"\n"),
 "invalid-utf8-truncated.yaml": (S + C + "# \xe2\x82"),
 "duplicate-keys-top.yaml": S + C + "containers:\n  other:\n    image: evil:1\n",
 "duplicate-keys-nested.yaml": S + "containers:\n  main:\n    image: nginx:1\n    image: evil:1\n",
 "duplicate-keys-metadata-name.yaml": S + "  name: other\n" + C,
 "two-documents.yaml": S + C + "---\n" + S + C,
 "document-end-then-more.yaml": S + C + "...\n---\napiVersion: score.dev/v1b1\n",
 "empty.yaml": "",
 "only-comments.yaml": "# nothing here\n# at all\n",
 "only-document-markers.yaml": "---\n...\n",
 "nul-byte.yaml": S + "containers:\n  main:\n    image: nginx\x00:1\n",
 "nul-byte-escaped.yaml": S + "containers:\n  main:\n    image: \"nginx\\0; touch @MARKER@\"\n",
 "name-traversal.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: ../../etc\n" + C,
 "name-slash.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: a/b\n" + C,
 "name-mismatch.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: someone-else\n" + C,
 "product-slash.yaml": S + "  product: ecommerce/../other\n" + C,
 "product-dotdot.yaml": S + "  product: ..\n" + C,
 "product-traversal.yaml": S + "  product: ../../etc\n" + C,
 "product-uppercase-space.yaml": S + "  product: 'Ecommerce Prod'\n" + C,
 "python-tag.yaml": S + "containers:\n  main:\n    image: !!python/object/apply:os.system [\"touch @MARKER@\"]\n",
 "python-tag-root.yaml": "!!python/object:__main__.Exploit\napiVersion: score.dev/v1b1\nmetadata: {name: '@APP@'}\n" + C,
 "custom-tag.yaml": S + "containers:\n  main:\n    image: !Ref nginx\n",
 "merge-key.yaml": S + "base: &base {image: 'nginx:1'}\ncontainers:\n  main:\n    <<: *base\n",
 "anchor-on-key.yaml": S + "containers:\n  &k main:\n    image: nginx:1\n  *k : {image: evil:1}\n",
 "complex-key.yaml": S + "containers:\n  ? [a, b]\n  : image: nginx:1\n",
 "null-key.yaml": S + "containers:\n  ~: {image: nginx:1}\n",
 "containers-as-list.yaml": S + "containers:\n  - image: nginx:1\n",
 "containers-empty.yaml": S + "containers: {}\n",
 "missing-containers.yaml": S,
 "image-is-map.yaml": S + "containers:\n  main:\n    image: {registry: evil}\n",
 "name-is-list.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: [a, b]\n" + C,
 "unknown-top-level-field.yaml": S + C + "exec: touch @MARKER@\n",
 "unknown-container-field.yaml": S + "containers:\n  main:\n    image: nginx:1\n    privileged: true\n",
 "port-out-of-range.yaml": S + C + "service:\n  ports:\n    www: {port: 99999999999999999999999}\n",
 "port-negative.yaml": S + C + "service:\n  ports:\n    www: {port: -80}\n",
 "port-nan.yaml": S + C + "service:\n  ports:\n    www: {port: .nan}\n",
 "port-hex-float.yaml": S + C + "service:\n  ports:\n    www: {port: 0x1p3}\n",
 "wrong-api-version.yaml": "apiVersion: score.dev/v9\nmetadata:\n  name: @APP@\n" + C,
 "scalar-root.yaml": "just a string\n",
 "list-root.yaml": "- apiVersion: score.dev/v1b1\n- containers: {}\n",
 "tab-indentation.yaml": S + "containers:\n\tmain:\n\t\timage: nginx:1\n",
 "unterminated-quote.yaml": S + "containers:\n  main:\n    image: \"nginx:1\n",
 "unclosed-flow.yaml": S + "containers: {main: {image: nginx:1}\n",
 "yaml-directive-unknown-version.yaml": "%YAML 9.9\n---\n" + S + C,
 "resource-placeholder-cycle.yaml": S + C + "resources:\n  a:\n    type: postgres\n    params: {x: '${resources.b.host}'}\n  b:\n    type: postgres\n    params: {x: '${resources.a.host}'}\n",
 "placeholder-unknown.yaml": S + "containers:\n  main:\n    image: nginx:1\n    variables:\n      X: '${evil.$(touch @MARKER@)}'\n",
 "before-cycle.yaml": S + "containers:\n  a:\n    image: nginx:1\n    before: [b]\n  b:\n    image: nginx:1\n    before: [a]\n",
 "long-key.yaml": S + "k" * 100000 + ": 1\n" + C,
 "control-characters.yaml": S + "containers:\n  main:\n    image: \"nginx\x1b[31m\x07:1\"\n",
 "shell-meta-image.yaml": S + "containers:\n  main:\n    image: \"nginx:1; touch @MARKER@ $(touch @MARKER@) `touch @MARKER@`\"\n",
}
# Accepted as valid: hostile-looking but legitimate content. The app must reconcile normally and nothing
# that the content spells out may execute.
accepted = {
 "shell-meta-command.yaml": S + "containers:\n  main:\n    image: nginx:1\n    command: [\"/bin/sh\", \"-c\", \"touch @MARKER@\"]\n    args: [\"$(touch @MARKER@)\", \"; touch @MARKER@\"]\n",
 "bom.yaml": "\ufeff" + S + C,
 "crlf.yaml": (S + C).replace("\n", "\r\n"),
 "shell-meta-variables.yaml": S + "containers:\n  main:\n    image: nginx:1\n    variables:\n      A: '$(touch @MARKER@)'\n      B: '`touch @MARKER@`'\n      C: '; touch @MARKER@ #'\n      D: '| touch @MARKER@'\n      E: \"$${app.name} && touch @MARKER@\"\n",
 "unicode-values.yaml": S + "  annotations:\n    note: \"\u202e\u0000\"\n" + C,
}
accepted["unicode-values.yaml"] = S + "  annotations:\n    note: \"\u202egnp.exe \u200b zero-width\"\n" + C

W = "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata:\n  name: deploy\nspec:\n"
M = "touch @MARKER@"
workflow = {
 "dependency-cycle.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}', dependsOn: [b]}}\n    - {{name: b, type: shell, run: '{M}', dependsOn: [a]}}\n",
 "dependency-cycle-long.yaml": W + "  steps:\n" + "".join(f"    - {{name: s{i}, type: shell, run: '{M}', dependsOn: [s{(i + 1) % 50}]}}\n" for i in range(50)),
 "self-dependency.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}', dependsOn: [a]}}\n",
 "unknown-dependency.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}', dependsOn: [ghost]}}\n",
 "duplicate-step-names.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}'}}\n    - {{name: a, type: shell, run: '{M}'}}\n",
 "duplicate-keys-run.yaml": W + f"  steps:\n    - name: a\n      type: shell\n      run: 'true'\n      run: '{M}'\n",
 "unknown-step-type.yaml": W + f"  steps:\n    - {{name: a, type: exec, run: '{M}'}}\n",
 "unknown-step-field.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: 'true', shell: '{M}'}}\n",
 "unknown-spec-field.yaml": W + f"  preStart: '{M}'\n  steps:\n    - {{name: a, type: shell, run: 'true'}}\n",
 "bad-timeout.yaml": W + f"  timeout: forever\n  steps:\n    - {{name: a, type: shell, run: '{M}'}}\n",
 "timeout-overflow.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}', timeout: 99999999999999999999999h}}\n",
 "retries-overflow.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}', retries: 99999999999999999999}}\n",
 "retries-negative.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}', retries: -1}}\n",
 "when-unknown.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M}', when: sometimes}}\n",
 "unknown-placeholder.yaml": W + "  steps:\n    - {name: a, type: shell, run: 'echo ${evil} && touch @MARKER@'}\n",
 "step-output-placeholder-unknown-step.yaml": W + "  steps:\n    - {name: a, type: shell, run: 'echo ${steps.ghost.outputs.x}; touch @MARKER@'}\n",
 "alias-bomb.yaml": W + "  x: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(f"  x{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n" for i in range(1, 9)) + f"  steps:\n    - {{name: a, type: shell, run: '{M}'}}\n",
 "python-tag-run.yaml": W + "  steps:\n    - {name: a, type: shell, run: !!python/object/apply:os.system ['touch @MARKER@']}\n",
 "steps-not-a-list.yaml": W + f"  steps: {{name: a, type: shell, run: '{M}'}}\n",
 "steps-empty.yaml": W + "  steps: []\n",
 "step-is-scalar.yaml": W + f"  steps:\n    - '{M}'\n",
 "run-is-list.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: ['{M}']}}\n",
 "name-mismatch.yaml": "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata:\n  name: not-deploy\nspec:\n" + f"  steps:\n    - {{name: a, type: shell, run: '{M}'}}\n",
 "kind-platform-under-app.yaml": "apiVersion: workflow.dev/v1\nkind: PlatformWorkflow\nmetadata:\n  name: deploy\nspec:\n" + f"  steps:\n    - {{name: a, type: shell, run: '{M}'}}\n",
 "two-documents.yaml": W + "  steps:\n    - {name: a, type: shell, run: 'true'}\n---\n" + W + f"  steps:\n    - {{name: b, type: shell, run: '{M}'}}\n",
 "invalid-utf8.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: '{M} \xff'}}\n",
 "nul-byte.yaml": W + f"  steps:\n    - {{name: a, type: shell, run: \"true\x00; {M}\"}}\n",
 "phase-unknown.yaml": "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata:\n  name: deploy\n  phase: whenever\nspec:\n" + f"  steps:\n    - {{name: a, type: shell, run: '{M}'}}\n",
 "trigger-unknown.yaml": W + f"  triggers: [always_and_forever]\n  steps:\n    - {{name: a, type: shell, run: '{M}'}}\n",
 "env-name-invalid.yaml": W + f"  steps:\n    - name: a\n      type: shell\n      run: '{M}'\n      env:\n        'A=B; touch @MARKER@': x\n",
 "http-step-missing-url.yaml": W + "  steps:\n    - {name: a, type: http}\n",
}
admin = {
 "workflows-root-traversal.yaml": "workflowPolicies:\n  workflowsRoot: ../../etc\n",
 "apps-root-traversal.yaml": "workflowPolicies:\n  appsRoot: ../../etc\n",
 "apps-root-absolute.yaml": "workflowPolicies:\n  appsRoot: /etc\n",
 "workflows-root-dotdot-inside.yaml": "workflowPolicies:\n  workflowsRoot: ./workflows/../../outside\n",
 "alias-bomb.yaml": "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n" for i in range(1, 10)) + "workflowPolicies: {}\n",
 "duplicate-keys.yaml": "workflowPolicies:\n  allowedProductWorkflows: []\n  allowedProductWorkflows: [ecommerce/rogue]\n",
 "unknown-field.yaml": "workflowPolicies:\n  allowEverything: true\n",
 "max-prune-negative.yaml": "workflowPolicies:\n  maxPrunePerPass: -1\n",
 "max-prune-overflow.yaml": "workflowPolicies:\n  maxPrunePerPass: 99999999999999999999999\n",
 "two-documents.yaml": "workflowPolicies: {}\n---\nworkflowPolicies:\n  allowedProductWorkflows: [ecommerce/rogue]\n",
 "invalid-utf8.yaml": "workflowPolicies:\n  appsRoot: \"apps\xff\"\n",
 "not-a-map.yaml": "workflowPolicies: [a, b]\n",
}
for folder, table in (("score", score), ("score-accepted", accepted), ("workflow", workflow), ("admin", admin)):
    os.makedirs(folder, exist_ok=True)
    for name, text in table.items():
        # Strings hold raw bytes as \xNN code points (latin-1); the two Unicode cases are real UTF-8.
        data = text.encode("utf-8") if name.startswith(("bom", "unicode")) else text.encode("latin-1")
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
