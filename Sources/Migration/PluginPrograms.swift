/// The step-type plugins `innominatus migrate` writes under `workflows/plugins/` (docs/ARCHITECTURE.md
/// §17, plugins). Each reads the step document on stdin (Executor's `PluginStep`: step, type, config,
/// context, outputs, env) and answers `{"outputs": {…}}` on stdout; the tool's output is its log (stderr).
/// They need python3 on the reconciler's PATH, as the repository's own plugins do.
enum PluginPrograms {
    /// The plugin file for each type the migrated workflows use.
    static func files(for types: [String]) -> [(path: String, text: String)] {
        var files: [(String, String)] = []
        for type in types.sorted() {
            if let body = tools[type] { files.append(("workflows/plugins/\(type)", prelude(type) + body)) }
        }
        if types.contains(where: { StepTypeCatalogue.tools[$0] == nil }) {
            files.append(("workflows/plugins/unported-step", unported))
        }
        return files
    }

    static func prelude(_ type: String) -> String {
        #"""
        #!/usr/bin/env python3
        # innominatus step-type plugin `\#(type)`, written by `innominatus migrate` for the original
        # innominatus's `\#(type)` steps: \#(StepTypeCatalogue.tools[type]?.what ?? "").
        # stdin: the step document (JSON); stdout: {"outputs": {...}}; stderr: the step's log.
        # Runs in the checkout (read-only): the tool's own files go under $TMPDIR, the step's scratch folder.
        # Steps see only their declared env: give credentials the tool needs as env entries (fromEnv).
        import json, os, shutil, subprocess, sys

        NAME = "\#(type)"
        document = json.load(sys.stdin)
        config = document.get("config") or {}


        def fail(message, code=1):
            print(f"{NAME}: {message}", file=sys.stderr, flush=True)
            sys.exit(code)


        def tool(program):
            found = shutil.which(program)
            if not found:
                fail(f"'{program}' is not on the reconciler's PATH ({os.environ.get('PATH', '')}): install it on the "
                     f"machine that runs innominatus, or remove this step", 127)
            return found


        def repository_path(value, what):
            path = os.path.normpath(str(value))
            if os.path.isabs(path) or path == ".." or path.startswith("../"):
                fail(f"{what} '{value}' leaves the repository; name a path inside it", 2)
            return path


        def tool_env():
            env = dict(os.environ)
            scratch = env.get("TMPDIR", "/tmp")
            env.setdefault("HOME", scratch)
            return env


        def run(command, **options):
            print("$ " + " ".join(command), file=sys.stderr, flush=True)
            result = subprocess.run(command, stdout=sys.stderr, **options)
            if result.returncode != 0:
                fail(f"{os.path.basename(command[0])} exited with status {result.returncode}", result.returncode)


        def finish(outputs):
            output_file = config.get("outputFile")
            if output_file:
                path = repository_path(output_file, "config.outputFile")
                if not os.path.isfile(path):
                    fail(f"config.outputFile '{output_file}' was not written by the tool")
                text = open(path, encoding="utf-8").read()
                try:
                    values = json.loads(text)
                    if not isinstance(values, dict):
                        raise ValueError
                except ValueError:
                    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
                outputs.update(values)
            for key, value in (config.get("setVariables") or {}).items():
                outputs[key] = value
            print(json.dumps({"outputs": {key: value if isinstance(value, str) else json.dumps(value)
                                          for key, value in outputs.items()}}))


        """#
    }

    static let tools: [String: String] = [
        "terraform": #"""
        # config: path (or workingDir; the module's folder, default "."), operation (init | plan | apply | destroy |
        # output; default apply), variables (map → -var), backendConfig (list → -backend-config; state cannot live
        # in the read-only checkout, so configure a backend), outputs (names to pass on; default all).
        folder = repository_path(config.get("path") or config.get("workingDir") or ".", "config.path")
        if not os.path.isdir(folder):
            fail(f"config.path '{folder}' is not a folder of the repository", 2)
        operation = config.get("operation") or "apply"
        if operation not in ("init", "plan", "apply", "destroy", "output"):
            fail(f"config.operation '{operation}' is not init, plan, apply, destroy or output", 2)
        if operation in ("apply", "destroy") and not config.get("backendConfig"):
            text = ""
            for name in sorted(os.listdir(folder)):
                if name.endswith(".tf"):
                    text += open(os.path.join(folder, name), encoding="utf-8", errors="replace").read()
            if 'backend "' not in text and "cloud {" not in text:
                fail(f"the module in '{folder}' configures no backend, so terraform would keep its state in the read-only "
                     f"checkout and lose it after the step: add a backend block (a remote state store) to the module, or "
                     f"give config.backendConfig", 2)
        terraform = tool("terraform")
        env = tool_env()
        env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
                    "TF_DATA_DIR": os.path.join(env.get("TMPDIR", "/tmp"), "terraform-data")})
        base = [terraform, f"-chdir={folder}"]
        variables = []
        for key, value in (config.get("variables") or {}).items():
            variables += ["-var", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
        backend = [f"-backend-config={item}" for item in (config.get("backendConfig") or [])]
        run(base + ["init", "-input=false", "-no-color"] + backend, env=env)
        if operation in ("plan", "apply", "destroy"):
            extra = ["-auto-approve"] if operation != "plan" else []
            run(base + [operation, "-input=false", "-no-color"] + extra + variables, env=env)
        outputs = {}
        if operation in ("apply", "output"):
            result = subprocess.run(base + ["output", "-json"], env=env, capture_output=True, text=True)
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                fail(f"terraform output exited with status {result.returncode}", result.returncode)
            wanted = config.get("outputs")
            for name, item in json.loads(result.stdout or "{}").items():
                if wanted and name not in wanted:
                    continue
                if item.get("sensitive"):
                    print(f"{NAME}: output '{name}' is sensitive and is not passed on (outputs are recorded in "
                          f"the status note); read it from the state in the step that needs it", file=sys.stderr)
                    continue
                outputs[name] = item.get("value")
        finish(outputs)
        """#,
        "kubernetes": #"""
        # config: namespace (made when missing unless createNamespace: false), manifests (a file or folder, or a list),
        # manifest (inline YAML), operation (apply | delete; default apply). KUBECONFIG and credentials: env entries.
        kubectl = tool("kubectl")
        namespace = config.get("namespace")
        manifests = config.get("manifests") or []
        if isinstance(manifests, str):
            manifests = [manifests]
        inline = config.get("manifest")
        operation = config.get("operation") or "apply"
        if operation not in ("apply", "delete"):
            fail(f"config.operation '{operation}' is not apply or delete", 2)
        if not manifests and not inline:
            fail("config.manifests names no file: the original applied the Score's generated manifests, which the "
                 "application tier's generated deploy renders and delivers here (env/main); name manifest files or "
                 "folders under config.manifests, or remove this step", 2)
        paths = [repository_path(item, "config.manifests") for item in manifests]
        for path in paths:
            if not os.path.exists(path):
                fail(f"config.manifests: '{path}' is not in the repository", 2)
        env = tool_env()
        scope = ["-n", namespace] if namespace else []
        if namespace and operation == "apply" and config.get("createNamespace", True) is not False:
            document_ns = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
            run([kubectl, "apply", "-f", "-"], input=document_ns.encode(), env=env)
        verb = [operation] + (["--ignore-not-found"] if operation == "delete" else [])
        for path in paths:
            recursive = ["-R"] if os.path.isdir(path) else []
            run([kubectl] + verb + scope + recursive + ["-f", path], env=env)
        if inline:
            run([kubectl] + verb + scope + ["-f", "-"], input=str(inline).encode(), env=env)
        finish({"namespace": namespace} if namespace else {})
        """#,
        "ansible": #"""
        # config: playbook (required), path (the folder it lies in, default "."), inventory (-i), vars (map → -e JSON).
        ansible = tool("ansible-playbook")
        playbook = config.get("playbook")
        if not playbook:
            fail("config.playbook is required: the playbook to run, relative to config.path", 2)
        path = repository_path(os.path.join(str(config.get("path") or "."), str(playbook)), "config.playbook")
        if not os.path.isfile(path):
            fail(f"the playbook '{path}' is not in the repository", 2)
        command = [ansible, path]
        if config.get("inventory"):
            command += ["-i", str(config["inventory"])]
        if config.get("vars"):
            command += ["-e", json.dumps(config["vars"])]
        env = tool_env()
        env["ANSIBLE_LOCAL_TEMP"] = os.path.join(env.get("TMPDIR", "/tmp"), "ansible")
        env["ANSIBLE_RETRY_FILES_ENABLED"] = "false"
        run(command, env=env)
        finish({})
        """#,
        "policy": #"""
        # config: engine (opa), policies (names: POLICYPATH/NAME.rego), policyPath (default policies/opa),
        # query (default data.innominatus.deny[_]: the step fails when any deny rule holds for the Score).
        # (A policy step with config.script became a shell step: see MIGRATION.md.)
        engine = config.get("engine") or "opa"
        if engine != "opa":
            fail(f"config.engine '{engine}' is not supported; only opa is", 2)
        opa = tool("opa")
        folder = repository_path(config.get("policyPath") or "policies/opa", "config.policyPath")
        names = config.get("policies") or []
        if isinstance(names, str):
            names = [names]
        if not names:
            fail("config.policies names no policy", 2)
        files = []
        for name in names:
            file = os.path.join(folder, f"{name}.rego")
            if not os.path.isfile(file):
                fail(f"policy '{name}': {file} is not in the repository; write it (package innominatus, deny rules) "
                     f"or set config.policyPath", 2)
            files += ["--data", file]
        score = (document.get("context") or {}).get("scoreJSON")
        query = config.get("query") or "data.innominatus.deny[_]"
        result = subprocess.run([opa, "eval", "--fail-defined", "--format", "pretty", "--input", score] + files + [query],
                                capture_output=True, text=True)
        print(result.stdout + result.stderr, file=sys.stderr)
        if result.returncode != 0:
            fail(f"the Score breaks {', '.join(names)} ({query} is defined)")
        finish({"policies": ",".join(names)})
        """#,
    ]

    static var unported: String {
        let integrations = StepTypeCatalogue.integrations.keys.sorted()
            .map { "    \"\($0)\": \"\(StepTypeCatalogue.integrations[$0]!)\"," }.joined(separator: "\n")
        return #"""
        #!/usr/bin/env python3
        # innominatus step-type plugin for the original innominatus's step types that have no working
        # equivalent, written by `innominatus migrate`. It always FAILS, saying what to configure: nothing
        # that did not really happen is reported as done. Arguments: TYPE KIND (placeholder | integration | unknown).
        import json, sys

        INTEGRATIONS = {
        \#(integrations)
        }
        step_type, kind = sys.argv[1], sys.argv[2]
        try:
            document = json.load(sys.stdin)
        except ValueError:
            document = {}
        step = document.get("step", "?")
        keys = ", ".join(sorted((document.get("config") or {}).keys())) or "none"
        if kind == "placeholder":
            why = f"the original innominatus's '{step_type}' steps were placeholders that did nothing"
        elif kind == "integration":
            why = f"the original innominatus {INTEGRATIONS.get(step_type, 'ran it with its own integrations')}, which is not ported"
        else:
            why = f"'{step_type}' is not a step type of the original innominatus either"
        print(f"{step_type}: step '{step}' is not implemented: {why}. Register a program that does the work under "
              f"workflowPolicies.stepTypes.{step_type}.command in policies/admin-config.yaml (it reads the step's config "
              f"as JSON on stdin; config keys here: {keys}), or remove the step.", file=sys.stderr)
        sys.exit(1)

        """#
    }
}
